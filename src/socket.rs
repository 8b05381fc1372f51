//! `Socket`: a ZeroMQ socket, its types, flags, and send/receive in all the
//! shapes users need (bytes, strings, reused messages, multipart, buffers).

use std::ffi::{c_void, CString};
use std::ptr::NonNull;
use std::time::Duration;

use crate::context::Context;
use crate::error::{check, check_ptr, Error, Result};
use crate::frame_writer::FrameWriter;
use crate::message::Message;
use crate::multipart::Multipart;

macro_rules! socket_types {
    ($( $(#[$doc:meta])* $(@$draft:literal)? $name:ident = $c:ident $alias:literal, )*) => {
        /// The type of a socket, which fixes its messaging pattern.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum SocketType {
            $(
                $(#[$doc])*
                #[doc(alias = $alias)]
                $(#[cfg(feature = $draft)])?
                $name,
            )*
        }

        $( crate::const_str_eq!(stringify!($c), $alias); )*

        impl SocketType {
            /// The `ZMQ_*` number of the type.
            pub fn to_raw(self) -> i32 {
                match self {
                    $( $(#[cfg(feature = $draft)])? SocketType::$name => zmq_sys::$c, )*
                }
            }

            /// The type of a `ZMQ_*` number; `None` for an unknown number.
            pub fn from_raw(raw: i32) -> Option<SocketType> {
                $( $(#[cfg(feature = $draft)])? if raw == zmq_sys::$c { return Some(SocketType::$name); } )*
                None
            }

            /// Every socket type this build knows.
            pub const ALL: &'static [SocketType] = &[
                $( $(#[cfg(feature = $draft)])? SocketType::$name, )*
            ];
        }
    };
}

socket_types! {
    /// Exclusive pair (`ZMQ_PAIR`).
    Pair = ZMQ_PAIR "ZMQ_PAIR",
    /// Publisher of the pub-sub pattern (`ZMQ_PUB`).
    Pub = ZMQ_PUB "ZMQ_PUB",
    /// Subscriber (`ZMQ_SUB`); subscribe before receiving.
    Sub = ZMQ_SUB "ZMQ_SUB",
    /// Requester: send, then receive, in lock-step (`ZMQ_REQ`).
    Req = ZMQ_REQ "ZMQ_REQ",
    /// Replier: receive, then send (`ZMQ_REP`).
    Rep = ZMQ_REP "ZMQ_REP",
    /// Asynchronous requester, load-balancing (`ZMQ_DEALER`).
    Dealer = ZMQ_DEALER "ZMQ_DEALER",
    /// Asynchronous replier, routing by identity (`ZMQ_ROUTER`).
    Router = ZMQ_ROUTER "ZMQ_ROUTER",
    /// Pipeline downstream (`ZMQ_PULL`).
    Pull = ZMQ_PULL "ZMQ_PULL",
    /// Pipeline upstream (`ZMQ_PUSH`).
    Push = ZMQ_PUSH "ZMQ_PUSH",
    /// Publisher that sees subscriptions (`ZMQ_XPUB`).
    Xpub = ZMQ_XPUB "ZMQ_XPUB",
    /// Subscriber that sends subscriptions as messages (`ZMQ_XSUB`).
    Xsub = ZMQ_XSUB "ZMQ_XSUB",
    /// Raw TCP peer (`ZMQ_STREAM`).
    Stream = ZMQ_STREAM "ZMQ_STREAM",
    /// Thread-safe server, replies by routing id (`ZMQ_SERVER`, DRAFT).
    @"draft" Server = ZMQ_SERVER "ZMQ_SERVER",
    /// Thread-safe client (`ZMQ_CLIENT`, DRAFT).
    @"draft" Client = ZMQ_CLIENT "ZMQ_CLIENT",
    /// Thread-safe group publisher (`ZMQ_RADIO`, DRAFT).
    @"draft" Radio = ZMQ_RADIO "ZMQ_RADIO",
    /// Thread-safe group subscriber (`ZMQ_DISH`, DRAFT).
    @"draft" Dish = ZMQ_DISH "ZMQ_DISH",
    /// Thread-safe fair-queued receiver (`ZMQ_GATHER`, DRAFT).
    @"draft" Gather = ZMQ_GATHER "ZMQ_GATHER",
    /// Thread-safe round-robin sender (`ZMQ_SCATTER`, DRAFT).
    @"draft" Scatter = ZMQ_SCATTER "ZMQ_SCATTER",
    /// UDP datagrams (`ZMQ_DGRAM`, DRAFT).
    @"draft" Dgram = ZMQ_DGRAM "ZMQ_DGRAM",
    /// Thread-safe peer-to-peer (`ZMQ_PEER`, DRAFT).
    @"draft" Peer = ZMQ_PEER "ZMQ_PEER",
    /// Thread-safe exclusive pair (`ZMQ_CHANNEL`, DRAFT).
    @"draft" Channel = ZMQ_CHANNEL "ZMQ_CHANNEL",
}

bitflags::bitflags! {
    /// Flags of a send call.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct SendFlags: i32 {
        /// Fail with [`ErrorKind::Again`](crate::ErrorKind::Again) instead of blocking (`ZMQ_DONTWAIT`).
        const DONTWAIT = zmq_sys::ZMQ_DONTWAIT;
        /// More frames of the same message follow (`ZMQ_SNDMORE`).
        const SNDMORE = zmq_sys::ZMQ_SNDMORE;
    }
}

bitflags::bitflags! {
    /// Readiness of a socket (`ZMQ_EVENTS`) or of a poll item.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct PollEvents: i16 {
        /// A message can be received without blocking (`ZMQ_POLLIN`).
        const POLLIN = zmq_sys::ZMQ_POLLIN as i16;
        /// A message can be sent without blocking (`ZMQ_POLLOUT`).
        const POLLOUT = zmq_sys::ZMQ_POLLOUT as i16;
        /// An error condition (`ZMQ_POLLERR`; raw file descriptors only).
        const POLLERR = zmq_sys::ZMQ_POLLERR as i16;
        /// High-priority data (`ZMQ_POLLPRI`; raw file descriptors only).
        const POLLPRI = zmq_sys::ZMQ_POLLPRI as i16;
    }
}

/// The size of a message received into a caller's buffer ([`Socket::recv_into`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecvSize {
    /// Bytes written into the buffer.
    pub size: usize,
    /// The size of the message as sent; larger than `size` when truncated.
    pub untruncated_size: usize,
}

impl RecvSize {
    /// Whether the message was longer than the buffer (the rest is lost).
    pub fn truncated(&self) -> bool {
        self.untruncated_size > self.size
    }
}

/// A ZeroMQ socket.
///
/// A socket is `Send` (it may move to another thread) but not `Sync`: libzmq's
/// classic sockets must not be used from two threads at once. The socket keeps
/// its [`Context`] alive; dropping it closes it (`zmq_close`), after which its
/// unsent messages linger for the socket's `linger` time.
///
/// ```
/// use zmq::{Context, SocketType};
/// let ctx = Context::new();
/// let rep = ctx.socket(SocketType::Rep)?;
/// rep.bind("tcp://127.0.0.1:*")?;
/// let req = ctx.socket(SocketType::Req)?;
/// req.connect(&rep.last_endpoint()?)?;
/// req.send("ping")?;
/// assert_eq!(rep.recv_string()?, "ping");
/// rep.send("pong")?;
/// assert_eq!(req.recv_bytes()?, b"pong");
/// # Ok::<(), zmq::Error>(())
/// ```
pub struct Socket {
    raw: NonNull<c_void>,
    /// `ZMQ_FD`, read once: it is fixed for the life of the socket.
    #[cfg(unix)]
    fd: SocketFd,
    /// The socket may be an XSUB (its type, read once: it never changes;
    /// `true` too if it could not be read): only then does a send check
    /// the frame for an over-long subscription
    /// (`Socket::check_subscription_frame`).
    pub(crate) may_be_xsub: bool,
    // Declared after `raw` only for readability: Drop closes the socket
    // explicitly before this Arc is released.
    ctx: Context,
}

// SAFETY: libzmq allows a socket to migrate between threads provided a full
// memory barrier separates the uses ("migrating a socket from one thread to
// another requires a full memory barrier"); moving a value to another thread
// in Rust (spawn, channel, mutex) always involves that synchronisation.
// Socket is deliberately not Sync: concurrent use of one classic socket from
// two threads is undefined behaviour in libzmq.
unsafe impl Send for Socket {}

impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = self.socket_type().ok();
        f.debug_struct("Socket")
            .field("type", &kind)
            .field("raw", &self.raw)
            .finish()
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        // A readiness poller refers to the socket: it goes first.
        #[cfg(unix)]
        {
            self.fd = SocketFd::None;
        }
        self.ctx.note_closing(self);
        // SAFETY: `raw` is a live socket closed only here. zmq_close can only
        // fail with ENOTSOCK, impossible for a socket we own; nothing to do then.
        unsafe { zmq_sys::zmq_close(self.raw.as_ptr()) };
    }
}

#[cfg(feature = "draft")]
fn group_name(group: &str) -> Result<CString> {
    if group.len() > zmq_sys::ZMQ_GROUP_MAX_LENGTH as usize {
        return Err(Error::from(crate::ErrorKind::InvalidArgument));
    }
    c_string(group)
}

pub(crate) fn c_string(s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::nul_byte("endpoint or group name"))
}

/// Rejects a port libzmq would silently mangle: it parses the port of a
/// tcp/udp/ws endpoint with `atoi` and truncates it to 16 bits, so
/// `tcp://127.0.0.1:99998` would bind port 34462 and `:-2` port 65534. A port
/// must be `*` or a decimal number up to 65535. Endpoints of other
/// transports, and the parts this check cannot read, are left to libzmq.
fn check_port(endpoint: &str) -> Result<()> {
    let Some((transport, address)) = endpoint.split_once("://") else {
        return Ok(());
    };
    let address = match transport {
        "tcp" | "udp" => address,
        // ws://host:port/path
        "ws" | "wss" => address.split('/').next().unwrap_or(address),
        _ => return Ok(()),
    };
    // A connect may name a source first: "source;destination".
    for part in address.split(';') {
        let Some((_, port)) = part.rsplit_once(':') else {
            continue; // no port (a source address, or an error libzmq reports)
        };
        if port.contains(']') {
            continue; // "[::1]" without a port: libzmq reports it
        }
        let valid = port == "*"
            || (!port.is_empty()
                && port.bytes().all(|b| b.is_ascii_digit())
                && port.parse::<u16>().is_ok());
        if !valid {
            return Err(Error::from(crate::ErrorKind::InvalidArgument));
        }
    }
    Ok(())
}

impl Socket {
    pub(crate) fn new(ctx: &Context, kind: SocketType) -> Result<Socket> {
        Socket::new_with(ctx, ctx.clone(), kind)
    }

    /// A monitor's own PAIR socket: it does not keep the context alive (the
    /// application's last handle terminates it, which ends the monitor).
    pub(crate) fn new_for_monitor(ctx: &Context) -> Result<Socket> {
        Socket::new_with(ctx, ctx.for_monitor(), SocketType::Pair)
    }

    fn new_with(ctx: &Context, handle: Context, kind: SocketType) -> Result<Socket> {
        let context = ctx.live()?;
        // SAFETY: the context is live (we hold a handle of it); NULL means failure.
        let raw = check_ptr(unsafe { zmq_sys::zmq_socket(context, kind.to_raw()) })
            .map_err(|e| e.context("socket", format!("{kind:?}")))?;
        let socket = Socket::wrap(handle, raw)?;
        let defaults = ctx.socket_defaults();
        if let Some(linger) = defaults.linger {
            socket.set_linger(linger)?;
        }
        if let Some(hwm) = defaults.sndhwm {
            socket.set_sndhwm(hwm)?;
        }
        if let Some(hwm) = defaults.rcvhwm {
            socket.set_rcvhwm(hwm)?;
        }
        if let Some(ipv6) = defaults.ipv6 {
            socket.set_ipv6(ipv6)?;
        }
        Ok(socket)
    }

    /// The context this socket belongs to.
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// The raw `void *` socket, valid while this `Socket` lives.
    #[doc(alias = "as_mut_ptr")]
    #[inline]
    pub fn as_raw(&self) -> *mut c_void {
        self.raw.as_ptr()
    }

    /// Takes ownership of a raw socket.
    ///
    /// # Safety
    /// `raw` must be a live socket created in `ctx`'s libzmq context, not
    /// closed by anyone else afterwards, and not used concurrently elsewhere.
    pub unsafe fn from_raw(ctx: &Context, raw: *mut c_void) -> Result<Socket> {
        let raw = NonNull::new(raw).ok_or(Error::from(crate::ErrorKind::InvalidArgument))?;
        Socket::wrap(ctx.clone(), raw)
    }

    fn wrap(ctx: Context, raw: NonNull<c_void>) -> Result<Socket> {
        #[cfg(unix)]
        let mut socket = Socket {
            raw,
            fd: SocketFd::None,
            may_be_xsub: true,
            ctx,
        };
        #[cfg(not(unix))]
        let mut socket = Socket {
            raw,
            may_be_xsub: true,
            ctx,
        };
        socket.may_be_xsub = !matches!(socket.socket_type(), Ok(t) if t != SocketType::Xsub);
        #[cfg(unix)]
        {
            socket.fd = match socket.fd() {
                Ok(fd) => SocketFd::Zmq(fd),
                // Thread-safe (DRAFT) types have no ZMQ_FD.
                Err(_) => SocketFd::without_zmq_fd(&socket)?,
            };
        }
        Ok(socket)
    }

    /// Gives up ownership: the caller must `zmq_close` the socket. The context
    /// handle is returned too, since it must outlive the socket.
    pub fn into_raw(self) -> (*mut c_void, Context) {
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped; the Context is moved out once.
        let ctx = unsafe { std::ptr::read(&this.ctx) };
        // The socket may stay open: termination must never wait unbounded.
        ctx.note_raw_socket();
        // SAFETY: as above, for the fd holder (which may own a pipe).
        #[cfg(unix)]
        drop(unsafe { std::ptr::read(&this.fd) });
        (this.raw.as_ptr(), ctx)
    }

    /// Calls one of libzmq's `(socket, string)` functions (bind, connect,
    /// unbind, disconnect, join, leave).
    fn call_with_str(
        &self,
        f: unsafe extern "C" fn(*mut c_void, *const std::ffi::c_char) -> std::ffi::c_int,
        arg: &std::ffi::CStr,
    ) -> Result<()> {
        // SAFETY: a live socket and a NUL-terminated string that outlives the
        // call; `f` is a libzmq function that only reads the string.
        check(unsafe { f(self.as_raw(), arg.as_ptr()) }).map(drop)
    }

    /// Calls bind, connect, unbind or disconnect; a failure names the
    /// operation and the endpoint (an endpoint with a NUL byte is not shown).
    fn endpoint_call(
        &self,
        operation: &'static str,
        f: unsafe extern "C" fn(*mut c_void, *const std::ffi::c_char) -> std::ffi::c_int,
        endpoint: &str,
        port_checked: bool,
    ) -> Result<()> {
        let c = c_string(endpoint).map_err(|e| e.context(operation, "(endpoint)"))?;
        let result = if port_checked {
            check_port(endpoint).and_then(|()| self.call_with_str(f, &c))
        } else {
            self.call_with_str(f, &c)
        };
        result.map_err(|e| e.context(operation, endpoint.to_owned()))
    }

    /// Accepts connections on an endpoint: `tcp://127.0.0.1:5555`,
    /// `tcp://*:*` (any port: read it back with [`Socket::last_endpoint`]),
    /// `ipc:///tmp/x`, `inproc://name`...
    #[doc(alias = "zmq_bind")]
    pub fn bind(&self, endpoint: &str) -> Result<()> {
        self.endpoint_call("bind", zmq_sys::zmq_bind, endpoint, true)
    }

    /// Connects to an endpoint (asynchronously: the peer need not exist yet).
    #[doc(alias = "zmq_connect")]
    pub fn connect(&self, endpoint: &str) -> Result<()> {
        self.endpoint_call("connect", zmq_sys::zmq_connect, endpoint, true)
    }

    /// Stops accepting on an endpoint bound before (use the real endpoint
    /// from `last_endpoint` for wildcard binds).
    #[doc(alias = "zmq_unbind")]
    pub fn unbind(&self, endpoint: &str) -> Result<()> {
        self.endpoint_call("unbind", zmq_sys::zmq_unbind, endpoint, false)
    }

    /// Disconnects from an endpoint connected before.
    #[doc(alias = "zmq_disconnect")]
    pub fn disconnect(&self, endpoint: &str) -> Result<()> {
        self.endpoint_call("disconnect", zmq_sys::zmq_disconnect, endpoint, false)
    }

    // ---- sending -------------------------------------------------------
    //
    // Every common call takes no flag: `send`, `send_more` (more frames
    // follow), `send_multipart`; `try_send*` never block and hand the frame
    // back when they would; `send_timeout` waits at most a given time;
    // `send_with`/`send_msg_with` take raw flags.

    /// Sends a message frame: bytes, `&str`, `String`, `Vec<u8>` (zero-copy),
    /// a [`Message`], anything `Into<Message>`. Blocks while the socket
    /// cannot send (high-water mark, no peer yet), up to `ZMQ_SNDTIMEO`.
    ///
    /// On failure the frame is dropped; use [`Socket::try_send`] or
    /// [`Socket::send_msg`] to keep it.
    #[doc(alias = "zmq_msg_send")]
    #[inline]
    pub fn send(&self, data: impl Into<Message>) -> Result<()> {
        self.send_owned(data.into(), SendFlags::empty())
    }

    /// Sends a frame with more frames of the same message to follow
    /// (`ZMQ_SNDMORE`): the guide's `s_sendmore`.
    #[inline]
    pub fn send_more(&self, data: impl Into<Message>) -> Result<()> {
        self.send_owned(data.into(), SendFlags::SNDMORE)
    }

    /// Sends a frame with explicit flags ([`SendFlags::DONTWAIT`],
    /// [`SendFlags::SNDMORE`]).
    #[doc(alias = "zmq_msg_send")]
    #[inline]
    pub fn send_with(&self, data: impl Into<Message>, flags: SendFlags) -> Result<()> {
        self.send_owned(data.into(), flags)
    }

    /// Sends a frame the caller gives up. A successful send leaves it empty
    /// and marked so (its drop then makes no libzmq call); a failed one
    /// leaves it as it was, and dropping it releases the content.
    #[inline]
    fn send_owned(&self, mut msg: Message, flags: SendFlags) -> Result<()> {
        self.send_msg_with(&mut msg, flags)
    }

    /// Sends `msg`, leaving it empty on success and untouched on failure (so
    /// a frame refused because it would block can be sent again).
    #[doc(alias = "zmq_msg_send")]
    #[inline]
    pub fn send_msg(&self, msg: &mut Message) -> Result<()> {
        self.send_msg_with(msg, SendFlags::empty())
    }

    /// [`Socket::send_msg`] with explicit flags.
    #[doc(alias = "zmq_msg_send")]
    #[inline]
    pub fn send_msg_with(&self, msg: &mut Message, flags: SendFlags) -> Result<()> {
        // XSUB subscriptions: at most Socket::MAX_TOPIC_LEN (libzmq's trie).
        self.check_subscription_frame(msg)?;
        // SAFETY: live socket and initialised message; on success libzmq takes
        // the content and re-initialises `msg` empty, on failure leaves it.
        check(unsafe { zmq_sys::zmq_msg_send(msg.raw_for_io(), self.as_raw(), flags.bits()) })?;
        // Only now is the content libzmq's: a failed send (EAGAIN, EFSM...)
        // left read-only bytes read-only.
        msg.content_sent();
        Ok(())
    }

    /// Builds a frame of `len` bytes where it is sent and sends it: `write`
    /// fills it from the front (see [`FrameWriter`]; what it leaves
    /// unwritten is zeroed), as C's `zmq_msg_init_size` + `memcpy` +
    /// `zmq_msg_send`, with no [`Message`] moved or returned in between.
    /// If the send fails (`Again` with [`SendFlags::DONTWAIT`], ...) the
    /// frame is dropped: to keep it for a retry, build it with
    /// [`Message::from_writer`] and send it with [`Socket::send_msg_with`].
    ///
    /// ```
    /// use zmq::{Context, SendFlags, SocketType};
    /// let ctx = Context::new();
    /// let pull = ctx.socket(SocketType::Pull)?;
    /// pull.bind("inproc://send-from-writer-doc")?;
    /// let push = ctx.socket(SocketType::Push)?;
    /// push.connect("inproc://send-from-writer-doc")?;
    /// let record = [3u8; 4];
    /// push.send_from_writer(6, SendFlags::empty(), |w| {
    ///     w.put(b"r:");
    ///     w.put(&record);
    /// })?;
    /// assert_eq!(pull.recv_bytes()?, b"r:\x03\x03\x03\x03");
    /// # Ok::<(), zmq::Error>(())
    /// ```
    #[doc(alias = "zmq_msg_init_size")]
    #[inline]
    pub fn send_from_writer(
        &self,
        len: usize,
        flags: SendFlags,
        write: impl FnOnce(&mut FrameWriter<'_>),
    ) -> Result<()> {
        let mut slot = std::mem::MaybeUninit::<Message>::uninit();
        // SAFETY: `slot` is valid for writes; when `build_at` succeeds it
        // holds an initialised Message, used through a `&mut` and then
        // dropped exactly once (closed if the send failed; a sent one owns
        // nothing). Neither the send nor the drop can unwind in between.
        unsafe {
            Message::build_at(slot.as_mut_ptr(), len, write)?;
            let msg = &mut *slot.as_mut_ptr();
            let result = self.send_msg_with(msg, flags);
            std::ptr::drop_in_place(msg);
            result
        }
    }

    /// Sends without blocking. `Ok(None)`: sent. `Ok(Some(frame))`: the
    /// socket would have blocked, and here is the frame back (a `Vec` sent
    /// zero-copy comes back whole: [`Message::into_vec`]), to send later.
    ///
    /// ```
    /// use zmq::{Context, SocketType};
    /// let ctx = Context::new();
    /// let push = ctx.socket(SocketType::Push)?;
    /// push.bind("inproc://try-send-doc")?; // no peer yet: it would block
    /// let payload = vec![7u8; 1 << 20];
    /// let back = push.try_send(payload)?.expect("no peer, so it would block");
    /// assert_eq!(back.len(), 1 << 20);
    /// # Ok::<(), zmq::Error>(())
    /// ```
    pub fn try_send(&self, data: impl Into<Message>) -> Result<Option<Message>> {
        let mut msg = data.into();
        match self.send_msg_with(&mut msg, SendFlags::DONTWAIT) {
            Ok(()) => Ok(None),
            Err(e) if e.is_would_block() => Ok(Some(msg)),
            Err(e) => Err(e),
        }
    }

    /// [`Socket::try_send`] for the frame of a message with more to follow.
    pub fn try_send_more(&self, data: impl Into<Message>) -> Result<Option<Message>> {
        let mut msg = data.into();
        match self.send_msg_with(&mut msg, SendFlags::DONTWAIT | SendFlags::SNDMORE) {
            Ok(()) => Ok(None),
            Err(e) if e.is_would_block() => Ok(Some(msg)),
            Err(e) => Err(e),
        }
    }

    /// Sends the frames of a multipart message, each but the last with
    /// `SNDMORE`. libzmq delivers all of them or none; an empty iterator
    /// sends nothing.
    pub fn send_multipart<I>(&self, frames: I) -> Result<()>
    where
        I: IntoIterator,
        I::Item: Into<Message>,
    {
        self.send_multipart_with(frames, SendFlags::empty())
    }

    /// [`Socket::send_multipart`] without blocking. `Ok(None)`: sent.
    /// `Ok(Some(frames))`: the socket would have blocked, nothing was sent,
    /// and here are the frames back. (libzmq takes a message whole: once
    /// its first frame is accepted, so are the others.)
    pub fn try_send_multipart<I>(&self, frames: I) -> Result<Option<Multipart>>
    where
        I: IntoIterator,
        I::Item: Into<Message>,
    {
        let mut frames: Multipart = frames.into_iter().collect();
        let Some(mut first) = frames.pop_front() else {
            return Ok(None);
        };
        let flags = if frames.is_empty() {
            SendFlags::DONTWAIT
        } else {
            SendFlags::DONTWAIT | SendFlags::SNDMORE
        };
        match self.send_msg_with(&mut first, flags) {
            Ok(()) => self.send_multipart(frames).map(|()| None),
            Err(e) if e.is_would_block() => {
                frames.push_front(first);
                Ok(Some(frames))
            }
            Err(e) => Err(e),
        }
    }

    /// [`Socket::send_multipart`] with explicit flags for every frame (with
    /// `DONTWAIT`, only the first frame can be refused: libzmq then takes
    /// the rest).
    pub fn send_multipart_with<I>(&self, frames: I, flags: SendFlags) -> Result<()>
    where
        I: IntoIterator,
        I::Item: Into<Message>,
    {
        let mut frames = frames.into_iter().peekable();
        while let Some(frame) = frames.next() {
            let more = if frames.peek().is_some() {
                SendFlags::SNDMORE
            } else {
                SendFlags::empty()
            };
            self.send_with(frame, flags | more)?;
        }
        Ok(())
    }

    // ---- receiving -----------------------------------------------------
    //
    // `recv*` block (up to `ZMQ_RCVTIMEO`); each has a `try_recv*` twin that
    // never blocks and gives `Ok(None)` when nothing is there.

    /// Receives into `msg`, leaving it as it was on any failure. libzmq
    /// does not: when nothing is there its fair queue closes the message it
    /// was given and re-initialises it empty (EAGAIN), which would lose the
    /// caller's content and free the `Vec` a `Message::from(Vec)` still
    /// refers to. So a message that holds anything receives through a fresh
    /// one, which replaces it only on success; a pristine one (empty, as
    /// `Message::new` makes it) receives directly, having nothing to lose.
    #[inline(always)]
    fn recv_raw(&self, msg: &mut Message, flags: i32) -> Result<()> {
        if msg.is_pristine() {
            return self.recv_pristine(msg, flags);
        }
        let mut fresh = std::mem::MaybeUninit::<zmq_sys::zmq_msg_t>::uninit();
        // SAFETY: zmq_msg_init initialises `fresh` (it cannot fail); the
        // socket is live. On failure libzmq leaves `fresh` empty, owning
        // nothing (untouched, or closed and re-initialised), so it is not
        // closed, and `msg` was not touched. On success it holds the frame,
        // which `replace_content` moves into `msg` (releasing the old
        // content only now): closed exactly once, by `msg`.
        unsafe {
            zmq_sys::zmq_msg_init(fresh.as_mut_ptr());
            check(zmq_sys::zmq_msg_recv(
                fresh.as_mut_ptr(),
                self.as_raw(),
                flags,
            ))?;
            msg.replace_content(fresh.assume_init());
        }
        Ok(())
    }

    #[inline]
    fn recv_pristine(&self, msg: &mut Message, flags: i32) -> Result<()> {
        debug_assert!(msg.is_pristine());
        // SAFETY: live socket and an initialised, pristine message. On
        // success libzmq stores the frame in it; on failure it leaves it
        // empty as it was (untouched, or closed and re-initialised: the
        // same state, still pristine).
        check(unsafe { zmq_sys::zmq_msg_recv(msg.raw_for_io(), self.as_raw(), flags) })?;
        msg.content_replaced();
        Ok(())
    }

    /// Receives a frame into `msg`, replacing its content (no allocation when
    /// the frame is small; reuse one `Message` in a loop). On failure `msg`
    /// is left as it was.
    #[doc(alias = "zmq_msg_recv")]
    #[inline]
    pub fn recv(&self, msg: &mut Message) -> Result<()> {
        self.recv_raw(msg, 0)
    }

    /// [`Socket::recv`] without blocking: `Ok(false)` when nothing is there
    /// (`msg` is left as it was).
    #[inline]
    pub fn try_recv(&self, msg: &mut Message) -> Result<bool> {
        match self.recv_raw(msg, zmq_sys::ZMQ_DONTWAIT) {
            Ok(()) => Ok(true),
            Err(e) if e.is_would_block() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Receives a frame as a new [`Message`].
    #[inline]
    pub fn recv_msg(&self) -> Result<Message> {
        let mut msg = Message::new();
        self.recv(&mut msg)?;
        Ok(msg)
    }

    /// [`Socket::recv_msg`] without blocking: `Ok(None)` when nothing is there.
    pub fn try_recv_msg(&self) -> Result<Option<Message>> {
        let mut msg = Message::new();
        Ok(self.try_recv(&mut msg)?.then_some(msg))
    }

    /// Receives a frame as bytes.
    pub fn recv_bytes(&self) -> Result<Vec<u8>> {
        self.recv_msg().map(Vec::from)
    }

    /// [`Socket::recv_bytes`] without blocking: `Ok(None)` when nothing is there.
    pub fn try_recv_bytes(&self) -> Result<Option<Vec<u8>>> {
        Ok(self.try_recv_msg()?.map(Vec::from))
    }

    /// Receives a frame as a `String`; invalid UTF-8 gives
    /// [`ErrorKind::InvalidUtf8`](crate::ErrorKind::InvalidUtf8), and
    /// [`Error::into_utf8_bytes`] hands the bytes back.
    pub fn recv_string(&self) -> Result<String> {
        Ok(String::from_utf8(self.recv_bytes()?)?)
    }

    /// [`Socket::recv_string`] without blocking: `Ok(None)` when nothing is there.
    pub fn try_recv_string(&self) -> Result<Option<String>> {
        match self.try_recv_bytes()? {
            Some(bytes) => Ok(Some(String::from_utf8(bytes)?)),
            None => Ok(None),
        }
    }

    /// Through a message, not `zmq_recv`: `zmq_recv` reports at most
    /// `INT_MAX`, so a frame of 2 GiB or more would come back with a size of
    /// `i32::MAX`, neither whole nor reported truncated. A message's size is
    /// exact, and the copy is the one `zmq_recv` makes inside.
    #[inline]
    fn recv_into_raw(&self, buf: &mut [u8], flags: i32) -> Result<RecvSize> {
        let mut msg = Message::new();
        self.recv_pristine(&mut msg, flags)?;
        let untruncated_size = msg.len();
        let size = untruncated_size.min(buf.len());
        // Both are at least `size` long.
        if let (Some(to), Some(from)) = (buf.get_mut(..size), msg.get(..size)) {
            to.copy_from_slice(from);
        }
        Ok(RecvSize {
            size,
            untruncated_size,
        })
    }

    /// Receives a frame into `buf`, reporting its real size: the rest of a
    /// longer frame is lost, and [`RecvSize::truncated`] says so.
    #[doc(alias = "zmq_recv")]
    #[inline]
    pub fn recv_into(&self, buf: &mut [u8]) -> Result<RecvSize> {
        self.recv_into_raw(buf, 0)
    }

    /// [`Socket::recv_into`] without blocking: `Ok(None)` when nothing is there.
    pub fn try_recv_into(&self, buf: &mut [u8]) -> Result<Option<RecvSize>> {
        crate::WouldBlock::would_block(self.recv_into_raw(buf, zmq_sys::ZMQ_DONTWAIT))
    }

    /// Receives all frames of a multipart message, without copying them.
    pub fn recv_multipart(&self) -> Result<Multipart> {
        let mut frames = Multipart::new();
        self.recv_multipart_into(&mut frames)?;
        Ok(frames)
    }

    /// [`Socket::recv_multipart`] without blocking: `Ok(None)` when nothing is there.
    pub fn try_recv_multipart(&self) -> Result<Option<Multipart>> {
        let mut frames = Multipart::new();
        Ok(self.try_recv_multipart_into(&mut frames)?.then_some(frames))
    }

    /// Receives all frames of a multipart message into `frames` (cleared
    /// first), reusing its allocation.
    pub fn recv_multipart_into(&self, frames: &mut Multipart) -> Result<()> {
        frames.as_mut_vec().clear();
        self.recv_rest(frames, Message::new())
    }

    /// [`Socket::recv_multipart_into`] without blocking: `Ok(false)` when
    /// nothing is there (`frames` is then empty).
    pub fn try_recv_multipart_into(&self, frames: &mut Multipart) -> Result<bool> {
        frames.as_mut_vec().clear();
        let mut first = Message::new();
        if !self.try_recv(&mut first)? {
            return Ok(false);
        }
        frames.push_back(first);
        self.recv_rest(frames, Message::new()).map(|()| true)
    }

    /// Receives frames until the last one of the message. Once the first
    /// frame of a message has arrived the others are there too (libzmq
    /// delivers messages whole), so these receives never wait.
    fn recv_rest(&self, frames: &mut Multipart, mut msg: Message) -> Result<()> {
        loop {
            if frames.last().is_some_and(|m| !m.more()) {
                return Ok(());
            }
            self.recv(&mut msg)?;
            frames.push_back(std::mem::take(&mut msg));
        }
    }

    // ---- waiting -------------------------------------------------------

    /// Waits until the socket can do one of `events` ([`PollEvents::POLLIN`]:
    /// receive, [`PollEvents::POLLOUT`]: send) without blocking, at most
    /// `timeout` (`None`: as long as it takes). Returns the events that are
    /// ready, empty when the time ran out (pyzmq's `socket.poll`).
    ///
    /// ```
    /// use std::time::Duration;
    /// use zmq::{Context, PollEvents, SocketType};
    /// let ctx = Context::new();
    /// let pull = ctx.socket(SocketType::Pull)?;
    /// pull.bind("inproc://socket-poll-doc")?;
    /// let ready = pull.poll(PollEvents::POLLIN, Some(Duration::from_millis(10)))?;
    /// assert!(ready.is_empty());
    /// # Ok::<(), zmq::Error>(())
    /// ```
    #[doc(alias = "zmq_poll")]
    pub fn poll(&self, events: PollEvents, timeout: Option<Duration>) -> Result<PollEvents> {
        let mut items = [crate::PollItem::socket(self, events)];
        crate::poll(&mut items, timeout)?;
        Ok(items[0].revents())
    }

    /// Tries `attempt` (a non-blocking call) until it gives a value or
    /// `timeout` has passed, waiting for `events` in between.
    fn within<T>(
        &self,
        events: PollEvents,
        timeout: Duration,
        mut attempt: impl FnMut() -> Result<Option<T>>,
    ) -> Result<Option<T>> {
        // Past what `Instant` holds (`Duration::MAX`): no deadline at all.
        let deadline = crate::duration::Deadline::after(Some(timeout));
        loop {
            if let Some(value) = attempt()? {
                return Ok(Some(value));
            }
            if deadline.passed() {
                return Ok(None);
            }
            self.poll(events, deadline.remaining())?;
        }
    }

    /// Receives a frame, waiting at most `timeout`: `Ok(None)` when none
    /// came in time. The socket's own `ZMQ_RCVTIMEO` is neither used nor
    /// changed.
    pub fn recv_msg_timeout(&self, timeout: Duration) -> Result<Option<Message>> {
        self.within(PollEvents::POLLIN, timeout, || self.try_recv_msg())
    }

    /// [`Socket::recv_bytes`], waiting at most `timeout`: `Ok(None)` when
    /// nothing came in time.
    pub fn recv_bytes_timeout(&self, timeout: Duration) -> Result<Option<Vec<u8>>> {
        self.within(PollEvents::POLLIN, timeout, || self.try_recv_bytes())
    }

    /// [`Socket::recv_string`], waiting at most `timeout`: `Ok(None)` when
    /// nothing came in time.
    pub fn recv_string_timeout(&self, timeout: Duration) -> Result<Option<String>> {
        self.within(PollEvents::POLLIN, timeout, || self.try_recv_string())
    }

    /// [`Socket::recv_multipart`], waiting at most `timeout`: `Ok(None)`
    /// when nothing came in time.
    pub fn recv_multipart_timeout(&self, timeout: Duration) -> Result<Option<Multipart>> {
        self.within(PollEvents::POLLIN, timeout, || self.try_recv_multipart())
    }

    /// Sends a frame, waiting at most `timeout` for the socket to take it.
    /// `Ok(None)`: sent. `Ok(Some(frame))`: the time ran out, and here is
    /// the frame back. The socket's own `ZMQ_SNDTIMEO` is neither used nor
    /// changed.
    pub fn send_timeout(
        &self,
        data: impl Into<Message>,
        timeout: Duration,
    ) -> Result<Option<Message>> {
        let mut msg = Some(data.into());
        let sent = self.within(PollEvents::POLLOUT, timeout, || {
            let frame = msg.take().unwrap_or_default();
            match self.try_send(frame)? {
                None => Ok(Some(())),
                Some(back) => {
                    msg = Some(back);
                    Ok(None)
                }
            }
        })?;
        Ok(if sent.is_some() { None } else { msg })
    }

    /// The events of a thread-safe socket's readiness poller; `None` for
    /// a classic socket, which has `ZMQ_EVENTS`.
    pub(crate) fn poller_events(&self) -> Option<Result<PollEvents>> {
        #[cfg(all(unix, feature = "draft"))]
        if let SocketFd::Poller(poller) = &self.fd {
            return Some(poller.events());
        }
        None
    }
}

#[cfg(unix)]
enum SocketFd {
    /// Only while the socket is being built or closed.
    None,
    Zmq(std::os::fd::RawFd),
    /// A thread-safe (DRAFT) socket: the descriptor of a `zmq_poller` that
    /// watches it, as pyzmq does.
    #[cfg(feature = "draft")]
    Poller(ReadinessPoller),
    /// No readiness descriptor can be had (a thread-safe socket in a build
    /// without the DRAFT poller): a pipe whose write end stays open, so the
    /// read end never becomes readable and never reports a hang-up.
    Never {
        read: std::os::fd::OwnedFd,
        _write: std::os::fd::OwnedFd,
    },
}

#[cfg(unix)]
impl SocketFd {
    fn without_zmq_fd(socket: &Socket) -> Result<SocketFd> {
        #[cfg(feature = "draft")]
        if let Ok(poller) = ReadinessPoller::new(socket) {
            return Ok(SocketFd::Poller(poller));
        }
        let _ = socket;
        let (read, write) =
            std::io::pipe().map_err(|_| Error::from(crate::ErrorKind::TooManySockets))?;
        Ok(SocketFd::Never {
            read: read.into(),
            _write: write.into(),
        })
    }
}

/// A `zmq_poller` watching one thread-safe socket: its descriptor becomes
/// readable when the socket's readiness may have changed (edge-triggered,
/// as `ZMQ_FD`), and each `events()` call consumes one such wake-up.
#[cfg(all(unix, feature = "draft"))]
struct ReadinessPoller {
    /// The poller; the mutex serialises `zmq_poller_wait_all`, which is not
    /// thread-safe, between threads sharing a `ThreadSafeSocket`.
    poller: std::sync::Mutex<PollerPtr>,
    fd: std::os::fd::RawFd,
}

#[cfg(all(unix, feature = "draft"))]
struct PollerPtr(NonNull<c_void>);

// SAFETY: a zmq_poller may be used from any thread, one thread at a time,
// which the Mutex around it guarantees.
#[cfg(all(unix, feature = "draft"))]
unsafe impl Send for PollerPtr {}

#[cfg(all(unix, feature = "draft"))]
impl ReadinessPoller {
    fn new(socket: &Socket) -> Result<ReadinessPoller> {
        // SAFETY: zmq_poller_new has no preconditions; NULL means failure.
        let poller = check_ptr(unsafe { zmq_sys::zmq_poller_new() })?;
        // Owned from here on: Drop destroys it on every path below.
        let mut this = ReadinessPoller {
            poller: std::sync::Mutex::new(PollerPtr(poller)),
            fd: -1,
        };
        let events = (zmq_sys::ZMQ_POLLIN | zmq_sys::ZMQ_POLLOUT) as i16;
        // SAFETY: live poller and live socket; the poller is destroyed before
        // the socket is closed (Socket::drop drops the fd holder first).
        check(unsafe {
            zmq_sys::zmq_poller_add(
                poller.as_ptr(),
                socket.as_raw(),
                std::ptr::null_mut(),
                events,
            )
        })?;
        let mut fd: zmq_sys::zmq_fd_t = -1;
        // SAFETY: live poller; libzmq writes one descriptor. It fails (EINVAL)
        // unless a thread-safe socket was added.
        check(unsafe { zmq_sys::zmq_poller_fd(poller.as_ptr(), &mut fd) })?;
        this.fd = fd;
        Ok(this)
    }

    fn events(&self) -> Result<PollEvents> {
        let poller = self
            .poller
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // SAFETY: zmq_poller_event_t is plain data; all zeroes is valid.
        let mut event: zmq_sys::zmq_poller_event_t = unsafe { std::mem::zeroed() };
        // SAFETY: live poller (we hold its lock), room for one event, and a
        // zero timeout: the call never blocks.
        let rc = unsafe { zmq_sys::zmq_poller_wait_all(poller.0.as_ptr(), &mut event, 1, 0) };
        match check(rc) {
            Ok(_) => Ok(PollEvents::from_bits_truncate(event.events)),
            Err(ref e) if e.kind() == crate::ErrorKind::Again => Ok(PollEvents::empty()),
            Err(e) => Err(e),
        }
    }
}

#[cfg(all(unix, feature = "draft"))]
impl Drop for ReadinessPoller {
    fn drop(&mut self) {
        let mut raw = self
            .poller
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .0
            .as_ptr();
        // SAFETY: the poller is live and destroyed only here, while the
        // socket it watches is still open.
        unsafe { zmq_sys::zmq_poller_destroy(&mut raw) };
    }
}

#[cfg(unix)]
impl std::os::fd::AsRawFd for Socket {
    /// The socket's `ZMQ_FD`: readable when `events()` may have changed. It
    /// signals edges, not levels: always check [`Socket::events`] after it
    /// wakes, and read until that says there is nothing more. A thread-safe
    /// (DRAFT) socket hands out the descriptor of a poller watching it, with
    /// the same rule (pyzmq does the same); in a build without the DRAFT API
    /// such a socket (only possible through `from_raw`) gets a descriptor
    /// that never becomes readable.
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        match &self.fd {
            SocketFd::None => -1,
            SocketFd::Zmq(fd) => *fd,
            #[cfg(feature = "draft")]
            SocketFd::Poller(poller) => poller.fd,
            SocketFd::Never { read, .. } => read.as_raw_fd(),
        }
    }
}

#[cfg(unix)]
impl std::os::fd::AsFd for Socket {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        match &self.fd {
            SocketFd::Never { read, .. } => read.as_fd(),
            // SAFETY: ZMQ_FD (or the readiness poller's descriptor) is a valid
            // descriptor owned by the socket (or its poller), open until the
            // socket is closed, which cannot happen while `&self` is
            // borrowed. `None` exists only inside `wrap` and `drop`, never here.
            _ => unsafe {
                std::os::fd::BorrowedFd::borrow_raw(std::os::fd::AsRawFd::as_raw_fd(self))
            },
        }
    }
}

/// A socket of a thread-safe type (SERVER, CLIENT, RADIO, DISH, GATHER,
/// SCATTER, PEER, CHANNEL; DRAFT API), which may be used from several threads
/// at once: it is `Sync`, and derefs to [`Socket`] for the whole API.
///
/// Made by [`Socket::into_thread_safe`], which asks libzmq itself
/// (`ZMQ_THREAD_SAFE`) rather than trusting a list of types. These types
/// accept only single-frame messages: `SNDMORE` gives an error, not a panic.
#[cfg(feature = "draft")]
#[derive(Debug)]
pub struct ThreadSafeSocket(Socket);

// SAFETY: libzmq's thread-safe socket types serialise every operation on the
// socket (send, receive, options, bind/connect, close) with an internal mutex
// (`socket_base_t::_sync`, taken whenever `_thread_safe` is set), so
// concurrent calls through `&Socket` from several threads are allowed. The
// Rust-side fields (`ctx`: an Arc; `fd`: written only at creation and
// close, its readiness poller used only under its mutex) are themselves safe
// to share. `into_thread_safe` admits only sockets for which
// libzmq reports ZMQ_THREAD_SAFE = 1.
#[cfg(feature = "draft")]
unsafe impl Sync for ThreadSafeSocket {}

#[cfg(feature = "draft")]
impl std::ops::Deref for ThreadSafeSocket {
    type Target = Socket;
    fn deref(&self) -> &Socket {
        &self.0
    }
}

#[cfg(feature = "draft")]
impl ThreadSafeSocket {
    /// Back to a plain (`Send`, not `Sync`) socket.
    pub fn into_inner(self) -> Socket {
        self.0
    }
}

#[cfg(feature = "draft")]
impl Socket {
    /// Joins a group on a DISH socket (DRAFT); at most 255 bytes, no NUL.
    #[doc(alias = "zmq_join")]
    pub fn join(&self, group: &str) -> Result<()> {
        self.call_with_str(zmq_sys::zmq_join, &group_name(group)?)
    }

    /// Leaves a group on a DISH socket (DRAFT).
    #[doc(alias = "zmq_leave")]
    pub fn leave(&self, group: &str) -> Result<()> {
        self.call_with_str(zmq_sys::zmq_leave, &group_name(group)?)
    }

    /// Connects a PEER socket and returns the routing id that addresses the
    /// new peer (DRAFT).
    #[doc(alias = "zmq_connect_peer")]
    pub fn connect_peer(&self, endpoint: &str) -> Result<u32> {
        let c = c_string(endpoint)?;
        // SAFETY: live socket, NUL-terminated endpoint; 0 means failure.
        let id = unsafe { zmq_sys::zmq_connect_peer(self.as_raw(), c.as_ptr()) };
        if id == 0 {
            check(-1)?;
        }
        Ok(id)
    }

    /// Turns a socket of a thread-safe type into a shareable
    /// [`ThreadSafeSocket`]; any other socket comes back as `Err(self)`.
    pub fn into_thread_safe(self) -> std::result::Result<ThreadSafeSocket, Socket> {
        match self.thread_safe() {
            Ok(true) => Ok(ThreadSafeSocket(self)),
            _ => Err(self),
        }
    }
}
