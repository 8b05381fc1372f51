//! Messages: zero-copy ownership (freed exactly once, by libzmq, off the
//! sending thread), copy-on-write sharing, properties.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use zmq::{Context, Message, SendFlags, SocketType};

/// Bytes whose drop is counted and whose dropping thread is recorded.
struct Tracked {
    data: Vec<u8>,
    drops: Arc<AtomicUsize>,
    dropped_on: Arc<Mutex<Option<ThreadId>>>,
}

impl AsRef<[u8]> for Tracked {
    fn as_ref(&self) -> &[u8] {
        &self.data
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
        *self.dropped_on.lock().unwrap() = Some(std::thread::current().id());
    }
}

fn tracked(len: usize) -> (Tracked, Arc<AtomicUsize>, Arc<Mutex<Option<ThreadId>>>) {
    let drops = Arc::new(AtomicUsize::new(0));
    let on = Arc::new(Mutex::new(None));
    let t = Tracked {
        data: (0..len).map(|i| i as u8).collect(),
        drops: drops.clone(),
        dropped_on: on.clone(),
    };
    (t, drops, on)
}

fn wait_for(count: &AtomicUsize, expected: usize) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while count.load(Ordering::SeqCst) < expected {
        assert!(Instant::now() < deadline, "owner not freed");
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn zero_copy_is_freed_once_on_the_io_thread_after_send() {
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect(&pull.last_endpoint().unwrap()).unwrap();

    let (owner, drops, on) = tracked(100_000);
    let msg = Message::from_owner(owner);
    assert_eq!(msg.len(), 100_000);
    assert_eq!(drops.load(Ordering::SeqCst), 0, "freed before send");
    push.send(msg).unwrap();
    let got = pull.recv_msg().unwrap();
    assert_eq!(got.len(), 100_000);
    assert_eq!(got[99_999], (99_999 % 256) as u8);
    wait_for(&drops, 1);
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(drops.load(Ordering::SeqCst), 1, "freed more than once");
    let thread = on.lock().unwrap().unwrap();
    assert_ne!(
        thread,
        std::thread::current().id(),
        "freed on the sending thread, not by libzmq's I/O thread"
    );
}

#[test]
fn zero_copy_is_freed_once_on_a_failed_send() {
    let ctx = Context::new();
    let push = ctx.socket(SocketType::Push).unwrap(); // no peer: would block
    let (owner, drops, _) = tracked(64);
    let result = push.send_with(Message::from_owner(owner), SendFlags::DONTWAIT);
    assert!(matches!(result, Err(ref e) if e.kind() == zmq::ErrorKind::Again));
    assert_eq!(drops.load(Ordering::SeqCst), 1);

    // With send_msg the caller keeps the frame, and frees it once on drop.
    let (owner, drops, _) = tracked(64);
    let mut msg = Message::from_owner(owner);
    assert!(push.send_msg_with(&mut msg, SendFlags::DONTWAIT).is_err());
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    drop(msg);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn clones_share_until_written() {
    let (owner, drops, _) = tracked(16);
    let a = Message::from_owner(owner);
    let mut b = a.clone();
    assert_eq!(a, b);
    assert!(a.is_shared());
    b[0] = 42; // copy-on-write: `a` and the owner are untouched
    assert_eq!(b[0], 42);
    assert_eq!(a[0], 0);
    drop(a);
    assert_eq!(
        drops.load(Ordering::SeqCst),
        1,
        "owner freed when the last sharer went"
    );
    assert_eq!(b[0], 42);
}

#[test]
fn a_written_message_cloned_afterwards_is_copied_before_the_next_write() {
    // `with_size` content, and a `Vec`'s once written, are known private:
    // writing skips the sharing query, until a clone shares the content.
    for mut a in [
        Message::with_size(40).unwrap(),
        Message::from(vec![0u8; 40]),
    ] {
        a.copy_from_slice(&[1u8; 40]);
        let b = a.clone();
        assert!(a.is_shared());
        a[0] = 2; // must copy first: `b` keeps the old bytes
        assert_eq!(a[0], 2);
        assert_eq!(b[..], [1u8; 40][..]);
        let mut c = b.clone();
        drop(b);
        c[1] = 3;
        assert_eq!(c[1], 3);
        assert_eq!(a[1], 1);
    }
}

#[test]
fn content_replaced_through_the_raw_message_is_seen_whole_by_deref_mut() {
    // `DerefMut` on content it knows to be private uses the size it knows:
    // replacing the content through `as_raw_mut` must forget it.
    let mut msg = Message::with_size(40).unwrap();
    msg[0] = 1;
    let raw = msg.as_raw_mut();
    // SAFETY: `raw` is the initialised message: closed, then initialised
    // again with a 3-byte content, which leaves a valid message behind.
    unsafe {
        assert_eq!(zmq::sys::zmq_msg_close(raw), 0);
        assert_eq!(zmq::sys::zmq_msg_init_size(raw, 3), 0);
        std::ptr::write_bytes(zmq::sys::zmq_msg_data(raw).cast::<u8>(), 7, 3);
    }
    let bytes: &mut [u8] = &mut msg;
    assert_eq!(bytes, [7u8, 7, 7]);
    bytes[2] = 9;
    assert_eq!(msg, [7u8, 7, 9]);
}

#[test]
fn static_and_vec_messages() {
    static DATA: &[u8] = b"static bytes";
    let mut s = Message::from_static(DATA);
    assert_eq!(&s[..], DATA);
    s[0] = b'S'; // never writes into the static
    assert_eq!(&s[..], b"Static bytes");
    assert_eq!(DATA, b"static bytes");

    let mut v = Vec::with_capacity(1024);
    v.extend_from_slice(b"vec");
    let mut m = Message::from(v);
    m[0] = b'V'; // owned exclusively: written in place
    assert_eq!(&m[..], b"Vec");
    assert_eq!(&Message::from(String::from("s"))[..], b"s");
    assert_eq!(
        &Message::from(vec![9u8; 3].into_boxed_slice())[..],
        [9, 9, 9]
    );
    assert!(Message::from(Vec::new()).is_empty());
    assert_eq!(Message::with_size(5).unwrap()[..], [0; 5]);
    assert_eq!(format!("{:?}", Message::from("hi")), "Message(\"hi\")");
}

#[test]
fn shared_received_content_is_not_written_in_place() {
    // A PUB hands one message to several inproc subscribers by reference.
    let ctx = Context::new();
    let publisher = ctx.socket(SocketType::Pub).unwrap();
    publisher.bind("inproc://cow-test").unwrap();
    let subs: Vec<_> = (0..2)
        .map(|_| {
            let s = ctx.socket(SocketType::Sub).unwrap();
            s.set_subscribe(b"").unwrap();
            s.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
            s.connect("inproc://cow-test").unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(50));
    publisher.send(vec![7u8; 1000]).unwrap();
    let mut first = subs[0].recv_msg().unwrap();
    let second = subs[1].recv_msg().unwrap();
    first[0] = 1;
    assert_eq!(
        second[0], 7,
        "writing one subscriber's frame changed the other's"
    );
}

#[test]
fn properties_of_received_messages() {
    let ctx = Context::new();
    let rep = ctx.socket(SocketType::Rep).unwrap();
    rep.bind("tcp://127.0.0.1:*").unwrap();
    let req = ctx.socket(SocketType::Req).unwrap();
    req.connect(&rep.last_endpoint().unwrap()).unwrap();
    req.send("x").unwrap();
    let msg = rep.recv_msg().unwrap();
    assert_eq!(msg.gets("Socket-Type"), Some("REQ"));
    assert_eq!(msg.gets("Peer-Address"), Some("127.0.0.1"));
    assert_eq!(msg.gets("No-Such-Property"), None);
    assert_eq!(msg.gets("Socket\0-Type"), None);
    assert!(!msg.more());
}

#[test]
fn raw_message_round_trip() {
    let msg = Message::from("raw");
    let raw = msg.into_raw();
    // SAFETY: `raw` is an initialised message given up by into_raw.
    let back = unsafe { Message::from_raw(raw) };
    assert_eq!(&back[..], b"raw");
}

#[cfg(feature = "bytes")]
#[test]
fn bytes_are_zero_copy() {
    let data = bytes::Bytes::from(vec![5u8; 4096]);
    let ptr = data.as_ptr();
    let msg = Message::from(data.clone());
    assert_eq!(msg[..].as_ptr(), ptr);
    assert_eq!(&msg[..], &data[..]);
}

/// Read-only bytes, in the binary's read-only data: writing them faults.
static RODATA: &[u8] = b"constant bytes";

#[test]
fn a_failed_recv_leaves_read_only_bytes_read_only() {
    // Was: SIGSEGV. `recv` cleared the read-only mark although libzmq
    // refused (ENOTSUP on a PUB) and left the content alone, then `DerefMut`
    // wrote into .rodata.
    let ctx = Context::new();
    let publisher = ctx.socket(SocketType::Pub).unwrap();
    for mut msg in [Message::from_owner(RODATA), Message::from_static(RODATA)] {
        assert!(matches!(
            publisher.try_recv(&mut msg),
            Err(ref e)
        if e.kind() == zmq::ErrorKind::NotSupported
        ));
        msg[0] = b'X'; // copies first
        assert_eq!(&msg[..], b"Xonstant bytes");
    }
    // A REQ receiving before sending: EFSM, same rule.
    let req = ctx.socket(SocketType::Req).unwrap();
    let mut msg = Message::from_static(RODATA);
    assert!(matches!(
        req.try_recv(&mut msg),
        Err(ref e)
    if e.kind() == zmq::ErrorKind::InvalidState
    ));
    msg[0] = b'Y';
    assert_eq!(&msg[..], b"Yonstant bytes");
    assert_eq!(RODATA, b"constant bytes");
}

#[test]
fn a_failed_send_leaves_a_shared_owner_untouched() {
    // Was: EAGAIN cleared the read-only mark, and writing the message wrote
    // into the Arc that other clones still read.
    let shared: Arc<[u8]> = Arc::from(&b"shared"[..]);
    let ctx = Context::new();
    let push = ctx.socket(SocketType::Push).unwrap(); // no peer: EAGAIN
    let mut msg = Message::from_owner(shared.clone());
    assert!(matches!(
        push.send_msg_with(&mut msg, SendFlags::DONTWAIT),
        Err(ref e)
    if e.kind() == zmq::ErrorKind::Again
    ));
    msg[0] = b'S';
    assert_eq!(&msg[..], b"Shared");
    assert_eq!(&shared[..], b"shared");

    // A successful receive replaces the content: writable in place again.
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("inproc://failed-send-owner").unwrap();
    push.connect("inproc://failed-send-owner").unwrap();
    push.send_msg(&mut msg).unwrap();
    assert!(msg.is_empty());
    let mut received = Message::from_static(RODATA);
    pull.recv(&mut received).unwrap();
    received[0] = b's';
    assert_eq!(&received[..], b"shared");
}

/// A PUSH/PULL pair over tcp on a free loopback port.
fn tcp_pair(ctx: &Context) -> (zmq::Socket, zmq::Socket) {
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect(&pull.last_endpoint().unwrap()).unwrap();
    pull.set_rcvtimeo(Some(Duration::from_secs(10))).unwrap();
    (push, pull)
}

#[test]
fn frames_built_by_a_writer_arrive_as_written() {
    use std::io::Write;
    let ctx = Context::new();
    let (push, pull) = tcp_pair(&ctx);
    let body = [7u8; 1000];
    // Written whole, in place where it is sent.
    push.send_from_writer(1003, SendFlags::empty(), |w| {
        assert_eq!(w.put(b"hdr"), 3);
        assert_eq!(w.put(&body), 1000);
        assert_eq!(w.remaining(), 0);
    })
    .unwrap();
    // Written in part: the rest arrives zeroed.
    push.send_from_writer(6, SendFlags::SNDMORE, |w| {
        write!(w, "{}", 12).unwrap();
    })
    .unwrap();
    // As a Message, through io::Write and a patch in place, then sent.
    let mut msg = Message::from_writer(5, |w| {
        w.put_repeated(b'x', 2);
        w.put(b"yz");
        w.written_mut()[0] = b'X';
    })
    .unwrap();
    assert_eq!(&msg[..], b"Xxyz\0");
    push.send_msg_with(&mut msg, SendFlags::SNDMORE).unwrap();
    push.send(Message::from_fn(3, |b| b[1] = 1).unwrap())
        .unwrap();

    let first = pull.recv_msg().unwrap();
    assert_eq!(&first[..3], b"hdr");
    assert_eq!(&first[3..], &body[..]);
    let frames = pull.recv_multipart().unwrap();
    let frames: Vec<&[u8]> = frames.iter().map(|f| &f[..]).collect();
    assert_eq!(frames, [&b"12\0\0\0\0"[..], b"Xxyz\0", b"\0\x01\0"]);
    // An empty frame and a zero-sized writer.
    push.send_from_writer(0, SendFlags::empty(), |w| assert_eq!(w.put(b"no room"), 0))
        .unwrap();
    assert!(pull.recv_msg().unwrap().is_empty());
}

#[test]
fn a_writer_that_panics_sends_nothing_and_the_socket_works_after() {
    let ctx = Context::new();
    let (push, pull) = tcp_pair(&ctx);
    let panicked = std::panic::catch_unwind(|| {
        push.send_from_writer(64, SendFlags::empty(), |w| {
            w.put(b"half");
            panic!("the writer gave up");
        })
    });
    assert!(panicked.is_err());
    let panicked =
        std::panic::catch_unwind(|| Message::from_writer(64, |_| panic!("the writer gave up")));
    assert!(panicked.is_err());
    // The half-built frames were closed (valgrind checks no leak), not sent:
    // the next frame is the first one to arrive.
    push.send("after").unwrap();
    assert_eq!(pull.recv_bytes().unwrap(), b"after");
}

#[test]
fn a_writer_send_that_would_block_gives_again_and_the_socket_works_after() {
    let ctx = Context::new();
    let push = ctx.socket(SocketType::Push).unwrap(); // no peer yet: EAGAIN
    let mut wrote = false;
    let err = push
        .send_from_writer(8, SendFlags::DONTWAIT, |w| {
            w.put(b"dropped!");
            wrote = true;
        })
        .unwrap_err();
    assert_eq!(err.kind(), zmq::ErrorKind::Again);
    assert!(wrote);
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    push.connect(&pull.last_endpoint().unwrap()).unwrap();
    push.send_from_writer(4, SendFlags::empty(), |w| {
        w.put(b"kept");
    })
    .unwrap();
    assert_eq!(pull.recv_bytes().unwrap(), b"kept");
}

#[test]
fn impossible_frame_sizes_are_errors() {
    for len in [usize::MAX, isize::MAX as usize + 1, 1 << 50] {
        let mut called = false;
        let err = Message::from_writer(len, |_| called = true).unwrap_err();
        assert_eq!(err.kind(), zmq::ErrorKind::NoMemory, "{len}");
        assert!(!called);
        assert_eq!(
            Message::with_size(len).unwrap_err().kind(),
            zmq::ErrorKind::NoMemory
        );
    }
    let ctx = Context::new();
    let (push, pull) = tcp_pair(&ctx);
    let err = push
        .send_from_writer(usize::MAX, SendFlags::empty(), |_| unreachable!())
        .unwrap_err();
    assert_eq!(err.kind(), zmq::ErrorKind::NoMemory);
    push.send("still fine").unwrap();
    assert_eq!(pull.recv_bytes().unwrap(), b"still fine");
}

#[test]
fn read_only_bytes_stay_read_only_across_inproc() {
    // Was: the inproc receiver got the sender's `zmq_msg_t` itself, unshared
    // and writable, pointing at the owner's bytes: writing it wrote into the
    // sender's Arc (or into .rodata: SIGSEGV).
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("inproc://read-only-across-inproc").unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect("inproc://read-only-across-inproc").unwrap();

    let owner: Arc<[u8]> = Arc::from(&[b'i'; 100][..]);
    push.send(Message::from_owner(Arc::clone(&owner))).unwrap();
    push.send(Message::from_owner(RODATA)).unwrap();

    let mut received = pull.recv_msg().unwrap();
    assert_eq!(
        received[..].as_ptr(),
        owner.as_ptr(),
        "inproc moves the bytes, no copy"
    );
    assert!(
        received.is_shared(),
        "the read-only mark travels with the content"
    );
    received[0] = b'M'; // copies first
    assert_eq!(received[0], b'M');
    assert_eq!(
        &owner[..],
        &[b'i'; 100][..],
        "the owner's bytes are untouched"
    );

    let mut received = pull.recv_msg().unwrap();
    assert!(received.is_shared());
    received[0] = b'X';
    assert_eq!(&received[..], b"Xonstant bytes");
    assert_eq!(RODATA, b"constant bytes");
}

#[test]
fn a_failed_receive_leaves_the_message_intact() {
    // Was: libzmq closed the message on EAGAIN (its fair queue empties the
    // message it is given), freeing the boxed Vec of a `Message::from(Vec)`
    // that `into_vec` then read (valgrind: invalid read in a block freed by
    // drop_box <- msg_t::close <- fq_t::recvpipe); the message came back
    // empty from `try_recv`, which promises it as it was.
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("inproc://failed-receive-intact").unwrap();
    let data = vec![7u8; 100];
    let ptr = data.as_ptr();

    let mut msg = Message::from(data);
    assert!(!pull.try_recv(&mut msg).unwrap());
    assert_eq!(&msg[..], &[7u8; 100][..]);

    // The same through the blocking call with a receive timeout (EAGAIN).
    pull.set_rcvtimeo(Some(Duration::from_millis(1))).unwrap();
    let err = pull.recv(&mut msg).unwrap_err();
    assert!(err.is_would_block(), "{err:?}");
    assert_eq!(&msg[..], &[7u8; 100][..]);

    // And after the context was shut down (ETERM).
    ctx.shutdown().unwrap();
    let err = pull.try_recv(&mut msg).unwrap_err();
    assert_eq!(err.kind(), zmq::ErrorKind::Terminated);
    let back = msg.into_vec();
    assert_eq!(back.as_ptr(), ptr, "still the very same Vec");
    assert_eq!(back, vec![7u8; 100]);
}

#[test]
fn a_successful_receive_replaces_content_and_releases_the_old() {
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("inproc://receive-replaces").unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect("inproc://receive-replaces").unwrap();
    let (owner, drops, _) = tracked(64);
    let mut msg = Message::from_owner(owner);
    push.send("new").unwrap();
    pull.recv(&mut msg).unwrap();
    assert_eq!(msg, "new");
    assert_eq!(
        drops.load(Ordering::SeqCst),
        1,
        "the old owner was released"
    );
    msg[0] = b'N'; // libzmq's own content: writable
    assert_eq!(msg, "New");
}
