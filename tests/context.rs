//! Context: lifetime, options, shutdown (the termination policy has its own
//! file, tests/shutdown.rs).

use std::sync::mpsc;
use std::time::Duration;

use zmq::{Context, SocketType};

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
    push.send("still alive").unwrap();
    assert_eq!(pull.recv_string().unwrap(), "still alive");
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
        Err(ref e)
    if e.kind() == zmq::ErrorKind::InvalidArgument
    ));
    ctx.set_thread_priority(0).unwrap();
    ctx.set_thread_name_prefix(7).unwrap();
    assert!(matches!(
        ctx.set_io_threads(-1),
        Err(ref e)
    if e.kind() == zmq::ErrorKind::InvalidArgument
    ));
    assert!(matches!(
        ctx.set_max_sockets(-5),
        Err(ref e)
    if e.kind() == zmq::ErrorKind::InvalidArgument
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
fn default_linger_is_libzmqs_and_overridable() {
    let ctx = Context::new();
    // libzmq's infinite linger: the shutdown policy (tests/shutdown.rs)
    // bounds termination instead of dropping messages at close.
    assert_eq!(ctx.default_linger(), None);
    let s = ctx.socket(SocketType::Push).unwrap();
    assert_eq!(s.linger().unwrap(), None);
    ctx.set_default_linger(Some(Duration::ZERO));
    assert_eq!(
        ctx.socket(SocketType::Push).unwrap().linger().unwrap(),
        Some(Duration::ZERO)
    );
}

#[test]
fn max_msgsz_is_not_enforced_by_libzmq_as_documented() {
    // The context option is documented as unenforced (libzmq 4.3.5 stores
    // it only); the socket option ZMQ_MAXMSGSIZE is the protection.
    let ctx = Context::builder().max_msgsz(16).build().unwrap();
    assert_eq!(ctx.max_msgsz().unwrap(), 16);
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect(&pull.last_endpoint().unwrap()).unwrap();
    push.send(vec![1u8; 1000]).unwrap();
    assert_eq!(pull.recv_msg().unwrap().len(), 1000);

    // The socket option does protect: a larger frame disconnects the peer.
    let guarded = ctx.socket(SocketType::Pull).unwrap();
    guarded.set_maxmsgsize(16).unwrap();
    guarded.bind("tcp://127.0.0.1:*").unwrap();
    let mut monitor = guarded.monitor(zmq::MonitorEvents::DISCONNECTED).unwrap();
    push.disconnect(&pull.last_endpoint().unwrap()).unwrap();
    push.connect(&guarded.last_endpoint().unwrap()).unwrap();
    push.send(vec![1u8; 1000]).unwrap();
    let event = monitor
        .recv_timeout(Duration::from_secs(10))
        .unwrap()
        .expect("the oversized peer was not disconnected");
    assert!(
        matches!(event.event, zmq::Event::Disconnected { .. }),
        "{event:?}"
    );
    assert!(matches!(guarded.try_recv_msg(), Ok(None)));
    push.set_linger(Some(Duration::ZERO)).unwrap();
}

#[test]
fn shutdown_unblocks_recv_in_another_thread() {
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("inproc://shutdown-test").unwrap();
    let (tx, rx) = mpsc::channel();
    let blocked = std::thread::spawn(move || {
        tx.send(()).unwrap();
        let result = pull.recv_msg();
        (result.map(|_| ()), pull)
    });
    rx.recv().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    ctx.shutdown().unwrap();
    let (result, pull) = blocked.join().unwrap();
    assert!(
        matches!(result, Err(ref e) if e.kind() == zmq::ErrorKind::Terminated),
        "{result:?}"
    );
    // Later calls fail the same way, and nothing hangs on drop.
    assert!(matches!(
        pull.try_recv_msg(),
        Err(ref e)
    if e.kind() == zmq::ErrorKind::Terminated
    ));
    assert!(matches!(
        ctx.socket(SocketType::Pair),
        Err(ref e)
    if e.kind() == zmq::ErrorKind::Terminated
    ));
}

#[test]
fn raw_context_round_trip() {
    // SAFETY: a fresh context from zmq_ctx_new, owned by nobody else.
    let ctx = unsafe { Context::from_raw(zmq::sys::zmq_ctx_new()) }.unwrap();
    ctx.socket(SocketType::Req).unwrap();
    // SAFETY: null is rejected.
    assert!(unsafe { Context::from_raw(std::ptr::null_mut()) }.is_err());
}
