//! Ctrl-C as the guide means it (czmq's `zctx_interrupted`): SIGINT and
//! SIGTERM become an orderly stop. [`catch`] installs handlers whose only
//! work is one `write(2)` of a byte to a self-pipe (async-signal-safe, no
//! allocation, no lock); a watcher thread reads the pipe, marks the process
//! [`interrupted`], and shuts the context down (`Context::shutdown`), so
//! every blocking call on its sockets returns `ErrorKind::Terminated` and
//! the program's loops end by themselves: it prints its summary, cleans up
//! and exits 0, as the C versions do.
//!
//! After the first signal the default actions are back: a second Ctrl-C
//! kills a program that does not stop.
//!
//! ```ignore
//! let context = zmq::Context::new();
//! let _interrupt = zhelpers::interrupt::catch(&context)?;
//! loop {
//!     match socket.recv_msg() {
//!         Err(e) if e.kind() == zmq::ErrorKind::Terminated => break, // Ctrl-C
//!         other => other?,
//!     };
//! }
//! ```

use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::thread::JoinHandle;

/// The write end of the self-pipe, for the handler; -1 when none.
static SIGNAL_FD: AtomicI32 = AtomicI32::new(-1);
/// Set by the watcher once a signal came (`zctx_interrupted`).
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The byte the handler writes; the watcher's owner writes another to end it.
const SIGNALLED: u8 = b'S';
const QUIT: u8 = b'Q';

extern "C" fn on_signal(_signal: libc::c_int) {
    let fd = SIGNAL_FD.load(Ordering::Relaxed);
    if fd >= 0 {
        // SAFETY: write(2) is async-signal-safe; the buffer is a static
        // byte; `fd` is the non-blocking write end, open while installed. A
        // full pipe already holds a wake-up, so the result is ignored.
        let _ = unsafe { libc::write(fd, [SIGNALLED].as_ptr().cast(), 1) };
    }
}

/// Points SIGINT and SIGTERM at `handler` (`on_signal` or `SIG_DFL`).
fn set_handlers(handler: libc::sighandler_t) -> std::io::Result<()> {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: a zeroed sigaction is valid (no flags, empty mask); the
        // handler is SIG_DFL or `on_signal`, which only calls write(2). No
        // SA_RESTART, so a blocking call sees EINTR as with the C helper.
        let rc = unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = handler;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut())
        };
        if rc != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Whether SIGINT or SIGTERM came since [`catch`].
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Whether an error means "stop": the context was shut down (what
/// [`catch`] does on a signal) or a signal interrupted the call.
pub fn is_stop(e: &zmq::Error) -> bool {
    matches!(
        e.kind(),
        zmq::ErrorKind::Terminated | zmq::ErrorKind::Interrupted
    )
}

/// The installed handlers and their watcher; dropping it puts the default
/// actions back and ends the watcher (which lets go of its context).
pub struct Interrupt {
    notify: UnixStream,
    watcher: Option<JoinHandle<()>>,
}

/// Turns SIGINT/SIGTERM into `context.shutdown()` (see the module docs).
/// One at a time per process: a second `catch` while the first is alive is
/// refused (`AlreadyExists`).
pub fn catch(context: &zmq::Context) -> std::io::Result<Interrupt> {
    let (mut wakeup, notify) = UnixStream::pair()?;
    notify.set_nonblocking(true)?;
    let fd = notify.as_raw_fd();
    if SIGNAL_FD
        .compare_exchange(-1, fd, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "signals are already caught",
        ));
    }
    if let Err(e) = set_handlers(on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t) {
        SIGNAL_FD.store(-1, Ordering::SeqCst);
        return Err(e);
    }
    let context = context.clone();
    let watcher = std::thread::spawn(move || {
        let mut byte = [0u8];
        while wakeup.read_exact(&mut byte).is_ok() {
            if byte[0] == SIGNALLED {
                INTERRUPTED.store(true, Ordering::SeqCst);
                // A second signal kills the process: no stop hangs forever.
                let _ = set_handlers(libc::SIG_DFL);
                let _ = context.shutdown();
            }
            if byte[0] == QUIT {
                break;
            }
        }
    });
    Ok(Interrupt {
        notify,
        watcher: Some(watcher),
    })
}

impl Drop for Interrupt {
    fn drop(&mut self) {
        // Handlers first, then the descriptor, so no handler writes to a
        // closed (or reused) descriptor.
        let _ = set_handlers(libc::SIG_DFL);
        SIGNAL_FD.store(-1, Ordering::SeqCst);
        // The pipe may be full of wake-ups; a blocking write of QUIT waits
        // for the watcher to read them.
        let _ = self.notify.set_nonblocking(false);
        let _ = self.notify.write_all(&[QUIT]);
        if let Some(watcher) = self.watcher.take() {
            let _ = watcher.join();
        }
    }
}
