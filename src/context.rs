//! The ZeroMQ context: a shared, thread-safe handle whose libzmq context is
//! terminated exactly once, after its last socket has closed.

use std::ffi::c_void;
use std::ptr::NonNull;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::error::{check, check_ptr, Error, Result};
use crate::socket::{Socket, SocketType};

/// The linger this crate gives every new socket unless told otherwise: one second.
///
/// libzmq's own default is infinite, which makes a program whose PUSH socket
/// holds messages for a peer that never connects hang forever when the context
/// terminates (after `main` returns). One second delivers what is queued to
/// connected peers on a normal close (flushing to a live peer takes
/// milliseconds) and bounds the wait when no peer ever takes the messages.
/// Change it per context ([`Context::set_default_linger`],
/// [`ContextBuilder::linger`]) or per socket (`Socket::set_linger`); `None`
/// is libzmq's infinite linger.
pub const DEFAULT_LINGER: Duration = Duration::from_secs(1);

/// Socket options a context applies to each socket it creates, as pyzmq's
/// `ctx.linger = 0`. `None` leaves libzmq's default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SocketDefaults {
    /// `Some(None)` is infinite linger.
    pub(crate) linger: Option<Option<Duration>>,
    pub(crate) sndhwm: Option<i32>,
    pub(crate) rcvhwm: Option<i32>,
    pub(crate) ipv6: Option<bool>,
}

impl Default for SocketDefaults {
    fn default() -> Self {
        SocketDefaults {
            linger: Some(Some(DEFAULT_LINGER)),
            sndhwm: None,
            rcvhwm: None,
            ipv6: None,
        }
    }
}

pub(crate) struct ContextInner {
    raw: NonNull<c_void>,
    defaults: Mutex<SocketDefaults>,
}

// SAFETY: a libzmq context is documented thread-safe ("a ØMQ context is
// thread safe and may be shared among as many application threads as
// necessary"); every zmq_ctx_* call may be made from any thread. The defaults
// are behind a Mutex.
unsafe impl Send for ContextInner {}
// SAFETY: as above, concurrent zmq_ctx_* calls on one context are allowed.
unsafe impl Sync for ContextInner {}

impl Drop for ContextInner {
    fn drop(&mut self) {
        // Every socket holds an Arc of this context, so none is open any more:
        // zmq_ctx_term only waits for the lingering messages of closed sockets,
        // which the linger policy bounds. It may fail with EINTR; retry then.
        loop {
            // SAFETY: `raw` came from zmq_ctx_new and is terminated only here,
            // once, when the last Context or Socket referring to it is gone.
            let rc = unsafe { zmq_sys::zmq_ctx_term(self.raw.as_ptr()) };
            if rc == 0 || !matches!(check(rc), Err(Error::Interrupted)) {
                break;
            }
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
/// ```
/// let ctx = zmq::Context::new();
/// let rep = ctx.socket(zmq::SocketType::Rep)?;
/// rep.bind("tcp://127.0.0.1:*")?;
/// # Ok::<(), zmq::Error>(())
/// ```
#[derive(Clone)]
pub struct Context {
    pub(crate) inner: Arc<ContextInner>,
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
    /// A new context with libzmq's defaults (one I/O thread) and this crate's
    /// [`DEFAULT_LINGER`] for new sockets.
    ///
    /// # Panics
    /// Only if libzmq cannot create a context at all (out of memory or file
    /// descriptors); [`Context::try_new`] returns that as an error.
    #[doc(alias = "zmq_ctx_new")]
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
            }),
        }
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
    /// thread, return [`Error::Terminated`]; later calls fail the same way.
    /// Sockets still need to be dropped; the context is terminated after that.
    #[doc(alias = "zmq_ctx_shutdown")]
    pub fn shutdown(&self) -> Result<()> {
        // SAFETY: the context pointer is live as long as `self`.
        check(unsafe { zmq_sys::zmq_ctx_shutdown(self.as_raw()) }).map(drop)
    }

    /// The raw `void *` context, for calling libzmq directly. It stays valid
    /// while this `Context` (or a socket of it) lives.
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
            .ok_or(Error::InvalidArgument)
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

    /// The linger given to sockets created from now on (`None` = infinite).
    /// See [`DEFAULT_LINGER`] for why it is not libzmq's infinite default.
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
        // SAFETY: the context is live; an unknown option gives EINVAL.
        check(unsafe { zmq_sys::zmq_ctx_get(self.as_raw(), option) })
    }

    fn set(&self, option: i32, value: i32) -> Result<()> {
        // SAFETY: the context is live; libzmq validates option and value.
        check(unsafe { zmq_sys::zmq_ctx_set(self.as_raw(), option, value) }).map(drop)
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
        Err(Error::InvalidArgument)
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
    /// Largest message size accepted, in bytes (default `i32::MAX`).
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
}

impl ContextBuilder {
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
    /// Linger of every socket of the context (`None` = infinite); see [`DEFAULT_LINGER`].
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
        Ok(ctx)
    }
}
