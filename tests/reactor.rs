//! The reactor (czmq's zloop): readers on real sockets and descriptors,
//! timers, changes from inside handlers, and every way a run ends.

use std::io::{Read, Write};
use std::rc::Rc;
use std::time::{Duration, Instant};

use zmq::{Context, Ended, ErrorKind, Flow, Reactor, Socket, SocketType};

/// A connected PAIR over TCP on a free port: (bound, connected).
fn pair(ctx: &Context) -> (Socket, Socket) {
    let a = ctx.socket(SocketType::Pair).unwrap();
    a.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = a.last_endpoint().unwrap();
    let b = ctx.socket(SocketType::Pair).unwrap();
    b.connect(&endpoint).unwrap();
    (a, b)
}

#[test]
fn timers_fire_in_order_with_the_right_counts() {
    let started = Instant::now();
    let mut log: Vec<&'static str> = Vec::new();
    let mut reactor = Reactor::new();
    let ms = Duration::from_millis;
    reactor.add_timer(ms(40), 3, |_, _, log: &mut Vec<&str>| {
        log.push("a");
        Ok(Flow::Continue)
    });
    reactor.add_timer(ms(60), 2, |_, _, log: &mut Vec<&str>| {
        log.push("c");
        Ok(Flow::Continue)
    });
    reactor.add_timer(ms(100), 1, |_, _, log: &mut Vec<&str>| {
        log.push("b");
        Ok(Flow::Continue)
    });
    // Repeating forever until the stop timer.
    reactor.add_timer(ms(5), 0, |_, _, log: &mut Vec<&str>| {
        log.push("tick");
        Ok(Flow::Continue)
    });
    reactor.add_timer(ms(300), 1, |_, _, _| Ok(Flow::Stop));
    assert_eq!(reactor.run(&mut log).unwrap(), Ended::Stopped);
    let elapsed = started.elapsed();
    assert!(elapsed >= ms(300), "stopped after {elapsed:?}");

    let count = |name| log.iter().filter(|n| **n == name).count();
    assert_eq!((count("a"), count("c"), count("b")), (3, 2, 1), "{log:?}");
    // Every 5 ms for 300 ms, less what a busy machine delays.
    assert!((5..=60).contains(&count("tick")), "{log:?}");
    let order: Vec<_> = log.iter().filter(|n| **n != "tick").take(4).collect();
    assert_eq!(order, [&"a", &"c", &"a", &"b"]);
    // The finished one-shot and counted timers are gone; the repeating
    // one stays (the stop timer fired its one time too).
    assert_eq!(reactor.timers(), 1);
}

#[test]
fn readers_get_socket_messages_and_descriptor_bytes() {
    let ctx = Context::new();
    let (input, output) = pair(&ctx);
    let (mut pipe_in, pipe_out) = std::io::pipe().unwrap();
    let pipe_out = std::cell::RefCell::new(pipe_out);

    #[derive(Default)]
    struct Seen {
        messages: Vec<String>,
        bytes: Vec<u8>,
    }
    let mut seen = Seen::default();
    let mut n = 0;
    let mut reactor = Reactor::new();
    reactor.add_timer(Duration::from_millis(5), 3, |_, _, _| {
        n += 1;
        output.send(format!("msg {n}"))?;
        pipe_out.borrow_mut().write_all(b"x").unwrap();
        Ok(Flow::Continue)
    });
    reactor.add_reader(&input, |_, socket, seen: &mut Seen| {
        seen.messages.push(socket.recv_string()?);
        Ok(stop_when_done(seen))
    });
    reactor.add_fd_reader(pipe_in.try_clone().unwrap(), |_, fd, seen: &mut Seen| {
        let mut byte = [0u8];
        std::fs::File::from(fd.try_clone_to_owned().unwrap())
            .read_exact(&mut byte)
            .unwrap();
        seen.bytes.push(byte[0]);
        Ok(stop_when_done(seen))
    });
    fn stop_when_done(seen: &Seen) -> Flow {
        if seen.messages.len() == 3 && seen.bytes.len() == 3 {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }
    assert_eq!(reactor.run(&mut seen).unwrap(), Ended::Stopped);
    assert_eq!(seen.messages, ["msg 1", "msg 2", "msg 3"]);
    assert_eq!(seen.bytes, b"xxx");
    // Nothing left over in the pipe.
    let fd = std::os::fd::AsRawFd::as_raw_fd(&pipe_in);
    // SAFETY: a valid descriptor; F_SETFL with O_NONBLOCK.
    assert_eq!(
        unsafe { libc::fcntl(fd, libc::F_SETFL, libc::O_NONBLOCK) },
        0
    );
    let err = pipe_in.read(&mut [0u8; 8]).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
}

#[test]
fn a_timer_cancelled_in_the_same_round_never_fires() {
    // zloop's own selftest: one timer cancels another before it is due;
    // here both are due in the same round, and the second still must not
    // fire.
    let mut fired = Vec::new();
    let second = std::cell::Cell::new(None);
    let mut reactor = Reactor::new();
    let delay = Duration::from_millis(10);
    reactor.add_timer(delay, 1, |r, _, fired: &mut Vec<&str>| {
        fired.push("first");
        assert!(r.cancel_timer(second.get().unwrap()));
        Ok(Flow::Continue)
    });
    second.set(Some(reactor.add_timer(
        delay,
        1,
        |_, _, fired: &mut Vec<&str>| {
            fired.push("second");
            Ok(Flow::Continue)
        },
    )));
    // A long one, cancelled by the short one before it is due.
    let long = reactor.add_timer(Duration::from_secs(60), 1, |_, _, _| Ok(Flow::Stop));
    reactor.add_timer(Duration::from_millis(30), 1, move |r, _, _| {
        assert!(r.cancel_timer(long));
        assert!(!r.cancel_timer(long), "cancelled twice");
        Ok(Flow::Continue)
    });
    let started = Instant::now();
    // With every timer gone, nothing is left: the run ends Idle.
    assert_eq!(reactor.run(&mut fired).unwrap(), Ended::Idle);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(fired, ["first"]);
}

#[test]
fn readers_and_timers_added_and_removed_while_running() {
    let ctx = Context::new();
    let (input, output) = pair(&ctx);
    let input = Rc::new(input);

    #[derive(Default)]
    struct Log {
        first: Vec<String>,
        second: Vec<String>,
    }
    let mut log = Log::default();
    let fired = Rc::new(std::cell::Cell::new(0));
    let first = std::cell::Cell::new(None);
    let mut reactor: Reactor<'_, Log> = Reactor::new();
    for i in 0..6 {
        output.send(format!("m{i}")).unwrap();
    }
    // The first reader takes two messages, then removes itself and adds a
    // second reader on the same socket, which takes the rest.
    let input2 = Rc::clone(&input);
    let first_id = reactor.add_reader(Rc::clone(&input), {
        let first = &first;
        let fired = &fired;
        move |r, socket, log: &mut Log| {
            log.first.push(socket.recv_string()?);
            if log.first.len() == 2 {
                assert!(r.remove_reader(first.get().unwrap()));
                r.add_reader(Rc::clone(&input2), |_, socket, log: &mut Log| {
                    log.second.push(socket.recv_string()?);
                    Ok(if log.second.len() == 4 {
                        Flow::Stop
                    } else {
                        Flow::Continue
                    })
                });
                // A repeating timer that cancels itself on its third time.
                // Its count lives outside the per-run state: on a slow machine
                // (qemu) it fires in both runs, split either way.
                let fired = Rc::clone(fired);
                r.add_timer(Duration::from_millis(1), 0, move |r, id, _: &mut Log| {
                    fired.set(fired.get() + 1);
                    if fired.get() == 3 {
                        assert!(r.cancel_timer(id));
                    }
                    Ok(Flow::Continue)
                });
            }
            Ok(Flow::Continue)
        }
    });
    first.set(Some(first_id));
    assert_eq!(reactor.run(&mut log).unwrap(), Ended::Stopped);
    assert_eq!(log.first, ["m0", "m1"]);
    assert_eq!(log.second, ["m2", "m3", "m4", "m5"]);
    assert_eq!(reactor.readers(), 1);

    // Run again: the timer goes on until it cancels itself; a socket reader
    // removed by socket (zloop_reader_end) leaves nothing, so the run ends.
    output.send("late").unwrap();
    let input3 = Rc::clone(&input);
    reactor.add_timer(Duration::from_millis(200), 1, move |r, _, _| {
        assert_eq!(r.remove_socket(&input3), 1);
        Ok(Flow::Continue)
    });
    let mut second_log = Log::default();
    // The second reader stops at four messages; with a fresh log it takes
    // "late" and waits, until the timer removes it.
    assert_eq!(reactor.run(&mut second_log).unwrap(), Ended::Idle);
    assert_eq!(second_log.second, ["late"]);
    assert_eq!(fired.get(), 3);
    assert_eq!((reactor.readers(), reactor.timers()), (0, 0));
}

#[test]
fn an_owned_socket_reader_and_removal_from_its_own_handler() {
    let ctx = Context::new();
    let (input, output) = pair(&ctx);
    output.send("one").unwrap();
    output.send("two").unwrap();
    let mut got = Vec::new();
    let mut reactor = Reactor::new();
    // The reactor owns the socket; the handler removes its own reader (by
    // socket) and the socket is dropped once the handler returns.
    reactor.add_reader(input, |r, socket, got: &mut Vec<String>| {
        got.push(socket.recv_string()?);
        assert_eq!(r.remove_socket(socket), 1);
        assert_eq!(r.remove_socket(socket), 0, "removed twice");
        Ok(Flow::Continue)
    });
    assert_eq!(reactor.run(&mut got).unwrap(), Ended::Idle);
    assert_eq!(got, ["one"]);
}

#[test]
fn a_handler_error_ends_the_run_and_the_reactor_stays_usable() {
    let ctx = Context::new();
    let (input, output) = pair(&ctx);
    let mut reactor = Reactor::new();
    reactor.add_timer(Duration::from_millis(1), 1, |_, _, _| {
        // Receiving on a PUSH socket is not supported: an error.
        let push = ctx.socket(SocketType::Push)?;
        push.recv_msg()?;
        Ok(Flow::Continue)
    });
    let err = reactor.run(&mut ()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotSupported);

    reactor.add_reader(&input, |_, socket, _| {
        socket.recv_msg()?;
        Ok(Flow::Stop)
    });
    output.send("go on").unwrap();
    assert_eq!(reactor.run(&mut ()).unwrap(), Ended::Stopped);
}

#[test]
fn a_context_shutdown_ends_a_blocked_run_cleanly() {
    let ctx = Context::new();
    let (input, _output) = pair(&ctx);
    let stopper = {
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            ctx.shutdown().unwrap();
        })
    };
    let mut reactor = Reactor::new();
    reactor.add_reader(&input, |_, socket, _| {
        socket.recv_msg()?;
        Ok(Flow::Continue)
    });
    // No timer: the poll waits forever, until the shutdown.
    let started = Instant::now();
    assert_eq!(reactor.run(&mut ()).unwrap(), Ended::Terminated);
    assert!(started.elapsed() < Duration::from_secs(5));
    stopper.join().unwrap();
}

#[test]
fn a_terminated_recv_in_a_handler_ends_the_run_cleanly() {
    let ctx = Context::new();
    let (input, _output) = pair(&ctx);
    let (blocking, _peer) = pair(&ctx);
    let mut reactor = Reactor::new();
    let shut = ctx.clone();
    reactor.add_timer(Duration::from_millis(1), 1, move |_, _, _| {
        shut.shutdown()?;
        // As a handler that blocks in a recv would see it.
        blocking.recv_msg()?;
        Ok(Flow::Continue)
    });
    reactor.add_reader(&input, |_, _, _| Ok(Flow::Continue));
    assert_eq!(reactor.run(&mut ()).unwrap(), Ended::Terminated);
}

extern "C" fn ignore(_: libc::c_int) {}

#[test]
fn a_signal_ends_a_blocked_run_as_interrupted() {
    // SIGUSR2 with a handler that does nothing and no SA_RESTART, so the
    // poll fails with EINTR.
    // SAFETY: a zeroed sigaction is valid; the handler does nothing.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = ignore as extern "C" fn(libc::c_int) as usize;
        libc::sigemptyset(&mut action.sa_mask);
        assert_eq!(
            libc::sigaction(libc::SIGUSR2, &action, std::ptr::null_mut()),
            0
        );
    }
    let ctx = Context::new();
    let (input, _output) = pair(&ctx);
    // SAFETY: pthread_self has no preconditions.
    let me = unsafe { libc::pthread_self() } as usize;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let signaller = {
        let done = done.clone();
        std::thread::spawn(move || {
            // Until the run has ended (the first signal may come before the
            // poll starts, and is then lost).
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(20));
                // SAFETY: the test thread lives until `done` is set.
                unsafe { libc::pthread_kill(me as libc::pthread_t, libc::SIGUSR2) };
            }
        })
    };
    let mut reactor = Reactor::new();
    reactor.add_reader(&input, |_, _, _| Ok(Flow::Continue));
    let ended = reactor.run(&mut ());
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    signaller.join().unwrap();
    assert_eq!(ended.unwrap(), Ended::Interrupted);
}

#[test]
fn a_hung_up_descriptor_is_dropped_after_its_handler_had_a_chance() {
    let (pipe_in, pipe_out) = std::io::pipe().unwrap();
    drop(pipe_out); // the reader sees end of file: an error condition
    let mut calls = 0;
    let mut reactor = Reactor::new();
    reactor.add_fd_reader(pipe_in, |_, fd, calls: &mut i32| {
        *calls += 1;
        let mut buf = [0u8; 8];
        let n = std::fs::File::from(fd.try_clone_to_owned().unwrap())
            .read(&mut buf)
            .unwrap();
        assert_eq!(n, 0, "end of file");
        Ok(Flow::Continue)
    });
    assert_eq!(reactor.run(&mut calls).unwrap(), Ended::Idle);
    assert_eq!(calls, 1);

    // A tolerant reader keeps being called: its handler decides.
    let (pipe_in, pipe_out) = std::io::pipe().unwrap();
    drop(pipe_out);
    let mut calls = 0;
    let own_id = std::cell::Cell::new(None);
    let mut reactor = Reactor::new();
    let id = reactor.add_fd_reader(pipe_in, |r, _, calls: &mut i32| {
        *calls += 1;
        if *calls == 5 {
            assert!(r.remove_reader(own_id.get().unwrap()));
        }
        Ok(Flow::Continue)
    });
    own_id.set(Some(id));
    assert!(reactor.set_tolerant(id));
    assert_eq!(reactor.run(&mut calls).unwrap(), Ended::Idle);
    assert_eq!(calls, 5);
}

#[test]
fn nothing_to_wait_for_is_idle_at_once() {
    let mut reactor: Reactor<'_, ()> = Reactor::default();
    assert_eq!(reactor.run(&mut ()).unwrap(), Ended::Idle);
}

#[test]
fn a_timer_too_far_away_for_an_instant_never_fires() {
    // Duration::MAX does not fit an Instant: it must mean "not in this run",
    // never "now". The reader and the stop timer prove the run went on.
    let ctx = Context::new();
    let (a, b) = pair(&ctx);
    let mut log: Vec<String> = Vec::new();
    let mut reactor = Reactor::new();
    reactor.add_timer(Duration::MAX, 1, |_, _, log: &mut Vec<String>| {
        log.push("far".into());
        Ok(Flow::Continue)
    });
    reactor.add_timer(
        Duration::from_secs(40 * 24 * 3600),
        1,
        |_, _, log: &mut Vec<String>| {
            log.push("40 days".into());
            Ok(Flow::Continue)
        },
    );
    reactor.add_reader(&a, |_, socket, log: &mut Vec<String>| {
        log.push(socket.recv_string()?);
        Ok(Flow::Stop)
    });
    b.send("hello").unwrap();
    assert_eq!(reactor.run(&mut log).unwrap(), Ended::Stopped);
    assert_eq!(log, ["hello"]);
    assert_eq!(reactor.timers(), 2);
}

#[test]
fn a_handler_that_panics_loses_its_reader_and_the_reactor_stays_consistent() {
    // Was: the panicking reader was gone, yet `remove_reader` answered true
    // (the reactor still believed that reader's handler was running).
    let ctx = Context::new();
    let (a, b) = pair(&ctx);
    let mut reactor: Reactor<'_, ()> = Reactor::new();
    let reader = reactor.add_reader(&a, |_, socket, _| {
        socket.recv_msg()?;
        panic!("handler bug");
    });
    let timer = reactor.add_timer(Duration::from_secs(60), 1, |_, _, _| Ok(Flow::Continue));
    b.send("x").unwrap();
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| reactor.run(&mut ())));
    assert!(run.is_err(), "the panic reaches the caller of run");
    assert_eq!(reactor.readers(), 0, "the panicking reader is gone");
    assert!(!reactor.remove_reader(reader), "and known to be gone");
    assert!(reactor.cancel_timer(timer));
    // Usable again: a new reader on the same socket gets the next message.
    reactor.add_reader(&a, |_, socket, _| {
        assert_eq!(socket.recv_msg()?, "y");
        Ok(Flow::Stop)
    });
    b.send("y").unwrap();
    assert_eq!(reactor.run(&mut ()).unwrap(), Ended::Stopped);
}
