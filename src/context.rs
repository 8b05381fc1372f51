//! The ZeroMQ context: a shared, thread-safe handle whose libzmq context is
//! terminated exactly once, after its last socket has closed, within a
//! bounded time (see [`Context`]'s shutdown policy).

use std::collections::VecDeque;
use std::ffi::c_void;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::error::{check, check_ptr, Error, Result};
use crate::socket::{Socket, SocketType};

/// How long dropping the last handle of a context waits for libzmq to
/// deliver what its closed sockets still hold: ten seconds.
///
/// Sockets keep libzmq's infinite linger, so nothing a connected, reading
/// peer can still take is dropped at close. Termination (`zmq_ctx_term`)
/// waits for that delivery on a reaper thread; past this timeout the
/// dropping thread goes on, a `log` warning names the sockets that may still
/// hold messages, and delivery continues in the background (until the
/// process exits). See [`Context`] for the whole policy and
/// [`Context::terminate`] for the explicit form that reports the outcome.
pub const DEFAULT_TERM_TIMEOUT: Duration = Duration::from_secs(10);

/// Socket options a context applies to each socket it creates, as pyzmq's
/// `ctx.linger = 0`. `None` leaves libzmq's default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SocketDefaults {
    /// `Some(None)` is infinite linger.
    pub(crate) linger: Option<Option<Duration>>,
    pub(crate) sndhwm: Option<i32>,
    pub(crate) rcvhwm: Option<i32>,
    pub(crate) ipv6: Option<bool>,
}

/// What termination needs to know: its timeout, and the sockets closed with
/// a non-zero linger, which may still hold messages.
#[derive(Debug)]
struct ShutdownState {
    term_timeout: Option<Duration>,
    /// The most recent such sockets, described ("PUSH tcp://..."), for the
    /// warning; at most [`LINGERING_NAMED`].
    lingering: VecDeque<String>,
    /// How many such sockets were closed in all.
    lingering_count: usize,
}

/// How many lingering sockets a warning names.
const LINGERING_NAMED: usize = 8;

pub(crate) struct ContextInner {
    raw: NonNull<c_void>,
    defaults: Mutex<SocketDefaults>,
    shutdown: Mutex<ShutdownState>,
    /// The [`Handle::Counted`] handles alive: the application's `Context`
    /// clones and its sockets. When it drops to zero the context is
    /// terminated, whoever else (a monitor's socket) still holds the Arc;
    /// it never rises again from zero.
    handles: AtomicUsize,
    /// Set once termination has started (it runs once).
    terminated: AtomicBool,
    /// A socket was handed out raw (`Socket::into_raw`): it may still be
    /// open, so `zmq_ctx_term` may wait for it, and termination is always
    /// bounded by the timeout, never the plain blocking call.
    raw_sockets: AtomicBool,
}

// SAFETY: a libzmq context is documented thread-safe ("a ØMQ context is
// thread safe and may be shared among as many application threads as
// necessary"); every zmq_ctx_* call may be made from any thread. The defaults
// and shutdown state are behind Mutexes.
unsafe impl Send for ContextInner {}
// SAFETY: as above, concurrent zmq_ctx_* calls on one context are allowed.
unsafe impl Sync for ContextInner {}

/// A raw context on its way to a reaper thread.
struct RawContext(NonNull<c_void>);

// SAFETY: a libzmq context may be terminated from any thread, and the
// pointer is moved (not shared): nothing else uses it any more.
unsafe impl Send for RawContext {}

impl RawContext {
    /// `zmq_ctx_term`, retried on EINTR: waits for every lingering message.
    fn term(self) {
        loop {
            // SAFETY: the context is live and terminated only here, once
            // (`ContextInner::terminated`): its last counted handle is gone
            // (or `Context::terminate` gave it up). Sockets still open (a
            // monitor's, a raw one) stay valid: zmq_ctx_term makes their
            // calls fail with ETERM and returns only once they are closed,
            // so the context's memory outlives them. Handles cloned from
            // now on are dead and never touch it (`Context::live`).
            let rc = unsafe { zmq_sys::zmq_ctx_term(self.0.as_ptr()) };
            if rc == 0
                || !matches!(check(rc), Err(ref e) if e.kind() == crate::ErrorKind::Interrupted)
            {
                break;
            }
        }
    }
}

thread_local! {
    /// Set while a zero-copy message's owner is dropped by libzmq's free
    /// callback, often on one of libzmq's own I/O threads: terminating a
    /// context there would wait for that very thread, forever.
    static IN_FREE_CALLBACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` (the drop of a zero-copy owner) marked as inside libzmq's free
/// callback, so that a context dropped by it terminates on another thread.
pub(crate) fn in_free_callback<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            IN_FREE_CALLBACK.with(|flag| flag.set(self.0));
        }
    }
    let _reset = Reset(IN_FREE_CALLBACK.with(|flag| flag.replace(true)));
    f()
}

/// Contexts whose termination goes on in the background: the ones that
/// timed out ([`Termination::TimedOut`], or a drop past its term timeout)
/// and have not finished since. Each keeps libzmq's threads and descriptors
/// (measured: 3 threads and 10 descriptors per context, docs/SHUTDOWN.md)
/// until its queued messages are delivered, its sockets' linger expires,
/// or the process exits; a finite linger
/// ([`Context::set_default_linger`]) bounds how long.
static BACKGROUND_TERMINATIONS: AtomicUsize = AtomicUsize::new(0);

/// How many contexts are still terminating in the background (see
/// [`Termination::TimedOut`]): each holds libzmq's threads and descriptors
/// until it finishes. A program that drops many contexts with undeliverable
/// messages can watch this, and bound it with a finite linger on the
/// sockets ([`Context::set_default_linger`]): a socket's queued messages are
/// dropped when its linger expires, and termination then finishes.
pub fn background_terminations() -> usize {
    BACKGROUND_TERMINATIONS.load(Ordering::SeqCst)
}

/// What [`Context::terminate`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub enum Termination {
    /// libzmq finished terminating: every closed socket handed its queued
    /// messages to its peers' *connections* (the kernel's buffers, for tcp:
    /// handed over, not yet known to be received) — except a socket with a
    /// *finite* linger, which drops what remains when its linger expires.
    Complete,
    /// The timeout passed first, or termination could not be waited for
    /// here (asked from inside libzmq's free callback of a zero-copy
    /// message, on libzmq's own thread). Termination goes on in the
    /// background ([`background_terminations`]) and delivers the rest if the
    /// process lives long enough; `lingering` names the most recent sockets
    /// that were closed with a non-zero linger ("PUSH tcp://127.0.0.1:5555"),
    /// the ones that may still hold messages.
    TimedOut {
        /// Descriptions of the sockets that may still hold messages.
        lingering: Vec<String>,
    },
}

impl Termination {
    /// Whether termination completed within the timeout.
    pub fn is_complete(&self) -> bool {
        matches!(self, Termination::Complete)
    }
}

/// What one termination waits for, for its messages.
struct Waiting {
    /// The most recent sockets closed with a linger.
    lingering: Vec<String>,
    /// How many were closed with a linger in all.
    lingering_count: usize,
    /// Sockets still open that do not keep the context alive: monitors.
    open_monitors: usize,
}

impl Waiting {
    fn describe(&self) -> String {
        let mut what = format!(
            "messages of {} socket(s) closed with a linger (latest: {})",
            self.lingering_count,
            if self.lingering.is_empty() {
                "none".to_owned()
            } else {
                self.lingering.join(", ")
            }
        );
        if self.open_monitors > 0 {
            what += &format!(" and {} monitor socket(s) still open", self.open_monitors);
        }
        what
    }
}

/// How long a termination waits before it says why it waits.
const NOTICE_AFTER: Duration = Duration::from_secs(1);

/// A warning for the program's user: a `log` record when the program has a
/// logger, on stderr when it has none (`log::max_level()` is `Off` until a
/// logger is installed): a program that never set up logging must not stall
/// silently at exit.
fn warn(message: std::fmt::Arguments<'_>) {
    if log::max_level() == log::LevelFilter::Off {
        eprintln!("zmq: {message}");
    } else {
        log::warn!("zmq: {message}");
    }
}

impl ContextInner {
    /// Terminates the libzmq context: waits at most `timeout` (`None`:
    /// forever, libzmq's own behaviour) and lets a reaper thread finish the
    /// rest. Runs once: the first caller (the last counted handle's drop,
    /// `Context::terminate`, or the Arc's drop) does it, later ones return
    /// `Complete` at once.
    fn finish(&self, timeout: Option<Duration>, open_monitors: usize) -> Termination {
        if self.terminated.swap(true, Ordering::SeqCst) {
            return Termination::Complete;
        }
        let raw = RawContext(self.raw);
        let mut state = self.shutdown.lock().unwrap_or_else(PoisonError::into_inner);
        let waiting = Waiting {
            lingering: state.lingering.drain(..).collect(),
            lingering_count: std::mem::take(&mut state.lingering_count),
            open_monitors,
        };
        drop(state);
        if IN_FREE_CALLBACK.with(std::cell::Cell::get) {
            // Probably one of libzmq's own threads: never wait here, and
            // say so (the messages may well be still queued).
            let lingering = waiting.lingering.clone();
            let spawned = std::thread::Builder::new()
                .name("zmq-ctx-term".into())
                .spawn(move || wait_for_term(raw, timeout, waiting));
            if spawned.is_err() {
                log::error!("zmq: no thread to terminate a context on; it is leaked");
            }
            return Termination::TimedOut { lingering };
        }
        let nothing_to_wait_for = waiting.lingering_count == 0
            && waiting.open_monitors == 0
            && !self.raw_sockets.load(Ordering::SeqCst);
        if nothing_to_wait_for {
            // No message can linger and no socket is open: the plain
            // blocking call returns at once, on this thread.
            raw.term();
            return Termination::Complete;
        }
        wait_for_term(raw, timeout, waiting)
    }
}

/// Terminates `raw` on a reaper thread and waits for it at most `timeout`
/// (`None`: forever). Past [`NOTICE_AFTER`] it says why it waits; past the
/// timeout it warns, naming the sockets that may still linger, and counts
/// the termination in [`background_terminations`] until it ends.
fn wait_for_term(raw: RawContext, timeout: Option<Duration>, waiting: Waiting) -> Termination {
    // The reaper holds the sender and drops it when termination is done.
    let (done_tx, done) = std::sync::mpsc::channel::<()>();
    let gave_up = Arc::new(AtomicBool::new(false));
    let reaper_gave_up = Arc::clone(&gave_up);
    let reaper = std::thread::Builder::new()
        .name("zmq-ctx-term".into())
        .spawn(move || {
            raw.term();
            // Whoever comes second (the reaper finishing, or the waiter
            // giving up) settles the count of background terminations.
            if reaper_gave_up.swap(true, Ordering::SeqCst) {
                BACKGROUND_TERMINATIONS.fetch_sub(1, Ordering::SeqCst);
            }
            drop(done_tx);
        });
    if reaper.is_err() {
        log::error!("zmq: no thread to terminate a context on; it is leaked");
        return Termination::TimedOut {
            lingering: waiting.lingering,
        };
    }
    // Whether termination finished within `wait` (`None`: for as long as
    // it takes).
    let finished_within = |wait: Option<Duration>| match wait {
        Some(wait) => !matches!(
            done.recv_timeout(wait),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout)
        ),
        // `recv` only ends when the reaper drops the sender.
        None => done.recv().is_err(),
    };
    let deadline = crate::duration::Deadline::after(timeout);
    let first = deadline
        .remaining()
        .map_or(NOTICE_AFTER, |left| left.min(NOTICE_AFTER));
    if finished_within(Some(first)) {
        return Termination::Complete;
    }
    // Say why it waits, unless the timeout's own warning comes soon anyway.
    if deadline.remaining().is_none_or(|left| left > NOTICE_AFTER) {
        let more = match deadline.remaining() {
            Some(left) => format!("up to {left:.1?} more"),
            None => "for as long as it takes (no term timeout)".to_owned(),
        };
        warn(format_args!(
            "terminating a context: waiting {more} for {} (see docs/SHUTDOWN.md: \
             Context::set_term_timeout, Socket::set_linger)",
            waiting.describe()
        ));
    }
    if finished_within(deadline.remaining()) {
        return Termination::Complete;
    }
    BACKGROUND_TERMINATIONS.fetch_add(1, Ordering::SeqCst);
    if gave_up.swap(true, Ordering::SeqCst) {
        // The reaper finished at this very moment.
        BACKGROUND_TERMINATIONS.fetch_sub(1, Ordering::SeqCst);
        return Termination::Complete;
    }
    warn(format_args!(
        "context termination still waiting after {:?} for {}; delivery goes on in the \
         background and is lost if the process exits first",
        timeout.unwrap_or(Duration::MAX),
        waiting.describe()
    ));
    Termination::TimedOut {
        lingering: waiting.lingering,
    }
}

impl Drop for ContextInner {
    fn drop(&mut self) {
        // Reached only if no counted handle ever started termination (the
        // last one normally does): nothing else holds the Arc any more.
        if !*self.terminated.get_mut() {
            let timeout = self
                .shutdown
                .get_mut()
                .unwrap_or_else(PoisonError::into_inner)
                .term_timeout;
            let _ = self.finish(timeout, 0);
        }
    }
}

/// A ZeroMQ context: owns the I/O threads and creates sockets.
///
/// `Clone` is cheap and shares the same libzmq context; a `Context` is `Send`
/// and `Sync`. The libzmq context is terminated (`zmq_ctx_term`) when the last
/// clone *and* the last socket made from it are dropped, so no socket can ever
/// outlive its context.
///
/// # Shutdown policy: nothing lost silently, no hang forever
/// - Sockets keep libzmq's **infinite linger**: closing a socket drops
///   nothing that a connected, reading peer can still take.
/// - Dropping the last handle terminates the context on a reaper thread and
///   waits for it at most the context's term timeout
///   ([`DEFAULT_TERM_TIMEOUT`], ten seconds; [`Context::set_term_timeout`]).
///   Past it, the program goes on, a `log` warning names the sockets that may
///   still hold messages, and delivery continues in the background until
///   the process exits.
/// - [`Context::terminate`] does the same explicitly and returns whether
///   everything was delivered ([`Termination`]).
/// - libzmq's own semantics stay one call away: `set_term_timeout(None)`
///   waits forever, as `zmq_ctx_term` does; a socket linger of zero
///   ([`Context::set_default_linger`], `Socket::set_linger`) drops queued
///   messages at close, as czmq does.
///
/// A context dropped by the owner of a zero-copy message (which libzmq frees
/// on its own I/O thread) terminates on a new thread, never on libzmq's.
///
/// A [`Monitor`](crate::monitor::Monitor) does not keep its context alive:
/// when the application's last clone and socket are gone, termination
/// starts even while a monitor still waits for events on another thread;
/// its calls then fail with [`ErrorKind::Terminated`](crate::ErrorKind::Terminated),
/// and termination finishes once it is dropped.
/// `docs/SHUTDOWN.md` has the measured scenarios behind this policy.
///
/// ```
/// let ctx = zmq::Context::new();
/// let rep = ctx.socket(zmq::SocketType::Rep)?;
/// rep.bind("tcp://127.0.0.1:*")?;
/// # Ok::<(), zmq::Error>(())
/// ```
pub struct Context {
    pub(crate) inner: Arc<ContextInner>,
    handle: Handle,
}

/// What a [`Context`] value is to its context's lifetime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Handle {
    /// Counted in `ContextInner::handles`: keeps the context from
    /// terminating (the application's clones and sockets).
    Counted,
    /// Held by a monitor's own socket: does not keep the context alive. The
    /// libzmq context stays valid while that socket is open (`zmq_ctx_term`
    /// waits for it), which is as long as this handle can be reached.
    Monitor,
    /// A clone made after termination started: it never touches the libzmq
    /// context, whose memory may be gone ([`ErrorKind::Terminated`](crate::ErrorKind::Terminated)).
    Dead,
}

impl Clone for Context {
    /// Another handle of the same context. Once the context is terminating
    /// (its last counted handle is gone, and a monitor's socket is cloned
    /// from), the clone is dead: its calls fail with `Terminated`.
    fn clone(&self) -> Context {
        let counted = self
            .inner
            .handles
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n > 0).then_some(n + 1)
            })
            .is_ok();
        Context {
            inner: Arc::clone(&self.inner),
            handle: if counted {
                Handle::Counted
            } else {
                Handle::Dead
            },
        }
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        if self.handle == Handle::Counted && self.inner.handles.fetch_sub(1, Ordering::SeqCst) == 1
        {
            // The last counted handle: terminate now, on this thread, even
            // if monitors (other Arc holders) are still open.
            let timeout = self.term_timeout();
            let open_monitors = Arc::strong_count(&self.inner).saturating_sub(1);
            let _ = self.inner.finish(timeout, open_monitors);
        }
    }
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("raw", &self.inner.raw)
            .finish()
    }
}

impl Default for Context {
    fn default() -> Self {
        Context::new()
    }
}

impl Context {
    /// A new context with libzmq's defaults (one I/O thread) and the
    /// [`DEFAULT_TERM_TIMEOUT`].
    ///
    /// # Panics
    /// Only if libzmq cannot create a context at all (out of memory or file
    /// descriptors); [`Context::try_new`] returns that as an error.
    #[doc(alias = "zmq_ctx_new")]
    #[allow(clippy::panic)] // documented above; `try_new` is the fallible form
    pub fn new() -> Context {
        match Context::try_new() {
            Ok(ctx) => ctx,
            Err(e) => panic!("zmq_ctx_new failed: {e}"),
        }
    }

    /// A new context, or the error libzmq gives (EMFILE when out of descriptors).
    #[doc(alias = "zmq_ctx_new")]
    pub fn try_new() -> Result<Context> {
        // SAFETY: zmq_ctx_new has no preconditions; NULL means failure.
        let raw = check_ptr(unsafe { zmq_sys::zmq_ctx_new() })?;
        Ok(Context::wrap(raw))
    }

    fn wrap(raw: NonNull<c_void>) -> Context {
        Context {
            inner: Arc::new(ContextInner {
                raw,
                defaults: Mutex::new(SocketDefaults::default()),
                shutdown: Mutex::new(ShutdownState {
                    term_timeout: Some(DEFAULT_TERM_TIMEOUT),
                    lingering: VecDeque::new(),
                    lingering_count: 0,
                }),
                handles: AtomicUsize::new(1),
                terminated: AtomicBool::new(false),
                raw_sockets: AtomicBool::new(false),
            }),
            handle: Handle::Counted,
        }
    }

    /// A handle for a monitor's own socket, which must not keep the context
    /// alive (see [`Handle::Monitor`]).
    pub(crate) fn for_monitor(&self) -> Context {
        Context {
            inner: Arc::clone(&self.inner),
            handle: Handle::Monitor,
        }
    }

    /// Records that a socket was handed out raw (`Socket::into_raw`).
    pub(crate) fn note_raw_socket(&self) {
        self.inner.raw_sockets.store(true, Ordering::SeqCst);
    }

    /// The libzmq context for a call, or `Terminated` for a dead handle,
    /// whose context may be gone.
    pub(crate) fn live(&self) -> Result<*mut c_void> {
        if self.handle == Handle::Dead {
            return Err(Error::from(crate::ErrorKind::Terminated));
        }
        Ok(self.as_raw())
    }

    /// Terminates the context now, waiting at most `timeout` (`None`:
    /// forever) for the messages its closed sockets still hold, and says
    /// whether they were all delivered. Past the timeout, termination goes
    /// on in the background (see [`Termination::TimedOut`]).
    ///
    /// Only the last handle can terminate: while another clone or a socket
    /// of this context is alive, the context comes back as `Err`. Monitors
    /// do not count: their calls fail with `Terminated` from now on, and
    /// termination waits for them to be dropped.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = zmq::Context::new();
    /// let push = ctx.socket(zmq::SocketType::Push)?;
    /// push.connect("tcp://127.0.0.1:9")?; // nobody will ever take this
    /// push.send("lost")?;
    /// let ctx = ctx.terminate(None).unwrap_err(); // `push` still uses it
    /// drop(push);
    /// let outcome = ctx.terminate(Some(Duration::from_millis(50))).unwrap();
    /// assert!(!outcome.is_complete());
    /// # Ok::<(), zmq::Error>(())
    /// ```
    #[doc(alias = "zmq_ctx_term", alias = "destroy")]
    pub fn terminate(self, timeout: Option<Duration>) -> std::result::Result<Termination, Context> {
        if self.handle != Handle::Counted {
            // A handle cloned after termination began: not the one to end it.
            return Err(self);
        }
        if self
            .inner
            .handles
            .compare_exchange(1, 0, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            return Err(self);
        }
        // This handle no longer counts: its drop must not count down again.
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped, so the Arc is moved out once.
        let inner = unsafe { std::ptr::read(&this.inner) };
        let open_monitors = Arc::strong_count(&inner).saturating_sub(1);
        Ok(inner.finish(timeout, open_monitors))
    }

    /// How long dropping the last handle waits for lingering messages
    /// (`None` = forever, as libzmq); see the shutdown policy above.
    pub fn set_term_timeout(&self, timeout: Option<Duration>) {
        self.shutdown_state().term_timeout = timeout;
    }

    /// The term timeout; [`DEFAULT_TERM_TIMEOUT`] unless changed.
    pub fn term_timeout(&self) -> Option<Duration> {
        self.shutdown_state().term_timeout
    }

    fn shutdown_state(&self) -> std::sync::MutexGuard<'_, ShutdownState> {
        self.inner
            .shutdown
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Called by `Socket::drop` just before `zmq_close`: remembers a socket
    /// that may linger, to name it if termination times out.
    pub(crate) fn note_closing(&self, socket: &Socket) {
        // A zero linger drops what is queued: nothing can linger. An error
        // (a socket that is already unusable) counts as lingering.
        if matches!(socket.linger(), Ok(Some(linger)) if linger.is_zero()) {
            return;
        }
        let kind = socket
            .socket_type()
            .map_or_else(|_| "socket".to_owned(), |t| format!("{t:?}").to_uppercase());
        let endpoint = socket
            .last_endpoint()
            .ok()
            .filter(|e| !e.is_empty())
            .unwrap_or_else(|| "(no endpoint)".to_owned());
        let mut state = self.shutdown_state();
        if state.lingering.len() == LINGERING_NAMED {
            state.lingering.pop_front();
        }
        state.lingering.push_back(format!("{kind} {endpoint}"));
        state.lingering_count += 1;
    }

    /// A builder to set context options and socket defaults before the first socket.
    pub fn builder() -> ContextBuilder {
        ContextBuilder::default()
    }

    /// Creates a socket of the given type in this context.
    #[doc(alias = "zmq_socket")]
    pub fn socket(&self, kind: SocketType) -> Result<Socket> {
        Socket::new(self, kind)
    }

    /// Makes every blocking call on every socket of this context, in any
    /// thread, return [`ErrorKind::Terminated`](crate::ErrorKind::Terminated); later calls fail the same way.
    /// Sockets still need to be dropped; the context is terminated after that.
    #[doc(alias = "zmq_ctx_shutdown")]
    pub fn shutdown(&self) -> Result<()> {
        let raw = self.live()?;
        // SAFETY: a live handle's context is valid as long as `self`.
        check(unsafe { zmq_sys::zmq_ctx_shutdown(raw) }).map(drop)
    }

    /// The raw `void *` context, for calling libzmq directly. It stays valid
    /// while this `Context` (or a socket of it) lives — unless this handle
    /// was cloned after the context began terminating (its calls fail with
    /// `Terminated`).
    pub fn as_raw(&self) -> *mut c_void {
        self.inner.raw.as_ptr()
    }

    /// Takes ownership of a raw libzmq context.
    ///
    /// # Safety
    /// `raw` must be a live context from `zmq_ctx_new` that nothing else will
    /// terminate: the returned `Context` terminates it when its last clone and
    /// socket are dropped.
    pub unsafe fn from_raw(raw: *mut c_void) -> Result<Context> {
        NonNull::new(raw)
            .map(Context::wrap)
            .ok_or(Error::from(crate::ErrorKind::InvalidArgument))
    }

    pub(crate) fn socket_defaults(&self) -> SocketDefaults {
        self.inner
            .defaults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn update_defaults(&self, f: impl FnOnce(&mut SocketDefaults)) {
        f(&mut self
            .inner
            .defaults
            .lock()
            .unwrap_or_else(PoisonError::into_inner));
    }

    /// The linger given to sockets created from now on (`None` = infinite,
    /// libzmq's default; zero drops queued messages at close). See the
    /// shutdown policy of [`Context`].
    ///
    /// Only sockets created after the call get it: sockets that already exist
    /// keep their linger (set theirs with [`Socket::set_linger`](crate::Socket::set_linger)).
    /// It cannot fail (nothing reaches libzmq until a socket is made), so it
    /// returns `()`; [`default_linger`](Self::default_linger) reads it back.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ctx = zmq::Context::new();
    /// let before = ctx.socket(zmq::SocketType::Push)?;
    /// ctx.set_default_linger(Some(Duration::ZERO));
    /// let after = ctx.socket(zmq::SocketType::Push)?;
    /// assert_eq!(before.linger()?, None); // unchanged: infinite
    /// assert_eq!(after.linger()?, Some(Duration::ZERO));
    /// # Ok::<(), zmq::Error>(())
    /// ```
    pub fn set_default_linger(&self, linger: Option<Duration>) {
        self.update_defaults(|d| d.linger = Some(linger));
    }

    /// The linger new sockets get; `None` = infinite.
    pub fn default_linger(&self) -> Option<Duration> {
        self.socket_defaults().linger.unwrap_or(None)
    }

    /// The send high-water mark given to sockets created from now on.
    pub fn set_default_sndhwm(&self, hwm: i32) -> Result<()> {
        non_negative(hwm)?;
        self.update_defaults(|d| d.sndhwm = Some(hwm));
        Ok(())
    }

    /// The receive high-water mark given to sockets created from now on.
    pub fn set_default_rcvhwm(&self, hwm: i32) -> Result<()> {
        non_negative(hwm)?;
        self.update_defaults(|d| d.rcvhwm = Some(hwm));
        Ok(())
    }

    /// Whether sockets created from now on get `ZMQ_IPV6` (besides the
    /// context-wide [`Context::set_ipv6`], which libzmq applies itself).
    pub fn set_default_ipv6(&self, enabled: bool) {
        self.update_defaults(|d| d.ipv6 = Some(enabled));
    }

    /// A PAIR pipe inside this context: the bound end and the connected
    /// end, for talking to a helper thread (proxy control, authenticator).
    pub(crate) fn pipe(&self, purpose: &str) -> Result<(Socket, Socket)> {
        let endpoint = unique_inproc(purpose);
        let bound = self.socket(SocketType::Pair)?;
        bound.bind(&endpoint)?;
        let connected = self.socket(SocketType::Pair)?;
        connected.connect(&endpoint)?;
        Ok((bound, connected))
    }

    fn get(&self, option: i32) -> Result<i32> {
        let raw = self.live()?;
        // SAFETY: the context is live; an unknown option gives EINVAL.
        check(unsafe { zmq_sys::zmq_ctx_get(raw, option) })
    }

    fn set(&self, option: i32, value: i32) -> Result<()> {
        let raw = self.live()?;
        // SAFETY: the context is live; libzmq validates option and value.
        check(unsafe { zmq_sys::zmq_ctx_set(raw, option, value) }).map(drop)
    }
}

/// An inproc endpoint no other part of this process uses.
pub(crate) fn unique_inproc(purpose: &str) -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("inproc://zmq-rs-{purpose}-{}-{n}", std::process::id())
}

fn non_negative(value: i32) -> Result<i32> {
    if value < 0 {
        Err(Error::from(crate::ErrorKind::InvalidArgument))
    } else {
        Ok(value)
    }
}

/// Declares a typed getter and/or setter per context option. Getters and
/// setters are separate methods because libzmq gives ZMQ_SOCKET_LIMIT (get)
/// and ZMQ_THREAD_PRIORITY (set) the same number.
macro_rules! ctx_options {
    ($(
        $(#[$doc:meta])*
        $c:ident $alias:literal: $ty:ty, get $get:tt, set $set:tt;
    )*) => {
        $( crate::const_str_eq!(stringify!($c), $alias); )*

        impl Context {
            $(
                ctx_options!(@get $get $c $alias [$ty] $(#[$doc])*);
                ctx_options!(@set $set $c $alias [$ty] $(#[$doc])*);
            )*
        }
    };
    (@get - $c:ident $alias:literal [$ty:ty] $(#[$doc:meta])*) => {};
    (@get $get:ident $c:ident $alias:literal [$ty:ty] $(#[$doc:meta])*) => {
        $(#[$doc])*
        #[doc(alias = $alias, alias = "zmq_ctx_get")]
        pub fn $get(&self) -> Result<$ty> {
            self.get(zmq_sys::$c).map(CtxValue::from_c)
        }
    };
    (@set - $c:ident $alias:literal [$ty:ty] $(#[$doc:meta])*) => {};
    (@set $set:ident $c:ident $alias:literal [$ty:ty] $(#[$doc:meta])*) => {
        $(#[$doc])*
        #[doc(alias = $alias, alias = "zmq_ctx_set")]
        pub fn $set(&self, value: $ty) -> Result<()> {
            self.set(zmq_sys::$c, CtxValue::to_c(value)?)
        }
    };
}

trait CtxValue: Sized {
    fn from_c(v: i32) -> Self;
    fn to_c(self) -> Result<i32>;
}

impl CtxValue for i32 {
    fn from_c(v: i32) -> Self {
        v
    }
    fn to_c(self) -> Result<i32> {
        Ok(self)
    }
}

impl CtxValue for bool {
    fn from_c(v: i32) -> Self {
        v != 0
    }
    fn to_c(self) -> Result<i32> {
        Ok(i32::from(self))
    }
}

ctx_options! {
    /// Size of the I/O thread pool (default 1). Set it before creating sockets.
    ZMQ_IO_THREADS "ZMQ_IO_THREADS": i32, get io_threads, set set_io_threads;
    /// Most sockets the context allows (default 1023).
    ZMQ_MAX_SOCKETS "ZMQ_MAX_SOCKETS": i32, get max_sockets, set set_max_sockets;
    /// The largest value `max_sockets` accepts (get only).
    ZMQ_SOCKET_LIMIT "ZMQ_SOCKET_LIMIT": i32, get socket_limit, set -;
    /// Scheduling priority of the I/O threads, OS-specific (set only; default -1 = unchanged).
    ZMQ_THREAD_PRIORITY "ZMQ_THREAD_PRIORITY": i32, get -, set set_thread_priority;
    /// Scheduling policy of the I/O threads, OS-specific (default -1 = unchanged).
    ZMQ_THREAD_SCHED_POLICY "ZMQ_THREAD_SCHED_POLICY": i32, get thread_sched_policy, set set_thread_sched_policy;
    /// Adds a CPU to the affinity of the I/O threads (set only).
    ZMQ_THREAD_AFFINITY_CPU_ADD "ZMQ_THREAD_AFFINITY_CPU_ADD": i32, get -, set add_thread_affinity_cpu;
    /// Removes a CPU from the affinity of the I/O threads (set only).
    ZMQ_THREAD_AFFINITY_CPU_REMOVE "ZMQ_THREAD_AFFINITY_CPU_REMOVE": i32, get -, set remove_thread_affinity_cpu;
    /// Numeric prefix of the I/O threads' names (set only).
    ZMQ_THREAD_NAME_PREFIX "ZMQ_THREAD_NAME_PREFIX": i32, get -, set set_thread_name_prefix;
    /// A largest message size (default `i32::MAX`). libzmq 4.3.5 stores it
    /// but **never enforces it**: to protect a socket from large messages use
    /// the socket option `ZMQ_MAXMSGSIZE` (`Socket::set_maxmsgsize`).
    ZMQ_MAX_MSGSZ "ZMQ_MAX_MSGSZ": i32, get max_msgsz, set set_max_msgsz;
    /// `sizeof(zmq_msg_t)` of the linked library (get only; 64).
    ZMQ_MSG_T_SIZE "ZMQ_MSG_T_SIZE": i32, get msg_t_size, set -;
    /// IPv6 on the context's sockets (default false).
    ZMQ_IPV6 "ZMQ_IPV6": bool, get ipv6, set set_ipv6;
    /// Whether `zmq_ctx_term` blocks for lingering messages (default true).
    ZMQ_BLOCKY "ZMQ_BLOCKY": bool, get blocky, set set_blocky;
}

#[cfg(feature = "draft")]
ctx_options! {
    /// Zero-copy receive of large messages (DRAFT; default true).
    ZMQ_ZERO_COPY_RECV "ZMQ_ZERO_COPY_RECV": bool, get zero_copy_recv, set set_zero_copy_recv;
}

/// Options of a context set before it is handed out, and the socket defaults
/// it applies.
///
/// ```
/// use std::time::Duration;
/// let ctx = zmq::Context::builder()
///     .io_threads(2)
///     .linger(Some(Duration::from_millis(100)))
///     .build()?;
/// assert_eq!(ctx.io_threads()?, 2);
/// # Ok::<(), zmq::Error>(())
/// ```
#[derive(Debug, Default, Clone)]
pub struct ContextBuilder {
    io_threads: Option<i32>,
    max_sockets: Option<i32>,
    max_msgsz: Option<i32>,
    ipv6: Option<bool>,
    blocky: Option<bool>,
    linger: Option<Option<Duration>>,
    sndhwm: Option<i32>,
    rcvhwm: Option<i32>,
    term_timeout: Option<Option<Duration>>,
}

impl ContextBuilder {
    /// See [`Context::set_term_timeout`].
    pub fn term_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.term_timeout = Some(timeout);
        self
    }
    /// See [`Context::set_io_threads`].
    pub fn io_threads(mut self, n: i32) -> Self {
        self.io_threads = Some(n);
        self
    }
    /// See [`Context::set_max_sockets`].
    pub fn max_sockets(mut self, n: i32) -> Self {
        self.max_sockets = Some(n);
        self
    }
    /// See [`Context::set_max_msgsz`].
    pub fn max_msgsz(mut self, n: i32) -> Self {
        self.max_msgsz = Some(n);
        self
    }
    /// See [`Context::set_ipv6`].
    pub fn ipv6(mut self, enabled: bool) -> Self {
        self.ipv6 = Some(enabled);
        self
    }
    /// See [`Context::set_blocky`].
    pub fn blocky(mut self, enabled: bool) -> Self {
        self.blocky = Some(enabled);
        self
    }
    /// Linger of every socket of the context (`None` = infinite, the default).
    pub fn linger(mut self, linger: Option<Duration>) -> Self {
        self.linger = Some(linger);
        self
    }
    /// Send high-water mark of every socket of the context.
    pub fn sndhwm(mut self, hwm: i32) -> Self {
        self.sndhwm = Some(hwm);
        self
    }
    /// Receive high-water mark of every socket of the context.
    pub fn rcvhwm(mut self, hwm: i32) -> Self {
        self.rcvhwm = Some(hwm);
        self
    }

    /// Creates the context and applies the options; an invalid value is an error.
    pub fn build(self) -> Result<Context> {
        let ctx = Context::try_new()?;
        if let Some(n) = self.io_threads {
            ctx.set_io_threads(n)?;
        }
        if let Some(n) = self.max_sockets {
            ctx.set_max_sockets(n)?;
        }
        if let Some(n) = self.max_msgsz {
            ctx.set_max_msgsz(n)?;
        }
        if let Some(b) = self.ipv6 {
            ctx.set_ipv6(b)?;
        }
        if let Some(b) = self.blocky {
            ctx.set_blocky(b)?;
        }
        if let Some(linger) = self.linger {
            ctx.set_default_linger(linger);
        }
        if let Some(hwm) = self.sndhwm {
            ctx.set_default_sndhwm(hwm)?;
        }
        if let Some(hwm) = self.rcvhwm {
            ctx.set_default_rcvhwm(hwm)?;
        }
        if let Some(timeout) = self.term_timeout {
            ctx.set_term_timeout(timeout);
        }
        Ok(ctx)
    }
}
