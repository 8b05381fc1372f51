//! Socket monitoring against real tcp peers.

use std::ffi::c_char;
use std::time::Duration;

use zmq::{Context, Event, Monitor, MonitorEvents, ProtocolError, Socket, SocketType};

/// Collects events until `done` says so (or fails after 5 s).
fn collect_until(monitor: &mut Monitor, mut done: impl FnMut(&Event) -> bool) -> Vec<Event> {
    let mut events = Vec::new();
    loop {
        let event = monitor
            .recv_timeout(Duration::from_secs(5))
            .unwrap()
            .unwrap_or_else(|| panic!("timed out; events so far: {events:?}"));
        let stop = done(&event.event);
        events.push(event.event);
        if stop {
            return events;
        }
    }
}

fn kind(e: &Event) -> &'static str {
    match e {
        Event::Connected { .. } => "CONNECTED",
        Event::ConnectDelayed { .. } => "CONNECT_DELAYED",
        Event::Listening { .. } => "LISTENING",
        Event::Accepted { .. } => "ACCEPTED",
        Event::HandshakeSucceeded => "HANDSHAKE_SUCCEEDED",
        Event::Disconnected { .. } => "DISCONNECTED",
        Event::Closed { .. } => "CLOSED",
        Event::MonitorStopped => "MONITOR_STOPPED",
        _ => "OTHER",
    }
}

#[test]
fn lifecycle_of_a_tcp_peer_in_order() {
    let ctx = Context::new();
    let server = ctx.socket(SocketType::Rep).unwrap();
    let mut server_mon = server.monitor(MonitorEvents::ALL).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = server.last_endpoint().unwrap();

    let client = ctx.socket(SocketType::Req).unwrap();
    let mut client_mon = client.monitor(MonitorEvents::ALL).unwrap();
    client.connect(&endpoint).unwrap();
    client.send("hi").unwrap();
    assert_eq!(server.recv_string().unwrap(), "hi");

    let client_events = collect_until(&mut client_mon, |e| *e == Event::HandshakeSucceeded);
    let names: Vec<_> = client_events
        .iter()
        .map(kind)
        .filter(|k| *k != "CONNECT_DELAYED")
        .collect();
    assert_eq!(names, ["CONNECTED", "HANDSHAKE_SUCCEEDED"]);

    drop(client);
    let server_events = collect_until(&mut server_mon, |e| matches!(e, Event::Disconnected { .. }));
    server.unbind(&endpoint).unwrap();
    let mut all = server_events;
    all.extend(collect_until(&mut server_mon, |e| {
        matches!(e, Event::Closed { .. })
    }));
    let names: Vec<_> = all.iter().map(kind).collect();
    assert_eq!(
        names,
        [
            "LISTENING",
            "ACCEPTED",
            "HANDSHAKE_SUCCEEDED",
            "DISCONNECTED",
            "CLOSED"
        ],
        "{all:?}"
    );
}

fn set_opt(socket: &Socket, option: i32, value: &[u8]) {
    // SAFETY: live socket; libzmq reads exactly value.len() bytes.
    let rc = unsafe {
        zmq::sys::zmq_setsockopt(socket.as_raw(), option, value.as_ptr().cast(), value.len())
    };
    assert_eq!(rc, 0, "setsockopt {option}");
}

fn keypair() -> ([u8; 41], [u8; 41]) {
    let (mut public, mut secret) = ([0u8; 41], [0u8; 41]);
    // SAFETY: both buffers hold 41 bytes (40 Z85 characters and a NUL).
    let rc = unsafe {
        zmq::sys::zmq_curve_keypair(
            public.as_mut_ptr() as *mut c_char,
            secret.as_mut_ptr() as *mut c_char,
        )
    };
    assert_eq!(rc, 0);
    (public, secret)
}

/// A CURVE server whose ZAP handler (a REP on inproc://zeromq.zap.01 in the
/// same context) answers every request with `status`.
fn curve_server(
    ctx: &Context,
    status: &'static str,
) -> (Socket, [u8; 41], std::thread::JoinHandle<()>) {
    let zap = ctx.socket(SocketType::Rep).unwrap();
    zap.bind("inproc://zeromq.zap.01").unwrap();
    zap.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
    let handler = std::thread::spawn(move || {
        if let Ok(request) = zap.recv_multipart() {
            let id = request[1].to_vec();
            zap.send_multipart([&b"1.0"[..], &id, status.as_bytes(), b"", b"", b""])
                .unwrap();
        }
    });
    let (public, secret) = keypair();
    let server = ctx.socket(SocketType::Rep).unwrap();
    set_opt(&server, zmq::sys::ZMQ_CURVE_SERVER, &1i32.to_ne_bytes());
    set_opt(&server, zmq::sys::ZMQ_CURVE_SECRETKEY, &secret[..40]);
    (server, public, handler)
}

#[test]
fn curve_refused_by_zap_reports_handshake_failed_auth() {
    let ctx = Context::new();
    let (server, server_public, handler) = curve_server(&ctx, "400");
    let mut mon = server
        .monitor(MonitorEvents::HANDSHAKE_FAILED_AUTH | MonitorEvents::HANDSHAKE_SUCCEEDED)
        .unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();

    let client = ctx.socket(SocketType::Req).unwrap();
    let (public, secret) = keypair();
    set_opt(&client, zmq::sys::ZMQ_CURVE_SERVERKEY, &server_public[..40]);
    set_opt(&client, zmq::sys::ZMQ_CURVE_PUBLICKEY, &public[..40]);
    set_opt(&client, zmq::sys::ZMQ_CURVE_SECRETKEY, &secret[..40]);
    client.connect(&server.last_endpoint().unwrap()).unwrap();
    client.send("let me in").unwrap();

    let event = mon
        .recv_timeout(Duration::from_secs(5))
        .unwrap()
        .expect("no event");
    assert_eq!(event.event, Event::HandshakeFailedAuth { status: 400 });
    assert!(event.endpoint.starts_with("tcp://127.0.0.1:"));
    server
        .set_rcvtimeo(Some(Duration::from_millis(200)))
        .unwrap();
    assert!(
        server.recv_msg().is_err(),
        "a refused client got a message through"
    );
    handler.join().unwrap();
}

#[test]
fn null_client_against_curve_server_is_a_mechanism_mismatch() {
    let ctx = Context::new();
    let (server, _, _handler) = curve_server(&ctx, "200");
    let mut mon = server
        .monitor(MonitorEvents::HANDSHAKE_FAILED_PROTOCOL)
        .unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let client = ctx.socket(SocketType::Req).unwrap();
    client.connect(&server.last_endpoint().unwrap()).unwrap();
    client.send("plain text").unwrap();
    let event = mon
        .recv_timeout(Duration::from_secs(5))
        .unwrap()
        .expect("no event");
    assert_eq!(
        event.event,
        Event::HandshakeFailedProtocol(ProtocolError::ZmtpMechanismMismatch)
    );
    drop(client);
    drop(server);
    // Unblock the ZAP handler thread, which got no request.
    ctx.shutdown().unwrap();
}

#[cfg(feature = "draft")]
#[test]
fn versioned_monitor_names_both_endpoints_and_pipe_stats() {
    let ctx = Context::new();
    let server = ctx.socket(SocketType::Pull).unwrap();
    let mut mon = server
        .monitor_v2(MonitorEvents::ALL | MonitorEvents::PIPES_STATS)
        .unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let client = ctx.socket(SocketType::Push).unwrap();
    client.connect(&server.last_endpoint().unwrap()).unwrap();
    client.send("x").unwrap();
    server.recv_msg().unwrap();
    let mut accepted = None;
    while accepted.is_none() {
        let e = mon
            .recv_timeout(Duration::from_secs(5))
            .unwrap()
            .expect("no event");
        if matches!(e.event, Event::Accepted { .. }) {
            accepted = Some(e);
        }
    }
    let accepted = accepted.unwrap();
    assert_eq!(accepted.endpoint, server.last_endpoint().unwrap());
    let remote = accepted.remote_endpoint.unwrap();
    assert!(
        remote.starts_with("tcp://127.0.0.1:") && remote != accepted.endpoint,
        "{remote}"
    );

    server.monitor_pipes_stats().unwrap();
    // The statistics come back to the socket as commands, which libzmq
    // processes only when the socket is used: keep asking for its events.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        server.events().unwrap();
        if let Some(e) = mon.recv_timeout(Duration::from_millis(10)).unwrap() {
            if let Event::PipesStats { .. } = e.event {
                break;
            }
        }
        assert!(std::time::Instant::now() < deadline, "no PIPES_STATS event");
    }
}
