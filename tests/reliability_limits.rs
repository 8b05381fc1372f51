//! Every blocking call ends: `Context::shutdown()` from another thread ends
//! recv, send, poll, a Poller, a proxy and a monitor with `Terminated`; a
//! signal (handler installed without SA_RESTART) ends each of them with
//! `Interrupted`, and the sockets work afterwards. Limits: a context's
//! `max_sockets` gives `TooManySockets` and recovers when sockets are
//! closed. `fork()`: what a child may do with the parent's context.
//! (The process-level faults and `ulimit -n` are in reliability_faults.rs.)

use std::sync::mpsc;
use std::sync::Once;
use std::time::{Duration, Instant};

use zmq::{Context, ErrorKind, PollEvents, PollItem, Poller, Socket, SocketType};

/// Generous bound for a call that should return at once.
const BOUND: Duration = Duration::from_secs(5);

// ---- signals ------------------------------------------------------------

extern "C" fn ignore_signal(_: libc::c_int) {}

/// SIGUSR1 gets a handler without SA_RESTART, so a blocking system call it
/// lands in fails with EINTR (the default action would kill the process).
fn install_handler() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: a zeroed sigaction is valid; the handler only returns
        // (async-signal-safe); no SA_RESTART on purpose.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = ignore_signal as *const () as usize;
            action.sa_flags = 0;
            libc::sigemptyset(&mut action.sa_mask);
            assert_eq!(
                libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut()),
                0
            );
        }
    });
}

/// Runs `call` on its own thread and signals that thread every 20 ms until
/// the call returns (a signal sent before the call blocked is harmless: the
/// next one lands in it). The thread stays alive until the signals stop, so
/// no signal goes to a thread that has exited.
fn interrupted<T: Send + 'static>(call: impl FnOnce() -> T + Send + 'static) -> T {
    install_handler();
    let (tid_tx, tid_rx) = mpsc::channel();
    let (result_tx, result_rx) = mpsc::channel();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let thread = std::thread::spawn(move || {
        // SAFETY: pthread_self has no preconditions.
        tid_tx.send(unsafe { libc::pthread_self() }).unwrap();
        result_tx.send(call()).unwrap();
        let _ = done_rx.recv();
    });
    let tid = tid_rx.recv().unwrap();
    let started = Instant::now();
    loop {
        // SAFETY: the thread is alive: it waits on `done_rx` until we send.
        assert_eq!(unsafe { libc::pthread_kill(tid, libc::SIGUSR1) }, 0);
        match result_rx.recv_timeout(Duration::from_millis(20)) {
            Ok(result) => {
                done_tx.send(()).unwrap();
                thread.join().unwrap();
                return result;
            }
            Err(_) => assert!(
                started.elapsed() < BOUND,
                "the call was not interrupted by a signal"
            ),
        }
    }
}

/// Runs `call` on its own thread, shuts the context down once the thread
/// has had time to block, and returns what the call returned.
fn shut_down<T: Send + 'static>(ctx: &Context, call: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let thread = std::thread::spawn(move || tx.send(call()).unwrap());
    std::thread::sleep(Duration::from_millis(100));
    ctx.shutdown().unwrap();
    let result = rx
        .recv_timeout(BOUND)
        .expect("shutdown did not end the blocking call");
    thread.join().unwrap();
    result
}

fn kind<T: std::fmt::Debug>(result: zmq::Result<T>) -> ErrorKind {
    result.expect_err("the blocking call succeeded").kind()
}

/// A PUSH/PULL pair over inproc with nothing queued: the PULL blocks in recv.
fn pipe(ctx: &Context, name: &str) -> (Socket, Socket) {
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind(&format!("inproc://reliability-{name}")).unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect(&format!("inproc://reliability-{name}"))
        .unwrap();
    (push, pull)
}

/// The pair still works: one frame goes through.
fn works(push: &Socket, pull: &Socket) {
    push.send_timeout("after", BOUND).unwrap();
    let got = pull.recv_msg_timeout(BOUND).unwrap();
    assert_eq!(got.as_deref(), Some(&b"after"[..]));
}

#[test]
fn a_signal_interrupts_recv_and_the_socket_works_after() {
    let ctx = Context::new();
    let (push, pull) = pipe(&ctx, "sig-recv");
    let (result, pull) = interrupted(move || (pull.recv_msg(), pull));
    assert_eq!(kind(result), ErrorKind::Interrupted);
    works(&push, &pull);
}

#[test]
fn a_signal_interrupts_send_and_the_socket_works_after() {
    let ctx = Context::new();
    // A PUSH with no peer blocks in send.
    let push = ctx.socket(SocketType::Push).unwrap();
    push.bind("inproc://reliability-sig-send").unwrap();
    let (result, push) = interrupted(move || (push.send("first"), push));
    assert_eq!(kind(result), ErrorKind::Interrupted);
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.connect("inproc://reliability-sig-send").unwrap();
    works(&push, &pull);
    // The interrupted frame was not sent: nothing else is queued.
    assert!(pull.try_recv_msg().unwrap().is_none());
}

#[test]
fn a_signal_interrupts_poll_and_the_socket_works_after() {
    let ctx = Context::new();
    let (push, pull) = pipe(&ctx, "sig-poll");
    let (result, pull) = interrupted(move || {
        let mut items = [PollItem::socket(&pull, PollEvents::POLLIN)];
        let r = zmq::poll(&mut items, None);
        (r, pull)
    });
    assert_eq!(kind(result), ErrorKind::Interrupted);
    works(&push, &pull);
}

#[test]
fn a_signal_interrupts_a_poller_and_the_socket_works_after() {
    let ctx = Context::new();
    let (push, pull) = pipe(&ctx, "sig-poller");
    let (result, pull) = interrupted(move || {
        let r = {
            let mut poller = Poller::new();
            poller.add_socket(&pull, PollEvents::POLLIN, 0u8);
            poller.poll(None)
        };
        (r, pull)
    });
    assert_eq!(kind(result), ErrorKind::Interrupted);
    works(&push, &pull);
}

#[test]
fn a_signal_interrupts_a_proxy_and_its_sockets_work_after() {
    let ctx = Context::new();
    let front = ctx.socket(SocketType::Pull).unwrap();
    front.bind("inproc://reliability-sig-proxy-in").unwrap();
    let back = ctx.socket(SocketType::Push).unwrap();
    back.bind("inproc://reliability-sig-proxy-out").unwrap();
    let (result, front, back) = interrupted(move || {
        let r = zmq::proxy(&front, &back, None);
        (r, front, back)
    });
    assert_eq!(kind(result), ErrorKind::Interrupted);
    // Both sides are usable: run the proxy again (on a thread) and send
    // through it until the context ends it.
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect("inproc://reliability-sig-proxy-in").unwrap();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.connect("inproc://reliability-sig-proxy-out").unwrap();
    let proxy = std::thread::spawn(move || zmq::proxy(&front, &back, None));
    works(&push, &pull);
    drop((push, pull));
    ctx.shutdown().unwrap();
    assert_eq!(kind(proxy.join().unwrap()), ErrorKind::Terminated);
}

#[test]
fn a_signal_interrupts_a_monitor_and_it_works_after() {
    let ctx = Context::new();
    let watched = ctx.socket(SocketType::Pull).unwrap();
    let monitor = watched.monitor(zmq::MonitorEvents::LISTENING).unwrap();
    let (result, mut monitor) = interrupted(move || {
        let mut monitor = monitor;
        (monitor.recv(), monitor)
    });
    assert_eq!(kind(result), ErrorKind::Interrupted);
    watched.bind("tcp://127.0.0.1:*").unwrap();
    let event = monitor.recv_timeout(BOUND).unwrap().expect("no event");
    assert!(matches!(event.event, zmq::Event::Listening { .. }));
}

// ---- Context::shutdown ----------------------------------------------------

#[test]
fn shutdown_ends_a_blocked_recv() {
    let ctx = Context::new();
    let (_push, pull) = pipe(&ctx, "term-recv");
    let result = shut_down(&ctx, move || pull.recv_msg().map(drop));
    assert_eq!(kind(result), ErrorKind::Terminated);
}

#[test]
fn shutdown_ends_a_blocked_send() {
    let ctx = Context::new();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.set_linger(Some(Duration::ZERO)).unwrap();
    push.bind("inproc://reliability-term-send").unwrap();
    let result = shut_down(&ctx, move || push.send("never"));
    assert_eq!(kind(result), ErrorKind::Terminated);
}

#[test]
fn shutdown_ends_a_blocked_poll_and_poller() {
    let ctx = Context::new();
    let (_push, pull) = pipe(&ctx, "term-poll");
    let (_push2, pull2) = pipe(&ctx, "term-poller");
    let polled = std::thread::spawn(move || {
        let mut items = [PollItem::socket(&pull, PollEvents::POLLIN)];
        zmq::poll(&mut items, None)
    });
    let result = shut_down(&ctx, move || {
        let mut poller = Poller::new();
        poller.add_socket(&pull2, PollEvents::POLLIN, ());
        poller.poll(None)
    });
    assert_eq!(kind(result), ErrorKind::Terminated);
    assert_eq!(kind(polled.join().unwrap()), ErrorKind::Terminated);
}

#[test]
fn shutdown_ends_a_proxy() {
    let ctx = Context::new();
    let front = ctx.socket(SocketType::Router).unwrap();
    front.bind("inproc://reliability-term-proxy-in").unwrap();
    let back = ctx.socket(SocketType::Dealer).unwrap();
    back.bind("inproc://reliability-term-proxy-out").unwrap();
    let result = shut_down(&ctx, move || zmq::proxy(&front, &back, None));
    assert_eq!(kind(result), ErrorKind::Terminated);
}

#[test]
fn shutdown_ends_a_monitor() {
    let ctx = Context::new();
    let watched = ctx.socket(SocketType::Pull).unwrap();
    let mut monitor = watched.monitor(zmq::MonitorEvents::ALL).unwrap();
    let result = shut_down(&ctx, move || monitor.recv().map(drop));
    assert_eq!(kind(result), ErrorKind::Terminated);
    drop(watched);
}

#[test]
fn shutdown_ends_every_call_at_once_and_the_context_then_terminates() {
    let ctx = Context::new();
    let mut threads = Vec::new();
    for i in 0..4 {
        let (push, pull) = pipe(&ctx, &format!("term-many-{i}"));
        threads.push(std::thread::spawn(move || {
            let r = pull.recv_msg().map(drop);
            drop(push);
            r
        }));
    }
    std::thread::sleep(Duration::from_millis(100));
    ctx.shutdown().unwrap();
    for t in threads {
        assert_eq!(kind(t.join().unwrap()), ErrorKind::Terminated);
    }
    let t0 = Instant::now();
    assert!(ctx.terminate(Some(BOUND)).unwrap().is_complete());
    assert!(t0.elapsed() < BOUND);
}

// ---- limits ---------------------------------------------------------------

#[test]
fn max_sockets_gives_too_many_sockets_and_recovers_after_closing_some() {
    const MAX: i32 = 16;
    let ctx = Context::builder().max_sockets(MAX).build().unwrap();
    let mut sockets = Vec::new();
    let err = loop {
        match ctx.socket(SocketType::Dealer) {
            Ok(s) => sockets.push(s),
            Err(e) => break e,
        }
        assert!(sockets.len() <= MAX as usize, "max_sockets not enforced");
    };
    assert_eq!(err.kind(), ErrorKind::TooManySockets);
    assert_eq!(sockets.len(), MAX as usize);
    // Every socket made before the limit works.
    let a = &sockets[0];
    a.bind("inproc://reliability-max-sockets").unwrap();
    sockets[1]
        .connect("inproc://reliability-max-sockets")
        .unwrap();
    sockets[1].send("up").unwrap();
    assert_eq!(a.recv_msg_timeout(BOUND).unwrap().unwrap(), "up");
    // Closing three frees three places, and only three. libzmq frees a
    // closed socket's place when its reaper thread has destroyed it, a moment
    // after zmq_close: until then the refusal is the same clean error.
    sockets.truncate(sockets.len() - 3);
    let deadline = Instant::now() + BOUND;
    while sockets.len() < MAX as usize {
        match ctx.socket(SocketType::Dealer) {
            Ok(s) => sockets.push(s),
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::TooManySockets);
                assert!(Instant::now() < deadline, "closed sockets never freed");
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }
    assert_eq!(
        ctx.socket(SocketType::Dealer).unwrap_err().kind(),
        ErrorKind::TooManySockets
    );
}

// ---- fork -------------------------------------------------------------------

/// Open file descriptors of this process that libzmq made (its mailboxes'
/// eventfds, its pollers' epoll instances).
fn zmq_kind_fds(listing: &str) -> usize {
    listing
        .lines()
        .filter(|l| l.contains("eventfd") || l.contains("eventpoll"))
        .count()
}

#[test]
fn a_forked_child_that_execs_or_exits_leaves_the_parent_working() {
    let ctx = Context::new();
    let (push, pull) = pipe(&ctx, "fork-exit");
    works(&push, &pull);
    // Everything the child needs is made before the fork: after it, a child
    // of a multi-threaded process may only make async-signal-safe calls.
    let sh = std::ffi::CString::new("/bin/sh").unwrap();
    let args = [
        sh.as_ptr(),
        c"-c".as_ptr(),
        c"exit 7".as_ptr(),
        std::ptr::null(),
    ];
    // SAFETY: the child calls only execv and _exit, both async-signal-safe,
    // as POSIX requires after fork in a multi-threaded process; it does not
    // run Drop for the inherited Context or Sockets. (It execs rather than
    // exits with 7 itself so that a memory checker watching this process
    // does not run its exit-time leak check in the child, where the
    // parent's other threads are gone.)
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        // SAFETY: see above; `args` is NULL-terminated.
        unsafe {
            libc::execv(sh.as_ptr(), args.as_ptr());
            libc::_exit(127);
        }
    }
    let mut status = 0;
    // SAFETY: waiting for our own child.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(
        libc::WIFEXITED(status),
        "the child crashed: status {status}"
    );
    assert_eq!(libc::WEXITSTATUS(status), 7);
    works(&push, &pull);
}

#[test]
fn an_exec_child_inherits_no_libzmq_descriptor() {
    let ctx = Context::new();
    let server = ctx.socket(SocketType::Rep).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let ours = std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(zmq_kind_fds(&ours) >= 2, "the parent has no libzmq fd");
    // Meanwhile another thread keeps making sockets (mailboxes, listeners,
    // connections, accepted connections): libzmq must mark each
    // close-on-exec as it creates it, not by a later fcntl that a fork on
    // this thread can beat.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let churn = {
        let (ctx, stop) = (ctx.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // Closed sockets are reaped a moment later: at the socket
                // limit, wait for the reaper.
                let (Ok(a), Ok(b)) = (ctx.socket(SocketType::Pair), ctx.socket(SocketType::Pair))
                else {
                    std::thread::sleep(Duration::from_millis(1));
                    continue;
                };
                a.set_linger(Some(Duration::ZERO)).unwrap();
                a.bind("tcp://127.0.0.1:*").unwrap();
                b.set_linger(Some(Duration::ZERO)).unwrap();
                b.connect(&a.last_endpoint().unwrap()).unwrap();
                b.send("x").unwrap();
                a.recv_msg_timeout(BOUND).unwrap();
            }
        })
    };
    // std's Command forks and execs: everything libzmq opened is
    // close-on-exec, so the new program sees none of it.
    for _ in 0..20 {
        let out = std::process::Command::new("ls")
            .args(["-l", "/proc/self/fd/"])
            .output()
            .unwrap();
        assert!(out.status.success());
        let theirs = String::from_utf8_lossy(&out.stdout);
        assert_eq!(zmq_kind_fds(&theirs), 0, "inherited:\n{theirs}");
        assert!(!theirs.contains("socket:"), "inherited a socket:\n{theirs}");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    churn.join().unwrap();
}
