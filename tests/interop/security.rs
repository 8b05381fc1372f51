//! Security across the process boundary: CURVE and PLAIN with this crate's
//! [`Authenticator`] against peer clients, and with pyzmq's
//! `ThreadAuthenticator` or czmq's `zauth` against Rust clients; refusals
//! proven by the `HandshakeFailedAuth` event on the Rust side; `User-Id` and
//! `Peer-Address` seen on both sides; certificate files written on one side
//! and read on the other.

use std::collections::HashMap;
use std::path::Path;

use zmq::auth::Authenticator;
use zmq::{Certificate, Context, CurveKey, Event, Monitor, MonitorEvents, Socket, SocketType};

use crate::common::IpcDir;
use crate::peers::{Kind, Peer};
use crate::transport::{expect_event, recv_frames, rust_socket};

const LOOPBACK: &str = "127.0.0.1";

fn scratch(test: &str, kind: Kind) -> IpcDir {
    IpcDir::new(&format!("{test}-{kind:?}"))
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// `certgen DIR NAME` on the peer: it writes NAME.key and NAME.key_secret
/// (pyzmq's `create_certificates`, czmq's `zcert_save`); its keys in Z85.
fn peer_certgen(peer: &mut Peer, dir: &Path, name: &str) -> (String, String) {
    let keys = peer.ok(&format!("certgen {} {name}", arg(dir)));
    let (public, secret) = keys.split_once(' ').expect("two keys");
    (public.to_owned(), secret.to_owned())
}

fn is_auth_failure(e: &Event) -> bool {
    matches!(e, Event::HandshakeFailedAuth { .. })
}

/// Makes the peer's socket a CURVE client of `server` with the given keys.
fn curve_client(peer: &mut Peer, server: &CurveKey, public: &str, secret: &str) {
    peer.set_bytes("curve_serverkey", server.to_z85().as_bytes());
    peer.set_bytes("curve_publickey", public.as_bytes());
    peer.set_bytes("curve_secretkey", secret.as_bytes());
}

/// A Rust REP made a server by `configure`, guarded by `auth`, with a
/// monitor for authentication failures, bound on loopback; and its endpoint.
fn guarded_rep(
    ctx: &Context,
    auth: &Authenticator,
    configure: impl FnOnce(&Socket),
) -> (Socket, Monitor, String) {
    let server = rust_socket(ctx, SocketType::Rep);
    configure(&server);
    auth.guard(&server).unwrap();
    let mon = server
        .monitor(MonitorEvents::HANDSHAKE_FAILED_AUTH)
        .unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = server.last_endpoint().unwrap();
    (server, mon, endpoint)
}

// ---- CURVE ------------------------------------------------------------------------

/// A Rust REP with the Rust authenticator, taking the client certificates
/// of a directory where the peer wrote its own (pyzmq, czmq; the plain C
/// peer gets one written by Rust): the peer client talks, the server sees
/// its key as `User-Id` and its address; a peer client with another key is
/// refused with `HandshakeFailedAuth` 400.
pub fn curve_rust_authenticator(kind: Kind) {
    let dir = scratch("curve-rust-auth", kind);
    let mut client = Peer::start(kind, "curve client");
    let (public, secret) = if kind == Kind::Libzmq {
        let cert = Certificate::generate().unwrap();
        cert.public_only().save(dir.path().join("client")).unwrap();
        let secret = cert.secret_key().unwrap().to_z85();
        (cert.public_key().to_z85(), secret)
    } else {
        peer_certgen(&mut client, dir.path(), "client")
    };
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.configure_curve_directory("*", dir.path()).unwrap();
    let server_cert = Certificate::generate().unwrap();
    let (server, mut mon, endpoint) =
        guarded_rep(&ctx, &auth, |s| server_cert.apply_server(s).unwrap());

    let intruder_cert = Certificate::generate().unwrap();
    let mut intruder = Peer::with_socket(kind, "unlisted curve client", "REQ");
    curve_client(
        &mut intruder,
        server_cert.public_key(),
        &intruder_cert.public_key().to_z85(),
        &intruder_cert.secret_key().unwrap().to_z85(),
    );
    intruder.connect(&endpoint);
    intruder.send(&[b"let me in"]);
    let e = expect_event(&mut mon, "auth failure", is_auth_failure);
    assert_eq!(e, Event::HandshakeFailedAuth { status: 400 });

    client.ok("socket REQ");
    curve_client(&mut client, server_cert.public_key(), &public, &secret);
    client.connect(&endpoint);
    client.send(&[b"hello"]);
    // The first message that arrives is the listed client's.
    let msg = server.recv_msg().unwrap();
    assert_eq!(&msg[..], b"hello");
    assert_eq!(msg.gets("User-Id"), Some(public.as_str()));
    assert_eq!(msg.gets("Peer-Address"), Some(LOOPBACK));
    server.send("welcome").unwrap();
    assert_eq!(client.recv(), [b"welcome"]);
    client.exit();
}

/// A peer REP with its authenticator (pyzmq's `ThreadAuthenticator`,
/// czmq's `zauth`) taking the client certificates of a directory where
/// Rust wrote one, and with a server certificate the peer wrote and Rust
/// reads: the Rust client talks, the peer sees its key as `User-Id` and its
/// address; a Rust client with another key sees `HandshakeFailedAuth` 400.
pub fn curve_peer_authenticator(kind: Kind) {
    let keys = scratch("curve-peer-auth-keys", kind);
    let certs = scratch("curve-peer-auth-server", kind);
    let mut server = Peer::start(kind, "curve server");
    let (server_public, server_secret) = peer_certgen(&mut server, certs.path(), "server");
    let server_cert = Certificate::load(certs.path().join("server.key")).unwrap();
    assert_eq!(server_cert.public_key().to_z85(), server_public);

    let client_cert = Certificate::generate().unwrap();
    client_cert
        .public_only()
        .save(keys.path().join("client"))
        .unwrap();
    server.ok(&format!("auth_curve global {}", arg(keys.path())));
    server.ok("socket REP");
    server.set_int("curve_server", 1);
    server.set_bytes("curve_secretkey", server_secret.as_bytes());
    server.set_bytes("zap_domain", b"global");
    let endpoint = server.bind("tcp://127.0.0.1:*");

    let ctx = Context::new();
    let intruder = rust_socket(&ctx, SocketType::Req);
    Certificate::generate()
        .unwrap()
        .apply_client(&intruder, server_cert.public_key())
        .unwrap();
    let mut mon = intruder
        .monitor(MonitorEvents::HANDSHAKE_FAILED_AUTH)
        .unwrap();
    intruder.connect(&endpoint).unwrap();
    intruder.send("let me in").unwrap();
    let e = expect_event(&mut mon, "auth failure", is_auth_failure);
    assert_eq!(e, Event::HandshakeFailedAuth { status: 400 });

    let client = rust_socket(&ctx, SocketType::Req);
    client_cert
        .apply_client(&client, server_cert.public_key())
        .unwrap();
    client.connect(&endpoint).unwrap();
    client.send("hello").unwrap();
    assert_eq!(server.recv(), [b"hello"]);
    assert_eq!(
        server.meta("User-Id"),
        Some(client_cert.public_key().to_z85())
    );
    assert_eq!(server.meta("Peer-Address").as_deref(), Some(LOOPBACK));
    server.send(&[b"welcome"]);
    assert_eq!(recv_frames(&client), [b"welcome"]);
    server.exit();
}

// ---- PLAIN --------------------------------------------------------------------------

/// A Rust REP with the Rust authenticator knowing admin/secret: a peer
/// client with a wrong password is refused (`HandshakeFailedAuth` 400 on
/// the server's monitor); one with the right password talks, and the server
/// sees `User-Id` "admin" and the peer's address.
pub fn plain_rust_authenticator(kind: Kind) {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    let users = HashMap::from([("admin".to_owned(), "secret".to_owned())]);
    auth.configure_plain("global", users);
    let (server, mut mon, endpoint) = guarded_rep(&ctx, &auth, |s| {
        s.set_plain_server(true).unwrap();
        s.set_zap_domain("global").unwrap();
    });

    let mut clients = Vec::new();
    for password in ["wrong", "secret"] {
        let mut client = Peer::with_socket(kind, &format!("{password} client"), "REQ");
        client.set_bytes("plain_username", b"admin");
        client.set_bytes("plain_password", password.as_bytes());
        client.connect(&endpoint);
        client.send(&[format!("password {password}").as_bytes()]);
        if password == "wrong" {
            let e = expect_event(&mut mon, "auth failure", is_auth_failure);
            assert_eq!(e, Event::HandshakeFailedAuth { status: 400 });
        }
        clients.push(client);
    }
    // The first message that arrives is the right password's.
    let msg = server.recv_msg().unwrap();
    assert_eq!(&msg[..], b"password secret");
    assert_eq!(msg.gets("User-Id"), Some("admin"));
    assert_eq!(msg.gets("Peer-Address"), Some(LOOPBACK));
    server.send("welcome").unwrap();
    assert_eq!(clients[1].recv(), [b"welcome"]);
}

/// A peer REP with its authenticator knowing admin/secret: a Rust client
/// with a wrong password sees `HandshakeFailedAuth` 400 on its monitor; one
/// with the right password talks, and the peer sees `User-Id` "admin" and
/// the Rust side's address.
pub fn plain_peer_authenticator(kind: Kind) {
    let mut server = Peer::start(kind, "plain server");
    server.ok("auth_plain global admin secret");
    server.ok("socket REP");
    server.set_int("plain_server", 1);
    server.set_bytes("zap_domain", b"global");
    let endpoint = server.bind("tcp://127.0.0.1:*");

    let ctx = Context::new();
    let mut clients = Vec::new();
    for password in ["wrong", "secret"] {
        let client = rust_socket(&ctx, SocketType::Req);
        client.set_plain_username("admin").unwrap();
        client.set_plain_password(password).unwrap();
        let mut mon = client
            .monitor(MonitorEvents::HANDSHAKE_FAILED_AUTH | MonitorEvents::HANDSHAKE_SUCCEEDED)
            .unwrap();
        client.connect(&endpoint).unwrap();
        client.send(format!("password {password}")).unwrap();
        let e = expect_event(&mut mon, "handshake result", |_| true);
        if password == "wrong" {
            assert_eq!(e, Event::HandshakeFailedAuth { status: 400 });
        } else {
            assert_eq!(e, Event::HandshakeSucceeded);
        }
        clients.push(client);
    }
    assert_eq!(server.recv(), [b"password secret"]);
    assert_eq!(server.meta("User-Id").as_deref(), Some("admin"));
    assert_eq!(server.meta("Peer-Address").as_deref(), Some(LOOPBACK));
    server.send(&[b"welcome"]);
    assert_eq!(recv_frames(&clients[1]), [b"welcome"]);
    server.exit();
}

// ---- certificate files ----------------------------------------------------------------

/// Certificates the peer writes load here, and ours load in the peer (a
/// secret one with both keys, a public one with none).
pub fn cert_files(kind: Kind) {
    let dir = scratch("certs-theirs", kind);
    let mut peer = Peer::start(kind, "certificates");
    let (public, secret) = peer_certgen(&mut peer, dir.path(), "server");
    let secret_file = dir.path().join("server.key_secret");
    // czmq writes secret files with mode 0600, pyzmq with the default mode
    // (0644 under umask 022): such a file is refused until it is made
    // private, as ssh does with its keys (issue 24).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret_file)
            .unwrap()
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            let refused = Certificate::load(&secret_file).unwrap_err().to_string();
            assert!(refused.contains("chmod 600"), "{refused}");
            std::fs::set_permissions(&secret_file, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
    }
    let theirs = Certificate::load(&secret_file).unwrap();
    assert_eq!(theirs.public_key(), &CurveKey::from_z85(&public).unwrap());
    assert_eq!(theirs.secret_key().unwrap().to_z85(), secret);
    assert_eq!(
        Certificate::load(dir.path().join("server.key")).unwrap(),
        theirs.public_only()
    );
    assert_eq!(
        Certificate::load_dir(dir.path()).unwrap(),
        [theirs.public_only()]
    );

    let ours_dir = scratch("certs-ours", kind);
    let public_dir = scratch("certs-ours-public", kind);
    let mut ours = Certificate::generate().unwrap();
    ours.set_meta("name", "rust").unwrap();
    let (_, secret_path) = ours.save(ours_dir.path().join("ours")).unwrap();
    let (public_path, _) = ours
        .public_only()
        .save(public_dir.path().join("ours"))
        .unwrap();
    let ours_public = ours.public_key().to_z85();
    assert_eq!(
        peer.ok(&format!("certload {}", arg(&secret_path.unwrap()))),
        format!("{ours_public} {}", ours.secret_key().unwrap().to_z85())
    );
    assert_eq!(
        peer.ok(&format!("certload {}", arg(&public_path))),
        format!("{ours_public} none")
    );
    peer.exit();
}

// ---- one test per scenario and peer ----------------------------------------------------

mod pyzmq {
    use super::*;

    #[test]
    fn curve_rust_authenticator_pyzmq_client() {
        curve_rust_authenticator(Kind::Pyzmq)
    }
    #[test]
    fn curve_pyzmq_thread_authenticator_rust_client() {
        curve_peer_authenticator(Kind::Pyzmq)
    }
    #[test]
    fn plain_rust_authenticator_pyzmq_client() {
        plain_rust_authenticator(Kind::Pyzmq)
    }
    #[test]
    fn plain_pyzmq_thread_authenticator_rust_client() {
        plain_peer_authenticator(Kind::Pyzmq)
    }
    #[test]
    fn certificate_files_both_ways() {
        cert_files(Kind::Pyzmq)
    }
}

mod libzmq {
    use super::*;

    #[test]
    fn curve_rust_authenticator_c_client() {
        curve_rust_authenticator(Kind::Libzmq)
    }
    #[test]
    fn plain_rust_authenticator_c_client() {
        plain_rust_authenticator(Kind::Libzmq)
    }
}

mod czmq {
    use super::*;

    #[test]
    fn curve_rust_authenticator_czmq_client() {
        curve_rust_authenticator(Kind::Czmq)
    }
    #[test]
    fn curve_zauth_rust_client() {
        curve_peer_authenticator(Kind::Czmq)
    }
    #[test]
    fn plain_zauth_rust_client() {
        plain_peer_authenticator(Kind::Czmq)
    }
    #[test]
    fn zcert_files_both_ways() {
        cert_files(Kind::Czmq)
    }
}
