//! The high-water mark per socket type, as libzmq documents it (zmq_socket(3),
//! zmq_setsockopt(3) ZMQ_SNDHWM): one table row per sender type. Over inproc
//! the queue between two sockets holds the sender's SNDHWM plus the
//! receiver's RCVHWM, so the point where the queue is full is reached
//! without any kernel buffer in between, and the outcome is exact:
//!
//! - PUSH, DEALER, PAIR (and XPUB with XPUB_NODROP, ROUTER with
//!   ROUTER_MANDATORY) block: a DONTWAIT send gives `Again`, a bounded send
//!   gives the frame back, and every frame sent arrives, in order, intact.
//! - PUB, XPUB, RADIO and a plain ROUTER drop: every send succeeds, and what
//!   arrives is the first frames in order, intact, at most the queue's size.
//! - ROUTER_MANDATORY refuses an unknown peer with `HostUnreachable`.
//!
//! After the receiver drained the queue, the sender sends again.

use std::time::Duration;

use zmq::{Context, ErrorKind, Message, Socket, SocketType};

const HWM: i32 = 10;
/// Far more than any queue in the table holds.
const ATTEMPTS: u32 = 5_000;
/// What the queue may hold at most: SNDHWM + RCVHWM, with slack for the
/// frames libzmq lets through before it checks (its pipes count in batches).
const MAX_QUEUED: u32 = 4 * HWM as u32;

#[derive(Clone, Copy, Debug, PartialEq)]
enum AtHwm {
    /// `Again` with DONTWAIT; nothing is lost.
    Blocks,
    /// Send succeeds, the frame is dropped.
    Drops,
}

struct Row {
    sender: SocketType,
    receiver: SocketType,
    /// XPUB_NODROP on an XPUB, ROUTER_MANDATORY on a ROUTER.
    strict: bool,
    expect: AtHwm,
}

/// Frame `i`: its number and a pattern derived from it, so that a corrupted,
/// reordered or duplicated frame is seen.
fn frame(i: u32) -> Vec<u8> {
    let mut f = i.to_le_bytes().to_vec();
    f.extend((0..60u32).map(|k| (i.wrapping_mul(31).wrapping_add(k)) as u8));
    f
}

fn number_of(bytes: &[u8]) -> u32 {
    assert_eq!(bytes.len(), 64, "a frame of the wrong size arrived");
    let i = u32::from_le_bytes(bytes[..4].try_into().unwrap());
    assert_eq!(bytes, frame(i), "frame {i} arrived corrupted");
    i
}

#[cfg(feature = "draft")]
const GROUP: &str = "hwm";
const PEER_ID: &[u8] = b"peer";

struct Pair {
    _ctx: Context,
    sender: Socket,
    receiver: Socket,
    row_sender: SocketType,
}

impl Pair {
    fn new(row: &Row, name: &str) -> Pair {
        let ctx = Context::new();
        let sender = ctx.socket(row.sender).unwrap();
        let receiver = ctx.socket(row.receiver).unwrap();
        sender.set_sndhwm(HWM).unwrap();
        receiver.set_rcvhwm(HWM).unwrap();
        sender.set_linger(Some(Duration::ZERO)).unwrap();
        receiver.set_linger(Some(Duration::ZERO)).unwrap();
        match row.sender {
            SocketType::Xpub if row.strict => sender.set_xpub_nodrop(true).unwrap(),
            SocketType::Router => {
                receiver.set_routing_id(PEER_ID).unwrap();
                if row.strict {
                    sender.set_router_mandatory(true).unwrap();
                }
            }
            _ => {}
        }
        let endpoint = format!("inproc://reliability-hwm-{name}");
        sender.bind(&endpoint).unwrap();
        receiver.connect(&endpoint).unwrap();
        let pair = Pair {
            _ctx: ctx,
            sender,
            receiver,
            row_sender: row.sender,
        };
        pair.attach();
        pair
    }

    /// Waits until the sender knows the receiver: the subscription, group or
    /// routing id has arrived (each proven by a message, not by a delay).
    fn attach(&self) {
        match self.row_sender {
            SocketType::Pub => {
                self.receiver.set_subscribe(b"").unwrap();
                self.sync_by_probes();
            }
            SocketType::Xpub => {
                self.receiver.set_subscribe(b"").unwrap();
                // The XPUB receives the subscription itself.
                let sub = self.sender.recv_bytes_timeout(Duration::from_secs(5));
                assert_eq!(sub.unwrap().as_deref(), Some(&b"\x01"[..]));
            }
            #[cfg(feature = "draft")]
            SocketType::Radio => {
                self.receiver.join(GROUP).unwrap();
                self.sync_by_probes();
            }
            SocketType::Router => {
                // The ROUTER learns the peer's id from its first message.
                self.receiver.send("hello").unwrap();
                let hello = self.sender.recv_multipart_timeout(Duration::from_secs(5));
                let hello = hello.unwrap().expect("the router never heard the peer");
                assert_eq!(hello[0], PEER_ID);
            }
            _ => {}
        }
    }

    /// PUB and RADIO tell nothing back: probes are sent until one arrives,
    /// then the probes still queued are read away.
    fn sync_by_probes(&self) {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            assert!(
                std::time::Instant::now() < deadline,
                "the subscription never arrived"
            );
            assert!(self.try_send(Message::from("probe")).is_none());
            if let Some(m) = self
                .receiver
                .recv_msg_timeout(Duration::from_millis(10))
                .unwrap()
            {
                assert_eq!(m, "probe");
                break;
            }
        }
        while let Some(m) = self.receiver.try_recv_msg().unwrap() {
            assert_eq!(m, "probe");
        }
    }

    /// One DONTWAIT send; the frame comes back when the socket would block.
    fn try_send(&self, msg: Message) -> Option<Message> {
        #[cfg(feature = "draft")]
        let msg = {
            let mut msg = msg;
            if self.row_sender == SocketType::Radio {
                msg.set_group(GROUP).unwrap();
            }
            msg
        };
        if self.row_sender == SocketType::Router {
            match self.sender.try_send_more(PEER_ID) {
                Ok(None) => {}
                Ok(Some(_)) => return Some(msg),
                Err(e) => panic!("routing frame: {e}"),
            }
        }
        self.sender.try_send(msg).unwrap()
    }

    /// Every frame queued for the receiver, by number.
    fn drain(&self) -> Vec<u32> {
        let mut got = Vec::new();
        while let Some(m) = self.receiver.try_recv_msg().unwrap() {
            got.push(number_of(&m));
        }
        got
    }
}

fn check(row: Row, name: &str) {
    let pair = Pair::new(&row, name);
    let mut sent = 0u32;
    let mut refused = false;
    for i in 0..ATTEMPTS {
        if pair.try_send(Message::from(frame(i))).is_some() {
            refused = true;
            break;
        }
        sent += 1;
    }
    let got = pair.drain();
    match row.expect {
        AtHwm::Blocks => {
            assert!(
                refused,
                "{name}: {ATTEMPTS} frames went through a full queue"
            );
            assert!(
                (1..=MAX_QUEUED).contains(&sent),
                "{name}: {sent} frames queued with HWM {HWM}"
            );
            assert_eq!(
                got,
                (0..sent).collect::<Vec<_>>(),
                "{name}: frames lost or reordered"
            );
        }
        AtHwm::Drops => {
            assert!(!refused, "{name}: a dropping socket refused a frame");
            assert_eq!(sent, ATTEMPTS);
            assert!(
                !got.is_empty() && got.len() as u32 <= MAX_QUEUED,
                "{name}: {} frames arrived with HWM {HWM}",
                got.len()
            );
            assert_eq!(
                got,
                (0..got.len() as u32).collect::<Vec<_>>(),
                "{name}: the frames kept are not the first ones in order"
            );
        }
    }
    // Drained: the sender sends again, and the frame arrives. (libzmq passes
    // the reader's "room again" to the sender as a command, which a
    // DONTWAIT send may not look at yet; reading ZMQ_EVENTS processes it.)
    pair.sender.events().unwrap();
    assert!(pair.try_send(Message::from(frame(ATTEMPTS))).is_none());
    assert_eq!(
        pair.drain(),
        [ATTEMPTS],
        "{name}: no recovery after draining"
    );
    if row.expect == AtHwm::Blocks && row.sender != SocketType::Router {
        // A bounded send on a full queue gives the frame back in time.
        for i in 0.. {
            if pair.try_send(Message::from(frame(i))).is_some() {
                break;
            }
        }
        let t0 = std::time::Instant::now();
        let back = pair
            .sender
            .send_timeout(frame(0), Duration::from_millis(50))
            .unwrap();
        assert!(
            back.is_some(),
            "{name}: a bounded send on a full queue sent"
        );
        assert!(t0.elapsed() < Duration::from_secs(5));
    }
}

macro_rules! hwm_rows {
    ($( $(#[$m:meta])* $name:ident: $sender:ident -> $receiver:ident, strict $strict:expr, $expect:ident; )*) => {
        $(
            $(#[$m])*
            #[test]
            fn $name() {
                check(
                    Row {
                        sender: SocketType::$sender,
                        receiver: SocketType::$receiver,
                        strict: $strict,
                        expect: AtHwm::$expect,
                    },
                    stringify!($name),
                );
            }
        )*
    };
}

hwm_rows! {
    push_blocks: Push -> Pull, strict false, Blocks;
    dealer_blocks: Dealer -> Dealer, strict false, Blocks;
    pair_blocks: Pair -> Pair, strict false, Blocks;
    pub_drops: Pub -> Sub, strict false, Drops;
    xpub_drops: Xpub -> Sub, strict false, Drops;
    xpub_nodrop_gives_again: Xpub -> Sub, strict true, Blocks;
    router_drops: Router -> Dealer, strict false, Drops;
    router_mandatory_gives_again: Router -> Dealer, strict true, Blocks;
    #[cfg(feature = "draft")]
    radio_drops: Radio -> Dish, strict false, Drops;
}

#[test]
fn router_mandatory_refuses_an_unknown_peer() {
    let ctx = Context::new();
    let router = ctx.socket(SocketType::Router).unwrap();
    router.set_router_mandatory(true).unwrap();
    router.bind("inproc://reliability-hwm-unknown").unwrap();
    let err = router.send_more("nobody").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::HostUnreachable);
    // Refused whole: the socket is at a message boundary and works on.
    let plain = ctx.socket(SocketType::Router).unwrap();
    plain
        .bind("inproc://reliability-hwm-unknown-plain")
        .unwrap();
    plain.send_more("nobody").unwrap();
    plain.send("dropped").unwrap();
    assert_eq!(
        router.send_more("nobody").unwrap_err().kind(),
        ErrorKind::HostUnreachable
    );
}
