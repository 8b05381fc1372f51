//! Errors as values: one variant per meaningful errno, `Other(errno)` for the
//! rest, and the single place that turns libzmq's C return codes into `Result`.

use std::ffi::{c_int, CStr};
use std::io;

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong in a libzmq call, or in the checks this crate does first.
///
/// Every errno libzmq can report is a value: the ones a program acts on have
/// their own variant, any other is [`Error::Other`]. [`Error::errno`] gives the
/// number back, `Display` gives libzmq's own message (`zmq_strerror`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The operation would block (EAGAIN): a non-blocking call found nothing to
    /// do, or a send/receive timeout expired.
    #[error("{}", strerror(libc::EAGAIN))]
    Again,
    /// The context was shut down or terminated (ETERM).
    #[error("{}", strerror(zmq_sys::ETERM))]
    Terminated,
    /// A signal interrupted the call (EINTR).
    #[error("{}", strerror(libc::EINTR))]
    Interrupted,
    /// The socket is not in a state that allows this operation (EFSM), e.g. a
    /// REQ socket sending twice without receiving.
    #[error("{}", strerror(zmq_sys::EFSM))]
    InvalidState,
    /// A message could not be routed to its peer (EHOSTUNREACH).
    #[error("{}", strerror(libc::EHOSTUNREACH))]
    HostUnreachable,
    /// An argument was invalid (EINVAL): unknown option, malformed endpoint,
    /// out-of-range value.
    #[error("{}", strerror(libc::EINVAL))]
    InvalidArgument,
    /// The address is already in use (EADDRINUSE).
    #[error("{}", strerror(libc::EADDRINUSE))]
    AddrInUse,
    /// The address is not local, or cannot be resolved (EADDRNOTAVAIL). An
    /// interface that does not exist is ENODEV, kept as [`Error::Other`].
    #[error("{}", strerror(libc::EADDRNOTAVAIL))]
    AddrNotAvailable,
    /// The operation is not supported by this socket type (ENOTSUP).
    #[error("{}", strerror(libc::ENOTSUP))]
    NotSupported,
    /// The transport protocol is unknown or not compiled in (EPROTONOSUPPORT).
    #[error("{}", strerror(libc::EPROTONOSUPPORT))]
    ProtocolNotSupported,
    /// The transport is not compatible with the socket type (ENOCOMPATPROTO).
    #[error("{}", strerror(zmq_sys::ENOCOMPATPROTO))]
    IncompatibleProtocol,
    /// No I/O thread is available for the operation (EMTHREAD).
    #[error("{}", strerror(zmq_sys::EMTHREAD))]
    NoThreads,
    /// The socket or file limit was reached (EMFILE).
    #[error("{}", strerror(libc::EMFILE))]
    TooManySockets,
    /// The endpoint is not bound or connected (ENOENT), e.g. on `unbind`.
    #[error("{}", strerror(libc::ENOENT))]
    NoSuchEndpoint,
    /// The handle is no longer valid (ENOTSOCK). libzmq's EFAULT (an invalid
    /// pointer) is kept as [`Error::Other`], so [`Error::errno`] gives back
    /// the very number libzmq set.
    #[error("{}", strerror(libc::ENOTSOCK))]
    NotASocket,
    /// Out of memory (ENOMEM).
    #[error("{}", strerror(libc::ENOMEM))]
    NoMemory,
    /// A string argument holds a NUL byte, which C cannot receive. The value
    /// names what was refused (`"ZMQ_PLAIN_PASSWORD"`, `"endpoint or group
    /// name"`, ...), never the argument itself: it may be a secret.
    #[error("{0} contains a NUL byte (the value is not shown)")]
    NulByte(&'static str),
    /// Received bytes were not valid UTF-8; the bytes are kept in the error
    /// (`err.into_bytes()` on the inner value gives them back).
    #[error("received message is not valid UTF-8: {0}")]
    InvalidUtf8(#[from] std::string::FromUtf8Error),
    /// A monitor event (or other libzmq-made message) did not have the
    /// expected shape.
    #[error("malformed event: {0}")]
    MalformedEvent(&'static str),
    /// A CURVE certificate file could not be understood.
    #[error("invalid certificate: {0}")]
    InvalidCertificate(String),
    /// Reading or writing a file (certificates, password files) failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// Any other errno, as a value.
    #[error("{msg} (errno {errno})", msg = strerror(*.0), errno = .0)]
    Other(i32),
}

impl Error {
    /// The error of an errno value; an unknown number becomes [`Error::Other`].
    pub fn from_errno(errno: i32) -> Error {
        match errno {
            libc::EAGAIN => Error::Again,
            zmq_sys::ETERM => Error::Terminated,
            libc::EINTR => Error::Interrupted,
            zmq_sys::EFSM => Error::InvalidState,
            libc::EHOSTUNREACH => Error::HostUnreachable,
            libc::EINVAL => Error::InvalidArgument,
            libc::EADDRINUSE => Error::AddrInUse,
            libc::EADDRNOTAVAIL => Error::AddrNotAvailable,
            libc::ENOTSUP => Error::NotSupported,
            libc::EPROTONOSUPPORT => Error::ProtocolNotSupported,
            zmq_sys::ENOCOMPATPROTO => Error::IncompatibleProtocol,
            zmq_sys::EMTHREAD => Error::NoThreads,
            libc::EMFILE => Error::TooManySockets,
            libc::ENOENT => Error::NoSuchEndpoint,
            libc::ENOTSOCK => Error::NotASocket,
            libc::ENOMEM => Error::NoMemory,
            other => Error::Other(other),
        }
    }

    /// The errno this error stands for, if it came from (or maps to) one.
    pub fn errno(&self) -> Option<i32> {
        Some(match self {
            Error::Again => libc::EAGAIN,
            Error::Terminated => zmq_sys::ETERM,
            Error::Interrupted => libc::EINTR,
            Error::InvalidState => zmq_sys::EFSM,
            Error::HostUnreachable => libc::EHOSTUNREACH,
            Error::InvalidArgument | Error::NulByte(_) => libc::EINVAL,
            Error::AddrInUse => libc::EADDRINUSE,
            Error::AddrNotAvailable => libc::EADDRNOTAVAIL,
            Error::NotSupported => libc::ENOTSUP,
            Error::ProtocolNotSupported => libc::EPROTONOSUPPORT,
            Error::IncompatibleProtocol => zmq_sys::ENOCOMPATPROTO,
            Error::NoThreads => zmq_sys::EMTHREAD,
            Error::TooManySockets => libc::EMFILE,
            Error::NoSuchEndpoint => libc::ENOENT,
            Error::NotASocket => libc::ENOTSOCK,
            Error::NoMemory => libc::ENOMEM,
            Error::InvalidUtf8(_) | Error::MalformedEvent(_) | Error::InvalidCertificate(_) => {
                return None
            }
            Error::Io(e) => return e.raw_os_error(),
            Error::Other(errno) => *errno,
        })
    }

    /// True for [`Error::Again`]: the non-blocking call would have blocked.
    pub fn is_would_block(&self) -> bool {
        matches!(self, Error::Again)
    }
}

impl From<Error> for io::Error {
    fn from(err: Error) -> io::Error {
        use io::ErrorKind as K;
        let kind = match &err {
            Error::Again => K::WouldBlock,
            Error::Interrupted => K::Interrupted,
            Error::AddrInUse => K::AddrInUse,
            Error::AddrNotAvailable => K::AddrNotAvailable,
            Error::HostUnreachable => K::HostUnreachable,
            Error::InvalidArgument | Error::NulByte(_) => K::InvalidInput,
            Error::InvalidUtf8(_) | Error::MalformedEvent(_) | Error::InvalidCertificate(_) => {
                K::InvalidData
            }
            Error::Io(e) => e.kind(),
            Error::NotSupported | Error::ProtocolNotSupported | Error::IncompatibleProtocol => {
                K::Unsupported
            }
            Error::NoSuchEndpoint => K::NotFound,
            Error::NoMemory => K::OutOfMemory,
            Error::Terminated => K::BrokenPipe,
            _ => K::Other,
        };
        io::Error::new(kind, err)
    }
}

/// libzmq's message for an errno (`zmq_strerror`), which also knows the
/// ZeroMQ-specific numbers (ETERM, EFSM, ...).
pub(crate) fn strerror(errno: i32) -> String {
    // SAFETY: zmq_strerror accepts any int and returns a pointer to a static,
    // NUL-terminated string (libzmq's own table or the C library's strerror).
    let ptr = unsafe { zmq_sys::zmq_strerror(errno) };
    if ptr.is_null() {
        return format!("unknown error {errno}");
    }
    // SAFETY: non-null, NUL-terminated and static as said above.
    unsafe { CStr::from_ptr(ptr) }
        .to_string_lossy()
        .into_owned()
}

/// The one place that interprets libzmq's return codes: a negative value means
/// failure, and `zmq_errno()` is read right after the call, on the same thread.
pub(crate) fn check(rc: c_int) -> Result<c_int> {
    if rc < 0 {
        Err(last_error())
    } else {
        Ok(rc)
    }
}

/// Like [`check`], for calls that return a pointer (NULL on failure).
pub(crate) fn check_ptr<T>(ptr: *mut T) -> Result<std::ptr::NonNull<T>> {
    std::ptr::NonNull::new(ptr).ok_or_else(last_error)
}

fn last_error() -> Error {
    // SAFETY: zmq_errno has no preconditions; it reads this thread's errno.
    Error::from_errno(unsafe { zmq_sys::zmq_errno() })
}

/// Turns "would block" into `Ok(None)`, for the non-blocking style of cppzmq.
///
/// ```
/// use zmq::{Context, RecvFlags, SocketType, WouldBlock};
/// let ctx = Context::new();
/// let pull = ctx.socket(SocketType::Pull)?;
/// pull.bind("inproc://would-block-doc")?;
/// assert!(pull.recv_bytes(RecvFlags::DONTWAIT).would_block()?.is_none());
/// # Ok::<(), zmq::Error>(())
/// ```
pub trait WouldBlock<T> {
    /// `Err(Error::Again)` becomes `Ok(None)`, success `Ok(Some(value))`.
    fn would_block(self) -> Result<Option<T>>;
}

impl<T> WouldBlock<T> for Result<T> {
    fn would_block(self) -> Result<Option<T>> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(Error::Again) => Ok(None),
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
            assert!(matches!(err, Error::Other(n) if n == errno) || err.errno() == Some(errno));
            assert!(!err.to_string().is_empty());
        }
    }

    #[test]
    fn known_errnos_round_trip() {
        for errno in [
            libc::EAGAIN,
            zmq_sys::ETERM,
            zmq_sys::EFSM,
            libc::EINTR,
            libc::EINVAL,
            // These two once mapped to a variant of another number.
            libc::ENODEV,
            libc::EFAULT,
        ] {
            assert_eq!(Error::from_errno(errno).errno(), Some(errno));
        }
        assert!(Error::Terminated.to_string().contains("terminated"));
    }

    #[test]
    fn io_error_kinds() {
        assert_eq!(
            io::Error::from(Error::Again).kind(),
            io::ErrorKind::WouldBlock
        );
        assert_eq!(
            io::Error::from(Error::Interrupted).kind(),
            io::ErrorKind::Interrupted
        );
        assert_eq!(
            io::Error::from(Error::AddrInUse).kind(),
            io::ErrorKind::AddrInUse
        );
    }
}
