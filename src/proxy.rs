//! Proxies (`zmq_proxy`, `zmq_proxy_steerable`) with typed control commands,
//! and [`ProxyThread`]: a proxy on its own thread, stopped and joined by its
//! handle (pyzmq's ThreadDevice, czmq's zproxy).

use std::thread::JoinHandle;
use std::time::Duration;

use crate::error::{check, Error, Result};
use crate::socket::Socket;

fn raw(socket: Option<&Socket>) -> *mut std::ffi::c_void {
    socket.map_or(std::ptr::null_mut(), Socket::as_raw)
}

/// Forwards messages between `frontend` and `backend` (and copies them to
/// `capture`), until the context is shut down: then it returns
/// an [`ErrorKind::Terminated`](crate::ErrorKind::Terminated) error. Typical pairs: ROUTER/DEALER (a queue),
/// XSUB/XPUB (a forwarder), PULL/PUSH (a streamer).
#[doc(alias = "zmq_proxy")]
pub fn proxy(frontend: &Socket, backend: &Socket, capture: Option<&Socket>) -> Result<()> {
    // SAFETY: live sockets borrowed for the whole call; capture may be NULL.
    check(unsafe { zmq_sys::zmq_proxy(frontend.as_raw(), backend.as_raw(), raw(capture)) })
        .map(drop)
}

/// Like [`proxy`], steered through `control` (a PAIR or REP socket) by a
/// [`ProxyController`]; returns `Ok(())` after a TERMINATE command.
#[doc(alias = "zmq_proxy_steerable")]
pub fn proxy_steerable(
    frontend: &Socket,
    backend: &Socket,
    capture: Option<&Socket>,
    control: &Socket,
) -> Result<()> {
    // SAFETY: live sockets borrowed for the whole call; capture may be NULL.
    check(unsafe {
        zmq_sys::zmq_proxy_steerable(
            frontend.as_raw(),
            backend.as_raw(),
            raw(capture),
            control.as_raw(),
        )
    })
    .map(drop)
}

/// A command for a steerable proxy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProxyCommand {
    /// Stop forwarding; messages wait in the queues.
    Pause,
    /// Forward again.
    Resume,
    /// Return from the proxy.
    Terminate,
    /// Report the counters ([`ProxyStatistics`]).
    Statistics,
}

impl ProxyCommand {
    /// The bytes to send on the control socket for this command.
    ///
    /// libzmq 4.3.5 compares PAUSE and RESUME the wrong way round in
    /// `handle_control` (`memcmp` of "PAUSE" against "\x05PAUSE" is taken as a
    /// match for *anything but* PAUSE), so "PAUSE" resumes and "RESUME"
    /// pauses there. The typed command means what it says on every version:
    /// on 4.3.5 the two words are swapped on the wire.
    pub fn wire(self) -> &'static [u8] {
        let swapped = crate::version() == (4, 3, 5);
        match self {
            ProxyCommand::Pause if swapped => b"RESUME",
            ProxyCommand::Pause => b"PAUSE",
            ProxyCommand::Resume if swapped => b"PAUSE",
            ProxyCommand::Resume => b"RESUME",
            ProxyCommand::Terminate => b"TERMINATE",
            ProxyCommand::Statistics => b"STATISTICS",
        }
    }
}

/// Counters of one side of a proxy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SideStatistics {
    /// Messages received on this socket.
    pub received_messages: u64,
    /// Bytes received on this socket.
    pub received_bytes: u64,
    /// Messages sent on this socket.
    pub sent_messages: u64,
    /// Bytes sent on this socket.
    pub sent_bytes: u64,
}

/// The reply to [`ProxyCommand::Statistics`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProxyStatistics {
    /// The frontend's counters.
    pub frontend: SideStatistics,
    /// The backend's counters.
    pub backend: SideStatistics,
}

impl ProxyStatistics {
    /// Parses the eight 64-bit frames of a statistics reply.
    pub fn parse(frames: &[&[u8]]) -> Result<ProxyStatistics> {
        if frames.len() != 8 {
            return Err(Error::malformed_event(
                "a proxy statistics reply has 8 frames",
            ));
        }
        let mut n = [0u64; 8];
        for (slot, frame) in n.iter_mut().zip(frames) {
            let bytes: [u8; 8] = (*frame)
                .try_into()
                .map_err(|_| Error::malformed_event("a proxy statistics frame is 8 bytes"))?;
            *slot = u64::from_ne_bytes(bytes);
        }
        let [fr, frb, fs, fsb, br, brb, bs, bsb] = n;
        let side = |received_messages, received_bytes, sent_messages, sent_bytes| SideStatistics {
            received_messages,
            received_bytes,
            sent_messages,
            sent_bytes,
        };
        Ok(ProxyStatistics {
            frontend: side(fr, frb, fs, fsb),
            backend: side(br, brb, bs, bsb),
        })
    }
}

/// Sends typed commands to a steerable proxy over a PAIR socket.
///
/// libzmq 4.3.5 answers every command (an empty frame, or the statistics);
/// earlier versions answer only STATISTICS. The controller copes with both
/// by discarding empty answers.
#[derive(Debug)]
pub struct ProxyController {
    socket: Socket,
}

impl ProxyController {
    /// Wraps the controlling end of the control socket pair.
    pub fn new(socket: Socket) -> ProxyController {
        ProxyController { socket }
    }

    fn drain_acks(&self) -> Result<()> {
        while let Some(_ack) = self.socket.try_recv_multipart()? {}
        Ok(())
    }

    /// Sends a command (for STATISTICS use [`ProxyController::statistics`]).
    pub fn send(&self, command: ProxyCommand) -> Result<()> {
        self.drain_acks()?;
        self.socket.send(command.wire())
    }

    /// Stops forwarding.
    pub fn pause(&self) -> Result<()> {
        self.send(ProxyCommand::Pause)
    }

    /// Forwards again.
    pub fn resume(&self) -> Result<()> {
        self.send(ProxyCommand::Resume)
    }

    /// Makes the proxy return.
    pub fn terminate(&self) -> Result<()> {
        self.send(ProxyCommand::Terminate)
    }

    /// Asks for the counters; waits at most `timeout` for the answer.
    pub fn statistics(&self, timeout: Duration) -> Result<ProxyStatistics> {
        self.send(ProxyCommand::Statistics)?;
        // `Duration::MAX` is past what `Instant` holds: no deadline at all.
        let deadline = crate::duration::Deadline::after(Some(timeout));
        loop {
            let frames = match deadline.remaining() {
                Some(left) => self.socket.recv_multipart_timeout(left)?,
                None => Some(self.socket.recv_multipart()?),
            }
            .ok_or(Error::from(crate::ErrorKind::Again))?;
            if frames.len() == 1 && frames.iter().all(|f| f.is_empty()) {
                continue; // the acknowledgement of an earlier command
            }
            let frames: Vec<&[u8]> = frames.iter().map(|m| &m[..]).collect();
            return ProxyStatistics::parse(&frames);
        }
    }
}

/// The stack of the crate's own proxy thread. libzmq 4.3.5 (and its master
/// branch) walks a subscription trie recursively, one stack frame per byte of
/// a subscription, on the thread that forwards it: a remote subscriber's
/// 32 KiB subscription overflowed a default 2 MiB thread stack and aborted
/// the process. The stack is reserved, not committed: pages are used only
/// as deep as a recursion really goes. See [`ProxyThread`] for the
/// `ZMQ_MAXMSGSIZE` defence that bounds the depth itself.
pub(crate) const THREAD_STACK: usize = 256 << 20;

/// How long [`ProxyThread::stop`] (and its `Drop`) waits for the proxy to
/// return after the TERMINATE command.
pub const PROXY_STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// A steerable proxy running on its own thread. [`ProxyThread::stop`] (or
/// dropping the handle) terminates the proxy and joins the thread; the
/// sockets given to it are closed there.
///
/// The thread retries the proxy when a signal interrupts it (EINTR), and
/// ends when the proxy fails (e.g. a capture socket that cannot send) or the
/// context is shut down; stopping it afterwards returns at once.
///
/// # Facing untrusted peers
/// A proxy forwards subscriptions to its XSUB side, where libzmq keeps them in
/// a trie it walks recursively, one stack frame per byte. The proxy thread has
/// a large stack (256 MiB, reserved, committed only as deep as it is used),
/// which holds subscriptions up to about a megabyte; set
/// [`Socket::set_maxmsgsize`] on a socket that faces untrusted peers (the
/// XPUB of a forwarder, any socket bound on a public address) so that a peer
/// sending a larger frame is disconnected before libzmq stores it.
///
/// ```
/// use zmq::{Context, ProxyThread, SocketType};
/// let ctx = Context::new();
/// let (front, back) = (ctx.socket(SocketType::Pull)?, ctx.socket(SocketType::Push)?);
/// front.bind("inproc://proxy-doc-in")?;
/// back.bind("inproc://proxy-doc-out")?;
/// let proxy = ProxyThread::spawn(front, back, None)?;
///
/// let push = ctx.socket(SocketType::Push)?;
/// push.connect("inproc://proxy-doc-in")?;
/// let pull = ctx.socket(SocketType::Pull)?;
/// pull.connect("inproc://proxy-doc-out")?;
/// push.send("through")?;
/// assert_eq!(pull.recv_string()?, "through");
/// proxy.stop()?;
/// # Ok::<(), zmq::Error>(())
/// ```
#[derive(Debug)]
pub struct ProxyThread {
    controller: ProxyController,
    thread: Option<JoinHandle<Result<()>>>,
    /// Disconnected (by the thread's end) when the proxy has returned.
    done: std::sync::mpsc::Receiver<()>,
}

impl ProxyThread {
    /// Moves the sockets to a new thread and runs a steerable proxy there.
    pub fn spawn(
        frontend: Socket,
        backend: Socket,
        capture: Option<Socket>,
    ) -> Result<ProxyThread> {
        let (control_out, control_in) = frontend.context().pipe("proxy-control")?;
        let (done_tx, done) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("zmq-proxy".into())
            .stack_size(THREAD_STACK)
            .spawn(move || {
                // Dropped when the thread ends, however it ends.
                let _done = done_tx;
                loop {
                    match proxy_steerable(&frontend, &backend, capture.as_ref(), &control_in) {
                        Err(ref e) if e.kind() == crate::ErrorKind::Interrupted => continue,
                        result => return result,
                    }
                }
            })
            .map_err(|_| Error::from(crate::ErrorKind::NoThreads))?;
        Ok(ProxyThread {
            controller: ProxyController::new(control_out),
            thread: Some(thread),
            done,
        })
    }

    /// The controller, to pause, resume or read statistics.
    pub fn controller(&self) -> &ProxyController {
        &self.controller
    }

    /// The proxy's thread (for its name or id, or to signal it); `None` once
    /// it was stopped.
    pub fn join_handle(&self) -> Option<&JoinHandle<Result<()>>> {
        self.thread.as_ref()
    }

    /// Terminates the proxy and joins its thread; returns what the proxy
    /// returned. If the proxy does not return within [`PROXY_STOP_TIMEOUT`]
    /// (it is blocked sending to a peer that does not read), the thread is
    /// left to end when the context terminates, and this returns
    /// [`ErrorKind::Again`](crate::ErrorKind::Again).
    pub fn stop(mut self) -> Result<()> {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> Result<()> {
        let Some(thread) = self.thread.take() else {
            return Ok(());
        };
        // Never blocks: if the proxy has returned already (context shut down,
        // a failed capture, ...), its control socket is gone and the command
        // fails at once; joining is all that is left then.
        let _ = self
            .controller
            .socket
            .try_send(ProxyCommand::Terminate.wire());
        match self.done.recv_timeout(PROXY_STOP_TIMEOUT) {
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                log::warn!(
                    "zmq: the proxy thread did not stop within {PROXY_STOP_TIMEOUT:?} \
                     (blocked sending to a peer that does not read?); it ends when its \
                     context terminates"
                );
                Err(Error::from(crate::ErrorKind::Again))
            }
            _ => match thread.join() {
                Ok(result) => result,
                Err(_) => Err(Error::from_errno(zmq_sys::errno::EINVAL)),
            },
        }
    }
}

impl Drop for ProxyThread {
    fn drop(&mut self) {
        let _ = self.stop_and_join();
    }
}
