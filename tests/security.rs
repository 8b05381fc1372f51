//! Security against real sockets over tcp: CURVE and PLAIN with the ZAP
//! authenticator, IP rules, MAXMSGSIZE, certificates, and the hardening of
//! issue 12 (fail closed, no secret in errors, key files, domains). The same
//! against pyzmq and czmq peers is in the interop suite (tests/interop).
//!
//! Every refusal is proven by the event that shows it (the server's monitor
//! reporting `HandshakeFailedAuth` or a protocol error), never by "nothing
//! arrived in time": see [`assert_refused`].

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use zmq::auth::{Authenticator, IpRule};
use zmq::{Certificate, Context, Event, Monitor, MonitorEvents, Socket, SocketType};

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

/// Monitors `server` (configured, not yet bound), binds it to `endpoint`
/// and gives back the monitor and the endpoint to connect to (on loopback).
fn listen(server: &Socket, endpoint: &str) -> (Monitor, String) {
    let mon = server.monitor(MonitorEvents::ALL).unwrap();
    server.bind(endpoint).unwrap();
    let port = server.last_endpoint().unwrap();
    let port = port.rsplit(':').next().unwrap();
    (mon, format!("tcp://127.0.0.1:{port}"))
}

fn req_client(ctx: &Context, endpoint: &str, configure: impl FnOnce(&Socket)) -> Socket {
    let client = ctx.socket(SocketType::Req).unwrap();
    configure(&client);
    client.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
    // A refused client's request can never be delivered: don't let it hold
    // up the context's termination (the term timeout) at the end of a test.
    client.set_linger(Some(Duration::ZERO)).unwrap();
    client.connect(endpoint).unwrap();
    client
}

/// The ZAP handler refused the client.
fn by_zap(e: &Event) -> bool {
    matches!(e, Event::HandshakeFailedAuth { status: 400 })
}

/// The handshake failed before authentication (keys, mechanisms).
fn by_protocol(e: &Event) -> bool {
    matches!(
        e,
        Event::HandshakeFailedProtocol(_) | Event::HandshakeFailedNoDetail { .. }
    )
}

/// Sends "hello" from `client`, waits for the server's monitor to report the
/// refusal (`proof`), then checks that the server holds nothing. A handshake
/// that succeeds on the way fails the test at once.
fn assert_refused(
    mon: &mut Monitor,
    server: &Socket,
    client: &Socket,
    proof: impl Fn(&Event) -> bool,
) {
    client.send("hello").unwrap();
    loop {
        let e = mon
            .recv_timeout(Duration::from_secs(5))
            .unwrap()
            .expect("no refusal event within 5 s");
        assert_ne!(
            e.event,
            Event::HandshakeSucceeded,
            "a client meant to be refused completed its handshake"
        );
        if proof(&e.event) {
            break;
        }
    }
    let got = server.try_recv_msg();
    assert!(
        matches!(got, Ok(None)),
        "a refused client got through: {got:?}"
    );
}

/// Sends "hello" from `client` and asserts that the server gets it.
fn assert_admitted(server: &Socket, client: &Socket) {
    client.send("hello").unwrap();
    server.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
    assert_eq!(server.recv_string().unwrap(), "hello");
    server.send("ok").unwrap();
    assert_eq!(client.recv_string().unwrap(), "ok");
}

/// Closes a refused client at once, so that it does not retry (and get in)
/// once the rules change.
fn discard(client: Socket) {
    client.set_linger(Some(Duration::ZERO)).unwrap();
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

/// Runs `f` on another thread and fails if it has not returned in `secs`.
fn within<T: Send + 'static>(secs: u64, what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(secs))
        .unwrap_or_else(|_| panic!("{what} did not end within {secs} s"))
}

#[test]
fn curve_with_allowed_key_talks_and_server_sees_user_id() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    let server_cert = Certificate::generate().unwrap();
    let client_cert = Certificate::generate().unwrap();
    auth.configure_curve_keys("*", [client_cert.public_key()]);
    let server = ctx.socket(SocketType::Rep).unwrap();
    server_cert.apply_server(&server).unwrap();
    auth.guard(&server).unwrap();
    let (_mon, endpoint) = listen(&server, "tcp://127.0.0.1:*");
    let client = req_client(&ctx, &endpoint, |c| {
        client_cert
            .apply_client(c, server_cert.public_key())
            .unwrap()
    });
    client.send("hello").unwrap();
    server.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
    let msg = server.recv_msg().unwrap();
    assert_eq!(&msg[..], b"hello");
    assert_eq!(
        msg.gets("User-Id"),
        Some(client_cert.public_key().to_z85().as_str())
    );
    server.send("world").unwrap();
    assert_eq!(client.recv_string().unwrap(), "world");
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
    assert_refused(&mut mon, &server, &client, by_zap);
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
    assert_refused(&mut mon, &server, &client, by_protocol);
}

#[test]
fn null_and_plain_clients_against_a_curve_server_get_nothing_through() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.configure_curve_any("*");
    let server_cert = Certificate::generate().unwrap();
    let server = curve_server(&ctx, &server_cert);
    let mut mon = server.monitor(MonitorEvents::ALL).unwrap();
    let endpoint = server.last_endpoint().unwrap();
    let mismatch =
        |e: &Event| *e == Event::HandshakeFailedProtocol(zmq::ProtocolError::ZmtpMechanismMismatch);

    let null_client = req_client(&ctx, &endpoint, |_| {});
    assert_refused(&mut mon, &server, &null_client, mismatch);

    let plain_client = req_client(&ctx, &endpoint, |c| {
        c.set_plain_username("admin").unwrap();
        c.set_plain_password("secret").unwrap();
    });
    assert_refused(&mut mon, &server, &plain_client, mismatch);
}

/// A PLAIN REP server in the ZAP domain `domain` (none if empty), listening
/// on loopback.
fn plain_server(ctx: &Context, domain: &str) -> (Socket, Monitor, String) {
    let server = ctx.socket(SocketType::Rep).unwrap();
    server.set_plain_server(true).unwrap();
    if !domain.is_empty() {
        server.set_zap_domain(domain).unwrap();
    }
    let (mon, endpoint) = listen(&server, "tcp://127.0.0.1:*");
    (server, mon, endpoint)
}

fn plain_client(ctx: &Context, endpoint: &str, password: &str) -> Socket {
    req_client(ctx, endpoint, |c| {
        c.set_plain_username("admin").unwrap();
        c.set_plain_password(password).unwrap();
    })
}

fn users(password: &str) -> HashMap<String, String> {
    let mut users = HashMap::new();
    users.insert("admin".to_owned(), password.to_owned());
    users
}

#[test]
fn plain_password_checked_per_domain_and_from_a_file() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    let dir = temp_dir("passwords");
    let file = dir.join("passwords");
    std::fs::write(&file, "# users\nadmin=secret\nguest = guest\n").unwrap();
    auth.configure_plain_file("global", &file).unwrap();
    let (server, mut mon, endpoint) = plain_server(&ctx, "global");

    let good = plain_client(&ctx, &endpoint, "secret");
    good.send("hi").unwrap();
    server.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
    let msg = server.recv_msg().unwrap();
    assert_eq!(msg.gets("User-Id"), Some("admin"));
    server.send("ok").unwrap();
    good.recv_msg().unwrap();
    expect_event(&mut mon, |e| *e == Event::HandshakeSucceeded);

    let bad = plain_client(&ctx, &endpoint, "wrong");
    assert_refused(&mut mon, &server, &bad, by_zap);

    // The same users do not apply to another domain.
    auth.configure_plain("elsewhere", users("other"));
    let bad = plain_client(&ctx, &endpoint, "other");
    assert_refused(&mut mon, &server, &bad, by_zap);
}

#[test]
fn denied_ip_is_refused_even_with_good_credentials() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.configure_plain("global", users("secret"));
    auth.allow("127.0.0.1").unwrap();
    auth.deny("127.0.0.1").unwrap(); // deny wins
    let (server, mut mon, endpoint) = plain_server(&ctx, "global");
    let client = plain_client(&ctx, &endpoint, "secret");
    assert_refused(&mut mon, &server, &client, by_zap);
}

#[test]
fn allow_list_refuses_everyone_else() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.allow("192.0.2.1").unwrap(); // a documentation address: never ours
    let server = ctx.socket(SocketType::Rep).unwrap();
    server.set_zap_domain("x").unwrap(); // NULL security goes through ZAP with a domain
    let (mut mon, endpoint) = listen(&server, "tcp://127.0.0.1:*");
    let client = req_client(&ctx, &endpoint, |_| {});
    assert_refused(&mut mon, &server, &client, by_zap);
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
    client.send(vec![0u8; 1000]).unwrap();
    expect_event(&mut mon, |e| matches!(e, Event::Disconnected { .. }));
    assert!(
        matches!(server.try_recv_msg(), Ok(None)),
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
        Err(ref e)
    if e.kind() == zmq::ErrorKind::InvalidArgument
    ));
    // Only one handler per context.
    assert!(matches!(
        Authenticator::start(&ctx),
        Err(ref e)
    if e.kind() == zmq::ErrorKind::AddrInUse
    ));
    auth.stop();
    let _again = Authenticator::start(&ctx).unwrap();
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
        req.send_multipart(request.iter().copied()).unwrap();
        let reply = req.recv_multipart().unwrap();
        assert_eq!(&reply[2][..], b"500", "{request:?}");
    }
    // The handler survived and still answers well-formed requests.
    req.send_multipart([&b"1.0"[..], b"5", b"d", b"127.0.0.1", b"", b"NULL"])
        .unwrap();
    let reply = req.recv_multipart().unwrap();
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
    let mut mon = server.monitor(MonitorEvents::ALL).unwrap();
    let endpoint = server.last_endpoint().unwrap();
    let late = req_client(&ctx, &endpoint, |c| {
        cert.apply_client(c, server_cert.public_key()).unwrap()
    });
    assert_refused(&mut mon, &server, &late, by_zap);
    discard(late);
    cert.public_only().save(keys_dir.join("client")).unwrap();
    auth.reload().unwrap();
    let admitted = req_client(&ctx, &endpoint, |c| {
        cert.apply_client(c, server_cert.public_key()).unwrap()
    });
    assert_admitted(&server, &admitted);
}

// ---- issue 12, item 1: fail closed -----------------------------------------

/// A CURVE server guarded by `auth`, and the endpoint to reach it.
fn guarded_curve_server(
    ctx: &Context,
    auth: &Authenticator,
    cert: &Certificate,
) -> (Socket, Monitor, String) {
    let server = ctx.socket(SocketType::Rep).unwrap();
    cert.apply_server(&server).unwrap();
    auth.guard(&server).unwrap();
    let (mon, endpoint) = listen(&server, "tcp://127.0.0.1:*");
    (server, mon, endpoint)
}

fn curve_client(ctx: &Context, endpoint: &str, me: &Certificate, server: &Certificate) -> Socket {
    req_client(ctx, endpoint, |c| {
        me.apply_client(c, server.public_key()).unwrap()
    })
}

#[test]
fn a_dropped_authenticator_leaves_its_servers_refusing_everyone() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    let server_cert = Certificate::generate().unwrap();
    let listed = Certificate::generate().unwrap();
    auth.configure_curve_keys("*", [listed.public_key()]);
    let (server, mut mon, endpoint) = guarded_curve_server(&ctx, &auth, &server_cert);
    // An unguarded CURVE server of the same context (no ZAP domain).
    let plain_curve = curve_server(&ctx, &server_cert);
    let mut plain_mon = plain_curve.monitor(MonitorEvents::ALL).unwrap();

    let before = curve_client(&ctx, &endpoint, &listed, &server_cert);
    assert_admitted(&server, &before);
    expect_event(&mut mon, |e| *e == Event::HandshakeSucceeded);

    within(5, "dropping the authenticator", move || drop(auth));
    let after = curve_client(&ctx, &endpoint, &listed, &server_cert);
    assert_refused(&mut mon, &server, &after, by_zap);
    let intruder = Certificate::generate().unwrap();
    let unguarded = curve_client(
        &ctx,
        &plain_curve.last_endpoint().unwrap(),
        &intruder,
        &server_cert,
    );
    assert_refused(&mut plain_mon, &plain_curve, &unguarded, by_zap);
}

#[test]
fn start_and_configure_in_one_statement_leaves_the_server_closed() {
    let ctx = Context::new();
    let server_cert = Certificate::generate().unwrap();
    let listed = Certificate::generate().unwrap();
    // Compiles without a warning (the temporary is used), and the
    // authenticator is dropped at the end of the statement.
    Authenticator::start(&ctx)
        .unwrap()
        .configure_curve_keys("*", [listed.public_key()]);
    let server = curve_server(&ctx, &server_cert);
    let mut mon = server.monitor(MonitorEvents::ALL).unwrap();
    let client = curve_client(
        &ctx,
        &server.last_endpoint().unwrap(),
        &listed,
        &server_cert,
    );
    assert_refused(&mut mon, &server, &client, by_zap);
}

#[test]
fn a_new_authenticator_takes_over_from_a_stopped_one() {
    let ctx = Context::new();
    let server_cert = Certificate::generate().unwrap();
    let client_cert = Certificate::generate().unwrap();
    let first = Authenticator::start(&ctx).unwrap();
    first.configure_curve_any("*");
    first.stop();
    let second = Authenticator::start(&ctx).unwrap();
    second.configure_curve_keys("*", [client_cert.public_key()]);
    let (server, _mon, endpoint) = guarded_curve_server(&ctx, &second, &server_cert);
    let client = curve_client(&ctx, &endpoint, &client_cert, &server_cert);
    assert_admitted(&server, &client);
}

#[test]
fn the_context_terminates_with_a_stopped_authenticator_in_bounded_time() {
    within(
        10,
        "terminating a context whose authenticator stopped",
        || {
            for _ in 0..3 {
                let ctx = Context::new();
                let auth = Authenticator::start(&ctx).unwrap();
                let server_cert = Certificate::generate().unwrap();
                let (server, _mon, endpoint) = guarded_curve_server(&ctx, &auth, &server_cert);
                drop(auth);
                let client = curve_client(&ctx, &endpoint, &server_cert, &server_cert);
                drop((client, server, _mon));
                // The last handle: zmq_ctx_term must not wait for the handler.
                drop(ctx);
            }
        },
    );
}

#[test]
fn guard_sets_a_domain_and_enforces_it_and_must_come_before_bind() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    let server = ctx.socket(SocketType::Rep).unwrap();
    auth.guard(&server).unwrap();
    assert_eq!(server.zap_domain().unwrap(), zmq::auth::ANY_DOMAIN);
    let mut enforce = 0i32;
    let mut len = std::mem::size_of::<i32>();
    // SAFETY: a live socket and a 4-byte buffer for an int option.
    let rc = unsafe {
        zmq::sys::zmq_getsockopt(
            server.as_raw(),
            93, // ZMQ_ZAP_ENFORCE_DOMAIN
            (&mut enforce as *mut i32).cast(),
            &mut len,
        )
    };
    assert_eq!((rc, enforce), (0, 1));

    let named = ctx.socket(SocketType::Rep).unwrap();
    named.set_zap_domain("mine").unwrap();
    auth.guard(&named).unwrap();
    assert_eq!(named.zap_domain().unwrap(), "mine");

    // libzmq copies the options at bind: a later guard would do nothing.
    let bound = ctx.socket(SocketType::Rep).unwrap();
    bound.bind("tcp://127.0.0.1:*").unwrap();
    assert!(matches!(auth.guard(&bound), Err(ref e) if e.kind() == zmq::ErrorKind::InvalidState));
}

/// What ZMQ_ZAP_ENFORCE_DOMAIN (set by `guard`) adds: with no ZAP handler
/// bound at all, libzmq itself refuses CURVE clients, where it lets them in
/// without it.
#[test]
fn an_enforced_domain_refuses_clients_when_no_handler_is_bound() {
    let ctx = Context::new(); // no authenticator in this context
    let server_cert = Certificate::generate().unwrap();
    let client_cert = Certificate::generate().unwrap();
    let server = ctx.socket(SocketType::Rep).unwrap();
    server_cert.apply_server(&server).unwrap();
    server.set_zap_domain("d").unwrap();
    let one = 1i32;
    // SAFETY: a live socket and a 4-byte int option.
    let rc =
        unsafe { zmq::sys::zmq_setsockopt(server.as_raw(), 93, (&one as *const i32).cast(), 4) };
    assert_eq!(rc, 0);
    let (mut mon, endpoint) = listen(&server, "tcp://127.0.0.1:*");
    let client = curve_client(&ctx, &endpoint, &client_cert, &server_cert);
    assert_refused(&mut mon, &server, &client, |e| {
        *e == Event::HandshakeFailedNoDetail {
            errno: libc::EFAULT,
        }
    });
}

// ---- item 2: IP rules --------------------------------------------------------

/// A NULL server guarded by `auth` (so its clients are checked), on `endpoint`.
fn guarded_null_server(
    ctx: &Context,
    auth: &Authenticator,
    endpoint: &str,
    ipv6: bool,
) -> (Socket, Monitor, String) {
    let server = ctx.socket(SocketType::Rep).unwrap();
    server.set_ipv6(ipv6).unwrap();
    auth.guard(&server).unwrap();
    let (mon, endpoint) = listen(&server, endpoint);
    (server, mon, endpoint)
}

#[test]
fn deny_of_an_ipv4_address_holds_on_a_dual_stack_listener() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.deny("127.0.0.1").unwrap();
    // ZAP reports the IPv4 client of an IPv6 listener as ::ffff:127.0.0.1.
    let (server, mut mon, endpoint) = guarded_null_server(&ctx, &auth, "tcp://*:*", true);
    let client = req_client(&ctx, &endpoint, |_| {});
    assert_refused(&mut mon, &server, &client, by_zap);
}

#[test]
fn cidr_ranges_deny_and_allow() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.deny("127.0.0.0/8").unwrap();
    let (server, mut mon, endpoint) = guarded_null_server(&ctx, &auth, "tcp://*:*", true);
    let client = req_client(&ctx, &endpoint, |_| {});
    assert_refused(&mut mon, &server, &client, by_zap);
    drop((client, server, mon, auth));

    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.allow("10.0.0.0/8").unwrap();
    auth.allow("fd00::/8").unwrap();
    let (server, mut mon, endpoint) = guarded_null_server(&ctx, &auth, "tcp://127.0.0.1:*", false);
    let client = req_client(&ctx, &endpoint, |_| {});
    assert_refused(&mut mon, &server, &client, by_zap);
    discard(client);
    auth.allow("::ffff:127.0.0.0/104").unwrap(); // 127.0.0.0/8, written mapped
    let client = req_client(&ctx, &endpoint, |_| {});
    assert_admitted(&server, &client);
}

#[test]
fn malformed_ip_rules_are_errors_and_change_nothing() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    for bad in [
        "300.1.1.1",
        "10.0.0.0/33",
        "10.0.0.1/8",
        "fd00::/129",
        "host",
        "",
    ] {
        assert!(
            matches!(auth.allow(bad), Err(ref e) if e.kind() == zmq::ErrorKind::InvalidArgument),
            "{bad:?}"
        );
        assert!(auth.deny(bad).is_err(), "{bad:?}");
        assert!(bad.parse::<IpRule>().is_err(), "{bad:?}");
    }
    // No allow list came into being: loopback is still admitted.
    let (server, _mon, endpoint) = guarded_null_server(&ctx, &auth, "tcp://127.0.0.1:*", false);
    let client = req_client(&ctx, &endpoint, |_| {});
    assert_admitted(&server, &client);
}

// ---- item 3: no secret in errors ---------------------------------------------

#[test]
fn nul_byte_errors_never_show_the_argument() {
    let ctx = Context::new();
    let socket = ctx.socket(SocketType::Req).unwrap();
    let secret = "hunter2-do-not-print";
    let refusals = [
        (
            socket.set_plain_password(&format!("{secret}\0")),
            "ZMQ_PLAIN_PASSWORD",
        ),
        (
            socket.set_plain_username(&format!("{secret}\0")),
            "ZMQ_PLAIN_USERNAME",
        ),
        (
            socket.connect(&format!("tcp://{secret}\0@127.0.0.1:1")),
            "endpoint",
        ),
        (socket.bind(&format!("ipc:///tmp/{secret}\0")), "endpoint"),
    ];
    for (result, names) in refusals {
        let err = result.unwrap_err();
        let mut shown = format!("{err} {err:?}");
        shown.push_str(&format!(" {:?}", std::io::Error::from(err)));
        assert!(
            !shown.contains("hunter2"),
            "the error shows the secret: {shown}"
        );
        assert!(shown.contains(names), "{shown}");
    }
    // The socket is still usable after the refusals.
    socket.set_plain_password("fine").unwrap();
}

#[test]
fn debug_output_never_shows_secrets() {
    let cert = Certificate::generate().unwrap();
    let secret_z85 = cert.secret_key().unwrap().to_z85();
    assert!(!format!("{cert:?}").contains(&secret_z85));
    let text = cert.to_secret_text().unwrap();
    assert!(text.contains(&secret_z85)); // the text itself, of course, has it
    assert!(!format!("{text:?}").contains(&secret_z85));
    let frames: [&[u8]; 8] = [
        b"1.0",
        b"1",
        b"d",
        b"127.0.0.1",
        b"",
        b"PLAIN",
        b"admin",
        b"hunter2",
    ];
    let request = zmq::auth::ZapRequest::parse(&frames).unwrap();
    assert!(!format!("{request:?}").contains("hunter2"));
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.configure_plain("*", users("hunter2"));
    assert!(!format!("{auth:?}").contains("hunter2"));
}

// ---- item 5: key files -------------------------------------------------------

#[cfg(unix)]
fn mkfifo(path: &std::path::Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

#[cfg(unix)]
#[test]
fn save_secret_replaces_a_planted_symlink_instead_of_following_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("planted-link");
    let victim = dir.join("victim");
    std::fs::write(&victim, "precious").unwrap();
    let path = dir.join("server.key_secret");
    std::os::unix::fs::symlink(&victim, &path).unwrap();
    let cert = Certificate::generate().unwrap();
    cert.save_secret(&path).unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    let meta = std::fs::symlink_metadata(&path).unwrap();
    assert!(meta.file_type().is_file(), "the link is still there");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert_eq!(Certificate::load(&path).unwrap(), cert);
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[cfg(unix)]
#[test]
fn save_secret_never_rewrites_a_file_in_place() {
    use std::io::Read;
    let dir = temp_dir("in-place");
    let path = dir.join("server.key_secret");
    let old = Certificate::generate().unwrap();
    old.save_secret(&path).unwrap();
    // A reader that opened the file earlier ...
    let mut reader = std::fs::File::open(&path).unwrap();
    Certificate::generate().unwrap().save_secret(&path).unwrap();
    // ... reads the old file, whole, not the new secret.
    let mut text = String::new();
    reader.read_to_string(&mut text).unwrap();
    assert_eq!(Certificate::parse(&text).unwrap(), old);
}

#[cfg(unix)]
#[test]
fn load_refuses_links_fifos_devices_and_huge_files_without_blocking() {
    let dir = temp_dir("hostile-files");
    let zero = dir.join("zero.key");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let fifo = dir.join("fifo.key");
    mkfifo(&fifo);
    let huge = dir.join("huge.key");
    let cert = Certificate::generate().unwrap();
    let mut padded = "#\n".repeat(40_000);
    padded.push_str(&cert.to_public_text());
    std::fs::write(&huge, padded).unwrap();
    let real = dir.join("real");
    cert.save_public(&real).unwrap();
    let linked = dir.join("linked.key");
    std::os::unix::fs::symlink(&real, &linked).unwrap();

    let started = Instant::now();
    let outcomes = within(5, "loading hostile files", move || {
        let kind = |p: &std::path::Path| match Certificate::load(p) {
            Err(e) if e.kind() == zmq::ErrorKind::Io => {
                let io = std::error::Error::source(&e)
                    .and_then(|s| s.downcast_ref::<std::io::Error>())
                    .unwrap();
                Some((io.kind(), io.to_string()))
            }
            other => panic!("{} was not refused: {other:?}", p.display()),
        };
        (
            kind(&zero),
            kind(&fifo),
            kind(std::path::Path::new("/dev/zero")),
            kind(&huge),
            kind(&linked),
            Certificate::load_dir(&dir).is_err(),
        )
    });
    let (zero, fifo, device, huge, linked, dir_refused) = outcomes;
    use std::io::ErrorKind::{FileTooLarge, InvalidInput};
    assert!(
        matches!(zero, Some((InvalidInput, ref m)) if m.contains("symbolic link")),
        "{zero:?}"
    );
    assert!(
        matches!(fifo, Some((InvalidInput, ref m)) if m.contains("not a regular file")),
        "{fifo:?}"
    );
    assert!(matches!(device, Some((InvalidInput, _))), "{device:?}");
    assert!(matches!(huge, Some((FileTooLarge, _))), "{huge:?}");
    assert!(matches!(linked, Some((InvalidInput, _))), "{linked:?}");
    assert!(dir_refused);
    assert!(started.elapsed() < Duration::from_secs(5));
    // The file itself loads.
    assert_eq!(Certificate::load(&real).unwrap(), cert.public_only());
}

#[cfg(unix)]
#[test]
fn password_files_are_read_as_carefully_as_certificates() {
    let dir = temp_dir("password-fifo");
    let fifo = dir.join("passwords");
    mkfifo(&fifo);
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    let refused = within(5, "reading a FIFO as a password file", move || {
        let r = auth
            .configure_plain_file("*", &fifo)
            .map_err(|e| e.to_string());
        drop(auth);
        r
    });
    assert!(refused.unwrap_err().contains("not a regular file"));
}

// ---- item 6: domains -----------------------------------------------------------

#[test]
fn a_named_domain_that_was_never_configured_is_refused() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.configure_plain(zmq::auth::ANY_DOMAIN, users("secret"));
    let (server, mut mon, endpoint) = plain_server(&ctx, "never-configured");
    let client = plain_client(&ctx, &endpoint, "secret");
    assert_refused(&mut mon, &server, &client, by_zap);
    // The empty domain is "*".
    let (server, _mon, endpoint) = plain_server(&ctx, "");
    let client = plain_client(&ctx, &endpoint, "secret");
    assert_admitted(&server, &client);
}

#[test]
fn ip_rules_reach_null_sockets_only_with_a_domain_which_guard_gives() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.deny("127.0.0.1").unwrap();
    // Without a ZAP domain libzmq never asks about NULL clients (documented).
    let open = ctx.socket(SocketType::Rep).unwrap();
    let (_open_mon, endpoint) = listen(&open, "tcp://127.0.0.1:*");
    let client = req_client(&ctx, &endpoint, |_| {});
    assert_admitted(&open, &client);
    // Guarded, it gets the domain "*" and the rules.
    let (server, mut mon, endpoint) = guarded_null_server(&ctx, &auth, "tcp://127.0.0.1:*", false);
    let client = req_client(&ctx, &endpoint, |_| {});
    assert_refused(&mut mon, &server, &client, by_zap);
}

// ---- item 7: the refusal helper itself -----------------------------------------

/// `assert_refused` must not pass when the client is let in late: a ZAP
/// handler of the test's own admits everyone after 700 ms, longer than the
/// 500 ms the old helper waited.
#[test]
fn assert_refused_fails_for_a_client_admitted_late() {
    let ctx = Context::new();
    let zap = ctx.socket(SocketType::Rep).unwrap();
    zap.bind(zmq::auth::ZAP_ENDPOINT).unwrap();
    let handler = std::thread::spawn(move || {
        let request = zap.recv_multipart().unwrap();
        std::thread::sleep(Duration::from_millis(700));
        zap.send_multipart([&b"1.0"[..], &request[1], b"200", b"OK", b"", b""])
            .unwrap();
        zap
    });
    let server = ctx.socket(SocketType::Rep).unwrap();
    server.set_zap_domain("x").unwrap();
    let (mut mon, endpoint) = listen(&server, "tcp://127.0.0.1:*");
    let client = req_client(&ctx, &endpoint, |_| {});
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert_refused(&mut mon, &server, &client, by_zap)
    }));
    assert!(
        outcome.is_err(),
        "assert_refused passed for an admitted client"
    );
    server.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
    assert_eq!(server.recv_string().unwrap(), "hello");
    drop(handler.join().unwrap());
}

// ---- issue 11, item 5: the handler thread neither dies nor hangs stop ----------

/// Sends a no-op signal to every thread of this process named `zmq-auth`.
#[cfg(target_os = "linux")]
fn signal_auth_threads() -> usize {
    extern "C" fn ignore(_: libc::c_int) {}
    // SAFETY: installs a handler that does nothing, without SA_RESTART so
    // that blocking calls return EINTR.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = ignore as *const () as usize;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut());
    }
    let mut hit = 0;
    for task in std::fs::read_dir("/proc/self/task").unwrap() {
        let task = task.unwrap();
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if comm.trim() == "zmq-auth" {
            let tid: libc::pid_t = task.file_name().to_str().unwrap().parse().unwrap();
            // SAFETY: a signal with a no-op handler to a thread of ours.
            unsafe { libc::syscall(libc::SYS_tgkill, libc::getpid(), tid, libc::SIGUSR1) };
            hit += 1;
        }
    }
    hit
}

#[cfg(target_os = "linux")]
#[test]
fn the_handler_survives_malformed_traffic_and_signals_and_stops_in_bounded_time() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    // Not a ZAP request (no delimiter): an old REP handler blocked on it.
    let dealer = ctx.socket(SocketType::Dealer).unwrap();
    dealer.connect(zmq::auth::ZAP_ENDPOINT).unwrap();
    dealer.send("no delimiter").unwrap();
    let req = ctx.socket(SocketType::Req).unwrap();
    req.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
    req.connect(zmq::auth::ZAP_ENDPOINT).unwrap();
    for round in 0..20u8 {
        std::thread::sleep(Duration::from_millis(5));
        assert!(signal_auth_threads() >= 1);
        let id = [round];
        req.send_multipart([&b"1.0"[..], &id, b"d", b"127.0.0.1", b"", b"NULL"])
            .unwrap();
        let reply = req.recv_multipart().unwrap();
        assert_eq!((&reply[1][..], &reply[2][..]), (&id[..], &b"200"[..]));
    }
    within(5, "stopping the authenticator", move || auth.stop());
    // Stopped, the handler still answers: with refusals.
    req.send_multipart([&b"1.0"[..], b"z", b"d", b"127.0.0.1", b"", b"NULL"])
        .unwrap();
    let reply = req.recv_multipart().unwrap();
    assert_eq!(&reply[2][..], b"400");
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
