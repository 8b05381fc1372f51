//! Proxies: steerable control with typed commands and statistics, and a
//! proxy thread stopped and joined by its handle.

use std::time::Duration;

use zmq::{Context, ProxyThread, Socket, SocketType};

fn streamer(ctx: &Context, name: &str) -> (ProxyThread, Socket, Socket) {
    let front = ctx.socket(SocketType::Pull).unwrap();
    front.bind(&format!("inproc://{name}-in")).unwrap();
    let back = ctx.socket(SocketType::Push).unwrap();
    back.bind(&format!("inproc://{name}-out")).unwrap();
    let proxy = ProxyThread::spawn(front, back, None).unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect(&format!("inproc://{name}-in")).unwrap();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
    pull.connect(&format!("inproc://{name}-out")).unwrap();
    (proxy, push, pull)
}

#[test]
fn statistics_take_any_timeout() {
    // Was: a panic ("overflow when adding duration to instant").
    let ctx = Context::new();
    let (proxy, push, pull) = streamer(&ctx, "stats-any-timeout");
    push.send("x").unwrap();
    assert_eq!(pull.recv_string().unwrap(), "x");
    for timeout in [
        Duration::MAX,
        Duration::from_millis(1 << 32),
        Duration::from_nanos(1),
    ] {
        match proxy.controller().statistics(timeout) {
            Ok(stats) => assert_eq!(stats.frontend.received_messages, 1),
            // 1 ns may pass before the answer: Again, never a panic.
            Err(e) => assert!(
                timeout < Duration::from_secs(1) && e.is_would_block(),
                "{e:?}"
            ),
        }
    }
    proxy.stop().unwrap();
}

#[test]
fn steerable_proxy_pauses_resumes_counts_and_terminates() {
    let ctx = Context::new();
    let (proxy, push, pull) = streamer(&ctx, "steer");
    push.send("before").unwrap();
    assert_eq!(pull.recv_string().unwrap(), "before");

    // Paused: messages are held.
    proxy.controller().pause().unwrap();
    // The command is processed asynchronously; a statistics round trip
    // proves the proxy has handled it.
    proxy
        .controller()
        .statistics(Duration::from_secs(5))
        .unwrap();
    push.send("held").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        pull.try_recv_msg().unwrap().is_none(),
        "a paused proxy forwarded"
    );

    // Resumed: the held message is delivered.
    proxy.controller().resume().unwrap();
    assert_eq!(pull.recv_string().unwrap(), "held");

    let stats = proxy
        .controller()
        .statistics(Duration::from_secs(5))
        .unwrap();
    assert_eq!(stats.frontend.received_messages, 2);
    assert_eq!(
        stats.frontend.received_bytes,
        ("before".len() + "held".len()) as u64
    );
    assert_eq!(stats.backend.sent_messages, 2);
    assert_eq!(stats.backend.sent_bytes, 10);
    assert_eq!(stats.frontend.sent_messages, 0);
    assert_eq!(stats.backend.received_messages, 0);

    proxy.stop().unwrap();
}

#[test]
fn dropping_the_handle_stops_and_joins_the_proxy() {
    let ctx = Context::new();
    let (proxy, push, pull) = streamer(&ctx, "drop");
    push.send("x").unwrap();
    assert_eq!(pull.recv_string().unwrap(), "x");
    drop(proxy); // terminates and joins: the thread closed the proxy's sockets
                 // libzmq releases a closed socket's endpoints asynchronously; once it
                 // has, the endpoint can be bound again, which proves the close happened.
    let again = ctx.socket(SocketType::Pull).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while again.bind("inproc://drop-in").is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "the proxy's frontend was never closed"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn plain_proxy_returns_terminated_on_shutdown() {
    let ctx = Context::new();
    let front = ctx.socket(SocketType::Xsub).unwrap();
    front.bind("inproc://plain-in").unwrap();
    let back = ctx.socket(SocketType::Xpub).unwrap();
    back.bind("inproc://plain-out").unwrap();
    let thread = std::thread::spawn(move || zmq::proxy(&front, &back, None));
    std::thread::sleep(Duration::from_millis(50));
    ctx.shutdown().unwrap();
    assert!(matches!(
        thread.join().unwrap(),
        Err(ref e)
    if e.kind() == zmq::ErrorKind::Terminated
    ));
}

#[test]
fn capture_socket_sees_the_traffic() {
    let ctx = Context::new();
    let front = ctx.socket(SocketType::Pull).unwrap();
    front.bind("inproc://capture-in").unwrap();
    let back = ctx.socket(SocketType::Push).unwrap();
    back.bind("inproc://capture-out").unwrap();
    let capture = ctx.socket(SocketType::Push).unwrap();
    capture.bind("inproc://capture-tap").unwrap();
    let tap = ctx.socket(SocketType::Pull).unwrap();
    tap.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
    tap.connect("inproc://capture-tap").unwrap();
    let proxy = ProxyThread::spawn(front, back, Some(capture)).unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect("inproc://capture-in").unwrap();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.connect("inproc://capture-out").unwrap();
    push.send("seen").unwrap();
    assert_eq!(pull.recv_string().unwrap(), "seen");
    assert_eq!(tap.recv_string().unwrap(), "seen");
    proxy.stop().unwrap();
}

#[test]
fn statistics_parser_rejects_malformed_replies() {
    assert!(zmq::ProxyStatistics::parse(&[]).is_err());
    assert!(zmq::ProxyStatistics::parse(&[&b"1234567"[..]; 8]).is_err());
    let one = 1u64.to_ne_bytes();
    let stats = zmq::ProxyStatistics::parse(&[&one[..]; 8]).unwrap();
    assert_eq!(stats.backend.sent_bytes, 1);
}

/// Waits for `f` on another thread at most `limit`: a hang fails the test
/// instead of hanging it.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("still blocked after {limit:?}"))
}

#[test]
fn stopping_a_proxy_that_already_returned_does_not_hang() {
    // Was: stop() sent TERMINATE with a blocking send to a control socket
    // whose peer had closed with the thread, and hung forever.
    let ctx = Context::new();
    let front = ctx.socket(SocketType::Pull).unwrap();
    front.bind("inproc://dead-proxy-in").unwrap();
    let back = ctx.socket(SocketType::Push).unwrap();
    back.bind("inproc://dead-proxy-out").unwrap();
    let capture = ctx.socket(SocketType::Sub).unwrap(); // cannot send: ENOTSUP
    let proxy = ProxyThread::spawn(front, back, Some(capture)).unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect("inproc://dead-proxy-in").unwrap();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.connect("inproc://dead-proxy-out").unwrap();
    push.send("kills the proxy").unwrap();
    // The proxy returns when it copies the message to the capture socket.
    let handle_done = || proxy.join_handle().unwrap().is_finished();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !handle_done() {
        assert!(std::time::Instant::now() < deadline, "proxy never returned");
        std::thread::sleep(Duration::from_millis(5));
    }
    let result = within(Duration::from_secs(10), move || proxy.stop());
    assert!(
        matches!(result, Err(ref e) if e.kind() == zmq::ErrorKind::NotSupported),
        "{result:?}"
    );

    // Dropping such a handle does not hang either.
    let front = ctx.socket(SocketType::Pull).unwrap();
    let back = ctx.socket(SocketType::Push).unwrap();
    let proxy = ProxyThread::spawn(front, back, None).unwrap();
    ctx.shutdown().unwrap(); // the proxy returns Terminated
    within(Duration::from_secs(10), move || drop(proxy));
}

static SIGNALS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

extern "C" fn count_signal(_: libc::c_int) {
    SIGNALS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
}

#[test]
fn a_signal_does_not_kill_the_proxy_thread() {
    // Was: EINTR made zmq_proxy_steerable return and the thread died.
    // SAFETY: installs a handler that only bumps an atomic, without
    // SA_RESTART so that blocking calls see EINTR.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = count_signal as *const () as usize;
        libc::sigemptyset(&mut action.sa_mask);
        action.sa_flags = 0;
        assert_eq!(
            libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut()),
            0
        );
    }
    let ctx = Context::new();
    let (proxy, push, pull) = streamer(&ctx, "eintr");
    push.send("before").unwrap();
    assert_eq!(pull.recv_string().unwrap(), "before");
    let thread = std::os::unix::thread::JoinHandleExt::as_pthread_t(proxy.join_handle().unwrap());
    let before = SIGNALS.load(std::sync::atomic::Ordering::SeqCst);
    for _ in 0..3 {
        // SAFETY: the thread is alive (the proxy has not been stopped).
        assert_eq!(unsafe { libc::pthread_kill(thread, libc::SIGUSR1) }, 0);
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(SIGNALS.load(std::sync::atomic::Ordering::SeqCst) >= before + 3);
    push.send("after").unwrap();
    assert_eq!(pull.recv_string().unwrap(), "after");
    assert!(!proxy.join_handle().unwrap().is_finished());
    proxy.stop().unwrap();
}

/// An XSUB/XPUB forwarder in a `ProxyThread`, a publisher behind it and a
/// subscriber in front; returns them all.
fn forwarder(ctx: &Context) -> (ProxyThread, Socket, Socket) {
    let publisher = ctx.socket(SocketType::Pub).unwrap();
    publisher.bind("tcp://127.0.0.1:*").unwrap();
    let xsub = ctx.socket(SocketType::Xsub).unwrap();
    xsub.connect(&publisher.last_endpoint().unwrap()).unwrap();
    let xpub = ctx.socket(SocketType::Xpub).unwrap();
    xpub.set_maxmsgsize(64 * 1024).unwrap(); // the documented defence
    xpub.bind("tcp://127.0.0.1:*").unwrap();
    let subscriber = ctx.socket(SocketType::Sub).unwrap();
    subscriber
        .set_rcvtimeo(Some(Duration::from_millis(100)))
        .unwrap();
    subscriber.connect(&xpub.last_endpoint().unwrap()).unwrap();
    (
        ProxyThread::spawn(xsub, xpub, None).unwrap(),
        publisher,
        subscriber,
    )
}

/// Publishes until the subscriber gets a message: the forwarder is alive.
fn forwards(publisher: &Socket, subscriber: &Socket) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        publisher.send("news").unwrap();
        if let Ok(msg) = subscriber.recv_string() {
            assert_eq!(msg, "news");
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the forwarder is gone"
        );
    }
}

#[test]
fn a_huge_subscription_does_not_crash_the_forwarder() {
    // Was: "thread 'zmq-proxy' has overflowed its stack" and the process
    // aborted: libzmq's subscription trie recurses once per byte on the
    // thread that forwards the subscription. A libzmq SUB stores its own
    // subscriptions in the same trie, on the subscribing thread (64 bytes of
    // stack per byte here): the subscribing side of this test runs on a big
    // stack, as an attacker's would.
    std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(huge_subscriptions)
        .unwrap()
        .join()
        .unwrap();
}

/// Sets a (un)subscription through libzmq directly: the safe API refuses
/// topics past `Socket::MAX_TOPIC_LEN`, an attacker's libzmq does not.
fn raw_subscription(socket: &Socket, option: i32, topic: &[u8]) {
    // SAFETY: a live socket; libzmq reads `topic.len()` bytes of `topic`.
    let rc = unsafe {
        zmq::sys::zmq_setsockopt(socket.as_raw(), option, topic.as_ptr().cast(), topic.len())
    };
    assert_eq!(rc, 0);
}

fn huge_subscriptions() {
    let ctx = Context::new();
    let (proxy, publisher, subscriber) = forwarder(&ctx);
    let topic = vec![b'x'; 32 * 1024];
    raw_subscription(&subscriber, zmq::sys::ZMQ_SUBSCRIBE, &topic);
    raw_subscription(&subscriber, zmq::sys::ZMQ_UNSUBSCRIBE, &topic);
    subscriber.set_subscribe(b"news").unwrap();
    forwards(&publisher, &subscriber);

    // Past ZMQ_MAXMSGSIZE the subscriber is disconnected instead, and the
    // forwarder goes on serving the others.
    let greedy = ctx.socket(SocketType::Sub).unwrap();
    let mut monitor = greedy.monitor(zmq::MonitorEvents::DISCONNECTED).unwrap();
    greedy
        .connect(&subscriber.last_endpoint().unwrap())
        .unwrap();
    let topic = vec![b'y'; 1 << 20];
    raw_subscription(&greedy, zmq::sys::ZMQ_SUBSCRIBE, &topic);
    let event = monitor
        .recv_timeout(Duration::from_secs(10))
        .unwrap()
        .expect("the oversized subscriber was not disconnected");
    assert!(matches!(event.event, zmq::Event::Disconnected { .. }));
    // Emptied here, not by libzmq's reaper thread when the socket closes.
    raw_subscription(&greedy, zmq::sys::ZMQ_UNSUBSCRIBE, &topic);
    greedy.set_linger(Some(Duration::ZERO)).unwrap();
    drop(greedy);
    forwards(&publisher, &subscriber);
    proxy.stop().unwrap();
}
