//! Async sockets on tokio (feature `tokio`): [`AsyncSocket`], a
//! [`Stream`]/[`Sink`] of multipart messages, [`AsyncMonitor`] (a stream of
//! monitor events) and [`AsyncProxy`] (a proxy thread controlled without
//! blocking the runtime). The user guide is `docs/ASYNC.md`.
//!
//! # How readiness works, and why no wake-up is lost
//! libzmq gives each socket a readiness descriptor (`ZMQ_FD`; for the
//! thread-safe DRAFT types, the descriptor of a `zmq_poller` watching the
//! socket). It is **edge-triggered**: it becomes readable when the socket's
//! `ZMQ_EVENTS` *may* have changed, and libzmq's own `send`, `recv` and
//! `ZMQ_EVENTS` calls consume that signal. So a send can make the socket
//! readable without any edge on the descriptor, and a receive that took one
//! message leaves the next one queued without an edge. Every binding whose
//! loop waits on the descriptor at the wrong moment loses wake-ups and
//! hangs. This module follows libzmq's rule exactly:
//!
//! 1. An operation is always tried first, without blocking
//!    (`ZMQ_DONTWAIT`); only when libzmq says it would block does the future
//!    wait.
//! 2. Before any wait, `ZMQ_EVENTS` is read: after every send, every
//!    receive and every readiness notification. If it shows the event
//!    wanted, the operation is tried again instead of waiting (unless it
//!    just failed although `ZMQ_EVENTS` showed the event: see 5).
//! 3. The descriptor's readiness (tokio's `AsyncFd`) is cleared only when
//!    `ZMQ_EVENTS`, read after that notification, says the event wanted is
//!    not there (in case 5: when the descriptor shows no new command);
//!    tokio clears it only if no newer notification came in between, so
//!    none is lost.
//! 4. A socket may have a receiver and a sender waiting at once (its
//!    [`Stream`] and [`Sink`] halves in two tasks): one shared waker is
//!    registered with tokio and wakes both, and after each operation that
//!    may have consumed the other side's signal, `ZMQ_EVENTS` is read and
//!    the other side woken if it can go on.
//! 5. When `ZMQ_EVENTS` showed the event but the operation still would
//!    block (a ROUTER with `ROUTER_MANDATORY` whose addressed peer is full
//!    while another has room; an XPUB with `XPUB_NODROP`; a DRAFT SERVER),
//!    `ZMQ_EVENTS` cannot tell when to try again: only a command to the
//!    socket (the peer's pipe freed) can. Then the descriptor itself is
//!    asked (a zero-timeout `poll`, which consumes nothing): readable means
//!    commands came that no call has processed yet, and only then is
//!    `ZMQ_EVENTS` read (processing them, waking the other side if it can
//!    go on) and the operation tried again; not readable, the future waits
//!    for tokio's next notification, which any later command produces, and
//!    clears a stale one. Reading `ZMQ_EVENTS` first, as in 2, lost the
//!    wake-up here: it could process the very command that frees the pipe
//!    and consume its signal before tokio's reactor had taken the
//!    notification from the kernel, which then reports nothing
//!    (edge-triggered), while `ZMQ_EVENTS` says "ready" as before (issue
//!    22, item 3; `Readiness::poll_new_commands` has the details).
//!
//!    So in case 5 a try that would block is followed by `ZMQ_EVENTS` (for
//!    the other side, as in 4) only when the descriptor shows new commands.
//!    libzmq's send also processes pending commands itself, at most about
//!    once a millisecond: if such a try processed one that the other side
//!    waits for (the receiving half of a split socket) before tokio took
//!    its notification, that side is woken by the socket's next command or
//!    this side's next `ZMQ_EVENTS`, not at once. It takes a command landing
//!    in the microseconds between the `ZMQ_EVENTS` that precedes every such
//!    try and the try's own processing, in a try that libzmq's throttle
//!    lets process (it skips a send that comes within about a millisecond
//!    of the last one that processed). No fix of 5 avoids both: reading
//!    `ZMQ_EVENTS` after such a try for the other side may consume this
//!    side's command in the same way, and trying again after it spins.
//!
//! # Cancellation
//! Every future here may be dropped at any `.await` without losing data:
//! a message is taken from libzmq only inside the poll that returns it, and
//! a message is handed to libzmq only inside the poll that completes the
//! send. The table per method is in `docs/ASYNC.md` and in each method's
//! documentation.

use std::os::fd::{AsRawFd, RawFd};
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context as TaskContext, Poll, Wake, Waker};
use std::time::Duration;

use futures_core::Stream;
use futures_sink::Sink;
use tokio::io::unix::{AsyncFd, AsyncFdReadyGuard};
use tokio::io::Interest;
use tokio::task::coop::RestoreOnPending;

use crate::{
    Error, ErrorKind, Message, Monitor, MonitorEvent, MonitorEvents, Multipart, PollEvents,
    ProxyStatistics, ProxyThread, Result, SendFlags, Socket,
};

/// docs/ASYNC.md's code blocks are compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../docs/ASYNC.md")]
struct AsyncGuideDoctests;

// ---- readiness ---------------------------------------------------------------

/// The socket's readiness descriptor as tokio registers it. It is borrowed:
/// the socket owns it, and every holder of a `Readiness` drops it (which
/// deregisters the descriptor) before the socket.
struct BorrowedFd(RawFd);

impl AsRawFd for BorrowedFd {
    fn as_raw_fd(&self) -> RawFd {
        self.0
    }
}

/// What a waiter waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Direction {
    Recv,
    Send,
}

impl Direction {
    fn event(self) -> PollEvents {
        match self {
            Direction::Recv => PollEvents::POLLIN,
            Direction::Send => PollEvents::POLLOUT,
        }
    }

    /// This direction's bit in [`Dispatch::waiting`].
    #[inline]
    fn bit(self) -> u8 {
        match self {
            Direction::Recv => 1,
            Direction::Send => 2,
        }
    }

    #[inline]
    fn other(self) -> Direction {
        match self {
            Direction::Recv => Direction::Send,
            Direction::Send => Direction::Recv,
        }
    }
}

/// The tasks waiting on one socket: at most one receiver and one sender.
#[derive(Default)]
struct Waiters {
    recv: Option<Waker>,
    send: Option<Waker>,
}

impl Waiters {
    fn slot(&mut self, direction: Direction) -> &mut Option<Waker> {
        match direction {
            Direction::Recv => &mut self.recv,
            Direction::Send => &mut self.send,
        }
    }
}

/// The one waker tokio holds for the descriptor: a notification wakes every
/// waiting task, whichever of them registered last.
#[derive(Default)]
struct Dispatch {
    waiters: Mutex<Waiters>,
    /// Which slots of `waiters` hold a waker ([`Direction::bit`]), written
    /// under the lock after each change, so that the check made after every
    /// operation ([`Readiness::after_operation`]) is one load instead of a
    /// lock: a locked read-modify-write on a cache line that tokio's driver
    /// thread also touches cost about 6 % of an async send loop's time.
    /// A stale value is harmless: the two halves of a split socket poll
    /// one after the other (the split's lock orders their loads and
    /// stores), and only tokio's notification, which wakes every waiter
    /// anyway, clears slots from elsewhere.
    waiting: AtomicU8,
}

impl Dispatch {
    /// Runs `f` on the waiters under the lock, then publishes which slots
    /// are taken.
    fn with<R>(&self, f: impl FnOnce(&mut Waiters) -> R) -> R {
        let mut waiters = self.waiters.lock().unwrap_or_else(PoisonError::into_inner);
        let result = f(&mut waiters);
        let bits = [Direction::Recv, Direction::Send]
            .into_iter()
            .filter(|&d| waiters.slot(d).is_some())
            .fold(0, |bits, d| bits | d.bit());
        self.waiting.store(bits, Ordering::Release);
        result
    }

    fn register(&self, direction: Direction, waker: &Waker) {
        self.with(|waiters| {
            let slot = waiters.slot(direction);
            if !slot.as_ref().is_some_and(|w| w.will_wake(waker)) {
                *slot = Some(waker.clone());
            }
        });
    }

    /// Takes the waker of `direction`'s slot; the lock is taken only when
    /// the slot is published as taken.
    fn take(&self, direction: Direction) -> Option<Waker> {
        if !self.is_waiting(direction) {
            return None;
        }
        self.with(|waiters| waiters.slot(direction).take())
    }

    fn unregister(&self, direction: Direction) {
        drop(self.take(direction));
    }

    #[inline]
    fn is_waiting(&self, direction: Direction) -> bool {
        self.waiting.load(Ordering::Acquire) & direction.bit() != 0
    }

    fn wake_one(&self, direction: Direction) {
        if let Some(waker) = self.take(direction) {
            waker.wake();
        }
    }

    /// Wakes the waiter for `direction` if `events` says it can go on.
    fn wake_if_ready(&self, direction: Direction, events: PollEvents) {
        if events.contains(direction.event()) {
            self.wake_one(direction);
        }
    }
}

impl Wake for Dispatch {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let (recv, send) = self.with(|waiters| (waiters.recv.take(), waiters.send.take()));
        if let Some(waker) = recv {
            waker.wake();
        }
        if let Some(waker) = send {
            waker.wake();
        }
    }
}

/// A socket's readiness descriptor registered with tokio, and the rule for
/// waiting on it (see the module documentation).
struct Readiness {
    fd: AsyncFd<BorrowedFd>,
    dispatch: Arc<Dispatch>,
    /// `dispatch` as a waker, made once.
    waker: Waker,
    /// Operations done since the last one charged to tokio's budget.
    uncharged: AtomicU8,
}

/// One unit of tokio's cooperative budget is charged per this many
/// completed operations (see [`Readiness::poll_io`]).
const OPERATIONS_PER_BUDGET_UNIT: u8 = 8;

fn no_runtime() -> Error {
    Error::from(std::io::Error::other(
        "zmq async sockets need a tokio runtime with I/O enabled \
         (call this inside the runtime; Builder::enable_io or enable_all)",
    ))
}

impl Readiness {
    fn new(socket: &Socket) -> Result<Readiness> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(no_runtime());
        }
        let fd = BorrowedFd(socket.as_raw_fd());
        // tokio panics (rather than failing) in a runtime built without
        // I/O; that is turned into an error here.
        let registered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            // SAFETY: the descriptor is the socket's (ZMQ_FD, or its readiness
            // poller's), open and the same until the socket closes; every
            // holder of a Readiness (AsyncSocket, AsyncMonitor) declares it
            // before the socket, so it is dropped, and the descriptor
            // deregistered, first (into_inner drops it first explicitly).
            unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) }
        }));
        let fd = match registered {
            Ok(Ok(fd)) => fd,
            Ok(Err(e)) => return Err(Error::from(std::io::Error::from(e))),
            Err(_) => return Err(no_runtime()),
        };
        let dispatch = Arc::new(Dispatch::default());
        let waker = Waker::from(Arc::clone(&dispatch));
        Ok(Readiness {
            fd,
            dispatch,
            waker,
            uncharged: AtomicU8::new(0),
        })
    }

    /// Ready when `socket` is worth trying again for `direction`. With
    /// `trust_events` false, the last try failed although `ZMQ_EVENTS`
    /// said it could go on (a ROUTER with `ROUTER_MANDATORY` whose one
    /// peer is full, for instance): see [`Readiness::poll_new_commands`].
    fn poll_ready(
        &self,
        socket: &Socket,
        cx: &mut TaskContext<'_>,
        direction: Direction,
        trust_events: bool,
    ) -> Poll<Result<()>> {
        self.dispatch.register(direction, cx.waker());
        if !trust_events {
            return self.poll_new_commands(socket, direction);
        }
        let mut notified: Option<AsyncFdReadyGuard<'_, BorrowedFd>> = None;
        loop {
            // The rule: ZMQ_EVENTS after every operation and notification,
            // before any wait.
            let events = match self.events(socket, direction) {
                Ok(events) => events,
                Err(e) => return Poll::Ready(Err(e)),
            };
            let ready = events.contains(direction.event());
            if let Some(mut guard) = notified.take() {
                if !ready {
                    // Cleared only if no newer notification came since.
                    guard.clear_ready();
                }
            }
            if ready {
                self.dispatch.unregister(direction);
                return Poll::Ready(Ok(()));
            }
            match self.poll_notification() {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(guard)) => notified = Some(guard),
                Poll::Ready(Err(e)) => {
                    self.dispatch.unregister(direction);
                    return Poll::Ready(Err(e));
                }
            }
        }
    }

    /// `ZMQ_EVENTS` (which first processes the commands libzmq's I/O
    /// threads and peers sent the socket), waking the waiter of the other
    /// direction if it can go on. On an error both waiters end: this one
    /// gets the error, the other is woken to see it.
    fn events(&self, socket: &Socket, direction: Direction) -> Result<PollEvents> {
        match socket.events() {
            Ok(events) => {
                self.dispatch.wake_if_ready(direction.other(), events);
                Ok(events)
            }
            Err(e) => {
                self.dispatch.unregister(direction);
                self.dispatch.wake_one(direction.other());
                Err(e)
            }
        }
    }

    /// tokio's readiness for the descriptor, with the shared waker.
    fn poll_notification(&self) -> Poll<Result<AsyncFdReadyGuard<'_, BorrowedFd>>> {
        let mut dispatch_cx = TaskContext::from_waker(&self.waker);
        self.fd
            .poll_read_ready(&mut dispatch_cx)
            .map_err(Error::from)
    }

    /// The wait when `ZMQ_EVENTS` cannot be trusted: it said `direction`
    /// could go on, yet the try that followed would block. Only a command
    /// to the socket (a peer's pipe freed, attached or gone) can change
    /// that, so the operation is worth trying again exactly when commands
    /// came that no call has processed since the try, and then after they
    /// are processed.
    ///
    /// libzmq's readiness descriptor is readable exactly then: the socket's
    /// mailbox signals it for the first command after each time it was
    /// drained, and every call that processes commands drains the mailbox
    /// and consumes the signal. (For a thread-safe DRAFT socket, the
    /// descriptor of its `zmq_poller` is signalled the same way but
    /// consumed only by `ZMQ_EVENTS`, one signal each: after a try that
    /// processed the commands itself it is still readable, which costs one
    /// more try per signal left, never a spin.) So the descriptor itself is
    /// asked, and `ZMQ_EVENTS` is read only when it is readable, followed
    /// by a new try. Reading `ZMQ_EVENTS` first (as the trusting wait
    /// does) would be wrong here: it may process the very command that
    /// frees the pipe and consume the signal before tokio's reactor has
    /// taken its notification from the kernel; the kernel then reports
    /// nothing (edge-triggered, and the descriptor is no longer readable),
    /// `ZMQ_EVENTS` still says "ready" as before, and the task would wait
    /// for a notification that never comes (issue 22, item 3).
    ///
    /// When the descriptor is not readable, tokio's readiness is consulted
    /// with the shared waker: a notification it holds is stale (its
    /// commands were processed by an earlier call) and is cleared; Pending
    /// registers the waker, and any command after the look at the
    /// descriptor signals it again, which tokio then reports.
    fn poll_new_commands(&self, socket: &Socket, direction: Direction) -> Poll<Result<()>> {
        loop {
            match descriptor_readable(self.fd.get_ref().0) {
                Ok(true) => {
                    // Process them (and wake the other waiter if they let
                    // it go on); the caller tries again.
                    if let Err(e) = self.events(socket, direction) {
                        return Poll::Ready(Err(e));
                    }
                    self.dispatch.unregister(direction);
                    return Poll::Ready(Ok(()));
                }
                Ok(false) => {}
                Err(e) => {
                    self.dispatch.unregister(direction);
                    return Poll::Ready(Err(e));
                }
            }
            match self.poll_notification() {
                Poll::Pending => return Poll::Pending,
                // Cleared only if no newer notification came since; then
                // the descriptor is asked again.
                Poll::Ready(Ok(mut guard)) => guard.clear_ready(),
                Poll::Ready(Err(e)) => {
                    self.dispatch.unregister(direction);
                    return Poll::Ready(Err(e));
                }
            }
        }
    }

    /// After an operation in `done`: it may have consumed the signal the
    /// waiter of the other direction waits for, so `ZMQ_EVENTS` is read and
    /// that waiter woken if it can go on (or if the read fails, so that it
    /// sees the error itself). Inlined: after most operations nobody waits
    /// on the other side, and the check is one load.
    #[inline]
    fn after_operation(&self, socket: &Socket, done: Direction) {
        if self.dispatch.is_waiting(done.other()) {
            self.wake_other_if_ready(socket, done.other());
        }
    }

    #[cold]
    #[inline(never)]
    fn wake_other_if_ready(&self, socket: &Socket, other: Direction) {
        match socket.events() {
            Ok(events) => self.dispatch.wake_if_ready(other, events),
            Err(_) => self.dispatch.wake_one(other),
        }
    }

    /// Whether the next completed operation is to be charged to tokio's
    /// budget: one in [`OPERATIONS_PER_BUDGET_UNIT`].
    #[inline]
    fn charge_due(&self) -> bool {
        self.uncharged.load(Ordering::Relaxed) + 1 >= OPERATIONS_PER_BUDGET_UNIT
    }

    /// Counts a completed operation, and charges it to tokio's budget when
    /// `progress` (the budget consulted for it) is there.
    #[inline]
    fn completed(&self, progress: Option<RestoreOnPending>) {
        // One task polls at a time (the halves of a split socket under the
        // split's lock): a load and a store, no locked read-modify-write.
        let uncharged = match progress {
            Some(progress) => {
                progress.made_progress();
                0
            }
            None => self.uncharged.load(Ordering::Relaxed) + 1,
        };
        self.uncharged.store(uncharged, Ordering::Relaxed);
    }

    /// Tries `attempt` (a non-blocking operation: `Ok(None)` when it would
    /// block) on `target`'s socket until it gives a value, waiting for
    /// readiness in between. The value is produced inside the poll that
    /// returns it.
    #[inline]
    fn poll_io<S, T>(
        &self,
        cx: &mut TaskContext<'_>,
        direction: Direction,
        target: &mut S,
        socket: fn(&S) -> &Socket,
        mut attempt: impl FnMut(&mut S) -> Result<Option<T>>,
    ) -> Poll<Result<T>> {
        // tokio's cooperative budget: a task whose every operation
        // completes at once (a fast sender, a full queue to read) still
        // yields to the others now and then. One unit is charged per
        // OPERATIONS_PER_BUDGET_UNIT completed operations, and the budget is
        // consulted only for the operation that would be charged: a libzmq
        // send or receive that completes at once costs far less than the
        // system call a unit of tokio's budget stands for, and charging each
        // one (with the yield every 128 operations that follows) cost the
        // async loops 10-15 % of their throughput. Pending here takes
        // nothing.
        let progress = if self.charge_due() {
            match tokio::task::coop::poll_proceed(cx) {
                Poll::Ready(progress) => Some(progress),
                Poll::Pending => return Poll::Pending,
            }
        } else {
            None
        };
        // The first try, inlined into the caller: most operations complete
        // here, and the wait below is kept out of this path.
        match attempt(target) {
            Ok(Some(value)) => {
                self.completed(progress);
                self.after_operation(socket(target), direction);
                Poll::Ready(Ok(value))
            }
            Err(e) => {
                self.after_operation(socket(target), direction);
                Poll::Ready(Err(e))
            }
            Ok(None) => {
                let op = Operation {
                    target,
                    socket,
                    attempt,
                };
                self.poll_io_wait(cx, direction, op, progress)
            }
        }
    }

    /// What a try gave: `Err(progress)` when it would block (the budget
    /// guard, handed back for the next try); otherwise its result, once the
    /// completed operation is counted (charged to tokio's budget if
    /// `progress` is there) and the other direction's waiter woken if it
    /// can go on.
    #[inline]
    fn after_try<T>(
        &self,
        tried: Result<Option<T>>,
        progress: Option<RestoreOnPending>,
        socket: &Socket,
        direction: Direction,
    ) -> std::result::Result<Result<T>, Option<RestoreOnPending>> {
        let result = match tried {
            Ok(Some(value)) => {
                self.completed(progress);
                Ok(value)
            }
            Ok(None) => return Err(progress),
            Err(e) => Err(e),
        };
        self.after_operation(socket, direction);
        Ok(result)
    }

    /// [`Readiness::poll_io`] after a try that would block: waits for
    /// readiness and tries again until the operation gives a value.
    #[inline(never)]
    fn poll_io_wait<S, T>(
        &self,
        cx: &mut TaskContext<'_>,
        direction: Direction,
        mut op: Operation<'_, S, impl FnMut(&mut S) -> Result<Option<T>>>,
        mut progress: Option<RestoreOnPending>,
    ) -> Poll<Result<T>> {
        let mut trust_events = true;
        loop {
            match self.poll_ready(op.socket(), cx, direction, trust_events) {
                Poll::Ready(Ok(())) => trust_events = false,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
            let tried = (op.attempt)(op.target);
            match self.after_try(tried, progress, op.socket(), direction) {
                Ok(result) => return Poll::Ready(result),
                Err(kept) => progress = kept,
            }
        }
    }
}

/// An operation [`Readiness::poll_io_wait`] tries again: what holds the
/// socket, how to reach the socket from it, and the non-blocking try.
struct Operation<'a, S, F> {
    target: &'a mut S,
    socket: fn(&S) -> &Socket,
    attempt: F,
}

impl<S, F> Operation<'_, S, F> {
    fn socket(&self) -> &Socket {
        (self.socket)(self.target)
    }
}

/// Whether `fd` is readable now (`poll` with a zero timeout). It never
/// reads from the descriptor.
fn descriptor_readable(fd: RawFd) -> Result<bool> {
    let mut pollfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    loop {
        // SAFETY: one initialised pollfd, a count of 1 and a zero timeout:
        // poll only writes `revents` and never blocks. The descriptor is the
        // socket's, open while the Readiness lives.
        let rc = unsafe { libc::poll(&mut pollfd, 1, 0) };
        if rc >= 0 {
            if pollfd.revents & libc::POLLNVAL != 0 {
                return Err(Error::from_errno(zmq_sys::errno::EBADF));
            }
            return Ok(pollfd.revents & libc::POLLIN != 0);
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(Error::from(e));
        }
    }
}

/// `Ok(None)` for a would-block error.
fn unless_would_block<T>(result: Result<T>) -> Result<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.is_would_block() => Ok(None),
        Err(e) => Err(e),
    }
}

// ---- AsyncSocket -------------------------------------------------------------

/// A [`Socket`] for async code on tokio (feature `tokio`).
///
/// It owns the socket; [`AsyncSocket::get_ref`] reaches it for options,
/// `bind` and `connect`. Its methods take `&mut self`, so the futures they
/// return are `Send` (a socket is `Send` but not `Sync`) and run on the
/// multi-threaded runtime; to receive and send from two tasks, split its
/// [`Stream`] + [`Sink`] of [`Multipart`] messages
/// (`futures::StreamExt::split`): both halves may wait at once, and neither
/// loses the other's wake-up.
///
/// Every operation is tried without blocking first and waits on the
/// socket's readiness descriptor only when libzmq says it would block,
/// following libzmq's edge-triggered rule (module documentation). The
/// socket's `ZMQ_SNDTIMEO`/`ZMQ_RCVTIMEO` play no part: bound a wait with
/// `tokio::time::timeout`, which is safe since every future here is
/// cancellation-safe.
///
/// | method | dropped before it completes |
/// |---|---|
/// | `recv`, `recv_msg`, `recv_bytes`, `recv_string`, `recv_multipart`, `recv_multipart_into`, `Stream::poll_next` | nothing was received: the message stays in libzmq for the next call |
/// | `send`, `send_msg`, `send_multipart` | nothing was sent (`send_msg` leaves the frame in its argument) |
/// | `Sink::send` (`SinkExt`) | the item is either still in the future (not sent) or buffered in the socket, sent by the next `poll_ready`/`flush`/`close` |
///
/// ```
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() -> zmq::Result<()> {
/// use zmq::{AsyncSocket, Context, SocketType};
/// let ctx = Context::new();
/// let mut rep = AsyncSocket::new(ctx.socket(SocketType::Rep)?)?;
/// rep.get_ref().bind("tcp://127.0.0.1:*")?;
/// let mut req = ctx.socket(SocketType::Req)?.into_async()?;
/// req.get_ref().connect(&rep.get_ref().last_endpoint()?)?;
/// req.send("ping").await?;
/// assert_eq!(rep.recv_string().await?, "ping");
/// rep.send("pong").await?;
/// assert_eq!(req.recv_bytes().await?, b"pong");
/// # Ok(())
/// # }
/// ```
pub struct AsyncSocket {
    // Declared first: dropped (deregistered) before the socket closes the
    // descriptor.
    readiness: Readiness,
    socket: Socket,
    /// The message [`Sink::start_send`] took, until it is sent.
    sink_item: Option<Multipart>,
    /// The context was terminated: the stream has ended.
    stream_ended: bool,
}

impl std::fmt::Debug for AsyncSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncSocket")
            .field("socket", &self.socket)
            .field("sink_item", &self.sink_item.is_some())
            .finish_non_exhaustive()
    }
}

impl Socket {
    /// Turns this socket into an [`AsyncSocket`] (feature `tokio`); call it
    /// inside a tokio runtime with I/O enabled, or get an
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) error.
    pub fn into_async(self) -> Result<AsyncSocket> {
        AsyncSocket::new(self)
    }
}

impl AsyncSocket {
    /// Registers the socket's readiness descriptor with the current tokio
    /// runtime. Outside a runtime, or in one built without I/O, it fails
    /// with [`ErrorKind::Io`](crate::ErrorKind::Io) (and the socket is
    /// closed). Any socket type works; the thread-safe DRAFT types
    /// (CLIENT, SERVER...) wait on a `zmq_poller` descriptor, as pyzmq does.
    pub fn new(socket: Socket) -> Result<AsyncSocket> {
        let readiness = Readiness::new(&socket)?;
        Ok(AsyncSocket {
            readiness,
            socket,
            sink_item: None,
            stream_ended: false,
        })
    }

    /// The socket, for options, `bind`, `connect`, `monitor`... Do not call
    /// its blocking `send`/`recv` from async code: they block the runtime
    /// thread.
    pub fn get_ref(&self) -> &Socket {
        &self.socket
    }

    /// Back to a blocking socket (deregistered from the runtime). A message
    /// still buffered by the [`Sink`] is dropped: flush first.
    pub fn into_inner(self) -> Socket {
        let AsyncSocket {
            readiness, socket, ..
        } = self;
        drop(readiness);
        socket
    }

    #[inline]
    fn poll_io<T>(
        &mut self,
        cx: &mut TaskContext<'_>,
        direction: Direction,
        mut attempt: impl FnMut(&Socket) -> Result<Option<T>>,
    ) -> Poll<Result<T>> {
        let AsyncSocket {
            readiness, socket, ..
        } = self;
        readiness.poll_io(cx, direction, socket, |s| s, |s| attempt(s))
    }

    // ---- sending -----------------------------------------------------------

    /// Sends one frame (anything `Into<Message>`), waiting while the socket
    /// cannot take it. **Cancellation-safe**: dropped before it completes,
    /// nothing was sent (the frame is dropped with the future).
    pub async fn send(&mut self, data: impl Into<Message>) -> Result<()> {
        let mut msg = data.into();
        self.send_msg(&mut msg).await
    }

    /// Sends `msg`, leaving it empty once sent. **Cancellation-safe**:
    /// dropped before it completes, nothing was sent and `msg` still holds
    /// the frame; on an error `msg` is untouched too.
    #[inline]
    pub async fn send_msg(&mut self, msg: &mut Message) -> Result<()> {
        std::future::poll_fn(|cx| self.poll_send_msg(cx, msg)).await
    }

    /// The poll form of [`AsyncSocket::send_msg`].
    #[inline]
    pub fn poll_send_msg(
        &mut self,
        cx: &mut TaskContext<'_>,
        msg: &mut Message,
    ) -> Poll<Result<()>> {
        self.poll_io(cx, Direction::Send, |s| {
            unless_would_block(s.send_msg_with(msg, SendFlags::DONTWAIT))
        })
    }

    /// Sends the frames of one multipart message; libzmq takes all of them
    /// or none. **Cancellation-safe**: dropped before it completes, no frame
    /// was sent. An empty message sends nothing.
    pub async fn send_multipart<I>(&mut self, frames: I) -> Result<()>
    where
        I: IntoIterator,
        I::Item: Into<Message>,
    {
        let mut frames: Option<Multipart> = Some(frames.into_iter().collect());
        std::future::poll_fn(|cx| self.poll_send_multipart(cx, &mut frames)).await
    }

    /// The poll form of [`AsyncSocket::send_multipart`]: sends the message
    /// in `frames` and leaves `None` there once it is sent; while it would
    /// block, the frames stay in `frames`.
    pub fn poll_send_multipart(
        &mut self,
        cx: &mut TaskContext<'_>,
        frames: &mut Option<Multipart>,
    ) -> Poll<Result<()>> {
        self.poll_io(cx, Direction::Send, |s| {
            let Some(message) = frames.take() else {
                return Ok(Some(()));
            };
            match s.try_send_multipart(message)? {
                None => Ok(Some(())),
                Some(back) => {
                    *frames = Some(back);
                    Ok(None)
                }
            }
        })
    }

    // ---- receiving ---------------------------------------------------------

    /// Receives a frame into `msg`, replacing its content (reuse one
    /// `Message` in a loop). **Cancellation-safe**: dropped before it
    /// completes, nothing was received and `msg` is as it was.
    #[inline]
    pub async fn recv(&mut self, msg: &mut Message) -> Result<()> {
        std::future::poll_fn(|cx| self.poll_recv(cx, msg)).await
    }

    /// The poll form of [`AsyncSocket::recv`].
    #[inline]
    pub fn poll_recv(&mut self, cx: &mut TaskContext<'_>, msg: &mut Message) -> Poll<Result<()>> {
        self.poll_io(cx, Direction::Recv, |s| Ok(s.try_recv(msg)?.then_some(())))
    }

    /// Receives a frame as a new [`Message`]. **Cancellation-safe.**
    pub async fn recv_msg(&mut self) -> Result<Message> {
        let mut msg = Message::new();
        self.recv(&mut msg).await?;
        Ok(msg)
    }

    /// Receives a frame as bytes. **Cancellation-safe.**
    pub async fn recv_bytes(&mut self) -> Result<Vec<u8>> {
        self.recv_msg().await.map(Vec::from)
    }

    /// Receives a frame as a `String`; invalid UTF-8 gives
    /// [`ErrorKind::InvalidUtf8`] (the frame was received:
    /// [`Error::into_utf8_bytes`] hands its bytes back).
    /// **Cancellation-safe.**
    pub async fn recv_string(&mut self) -> Result<String> {
        Ok(String::from_utf8(self.recv_bytes().await?)?)
    }

    /// Receives all frames of one multipart message. **Cancellation-safe**:
    /// libzmq delivers a message whole, so all its frames are taken in the
    /// one poll that returns them.
    pub async fn recv_multipart(&mut self) -> Result<Multipart> {
        let mut frames = Multipart::new();
        self.recv_multipart_into(&mut frames).await?;
        Ok(frames)
    }

    /// [`AsyncSocket::recv_multipart`] into `frames` (cleared first),
    /// reusing its allocation. **Cancellation-safe.**
    pub async fn recv_multipart_into(&mut self, frames: &mut Multipart) -> Result<()> {
        std::future::poll_fn(|cx| self.poll_recv_multipart_into(cx, frames)).await
    }

    /// The poll form of [`AsyncSocket::recv_multipart_into`].
    pub fn poll_recv_multipart_into(
        &mut self,
        cx: &mut TaskContext<'_>,
        frames: &mut Multipart,
    ) -> Poll<Result<()>> {
        self.poll_io(cx, Direction::Recv, |s| {
            Ok(s.try_recv_multipart_into(frames)?.then_some(()))
        })
    }

    /// Starts monitoring the socket (see [`Socket::monitor`]) and returns
    /// the events as an async stream.
    pub fn monitor(&self, events: MonitorEvents) -> Result<AsyncMonitor> {
        AsyncMonitor::new(self.socket.monitor(events)?)
    }

    /// Sends the message the [`Sink`] holds, if any.
    fn poll_flush_sink_item(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<()>> {
        if self.sink_item.is_none() {
            return Poll::Ready(Ok(()));
        }
        let mut item = self.sink_item.take();
        let result = self.poll_send_multipart(cx, &mut item);
        self.sink_item = item;
        result
    }
}

/// The socket's incoming messages. Each item is one whole message;
/// an error is an item too. The stream ends (`None`) when the context is
/// terminated. **Cancellation-safe** (a message is taken only by the poll
/// that yields it).
impl Stream for AsyncSocket {
    type Item = Result<Multipart>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.stream_ended {
            return Poll::Ready(None);
        }
        let mut frames = Multipart::new();
        match this.poll_recv_multipart_into(cx, &mut frames) {
            Poll::Ready(Ok(())) => Poll::Ready(Some(Ok(frames))),
            Poll::Ready(Err(e)) if e.kind() == ErrorKind::Terminated => {
                this.stream_ended = true;
                Poll::Ready(None)
            }
            Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Sends multipart messages. [`Sink::start_send`] buffers one message;
/// `poll_ready`, `poll_flush` and `poll_close` send it, waiting while the
/// socket cannot take it. A message given to `start_send` after
/// `poll_ready` said ready is never dropped, except with the socket.
impl Sink<Multipart> for AsyncSocket {
    type Error = Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Result<()>> {
        self.get_mut().poll_flush_sink_item(cx)
    }

    fn start_send(self: Pin<&mut Self>, item: Multipart) -> Result<()> {
        let this = self.get_mut();
        if this.sink_item.is_some() {
            // poll_ready was not called (or did not say ready): refuse
            // rather than drop the buffered message.
            return Err(Error::from(ErrorKind::InvalidState));
        }
        this.sink_item = Some(item);
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Result<()>> {
        self.get_mut().poll_flush_sink_item(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Result<()>> {
        self.get_mut().poll_flush_sink_item(cx)
    }
}

// ---- AsyncMonitor ------------------------------------------------------------

/// The events of a monitored socket as an async [`Stream`] (feature
/// `tokio`). The stream yields [`Event::MonitorStopped`](crate::Event::MonitorStopped)
/// (after [`Socket::stop_monitor`]) and then ends; it ends too when the
/// context is terminated. **Cancellation-safe** like [`AsyncSocket`].
///
/// ```
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() -> zmq::Result<()> {
/// use zmq::{Context, Event, MonitorEvents, SocketType};
/// let ctx = Context::new();
/// let server = ctx.socket(SocketType::Rep)?.into_async()?;
/// let mut events = server.monitor(MonitorEvents::LISTENING)?;
/// server.get_ref().bind("tcp://127.0.0.1:*")?;
/// assert!(matches!(events.recv().await?.event, Event::Listening { .. }));
/// # Ok(())
/// # }
/// ```
pub struct AsyncMonitor {
    // Declared first: deregistered before the monitor's socket closes.
    readiness: Readiness,
    monitor: Monitor,
    ended: bool,
}

impl std::fmt::Debug for AsyncMonitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncMonitor")
            .field("monitor", &self.monitor)
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

impl AsyncMonitor {
    /// Makes a [`Monitor`] async; inside a tokio runtime with I/O enabled,
    /// or [`ErrorKind::Io`].
    pub fn new(monitor: Monitor) -> Result<AsyncMonitor> {
        let readiness = Readiness::new(monitor.socket())?;
        Ok(AsyncMonitor {
            readiness,
            monitor,
            ended: false,
        })
    }

    /// The next event. After the stream has ended (monitor stopped, context
    /// terminated) it fails with [`ErrorKind::Terminated`].
    /// **Cancellation-safe.**
    pub async fn recv(&mut self) -> Result<MonitorEvent> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// The poll form of [`AsyncMonitor::recv`].
    pub fn poll_recv(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<MonitorEvent>> {
        if self.ended {
            return Poll::Ready(Err(Error::from(ErrorKind::Terminated)));
        }
        let AsyncMonitor {
            readiness,
            monitor,
            ended,
        } = self;
        let result = readiness.poll_io(cx, Direction::Recv, monitor, Monitor::socket, |m| {
            m.try_recv()
        });
        match &result {
            Poll::Ready(Ok(e)) if e.event == crate::Event::MonitorStopped => *ended = true,
            Poll::Ready(Err(e)) if e.kind() == ErrorKind::Terminated => *ended = true,
            _ => {}
        }
        result
    }

    /// Back to the blocking [`Monitor`].
    pub fn into_inner(self) -> Monitor {
        let AsyncMonitor {
            readiness, monitor, ..
        } = self;
        drop(readiness);
        monitor
    }
}

impl Stream for AsyncMonitor {
    type Item = Result<MonitorEvent>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.ended {
            return Poll::Ready(None);
        }
        match this.poll_recv(cx) {
            Poll::Ready(Err(e)) if e.kind() == ErrorKind::Terminated => Poll::Ready(None),
            Poll::Ready(result) => Poll::Ready(Some(result)),
            Poll::Pending => Poll::Pending,
        }
    }
}

// ---- AsyncProxy --------------------------------------------------------------

/// A [`ProxyThread`] driven from async code (feature `tokio`): the calls
/// that may wait (statistics, stop, the join in its `Drop`) run on tokio's
/// blocking pool, never on a runtime thread.
///
/// Cancelling one of its futures does not cancel the command: it completes
/// on the blocking pool. Dropping an `AsyncProxy` inside a runtime stops the
/// proxy there in the background; outside one, in place (bounded by
/// [`PROXY_STOP_TIMEOUT`](crate::PROXY_STOP_TIMEOUT)).
///
/// ```
/// # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
/// # async fn main() -> zmq::Result<()> {
/// use zmq::{AsyncProxy, Context, SocketType};
/// let ctx = Context::new();
/// let (front, back) = (ctx.socket(SocketType::Pull)?, ctx.socket(SocketType::Push)?);
/// front.bind("inproc://async-proxy-doc-in")?;
/// back.bind("inproc://async-proxy-doc-out")?;
/// let proxy = AsyncProxy::spawn(front, back, None)?;
/// let mut push = ctx.socket(SocketType::Push)?.into_async()?;
/// push.get_ref().connect("inproc://async-proxy-doc-in")?;
/// let mut pull = ctx.socket(SocketType::Pull)?.into_async()?;
/// pull.get_ref().connect("inproc://async-proxy-doc-out")?;
/// push.send("through").await?;
/// assert_eq!(pull.recv_string().await?, "through");
/// proxy.stop().await?;
/// # Ok(())
/// # }
/// ```
pub struct AsyncProxy {
    /// `None` once stopped; shared with the blocking-pool tasks running its
    /// commands.
    proxy: Option<Arc<Mutex<Option<ProxyThread>>>>,
}

impl std::fmt::Debug for AsyncProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncProxy").finish_non_exhaustive()
    }
}

fn lock_proxy(proxy: &Mutex<Option<ProxyThread>>) -> MutexGuard<'_, Option<ProxyThread>> {
    proxy.lock().unwrap_or_else(PoisonError::into_inner)
}

impl AsyncProxy {
    /// Spawns a steerable proxy on its own thread ([`ProxyThread::spawn`];
    /// this never waits).
    pub fn spawn(frontend: Socket, backend: Socket, capture: Option<Socket>) -> Result<AsyncProxy> {
        ProxyThread::spawn(frontend, backend, capture).map(AsyncProxy::new)
    }

    /// Drives a running [`ProxyThread`] from async code.
    pub fn new(proxy: ProxyThread) -> AsyncProxy {
        AsyncProxy {
            proxy: Some(Arc::new(Mutex::new(Some(proxy)))),
        }
    }

    /// Runs `f` on the proxy on tokio's blocking pool.
    async fn on_blocking_pool<T: Send + 'static>(
        &self,
        f: impl FnOnce(&ProxyThread) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let proxy = self
            .proxy
            .as_ref()
            .map(Arc::clone)
            .ok_or(Error::from(ErrorKind::InvalidState))?;
        blocking(move || match &*lock_proxy(&proxy) {
            Some(thread) => f(thread),
            None => Err(Error::from(ErrorKind::InvalidState)),
        })
        .await
    }

    /// Stops forwarding.
    pub async fn pause(&self) -> Result<()> {
        self.on_blocking_pool(|p| p.controller().pause()).await
    }

    /// Forwards again.
    pub async fn resume(&self) -> Result<()> {
        self.on_blocking_pool(|p| p.controller().resume()).await
    }

    /// The proxy's counters, waiting at most `timeout` for them.
    pub async fn statistics(&self, timeout: Duration) -> Result<ProxyStatistics> {
        self.on_blocking_pool(move |p| p.controller().statistics(timeout))
            .await
    }

    /// Terminates the proxy and joins its thread ([`ProxyThread::stop`]),
    /// on the blocking pool: what the proxy returned, or
    /// [`ErrorKind::Again`] if it did not stop within
    /// [`PROXY_STOP_TIMEOUT`](crate::PROXY_STOP_TIMEOUT).
    pub async fn stop(mut self) -> Result<()> {
        let Some(proxy) = self.proxy.take() else {
            return Ok(());
        };
        blocking(move || match lock_proxy(&proxy).take() {
            Some(thread) => thread.stop(),
            None => Ok(()),
        })
        .await
    }
}

impl Drop for AsyncProxy {
    fn drop(&mut self) {
        let Some(proxy) = self.proxy.take() else {
            return;
        };
        let stop = move || {
            let thread = lock_proxy(&proxy).take();
            drop(thread);
        };
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => drop(handle.spawn_blocking(stop)),
            Err(_) => stop(),
        }
    }
}

/// Runs `f` on tokio's blocking pool; outside a runtime, an error.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    let handle = tokio::runtime::Handle::try_current().map_err(|_| no_runtime())?;
    match handle.spawn_blocking(f).await {
        Ok(result) => result,
        Err(_) => Err(Error::from(std::io::Error::other(
            "a proxy command panicked on the blocking pool",
        ))),
    }
}
