//! Security against real sockets over tcp: CURVE and PLAIN with the ZAP
//! authenticator, IP rules, MAXMSGSIZE and certificates. The same against
//! pyzmq and czmq peers is in the interop suite (tests/interop).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use zmq::auth::Authenticator;
use zmq::{Certificate, Context, Event, MonitorEvents, RecvFlags, SendFlags, Socket, SocketType};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zmq-rs-security-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A REP server in `ctx` made CURVE server with `cert`, bound on loopback.
fn curve_server(ctx: &Context, cert: &Certificate) -> Socket {
    let server = ctx.socket(SocketType::Rep).unwrap();
    cert.apply_server(&server).unwrap();
    server
        .set_rcvtimeo(Some(Duration::from_millis(500)))
        .unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    server
}

fn req_client(ctx: &Context, endpoint: &str, configure: impl FnOnce(&Socket)) -> Socket {
    let client = ctx.socket(SocketType::Req).unwrap();
    configure(&client);
    client.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
    client.connect(endpoint).unwrap();
    client
}

/// Sends "hello" and asserts the server never gets it.
fn assert_refused(server: &Socket, client: &Socket) {
    client.send("hello", SendFlags::empty()).unwrap();
    let got = server.recv_msg(RecvFlags::empty());
    assert!(
        matches!(got, Err(zmq::Error::Again)),
        "a refused client got through: {got:?}"
    );
}

fn expect_event(mon: &mut zmq::Monitor, wanted: impl Fn(&Event) -> bool) -> Event {
    loop {
        let e = mon
            .recv_timeout(Duration::from_secs(5))
            .unwrap()
            .expect("expected monitor event never came");
        if wanted(&e.event) {
            return e.event;
        }
    }
}

#[test]
fn curve_with_allowed_key_talks_and_server_sees_user_id() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    let server_cert = Certificate::generate().unwrap();
    let client_cert = Certificate::generate().unwrap();
    auth.configure_curve_keys("*", [client_cert.public_key()]);
    let server = curve_server(&ctx, &server_cert);
    auth.guard(&server).unwrap();
    let client = req_client(&ctx, &server.last_endpoint().unwrap(), |c| {
        client_cert
            .apply_client(c, server_cert.public_key())
            .unwrap()
    });
    client.send("hello", SendFlags::empty()).unwrap();
    server.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
    let msg = server.recv_msg(RecvFlags::empty()).unwrap();
    assert_eq!(&msg[..], b"hello");
    assert_eq!(
        msg.gets("User-Id"),
        Some(client_cert.public_key().to_z85().as_str())
    );
    server.send("world", SendFlags::empty()).unwrap();
    assert_eq!(client.recv_string(RecvFlags::empty()).unwrap(), "world");
}

#[test]
fn unlisted_curve_key_is_refused_with_handshake_failed_auth() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    let server_cert = Certificate::generate().unwrap();
    let listed = Certificate::generate().unwrap();
    auth.configure_curve_keys("*", [listed.public_key()]);
    let server = curve_server(&ctx, &server_cert);
    let mut mon = server.monitor(MonitorEvents::ALL).unwrap();
    let intruder = Certificate::generate().unwrap();
    let client = req_client(&ctx, &server.last_endpoint().unwrap(), |c| {
        intruder.apply_client(c, server_cert.public_key()).unwrap()
    });
    assert_refused(&server, &client);
    let e = expect_event(&mut mon, |e| matches!(e, Event::HandshakeFailedAuth { .. }));
    assert_eq!(e, Event::HandshakeFailedAuth { status: 400 });
}

#[test]
fn wrong_server_key_gets_nothing_through() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.configure_curve_any("*");
    let server_cert = Certificate::generate().unwrap();
    let server = curve_server(&ctx, &server_cert);
    let mut mon = server.monitor(MonitorEvents::ALL).unwrap();
    let other_server = Certificate::generate().unwrap();
    let client_cert = Certificate::generate().unwrap();
    let client = req_client(&ctx, &server.last_endpoint().unwrap(), |c| {
        client_cert
            .apply_client(c, other_server.public_key())
            .unwrap()
    });
    assert_refused(&server, &client);
    expect_event(&mut mon, |e| {
        matches!(
            e,
            Event::HandshakeFailedProtocol(_) | Event::HandshakeFailedNoDetail { .. }
        )
    });
}

#[test]
fn null_and_plain_clients_against_a_curve_server_get_nothing_through() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.configure_curve_any("*");
    let server_cert = Certificate::generate().unwrap();
    let server = curve_server(&ctx, &server_cert);
    let mut mon = server
        .monitor(MonitorEvents::HANDSHAKE_FAILED_PROTOCOL)
        .unwrap();
    let endpoint = server.last_endpoint().unwrap();

    let null_client = req_client(&ctx, &endpoint, |_| {});
    assert_refused(&server, &null_client);
    let e = expect_event(&mut mon, |_| true);
    assert_eq!(
        e,
        Event::HandshakeFailedProtocol(zmq::ProtocolError::ZmtpMechanismMismatch)
    );

    let plain_client = req_client(&ctx, &endpoint, |c| {
        c.set_plain_username("admin").unwrap();
        c.set_plain_password("secret").unwrap();
    });
    assert_refused(&server, &plain_client);
    let e = expect_event(&mut mon, |_| true);
    assert_eq!(
        e,
        Event::HandshakeFailedProtocol(zmq::ProtocolError::ZmtpMechanismMismatch)
    );
}

fn plain_server(ctx: &Context) -> Socket {
    let server = ctx.socket(SocketType::Rep).unwrap();
    server.set_plain_server(true).unwrap();
    server.set_zap_domain("global").unwrap();
    server
        .set_rcvtimeo(Some(Duration::from_millis(500)))
        .unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    server
}

fn plain_client(ctx: &Context, endpoint: &str, password: &str) -> Socket {
    req_client(ctx, endpoint, |c| {
        c.set_plain_username("admin").unwrap();
        c.set_plain_password(password).unwrap();
    })
}

#[test]
fn plain_password_checked_per_domain_and_from_a_file() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    let dir = temp_dir("passwords");
    let file = dir.join("passwords");
    std::fs::write(&file, "# users\nadmin=secret\nguest = guest\n").unwrap();
    auth.configure_plain_file("global", &file).unwrap();
    let server = plain_server(&ctx);
    let endpoint = server.last_endpoint().unwrap();

    let good = plain_client(&ctx, &endpoint, "secret");
    good.send("hi", SendFlags::empty()).unwrap();
    server.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
    let msg = server.recv_msg(RecvFlags::empty()).unwrap();
    assert_eq!(msg.gets("User-Id"), Some("admin"));
    server.send("ok", SendFlags::empty()).unwrap();
    good.recv_msg(RecvFlags::empty()).unwrap();

    server
        .set_rcvtimeo(Some(Duration::from_millis(500)))
        .unwrap();
    let bad = plain_client(&ctx, &endpoint, "wrong");
    assert_refused(&server, &bad);

    // The same users do not apply to another domain.
    let mut other = HashMap::new();
    other.insert("admin".to_owned(), "other".to_owned());
    auth.configure_plain("elsewhere", other);
    let bad = plain_client(&ctx, &endpoint, "other");
    assert_refused(&server, &bad);
}

#[test]
fn denied_ip_is_refused_even_with_good_credentials() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    let mut users = HashMap::new();
    users.insert("admin".to_owned(), "secret".to_owned());
    auth.configure_plain("*", users);
    auth.allow("127.0.0.1");
    auth.deny("127.0.0.1"); // deny wins
    let server = plain_server(&ctx);
    let client = plain_client(&ctx, &server.last_endpoint().unwrap(), "secret");
    assert_refused(&server, &client);
}

#[test]
fn allow_list_refuses_everyone_else() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.allow("192.0.2.1"); // a documentation address: never ours
    let server = ctx.socket(SocketType::Rep).unwrap();
    server.set_zap_domain("x").unwrap(); // NULL security goes through ZAP with a domain
    server
        .set_rcvtimeo(Some(Duration::from_millis(500)))
        .unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let client = req_client(&ctx, &server.last_endpoint().unwrap(), |_| {});
    assert_refused(&server, &client);
}

#[test]
fn oversized_message_disconnects_the_peer_and_is_not_delivered() {
    let ctx = Context::new();
    let server = ctx.socket(SocketType::Pull).unwrap();
    server.set_maxmsgsize(100).unwrap();
    server
        .set_rcvtimeo(Some(Duration::from_millis(500)))
        .unwrap();
    let mut mon = server.monitor(MonitorEvents::ALL).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let client = ctx.socket(SocketType::Push).unwrap();
    client.connect(&server.last_endpoint().unwrap()).unwrap();
    client.send(vec![0u8; 1000], SendFlags::empty()).unwrap();
    expect_event(&mut mon, |e| matches!(e, Event::Disconnected { .. }));
    assert!(
        server.recv_msg(RecvFlags::empty()).is_err(),
        "the oversized message was delivered"
    );
}

#[test]
fn guard_detects_a_socket_of_another_context() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    let other = Context::new();
    let socket = other.socket(SocketType::Rep).unwrap();
    assert!(matches!(
        auth.guard(&socket),
        Err(zmq::Error::InvalidArgument)
    ));
    // Only one handler per context.
    assert!(matches!(
        Authenticator::start(&ctx),
        Err(zmq::Error::AddrInUse)
    ));
    auth.stop();
    Authenticator::start(&ctx).unwrap();
}

#[test]
fn malformed_zap_requests_are_answered_500() {
    let ctx = Context::new();
    let _auth = Authenticator::start(&ctx).unwrap();
    let req = ctx.socket(SocketType::Req).unwrap();
    req.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
    req.connect(zmq::auth::ZAP_ENDPOINT).unwrap();
    for request in [
        vec![&b"1.0"[..], b"1"],
        vec![b"9.9", b"2", b"d", b"127.0.0.1", b"", b"NULL"],
        vec![
            b"1.0",
            b"3",
            b"d",
            b"127.0.0.1",
            b"",
            b"CURVE",
            b"short-key",
        ],
        vec![b"1.0", b"4", b"d", b"127.0.0.1", b"", b"BOGUS"],
    ] {
        req.send_multipart(request.iter().copied(), SendFlags::empty())
            .unwrap();
        let reply = req.recv_multipart(RecvFlags::empty()).unwrap();
        assert_eq!(&reply[2][..], b"500", "{request:?}");
    }
    // The handler survived and still answers well-formed requests.
    req.send_multipart(
        [&b"1.0"[..], b"5", b"d", b"127.0.0.1", b"", b"NULL"],
        SendFlags::empty(),
    )
    .unwrap();
    let reply = req.recv_multipart(RecvFlags::empty()).unwrap();
    assert_eq!((&reply[1][..], &reply[2][..]), (&b"5"[..], &b"200"[..]));
}

#[test]
fn certificates_save_load_and_reload_from_a_directory() {
    let dir = temp_dir("certs");
    let mut cert = Certificate::generate().unwrap();
    cert.set_meta("name", "client one").unwrap();
    let (public_path, secret_path) = cert.save(dir.join("client")).unwrap();
    let secret_path = secret_path.unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret_path)
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
    assert_eq!(Certificate::load(&secret_path).unwrap(), cert);
    assert_eq!(Certificate::load(&public_path).unwrap(), cert.public_only());
    assert_eq!(
        Certificate::load(&public_path).unwrap().meta("name"),
        Some("client one")
    );

    // The authenticator takes the keys of a directory, and reloads it.
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    let keys_dir = temp_dir("keys");
    auth.configure_curve_directory("*", &keys_dir).unwrap();
    let server_cert = Certificate::generate().unwrap();
    let server = curve_server(&ctx, &server_cert);
    let endpoint = server.last_endpoint().unwrap();
    let late = req_client(&ctx, &endpoint, |c| {
        cert.apply_client(c, server_cert.public_key()).unwrap()
    });
    assert_refused(&server, &late);
    cert.public_only().save(keys_dir.join("client")).unwrap();
    auth.reload().unwrap();
    let admitted = req_client(&ctx, &endpoint, |c| {
        cert.apply_client(c, server_cert.public_key()).unwrap()
    });
    admitted.send("now", SendFlags::empty()).unwrap();
    server.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
    assert_eq!(server.recv_string(RecvFlags::empty()).unwrap(), "now");
}

#[test]
fn z85_matches_libzmq() {
    let data: Vec<u8> = (0..=255u8).collect();
    let ours = zmq::z85::encode(&data).unwrap();
    let mut c_out = vec![0u8; data.len() / 4 * 5 + 1];
    // SAFETY: the destination holds len*5/4 characters plus a NUL.
    let p =
        unsafe { zmq::sys::zmq_z85_encode(c_out.as_mut_ptr().cast(), data.as_ptr(), data.len()) };
    assert!(!p.is_null());
    assert_eq!(ours.as_bytes(), &c_out[..c_out.len() - 1]);
    assert_eq!(zmq::z85::decode(&ours).unwrap(), data);
    assert!(zmq::z85::encode(&data[..5]).is_err());
    assert!(zmq::z85::decode(&ours[..7]).is_err());
}
