//! The socket patterns across the process boundary, each in both directions
//! (Rust binds and the peer connects, or the other way round), against
//! pyzmq and the C peer on the system's libzmq.

use std::time::{Duration, Instant};

use zmq::{Context, Event, Monitor, MonitorEvents, Socket, SocketType};

use crate::common::free_endpoint;
use crate::peers::{Kind, Peer};
use crate::DEADLINE;

/// Which side binds; the other connects.
#[derive(Clone, Copy, Debug)]
pub enum Side {
    RustBinds,
    PeerBinds,
}

/// A Rust socket whose blocking calls end within [`DEADLINE`].
pub fn rust_socket(ctx: &Context, kind: SocketType) -> Socket {
    let socket = ctx.socket(kind).unwrap();
    socket.set_rcvtimeo(Some(DEADLINE)).unwrap();
    socket.set_sndtimeo(Some(DEADLINE)).unwrap();
    socket
}

/// Binds one side on a free loopback port and connects the other to it.
fn link(side: Side, rust: &Socket, peer: &mut Peer) {
    match side {
        Side::RustBinds => {
            rust.bind("tcp://127.0.0.1:*").unwrap();
            peer.connect(&rust.last_endpoint().unwrap());
        }
        Side::PeerBinds => {
            let endpoint = peer.bind("tcp://127.0.0.1:*");
            rust.connect(&endpoint).unwrap();
        }
    }
}

/// One multipart message on a Rust socket, as byte vectors.
pub fn recv_frames(socket: &Socket) -> Vec<Vec<u8>> {
    socket
        .recv_multipart()
        .unwrap_or_else(|e| panic!("no message within {DEADLINE:?}: {e}"))
        .iter()
        .map(|m| m.to_vec())
        .collect()
}

/// Waits for the first event `wanted` accepts, within [`DEADLINE`].
pub fn expect_event(mon: &mut Monitor, what: &str, wanted: impl Fn(&Event) -> bool) -> Event {
    let started = Instant::now();
    let mut seen = Vec::new();
    while let Some(left) = DEADLINE.checked_sub(started.elapsed()) {
        match mon.recv_timeout(left).unwrap() {
            Some(e) if wanted(&e.event) => return e.event,
            Some(e) => seen.push(e.event),
            None => break,
        }
    }
    panic!("no {what} event within {DEADLINE:?}; saw {seen:?}")
}

fn is_handshake(e: &Event) -> bool {
    matches!(e, Event::HandshakeSucceeded)
}

fn frames_of(message: &[&[u8]]) -> Vec<Vec<u8>> {
    message.iter().map(|f| f.to_vec()).collect()
}

// ---- REQ/REP -------------------------------------------------------------------

/// Three round trips; the binding side is the REP.
pub fn req_rep(kind: Kind, side: Side) {
    let ctx = Context::new();
    match side {
        Side::RustBinds => {
            let rep = rust_socket(&ctx, SocketType::Rep);
            let mut req = Peer::with_socket(kind, "req", "REQ");
            link(side, &rep, &mut req);
            for n in 0..3 {
                req.send(&[format!("ping {n}").as_bytes()]);
                assert_eq!(recv_frames(&rep), [format!("ping {n}").into_bytes()]);
                rep.send(format!("pong {n}")).unwrap();
                assert_eq!(req.recv(), [format!("pong {n}").into_bytes()]);
            }
            req.exit();
        }
        Side::PeerBinds => {
            let req = rust_socket(&ctx, SocketType::Req);
            let mut rep = Peer::with_socket(kind, "rep", "REP");
            link(side, &req, &mut rep);
            for n in 0..3 {
                req.send(format!("ping {n}")).unwrap();
                assert_eq!(rep.recv(), [format!("ping {n}").into_bytes()]);
                rep.send(&[format!("pong {n}").as_bytes()]);
                assert_eq!(recv_frames(&req), [format!("pong {n}").into_bytes()]);
            }
            rep.exit();
        }
    }
}

// ---- PUB/SUB with prefix filters, XPUB seeing subscriptions ----------------------

const PUBLISHED: [&str; 5] = ["alpha.1", "beta.1", "gamma.1", "alpha.2", "gamma.2"];
/// What a subscriber to "alpha" and "gamma" gets of [`PUBLISHED`], in order:
/// "beta.1" would come before "gamma.1" if the filter let it through.
const MATCHING: [&str; 4] = ["alpha.1", "gamma.1", "alpha.2", "gamma.2"];

/// The subscriber subscribes to "alpha" and "gamma"; the publisher, an XPUB,
/// sees both subscriptions before it publishes (so nothing is lost to a slow
/// join), then an unsubscription from "alpha".
pub fn pub_sub(kind: Kind, side: Side) {
    let ctx = Context::new();
    match side {
        Side::RustBinds => {
            let xpub = rust_socket(&ctx, SocketType::Xpub);
            let mut sub = Peer::with_socket(kind, "sub", "SUB");
            sub.set_bytes("subscribe", b"alpha");
            sub.set_bytes("subscribe", b"gamma");
            link(side, &xpub, &mut sub);
            let mut subscriptions = vec![recv_frames(&xpub), recv_frames(&xpub)];
            subscriptions.sort();
            assert_eq!(
                subscriptions,
                [vec![b"\x01alpha".to_vec()], vec![b"\x01gamma".to_vec()]]
            );
            for topic in PUBLISHED {
                xpub.send(topic).unwrap();
            }
            for topic in MATCHING {
                assert_eq!(sub.recv(), [topic.as_bytes()]);
            }
            sub.set_bytes("unsubscribe", b"alpha");
            assert_eq!(recv_frames(&xpub), [b"\x00alpha"]);
            xpub.send("alpha.3").unwrap();
            xpub.send("gamma.3").unwrap();
            assert_eq!(sub.recv(), [b"gamma.3"]);
            sub.exit();
        }
        Side::PeerBinds => {
            let sub = rust_socket(&ctx, SocketType::Sub);
            sub.set_subscribe(b"alpha").unwrap();
            sub.set_subscribe(b"gamma").unwrap();
            let mut xpub = Peer::with_socket(kind, "xpub", "XPUB");
            link(side, &sub, &mut xpub);
            let mut subscriptions = vec![xpub.recv(), xpub.recv()];
            subscriptions.sort();
            assert_eq!(
                subscriptions,
                [vec![b"\x01alpha".to_vec()], vec![b"\x01gamma".to_vec()]]
            );
            for topic in PUBLISHED {
                xpub.send(&[topic.as_bytes()]);
            }
            for topic in MATCHING {
                assert_eq!(recv_frames(&sub), [topic.as_bytes()]);
            }
            sub.set_unsubscribe(b"alpha").unwrap();
            assert_eq!(xpub.recv(), [b"\x00alpha"]);
            xpub.send(&[b"alpha.3"]);
            xpub.send(&[b"gamma.3"]);
            assert_eq!(recv_frames(&sub), [b"gamma.3"]);
            xpub.exit();
        }
    }
}

// ---- PUSH/PULL fan-out over two peers ------------------------------------------

const TASKS: usize = 100;

/// A Rust PUSH deals [`TASKS`] tasks to two peer PULLs, connected (both
/// handshakes seen on the monitor) before the first is sent: each gets
/// half, in order.
pub fn fan_out(kind: Kind, side: Side) {
    let ctx = Context::new();
    let push = rust_socket(&ctx, SocketType::Push);
    let mut mon = push.monitor(MonitorEvents::HANDSHAKE_SUCCEEDED).unwrap();
    let mut workers: Vec<Peer> = (1..=2)
        .map(|n| Peer::with_socket(kind, &format!("worker {n}"), "PULL"))
        .collect();
    match side {
        Side::RustBinds => {
            push.bind("tcp://127.0.0.1:*").unwrap();
            let endpoint = push.last_endpoint().unwrap();
            for worker in &mut workers {
                worker.connect(&endpoint);
            }
        }
        Side::PeerBinds => {
            for worker in &mut workers {
                let endpoint = worker.bind("tcp://127.0.0.1:*");
                push.connect(&endpoint).unwrap();
            }
        }
    }
    for _ in &workers {
        expect_event(&mut mon, "handshake", is_handshake);
    }
    for worker in &mut workers {
        worker.write("recvloop");
    }
    for n in 0..TASKS {
        push.send(format!("task {n}")).unwrap();
    }
    let got: Vec<Vec<usize>> = workers
        .iter_mut()
        .map(|worker| {
            (0..TASKS / 2)
                .map(|_| {
                    let frames = worker.message();
                    let text = String::from_utf8(frames.concat()).unwrap();
                    text.strip_prefix("task ")
                        .and_then(|n| n.parse().ok())
                        .unwrap_or_else(|| panic!("bad task {text:?}"))
                })
                .collect()
        })
        .collect();
    for tasks in &got {
        assert!(tasks.windows(2).all(|w| w[0] < w[1]), "reordered: {got:?}");
    }
    let mut all: Vec<usize> = got.concat();
    all.sort_unstable();
    assert_eq!(all, (0..TASKS).collect::<Vec<_>>(), "{got:?}");
}

// ---- ROUTER/DEALER with explicit routing ids ----------------------------------

const IDS: [&str; 2] = ["alpha", "beta"];

/// The ROUTER got each DEALER's greeting behind its routing id.
fn check_greetings(mut greetings: Vec<Vec<Vec<u8>>>) {
    greetings.sort();
    for (id, greeting) in IDS.iter().zip(&greetings) {
        assert_eq!(
            greeting,
            &frames_of(&[id.as_bytes(), format!("hello from {id}").as_bytes()])
        );
    }
}

/// Two DEALERs with routing ids "alpha" and "beta" greet the ROUTER, which
/// answers each by its id, in the reverse order of the greetings.
pub fn router_dealer(kind: Kind, side: Side) {
    let ctx = Context::new();
    match side {
        Side::RustBinds => {
            let router = rust_socket(&ctx, SocketType::Router);
            router.set_router_mandatory(true).unwrap();
            router.bind("tcp://127.0.0.1:*").unwrap();
            let endpoint = router.last_endpoint().unwrap();
            let mut dealers: Vec<Peer> = IDS
                .iter()
                .map(|id| {
                    let mut dealer = Peer::with_socket(kind, id, "DEALER");
                    dealer.set_bytes("routing_id", id.as_bytes());
                    dealer.connect(&endpoint);
                    dealer.send(&[format!("hello from {id}").as_bytes()]);
                    dealer
                })
                .collect();
            check_greetings(vec![recv_frames(&router), recv_frames(&router)]);
            for id in IDS.iter().rev() {
                router
                    .send_multipart([id.as_bytes(), b"to ", id.as_bytes()])
                    .unwrap();
            }
            for (id, dealer) in IDS.iter().zip(&mut dealers) {
                assert_eq!(dealer.recv(), frames_of(&[b"to ", id.as_bytes()]));
            }
        }
        Side::PeerBinds => {
            let mut router = Peer::with_socket(kind, "router", "ROUTER");
            router.set_int("router_mandatory", 1);
            let endpoint = router.bind("tcp://127.0.0.1:*");
            let dealers: Vec<Socket> = IDS
                .iter()
                .map(|id| {
                    let dealer = rust_socket(&ctx, SocketType::Dealer);
                    dealer.set_routing_id(id.as_bytes()).unwrap();
                    dealer.connect(&endpoint).unwrap();
                    dealer.send(format!("hello from {id}")).unwrap();
                    dealer
                })
                .collect();
            check_greetings(vec![router.recv(), router.recv()]);
            for id in IDS.iter().rev() {
                router.send(&[id.as_bytes(), b"to ", id.as_bytes()]);
            }
            for (id, dealer) in IDS.iter().zip(&dealers) {
                assert_eq!(recv_frames(dealer), frames_of(&[b"to ", id.as_bytes()]));
            }
            router.exit();
        }
    }
}

// ---- PAIR: multipart with empty frames, a 16 MiB message, 100,000 messages -------

/// A Rust PAIR linked to a peer PAIR.
fn pair(kind: Kind, side: Side, ctx: &Context) -> (Socket, Peer) {
    let rust = rust_socket(ctx, SocketType::Pair);
    let mut peer = Peer::with_socket(kind, "pair", "PAIR");
    link(side, &rust, &mut peer);
    (rust, peer)
}

/// Empty frames first, inside and last, and binary ones, each way.
pub fn multipart_empty_frames(kind: Kind, side: Side) {
    let ctx = Context::new();
    let (rust, mut peer) = pair(kind, side, &ctx);
    let message: [&[u8]; 7] = [b"", b"a", b"", b"", b"\0\xff\0", b"b", b""];
    rust.send_multipart(message).unwrap();
    assert_eq!(peer.recv(), frames_of(&message));
    peer.send(&message);
    let got = rust.recv_multipart().unwrap();
    assert_eq!(got.len(), message.len());
    for (n, (frame, want)) in got.iter().zip(message).enumerate() {
        assert_eq!(&frame[..], want, "frame {n}");
        assert_eq!(
            frame.more(),
            n + 1 < message.len(),
            "more flag of frame {n}"
        );
    }
    // A message of one empty frame.
    peer.send(&[b""]);
    assert_eq!(recv_frames(&rust), [b""]);
    peer.exit();
}

const BIG: usize = 16 << 20;

/// `n` bytes, byte i = i % 251 (the peers' `sendbig` pattern).
fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

/// One 16 MiB message each way.
pub fn big_message(kind: Kind, side: Side) {
    let ctx = Context::new();
    let (rust, mut peer) = pair(kind, side, &ctx);
    let big = pattern(BIG);
    rust.send(big.clone()).unwrap();
    assert_eq!(peer.ok("recvbig"), BIG.to_string());
    assert_eq!(peer.ok(&format!("sendbig {BIG}")), BIG.to_string());
    let got = rust.recv_msg().unwrap();
    assert_eq!(got.len(), BIG);
    assert!(got[..] == big[..], "the 16 MiB message came back changed");
    peer.exit();
}

const FLOOD: usize = 100_000;

/// 100,000 small messages each way over one connection: none lost, none
/// reordered (message i is the decimal number i).
pub fn flood(kind: Kind, side: Side) {
    let ctx = Context::new();
    let (rust, mut peer) = pair(kind, side, &ctx);
    let started = Instant::now();
    peer.write(&format!("sendseq {FLOOD}"));
    let mut msg = zmq::Message::new();
    for n in 0..FLOOD {
        rust.recv(&mut msg)
            .unwrap_or_else(|e| panic!("message {n} of {FLOOD} never came: {e}"));
        assert_eq!(&msg[..], n.to_string().as_bytes(), "message {n}");
    }
    assert_eq!(peer.line(), format!("ok {FLOOD}"));
    peer.write(&format!("recvseq {FLOOD}"));
    for n in 0..FLOOD {
        rust.send(n.to_string()).unwrap();
    }
    assert_eq!(peer.line(), format!("ok {FLOOD}"));
    assert!(started.elapsed() < DEADLINE, "{:?}", started.elapsed());
    peer.exit();
}

// ---- the peer killed and restarted --------------------------------------------

/// A round trip, the peer process killed (SIGKILL), the Rust side's monitor
/// seeing the disconnection, a new peer process on the same endpoint, and
/// a round trip again. The binding side is the REP.
pub fn peer_restart(kind: Kind, side: Side) {
    let ctx = Context::new();
    match side {
        Side::RustBinds => {
            let rep = rust_socket(&ctx, SocketType::Rep);
            let mut mon = rep
                .monitor(MonitorEvents::HANDSHAKE_SUCCEEDED | MonitorEvents::DISCONNECTED)
                .unwrap();
            rep.bind("tcp://127.0.0.1:*").unwrap();
            let endpoint = rep.last_endpoint().unwrap();
            for life in ["first", "second"] {
                let mut req = Peer::with_socket(kind, &format!("{life} req"), "REQ");
                req.connect(&endpoint);
                expect_event(&mut mon, "handshake", is_handshake);
                req.send(&[life.as_bytes()]);
                assert_eq!(recv_frames(&rep), [life.as_bytes()]);
                rep.send(format!("{life} answered")).unwrap();
                assert_eq!(req.recv(), [format!("{life} answered").into_bytes()]);
                req.kill();
                expect_event(&mut mon, "disconnected", |e| {
                    matches!(e, Event::Disconnected { .. })
                });
            }
        }
        Side::PeerBinds => {
            let endpoint = free_endpoint();
            let req = rust_socket(&ctx, SocketType::Req);
            let mut mon = req
                .monitor(MonitorEvents::HANDSHAKE_SUCCEEDED | MonitorEvents::DISCONNECTED)
                .unwrap();
            req.set_reconnect_ivl(Some(Duration::from_millis(20)))
                .unwrap();
            for (n, life) in ["first", "second"].into_iter().enumerate() {
                let mut rep = Peer::with_socket(kind, &format!("{life} rep"), "REP");
                assert_eq!(rep.bind(&endpoint), endpoint);
                rep.write("echo");
                if n == 0 {
                    req.connect(&endpoint).unwrap();
                }
                expect_event(&mut mon, "handshake", is_handshake);
                req.send(life).unwrap();
                assert_eq!(recv_frames(&req), [life.as_bytes()]);
                rep.kill();
                expect_event(&mut mon, "disconnected", |e| {
                    matches!(e, Event::Disconnected { .. })
                });
            }
        }
    }
}

// ---- one test per scenario, direction and peer ---------------------------------

macro_rules! transport_tests {
    ($($peer:ident: $kind:expr;)*) => {$(
        mod $peer {
            use super::Side::{PeerBinds, RustBinds};
            use super::*;

            #[test] fn req_rep_rust_binds() { req_rep($kind, RustBinds) }
            #[test] fn req_rep_peer_binds() { req_rep($kind, PeerBinds) }
            #[test] fn pub_sub_rust_binds() { pub_sub($kind, RustBinds) }
            #[test] fn pub_sub_peer_binds() { pub_sub($kind, PeerBinds) }
            #[test] fn fan_out_rust_binds() { fan_out($kind, RustBinds) }
            #[test] fn fan_out_peer_binds() { fan_out($kind, PeerBinds) }
            #[test] fn router_dealer_rust_binds() { router_dealer($kind, RustBinds) }
            #[test] fn router_dealer_peer_binds() { router_dealer($kind, PeerBinds) }
            #[test] fn multipart_rust_binds() { multipart_empty_frames($kind, RustBinds) }
            #[test] fn multipart_peer_binds() { multipart_empty_frames($kind, PeerBinds) }
            #[test] fn big_message_rust_binds() { big_message($kind, RustBinds) }
            #[test] fn big_message_peer_binds() { big_message($kind, PeerBinds) }
            #[test] fn flood_rust_binds() { flood($kind, RustBinds) }
            #[test] fn flood_peer_binds() { flood($kind, PeerBinds) }
            #[test] fn restart_rust_binds() { peer_restart($kind, RustBinds) }
            #[test] fn restart_peer_binds() { peer_restart($kind, PeerBinds) }
        }
    )*};
}

transport_tests! {
    pyzmq: Kind::Pyzmq;
    libzmq: Kind::Libzmq;
}
