//! Lost wake-ups: libzmq's readiness descriptor is edge-triggered, and its
//! own send/recv calls consume the signal. The stress test runs many
//! sockets with bursts, and peers sending while the reader is in the middle
//! of an operation (its sink sending on the same socket from another task),
//! and must finish under a timeout.
//!
//! The naive loop next to it ("wait until the descriptor is readable, clear
//! the readiness, receive once") is what several async bindings did; the
//! last test shows it stalls with a message waiting in the socket.

use std::os::fd::{AsRawFd, RawFd};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::io::unix::AsyncFd;
use tokio::time::timeout;
use zmq::{AsyncSocket, Context, Message, Multipart, PollEvents, SocketType};

const SOCKETS: usize = 24;
const BURSTS: usize = 60;
const LIMIT: Duration = Duration::from_secs(90);

/// Many DEALER/ROUTER pairs. Each peer ROUTER (async) sends bursts of 1-40
/// messages; the DEALER's reader task takes them off its Stream while its
/// writer task sends an acknowledgement per message through the Sink of
/// the same socket; the peer waits for all acknowledgements of a burst
/// before the next one, so any lost wake-up on either side stops the whole
/// pair, and the test with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_sockets_bursts_and_concurrent_sends_lose_no_wakeup() {
    let ctx = Context::new();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for pair in 0..SOCKETS {
        let router = AsyncSocket::new(ctx.socket(SocketType::Router).unwrap()).unwrap();
        let endpoint = if pair % 2 == 0 {
            router.get_ref().bind("tcp://127.0.0.1:*").unwrap();
            router.get_ref().last_endpoint().unwrap()
        } else {
            let e = format!("inproc://stress-{pair}");
            router.get_ref().bind(&e).unwrap();
            e
        };
        let dealer = ctx.socket(SocketType::Dealer).unwrap();
        dealer.set_routing_id(b"reader").unwrap();
        dealer.connect(&endpoint).unwrap();
        let dealer = AsyncSocket::new(dealer).unwrap();
        let (mut sink, mut stream) = dealer.split();
        let (ack_tx, mut ack_rx) = tokio::sync::mpsc::unbounded_channel::<u32>();

        // Reader: every message is handed to the writer as soon as it is in.
        tasks.push(tokio::spawn(async move {
            let mut expected = 0u32;
            while let Some(frames) = stream.next().await {
                let frames = frames.unwrap();
                let n = u32::from_le_bytes(frames[0][..4].try_into().unwrap());
                assert_eq!(n, expected, "pair {pair}: lost or reordered");
                expected += 1;
                if ack_tx.send(n).is_err() {
                    break;
                }
                if frames[1] == "last" {
                    break;
                }
            }
            expected
        }));
        // Writer: acknowledges on the same socket, concurrently.
        tasks.push(tokio::spawn(async move {
            let mut acked = 0;
            while let Some(n) = ack_rx.recv().await {
                let ack: Multipart = [Message::from(n.to_le_bytes().to_vec())]
                    .into_iter()
                    .collect();
                sink.send(ack).await.unwrap();
                acked += 1;
            }
            acked
        }));
        // Peer: bursts, each waiting for its acknowledgements.
        tasks.push(tokio::spawn(async move {
            let mut router = router;
            let mut n = 0u32;
            let mut burst_sizes = (0..BURSTS).map(|b| 1 + (b * 7 + pair * 13) % 40);
            let mut first = true;
            let mut total = 0;
            for (b, size) in burst_sizes.by_ref().enumerate() {
                if first {
                    // A ROUTER drops messages to a peer it does not know
                    // yet; with ROUTER_MANDATORY it says so
                    // (EHOSTUNREACH), and the first message is retried
                    // until the DEALER's connection is up.
                    router.get_ref().set_router_mandatory(true).unwrap();
                    loop {
                        let hello: Multipart = [
                            Message::from("reader"),
                            Message::from(n.to_le_bytes().to_vec()),
                            Message::from("data"),
                        ]
                        .into_iter()
                        .collect();
                        match router.send_multipart(hello).await {
                            Ok(()) => break,
                            Err(e) if e.kind() == zmq::ErrorKind::HostUnreachable => {
                                tokio::time::sleep(Duration::from_millis(2)).await
                            }
                            Err(e) => panic!("{e}"),
                        }
                    }
                    n += 1;
                    first = false;
                    let ack = router.recv_multipart().await.unwrap();
                    assert_eq!(&ack[1][..], &0u32.to_le_bytes());
                    total += 1;
                }
                let last_burst = b + 1 == BURSTS;
                for i in 0..size {
                    let tag = if last_burst && i + 1 == size {
                        "last"
                    } else {
                        "data"
                    };
                    router
                        .send_multipart([
                            Message::from("reader"),
                            Message::from(n.to_le_bytes().to_vec()),
                            Message::from(tag),
                        ])
                        .await
                        .unwrap();
                    n += 1;
                }
                for _ in 0..size {
                    let ack = router.recv_multipart().await.unwrap();
                    assert_eq!(ack.len(), 2);
                    total += 1;
                }
                if b % 5 == 0 {
                    tokio::time::sleep(Duration::from_micros(500)).await;
                }
            }
            total
        }));
    }
    let totals = timeout(LIMIT, futures_util::future::join_all(tasks))
        .await
        .expect("a lost wake-up stalled a pair");
    let totals: Vec<usize> = totals.into_iter().map(|t| t.unwrap() as usize).collect();
    let messages: usize = totals.chunks(3).map(|c| c[2]).sum();
    for c in totals.chunks(3) {
        assert_eq!(c[0], c[1]);
        assert_eq!(c[0], c[2]);
    }
    eprintln!(
        "{SOCKETS} pairs, {messages} messages and as many acknowledgements in {:?}",
        started.elapsed()
    );
}

/// The descriptor, borrowed for the naive loop.
struct Fd(RawFd);

impl AsRawFd for Fd {
    fn as_raw_fd(&self) -> RawFd {
        self.0
    }
}

/// The naive edge-triggered receive: wait for the descriptor, clear its
/// readiness, receive once. Wrong: one edge may stand for many messages,
/// and libzmq's recv consumes the signal of the ones behind it.
async fn naive_recv(fd: &AsyncFd<Fd>, socket: &zmq::Socket) -> Message {
    loop {
        let mut guard = fd.readable().await.unwrap();
        guard.clear_ready();
        if let Some(msg) = socket.try_recv_msg().unwrap() {
            return msg;
        }
    }
}

/// A burst of 20 messages: the naive loop takes one and then waits on a
/// descriptor that will never signal again, while 19 messages wait in the
/// socket (ZMQ_EVENTS says POLLIN). The same socket, driven by AsyncSocket,
/// then receives all 19 at once.
///
/// Over inproc, so that the whole burst is in the PULL's pipe when the
/// sends return and the descriptor signals once for all of it. (Over tcp
/// the burst could arrive in two batches; the second one signals again, and
/// the naive loop then got a second message in one CI run.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_naive_loop_stalls_with_messages_waiting() {
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("inproc://async-stress-naive-loop").unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect("inproc://async-stress-naive-loop").unwrap();
    // SAFETY: the PULL's ZMQ_FD stays open until `pull` is dropped, after
    // `fd` (dropped explicitly below).
    let fd = unsafe { AsyncFd::register(Fd(pull.as_raw_fd())) }.unwrap();
    for i in 0..20 {
        push.send(format!("{i}")).unwrap();
    }
    // Take the first message the naive way.
    let first = timeout(Duration::from_secs(10), naive_recv(&fd, &pull))
        .await
        .expect("the first message wakes even the naive loop");
    assert_eq!(first, "0");
    // The rest of the burst is waiting before the naive wait.
    let deadline = Instant::now() + Duration::from_secs(10);
    // (Socket::poll is level-triggered: it asks libzmq, not the descriptor.)
    while !pull
        .poll(PollEvents::POLLIN, Some(Duration::from_millis(10)))
        .unwrap()
        .contains(PollEvents::POLLIN)
    {
        assert!(Instant::now() < deadline);
    }
    let stalled = timeout(Duration::from_millis(500), naive_recv(&fd, &pull)).await;
    assert!(
        stalled.is_err(),
        "the naive loop got {:?}",
        stalled.map(|m| m.to_vec())
    );
    // The proof that it lost a wake-up: a message was there all along.
    assert!(pull.events().unwrap().contains(PollEvents::POLLIN));
    drop(fd);
    let mut pull = AsyncSocket::new(pull).unwrap();
    let rest = timeout(Duration::from_secs(10), async {
        let mut rest = Vec::new();
        for _ in 1..20 {
            rest.push(pull.recv_string().await.unwrap());
        }
        rest
    })
    .await
    .expect("AsyncSocket takes what the naive loop left");
    assert_eq!(rest, (1..20).map(|i| i.to_string()).collect::<Vec<_>>());
}
