//! Errors as values: an [`ErrorKind`] per meaningful errno (`Other` for the
//! rest), the operation and endpoint that failed, and the single place that
//! turns libzmq's C return codes into `Result`.

use std::borrow::Cow;
use std::ffi::{c_int, CStr};
use std::fmt;
use std::io;
use std::sync::Arc;

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of failure an [`Error`] is: one variant per errno a program acts
/// on, [`ErrorKind::Other`] for any other errno (read it with
/// [`Error::errno`]), and the failures of this crate's own checks.
///
/// Match on it as on [`std::io::ErrorKind`]: `err.kind() == ErrorKind::Again`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The operation would block (EAGAIN): a non-blocking call found nothing to
    /// do, or a send/receive timeout expired.
    Again,
    /// The context was shut down or terminated (ETERM).
    Terminated,
    /// A signal interrupted the call (EINTR).
    Interrupted,
    /// The socket is not in a state that allows this operation (EFSM), e.g. a
    /// REQ socket sending twice without receiving.
    InvalidState,
    /// A message could not be routed to its peer (EHOSTUNREACH).
    HostUnreachable,
    /// An argument was invalid (EINVAL): unknown option, malformed endpoint,
    /// out-of-range value.
    InvalidArgument,
    /// The address is already in use (EADDRINUSE).
    AddrInUse,
    /// The address is not local, or cannot be resolved (EADDRNOTAVAIL). An
    /// interface that does not exist is ENODEV, kept as [`ErrorKind::Other`].
    AddrNotAvailable,
    /// The operation is not supported by this socket type (ENOTSUP).
    NotSupported,
    /// The transport protocol is unknown or not compiled in (EPROTONOSUPPORT).
    ProtocolNotSupported,
    /// The transport is not compatible with the socket type (ENOCOMPATPROTO).
    IncompatibleProtocol,
    /// No I/O thread is available for the operation (EMTHREAD).
    NoThreads,
    /// The socket or file limit was reached (EMFILE).
    TooManySockets,
    /// The endpoint is not bound or connected (ENOENT), e.g. on `unbind`.
    NoSuchEndpoint,
    /// The handle is no longer valid (ENOTSOCK). libzmq's EFAULT (an invalid
    /// pointer) is kept as [`ErrorKind::Other`], so [`Error::errno`] gives
    /// back the very number libzmq set.
    NotASocket,
    /// Out of memory (ENOMEM).
    NoMemory,
    /// A string argument holds a NUL byte, which C cannot receive. The error
    /// names what was refused (`"ZMQ_PLAIN_PASSWORD"`, `"endpoint or group
    /// name"`, ...), never the argument itself: it may be a secret. Its
    /// errno is EINVAL.
    NulByte,
    /// Received bytes were not valid UTF-8; [`Error::into_utf8_bytes`] gives
    /// them back.
    InvalidUtf8,
    /// A monitor event (or other libzmq-made message) did not have the
    /// expected shape.
    MalformedEvent,
    /// A CURVE certificate file could not be understood.
    InvalidCertificate,
    /// Reading or writing a file (certificates, password files) failed;
    /// [`std::error::Error::source`] is the [`io::Error`].
    Io,
    /// Any other errno ([`Error::errno`] gives it).
    Other,
}

impl ErrorKind {
    fn from_errno(errno: i32) -> ErrorKind {
        match errno {
            zmq_sys::errno::EAGAIN => ErrorKind::Again,
            zmq_sys::ETERM => ErrorKind::Terminated,
            zmq_sys::errno::EINTR => ErrorKind::Interrupted,
            zmq_sys::EFSM => ErrorKind::InvalidState,
            zmq_sys::errno::EHOSTUNREACH => ErrorKind::HostUnreachable,
            zmq_sys::errno::EINVAL => ErrorKind::InvalidArgument,
            zmq_sys::errno::EADDRINUSE => ErrorKind::AddrInUse,
            zmq_sys::errno::EADDRNOTAVAIL => ErrorKind::AddrNotAvailable,
            zmq_sys::errno::ENOTSUP => ErrorKind::NotSupported,
            zmq_sys::errno::EPROTONOSUPPORT => ErrorKind::ProtocolNotSupported,
            zmq_sys::ENOCOMPATPROTO => ErrorKind::IncompatibleProtocol,
            zmq_sys::EMTHREAD => ErrorKind::NoThreads,
            zmq_sys::errno::EMFILE => ErrorKind::TooManySockets,
            zmq_sys::errno::ENOENT => ErrorKind::NoSuchEndpoint,
            zmq_sys::errno::ENOTSOCK => ErrorKind::NotASocket,
            zmq_sys::errno::ENOMEM => ErrorKind::NoMemory,
            _ => ErrorKind::Other,
        }
    }

    /// The errno of the kind, 0 for the kinds that have none.
    fn errno(self) -> i32 {
        match self {
            ErrorKind::Again => zmq_sys::errno::EAGAIN,
            ErrorKind::Terminated => zmq_sys::ETERM,
            ErrorKind::Interrupted => zmq_sys::errno::EINTR,
            ErrorKind::InvalidState => zmq_sys::EFSM,
            ErrorKind::HostUnreachable => zmq_sys::errno::EHOSTUNREACH,
            ErrorKind::InvalidArgument | ErrorKind::NulByte => zmq_sys::errno::EINVAL,
            ErrorKind::AddrInUse => zmq_sys::errno::EADDRINUSE,
            ErrorKind::AddrNotAvailable => zmq_sys::errno::EADDRNOTAVAIL,
            ErrorKind::NotSupported => zmq_sys::errno::ENOTSUP,
            ErrorKind::ProtocolNotSupported => zmq_sys::errno::EPROTONOSUPPORT,
            ErrorKind::IncompatibleProtocol => zmq_sys::ENOCOMPATPROTO,
            ErrorKind::NoThreads => zmq_sys::EMTHREAD,
            ErrorKind::TooManySockets => zmq_sys::errno::EMFILE,
            ErrorKind::NoSuchEndpoint => zmq_sys::errno::ENOENT,
            ErrorKind::NotASocket => zmq_sys::errno::ENOTSOCK,
            ErrorKind::NoMemory => zmq_sys::errno::ENOMEM,
            ErrorKind::InvalidUtf8
            | ErrorKind::MalformedEvent
            | ErrorKind::InvalidCertificate
            | ErrorKind::Io
            | ErrorKind::Other => 0,
        }
    }
}

/// What went wrong in a libzmq call, or in the checks this crate does first.
///
/// Modelled on [`std::io::Error`]: [`Error::kind`] says what happened
/// (cheap, `Copy`, matchable), [`Error::errno`] gives the number back, and
/// `Display` names the operation and the endpoint or option that failed,
/// followed by libzmq's message:
/// `bind tcp://127.0.0.1:5555: Address already in use`. An error never
/// shows a value that may be a secret (a password, a key): options are named,
/// their values are not.
///
/// An error of a send or receive (EAGAIN above all) is two words and never
/// allocates; only calls such as bind, connect and setsockopt attach their
/// context, on the failure path. Two errors compare equal when their kind and
/// errno are equal (the context is not compared), and an error compares with
/// an [`ErrorKind`] directly.
///
/// ```
/// use zmq::{Context, ErrorKind, SocketType};
/// let ctx = Context::new();
/// let a = ctx.socket(SocketType::Pull)?;
/// a.bind("tcp://127.0.0.1:*")?;
/// let endpoint = a.last_endpoint()?;
/// let b = ctx.socket(SocketType::Pull)?;
/// let err = b.bind(&endpoint).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::AddrInUse);
/// assert_eq!(err, ErrorKind::AddrInUse);
/// assert_eq!(err.to_string(), format!("bind {endpoint}: Address already in use"));
/// # Ok::<(), zmq::Error>(())
/// ```
#[derive(Clone)]
pub struct Error {
    kind: ErrorKind,
    /// Whether `errno` is set: the kinds of this crate's own checks have none.
    has_errno: bool,
    errno: i32,
    /// Allocated only on the failure path of calls that have context.
    detail: Option<Box<Detail>>,
}

#[derive(Clone, Default)]
struct Detail {
    /// "bind", "set", "socket"...
    operation: Option<&'static str>,
    /// The endpoint, option name or socket type the operation was about.
    target: Option<Cow<'static, str>>,
    /// What the kind is about: the name of the argument with a NUL byte, the
    /// fault of a malformed event or certificate.
    what: Option<Cow<'static, str>>,
    source: Option<Source>,
}

#[derive(Clone)]
enum Source {
    Utf8(std::string::FromUtf8Error),
    Io(Arc<io::Error>),
}

impl Error {
    /// The error of an errno value; an unknown number is [`ErrorKind::Other`].
    #[doc(alias = "from_raw")]
    pub fn from_errno(errno: i32) -> Error {
        Error {
            kind: ErrorKind::from_errno(errno),
            has_errno: true,
            errno,
            detail: None,
        }
    }

    /// What kind of error this is.
    #[inline]
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The errno this error stands for, if it came from (or maps to) one.
    #[doc(alias = "to_raw")]
    pub fn errno(&self) -> Option<i32> {
        if self.has_errno {
            return Some(self.errno);
        }
        match self.source() {
            Some(Source::Io(e)) => e.raw_os_error(),
            _ => None,
        }
    }

    /// True for [`ErrorKind::Again`]: the non-blocking call would have blocked.
    #[inline]
    pub fn is_would_block(&self) -> bool {
        self.kind == ErrorKind::Again
    }

    /// The operation that failed (`"bind"`, `"connect"`, `"set"`, `"get"`,
    /// `"socket"`...), when the call recorded it.
    pub fn operation(&self) -> Option<&str> {
        self.detail.as_ref()?.operation
    }

    /// What the operation was about: the endpoint of a bind or connect, the
    /// name of a socket option (never its value), the socket type.
    pub fn target(&self) -> Option<&str> {
        self.detail.as_ref()?.target.as_deref()
    }

    /// The bytes of an [`ErrorKind::InvalidUtf8`] error, borrowed.
    pub fn utf8_bytes(&self) -> Option<&[u8]> {
        match self.source()? {
            Source::Utf8(e) => Some(e.as_bytes()),
            Source::Io(_) => None,
        }
    }

    /// The bytes of an [`ErrorKind::InvalidUtf8`] error (a frame received as
    /// a string); `None` for any other error.
    pub fn into_utf8_bytes(self) -> Option<Vec<u8>> {
        match self.detail?.source? {
            Source::Utf8(e) => Some(e.into_bytes()),
            Source::Io(_) => None,
        }
    }

    /// The same error, naming the operation and what it was about (an
    /// endpoint, an option name: never a secret value).
    pub(crate) fn context(
        mut self,
        operation: &'static str,
        target: impl Into<Cow<'static, str>>,
    ) -> Error {
        let detail = self.detail.get_or_insert_with(Default::default);
        detail.operation = Some(operation);
        detail.target = Some(target.into());
        self
    }

    /// A string argument with a NUL byte: `what` names it.
    pub(crate) fn nul_byte(what: &'static str) -> Error {
        Error::with_what(ErrorKind::NulByte, what)
    }

    /// A monitor event or statistics message of the wrong shape.
    pub(crate) fn malformed_event(what: &'static str) -> Error {
        Error::with_what(ErrorKind::MalformedEvent, what)
    }

    /// An argument this crate refuses before libzmq sees it, and why.
    pub(crate) fn invalid_argument(why: impl Into<Cow<'static, str>>) -> Error {
        Error::with_what(ErrorKind::InvalidArgument, why)
    }

    /// A certificate file that could not be understood.
    pub(crate) fn invalid_certificate(why: impl Into<Cow<'static, str>>) -> Error {
        Error::with_what(ErrorKind::InvalidCertificate, why)
    }

    fn with_what(kind: ErrorKind, what: impl Into<Cow<'static, str>>) -> Error {
        Error {
            kind,
            has_errno: kind.errno() != 0,
            errno: kind.errno(),
            detail: Some(Box::new(Detail {
                what: Some(what.into()),
                ..Detail::default()
            })),
        }
    }

    fn source(&self) -> Option<&Source> {
        self.detail.as_ref()?.source.as_ref()
    }
}

impl From<ErrorKind> for Error {
    /// An error of that kind, without context.
    fn from(kind: ErrorKind) -> Error {
        Error {
            kind,
            has_errno: kind.errno() != 0,
            errno: kind.errno(),
            detail: None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Error {
        Error {
            kind: ErrorKind::Io,
            has_errno: false,
            errno: 0,
            detail: Some(Box::new(Detail {
                source: Some(Source::Io(Arc::new(e))),
                ..Detail::default()
            })),
        }
    }
}

impl From<std::string::FromUtf8Error> for Error {
    fn from(e: std::string::FromUtf8Error) -> Error {
        Error {
            kind: ErrorKind::InvalidUtf8,
            has_errno: false,
            errno: 0,
            detail: Some(Box::new(Detail {
                source: Some(Source::Utf8(e)),
                ..Detail::default()
            })),
        }
    }
}

impl PartialEq for Error {
    /// Same kind and errno; the context is not compared.
    fn eq(&self, other: &Error) -> bool {
        self.kind == other.kind && self.errno() == other.errno()
    }
}

impl Eq for Error {}

impl PartialEq<ErrorKind> for Error {
    fn eq(&self, kind: &ErrorKind) -> bool {
        self.kind == *kind
    }
}

impl PartialEq<Error> for ErrorKind {
    fn eq(&self, err: &Error) -> bool {
        *self == err.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let detail = self.detail.as_deref();
        if let Some(op) = detail.and_then(|d| d.operation) {
            f.write_str(op)?;
            if let Some(target) = detail.and_then(|d| d.target.as_deref()) {
                write!(f, " {target}")?;
            }
            f.write_str(": ")?;
        }
        let what = detail.and_then(|d| d.what.as_deref()).unwrap_or("");
        match (self.kind, self.source()) {
            // The context already names the option or endpoint.
            (ErrorKind::NulByte, _) if detail.is_some_and(|d| d.operation.is_some()) => {
                f.write_str("the value contains a NUL byte (not shown)")
            }
            (ErrorKind::NulByte, _) => {
                write!(f, "{what} contains a NUL byte (the value is not shown)")
            }
            (_, Some(Source::Utf8(e))) => write!(f, "received message is not valid UTF-8: {e}"),
            (_, Some(Source::Io(e))) => write!(f, "I/O error: {e}"),
            (ErrorKind::MalformedEvent, _) => write!(f, "malformed event: {what}"),
            (ErrorKind::InvalidCertificate, _) => write!(f, "invalid certificate: {what}"),
            (ErrorKind::InvalidArgument, _) if !what.is_empty() => {
                write!(f, "{}: {what}", strerror(self.errno))
            }
            (ErrorKind::Other, _) => write!(f, "{} (errno {})", strerror(self.errno), self.errno),
            _ => f.write_str(&strerror(self.errno)),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind);
        if self.has_errno {
            d.field("errno", &self.errno);
        }
        d.field("message", &self.to_string());
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match Error::source(self)? {
            Source::Utf8(e) => Some(e),
            Source::Io(e) => Some(&**e),
        }
    }
}

impl From<Error> for io::Error {
    fn from(err: Error) -> io::Error {
        use io::ErrorKind as K;
        let kind = match err.kind {
            ErrorKind::Again => K::WouldBlock,
            ErrorKind::Interrupted => K::Interrupted,
            ErrorKind::AddrInUse => K::AddrInUse,
            ErrorKind::AddrNotAvailable => K::AddrNotAvailable,
            ErrorKind::HostUnreachable => K::HostUnreachable,
            ErrorKind::InvalidArgument | ErrorKind::NulByte => K::InvalidInput,
            ErrorKind::InvalidUtf8 | ErrorKind::MalformedEvent | ErrorKind::InvalidCertificate => {
                K::InvalidData
            }
            ErrorKind::Io => match err.source() {
                Some(Source::Io(e)) => e.kind(),
                _ => K::Other,
            },
            ErrorKind::NotSupported
            | ErrorKind::ProtocolNotSupported
            | ErrorKind::IncompatibleProtocol => K::Unsupported,
            ErrorKind::NoSuchEndpoint => K::NotFound,
            ErrorKind::NoMemory => K::OutOfMemory,
            ErrorKind::Terminated => K::BrokenPipe,
            _ => K::Other,
        };
        io::Error::new(kind, err)
    }
}

/// libzmq's message for an errno (`zmq_strerror`), which also knows the
/// ZeroMQ-specific numbers (ETERM, EFSM, ...).
pub(crate) fn strerror(errno: i32) -> String {
    // SAFETY: zmq_strerror accepts any int and returns a NUL-terminated
    // string: from libzmq's own static table for its numbers, else the C
    // library's `strerror`, whose string for an unknown number lives in a
    // buffer (thread-local in glibc since 2.32, static in older ones) that
    // the next `strerror` call may overwrite.
    let ptr = unsafe { zmq_sys::zmq_strerror(errno) };
    if ptr.is_null() {
        return format!("unknown error {errno}");
    }
    // SAFETY: non-null and NUL-terminated as said above, and copied at
    // once, before any other call that could reuse the buffer. (An older C
    // library's shared static buffer could be rewritten by another thread's
    // `strerror` meanwhile; glibc 2.32+ and musl have no such buffer.)
    unsafe { CStr::from_ptr(ptr) }
        .to_string_lossy()
        .into_owned()
}

/// The one place that interprets libzmq's return codes: a negative value means
/// failure, and `zmq_errno()` is read right after the call, on the same thread.
#[inline]
pub(crate) fn check(rc: c_int) -> Result<c_int> {
    if rc < 0 {
        Err(last_error())
    } else {
        Ok(rc)
    }
}

/// Like [`check`], for calls that return a pointer (NULL on failure).
#[inline]
pub(crate) fn check_ptr<T>(ptr: *mut T) -> Result<std::ptr::NonNull<T>> {
    std::ptr::NonNull::new(ptr).ok_or_else(last_error)
}

#[cold]
#[inline(never)]
pub(crate) fn last_error() -> Error {
    // SAFETY: zmq_errno has no preconditions; it reads this thread's errno.
    Error::from_errno(unsafe { zmq_sys::zmq_errno() })
}

/// Turns "would block" into `Ok(None)`, for the non-blocking style of cppzmq.
///
/// ```
/// use zmq::{Context, SendFlags, SocketType, WouldBlock};
/// let ctx = Context::new();
/// let push = ctx.socket(SocketType::Push)?;
/// push.bind("inproc://would-block-doc")?; // no peer: a send would block
/// assert!(push.send_with("x", SendFlags::DONTWAIT).would_block()?.is_none());
/// # Ok::<(), zmq::Error>(())
/// ```
pub trait WouldBlock<T> {
    /// An [`ErrorKind::Again`] error becomes `Ok(None)`, success `Ok(Some(value))`.
    fn would_block(self) -> Result<Option<T>>;
}

impl<T> WouldBlock<T> for Result<T> {
    fn would_block(self) -> Result<Option<T>> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(e) if e.is_would_block() => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_errno_is_a_value() {
        for errno in [0, -1, 12345, i32::MAX, i32::MIN, 156384712 + 999] {
            let err = Error::from_errno(errno);
            assert_eq!(err.errno(), Some(errno));
            assert!(!err.to_string().is_empty());
        }
    }

    #[test]
    fn known_errnos_round_trip() {
        for errno in [
            zmq_sys::errno::EAGAIN,
            zmq_sys::ETERM,
            zmq_sys::EFSM,
            zmq_sys::errno::EINTR,
            zmq_sys::errno::EINVAL,
            // These two once mapped to a variant of another number.
            zmq_sys::errno::ENODEV,
            zmq_sys::errno::EFAULT,
        ] {
            assert_eq!(Error::from_errno(errno).errno(), Some(errno));
        }
        assert!(Error::from(ErrorKind::Terminated)
            .to_string()
            .contains("terminated"));
    }

    #[test]
    fn io_error_kinds() {
        assert_eq!(
            io::Error::from(Error::from(ErrorKind::Again)).kind(),
            io::ErrorKind::WouldBlock
        );
        assert_eq!(
            io::Error::from(Error::from(ErrorKind::Interrupted)).kind(),
            io::ErrorKind::Interrupted
        );
        assert_eq!(
            io::Error::from(Error::from(ErrorKind::AddrInUse)).kind(),
            io::ErrorKind::AddrInUse
        );
    }
}
