//! Typed socket options, from one declarative table.
//!
//! Each row of [`sockopts!`] names the C constant once, with its Rust name,
//! value codec and direction; the getter and/or setter are generated from it,
//! so a get-only option has no setter and a set-only option has no getter at
//! compile time. The codecs turn libzmq's raw ints and buffers into Rust types.

use std::ffi::{c_int, c_void};
use std::time::Duration;

use crate::error::{check, Error, Result};
use crate::socket::Socket;

impl Socket {
    pub(crate) fn getsockopt_raw(&self, option: c_int, buf: &mut [u8]) -> Result<usize> {
        let mut len = buf.len();
        // SAFETY: live socket; libzmq writes at most `len` bytes into `buf`
        // and stores the real length in `len`.
        check(unsafe {
            zmq_sys::zmq_getsockopt(self.as_raw(), option, buf.as_mut_ptr().cast(), &mut len)
        })?;
        Ok(len)
    }

    pub(crate) fn setsockopt_raw(&self, option: c_int, value: &[u8]) -> Result<()> {
        // SAFETY: live socket; libzmq reads exactly `value.len()` bytes.
        check(unsafe {
            zmq_sys::zmq_setsockopt(
                self.as_raw(),
                option,
                value.as_ptr() as *const c_void,
                value.len(),
            )
        })
        .map(drop)
    }
}

/// How one option's value travels between Rust and libzmq.
pub(crate) trait Codec {
    /// What the getter returns.
    type Get;
    /// What the setter takes.
    type Set<'a>;
    fn get(socket: &Socket, option: c_int) -> Result<Self::Get>;
    fn set(socket: &Socket, option: c_int, value: Self::Set<'_>) -> Result<()>;
}

/// A C `int`.
pub(crate) struct Int;
/// A C `int` that must not be negative.
pub(crate) struct NonNegInt;
/// A C `int` used as 0/1.
pub(crate) struct Bool;
/// An `int64_t`.
pub(crate) struct Int64;
/// A `uint64_t`.
pub(crate) struct Uint64;
/// Milliseconds in a C `int`, -1 meaning infinite / none.
pub(crate) struct Millis;
/// Milliseconds in a C `int`, 0 meaning none/disabled, never negative.
pub(crate) struct MillisZeroNone;
/// A binary value (routing id, subscription prefix...).
pub(crate) struct Bytes;
/// A NUL-terminated string.
pub(crate) struct Str;

fn get_int(socket: &Socket, option: c_int) -> Result<i32> {
    let mut buf = [0u8; 4];
    let n = socket.getsockopt_raw(option, &mut buf)?;
    if n != 4 {
        return Err(Error::InvalidArgument);
    }
    Ok(i32::from_ne_bytes(buf))
}

impl Codec for Int {
    type Get = i32;
    type Set<'a> = i32;
    fn get(socket: &Socket, option: c_int) -> Result<i32> {
        get_int(socket, option)
    }
    fn set(socket: &Socket, option: c_int, value: i32) -> Result<()> {
        socket.setsockopt_raw(option, &value.to_ne_bytes())
    }
}

impl Codec for NonNegInt {
    type Get = i32;
    type Set<'a> = i32;
    fn get(socket: &Socket, option: c_int) -> Result<i32> {
        get_int(socket, option)
    }
    fn set(socket: &Socket, option: c_int, value: i32) -> Result<()> {
        if value < 0 {
            return Err(Error::InvalidArgument);
        }
        socket.setsockopt_raw(option, &value.to_ne_bytes())
    }
}

impl Codec for Bool {
    type Get = bool;
    type Set<'a> = bool;
    fn get(socket: &Socket, option: c_int) -> Result<bool> {
        get_int(socket, option).map(|v| v != 0)
    }
    fn set(socket: &Socket, option: c_int, value: bool) -> Result<()> {
        socket.setsockopt_raw(option, &i32::from(value).to_ne_bytes())
    }
}

impl Codec for Int64 {
    type Get = i64;
    type Set<'a> = i64;
    fn get(socket: &Socket, option: c_int) -> Result<i64> {
        let mut buf = [0u8; 8];
        socket.getsockopt_raw(option, &mut buf)?;
        Ok(i64::from_ne_bytes(buf))
    }
    fn set(socket: &Socket, option: c_int, value: i64) -> Result<()> {
        socket.setsockopt_raw(option, &value.to_ne_bytes())
    }
}

impl Codec for Uint64 {
    type Get = u64;
    type Set<'a> = u64;
    fn get(socket: &Socket, option: c_int) -> Result<u64> {
        let mut buf = [0u8; 8];
        socket.getsockopt_raw(option, &mut buf)?;
        Ok(u64::from_ne_bytes(buf))
    }
    fn set(socket: &Socket, option: c_int, value: u64) -> Result<()> {
        socket.setsockopt_raw(option, &value.to_ne_bytes())
    }
}

fn millis(d: Duration) -> Result<i32> {
    i32::try_from(d.as_millis()).map_err(|_| Error::InvalidArgument)
}

impl Codec for Millis {
    type Get = Option<Duration>;
    type Set<'a> = Option<Duration>;
    fn get(socket: &Socket, option: c_int) -> Result<Option<Duration>> {
        let ms = get_int(socket, option)?;
        Ok(u64::try_from(ms).ok().map(Duration::from_millis))
    }
    fn set(socket: &Socket, option: c_int, value: Option<Duration>) -> Result<()> {
        let ms = value.map_or(Ok(-1), millis)?;
        socket.setsockopt_raw(option, &ms.to_ne_bytes())
    }
}

impl Codec for MillisZeroNone {
    type Get = Option<Duration>;
    type Set<'a> = Option<Duration>;
    fn get(socket: &Socket, option: c_int) -> Result<Option<Duration>> {
        let ms = get_int(socket, option)?;
        Ok(u64::try_from(ms)
            .ok()
            .filter(|&ms| ms > 0)
            .map(Duration::from_millis))
    }
    fn set(socket: &Socket, option: c_int, value: Option<Duration>) -> Result<()> {
        let ms = value.map_or(Ok(0), millis)?;
        socket.setsockopt_raw(option, &ms.to_ne_bytes())
    }
}

impl Codec for Bytes {
    type Get = Vec<u8>;
    type Set<'a> = &'a [u8];
    fn get(socket: &Socket, option: c_int) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; 256];
        let n = socket.getsockopt_raw(option, &mut buf)?;
        buf.truncate(n);
        Ok(buf)
    }
    fn set(socket: &Socket, option: c_int, value: &[u8]) -> Result<()> {
        socket.setsockopt_raw(option, value)
    }
}

impl Codec for Str {
    type Get = String;
    type Set<'a> = &'a str;
    fn get(socket: &Socket, option: c_int) -> Result<String> {
        // Endpoints and names fit easily; libzmq reports EINVAL if not.
        let mut buf = vec![0u8; 1024];
        let n = socket.getsockopt_raw(option, &mut buf)?;
        buf.truncate(n);
        if buf.last() == Some(&0) {
            buf.pop();
        }
        Ok(String::from_utf8(buf)?)
    }
    fn set(socket: &Socket, option: c_int, value: &str) -> Result<()> {
        if value.contains('\0') {
            return Err(Error::NulByte(value.to_owned()));
        }
        socket.setsockopt_raw(option, value.as_bytes())
    }
}

/// The Rust type a codec's getter returns (spelled out so rustdoc shows it).
macro_rules! get_ty {
    (Int) => { i32 };
    (NonNegInt) => { i32 };
    (Bool) => { bool };
    (Int64) => { i64 };
    (Uint64) => { u64 };
    (Millis) => { Option<Duration> };
    (MillisZeroNone) => { Option<Duration> };
    (Bytes) => { Vec<u8> };
    (Str) => { String };
}

/// The Rust type a codec's setter takes.
macro_rules! set_ty {
    (Int) => { i32 };
    (NonNegInt) => { i32 };
    (Bool) => { bool };
    (Int64) => { i64 };
    (Uint64) => { u64 };
    (Millis) => { Option<Duration> };
    (MillisZeroNone) => { Option<Duration> };
    (Bytes) => { &[u8] };
    (Str) => { &str };
}

/// One row per option: `[doc] C_NAME => getter / setter: Codec;` with `-` for
/// a direction the option does not have.
macro_rules! sockopts {
    ($(
        $(#[$doc:meta])*
        $c:ident $alias:literal => $get:tt / $set:tt : $codec:ident;
    )*) => {
        $( crate::const_str_eq!(stringify!($c), $alias); )*

        impl Socket {
            $(
                sockopts!(@get $get $c $alias $codec $(#[$doc])*);
                sockopts!(@set $set $c $alias $codec $(#[$doc])*);
            )*
        }
    };
    (@get - $($rest:tt)*) => {};
    (@get $get:ident $c:ident $alias:literal $codec:ident $(#[$doc:meta])*) => {
        $(#[$doc])*
        #[doc(alias = $alias)]
        pub fn $get(&self) -> Result<get_ty!($codec)> {
            <$codec as Codec>::get(self, zmq_sys::$c as c_int)
        }
    };
    (@set - $($rest:tt)*) => {};
    (@set $set:ident $c:ident $alias:literal $codec:ident $(#[$doc:meta])*) => {
        $(#[$doc])*
        #[doc(alias = $alias)]
        pub fn $set(&self, value: set_ty!($codec)) -> Result<()> {
            <$codec as Codec>::set(self, zmq_sys::$c as c_int, value)
        }
    };
}

sockopts! {
    /// Whether more frames of the last received message follow. All types.
    ZMQ_RCVMORE "ZMQ_RCVMORE" => rcvmore / - : Bool;
    /// Readiness flags as raw bits; see [`Socket::events`]. All types.
    ZMQ_EVENTS "ZMQ_EVENTS" => raw_events / - : Int;
    /// The file descriptor signalling readiness changes. Classic types.
    ZMQ_FD "ZMQ_FD" => fd / - : Int;
    /// The last endpoint bound or connected, with the real port of a
    /// wildcard bind. All types.
    ZMQ_LAST_ENDPOINT "ZMQ_LAST_ENDPOINT" => last_endpoint / - : Str;
    /// Whether the socket type is thread-safe (DRAFT types). All types.
    ZMQ_THREAD_SAFE "ZMQ_THREAD_SAFE" => thread_safe / - : Bool;
    /// How long unsent messages linger after close; `None` = forever.
    /// Default for this crate: [`crate::DEFAULT_LINGER`]. All types.
    ZMQ_LINGER "ZMQ_LINGER" => linger / set_linger_opt : Millis;
    /// Send high-water mark, in messages (0 = none; default 1000). All types.
    ZMQ_SNDHWM "ZMQ_SNDHWM" => sndhwm / set_sndhwm : NonNegInt;
    /// Receive high-water mark, in messages (0 = none; default 1000). All types.
    ZMQ_RCVHWM "ZMQ_RCVHWM" => rcvhwm / set_rcvhwm : NonNegInt;
    /// Receive timeout; `None` = block forever (default). All types.
    ZMQ_RCVTIMEO "ZMQ_RCVTIMEO" => rcvtimeo / set_rcvtimeo : Millis;
    /// Send timeout; `None` = block forever (default). All types.
    ZMQ_SNDTIMEO "ZMQ_SNDTIMEO" => sndtimeo / set_sndtimeo : Millis;
    /// Subscribes to messages starting with a prefix (empty = all). SUB.
    ZMQ_SUBSCRIBE "ZMQ_SUBSCRIBE" => - / set_subscribe : Bytes;
    /// Removes a subscription. SUB.
    ZMQ_UNSUBSCRIBE "ZMQ_UNSUBSCRIBE" => - / set_unsubscribe : Bytes;
    /// The socket's routing id (1-255 bytes, not starting with 0).
    /// REQ, DEALER, ROUTER.
    ZMQ_ROUTING_ID "ZMQ_ROUTING_ID" => routing_id / set_routing_id : Bytes;
    /// IPv6 on this socket (default false). tcp sockets.
    ZMQ_IPV6 "ZMQ_IPV6" => ipv6 / set_ipv6 : Bool;
    /// Queue messages only to completed connections (default false). All types.
    ZMQ_IMMEDIATE "ZMQ_IMMEDIATE" => immediate / set_immediate : Bool;
    /// Largest inbound message in bytes; -1 = no limit (default). All types.
    ZMQ_MAXMSGSIZE "ZMQ_MAXMSGSIZE" => maxmsgsize / set_maxmsgsize : Int64;
    /// I/O threads (bitmask) used by new connections (default 0 = any). All types.
    ZMQ_AFFINITY "ZMQ_AFFINITY" => affinity / set_affinity : Uint64;
    /// Longest time a connection's handshake may take; `None` = no limit
    /// (default 30 s). All connection-oriented types.
    ZMQ_HANDSHAKE_IVL "ZMQ_HANDSHAKE_IVL" => handshake_ivl / set_handshake_ivl : MillisZeroNone;
    /// Report unroutable messages as `HostUnreachable` (default false). ROUTER.
    ZMQ_ROUTER_MANDATORY "ZMQ_ROUTER_MANDATORY" => - / set_router_mandatory : Bool;
}

impl Socket {
    /// The socket's type (`ZMQ_TYPE`).
    #[doc(alias = "ZMQ_TYPE")]
    pub fn socket_type(&self) -> Result<crate::SocketType> {
        let raw = get_int(self, zmq_sys::ZMQ_TYPE as c_int)?;
        crate::SocketType::from_raw(raw).ok_or(Error::Other(libc::EINVAL))
    }
}
