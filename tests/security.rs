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

mod raw_zmtp;
#[path = "common/runner.rs"]
mod runner;

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
    #[cfg(unix)]
    chmod(&file, 0o600); // a password file must be private (issue 24)
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

// ---- issue 24: hardening IV --------------------------------------------------

/// Whether this process runs as root (tests that give files to another user).
#[cfg(unix)]
fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

#[cfg(unix)]
fn chmod(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The I/O error inside a crate error: its kind and message.
fn io_error(e: &zmq::Error) -> (std::io::ErrorKind, String) {
    assert_eq!(e.kind(), zmq::ErrorKind::Io, "{e}");
    let io = std::error::Error::source(e)
        .and_then(|s| s.downcast_ref::<std::io::Error>())
        .unwrap();
    (io.kind(), io.to_string())
}

// item 1: guard bounds the message size (the memory is measured in
// tests/preauth_memory.rs).
#[test]
fn guard_limits_the_message_size_unless_one_was_chosen() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    let server = ctx.socket(SocketType::Rep).unwrap();
    auth.guard(&server).unwrap();
    assert_eq!(server.maxmsgsize().unwrap(), 1 << 20);
    let chosen = ctx.socket(SocketType::Rep).unwrap();
    chosen.set_maxmsgsize(50 << 20).unwrap();
    auth.guard(&chosen).unwrap();
    assert_eq!(chosen.maxmsgsize().unwrap(), 50 << 20);
}

// item 3: topics that crash libzmq 4.3.5 are refused by the safe API.

/// Runs this test binary again with only `test` and `ZMQ_RS_CHILD` set,
/// and fails with the child's output if it did not exit cleanly (a stack
/// overflow kills it with a signal).
fn in_child(test: &str) -> bool {
    if std::env::var_os("ZMQ_RS_CHILD").is_some() {
        return true;
    }
    let out = runner::runner_command(&std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env("ZMQ_RS_CHILD", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the child process running {test} failed: {:?}\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    false
}

#[test]
fn long_topics_are_refused_before_they_crash_the_process() {
    if !in_child("long_topics_are_refused_before_they_crash_the_process") {
        return;
    }
    // On a thread with the default stack of a spawned Rust thread (2 MiB).
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let ctx = Context::new();
            let sub = ctx.socket(SocketType::Sub).unwrap();
            let refused = |r: zmq::Result<()>| {
                let e = r.unwrap_err();
                assert_eq!(e.kind(), zmq::ErrorKind::InvalidArgument);
                let shown = e.to_string();
                assert!(
                    shown.contains("MAX_TOPIC_LEN") && shown.contains("4096 bytes"),
                    "{shown}"
                );
                assert!(shown.contains("stack"), "{shown}");
            };
            // libzmq would overflow the stack adding, then removing, these.
            refused(sub.set_subscribe(&vec![b'a'; 256 << 10]));
            refused(sub.set_unsubscribe(&vec![b'a'; 256 << 10]));
            refused(sub.set_subscribe(&vec![b'a'; 10 << 20]));
            let xpub = ctx.socket(SocketType::Xpub).unwrap();
            xpub.set_xpub_manual(true).unwrap();
            refused(xpub.set_subscribe(&vec![b'a'; 10 << 20]));
            // XSUB keeps its own trie: subscription messages are topics too.
            let xsub = ctx.socket(SocketType::Xsub).unwrap();
            let mut subscribe = vec![1u8];
            subscribe.resize(256 << 10, b'a');
            refused(xsub.send(subscribe.clone()));
            subscribe[0] = 0;
            refused(xsub.send(subscribe));
            // The longest topic works, there and back, and at close.
            let topic = vec![b'a'; Socket::MAX_TOPIC_LEN];
            sub.set_subscribe(&topic).unwrap();
            sub.set_unsubscribe(&topic).unwrap();
            sub.set_subscribe(&topic).unwrap();
            let mut at_max = vec![1u8];
            at_max.extend_from_slice(&topic);
            xsub.send(at_max.clone()).unwrap();
            at_max[0] = 0;
            xsub.send(at_max).unwrap();
            drop((sub, xpub, xsub));
            drop(ctx);
        })
        .unwrap()
        .join()
        .unwrap();
}

// item 4: secret files must be private to their owner.

#[cfg(unix)]
#[test]
fn secret_files_readable_by_others_are_refused_with_the_fix() {
    let dir = temp_dir("modes");
    let cert = Certificate::generate().unwrap();
    let (public, secret) = cert.save(dir.join("server")).unwrap();
    let secret = secret.unwrap();
    for mode in [0o644, 0o640, 0o666, 0o604, 0o620] {
        chmod(&secret, mode);
        let e = Certificate::load(&secret).unwrap_err();
        let (kind, shown) = io_error(&e);
        assert_eq!(kind, std::io::ErrorKind::PermissionDenied, "{shown}");
        assert!(
            shown.contains(&format!("{mode:04o}")) && shown.contains("chmod 600"),
            "{shown}"
        );
        assert!(shown.contains(&secret.display().to_string()), "{shown}");
    }
    for mode in [0o600, 0o400] {
        chmod(&secret, mode);
        assert_eq!(Certificate::load(&secret).unwrap(), cert);
    }
    // Public certificates may be read by anyone.
    chmod(&public, 0o644);
    assert_eq!(Certificate::load(&public).unwrap(), cert.public_only());

    let passwords = dir.join("passwords");
    std::fs::write(&passwords, "admin=secret\n").unwrap();
    chmod(&passwords, 0o644);
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    let e = auth.configure_plain_file("*", &passwords).unwrap_err();
    let (kind, shown) = io_error(&e);
    assert_eq!(kind, std::io::ErrorKind::PermissionDenied, "{shown}");
    assert!(
        shown.contains("0644") && shown.contains("chmod 600"),
        "{shown}"
    );
    chmod(&passwords, 0o600);
    auth.configure_plain_file("*", &passwords).unwrap();
}

#[cfg(unix)]
#[test]
fn secret_files_of_another_user_are_refused() {
    if !is_root() {
        println!("skipped: giving a file to another user needs root (CI runs as root)");
        return;
    }
    let dir = temp_dir("owner");
    let cert = Certificate::generate().unwrap();
    let secret = dir.join("server.key_secret");
    cert.save_secret(&secret).unwrap();
    std::os::unix::fs::chown(&secret, Some(65534), None).unwrap();
    let e = Certificate::load(&secret).unwrap_err();
    let (kind, shown) = io_error(&e);
    assert_eq!(kind, std::io::ErrorKind::PermissionDenied, "{shown}");
    assert!(
        shown.contains("uid 65534") && shown.contains("chown"),
        "{shown}"
    );
}

// item 5 and issue 30: key files.

#[cfg(unix)]
#[test]
fn save_cannot_be_blocked_by_planting_the_temporary_names() {
    let dir = temp_dir("planted-temps");
    let pid = std::process::id();
    for n in 0..1000 {
        std::fs::write(dir.join(format!(".server.key_secret.{pid}.{n}.tmp")), "").unwrap();
        std::fs::write(dir.join(format!(".server.key.{pid}.{n}.tmp")), "").unwrap();
    }
    let cert = Certificate::generate().unwrap();
    cert.save(dir.join("server")).unwrap();
    assert_eq!(
        Certificate::load(dir.join("server.key_secret")).unwrap(),
        cert
    );
    // The temporary names in use are not the planted ones.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2002);
}

#[cfg(unix)]
#[test]
fn a_directory_link_of_another_user_is_refused_on_save_and_load() {
    if !is_root() {
        println!("skipped: a link owned by another user needs root (CI runs as root)");
        return;
    }
    let dir = temp_dir("planted-dir-link");
    let real = dir.join("real");
    std::fs::create_dir(&real).unwrap();
    let cert = Certificate::generate().unwrap();
    cert.save(real.join("server")).unwrap();
    // Someone else's link to the key directory.
    let link = dir.join("keys");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    std::os::unix::fs::lchown(&link, Some(65534), Some(65534)).unwrap();
    for e in [
        Certificate::load(link.join("server.key")).unwrap_err(),
        cert.save(link.join("other")).unwrap_err(),
        Certificate::load_dir(&link).unwrap_err(),
    ] {
        let (kind, shown) = io_error(&e);
        assert_eq!(kind, std::io::ErrorKind::PermissionDenied, "{shown}");
        assert!(
            shown.contains("symbolic link") && shown.contains("uid 65534"),
            "{shown}"
        );
    }
    assert!(!real.join("other.key").exists());
    // Our own link is followed.
    let own = dir.join("own");
    std::os::unix::fs::symlink(&real, &own).unwrap();
    assert_eq!(
        Certificate::load(own.join("server.key")).unwrap(),
        cert.public_only()
    );
}

#[test]
fn plain_credentials_that_are_not_utf8_are_refused_400() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.configure_plain("*", users("secret"));
    let req = ctx.socket(SocketType::Req).unwrap();
    req.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
    req.connect(zmq::auth::ZAP_ENDPOINT).unwrap();
    for (user, password) in [(&b"admin"[..], &b"\xff\xfe"[..]), (b"\xc3(", b"secret")] {
        req.send_multipart([
            &b"1.0"[..],
            b"1",
            b"",
            b"127.0.0.1",
            b"",
            b"PLAIN",
            user,
            password,
        ])
        .unwrap();
        let reply = req.recv_multipart().unwrap();
        assert_eq!(&reply[2][..], b"400", "{:?}", reply[3]);
    }
}

#[cfg(target_os = "linux")]
#[test]
fn files_that_report_no_size_are_read_not_called_too_large() {
    let e = Certificate::load("/proc/self/status").unwrap_err();
    assert_eq!(e.kind(), zmq::ErrorKind::InvalidCertificate, "{e}");
    assert!(!e.to_string().contains("larger than"), "{e}");
    assert!(e.to_string().contains("/proc/self/status"), "{e}");
}

#[test]
fn a_message_without_a_delimiter_gets_no_reply_even_with_an_empty_domain() {
    let ctx = Context::new();
    let _auth = Authenticator::start(&ctx).unwrap();
    let dealer = ctx.socket(SocketType::Dealer).unwrap();
    dealer.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
    dealer.connect(zmq::auth::ZAP_ENDPOINT).unwrap();
    // No delimiter; the domain frame is empty.
    dealer
        .send_multipart([&b"1.0"[..], b"1", b"", b"127.0.0.1", b"", b"NULL"])
        .unwrap();
    // A request after it, delimited: the first reply must be its own.
    dealer
        .send_multipart([&b""[..], b"1.0", b"2", b"d", b"127.0.0.1", b"", b"NULL"])
        .unwrap();
    let reply = dealer.recv_multipart().unwrap();
    assert_eq!(
        (&reply[0][..], &reply[2][..], &reply[3][..]),
        (&b""[..], &b"2"[..], &b"200"[..]),
        "{reply:?}"
    );
}

#[test]
fn load_errors_name_the_file() {
    let dir = temp_dir("errors-name");
    let missing = dir.join("missing.key");
    let e = Certificate::load(&missing).unwrap_err();
    let (kind, shown) = io_error(&e);
    assert_eq!(kind, std::io::ErrorKind::NotFound);
    assert!(shown.contains(&missing.display().to_string()), "{shown}");
    assert!(e.to_string().contains("missing.key"), "{e}");
    let garbage = dir.join("garbage.key");
    std::fs::write(&garbage, "not a certificate").unwrap();
    let e = Certificate::load(&garbage).unwrap_err();
    assert!(e.to_string().contains("garbage.key"), "{e}");
    let e = Certificate::load_dir(dir.join("no-such-dir")).unwrap_err();
    assert!(e.to_string().contains("no-such-dir"), "{e}");
}

#[test]
fn save_takes_the_public_file_name_as_czmq_does() {
    let dir = temp_dir("save-names");
    let cert = Certificate::generate().unwrap();
    let (public, secret) = cert.save(dir.join("server.key")).unwrap();
    assert_eq!(public, dir.join("server.key"));
    assert_eq!(secret, Some(dir.join("server.key_secret")));
    let (public, secret) = cert.save(dir.join("client.key_secret")).unwrap();
    assert_eq!(public, dir.join("client.key"));
    assert_eq!(secret, Some(dir.join("client.key_secret")));
    let (public, _) = cert.save(dir.join("base")).unwrap();
    assert_eq!(public, dir.join("base.key"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "base.key",
            "base.key_secret",
            "client.key",
            "client.key_secret",
            "server.key",
            "server.key_secret"
        ]
    );
    assert_eq!(
        Certificate::load(dir.join("server.key_secret")).unwrap(),
        cert
    );
}

#[cfg(unix)]
#[test]
fn the_owner_and_mode_check_is_turned_off_only_explicitly() {
    use zmq::auth::SecretFilePolicy;
    let dir = temp_dir("opt-out");
    let cert = Certificate::generate().unwrap();
    let secret = dir.join("server.key_secret");
    cert.save_secret(&secret).unwrap();
    chmod(&secret, 0o644);
    assert!(Certificate::load(&secret).is_err());
    assert!(Certificate::load_with(&secret, SecretFilePolicy::default()).is_err());
    assert_eq!(
        Certificate::load_with(&secret, SecretFilePolicy::AnyOwnerAndMode).unwrap(),
        cert
    );
    let passwords = dir.join("passwords");
    std::fs::write(&passwords, "admin=secret\n").unwrap();
    chmod(&passwords, 0o644);
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    assert!(auth.configure_plain_file("*", &passwords).is_err());
    auth.configure_plain_file_with("*", &passwords, SecretFilePolicy::AnyOwnerAndMode)
        .unwrap();
}

// item 2: a User-Id claimed in the handshake.

/// A NULL REQ client written by hand that claims `User-Id: root` (and
/// guesses the authenticator's mark) in its READY, then sends "hello".
fn forging_client(endpoint: &str) -> std::net::TcpStream {
    use std::io::Write;
    let mut stream = raw_zmtp::connect(endpoint, "NULL");
    let claims = raw_zmtp::metadata(&[
        ("Socket-Type", b"REQ"),
        ("User-Id", b"root"),
        ("X-Zmq-Rs-Zap-Mark", b"00000000000000000000000000000000"),
    ]);
    stream
        .write_all(&raw_zmtp::command("READY", &claims))
        .unwrap();
    stream.write_all(&raw_zmtp::frame(true, b"")).unwrap();
    stream.write_all(&raw_zmtp::frame(false, b"hello")).unwrap();
    stream
}

#[test]
fn a_user_id_a_null_peer_claims_is_never_taken_for_an_authenticated_one() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.configure_plain(zmq::auth::ANY_DOMAIN, users("secret"));

    // A NULL socket without a ZAP domain: libzmq takes the peer's claim.
    let open = ctx.socket(SocketType::Rep).unwrap();
    open.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
    let (_open_mon, endpoint) = listen(&open, "tcp://127.0.0.1:*");
    let _forger = forging_client(&endpoint);
    let msg = open.recv_msg().unwrap();
    assert_eq!(&msg[..], b"hello");
    assert_eq!(msg.gets("User-Id"), Some("root")); // libzmq's behaviour
    assert_eq!(msg.zap_user_id(), None);

    // Guarded, the authenticator answers; its User-Id ("" for NULL) wins.
    let guarded = ctx.socket(SocketType::Rep).unwrap();
    guarded.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
    auth.guard(&guarded).unwrap();
    let (_mon, endpoint) = listen(&guarded, "tcp://127.0.0.1:*");
    let _forger = forging_client(&endpoint);
    let msg = guarded.recv_msg().unwrap();
    assert_eq!(&msg[..], b"hello");
    assert_eq!(msg.gets("User-Id"), Some(""));
    assert_eq!(msg.zap_user_id(), Some(""));

    // PLAIN: the user name the authenticator admitted.
    let (server, _mon, endpoint) = plain_server(&ctx, "");
    server.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
    let client = plain_client(&ctx, &endpoint, "secret");
    client.send("hi").unwrap();
    let msg = server.recv_msg().unwrap();
    assert_eq!(msg.zap_user_id(), Some("admin"));
}
