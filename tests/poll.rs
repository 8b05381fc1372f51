//! Polling sockets and file descriptors.

use std::io::Write;
use std::os::fd::AsFd;
use std::time::Duration;

use zmq::{poll, Context, PollEvents, PollItem, Poller, SocketType};

#[test]
fn poll_wakes_on_a_socket_and_on_a_pipe() {
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("inproc://poll-wakes").unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect("inproc://poll-wakes").unwrap();
    let (reader, mut writer) = std::io::pipe().unwrap();

    // Nothing ready: the timeout expires with no events.
    let mut items = [
        PollItem::socket(&pull, PollEvents::POLLIN),
        PollItem::fd(reader.as_fd(), PollEvents::POLLIN),
    ];
    assert_eq!(
        poll(&mut items, Some(Duration::from_millis(20))).unwrap(),
        0
    );
    assert!(items.iter().all(|i| i.revents().is_empty()));

    // A message wakes the socket item only.
    push.send("wake").unwrap();
    assert_eq!(poll(&mut items, Some(Duration::from_secs(5))).unwrap(), 1);
    assert!(items[0].is_readable() && items[0].has_socket(&pull));
    assert!(!items[1].is_readable());
    pull.recv_msg().unwrap();

    // A byte in the pipe wakes the fd item only.
    writer.write_all(b"x").unwrap();
    assert_eq!(poll(&mut items, Some(Duration::from_secs(5))).unwrap(), 1);
    assert!(items[1].is_readable() && items[1].has_fd(std::os::fd::AsRawFd::as_raw_fd(&reader)));
    assert!(!items[0].is_readable());
}

#[test]
fn poller_reuses_its_storage_and_returns_keys() {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Source {
        Tasks,
        Control,
    }
    let ctx = Context::new();
    let tasks = ctx.socket(SocketType::Pull).unwrap();
    tasks.bind("inproc://poller-tasks").unwrap();
    let control = ctx.socket(SocketType::Sub).unwrap();
    control.set_subscribe(b"").unwrap();
    control.bind("inproc://poller-control").unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect("inproc://poller-tasks").unwrap();

    let mut poller = Poller::new();
    poller.add_socket(&tasks, PollEvents::POLLIN, Source::Tasks);
    poller.add_socket(&control, PollEvents::POLLIN, Source::Control);
    let storage = poller.items().as_ptr();
    for i in 0..50 {
        push.send(format!("task {i}")).unwrap();
        assert_eq!(poller.poll(Some(Duration::from_secs(5))).unwrap(), 1);
        let ready: Vec<_> = poller.ready().map(|(k, _)| *k).collect();
        assert_eq!(ready, [Source::Tasks]);
        assert!(poller.revents(&Source::Tasks).contains(PollEvents::POLLIN));
        assert!(poller.revents(&Source::Control).is_empty());
        tasks.recv_msg().unwrap();
        assert_eq!(poller.items().as_ptr(), storage, "the poller reallocated");
    }
    assert_eq!(poller.poll(Some(Duration::from_millis(10))).unwrap(), 0);
    assert_eq!(poller.remove(|k| *k == Source::Control), 1);
    assert_eq!(poller.len(), 1);
}

#[test]
fn poll_reports_pollout() {
    let ctx = Context::new();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.bind("inproc://pollout").unwrap();
    let mut items = [PollItem::socket(&push, PollEvents::POLLOUT)];
    // No peer: not writable.
    assert_eq!(
        poll(&mut items, Some(Duration::from_millis(10))).unwrap(),
        0
    );
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.connect("inproc://pollout").unwrap();
    assert_eq!(poll(&mut items, Some(Duration::from_secs(5))).unwrap(), 1);
    assert!(items[0].is_writable());
}

#[test]
fn huge_timeouts_wait_for_the_event() {
    // Was: a timeout past what libzmq holds (Duration::MAX, u64::MAX s) was
    // InvalidArgument from poll and from the timed calls.
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("inproc://huge-timeouts").unwrap();
    for timeout in [
        Duration::from_millis(i32::MAX as u64),
        Duration::from_millis(1 << 32),
        Duration::from_secs(u64::MAX),
        Duration::MAX,
    ] {
        let push = ctx.socket(SocketType::Push).unwrap();
        push.connect("inproc://huge-timeouts").unwrap();
        let sender = std::thread::spawn(move || {
            for frame in ["a", "b"] {
                std::thread::sleep(Duration::from_millis(30));
                push.send(frame).unwrap();
            }
        });
        let mut items = [PollItem::socket(&pull, PollEvents::POLLIN)];
        assert_eq!(poll(&mut items, Some(timeout)).unwrap(), 1, "{timeout:?}");
        assert_eq!(pull.recv_msg_timeout(timeout).unwrap().unwrap(), "a");
        // Nothing there yet: this one waits for "b".
        assert_eq!(pull.recv_msg_timeout(timeout).unwrap().unwrap(), "b");
        sender.join().unwrap();
    }
}

#[test]
fn a_long_sleep_on_nothing_is_not_cut_short() {
    // Was: libzmq sleeps with usleep(ms * 1000) in 32 bits: 4,294,968 ms
    // (about 71.6 minutes) wrapped to 8 ms.
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = poll(&mut [], Some(Duration::from_millis(4_294_968)));
        let _ = done.send(());
    });
    assert!(
        finished.recv_timeout(Duration::from_millis(500)).is_err(),
        "a poll of nothing for 71 minutes returned within 500 ms"
    );
}

#[cfg(feature = "draft")]
#[test]
fn draft_poller_serves_thread_safe_sockets() {
    let ctx = Context::new();
    let server = ctx.socket(SocketType::Server).unwrap();
    server.bind("inproc://draft-poller").unwrap();
    let client = ctx.socket(SocketType::Client).unwrap();
    client.connect("inproc://draft-poller").unwrap();
    // zmq_poll rejects thread-safe sockets; the DRAFT poller takes them.
    let mut poller = zmq::DraftPoller::new().unwrap();
    poller.add(&server, PollEvents::POLLIN, 7u32).unwrap();
    assert_eq!(
        poller
            .wait(Some(Duration::from_millis(10)))
            .unwrap()
            .count(),
        0
    );
    client.send("hi").unwrap();
    let events: Vec<_> = poller.wait(Some(Duration::from_secs(5))).unwrap().collect();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].key, 7);
    assert!(events[0].events.contains(PollEvents::POLLIN));
    poller.modify(&server, PollEvents::POLLOUT).unwrap();
    poller.remove(&server).unwrap();
    assert!(poller.remove(&server).is_err());
}

#[test]
fn waiting_forever_on_nothing_is_refused() {
    // Was: libzmq's usleep(-1 * 1000), about 71 minutes.
    assert!(matches!(
        poll(&mut [], None),
        Err(ref e)
    if e.kind() == zmq::ErrorKind::InvalidArgument
    ));
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    let mut poller: Poller<'_, u8> = Poller::new();
    poller.add_socket(&pull, PollEvents::POLLIN, 1);
    assert_eq!(poller.remove(|_| true), 1);
    assert!(matches!(
        poller.poll(None),
        Err(ref e)
    if e.kind() == zmq::ErrorKind::InvalidArgument
    ));
    // With a timeout, nothing to wait for is a plain sleep.
    let start = std::time::Instant::now();
    assert_eq!(poller.poll(Some(Duration::from_millis(20))).unwrap(), 0);
    assert!(start.elapsed() >= Duration::from_millis(20));
}

#[test]
fn sub_millisecond_timeouts_wait_instead_of_spinning() {
    // Was: 999 us rounded down to 0 ms ("don't wait"), a busy loop.
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("inproc://sub-ms").unwrap();
    let mut items = [PollItem::socket(&pull, PollEvents::POLLIN)];
    let start = std::time::Instant::now();
    let mut polls = 0;
    while start.elapsed() < Duration::from_millis(20) {
        assert_eq!(
            poll(&mut items, Some(Duration::from_micros(999))).unwrap(),
            0
        );
        polls += 1;
    }
    // Each poll waits a whole millisecond: at most ~20, never thousands.
    assert!(polls <= 25, "{polls} polls in 20 ms");

    // Socket timeouts round up the same way.
    pull.set_rcvtimeo(Some(Duration::from_micros(999))).unwrap();
    assert_eq!(pull.rcvtimeo().unwrap(), Some(Duration::from_millis(1)));
    pull.set_rcvtimeo(Some(Duration::ZERO)).unwrap();
    assert_eq!(pull.rcvtimeo().unwrap(), Some(Duration::ZERO));
    pull.set_sndtimeo(Some(Duration::from_nanos(1_000_001)))
        .unwrap();
    assert_eq!(pull.sndtimeo().unwrap(), Some(Duration::from_millis(2)));
}
