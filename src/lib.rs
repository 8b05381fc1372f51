//! Safe, fast, complete bindings to [libzmq](https://zeromq.org), the ZeroMQ
//! C library, with CURVE security built in.
//!
//! - [`Context`] owns I/O threads and makes [`Socket`]s; both are RAII handles,
//!   and a socket keeps its context alive.
//! - [`Message`] is a frame: zero-copy from `Vec<u8>`/`String`/`Box<[u8]>`.
//! - Every failure is an [`Error`] value; nothing in the API panics on bad input.
//!
//! ```
//! use zmq::{Context, SocketType};
//!
//! let ctx = Context::new();
//! let push = ctx.socket(SocketType::Push)?;
//! push.bind("inproc://lib-doc")?;
//! let pull = ctx.socket(SocketType::Pull)?;
//! pull.connect("inproc://lib-doc")?;
//! push.send_multipart(["task", "42"])?;
//! let frames = pull.recv_multipart()?;
//! assert_eq!(frames, [zmq::Message::from("task"), zmq::Message::from("42")]);
//! # Ok::<(), zmq::Error>(())
//! ```
//!
//! # Shutdown
//! Sockets keep libzmq's infinite linger, so closing one drops nothing a
//! connected peer can still take; dropping the last [`Context`] waits for that
//! delivery at most [`DEFAULT_TERM_TIMEOUT`], then goes on with a `log`
//! warning. [`Context::terminate`] reports whether everything was delivered.
//! See the shutdown policy of [`Context`].
//!
//! # Features
//! - `vendored` (default): build libzmq 4.3.5 from source, CURVE on.
//! - `system`: link the system libzmq (4.3.2 or later) instead.
//! - `draft`: libzmq's DRAFT API (thread-safe socket types, `DraftPoller`,
//!   routing ids and groups on messages, DRAFT socket options).
//! - `tokio`: async sockets (`AsyncSocket` and friends, docs/ASYNC.md).
//! - `bytes`: zero-copy `Message` from `bytes::Bytes`.
//!
//! Items that need a feature say so in these docs ("Available on crate
//! feature … only").
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs, unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]
// No panic is reachable from bad input: library code neither unwraps nor
// indexes (tests are exempt; docs/RELIABILITY.md).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

/// Checks at compile time that a table row's alias string spells its C
/// constant (`#[doc(alias)]` takes only a literal, so tables carry both).
macro_rules! const_str_eq {
    ($a:expr, $b:expr) => {
        // Evaluated at compile time: an index out of range is a build error.
        #[allow(clippy::indexing_slicing)]
        const _: () = {
            let (a, b) = ($a.as_bytes(), $b.as_bytes());
            assert!(a.len() == b.len(), "alias does not match the constant");
            let mut i = 0;
            while i < a.len() {
                assert!(a[i] == b[i], "alias does not match the constant");
                i += 1;
            }
        };
    };
}
pub(crate) use const_str_eq;

#[cfg(all(unix, feature = "tokio"))]
mod asyncio;
pub mod auth;
mod cert;
mod context;
mod duration;
mod error;
mod frame_writer;
mod message;
pub mod monitor;
mod multipart;
pub mod os;
mod poll;
mod proxy;
mod reactor;
mod socket;
mod sockopt;
pub mod z85;

#[cfg(all(unix, feature = "tokio"))]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub use asyncio::{AsyncMonitor, AsyncProxy, AsyncSocket};
pub use cert::{Certificate, CurveKeyPair};
pub use context::{
    background_terminations, Context, ContextBuilder, Termination, DEFAULT_TERM_TIMEOUT,
};
pub use error::{Error, ErrorKind, Result, WouldBlock};
pub use frame_writer::FrameWriter;
pub use message::Message;
pub use monitor::{Event, Monitor, MonitorEvent, MonitorEvents, ProtocolError};
pub use multipart::Multipart;
pub use poll::{poll, PollItem, Poller};
#[cfg(feature = "draft")]
#[cfg_attr(docsrs, doc(cfg(feature = "draft")))]
pub use poll::{DraftPoller, PollerEvent};
pub use proxy::{
    proxy, proxy_steerable, ProxyCommand, ProxyController, ProxyStatistics, ProxyThread,
    SideStatistics, PROXY_STOP_TIMEOUT,
};
pub use reactor::{Ended, Flow, Reactor, ReaderId, TimerId};
#[cfg(feature = "draft")]
#[cfg_attr(docsrs, doc(cfg(feature = "draft")))]
pub use socket::ThreadSafeSocket;
pub use socket::{PollEvents, RecvSize, SendFlags, Socket, SocketType};
pub use sockopt::{CurveKey, GssapiNameType, Mechanism, OptionInfo, SOCKET_OPTIONS};
#[cfg(feature = "draft")]
#[cfg_attr(docsrs, doc(cfg(feature = "draft")))]
pub use sockopt::{NormMode, ReconnectStop, RouterNotify};

/// What must not compile (doc tests only).
#[cfg(doctest)]
mod compile_fail;

/// The README's code blocks are compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// The raw bindings this crate is built on.
pub use zmq_sys as sys;

/// The version of the linked libzmq, as `(major, minor, patch)`.
#[doc(alias = "zmq_version")]
pub fn version() -> (i32, i32, i32) {
    let (mut major, mut minor, mut patch) = (0, 0, 0);
    // SAFETY: zmq_version only writes three ints through valid pointers.
    unsafe { zmq_sys::zmq_version(&mut major, &mut minor, &mut patch) };
    (major, minor, patch)
}

/// Whether the linked libzmq has a capability: `"ipc"`, `"pgm"`, `"tipc"`,
/// `"norm"`, `"curve"`, `"gssapi"`, `"draft"`. An unknown name, or one with a
/// NUL byte, is `false`.
///
/// ```
/// assert!(zmq::has("ipc"));
/// assert!(!zmq::has("no\0such"));
/// ```
#[doc(alias = "zmq_has")]
pub fn has(capability: &str) -> bool {
    let Ok(c) = std::ffi::CString::new(capability) else {
        return false;
    };
    // SAFETY: NUL-terminated string; zmq_has only reads it.
    unsafe { zmq_sys::zmq_has(c.as_ptr()) == 1 }
}
