//! What must not compile, checked by plain `cargo test` as `compile_fail` doc
//! tests: they link the library the build already made, so they cost no second
//! libzmq build (trybuild builds every dependency again in a target directory of
//! its own). Each case has a twin that differs only in the part under test and
//! must compile, so a case cannot pass by failing for another reason (stable
//! rustdoc does not check the error code; nightly does). The exact compiler
//! messages are pinned by `tests/compile_fail.rs` (trybuild, `tests/ui*`), which
//! `.ci/run` runs (`-- --ignored`).
//!
//! Only compiled for doc tests (`cfg(doctest)`): nothing here is public API.

/// A classic ZeroMQ socket must not be shared between threads: `Socket` is
/// `Send` but not `Sync`.
///
/// ```compile_fail,E0277
/// fn assert_sync<T: Sync>() {}
/// assert_sync::<zmq::Socket>();
/// ```
///
/// ```
/// fn assert_send<T: Send>() {}
/// assert_send::<zmq::Socket>();
/// ```
pub struct SocketNotSync;

/// Using one socket from two threads at once must not compile.
///
/// ```compile_fail,E0277
/// let ctx = zmq::Context::new();
/// let socket = ctx.socket(zmq::SocketType::Pair).unwrap();
/// std::thread::scope(|s| {
///     s.spawn(|| socket.bind("inproc://a"));
///     s.spawn(|| socket.bind("inproc://b"));
/// });
/// ```
///
/// Moving it to one thread does:
///
/// ```
/// let ctx = zmq::Context::new();
/// let socket = ctx.socket(zmq::SocketType::Pair).unwrap();
/// std::thread::scope(|s| {
///     s.spawn(move || socket.bind("inproc://a"));
/// });
/// ```
pub struct SocketSharedAcrossThreads;

/// `Message::clone` updates libzmq's flags of the source through `&self`, so a
/// message must not be shared between threads: `Message` is `Send`, not `Sync`.
///
/// ```compile_fail,E0277
/// fn assert_sync<T: Sync>() {}
/// assert_sync::<zmq::Message>();
/// ```
///
/// ```
/// fn assert_send<T: Send>() {}
/// assert_send::<zmq::Message>();
/// ```
pub struct MessageNotSync;

/// Dropping an `Authenticator` stops it (its servers then refuse everyone), so
/// one left unused is a mistake: `start` and the type are `#[must_use]`.
///
/// ```compile_fail
/// #![deny(unused_must_use)]
/// fn main() -> Result<(), zmq::Error> {
///     let ctx = zmq::Context::new();
///     zmq::auth::Authenticator::start(&ctx)?;
///     Ok(())
/// }
/// ```
///
/// ```
/// #![deny(unused_must_use)]
/// fn main() -> Result<(), zmq::Error> {
///     let ctx = zmq::Context::new();
///     let _auth = zmq::auth::Authenticator::start(&ctx)?;
///     Ok(())
/// }
/// ```
pub struct AuthenticatorMustUse;

/// `ZMQ_SUBSCRIBE` and `ZMQ_ROUTER_MANDATORY` are set-only: no getters exist.
///
/// ```compile_fail,E0599
/// let ctx = zmq::Context::new();
/// let socket = ctx.socket(zmq::SocketType::Router).unwrap();
/// let _ = socket.subscribe();
/// ```
///
/// ```compile_fail,E0599
/// let ctx = zmq::Context::new();
/// let socket = ctx.socket(zmq::SocketType::Router).unwrap();
/// let _ = socket.router_mandatory();
/// ```
///
/// ```
/// let ctx = zmq::Context::new();
/// let socket = ctx.socket(zmq::SocketType::Router).unwrap();
/// let _ = socket.set_subscribe(b"");
/// let _ = socket.set_router_mandatory(true);
/// ```
pub struct SockoptGetSetOnly;

/// `ZMQ_RCVMORE` (`more`) is get-only: the table generates no setter for it.
///
/// ```compile_fail,E0599
/// let ctx = zmq::Context::new();
/// let socket = ctx.socket(zmq::SocketType::Sub).unwrap();
/// socket.set_more(true).unwrap();
/// ```
///
/// ```
/// let ctx = zmq::Context::new();
/// let socket = ctx.socket(zmq::SocketType::Sub).unwrap();
/// let _: bool = socket.more().unwrap();
/// ```
pub struct SockoptSetGetOnly;

/// An async socket belongs to one task at a time: `AsyncSocket` is `Send` but
/// not `Sync`, so sharing it between threads behind an `Arc` must not compile.
///
/// ```compile_fail,E0277
/// use std::sync::Arc;
/// let ctx = zmq::Context::new();
/// let pull = ctx.socket(zmq::SocketType::Pull).unwrap();
/// let shared = Arc::new(zmq::AsyncSocket::new(pull).unwrap());
/// let other = Arc::clone(&shared);
/// std::thread::spawn(move || drop(other));
/// ```
///
/// Moving it to the other thread compiles (a socket made inside a runtime's
/// context; here only the types are checked):
///
/// ```no_run
/// let ctx = zmq::Context::new();
/// let pull = ctx.socket(zmq::SocketType::Pull).unwrap();
/// let socket = zmq::AsyncSocket::new(pull).unwrap();
/// std::thread::spawn(move || drop(socket));
/// ```
#[cfg(all(unix, feature = "tokio"))]
pub struct AsyncSocketNotSync;
