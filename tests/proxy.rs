//! Proxies: steerable control with typed commands and statistics, and a
//! proxy thread stopped and joined by its handle.

use std::time::Duration;

use zmq::{Context, ProxyThread, RecvFlags, SendFlags, Socket, SocketType};

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
fn steerable_proxy_pauses_resumes_counts_and_terminates() {
    let ctx = Context::new();
    let (proxy, push, pull) = streamer(&ctx, "steer");
    push.send("before", SendFlags::empty()).unwrap();
    assert_eq!(pull.recv_string(RecvFlags::empty()).unwrap(), "before");

    // Paused: messages are held.
    proxy.controller().pause().unwrap();
    // The command is processed asynchronously; a statistics round trip
    // proves the proxy has handled it.
    proxy
        .controller()
        .statistics(Duration::from_secs(5))
        .unwrap();
    push.send("held", SendFlags::empty()).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        pull.try_recv_msg().unwrap().is_none(),
        "a paused proxy forwarded"
    );

    // Resumed: the held message is delivered.
    proxy.controller().resume().unwrap();
    assert_eq!(pull.recv_string(RecvFlags::empty()).unwrap(), "held");

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
    push.send("x", SendFlags::empty()).unwrap();
    assert_eq!(pull.recv_string(RecvFlags::empty()).unwrap(), "x");
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
        Err(zmq::Error::Terminated)
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
    push.send("seen", SendFlags::empty()).unwrap();
    assert_eq!(pull.recv_string(RecvFlags::empty()).unwrap(), "seen");
    assert_eq!(tap.recv_string(RecvFlags::empty()).unwrap(), "seen");
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
