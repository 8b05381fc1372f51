//! Handling Ctrl-C cleanly (the guide's `interrupt.c`, chapter 2, "Handling
//! Interrupt Signals"): a REP server bound on `tcp://*:5555` that catches
//! SIGINT and SIGTERM. The signal handler only writes a byte to a
//! self-pipe; the main loop polls the pipe's read end next to the socket,
//! so a signal wakes it at once, wherever it waits. It then prints
//! `W: interrupt received, killing server...`, cleans up and exits with
//! status 0.
//!
//! ```text
//! cargo run --example interrupt [ENDPOINT]
//! ```
//!
//! Each request prints `W: recv`; where the C version stops at "Now send
//! message back", this port echoes the request, so clients do not hang.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::io::Read;
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::net::UnixStream;
use std::process::ExitCode;
use std::sync::atomic::{AtomicI32, Ordering};

use zmq::{Context, PollEvents, PollItem, SocketType};

const USAGE: &str = "interrupt [ENDPOINT]";

//  Signal handling
//
//  The write end of the self-pipe, for the handler; -1 until installed.
static SIGNAL_FD: AtomicI32 = AtomicI32::new(-1);

extern "C" fn signal_handler(_signal: libc::c_int) {
    let fd = SIGNAL_FD.load(Ordering::Relaxed);
    // SAFETY: write(2) is async-signal-safe; the buffer is a static byte;
    // `fd` is the non-blocking write end, open for the life of `main`. A
    // full pipe (EAGAIN) already holds a wake-up, so the result is ignored.
    let _ = unsafe { libc::write(fd, b" ".as_ptr().cast(), 1) };
}

/// Sends SIGINT and SIGTERM to `signal_handler`, which writes to `notify`.
fn catch_signals(notify: &UnixStream) -> std::io::Result<()> {
    SIGNAL_FD.store(notify.as_raw_fd(), Ordering::Relaxed);
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: a zeroed sigaction is valid (no flags, empty mask, no
        // restorer); the handler is an `extern "C" fn(c_int)` that only
        // calls async-signal-safe functions. sa_flags 0: no SA_RESTART, so
        // a blocking call is interrupted as well.
        let rc = unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = signal_handler as extern "C" fn(libc::c_int) as usize;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut())
        };
        if rc != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    zhelpers::args_at_most(1, USAGE);
    let endpoint: String = zhelpers::arg(1, "tcp://*:5555".into(), USAGE);
    zhelpers::exit_status("interrupt", run(&endpoint))
}

fn run(endpoint: &str) -> Result<(), Box<dyn std::error::Error>> {
    //  The self-pipe: a connected pair of Unix sockets, both non-blocking.
    //  The handler goes in before the bind, so a peer that can connect
    //  knows a signal is caught.
    let (mut wakeup, notify) = UnixStream::pair()?;
    wakeup.set_nonblocking(true)?;
    notify.set_nonblocking(true)?;
    catch_signals(&notify)?;

    let context = Context::new();
    let socket = context.socket(SocketType::Rep)?;
    socket.bind(endpoint)?;

    loop {
        let mut items = [
            PollItem::fd(wakeup.as_fd(), PollEvents::POLLIN),
            PollItem::socket(&socket, PollEvents::POLLIN),
        ];
        match zmq::poll(&mut items, None) {
            Ok(0) => continue,
            Err(ref e) if e.kind() == zmq::ErrorKind::Interrupted => continue,
            Ok(_) => {}
            Err(e) => return Err(e.into()),
        }

        //  Signal pipe FD
        if items[0].is_readable() {
            let mut buffer = [0u8; 1];
            let _ = wakeup.read(&mut buffer); //  clear notifying byte
            println!("W: interrupt received, killing server...");
            break;
        }

        //  Read socket
        if items[1].is_readable() {
            //  Non-blocking, so we can go back to checking the self-pipe
            let request = match socket.try_recv_multipart() {
                Ok(Some(request)) => request,
                Ok(None) => continue,
                Err(ref e) if e.kind() == zmq::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            println!("W: recv");

            //  Now send message back.
            socket.send_multipart(request)?;
        }
    }

    println!("W: cleaning up");
    //  The handler stays installed: stop it writing before the pipe closes
    SIGNAL_FD.store(-1, Ordering::Relaxed);
    Ok(())
}
