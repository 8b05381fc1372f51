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

// ---- senders held back by a slow peer -------------------------------------------

/// Runs per shape below: `ZMQ_ASYNC_STRESS_RUNS`, or this (a few seconds in
/// all on a loaded 2-core machine; CI's async stage runs more).
const DEFAULT_RUNS: usize = 40;
/// Senders at once in each run (each with its own sockets and slow peer):
/// they keep the runtime's two workers busy, which is when a readiness
/// notification waits longest in the kernel before tokio's reactor takes it.
const INSTANCES: usize = 4;
/// Messages per sender and run.
const MESSAGES: u32 = 200;
/// A send that waits this long while its peer takes a message every few
/// microseconds is stuck.
const STUCK: Duration = Duration::from_secs(3);

fn runs() -> usize {
    std::env::var("ZMQ_ASYNC_STRESS_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_RUNS)
}

/// The async sender's kind, and what holds it back.
#[derive(Clone, Copy, Debug)]
enum Shape {
    /// ROUTER with ROUTER_MANDATORY and SNDHWM 1 sending to one slow peer
    /// while another, idle, peer has room: ZMQ_EVENTS says POLLOUT
    /// throughout, yet the send would block until the slow peer reads.
    RouterMandatory,
    /// DEALER, SNDHWM 1, one slow peer.
    Dealer,
    /// PUSH, SNDHWM 1, one slow PULL.
    Push,
    /// XPUB with XPUB_NODROP and SNDHWM 1, one slow SUB: POLLOUT throughout
    /// as well, yet the send would block while the SUB's pipe is full.
    XpubNodrop,
    /// SERVER (thread-safe DRAFT type: waits on a `zmq_poller`'s
    /// descriptor), SNDHWM 1, one slow CLIENT: a SERVER is always POLLOUT.
    #[cfg(feature = "draft")]
    Server,
}

/// Message `i` of `shape`, to the peer `routing_id` for a SERVER.
fn slow_peer_message(shape: Shape, routing_id: u32, i: u32) -> Vec<Message> {
    let body = Message::from(i.to_le_bytes().to_vec());
    match shape {
        Shape::RouterMandatory => vec![Message::from("slow"), body],
        #[cfg(feature = "draft")]
        Shape::Server => {
            let mut body = body;
            body.set_routing_id(routing_id).unwrap();
            vec![body]
        }
        _ => {
            let _ = routing_id;
            vec![body]
        }
    }
}

/// One sender and its slow peer (a blocking socket on its own thread that
/// takes the messages with short pauses). Sends `MESSAGES` messages, each
/// under the `STUCK` watchdog.
async fn slow_peer_run(
    ctx: Context,
    shape: Shape,
    run: usize,
    instance: usize,
) -> std::result::Result<(), String> {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    let endpoint = format!("inproc://async-stress-{shape:?}-{run}-{instance}");
    let (sender_kind, peer_kind) = match shape {
        Shape::RouterMandatory => (SocketType::Router, SocketType::Dealer),
        Shape::Dealer => (SocketType::Dealer, SocketType::Dealer),
        Shape::Push => (SocketType::Push, SocketType::Pull),
        Shape::XpubNodrop => (SocketType::Xpub, SocketType::Sub),
        #[cfg(feature = "draft")]
        Shape::Server => (SocketType::Server, SocketType::Client),
    };
    let sender = ctx.socket(sender_kind).unwrap();
    sender.set_linger(Some(Duration::ZERO)).unwrap();
    sender.set_sndhwm(1).unwrap();
    match shape {
        Shape::RouterMandatory => sender.set_router_mandatory(true).unwrap(),
        Shape::XpubNodrop => sender.set_xpub_nodrop(true).unwrap(),
        _ => {}
    }
    sender.bind(&endpoint).unwrap();
    let mut sender = AsyncSocket::new(sender).unwrap();

    let peer = ctx.socket(peer_kind).unwrap();
    peer.set_linger(Some(Duration::ZERO)).unwrap();
    peer.set_rcvhwm(1).unwrap();
    peer.set_rcvtimeo(Some(STUCK * 2)).unwrap();
    match shape {
        Shape::RouterMandatory => peer.set_routing_id(b"slow").unwrap(),
        Shape::XpubNodrop => peer.set_subscribe(b"").unwrap(),
        _ => {}
    }
    peer.connect(&endpoint).unwrap();
    let idle = ctx.socket(SocketType::Dealer).unwrap();
    idle.set_linger(Some(Duration::ZERO)).unwrap();

    // The first message of the loop below, and a SERVER's peer.
    let (first, routing_id) = match shape {
        Shape::RouterMandatory => {
            idle.set_routing_id(b"idle").unwrap();
            idle.connect(&endpoint).unwrap();
            // The ROUTER knows a peer once its pipe is attached; until then
            // ROUTER_MANDATORY refuses (HostUnreachable). The idle peer gets
            // one message (its pipe keeps room for 1,000 more); the slow
            // one gets message 0.
            let hello = vec![Message::from("idle"), Message::from("hello")];
            for frames in [hello, slow_peer_message(shape, 0, 0)] {
                loop {
                    let again: Vec<Vec<u8>> = frames.iter().map(|m| m.to_vec()).collect();
                    match timeout(STUCK, sender.send_multipart(again)).await {
                        Ok(Ok(())) => break,
                        Ok(Err(e)) if e.kind() == zmq::ErrorKind::HostUnreachable => {
                            tokio::time::sleep(Duration::from_millis(1)).await
                        }
                        other => return Err(format!("{shape:?}: first send: {other:?}")),
                    }
                }
            }
            (1, 0)
        }
        Shape::XpubNodrop => {
            // The subscription, before any message (XPUB drops what no one
            // subscribed to).
            let sub = timeout(STUCK, sender.recv_msg()).await;
            if !matches!(&sub, Ok(Ok(m)) if m[..] == [1]) {
                return Err(format!("{shape:?}: no subscription: {sub:?}"));
            }
            (0, 0)
        }
        #[cfg(feature = "draft")]
        Shape::Server => {
            // The SERVER learns the CLIENT's routing id from its first
            // message.
            peer.send("hello").unwrap();
            match timeout(STUCK, sender.recv_msg()).await {
                Ok(Ok(m)) if m == "hello" => (0, m.routing_id().unwrap()),
                other => return Err(format!("{shape:?}: no hello: {other:?}")),
            }
        }
        _ => (0, 0),
    };
    let frames = |i: u32| slow_peer_message(shape, routing_id, i);

    let received = Arc::new(AtomicU32::new(0));
    let reader = {
        let received = Arc::clone(&received);
        std::thread::spawn(move || -> std::result::Result<(), String> {
            for i in 0..MESSAGES {
                let frames = peer
                    .recv_multipart()
                    .map_err(|e| format!("the slow peer's receive {i}: {e}"))?;
                if frames.len() != 1 || frames[0][..] != i.to_le_bytes() {
                    return Err(format!("the slow peer's message {i} is wrong"));
                }
                received.store(i + 1, Ordering::SeqCst);
                if i % 4 == 3 {
                    std::thread::sleep(Duration::from_micros(20));
                }
            }
            Ok(())
        })
    };

    for i in first..MESSAGES {
        // Not tokio::time::timeout: it polls the send once more when the
        // time is up, and that poll would complete a send whose wake-up was
        // lost. The watchdog looks at the clock first.
        let send = sender.send_multipart(frames(i));
        let r = tokio::select! {
            biased;
            () = tokio::time::sleep(STUCK) => Err(()),
            r = send => Ok(r),
        };
        match r {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(format!("{shape:?} run {run}.{instance}: send {i}: {e}")),
            Err(_) => {
                let got = received.load(Ordering::SeqCst);
                // Nothing else touches the socket now: a non-blocking send
                // shows whether the pipe had room all along.
                let retry = sender.get_ref().try_send_multipart(frames(i));
                return Err(format!(
                    "{shape:?} run {run}.{instance}: send_multipart of message {i} stuck for \
                     {STUCK:?} although the slow peer had taken {got} of the {i} messages sent \
                     before it; a non-blocking send tried then: {} (a lost wake-up if it went)",
                    match retry {
                        Ok(None) => "went through at once".to_string(),
                        Ok(Some(_)) => "would block".to_string(),
                        Err(e) => format!("failed: {e}"),
                    }
                ));
            }
        }
    }
    tokio::task::spawn_blocking(move || reader.join())
        .await
        .unwrap()
        .map_err(|_| "the slow peer panicked".to_string())?
        .map_err(|e| format!("{shape:?} run {run}.{instance}: {e}"))?;
    drop(idle);
    Ok(())
}

/// `runs()` runs of `INSTANCES` senders of `shape` at once.
async fn slow_peer_stress(shape: Shape) {
    let ctx = Context::new();
    let started = Instant::now();
    let runs = runs();
    for run in 0..runs {
        let senders = (0..INSTANCES)
            .map(|instance| tokio::spawn(slow_peer_run(ctx.clone(), shape, run, instance)));
        for result in futures_util::future::join_all(senders).await {
            if let Err(e) = result.unwrap() {
                panic!("{e}");
            }
        }
    }
    eprintln!(
        "{shape:?}: {runs} runs of {INSTANCES} senders x {MESSAGES} messages in {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn router_mandatory_to_a_slow_peer_beside_an_idle_one_never_sticks() {
    slow_peer_stress(Shape::RouterMandatory).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dealer_to_a_slow_peer_never_sticks() {
    slow_peer_stress(Shape::Dealer).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_with_hwm_1_to_a_slow_pull_never_sticks() {
    slow_peer_stress(Shape::Push).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xpub_nodrop_to_a_slow_sub_never_sticks() {
    slow_peer_stress(Shape::XpubNodrop).await;
}

#[cfg(feature = "draft")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn draft_server_to_a_slow_client_never_sticks() {
    slow_peer_stress(Shape::Server).await;
}

/// The other half of the rule for a send that ZMQ_EVENTS cannot vouch for:
/// it waits for the slow peer without spinning. A ROUTER_MANDATORY send to
/// a full peer, beside an idle peer (POLLOUT throughout), waits 300 ms for
/// the peer to read; the time spent inside its polls and their number stay
/// small (a retry without a sign of new commands would spend the whole
/// 300 ms in one poll, or poll thousands of times).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_router_mandatory_send_to_a_full_peer_waits_without_spinning() {
    use std::future::Future;
    use std::sync::{Arc, Mutex};

    let ctx = Context::new();
    let router = ctx.socket(SocketType::Router).unwrap();
    router.set_router_mandatory(true).unwrap();
    router.set_sndhwm(1).unwrap();
    router.set_linger(Some(Duration::ZERO)).unwrap();
    router.bind("inproc://async-stress-no-spin").unwrap();
    let mut router = AsyncSocket::new(router).unwrap();
    let slow = ctx.socket(SocketType::Dealer).unwrap();
    slow.set_routing_id(b"slow").unwrap();
    slow.set_rcvhwm(1).unwrap();
    slow.set_rcvtimeo(Some(Duration::from_secs(10))).unwrap();
    slow.connect("inproc://async-stress-no-spin").unwrap();
    let idle = ctx.socket(SocketType::Dealer).unwrap();
    idle.set_routing_id(b"idle").unwrap();
    idle.connect("inproc://async-stress-no-spin").unwrap();
    // Both peers known (ROUTER_MANDATORY: HostUnreachable until then); the
    // slow one's pipe then filled until a send would block.
    let mut queued = 0;
    for peer in ["idle", "slow"] {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match router.get_ref().try_send_multipart([peer, "first"]) {
                Ok(None) => break,
                Err(e) if e.kind() == zmq::ErrorKind::HostUnreachable => {
                    assert!(Instant::now() < deadline, "{peer} never attached");
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                other => panic!("{peer}: {other:?}"),
            }
        }
    }
    queued += 1;
    while router
        .get_ref()
        .try_send_multipart(["slow", "fill"])
        .unwrap()
        .is_none()
    {
        queued += 1;
        assert!(queued < 100, "the slow peer's pipe never filled");
    }
    assert!(router
        .get_ref()
        .events()
        .unwrap()
        .contains(PollEvents::POLLOUT));

    // The send, with the time spent inside its polls metered.
    let meter = Arc::new(Mutex::new((0u32, Duration::ZERO)));
    let send_meter = Arc::clone(&meter);
    let sender = tokio::spawn(async move {
        let mut send = Box::pin(router.send_multipart(["slow", "last"]));
        std::future::poll_fn(|cx| {
            let started = Instant::now();
            let poll = send.as_mut().poll(cx);
            let mut meter = send_meter.lock().unwrap();
            meter.0 += 1;
            meter.1 += started.elapsed();
            poll
        })
        .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!sender.is_finished(), "the send waits for the slow peer");
    // The peer reads everything; the send then goes through.
    let reader = tokio::task::spawn_blocking(move || {
        for _ in 0..=queued {
            slow.recv_multipart().unwrap();
        }
    });
    timeout(Duration::from_secs(10), sender)
        .await
        .expect("the send completes once the peer has read")
        .unwrap()
        .unwrap();
    reader.await.unwrap();
    // (Read now: a poll that spun would still be running before the read.)
    let (polls, busy) = *meter.lock().unwrap();
    eprintln!("300 ms of waiting: {polls} polls, {busy:?} inside them");
    assert!(polls <= 50, "{polls} polls in 300 ms: the send spins");
    assert!(
        busy < Duration::from_millis(150),
        "{busy:?} of 300 ms inside the send's polls: it spins"
    );
    drop(idle);
}

/// Rule 5 beside rule 4: a ROUTER_MANDATORY socket split in two tasks. Its
/// Sink sends to a slow peer (sends that `ZMQ_EVENTS` cannot vouch for,
/// with the idle-peer situation made by a second peer), while its Stream
/// receives what that second peer sends all along; both wait at once, each
/// under the watchdog.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn split_router_mandatory_sends_to_a_slow_peer_while_receiving() {
    let ctx = Context::new();
    let started = Instant::now();
    let runs = runs();
    for run in 0..runs {
        let pairs =
            (0..INSTANCES).map(|instance| tokio::spawn(split_run(ctx.clone(), run, instance)));
        for result in futures_util::future::join_all(pairs).await {
            if let Err(e) = result.unwrap() {
                panic!("{e}");
            }
        }
    }
    eprintln!(
        "split ROUTER: {runs} runs of {INSTANCES} x {MESSAGES} messages each way in {:?}",
        started.elapsed()
    );
}

async fn split_run(ctx: Context, run: usize, instance: usize) -> std::result::Result<(), String> {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    let endpoint = format!("inproc://async-stress-split-{run}-{instance}");
    let router = ctx.socket(SocketType::Router).unwrap();
    router.set_router_mandatory(true).unwrap();
    router.set_sndhwm(1).unwrap();
    router.set_linger(Some(Duration::ZERO)).unwrap();
    router.bind(&endpoint).unwrap();
    let mut router = AsyncSocket::new(router).unwrap();
    let slow = ctx.socket(SocketType::Dealer).unwrap();
    slow.set_routing_id(b"slow").unwrap();
    slow.set_rcvhwm(1).unwrap();
    slow.set_rcvtimeo(Some(STUCK * 2)).unwrap();
    slow.set_linger(Some(Duration::ZERO)).unwrap();
    slow.connect(&endpoint).unwrap();
    let chatty = ctx.socket(SocketType::Dealer).unwrap();
    chatty.set_routing_id(b"chatty").unwrap();
    chatty.set_linger(Some(Duration::ZERO)).unwrap();
    chatty.connect(&endpoint).unwrap();
    let to_slow = |i: u32| -> Multipart {
        [
            Message::from("slow"),
            Message::from(i.to_le_bytes().to_vec()),
        ]
        .into_iter()
        .collect()
    };
    // Message 0 once the ROUTER knows the slow peer.
    loop {
        match timeout(STUCK, router.send_multipart(to_slow(0))).await {
            Ok(Ok(())) => break,
            Ok(Err(e)) if e.kind() == zmq::ErrorKind::HostUnreachable => {
                tokio::time::sleep(Duration::from_millis(1)).await
            }
            other => return Err(format!("split: first send: {other:?}")),
        }
    }
    let received = Arc::new(AtomicU32::new(0));
    let reader = {
        let received = Arc::clone(&received);
        std::thread::spawn(move || -> std::result::Result<(), String> {
            for i in 0..MESSAGES {
                let frames = slow
                    .recv_multipart()
                    .map_err(|e| format!("the slow peer's receive {i}: {e}"))?;
                if frames.len() != 1 || frames[0][..] != i.to_le_bytes() {
                    return Err(format!("the slow peer's message {i} is wrong"));
                }
                received.store(i + 1, Ordering::SeqCst);
                if i % 4 == 3 {
                    std::thread::sleep(Duration::from_micros(20));
                }
            }
            Ok(())
        })
    };
    let sent = Arc::new(AtomicU32::new(0));
    let talker = {
        let sent = Arc::clone(&sent);
        std::thread::spawn(move || {
            for i in 0..MESSAGES {
                chatty.send(i.to_le_bytes().to_vec()).unwrap();
                sent.store(i + 1, Ordering::SeqCst);
                if i % 4 == 3 {
                    std::thread::sleep(Duration::from_micros(20));
                }
            }
            chatty
        })
    };
    let (mut sink, mut stream) = router.split();
    let receiving = tokio::spawn(async move {
        for i in 0..MESSAGES {
            let next = tokio::select! {
                biased;
                () = tokio::time::sleep(STUCK) => None,
                next = stream.next() => Some(next),
            };
            match next {
                Some(Some(Ok(frames))) if frames.len() == 2 && frames[1][..] == i.to_le_bytes() => {
                }
                Some(other) => return Err(format!("split: receive {i}: {other:?}")),
                None => {
                    return Err(format!(
                        "split run {run}.{instance}: the Stream's receive of message {i} stuck \
                         for {STUCK:?} although the peer had sent {} messages",
                        sent.load(Ordering::SeqCst)
                    ))
                }
            }
        }
        Ok(())
    });
    for i in 1..MESSAGES {
        let r = tokio::select! {
            biased;
            () = tokio::time::sleep(STUCK) => None,
            r = sink.send(to_slow(i)) => Some(r),
        };
        match r {
            Some(Ok(())) => {}
            Some(Err(e)) => return Err(format!("split: send {i}: {e}")),
            None => {
                return Err(format!(
                    "split run {run}.{instance}: the Sink's send of message {i} stuck for \
                     {STUCK:?} although the slow peer had taken {} of the {i} messages sent \
                     before it",
                    received.load(Ordering::SeqCst)
                ))
            }
        }
    }
    receiving.await.unwrap()?;
    tokio::task::spawn_blocking(move || (reader.join(), talker.join()))
        .await
        .map_err(|_| "split: join".to_string())
        .and_then(|(r, t)| {
            drop(t.map_err(|_| "the chatty peer panicked".to_string())?);
            r.map_err(|_| "the slow peer panicked".to_string())?
        })
        .map_err(|e| format!("split run {run}.{instance}: {e}"))
}
