//! Context: lifetime, options, shutdown, and the linger policy that keeps
//! programs from hanging at exit.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use zmq::{Context, Error, RecvFlags, SendFlags, SocketType};

fn assert_send_sync<T: Send + Sync + Clone>() {}

#[test]
fn context_is_shared_across_threads() {
    assert_send_sync::<Context>();
    let ctx = Context::new();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let ctx = ctx.clone();
            std::thread::spawn(move || {
                let s = ctx.socket(SocketType::Pair).unwrap();
                s.bind(&format!("inproc://ctx-thread-{i}")).unwrap();
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

#[test]
fn sockets_keep_their_context_alive() {
    // Dropping every Context handle first must not free libzmq's context
    // under the sockets (the registry crate's use-after-free).
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("inproc://keep-alive").unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect("inproc://keep-alive").unwrap();
    drop(ctx);
    push.send("still alive", SendFlags::empty()).unwrap();
    assert_eq!(pull.recv_string(RecvFlags::empty()).unwrap(), "still alive");
    let ctx2 = pull.context().clone();
    drop(pull);
    drop(push);
    ctx2.socket(SocketType::Pub).unwrap();
}

#[test]
fn typed_context_options() {
    let ctx = Context::new();
    assert_eq!(ctx.io_threads().unwrap(), 1);
    ctx.set_io_threads(2).unwrap();
    assert_eq!(ctx.io_threads().unwrap(), 2);
    ctx.set_max_sockets(100).unwrap();
    assert_eq!(ctx.max_sockets().unwrap(), 100);
    assert!(ctx.socket_limit().unwrap() > 1000);
    assert_eq!(ctx.msg_t_size().unwrap(), 64);
    ctx.set_max_msgsz(4096).unwrap();
    assert_eq!(ctx.max_msgsz().unwrap(), 4096);
    assert!(!ctx.ipv6().unwrap());
    ctx.set_ipv6(true).unwrap();
    assert!(ctx.ipv6().unwrap());
    assert!(ctx.blocky().unwrap());
    ctx.set_blocky(false).unwrap();
    assert!(!ctx.blocky().unwrap());
    assert!(matches!(
        ctx.set_thread_priority(-2),
        Err(Error::InvalidArgument)
    ));
    ctx.set_thread_priority(0).unwrap();
    ctx.set_thread_name_prefix(7).unwrap();
    assert!(matches!(
        ctx.set_io_threads(-1),
        Err(Error::InvalidArgument)
    ));
    assert!(matches!(
        ctx.set_max_sockets(-5),
        Err(Error::InvalidArgument)
    ));

    let built = Context::builder()
        .io_threads(3)
        .max_sockets(50)
        .linger(Some(Duration::from_millis(250)))
        .sndhwm(10)
        .rcvhwm(20)
        .build()
        .unwrap();
    assert_eq!(built.io_threads().unwrap(), 3);
    let s = built.socket(SocketType::Push).unwrap();
    assert_eq!(s.linger().unwrap(), Some(Duration::from_millis(250)));
    assert_eq!(s.sndhwm().unwrap(), 10);
    assert_eq!(s.rcvhwm().unwrap(), 20);
    assert!(Context::builder().sndhwm(-1).build().is_err());
}

#[test]
fn default_linger_policy_and_overrides() {
    let ctx = Context::new();
    assert_eq!(ctx.default_linger(), Some(zmq::DEFAULT_LINGER));
    let s = ctx.socket(SocketType::Push).unwrap();
    assert_eq!(s.linger().unwrap(), Some(zmq::DEFAULT_LINGER));
    // Infinite linger is still available, per socket and per context.
    s.set_linger(None).unwrap();
    assert_eq!(s.linger().unwrap(), None);
    ctx.set_default_linger(None);
    assert_eq!(
        ctx.socket(SocketType::Push).unwrap().linger().unwrap(),
        None
    );
    ctx.set_default_linger(Some(Duration::ZERO));
    assert_eq!(
        ctx.socket(SocketType::Push).unwrap().linger().unwrap(),
        Some(Duration::ZERO)
    );
}

#[test]
fn shutdown_unblocks_recv_in_another_thread() {
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("inproc://shutdown-test").unwrap();
    let (tx, rx) = mpsc::channel();
    let blocked = std::thread::spawn(move || {
        tx.send(()).unwrap();
        let result = pull.recv_msg(RecvFlags::empty());
        (result.map(|_| ()), pull)
    });
    rx.recv().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    ctx.shutdown().unwrap();
    let (result, pull) = blocked.join().unwrap();
    assert!(matches!(result, Err(Error::Terminated)), "{result:?}");
    // Later calls fail the same way, and nothing hangs on drop.
    assert!(matches!(
        pull.recv_msg(RecvFlags::DONTWAIT),
        Err(Error::Terminated)
    ));
    assert!(matches!(
        ctx.socket(SocketType::Pair),
        Err(Error::Terminated)
    ));
}

/// Runs `f` on a thread and waits at most `limit` for it.
fn finishes_within(limit: Duration, f: impl FnOnce() + Send + 'static) -> Duration {
    let (tx, rx) = mpsc::channel();
    let start = Instant::now();
    std::thread::spawn(move || {
        f();
        let _ = tx.send(());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("still blocked after {limit:?}: the context hangs"));
    start.elapsed()
}

#[test]
fn never_connected_peer_does_not_hang_exit() {
    // The registry crate's open issue: a PUSH socket holds messages for a
    // peer that never comes, `main` returns, zmq_ctx_term waits forever.
    let elapsed = finishes_within(Duration::from_secs(20), || {
        let ctx = Context::new();
        let push = ctx.socket(SocketType::Push).unwrap();
        push.connect("tcp://127.0.0.1:9").unwrap(); // discard port: nobody there
        push.send("queued forever", SendFlags::empty()).unwrap();
        drop(push);
        drop(ctx); // terminates the context: bounded by DEFAULT_LINGER
    });
    println!(
        "context terminated after {elapsed:?} (DEFAULT_LINGER = {:?})",
        zmq::DEFAULT_LINGER
    );
}

#[test]
fn connected_peer_receives_everything_queued_before_close() {
    const N: usize = 20_000;
    let receiver_ctx = Context::new();
    let pull = receiver_ctx.socket(SocketType::Pull).unwrap();
    pull.set_rcvtimeo(Some(Duration::from_secs(10))).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = pull.last_endpoint().unwrap();
    let reader = std::thread::spawn(move || {
        let mut count = 0;
        while count < N {
            match pull.recv_msg(RecvFlags::empty()) {
                Ok(_) => count += 1,
                Err(e) => panic!("lost messages: got {count} of {N}: {e}"),
            }
        }
        count
    });
    finishes_within(Duration::from_secs(30), move || {
        let ctx = Context::new();
        let push = ctx.socket(SocketType::Push).unwrap();
        push.set_sndhwm(0).unwrap(); // queue everything at once, then close
        push.connect(&endpoint).unwrap();
        for i in 0..N {
            push.send(format!("message {i}"), SendFlags::empty())
                .unwrap();
        }
        // Closing with most of the messages still queued: the linger
        // delivers them to the connected peer.
    });
    assert_eq!(reader.join().unwrap(), N);
}

#[test]
fn raw_context_round_trip() {
    // SAFETY: a fresh context from zmq_ctx_new, owned by nobody else.
    let ctx = unsafe { Context::from_raw(zmq::sys::zmq_ctx_new()) }.unwrap();
    ctx.socket(SocketType::Req).unwrap();
    // SAFETY: null is rejected.
    assert!(unsafe { Context::from_raw(std::ptr::null_mut()) }.is_err());
}
