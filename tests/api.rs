//! The API a porter reaches for (issue 13): errors with context, flag-less
//! calls, multipart envelopes, per-call timeouts, one name per thing, a
//! monitor that stops. Every test runs against real sockets.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::{Duration, Instant};

use zmq::{Context, Error, ErrorKind, SocketType};

/// Counts the Rust allocations of the current thread, so a test can prove a
/// call allocates nothing (tests run in parallel: the count is per thread).
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; the thread-local counter is a
// `const`-initialised `Cell`, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_in<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATIONS.with(Cell::get);
    let value = f();
    (value, ALLOCATIONS.with(Cell::get) - before)
}

// ---- 1. errors with context --------------------------------------------------

#[test]
fn errors_name_the_operation_and_endpoint_and_match_by_kind() {
    let ctx = Context::new();
    let a = ctx.socket(SocketType::Pull).unwrap();
    a.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = a.last_endpoint().unwrap();
    let b = ctx.socket(SocketType::Pull).unwrap();

    let err = b.bind(&endpoint).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AddrInUse);
    assert_eq!(err, ErrorKind::AddrInUse);
    assert_eq!(err.errno(), Some(libc_eaddrinuse()));
    assert_eq!(err.operation(), Some("bind"));
    assert_eq!(err.target(), Some(endpoint.as_str()));
    // The words are the C runtime's strerror: "Address already in use"
    // (glibc), "Address in use" (Windows).
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("bind {endpoint}: Address ")) && text.ends_with(" in use"),
        "{text}"
    );
    // Clone, and comparable by kind (the context is not compared).
    let copy = err.clone();
    assert_eq!(copy, err);
    assert_eq!(copy, Error::from(ErrorKind::AddrInUse));
    assert_ne!(copy, Error::from(ErrorKind::InvalidArgument));
    // io::Error keeps the kind and the message.
    let io: std::io::Error = err.into();
    assert_eq!(io.kind(), std::io::ErrorKind::AddrInUse);
    assert!(io.to_string().starts_with("bind tcp://127.0.0.1:"));

    // The socket is still usable after the failed call.
    b.bind("tcp://127.0.0.1:*").unwrap();

    let err = b.connect("nonsense").unwrap_err();
    assert_eq!(err.to_string(), "connect nonsense: Invalid argument");
    let err = b.connect("tcp://127.0.0.1:99999").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        err.to_string(),
        "connect tcp://127.0.0.1:99999: Invalid argument"
    );
    let err = b.unbind("tcp://127.0.0.1:1").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoSuchEndpoint);
    assert!(err.to_string().starts_with("unbind tcp://127.0.0.1:1: "));
    let err = b.disconnect("inproc://nowhere").unwrap_err();
    assert!(err.to_string().starts_with("disconnect inproc://nowhere: "));

    // Options are named, values never.
    let err = b.set_sndhwm(-5).unwrap_err();
    assert_eq!(err.to_string(), "set ZMQ_SNDHWM: Invalid argument");
    let err = b.set_plain_password("hunter2\0secret").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NulByte);
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("ZMQ_PLAIN_PASSWORD"), "{shown}");
    let err = b.bind("tcp://secret\0host:1").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NulByte);
    assert!(!format!("{err} {err:?}").contains("secret"));

    // Unknown errno is a value too.
    let other = Error::from_errno(123_456);
    assert_eq!(other.kind(), ErrorKind::Other);
    assert_eq!(other.errno(), Some(123_456));
}

fn libc_eaddrinuse() -> i32 {
    Error::from(ErrorKind::AddrInUse).errno().unwrap()
}

#[test]
fn would_block_errors_are_small_and_never_allocate() {
    assert!(std::mem::size_of::<Error>() <= 16);
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("inproc://api-would-block").unwrap();
    let mut msg = zmq::Message::new();
    // Warm up (thread-locals, lazy statics).
    let _ = pull.try_recv(&mut msg);
    let (result, n) = allocations_in(|| pull.try_recv(&mut msg));
    assert_eq!(result, Ok(false));
    let (result, n2) = allocations_in(|| pull.try_recv_into(&mut [0u8; 8]));
    assert_eq!(result, Ok(None));
    assert_eq!(n2, 0);
    assert_eq!(n, 0, "a would-block receive allocated");

    let push = ctx.socket(SocketType::Push).unwrap();
    let mut frame = zmq::Message::new();
    let _ = push.send_msg_with(&mut frame, zmq::SendFlags::DONTWAIT);
    let (result, n) = allocations_in(|| push.send_msg_with(&mut frame, zmq::SendFlags::DONTWAIT));
    assert!(result.unwrap_err().is_would_block());
    assert_eq!(n, 0, "a would-block send allocated");
}

// ---- 2. flag-less calls, try_ twins ------------------------------------------

#[test]
fn common_calls_need_no_flags_and_try_twins_never_block() {
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();

    // Nothing connected: every try_ twin says "nothing" instead of blocking.
    assert_eq!(pull.try_recv_msg().unwrap(), None);
    assert_eq!(pull.try_recv_bytes().unwrap(), None);
    assert_eq!(pull.try_recv_string().unwrap(), None);
    assert_eq!(pull.try_recv_multipart().unwrap(), None);
    assert_eq!(pull.try_recv_into(&mut [0u8; 4]).unwrap(), None);
    assert!(!pull.try_recv(&mut zmq::Message::new()).unwrap());
    // try_send gives a 1 MiB payload back, whole, to send later.
    let payload = vec![42u8; 1 << 20];
    let ptr = payload.as_ptr();
    let back = push
        .try_send(payload)
        .unwrap()
        .expect("no peer: would block");
    let again = Vec::from(back);
    assert_eq!(again.as_ptr(), ptr, "the very same Vec came back (no copy)");
    assert_eq!(again.len(), 1 << 20);

    let frames = push.try_send_multipart(["x", "y"]).unwrap();
    assert_eq!(frames.expect("would block"), ["x", "y"]);
    assert_eq!(push.try_send_more("z").unwrap().unwrap(), "z");

    push.connect(&pull.last_endpoint().unwrap()).unwrap();
    push.send_more("a").unwrap();
    push.send("b").unwrap();
    push.send("text").unwrap();
    push.send(again).unwrap();
    push.send(b"\xff\xfe".as_slice()).unwrap();
    assert_eq!(pull.recv_multipart().unwrap(), ["a", "b"]);
    assert_eq!(pull.recv_string().unwrap(), "text");
    assert_eq!(pull.recv_bytes().unwrap().len(), 1 << 20);
    let err = pull.recv_string().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidUtf8);
    assert_eq!(err.into_utf8_bytes().unwrap(), [0xff, 0xfe]);
    push.send("later").unwrap();
    let got = pull
        .recv_string_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    assert_eq!(got.as_deref(), Some("later"));
    assert_eq!(pull.try_recv_string().unwrap(), None);
    // Once connected the multipart try_ twin sends the whole message.
    let mut frames = None;
    let deadline = Instant::now() + Duration::from_secs(5);
    while frames.is_none() && Instant::now() < deadline {
        match push.try_send_multipart(["x", "y"]).unwrap() {
            None => frames = pull.recv_multipart_timeout(Duration::from_secs(5)).unwrap(),
            Some(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    assert_eq!(frames.unwrap(), ["x", "y"]);
    push.send(vec![1u8, 2]).unwrap();
    let got = pull.recv_bytes_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(got, Some(vec![1u8, 2]));
}

// ---- 3. multipart envelopes, comparable and hashable frames ------------------

#[test]
fn multipart_envelopes_round_trip_through_router_and_req() {
    let ctx = Context::new();
    let router = ctx.socket(SocketType::Router).unwrap();
    router.bind("tcp://127.0.0.1:*").unwrap();
    let req = ctx.socket(SocketType::Req).unwrap();
    req.set_routing_id(b"client-1").unwrap();
    req.connect(&router.last_endpoint().unwrap()).unwrap();

    req.send("hello").unwrap();
    let mut request = router.recv_multipart().unwrap();
    assert_eq!(request, ["client-1", "", "hello"]);
    let client = request.unwrap().unwrap();
    assert_eq!(client, "client-1");
    assert_eq!(request, ["hello"]);
    request.pop_back();
    request.push_back("world");
    request.wrap(client);
    assert_eq!(request.len(), 3);
    router.send_multipart(request).unwrap();
    assert_eq!(req.recv_string().unwrap(), "world");

    // push/pop without a delimiter; unwrap of a bare address.
    let mut m = zmq::Multipart::from_iter(["b"]);
    m.push_front("a");
    m.push_back(vec![b'c']);
    assert_eq!(m, ["a", "b", "c"]);
    assert_eq!(m.pop_front().unwrap(), "a");
    assert_eq!(m.unwrap().unwrap(), "b");
    assert_eq!(m, ["c"]);
    assert_eq!(m.pop_back().unwrap(), b"c");
    assert!(m.unwrap().is_none() && m.pop_front().is_none());
    let [one, two]: [zmq::Message; 2] = zmq::Multipart::from_iter(["1", "2"]).try_into().unwrap();
    assert_eq!(
        (one, two),
        (zmq::Message::from("1"), zmq::Message::from("2"))
    );
}

#[test]
fn frames_compare_with_bytes_and_strings_and_key_hash_maps() {
    use std::collections::HashMap;
    let ctx = Context::new();
    let router = ctx.socket(SocketType::Router).unwrap();
    router.bind("inproc://api-keys").unwrap();
    let mut workers: HashMap<zmq::Message, usize> = HashMap::new();
    let mut dealers = Vec::new();
    for i in 0..3u8 {
        let d = ctx.socket(SocketType::Dealer).unwrap();
        d.set_routing_id(&[b'w', b'0' + i]).unwrap();
        d.connect("inproc://api-keys").unwrap();
        d.send("READY").unwrap();
        dealers.push(d);
    }
    for _ in 0..3 {
        let mut frames = router.recv_multipart().unwrap();
        let id = frames.pop_front().unwrap();
        assert_eq!(frames, ["READY"]);
        *workers.entry(id).or_default() += 1;
    }
    // Looked up by a plain byte slice: Hash and Borrow<[u8]> agree.
    assert_eq!(workers.get(b"w1".as_slice()), Some(&1));
    assert_eq!(workers.len(), 3);
    let m = zmq::Message::from("w2");
    assert!(m == "w2" && m == *"w2" && m == b"w2" && m == b"w2".as_slice() && m == b"w2".to_vec());
    assert!(m != "w3");
}

#[test]
fn a_message_made_from_a_vec_gives_the_vec_back_without_a_copy() {
    let v = vec![9u8; 64 << 20];
    let ptr = v.as_ptr();
    let started = Instant::now();
    let back = Vec::from(zmq::Message::from(v));
    let took = started.elapsed();
    assert_eq!(back.as_ptr(), ptr);
    assert_eq!(back.len(), 64 << 20);
    assert!(back.capacity() >= 64 << 20);
    eprintln!("64 MiB Message -> Vec<u8>: {took:?}");

    // Shared with a clone, or read-only: a copy, the original untouched.
    let msg = zmq::Message::from(vec![1u8, 2, 3]);
    let clone = msg.clone();
    let copy = msg.into_vec();
    assert_eq!(copy, [1, 2, 3]);
    assert_eq!(&clone[..], [1, 2, 3]);
    let stat = zmq::Message::from_static(b"static");
    assert_eq!(stat.into_vec(), b"static");
    // Sent then received: libzmq's own buffer, copied.
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("inproc://api-into-vec").unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect("inproc://api-into-vec").unwrap();
    let big = vec![5u8; 4096];
    let big_ptr = big.as_ptr();
    let mut msg = zmq::Message::from(big);
    push.send_msg(&mut msg).unwrap();
    assert!(msg.is_empty());
    assert!(msg.into_vec().is_empty());
    let got = pull.recv_msg().unwrap().into_vec();
    assert_eq!(got, vec![5u8; 4096]);
    let _ = big_ptr;
}

// ---- 4. per-call timeouts and Socket::poll -----------------------------------

#[test]
fn per_call_timeouts_end_in_time_and_leave_the_socket_options_alone() {
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = pull.last_endpoint().unwrap();
    pull.set_rcvtimeo(Some(Duration::from_millis(4321)))
        .unwrap();

    // Nothing comes: each call returns after its own timeout.
    let wait = Duration::from_millis(100);
    let started = Instant::now();
    assert_eq!(pull.recv_msg_timeout(wait).unwrap(), None);
    assert_eq!(pull.recv_multipart_timeout(wait).unwrap(), None);
    assert_eq!(pull.recv_string_timeout(wait).unwrap(), None);
    assert!(pull
        .poll(zmq::PollEvents::POLLIN, Some(wait))
        .unwrap()
        .is_empty());
    let took = started.elapsed();
    assert!(
        took >= 4 * wait && took < 4 * wait + Duration::from_secs(2),
        "{took:?}"
    );
    assert_eq!(pull.rcvtimeo().unwrap(), Some(Duration::from_millis(4321)));

    // A message that arrives during the wait is taken at once.
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect(&endpoint).unwrap();
    let sender = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        push.send_multipart(["late", "but here"]).unwrap();
        push
    });
    let started = Instant::now();
    let got = pull
        .recv_multipart_timeout(Duration::from_secs(10))
        .unwrap();
    assert_eq!(got.unwrap(), ["late", "but here"]);
    assert!(started.elapsed() < Duration::from_secs(5));
    let push = sender.join().unwrap();
    assert_eq!(
        push.poll(zmq::PollEvents::POLLOUT, Some(Duration::from_secs(5)))
            .unwrap(),
        zmq::PollEvents::POLLOUT
    );
    assert_eq!(
        push.send_timeout("ok", Duration::from_secs(5)).unwrap(),
        None
    );
    assert_eq!(
        pull.recv_msg_timeout(Duration::from_secs(5))
            .unwrap()
            .unwrap(),
        "ok"
    );

    // send_timeout with no peer: the payload comes back after the timeout.
    let lonely = ctx.socket(SocketType::Push).unwrap();
    lonely
        .set_sndtimeo(Some(Duration::from_millis(1234)))
        .unwrap();
    let started = Instant::now();
    let back = lonely.send_timeout(vec![1u8; 1000], wait).unwrap();
    assert!(started.elapsed() >= wait);
    assert_eq!(back.unwrap().len(), 1000);
    assert_eq!(
        lonely.sndtimeo().unwrap(),
        Some(Duration::from_millis(1234))
    );
}

// ---- 5. one name per thing ----------------------------------------------------

#[test]
fn more_events_and_linger_have_one_name_each() {
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("inproc://api-names").unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect("inproc://api-names").unwrap();
    assert!(pull.events().unwrap().is_empty());
    assert!(push.events().unwrap().contains(zmq::PollEvents::POLLOUT));
    push.send_multipart(["1", "2"]).unwrap();
    assert!(pull.events().unwrap().contains(zmq::PollEvents::POLLIN));
    pull.recv_msg().unwrap();
    assert!(pull.more().unwrap());
    pull.recv_msg().unwrap();
    assert!(!pull.more().unwrap());
    push.set_linger(Some(Duration::from_millis(5))).unwrap();
    assert_eq!(push.linger().unwrap(), Some(Duration::from_millis(5)));
    push.set_linger(None).unwrap();
    assert_eq!(push.linger().unwrap(), None);
    let names: Vec<_> = zmq::SOCKET_OPTIONS
        .iter()
        .flat_map(|o| [o.getter, o.setter])
        .flatten()
        .collect();
    for gone in ["rcvmore", "raw_events", "set_linger_opt"] {
        assert!(!names.contains(&gone), "{gone} is still generated");
    }
    for kept in ["more", "events", "set_linger", "linger"] {
        assert!(names.contains(&kept), "{kept} is missing");
    }
}

// ---- 6. a monitor that stops, and keeps the user's RCVTIMEO -------------------

#[test]
fn a_monitor_can_be_stopped_and_recv_timeout_keeps_rcvtimeo() {
    let ctx = Context::new();
    let server = ctx.socket(SocketType::Rep).unwrap();
    let mut monitor = server.monitor(zmq::MonitorEvents::ALL).unwrap();
    monitor
        .socket()
        .set_rcvtimeo(Some(Duration::from_secs(7)))
        .unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let event = monitor
        .recv_timeout(Duration::from_secs(5))
        .unwrap()
        .expect("a Listening event");
    assert!(
        matches!(event.event, zmq::Event::Listening { .. }),
        "{event:?}"
    );
    assert_eq!(
        monitor.socket().rcvtimeo().unwrap(),
        Some(Duration::from_secs(7))
    );
    assert!(monitor.try_recv().unwrap().is_none());

    server.stop_monitor().unwrap();
    let event = monitor.recv().unwrap();
    assert!(
        matches!(event.event, zmq::Event::MonitorStopped),
        "{event:?}"
    );
    // A new monitor works, and stopping a socket without one is harmless.
    let mut again = server.monitor(zmq::MonitorEvents::LISTENING).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let event = again.recv_timeout(Duration::from_secs(5)).unwrap().unwrap();
    assert!(
        matches!(event.event, zmq::Event::Listening { .. }),
        "{event:?}"
    );
    server.stop_monitor().unwrap();
    server.stop_monitor().unwrap();
}
