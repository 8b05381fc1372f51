//! The shutdown policy: sockets keep libzmq's infinite linger, dropping the
//! last context waits for delivery at most its term timeout, then goes on
//! with a `log` warning; `Context::terminate` reports the outcome. Each
//! scenario counts what the peer really received.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use zmq::{Context, Message, SocketType, Termination};

/// Every `log` record of this test binary, as "LEVEL message".
fn log_records() -> &'static Mutex<Vec<String>> {
    struct Capture;
    static RECORDS: Mutex<Vec<String>> = Mutex::new(Vec::new());
    static LOGGER: Capture = Capture;
    impl log::Log for Capture {
        fn enabled(&self, _: &log::Metadata<'_>) -> bool {
            true
        }
        fn log(&self, record: &log::Record<'_>) {
            RECORDS
                .lock()
                .unwrap()
                .push(format!("{} {}", record.level(), record.args()));
        }
        fn flush(&self) {}
    }
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        log::set_logger(&LOGGER).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
    });
    &RECORDS
}

/// Runs `f` on a thread and waits at most `limit` for it; returns how long it took.
fn finishes_within(limit: Duration, f: impl FnOnce() + Send + 'static) -> Duration {
    let (tx, rx) = mpsc::channel();
    let start = Instant::now();
    std::thread::spawn(move || {
        f();
        let _ = tx.send(());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("still blocked after {limit:?}"));
    start.elapsed()
}

/// A PULL (in its own context) that counts `n` numbered frames, checking
/// their order, reading one every `pace`; returns how many arrived before a
/// 10 s silence.
fn counting_reader(
    kind: SocketType,
    n: usize,
    pace: Duration,
) -> (String, std::thread::JoinHandle<usize>) {
    let ctx = Context::new();
    let socket = ctx.socket(kind).unwrap();
    if kind == SocketType::Sub {
        socket.set_subscribe(b"").unwrap();
        socket.set_rcvhwm(0).unwrap();
    }
    socket.set_rcvtimeo(Some(Duration::from_secs(10))).unwrap();
    socket.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = socket.last_endpoint().unwrap();
    let reader = std::thread::spawn(move || {
        let mut msg = Message::new();
        let mut count = 0;
        while count < n {
            if socket.recv(&mut msg).is_err() {
                break;
            }
            if msg.len() >= 8 && msg[..8] == *b"sync----" {
                continue; // a publisher's probe, sent before the counted ones
            }
            let seq = u64::from_le_bytes(msg[..8].try_into().unwrap());
            assert_eq!(seq, count as u64, "reordered");
            count += 1;
            if !pace.is_zero() {
                std::thread::sleep(pace);
            }
        }
        drop(socket);
        drop(ctx);
        count
    });
    (endpoint, reader)
}

fn numbered(i: usize, size: usize) -> Vec<u8> {
    let mut frame = vec![0u8; size];
    frame[..8].copy_from_slice(&(i as u64).to_le_bytes());
    frame
}

#[test]
fn push_to_a_slow_connected_reader_loses_nothing_at_close() {
    // With the old 1 s linger this lost what the reader could not take in
    // the second after close (870 of 20,000 at 1 ms a message).
    const N: usize = 3_000;
    let (endpoint, reader) = counting_reader(SocketType::Pull, N, Duration::from_millis(1));
    finishes_within(Duration::from_secs(60), move || {
        let ctx = Context::new();
        let push = ctx.socket(SocketType::Push).unwrap();
        push.connect(&endpoint).unwrap();
        for i in 0..N {
            push.send(numbered(i, 1024)).unwrap();
        }
        // Thousands of messages are still queued (HWMs and kernel buffers).
        drop(push);
        drop(ctx);
    });
    assert_eq!(reader.join().unwrap(), N);
}

#[test]
fn pub_backlog_reaches_a_connected_subscriber_at_close() {
    // The old 1 s linger lost 16 % of 200,000 x 1 KiB here.
    const N: usize = 100_000;
    let (endpoint, reader) = counting_reader(SocketType::Sub, N, Duration::ZERO);
    let ctx = Context::new();
    let publisher = ctx.socket(SocketType::Pub).unwrap();
    publisher.set_sndhwm(0).unwrap();
    publisher.connect(&endpoint).unwrap();
    // The subscription must have arrived before the counted messages: send
    // probes until the monitor shows the connection, then a few more.
    let mut monitor = publisher
        .monitor(zmq::MonitorEvents::HANDSHAKE_SUCCEEDED)
        .unwrap();
    loop {
        let e = monitor
            .recv_timeout(Duration::from_secs(10))
            .unwrap()
            .expect("no handshake");
        if matches!(e.event, zmq::Event::HandshakeSucceeded) {
            break;
        }
    }
    drop(monitor);
    std::thread::sleep(Duration::from_millis(50)); // the SUB's subscription travels
    for i in 0..N {
        publisher.send(numbered(i, 1024)).unwrap();
    }
    drop(publisher);
    finishes_within(Duration::from_secs(60), move || drop(ctx));
    assert_eq!(reader.join().unwrap(), N);
}

#[test]
fn a_request_sent_before_its_server_starts_is_delivered() {
    // Reserve a port, then free it for the REP that starts later.
    let probe_ctx = Context::new();
    let probe = probe_ctx.socket(SocketType::Rep).unwrap();
    probe.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = probe.last_endpoint().unwrap();
    drop(probe);
    drop(probe_ctx);

    let client_endpoint = endpoint.clone();
    let client = std::thread::spawn(move || {
        let ctx = Context::new();
        let req = ctx.socket(SocketType::Req).unwrap();
        req.connect(&client_endpoint).unwrap();
        req.send("request").unwrap();
        drop(req);
        ctx.terminate(Some(Duration::from_secs(20))).unwrap()
    });
    // The old 1 s linger had given up by the time this server starts.
    std::thread::sleep(Duration::from_millis(1500));
    let ctx = Context::new();
    let rep = ctx.socket(SocketType::Rep).unwrap();
    rep.set_rcvtimeo(Some(Duration::from_secs(15))).unwrap();
    rep.bind(&endpoint).unwrap();
    assert_eq!(rep.recv_string().unwrap(), "request");
    assert_eq!(client.join().unwrap(), Termination::Complete);
}

#[test]
fn a_peer_that_never_comes_costs_the_term_timeout_and_a_warning() {
    let records = log_records();
    let ctx = Context::builder()
        .term_timeout(Some(Duration::from_millis(200)))
        .build()
        .unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect("tcp://127.0.0.1:9").unwrap(); // the discard port: nobody there
    push.send("never delivered").unwrap();
    drop(push);
    finishes_within(Duration::from_secs(10), move || drop(ctx));
    let records = records.lock().unwrap();
    assert!(
        records
            .iter()
            .any(|r| r.starts_with("WARN") && r.contains("PUSH tcp://127.0.0.1:9")),
        "no warning naming the socket: {records:?}"
    );
}

#[test]
fn the_default_term_timeout_bounds_the_exit() {
    // The registry crate's open issue: `main` returns with messages queued
    // for a peer that never comes, and zmq_ctx_term waits forever.
    let ctx = Context::new();
    assert_eq!(ctx.term_timeout(), Some(zmq::DEFAULT_TERM_TIMEOUT));
    let push = ctx.socket(SocketType::Push).unwrap();
    assert_eq!(push.linger().unwrap(), None, "libzmq's infinite linger");
    push.connect("tcp://127.0.0.1:9").unwrap();
    push.send("queued forever").unwrap();
    drop(push);
    let elapsed = finishes_within(
        zmq::DEFAULT_TERM_TIMEOUT + Duration::from_secs(20),
        move || drop(ctx),
    );
    assert!(elapsed >= zmq::DEFAULT_TERM_TIMEOUT, "{elapsed:?}");
}

#[test]
fn terminate_reports_whether_everything_was_delivered() {
    // Another handle alive: the context comes back.
    let ctx = Context::new();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect("tcp://127.0.0.1:9").unwrap();
    push.send("stuck").unwrap();
    let ctx = ctx.terminate(Some(Duration::ZERO)).unwrap_err();
    let clone = ctx.clone();
    drop(push);
    let ctx = ctx.terminate(Some(Duration::ZERO)).unwrap_err();
    drop(clone);
    match ctx.terminate(Some(Duration::from_millis(100))).unwrap() {
        Termination::TimedOut { lingering } => {
            assert_eq!(lingering, ["PUSH tcp://127.0.0.1:9"]);
        }
        other => panic!("{other:?}"),
    }

    // Everything taken by a connected reader: complete.
    const N: usize = 1_000;
    let (endpoint, reader) = counting_reader(SocketType::Pull, N, Duration::ZERO);
    let ctx = Context::new();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect(&endpoint).unwrap();
    for i in 0..N {
        push.send(numbered(i, 64)).unwrap();
    }
    drop(push);
    assert!(ctx
        .terminate(Some(Duration::from_secs(20)))
        .unwrap()
        .is_complete());
    assert_eq!(reader.join().unwrap(), N);
}

#[test]
fn zero_linger_and_no_timeout_are_one_call_away() {
    // czmq's policy: linger 0 drops the queue, termination is immediate.
    let ctx = Context::builder()
        .linger(Some(Duration::ZERO))
        .term_timeout(None)
        .build()
        .unwrap();
    assert_eq!(ctx.term_timeout(), None);
    let push = ctx.socket(SocketType::Push).unwrap();
    assert_eq!(push.linger().unwrap(), Some(Duration::ZERO));
    push.connect("tcp://127.0.0.1:9").unwrap();
    push.send("dropped").unwrap();
    drop(push);
    finishes_within(Duration::from_secs(10), move || {
        assert_eq!(ctx.terminate(None).unwrap(), Termination::Complete);
    });
}

/// Zero-copy bytes whose owner holds a context handle.
struct OwnerWithContext {
    data: Vec<u8>,
    ctx: Option<Context>,
    dropped: Arc<AtomicBool>,
}

impl AsRef<[u8]> for OwnerWithContext {
    fn as_ref(&self) -> &[u8] {
        &self.data
    }
}

impl Drop for OwnerWithContext {
    fn drop(&mut self) {
        drop(self.ctx.take()); // the last handle: the context terminates
        self.dropped.store(true, Ordering::SeqCst);
    }
}

#[test]
fn an_owner_holding_the_last_context_does_not_deadlock_libzmq() {
    // libzmq frees zero-copy content on its I/O thread; dropping the last
    // context there used to run zmq_ctx_term on that very thread: deadlock.
    let receiver_ctx = Context::new();
    let pull = receiver_ctx.socket(SocketType::Pull).unwrap();
    pull.set_rcvtimeo(Some(Duration::from_secs(10))).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();

    let dropped = Arc::new(AtomicBool::new(false));
    let ctx = Context::new();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect(&pull.last_endpoint().unwrap()).unwrap();
    let owner = OwnerWithContext {
        data: vec![7u8; 1 << 20], // large: sent zero-copy from the I/O thread
        ctx: Some(ctx.clone()),
        dropped: dropped.clone(),
    };
    push.send(Message::from_owner(owner)).unwrap();
    drop(push);
    drop(ctx); // now the owner, inside libzmq, holds the last handle
    let got = pull.recv_msg().unwrap();
    assert_eq!(got.len(), 1 << 20);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !dropped.load(Ordering::SeqCst) {
        assert!(
            Instant::now() < deadline,
            "the owner's context never finished terminating"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn terminate_honours_its_timeout_with_a_raw_socket_still_open() {
    // Was: with no socket closed with a linger, `terminate` took the plain
    // blocking zmq_ctx_term, which waits for the raw socket: forever.
    let ctx = Context::new();
    let socket = ctx.socket(SocketType::Pair).unwrap();
    let (raw, handle) = socket.into_raw();
    drop(handle);
    let outcome = Arc::new(Mutex::new(None));
    let seen = outcome.clone();
    let took = finishes_within(Duration::from_secs(5), move || {
        *seen.lock().unwrap() = Some(ctx.terminate(Some(Duration::from_millis(200))));
    });
    assert!(took >= Duration::from_millis(200), "{took:?}");
    let outcome = outcome.lock().unwrap().take().unwrap();
    assert!(
        matches!(outcome, Ok(Termination::TimedOut { .. })),
        "{outcome:?}"
    );
    // Closing the raw socket lets the background termination finish.
    // SAFETY: the socket came from into_raw and is closed once, here.
    assert_eq!(unsafe { zmq::sys::zmq_close(raw) }, 0);
}

/// An owner that terminates the last handle of its context from its drop,
/// which libzmq runs (its free callback), and records the outcome.
struct OwnerTerminating {
    data: Vec<u8>,
    ctx: Option<Context>,
    outcome: Arc<Mutex<Option<Result<Termination, ()>>>>,
}

impl AsRef<[u8]> for OwnerTerminating {
    fn as_ref(&self) -> &[u8] {
        &self.data
    }
}

impl Drop for OwnerTerminating {
    fn drop(&mut self) {
        if let Some(ctx) = self.ctx.take() {
            let outcome = ctx.terminate(Some(Duration::from_secs(5))).map_err(drop);
            *self.outcome.lock().unwrap() = Some(outcome);
        }
    }
}

#[test]
fn terminate_from_a_free_callback_does_not_claim_completion() {
    // Was: `Complete` in 0.2 ms while a message still lingered (the free
    // callback cannot wait: it may run on libzmq's own thread).
    let ctx = Context::new();
    let stuck = ctx.socket(SocketType::Push).unwrap();
    stuck.connect("tcp://127.0.0.1:9").unwrap(); // nobody: it lingers
    stuck.send("undeliverable").unwrap();
    drop(stuck);
    let outcome = Arc::new(Mutex::new(None));
    let msg = Message::from_owner(OwnerTerminating {
        data: vec![1u8; 100],
        ctx: Some(ctx),
        outcome: outcome.clone(),
    });
    drop(msg); // the free callback runs here, and terminates the context
    let outcome = outcome
        .lock()
        .unwrap()
        .take()
        .expect("the owner was dropped");
    match outcome {
        Ok(Termination::TimedOut { lingering }) => {
            assert!(
                lingering.iter().any(|s| s.contains("tcp://127.0.0.1:9")),
                "{lingering:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_monitor_on_another_thread_does_not_keep_the_context_alive() {
    // Was: the monitor's socket held a handle of the context, so the
    // application's last handle terminated nothing: `terminate` said Err,
    // a plain drop returned at once, and queued messages were lost at
    // process exit without a word.
    let (endpoint, reader) = counting_reader(SocketType::Pull, 200, Duration::from_millis(1));
    let ctx = Context::new();
    let push = ctx.socket(SocketType::Push).unwrap();
    let mut monitor = push.monitor(zmq::monitor::MonitorEvents::ALL).unwrap();
    let watcher = std::thread::spawn(move || loop {
        match monitor.recv() {
            Ok(_) => continue,
            Err(e) => return e.kind(),
        }
    });
    push.connect(&endpoint).unwrap();
    for i in 0..200 {
        push.send(numbered(i, 1024)).unwrap();
    }
    drop(push);
    let outcome = ctx.terminate(Some(Duration::from_secs(10)));
    assert!(matches!(outcome, Ok(Termination::Complete)), "{outcome:?}");
    assert_eq!(watcher.join().unwrap(), zmq::ErrorKind::Terminated);
    assert_eq!(reader.join().unwrap(), 200, "every message was delivered");
}
