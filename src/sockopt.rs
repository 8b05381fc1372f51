//! Typed socket options, from one declarative table.
//!
//! Each row of [`sockopts!`] names the C constant once, with its Rust name,
//! value codec and direction; the getter and/or setter are generated from it,
//! so a get-only option has no setter and a set-only option has no getter at
//! compile time. The codecs turn libzmq's raw ints and buffers into Rust types
//! and reject out-of-range values with [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument) before
//! libzmq sees them.
//!
//! The table covers every socket option of libzmq 4.3.5's `zmq.h` (the DRAFT
//! ones behind the `draft` feature). Directions follow libzmq's *source*
//! (`options.cpp` and the per-type `xsetsockopt`/`xgetsockopt` overrides)
//! where it disagrees with the manual; such rows say so.
//!
//! Left out on purpose, as deprecated aliases of options in the table or
//! superseded by them (`tests/sockopt.rs` lists them too):
//! - `ZMQ_IDENTITY` (= `ZMQ_ROUTING_ID`), `ZMQ_CONNECT_RID`
//!   (= `ZMQ_CONNECT_ROUTING_ID`), `ZMQ_DELAY_ATTACH_ON_CONNECT`
//!   (= `ZMQ_IMMEDIATE`), `ZMQ_FAIL_UNROUTABLE` and `ZMQ_ROUTER_BEHAVIOR`
//!   (= `ZMQ_ROUTER_MANDATORY`): same numbers, older names.
//! - `ZMQ_IPV4ONLY`: replaced by `ZMQ_IPV6` (its inverse).
//! - `ZMQ_TCP_ACCEPT_FILTER`, `ZMQ_IPC_FILTER_PID`, `ZMQ_IPC_FILTER_UID`,
//!   `ZMQ_IPC_FILTER_GID`: deprecated in favour of ZAP authentication.
//!
//! `ZMQ_BLOCKY` sits among the socket options in `zmq.h` but is a context
//! option (`Context`'s builder has it).

use std::ffi::{c_char, c_int, c_void};
use std::fmt;
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

    /// Like [`Socket::setsockopt_raw`], but an empty value is passed as
    /// `(NULL, 0)`: libzmq's string options take only that as "empty / reset"
    /// (a non-NULL pointer with length 0 is EINVAL for them).
    fn setsockopt_nullable(&self, option: c_int, value: &[u8]) -> Result<()> {
        if !value.is_empty() {
            return self.setsockopt_raw(option, value);
        }
        // SAFETY: live socket; with length 0 libzmq reads nothing, and every
        // option that takes a buffer accepts (NULL, 0) or rejects it with
        // EINVAL without dereferencing.
        check(unsafe { zmq_sys::zmq_setsockopt(self.as_raw(), option, std::ptr::null(), 0) })
            .map(drop)
    }
}

// ---- public value types -------------------------------------------------

/// The security mechanism of a socket (`ZMQ_MECHANISM`), chosen by the last
/// PLAIN / CURVE / GSSAPI option set on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mechanism {
    /// No security (`ZMQ_NULL`, the default).
    #[doc(alias = "ZMQ_NULL")]
    Null,
    /// Clear-text user name and password (`ZMQ_PLAIN`).
    #[doc(alias = "ZMQ_PLAIN")]
    Plain,
    /// CurveZMQ encryption and authentication (`ZMQ_CURVE`).
    #[doc(alias = "ZMQ_CURVE")]
    Curve,
    /// Kerberos (`ZMQ_GSSAPI`).
    #[doc(alias = "ZMQ_GSSAPI")]
    Gssapi,
}

impl Mechanism {
    /// The `ZMQ_*` number of the mechanism.
    pub fn to_raw(self) -> i32 {
        match self {
            Mechanism::Null => zmq_sys::ZMQ_NULL,
            Mechanism::Plain => zmq_sys::ZMQ_PLAIN,
            Mechanism::Curve => zmq_sys::ZMQ_CURVE,
            Mechanism::Gssapi => zmq_sys::ZMQ_GSSAPI,
        }
    }

    /// The mechanism of a `ZMQ_*` number; `None` for an unknown number.
    pub fn from_raw(raw: i32) -> Option<Mechanism> {
        [
            Mechanism::Null,
            Mechanism::Plain,
            Mechanism::Curve,
            Mechanism::Gssapi,
        ]
        .into_iter()
        .find(|m| m.to_raw() == raw)
    }
}

/// How a GSSAPI principal name is to be interpreted
/// (`ZMQ_GSSAPI_PRINCIPAL_NAMETYPE`, `ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GssapiNameType {
    /// A host-based service name (`ZMQ_GSSAPI_NT_HOSTBASED`, the default).
    #[doc(alias = "ZMQ_GSSAPI_NT_HOSTBASED")]
    HostBased,
    /// A local user name (`ZMQ_GSSAPI_NT_USER_NAME`).
    #[doc(alias = "ZMQ_GSSAPI_NT_USER_NAME")]
    UserName,
    /// A Kerberos principal (`ZMQ_GSSAPI_NT_KRB5_PRINCIPAL`).
    #[doc(alias = "ZMQ_GSSAPI_NT_KRB5_PRINCIPAL")]
    Krb5Principal,
}

impl GssapiNameType {
    /// The `ZMQ_GSSAPI_NT_*` number.
    pub fn to_raw(self) -> i32 {
        match self {
            GssapiNameType::HostBased => zmq_sys::ZMQ_GSSAPI_NT_HOSTBASED,
            GssapiNameType::UserName => zmq_sys::ZMQ_GSSAPI_NT_USER_NAME,
            GssapiNameType::Krb5Principal => zmq_sys::ZMQ_GSSAPI_NT_KRB5_PRINCIPAL,
        }
    }

    /// The name type of a `ZMQ_GSSAPI_NT_*` number; `None` if unknown.
    pub fn from_raw(raw: i32) -> Option<GssapiNameType> {
        [
            GssapiNameType::HostBased,
            GssapiNameType::UserName,
            GssapiNameType::Krb5Principal,
        ]
        .into_iter()
        .find(|t| t.to_raw() == raw)
    }
}

/// The congestion-control mode of the NORM transport (`ZMQ_NORM_MODE`, DRAFT).
#[cfg(feature = "draft")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NormMode {
    /// Fixed rate, `ZMQ_RATE` (`ZMQ_NORM_FIXED`).
    #[doc(alias = "ZMQ_NORM_FIXED")]
    Fixed,
    /// Normal congestion control (`ZMQ_NORM_CC`, the default).
    #[doc(alias = "ZMQ_NORM_CC")]
    Cc,
    /// Loss-tolerant congestion control (`ZMQ_NORM_CCL`).
    #[doc(alias = "ZMQ_NORM_CCL")]
    Ccl,
    /// Explicit congestion notification, with loss as a fallback (`ZMQ_NORM_CCE`).
    #[doc(alias = "ZMQ_NORM_CCE")]
    Cce,
    /// Explicit congestion notification only (`ZMQ_NORM_CCE_ECNONLY`).
    #[doc(alias = "ZMQ_NORM_CCE_ECNONLY")]
    CceEcnOnly,
}

#[cfg(feature = "draft")]
impl NormMode {
    /// The `ZMQ_NORM_*` number of the mode.
    pub fn to_raw(self) -> i32 {
        match self {
            NormMode::Fixed => zmq_sys::ZMQ_NORM_FIXED,
            NormMode::Cc => zmq_sys::ZMQ_NORM_CC,
            NormMode::Ccl => zmq_sys::ZMQ_NORM_CCL,
            NormMode::Cce => zmq_sys::ZMQ_NORM_CCE,
            NormMode::CceEcnOnly => zmq_sys::ZMQ_NORM_CCE_ECNONLY,
        }
    }

    /// The mode of a `ZMQ_NORM_*` number; `None` if unknown.
    pub fn from_raw(raw: i32) -> Option<NormMode> {
        [
            NormMode::Fixed,
            NormMode::Cc,
            NormMode::Ccl,
            NormMode::Cce,
            NormMode::CceEcnOnly,
        ]
        .into_iter()
        .find(|m| m.to_raw() == raw)
    }
}

#[cfg(feature = "draft")]
bitflags::bitflags! {
    /// Which peer events a ROUTER reports as empty messages from the peer
    /// (`ZMQ_ROUTER_NOTIFY`, DRAFT).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct RouterNotify: i32 {
        /// A peer connected (`ZMQ_NOTIFY_CONNECT`).
        const CONNECT = zmq_sys::ZMQ_NOTIFY_CONNECT;
        /// A peer disconnected (`ZMQ_NOTIFY_DISCONNECT`).
        const DISCONNECT = zmq_sys::ZMQ_NOTIFY_DISCONNECT;
    }
}

#[cfg(feature = "draft")]
bitflags::bitflags! {
    /// When a connecting socket stops trying to reconnect
    /// (`ZMQ_RECONNECT_STOP`, DRAFT).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct ReconnectStop: i32 {
        /// The peer refused the connection (`ZMQ_RECONNECT_STOP_CONN_REFUSED`).
        const CONN_REFUSED = zmq_sys::ZMQ_RECONNECT_STOP_CONN_REFUSED;
        /// The ZMTP handshake failed (`ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED`).
        const HANDSHAKE_FAILED = zmq_sys::ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED;
        /// The socket was disconnected by the application
        /// (`ZMQ_RECONNECT_STOP_AFTER_DISCONNECT`).
        const AFTER_DISCONNECT = zmq_sys::ZMQ_RECONNECT_STOP_AFTER_DISCONNECT;
    }
}

/// A CURVE key (public, secret or server key): 32 bytes.
///
/// Made from 32 raw bytes or from their 40-character Z85 text; anything else
/// is [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument). `Debug` never shows the key, and the bytes
/// are overwritten with zeros when the value is dropped.
///
/// ```
/// use zmq::CurveKey;
/// let (public, secret) = CurveKey::generate_keypair()?;
/// assert_eq!(CurveKey::public_from_secret(&secret)?, public);
/// assert_eq!(CurveKey::from_z85(&public.to_z85())?, public);
/// assert_eq!(format!("{secret:?}"), "CurveKey(..)");
/// assert!(CurveKey::new(&[0u8; 31]).is_err());
/// # Ok::<(), zmq::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CurveKey([u8; CurveKey::LEN]);

impl CurveKey {
    /// Length of a raw key, in bytes.
    pub const LEN: usize = 32;
    /// Length of a key's Z85 text, in characters.
    pub const Z85_LEN: usize = 40;

    /// A key from 32 raw bytes or 40 Z85 characters.
    pub fn new(key: &[u8]) -> Result<CurveKey> {
        match key.len() {
            CurveKey::LEN => CurveKey::from_bytes(key),
            CurveKey::Z85_LEN => CurveKey::z85_decode(key),
            _ => Err(Error::from(crate::ErrorKind::InvalidArgument)),
        }
    }

    /// A key from exactly 32 raw bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<CurveKey> {
        let raw: [u8; CurveKey::LEN] = bytes
            .try_into()
            .map_err(|_| Error::from(crate::ErrorKind::InvalidArgument))?;
        Ok(CurveKey(raw))
    }

    /// A key from its 40-character Z85 text.
    #[doc(alias = "zmq_z85_decode")]
    pub fn from_z85(text: &str) -> Result<CurveKey> {
        CurveKey::z85_decode(text.as_bytes())
    }

    fn z85_decode(text: &[u8]) -> Result<CurveKey> {
        if text.len() != CurveKey::Z85_LEN || text.contains(&0) {
            return Err(Error::from(crate::ErrorKind::InvalidArgument));
        }
        let mut c_text = [0u8; CurveKey::Z85_LEN + 1];
        c_text[..CurveKey::Z85_LEN].copy_from_slice(text);
        let mut key = CurveKey([0; CurveKey::LEN]);
        // SAFETY: `c_text` is NUL-terminated with exactly 40 non-NUL bytes
        // before the NUL, so zmq_z85_decode writes at most 40 * 4 / 5 = 32
        // bytes into `key.0`, the room there is. On a bad character it
        // returns NULL, having possibly written the bytes of the groups
        // before it: that partial key is dropped with the error.
        let out = unsafe { zmq_sys::zmq_z85_decode(key.0.as_mut_ptr(), c_text.as_ptr().cast()) };
        if out.is_null() {
            return Err(Error::from(crate::ErrorKind::InvalidArgument));
        }
        Ok(key)
    }

    /// The 32 raw bytes.
    pub fn as_bytes(&self) -> &[u8; CurveKey::LEN] {
        &self.0
    }

    /// The key as 40 Z85 characters.
    #[doc(alias = "zmq_z85_encode")]
    pub fn to_z85(&self) -> String {
        let mut text = [0u8; CurveKey::Z85_LEN + 1];
        // SAFETY: 32 input bytes (a multiple of 4) encode to 40 characters
        // plus a NUL, exactly the 41 bytes of `text`.
        // (It returns NULL only for a size that is not a multiple of 4.)
        unsafe {
            zmq_sys::zmq_z85_encode(
                text.as_mut_ptr().cast::<c_char>(),
                self.0.as_ptr(),
                CurveKey::LEN,
            )
        };
        // Z85 characters are ASCII.
        text[..CurveKey::Z85_LEN]
            .iter()
            .map(|&b| char::from(b))
            .collect()
    }

    /// A new random `(public, secret)` key pair. Fails with
    /// [`ErrorKind::NotSupported`](crate::ErrorKind::NotSupported) if libzmq was built without CURVE.
    #[doc(alias = "zmq_curve_keypair")]
    pub fn generate_keypair() -> Result<(CurveKey, CurveKey)> {
        let mut public = [0u8; CurveKey::Z85_LEN + 1];
        let mut secret = [0u8; CurveKey::Z85_LEN + 1];
        // SAFETY: both buffers have the 41 bytes libzmq writes (Z85 + NUL).
        check(unsafe {
            zmq_sys::zmq_curve_keypair(public.as_mut_ptr().cast(), secret.as_mut_ptr().cast())
        })?;
        let keys = (
            CurveKey::z85_decode(&public[..CurveKey::Z85_LEN])?,
            CurveKey::z85_decode(&secret[..CurveKey::Z85_LEN])?,
        );
        secret.fill(0);
        Ok(keys)
    }

    /// The public key belonging to a secret key.
    #[doc(alias = "zmq_curve_public")]
    pub fn public_from_secret(secret: &CurveKey) -> Result<CurveKey> {
        // The secret's text stays on the stack (no String to free unwiped).
        let mut secret_z85 = zeroize::Zeroizing::new([0u8; CurveKey::Z85_LEN + 1]);
        // SAFETY: 32 bytes encode to 40 characters plus a NUL: 41 bytes.
        unsafe { zmq_sys::zmq_z85_encode(secret_z85.as_mut_ptr().cast(), secret.0.as_ptr(), 32) };
        let mut public = [0u8; CurveKey::Z85_LEN + 1];
        // SAFETY: `secret_z85` is 40 Z85 characters and a NUL; `public` has
        // the 41 bytes libzmq writes.
        let rc = check(unsafe {
            zmq_sys::zmq_curve_public(public.as_mut_ptr().cast(), secret_z85.as_ptr().cast())
        });
        drop(secret_z85);
        rc?;
        CurveKey::z85_decode(&public[..CurveKey::Z85_LEN])
    }
}

impl fmt::Debug for CurveKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CurveKey(..)")
    }
}

impl Drop for CurveKey {
    fn drop(&mut self) {
        for byte in &mut self.0 {
            // SAFETY: `byte` is a valid, aligned, exclusive reference; the
            // volatile write keeps the compiler from eliding the wipe.
            unsafe { std::ptr::write_volatile(byte, 0) };
        }
    }
}

impl From<[u8; CurveKey::LEN]> for CurveKey {
    fn from(raw: [u8; CurveKey::LEN]) -> CurveKey {
        CurveKey(raw)
    }
}

impl TryFrom<&[u8]> for CurveKey {
    type Error = Error;
    /// 32 raw bytes or 40 Z85 characters.
    fn try_from(key: &[u8]) -> Result<CurveKey> {
        CurveKey::new(key)
    }
}

impl TryFrom<&str> for CurveKey {
    type Error = Error;
    /// 40 Z85 characters.
    fn try_from(text: &str) -> Result<CurveKey> {
        CurveKey::from_z85(text)
    }
}

impl std::str::FromStr for CurveKey {
    type Err = Error;
    /// 40 Z85 characters.
    fn from_str(text: &str) -> Result<CurveKey> {
        CurveKey::from_z85(text)
    }
}

/// One row of the socket-option table, for tests and tools.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OptionInfo {
    /// The C constant, e.g. `"ZMQ_LINGER"`.
    pub name: &'static str,
    /// Its number.
    pub number: i32,
    /// The getter's name, if the option can be read.
    pub getter: Option<&'static str>,
    /// The setter's name, if the option can be written.
    pub setter: Option<&'static str>,
    /// Whether the option belongs to the DRAFT API.
    pub draft: bool,
}

impl OptionInfo {
    /// Whether the option can be read.
    pub fn get(&self) -> bool {
        self.getter.is_some()
    }
    /// Whether the option can be written.
    pub fn set(&self) -> bool {
        self.setter.is_some()
    }
}

// ---- codecs -------------------------------------------------------------

/// How one option's value comes back from libzmq.
pub(crate) trait GetCodec {
    /// What the getter returns.
    type Get;
    fn get(socket: &Socket, option: c_int) -> Result<Self::Get>;
}

/// How one option's value goes to libzmq.
pub(crate) trait SetCodec {
    /// What the setter takes.
    type Set<'a>;
    fn set(socket: &Socket, option: c_int, value: Self::Set<'_>) -> Result<()>;
}

/// An option of exactly `N` bytes (any other length is an error).
fn get_fixed<const N: usize>(socket: &Socket, option: c_int) -> Result<[u8; N]> {
    let mut buf = [0u8; N];
    if socket.getsockopt_raw(option, &mut buf)? != N {
        return Err(Error::from(crate::ErrorKind::InvalidArgument));
    }
    Ok(buf)
}

fn get_int(socket: &Socket, option: c_int) -> Result<i32> {
    get_fixed(socket, option).map(i32::from_ne_bytes)
}

fn set_int(socket: &Socket, option: c_int, value: i32) -> Result<()> {
    socket.setsockopt_raw(option, &value.to_ne_bytes())
}

fn non_negative(value: i32) -> Result<i32> {
    if value < 0 {
        Err(Error::from(crate::ErrorKind::InvalidArgument))
    } else {
        Ok(value)
    }
}

// Milliseconds rounded up, refused when an `int` cannot hold them; whole
// seconds only: every Duration conversion lives in src/duration.rs.
use crate::duration::{option_millis as millis, option_seconds as seconds};

/// A codec over a C `int`: `decode` turns libzmq's int into the getter's
/// type, `encode` the setter's value into an int (or an error).
macro_rules! int_codec {
    (
        $(#[$doc:meta])*
        $name:ident: $get:ty, $set:ty;
        |$d:ident| $dec:expr;
        |$e:ident| $enc:expr;
    ) => {
        $(#[$doc])*
        pub(crate) struct $name;
        impl GetCodec for $name {
            type Get = $get;
            fn get(socket: &Socket, option: c_int) -> Result<$get> {
                let $d = get_int(socket, option)?;
                $dec
            }
        }
        impl SetCodec for $name {
            type Set<'a> = $set;
            fn set(socket: &Socket, option: c_int, $e: $set) -> Result<()> {
                let raw: Result<i32> = $enc;
                set_int(socket, option, raw?)
            }
        }
    };
}

int_codec! {
    /// A C `int`; libzmq checks the range.
    Int: i32, i32;
    |v| Ok(v);
    |v| Ok(v);
}

int_codec! {
    /// A C `int` that must not be negative.
    NonNegInt: i32, i32;
    |v| Ok(v);
    |v| non_negative(v);
}

int_codec! {
    /// A C `int`, -1 meaning "not set / system default" (`None`).
    OptInt: Option<i32>, Option<i32>;
    |v| Ok((v >= 0).then_some(v));
    |v| v.map_or(Ok(-1), non_negative);
}

int_codec! {
    /// A C `int` used as 0/1.
    Bool: bool, bool;
    |v| Ok(v != 0);
    |v| Ok(i32::from(v));
}

int_codec! {
    /// A C `int` used as -1 (system default, `None`), 0 or 1.
    OptBool: Option<bool>, Option<bool>;
    |v| Ok((v >= 0).then_some(v != 0));
    |v| Ok(v.map_or(-1, i32::from));
}

int_codec! {
    /// Milliseconds in a C `int`, never negative.
    MillisDur: Duration, Duration;
    |v| Ok(Duration::from_millis(u64::try_from(v).unwrap_or(0)));
    |v| millis(v);
}

int_codec! {
    /// Milliseconds in a C `int`, -1 meaning infinite / none.
    Millis: Option<Duration>, Option<Duration>;
    |v| Ok(u64::try_from(v).ok().map(Duration::from_millis));
    |v| v.map_or(Ok(-1), millis);
}

int_codec! {
    /// Milliseconds in a C `int`, 0 meaning none/disabled, never negative.
    MillisZeroNone: Option<Duration>, Option<Duration>;
    |v| Ok(u64::try_from(v).ok().filter(|&ms| ms > 0).map(Duration::from_millis));
    |v| v.map_or(Ok(0), millis);
}

int_codec! {
    /// Milliseconds in a C `int` that reads -1 ("not set", `None`) until set,
    /// and can only be set to a duration.
    MillisUnset: Option<Duration>, Duration;
    |v| Ok(u64::try_from(v).ok().map(Duration::from_millis));
    |v| millis(v);
}

int_codec! {
    /// Seconds in a C `int`, -1 meaning the system default (`None`).
    OptSecs: Option<Duration>, Option<Duration>;
    |v| Ok(u64::try_from(v).ok().map(Duration::from_secs));
    |v| v.map_or(Ok(-1), seconds);
}

int_codec! {
    /// A `ZMQ_GSSAPI_NT_*` name type.
    GssNt: GssapiNameType, GssapiNameType;
    |v| GssapiNameType::from_raw(v).ok_or(Error::from_errno(zmq_sys::errno::EINVAL));
    |v| Ok(v.to_raw());
}

#[cfg(feature = "draft")]
int_codec! {
    /// A `ZMQ_NORM_*` mode.
    Norm: NormMode, NormMode;
    |v| NormMode::from_raw(v).ok_or(Error::from_errno(zmq_sys::errno::EINVAL));
    |v| Ok(v.to_raw());
}

#[cfg(feature = "draft")]
int_codec! {
    /// `ZMQ_NOTIFY_*` flags.
    Notify: RouterNotify, RouterNotify;
    |v| Ok(RouterNotify::from_bits_retain(v));
    |v| Ok(v.bits());
}

#[cfg(feature = "draft")]
int_codec! {
    /// `ZMQ_RECONNECT_STOP_*` flags.
    RecStop: ReconnectStop, ReconnectStop;
    |v| Ok(ReconnectStop::from_bits_retain(v));
    |v| Ok(v.bits());
}

/// `ZMQ_EVENTS` as [`PollEvents`](crate::PollEvents); a thread-safe (DRAFT)
/// socket, which has no `ZMQ_EVENTS`, asks its readiness poller.
pub(crate) struct Events;

impl GetCodec for Events {
    type Get = crate::PollEvents;
    fn get(socket: &Socket, option: c_int) -> Result<crate::PollEvents> {
        if let Some(events) = socket.poller_events() {
            return events;
        }
        get_int(socket, option).map(|e| crate::PollEvents::from_bits_truncate(e as i16))
    }
}

/// The socket type (`ZMQ_TYPE`); get-only.
pub(crate) struct Kind;

impl GetCodec for Kind {
    type Get = crate::SocketType;
    fn get(socket: &Socket, option: c_int) -> Result<crate::SocketType> {
        let raw = get_int(socket, option)?;
        crate::SocketType::from_raw(raw).ok_or(Error::from_errno(zmq_sys::errno::EINVAL))
    }
}

/// The security mechanism (`ZMQ_MECHANISM`); get-only.
pub(crate) struct Mech;

impl GetCodec for Mech {
    type Get = Mechanism;
    fn get(socket: &Socket, option: c_int) -> Result<Mechanism> {
        let raw = get_int(socket, option)?;
        Mechanism::from_raw(raw).ok_or(Error::from_errno(zmq_sys::errno::EINVAL))
    }
}

/// An `int64_t`.
pub(crate) struct Int64;

impl GetCodec for Int64 {
    type Get = i64;
    fn get(socket: &Socket, option: c_int) -> Result<i64> {
        get_fixed(socket, option).map(i64::from_ne_bytes)
    }
}

impl SetCodec for Int64 {
    type Set<'a> = i64;
    fn set(socket: &Socket, option: c_int, value: i64) -> Result<()> {
        socket.setsockopt_raw(option, &value.to_ne_bytes())
    }
}

/// A `uint64_t`.
pub(crate) struct Uint64;

impl GetCodec for Uint64 {
    type Get = u64;
    fn get(socket: &Socket, option: c_int) -> Result<u64> {
        get_fixed(socket, option).map(u64::from_ne_bytes)
    }
}

impl SetCodec for Uint64 {
    type Set<'a> = u64;
    fn set(socket: &Socket, option: c_int, value: u64) -> Result<()> {
        socket.setsockopt_raw(option, &value.to_ne_bytes())
    }
}

/// The socket's readiness handle, libzmq's `zmq_fd_t`: a file descriptor
/// on unix, a 64-bit `SOCKET` on Windows.
pub(crate) struct Handle;

impl GetCodec for Handle {
    type Get = crate::os::RawHandle;
    fn get(socket: &Socket, option: c_int) -> Result<crate::os::RawHandle> {
        get_fixed(socket, option).map(zmq_sys::zmq_fd_t::from_ne_bytes)
    }
}

/// A binary value (subscription prefix, welcome message...), any length.
pub(crate) struct Bytes;

impl SetCodec for Bytes {
    type Set<'a> = &'a [u8];
    fn set(socket: &Socket, option: c_int, value: &[u8]) -> Result<()> {
        socket.setsockopt_raw(option, value)
    }
}

/// A subscription topic: at most [`Socket::MAX_TOPIC_LEN`] bytes, longer is
/// [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument) with the
/// reason.
pub(crate) struct Topic;

impl Socket {
    /// The longest topic [`Socket::set_subscribe`] and
    /// [`Socket::set_unsubscribe`] take, and an XSUB socket sends (a
    /// subscription message `\x01topic` or `\x00topic`): 4 KiB.
    ///
    /// libzmq 4.3.5 keeps subscriptions in tries that recurse once per byte
    /// of a topic: on the calling thread (SUB and XSUB: adding and removing
    /// a topic, re-sending the subscriptions to a new peer), about 130
    /// bytes of stack per topic byte as measured here (libzmq built at
    /// `opt-level` 1, the dev profile's), and on libzmq's reaper thread
    /// (freeing them when the socket closes, about 64 bytes per byte). A
    /// 256 KiB unsubscription aborts the process; a 10 MiB subscription
    /// crashes it when the socket closes. 4 KiB topics take at most about
    /// 520 KiB of stack: a quarter of the 2 MiB of a Rust thread spawned
    /// with the default stack size (docs/SECURITY.md).
    pub const MAX_TOPIC_LEN: usize = 4 * 1024;

    /// Refuses a frame an XSUB socket would take as a subscription or
    /// unsubscription (first byte 1 or 0) with a topic longer than
    /// [`Socket::MAX_TOPIC_LEN`]: libzmq keeps XSUB's subscriptions in the
    /// same trie as [`Socket::set_subscribe`]. Costs nothing on a socket
    /// known not to be an XSUB (its type is read when it is wrapped);
    /// otherwise a length comparison, and the socket type is asked only for
    /// such long frames.
    #[inline(always)]
    pub(crate) fn check_subscription_frame(&self, frame: &crate::Message) -> Result<()> {
        if !self.may_be_xsub {
            return Ok(());
        }
        self.check_subscription_frame_of_xsub(frame)
    }

    /// [`Socket::check_subscription_frame`] on a socket that may be an
    /// XSUB: out of line, so that the send paths of other sockets stay
    /// small enough to inline.
    #[inline(never)]
    fn check_subscription_frame_of_xsub(&self, frame: &crate::Message) -> Result<()> {
        let len = frame.len();
        if len <= Socket::MAX_TOPIC_LEN + 1 || !matches!(frame.first(), Some(0 | 1)) {
            return Ok(());
        }
        if self.socket_type()? != crate::SocketType::Xsub {
            return Ok(());
        }
        Err(topic_too_long(len - 1).context("send", "XSUB subscription"))
    }
}

/// The error of a topic longer than [`Socket::MAX_TOPIC_LEN`], with the
/// reason.
fn topic_too_long(len: usize) -> Error {
    Error::invalid_argument(format!(
        "a topic of {len} bytes is longer than Socket::MAX_TOPIC_LEN ({} bytes): libzmq 4.3.5 \
         recurses once per topic byte in its subscription trie, and longer topics can \
         overflow the stack and crash the process",
        Socket::MAX_TOPIC_LEN
    ))
}

impl SetCodec for Topic {
    type Set<'a> = &'a [u8];
    fn set(socket: &Socket, option: c_int, value: &[u8]) -> Result<()> {
        if value.len() > Socket::MAX_TOPIC_LEN {
            return Err(topic_too_long(value.len()));
        }
        socket.setsockopt_raw(option, value)
    }
}

/// A routing id: 1 to 255 bytes (libzmq's limit; longer is rejected here
/// with [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument)).
pub(crate) struct RoutingId;

/// The longest routing id libzmq accepts.
const MAX_ROUTING_ID: usize = 255;

impl GetCodec for RoutingId {
    type Get = Vec<u8>;
    fn get(socket: &Socket, option: c_int) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; MAX_ROUTING_ID + 1];
        let n = socket.getsockopt_raw(option, &mut buf)?;
        buf.truncate(n);
        Ok(buf)
    }
}

impl SetCodec for RoutingId {
    type Set<'a> = &'a [u8];
    fn set(socket: &Socket, option: c_int, value: &[u8]) -> Result<()> {
        // libzmq reserves ids starting with a zero byte for the ones it
        // generates itself, but 4.3.5 does not check that.
        if value.is_empty() || value.len() > MAX_ROUTING_ID || value.first() == Some(&0) {
            return Err(Error::from(crate::ErrorKind::InvalidArgument));
        }
        socket.setsockopt_raw(option, value)
    }
}

/// A string (sent without NUL, read back NUL-terminated). An empty string is
/// passed as `(NULL, 0)`, which libzmq reads as "unset".
pub(crate) struct Str;

impl GetCodec for Str {
    type Get = String;
    fn get(socket: &Socket, option: c_int) -> Result<String> {
        // libzmq answers EINVAL both for an unknown option and for too small
        // a buffer, without saying how much is needed: grow a few times.
        let mut size = 256;
        let mut buf = loop {
            let mut buf = vec![0u8; size];
            match socket.getsockopt_raw(option, &mut buf) {
                Ok(n) => {
                    buf.truncate(n);
                    break buf;
                }
                Err(ref e) if e.kind() == crate::ErrorKind::InvalidArgument && size < (1 << 20) => {
                    size *= 16
                }
                Err(e) => return Err(e),
            }
        };
        if buf.last() == Some(&0) {
            buf.pop();
        }
        Ok(String::from_utf8(buf)?)
    }
}

impl SetCodec for Str {
    type Set<'a> = &'a str;
    fn set(socket: &Socket, option: c_int, value: &str) -> Result<()> {
        if value.contains('\0') {
            let name = SOCKET_OPTIONS.iter().find(|o| o.number == option);
            return Err(Error::nul_byte(
                name.map_or("socket option value", |o| o.name),
            ));
        }
        socket.setsockopt_nullable(option, value.as_bytes())
    }
}

/// A CURVE key: set as 32 bytes, read back as 32 bytes.
pub(crate) struct Key;

impl GetCodec for Key {
    type Get = CurveKey;
    fn get(socket: &Socket, option: c_int) -> Result<CurveKey> {
        let mut key = CurveKey([0; CurveKey::LEN]);
        if socket.getsockopt_raw(option, &mut key.0)? != CurveKey::LEN {
            return Err(Error::from(crate::ErrorKind::InvalidArgument));
        }
        Ok(key)
    }
}

impl SetCodec for Key {
    type Set<'a> = &'a CurveKey;
    fn set(socket: &Socket, option: c_int, value: &CurveKey) -> Result<()> {
        socket.setsockopt_raw(option, &value.0)
    }
}

/// The Rust type a codec's getter returns (spelled out so rustdoc shows it).
macro_rules! get_ty {
    (Int) => { i32 };
    (NonNegInt) => { i32 };
    (OptInt) => { Option<i32> };
    (Bool) => { bool };
    (OptBool) => { Option<bool> };
    (Int64) => { i64 };
    (Uint64) => { u64 };
    (Handle) => { crate::os::RawHandle };
    (MillisDur) => { Duration };
    (Millis) => { Option<Duration> };
    (MillisZeroNone) => { Option<Duration> };
    (MillisUnset) => { Option<Duration> };
    (OptSecs) => { Option<Duration> };
    (RoutingId) => { Vec<u8> };
    (Str) => { String };
    (Key) => { CurveKey };
    (Kind) => { crate::SocketType };
    (Events) => { crate::PollEvents };
    (Mech) => { Mechanism };
    (GssNt) => { GssapiNameType };
    (Norm) => { NormMode };
    (Notify) => { RouterNotify };
    (RecStop) => { ReconnectStop };
}

/// The Rust type a codec's setter takes.
macro_rules! set_ty {
    (Int) => { i32 };
    (NonNegInt) => { i32 };
    (OptInt) => { Option<i32> };
    (Bool) => { bool };
    (OptBool) => { Option<bool> };
    (Int64) => { i64 };
    (Uint64) => { u64 };
    (MillisDur) => { Duration };
    (Millis) => { Option<Duration> };
    (MillisZeroNone) => { Option<Duration> };
    (MillisUnset) => { Duration };
    (OptSecs) => { Option<Duration> };
    (Bytes) => { &[u8] };
    (Topic) => { &[u8] };
    (RoutingId) => { &[u8] };
    (Str) => { &str };
    (Key) => { &CurveKey };
    (GssNt) => { GssapiNameType };
    (Norm) => { NormMode };
    (Notify) => { RouterNotify };
    (RecStop) => { ReconnectStop };
}

/// One row per option:
///
/// ```text
/// /// docs
/// [@"draft"] C_NAME "C_NAME" => getter ["old_name"] / setter ["old_name"] : Codec;
/// ```
///
/// with `-` for a direction the option does not have, and `@"draft"` for an
/// option of the DRAFT API (compiled only with the `draft` feature). The
/// optional `["…"]` after a method lists its names in the registry `zmq` 0.10
/// crate (`get_linger`, `is_ipv6`, `set_identity`), which become
/// `#[doc(alias)]`es so that rustdoc's search finds the new name
/// (docs/MIGRATING.md). Besides the methods, the table becomes
/// [`SOCKET_OPTIONS`].
macro_rules! sockopts {
    ($(
        $(#[$doc:meta])*
        $(@$draft:literal)?
        $c:ident $alias:literal
            => $get:tt $([$($galias:literal),+])? / $set:tt $([$($salias:literal),+])?
            : $codec:ident;
    )*) => {
        $( crate::const_str_eq!(stringify!($c), $alias); )*

        impl Socket {
            $(
                sockopts!(@get $get $c $alias $codec [$($draft)?] [$($($galias),+)?] $(#[$doc])*);
                sockopts!(@set $set $c $alias $codec [$($draft)?] [$($($salias),+)?] $(#[$doc])*);
            )*
        }

        /// Every socket option this build has, in table order.
        #[doc(hidden)]
        pub const SOCKET_OPTIONS: &[OptionInfo] = &[
            $(
                $(#[cfg(feature = $draft)])?
                OptionInfo {
                    name: $alias,
                    number: zmq_sys::$c,
                    getter: sockopts!(@name $get),
                    setter: sockopts!(@name $set),
                    draft: sockopts!(@draft $($draft)?),
                },
            )*
        ];
    };
    (@name -) => { None };
    (@name $f:ident) => { Some(stringify!($f)) };
    (@draft) => { false };
    (@draft $draft:literal) => { true };
    (@get - $($rest:tt)*) => {};
    (@get $get:ident $c:ident $alias:literal $codec:ident [$($draft:literal)?] [$($old:literal),*] $(#[$doc:meta])*) => {
        $(#[$doc])*
        ///
        #[doc = concat!("Reads `", $alias, "` (`zmq_getsockopt`).")]
        #[doc(alias = $alias)]
        $(#[doc(alias = $old)])*
        $(#[cfg(feature = $draft)])?
        pub fn $get(&self) -> Result<get_ty!($codec)> {
            <$codec as GetCodec>::get(self, zmq_sys::$c as c_int)
                .map_err(|e| e.context("get", $alias))
        }
    };
    (@set - $($rest:tt)*) => {};
    (@set $set:ident $c:ident $alias:literal $codec:ident [$($draft:literal)?] [$($old:literal),*] $(#[$doc:meta])*) => {
        $(#[$doc])*
        ///
        #[doc = concat!("Sets `", $alias, "` (`zmq_setsockopt`).")]
        #[doc(alias = $alias)]
        $(#[doc(alias = $old)])*
        $(#[cfg(feature = $draft)])?
        pub fn $set(&self, value: set_ty!($codec)) -> Result<()> {
            <$codec as SetCodec>::set(self, zmq_sys::$c as c_int, value)
                .map_err(|e| e.context("set", $alias))
        }
    };
}

sockopts! {
    // The table: one row per socket option of libzmq 4.3.5, by topic. Keep
    // these three lines and the last one as they are: the compile-fail
    // tests' expected output (tests/ui/sockopt_*.stderr) quotes them.

    // ---- state of the socket (get-only) ----------------------------------

    /// The socket's type. All socket types; fixed at creation.
    ZMQ_TYPE "ZMQ_TYPE" => socket_type["get_socket_type"] / - : Kind;
    /// Whether more frames of the last received message follow (the
    /// frame itself says so too: [`crate::Message::more`]).
    /// Default false; all socket types.
    ZMQ_RCVMORE "ZMQ_RCVMORE" => more["get_rcvmore"] / - : Bool;
    /// What the socket can do now without blocking; with
    /// [`std::os::fd::AsRawFd`] this integrates with other event loops. On
    /// a thread-safe (DRAFT) socket it asks the socket's readiness poller,
    /// which also consumes the wake-up its descriptor signalled.
    /// No default (live state); all socket types.
    ZMQ_EVENTS "ZMQ_EVENTS" => events["get_events"] / - : Events;
    /// The descriptor signalling readiness changes ([`zmq::os::RawHandle`](crate::os::RawHandle):
    /// a file descriptor on unix, a `SOCKET` on Windows). Fixed per socket;
    /// classic (non-thread-safe) socket types only.
    ZMQ_FD "ZMQ_FD" => fd["get_fd"] / - : Handle;
    /// The last endpoint bound or connected, with the real port of a
    /// wildcard bind. Default empty; all socket types.
    ZMQ_LAST_ENDPOINT "ZMQ_LAST_ENDPOINT" => last_endpoint["get_last_endpoint"] / - : Str;
    /// Whether the socket type is thread-safe (the DRAFT types SERVER,
    /// CLIENT, RADIO, DISH...). Fixed per type; all socket types.
    ZMQ_THREAD_SAFE "ZMQ_THREAD_SAFE" => thread_safe / - : Bool;
    /// The security mechanism in effect, chosen by the last PLAIN, CURVE or
    /// GSSAPI option set. Default [`Mechanism::Null`]; all socket types.
    ZMQ_MECHANISM "ZMQ_MECHANISM" => mechanism["get_mechanism"] / - : Mech;
    /// How many subscription prefixes the socket holds. Default 0;
    /// XPUB, XSUB (PUB and SUB too, as their subtypes).
    @"draft" ZMQ_TOPICS_COUNT "ZMQ_TOPICS_COUNT" => topics_count / - : Int;

    // ---- queues, timeouts, limits ------------------------------------------

    /// How long unsent messages linger after close; `None` = forever.
    /// Milliseconds; default `None` (see the shutdown policy of
    /// [`crate::Context`]). All socket types.
    ZMQ_LINGER "ZMQ_LINGER" => linger["get_linger"] / set_linger : Millis;
    /// Send high-water mark: queued outbound messages per peer (0 = no
    /// limit). Messages; default 1000; all socket types.
    ZMQ_SNDHWM "ZMQ_SNDHWM" => sndhwm["get_sndhwm"] / set_sndhwm : NonNegInt;
    /// Receive high-water mark: queued inbound messages per peer (0 = no
    /// limit). Messages; default 1000; all socket types.
    ZMQ_RCVHWM "ZMQ_RCVHWM" => rcvhwm["get_rcvhwm"] / set_rcvhwm : NonNegInt;
    /// Receive timeout; `None` = block forever, zero = never block.
    /// Milliseconds; default `None`; all socket types.
    ZMQ_RCVTIMEO "ZMQ_RCVTIMEO" => rcvtimeo["get_rcvtimeo"] / set_rcvtimeo : Millis;
    /// Send timeout; `None` = block forever, zero = never block.
    /// Milliseconds; default `None`; all socket types.
    ZMQ_SNDTIMEO "ZMQ_SNDTIMEO" => sndtimeo["get_sndtimeo"] / set_sndtimeo : Millis;
    /// Largest inbound message; -1 = no limit. Bytes; default -1;
    /// all socket types.
    ZMQ_MAXMSGSIZE "ZMQ_MAXMSGSIZE" => maxmsgsize["get_maxmsgsize"] / set_maxmsgsize : Int64;
    /// I/O threads (bitmask) serving new connections; 0 = any. Bitmask;
    /// default 0; all socket types.
    ZMQ_AFFINITY "ZMQ_AFFINITY" => affinity["get_affinity"] / set_affinity : Uint64;
    /// Queue messages only to completed connections. Default false;
    /// all connection-oriented socket types.
    ZMQ_IMMEDIATE "ZMQ_IMMEDIATE" => immediate["is_immediate"] / set_immediate : Bool;
    /// Keep only the last message in the queues (not for multipart
    /// messages). Default false; PUSH, PULL, PUB, SUB, DEALER. The manual
    /// calls it set-only; libzmq's source (`options.cpp`) also reads it.
    ZMQ_CONFLATE "ZMQ_CONFLATE" => conflate["is_conflate"] / set_conflate : Bool;
    /// Pending-connection backlog of a listening socket (`listen()`).
    /// Connections; default 100; all socket types (tcp, ipc).
    ZMQ_BACKLOG "ZMQ_BACKLOG" => backlog["get_backlog"] / set_backlog : NonNegInt;
    /// Kernel send buffer size (`SO_SNDBUF`); `None` = the OS default.
    /// Bytes; default `None`; all socket types.
    ZMQ_SNDBUF "ZMQ_SNDBUF" => sndbuf["get_sndbuf"] / set_sndbuf : OptInt;
    /// Kernel receive buffer size (`SO_RCVBUF`); `None` = the OS default.
    /// Bytes; default `None`; all socket types.
    ZMQ_RCVBUF "ZMQ_RCVBUF" => rcvbuf["get_rcvbuf"] / set_rcvbuf : OptInt;
    /// Messages read from the network per batch. Messages (> 0); default
    /// 8192; all socket types.
    @"draft" ZMQ_IN_BATCH_SIZE "ZMQ_IN_BATCH_SIZE" => in_batch_size / set_in_batch_size : Int;
    /// Messages written to the network per batch. Messages (> 0); default
    /// 8192; all socket types.
    @"draft" ZMQ_OUT_BATCH_SIZE "ZMQ_OUT_BATCH_SIZE" => out_batch_size / set_out_batch_size : Int;

    // ---- identity and routing -------------------------------------------------

    /// The socket's routing id, which a ROUTER peer sees (1 to 255 bytes,
    /// not starting with a zero byte). Default empty (the peer assigns
    /// one); REQ, DEALER, ROUTER, STREAM.
    ZMQ_ROUTING_ID "ZMQ_ROUTING_ID" => routing_id["get_identity"] / set_routing_id["set_identity"] : RoutingId;
    /// The routing id to give the peer of the next `connect` (1 to 255
    /// bytes). Default none; ROUTER, STREAM.
    ZMQ_CONNECT_ROUTING_ID "ZMQ_CONNECT_ROUTING_ID" => - / set_connect_routing_id : RoutingId;
    /// Fail sends to unroutable peers with `HostUnreachable` (or `Again`
    /// at the high-water mark) instead of dropping them. Default false;
    /// ROUTER.
    ZMQ_ROUTER_MANDATORY "ZMQ_ROUTER_MANDATORY" => - / set_router_mandatory : Bool;
    /// Let a new connection with a routing id in use take it over. Default
    /// false; ROUTER.
    ZMQ_ROUTER_HANDOVER "ZMQ_ROUTER_HANDOVER" => - / set_router_handover : Bool;
    /// Raw mode: no ZMTP framing, for talking to plain TCP peers (prefer
    /// STREAM sockets). Default false; ROUTER.
    ZMQ_ROUTER_RAW "ZMQ_ROUTER_RAW" => - / set_router_raw : Bool;
    /// Send an empty message to each new peer so a ROUTER learns its
    /// routing id at once. Default false; ROUTER, DEALER, REQ.
    ZMQ_PROBE_ROUTER "ZMQ_PROBE_ROUTER" => - / set_probe_router : Bool;
    /// Report peer connects and/or disconnects as empty messages. Flags;
    /// default empty; ROUTER (set only there; libzmq reads it on any type).
    @"draft" ZMQ_ROUTER_NOTIFY "ZMQ_ROUTER_NOTIFY" => router_notify / set_router_notify : Notify;
    /// Add a request id frame to match replies to requests. Default false;
    /// REQ.
    ZMQ_REQ_CORRELATE "ZMQ_REQ_CORRELATE" => - / set_req_correlate : Bool;
    /// Allow sending a new request without waiting for the reply (use with
    /// `ZMQ_REQ_CORRELATE`). Default false; REQ.
    ZMQ_REQ_RELAXED "ZMQ_REQ_RELAXED" => - / set_req_relaxed : Bool;
    /// Deliver connect/disconnect notifications as empty messages. Default
    /// true; STREAM.
    ZMQ_STREAM_NOTIFY "ZMQ_STREAM_NOTIFY" => - / set_stream_notify : Bool;

    // ---- publish-subscribe ---------------------------------------------------

    /// Subscribes to messages starting with a prefix (empty = all). Bytes,
    /// at most [`Socket::MAX_TOPIC_LEN`] (longer ones crash libzmq 4.3.5);
    /// no subscription by default; SUB (and XPUB in manual mode).
    ZMQ_SUBSCRIBE "ZMQ_SUBSCRIBE" => - / set_subscribe : Topic;
    /// Removes a subscription made with `ZMQ_SUBSCRIBE`. Bytes, at most
    /// [`Socket::MAX_TOPIC_LEN`]; SUB (and XPUB in manual mode).
    ZMQ_UNSUBSCRIBE "ZMQ_UNSUBSCRIBE" => - / set_unsubscribe : Topic;
    /// Pass every subscription message up, not only new topics. Default
    /// false; XPUB, PUB.
    ZMQ_XPUB_VERBOSE "ZMQ_XPUB_VERBOSE" => - / set_xpub_verbose : Bool;
    /// Like `ZMQ_XPUB_VERBOSE`, for unsubscriptions too. Default false;
    /// XPUB, PUB.
    ZMQ_XPUB_VERBOSER "ZMQ_XPUB_VERBOSER" => - / set_xpub_verboser : Bool;
    /// Block (or fail with `Again`) at the high-water mark instead of
    /// dropping messages. Default false; XPUB, PUB, RADIO.
    ZMQ_XPUB_NODROP "ZMQ_XPUB_NODROP" => - / set_xpub_nodrop : Bool;
    /// Manual subscription mode: the application subscribes peers with
    /// `ZMQ_SUBSCRIBE` on the XPUB. Default false; XPUB.
    ZMQ_XPUB_MANUAL "ZMQ_XPUB_MANUAL" => - / set_xpub_manual : Bool;
    /// Like `ZMQ_XPUB_MANUAL`, sending the last value of a topic to new
    /// subscribers only. Default false; XPUB.
    @"draft" ZMQ_XPUB_MANUAL_LAST_VALUE "ZMQ_XPUB_MANUAL_LAST_VALUE" => - / set_xpub_manual_last_value : Bool;
    /// A message sent to each new subscriber (empty = none). Bytes;
    /// default none; XPUB.
    ZMQ_XPUB_WELCOME_MSG "ZMQ_XPUB_WELCOME_MSG" => - / set_xpub_welcome_msg : Bytes;
    /// Process only the first frame of multipart (un)subscription messages.
    /// Default false; XPUB, XSUB.
    @"draft" ZMQ_ONLY_FIRST_SUBSCRIBE "ZMQ_ONLY_FIRST_SUBSCRIBE" => - / set_only_first_subscribe : Bool;
    /// Forward every unsubscription upstream, not only the last one of a
    /// topic. Default false; XSUB.
    @"draft" ZMQ_XSUB_VERBOSE_UNSUBSCRIBE "ZMQ_XSUB_VERBOSE_UNSUBSCRIBE" => - / set_xsub_verbose_unsubscribe : Bool;
    /// Deliver messages that do NOT match the subscriptions. Default false;
    /// PUB, XPUB, SUB, XSUB.
    ZMQ_INVERT_MATCHING "ZMQ_INVERT_MATCHING" => invert_matching / set_invert_matching : Bool;

    // ---- connections ---------------------------------------------------------

    /// Delay before reconnecting; `None` = never reconnect. Milliseconds;
    /// default 100 ms; all connecting socket types.
    ZMQ_RECONNECT_IVL "ZMQ_RECONNECT_IVL" => reconnect_ivl["get_reconnect_ivl"] / set_reconnect_ivl : Millis;
    /// Upper bound of the exponential reconnect back-off; `None` = no
    /// back-off (always `ZMQ_RECONNECT_IVL`). Milliseconds; default `None`;
    /// all connecting socket types.
    ZMQ_RECONNECT_IVL_MAX "ZMQ_RECONNECT_IVL_MAX" => reconnect_ivl_max["get_reconnect_ivl_max"] / set_reconnect_ivl_max : MillisZeroNone;
    /// When to give up reconnecting. Flags; default empty (never);
    /// all connecting socket types.
    @"draft" ZMQ_RECONNECT_STOP "ZMQ_RECONNECT_STOP" => reconnect_stop / set_reconnect_stop : RecStop;
    /// Timeout of a TCP connect; `None` = the OS's. Milliseconds; default
    /// `None`; all socket types (tcp).
    ZMQ_CONNECT_TIMEOUT "ZMQ_CONNECT_TIMEOUT" => connect_timeout["get_connect_timeout"] / set_connect_timeout : MillisZeroNone;
    /// Longest a ZMTP handshake may take; `None` = no limit. Milliseconds;
    /// default 30 s; all connection-oriented socket types.
    ZMQ_HANDSHAKE_IVL "ZMQ_HANDSHAKE_IVL" => handshake_ivl["get_handshake_ivl"] / set_handshake_ivl : MillisZeroNone;
    /// Interval of ZMTP heartbeats (PING); `None` = no heartbeats.
    /// Milliseconds; default `None`; all connection-oriented socket types.
    /// The manual calls it set-only; libzmq's source also reads it.
    ZMQ_HEARTBEAT_IVL "ZMQ_HEARTBEAT_IVL" => heartbeat_ivl["get_heartbeat_ivl"] / set_heartbeat_ivl : MillisZeroNone;
    /// Time-to-live the peer should give this connection when heartbeats
    /// stop; `None` = none. Milliseconds, kept in tenths of a second (up to
    /// 6553.5 s); default `None`; all connection-oriented socket types.
    /// The manual calls it set-only; libzmq's source also reads it.
    ZMQ_HEARTBEAT_TTL "ZMQ_HEARTBEAT_TTL" => heartbeat_ttl["get_heartbeat_ttl"] / set_heartbeat_ttl : MillisZeroNone;
    /// How long to wait for traffic after a PING before closing; reads
    /// `None` until set (= `ZMQ_HEARTBEAT_IVL`). Milliseconds; all
    /// connection-oriented socket types. The manual calls it set-only;
    /// libzmq's source also reads it.
    ZMQ_HEARTBEAT_TIMEOUT "ZMQ_HEARTBEAT_TIMEOUT" => heartbeat_timeout["get_heartbeat_timeout"] / set_heartbeat_timeout : MillisUnset;
    /// Use an already bound/connected file descriptor for the next `bind`;
    /// `None` = create one. Raw fd; default `None`; all socket types (tcp,
    /// ipc).
    ZMQ_USE_FD "ZMQ_USE_FD" => use_fd / set_use_fd : OptInt;
    /// A message sent to each peer on connect (empty = none). Bytes;
    /// default none; all socket types with ZMTP peers.
    @"draft" ZMQ_HELLO_MSG "ZMQ_HELLO_MSG" => - / set_hello_msg : Bytes;
    /// A message the socket receives when a peer disconnects (empty =
    /// none). Bytes; default none; ROUTER, SERVER, PEER.
    @"draft" ZMQ_DISCONNECT_MSG "ZMQ_DISCONNECT_MSG" => - / set_disconnect_msg : Bytes;
    /// A message the socket receives when a connection is re-established
    /// (empty = none). Bytes; default none; DEALER, CLIENT, PAIR, CHANNEL...
    @"draft" ZMQ_HICCUP_MSG "ZMQ_HICCUP_MSG" => - / set_hiccup_msg : Bytes;

    // ---- network (tcp and friends) ---------------------------------------------

    /// IPv6 (and IPv4) on this socket instead of IPv4 only. Default false;
    /// all socket types (tcp, udp, ws).
    ZMQ_IPV6 "ZMQ_IPV6" => ipv6["is_ipv6"] / set_ipv6 : Bool;
    /// TCP keep-alive (`SO_KEEPALIVE`); `None` = the OS default. Default
    /// `None`; all socket types (tcp).
    ZMQ_TCP_KEEPALIVE "ZMQ_TCP_KEEPALIVE" => tcp_keepalive["get_tcp_keepalive"] / set_tcp_keepalive : OptBool;
    /// Unanswered keep-alive probes before dropping (`TCP_KEEPCNT`);
    /// `None` = the OS default. Count; default `None`; all socket types (tcp).
    ZMQ_TCP_KEEPALIVE_CNT "ZMQ_TCP_KEEPALIVE_CNT" => tcp_keepalive_cnt["get_tcp_keepalive_cnt"] / set_tcp_keepalive_cnt : OptInt;
    /// Idle time before keep-alive probes (`TCP_KEEPIDLE`); `None` = the OS
    /// default. Whole seconds (a fraction is `InvalidArgument`); default
    /// `None`; all socket types (tcp).
    ZMQ_TCP_KEEPALIVE_IDLE "ZMQ_TCP_KEEPALIVE_IDLE" => tcp_keepalive_idle["get_tcp_keepalive_idle"] / set_tcp_keepalive_idle : OptSecs;
    /// Interval of keep-alive probes (`TCP_KEEPINTVL`); `None` = the OS
    /// default. Whole seconds (a fraction is `InvalidArgument`); default
    /// `None`; all socket types (tcp).
    ZMQ_TCP_KEEPALIVE_INTVL "ZMQ_TCP_KEEPALIVE_INTVL" => tcp_keepalive_intvl["get_tcp_keepalive_intvl"] / set_tcp_keepalive_intvl : OptSecs;
    /// Longest time unacknowledged data may stay in flight
    /// (`TCP_USER_TIMEOUT`); `None` = the OS default. Milliseconds; default
    /// `None`; all socket types (tcp).
    ZMQ_TCP_MAXRT "ZMQ_TCP_MAXRT" => tcp_maxrt["get_tcp_maxrt"] / set_tcp_maxrt : MillisZeroNone;
    /// IP type-of-service / DSCP byte of outgoing packets. Number (0-255);
    /// default 0; all socket types (tcp, udp, pgm).
    ZMQ_TOS "ZMQ_TOS" => tos["get_tos"] / set_tos : NonNegInt;
    /// Protocol priority of outgoing packets (`SO_PRIORITY`, Linux). Number;
    /// default 0; all socket types (tcp).
    @"draft" ZMQ_PRIORITY "ZMQ_PRIORITY" => priority / set_priority : NonNegInt;
    /// Bind the socket's connections to a network interface
    /// (`SO_BINDTODEVICE`, up to 16 bytes; may need privileges). Interface
    /// name; default none; all socket types (tcp, udp).
    ZMQ_BINDTODEVICE "ZMQ_BINDTODEVICE" => bindtodevice / set_bindtodevice : Str;
    /// SOCKS5 proxy for outgoing tcp connections (`host:port`; empty =
    /// none). Default none; all socket types (tcp).
    ZMQ_SOCKS_PROXY "ZMQ_SOCKS_PROXY" => socks_proxy["get_socks_proxy"] / set_socks_proxy : Str;
    /// User name for the SOCKS5 proxy (up to 255 bytes; empty = none).
    /// Default none; all socket types (tcp).
    @"draft" ZMQ_SOCKS_USERNAME "ZMQ_SOCKS_USERNAME" => socks_username / set_socks_username : Str;
    /// Password for the SOCKS5 proxy (up to 255 bytes; empty = none).
    /// Default none; all socket types (tcp).
    @"draft" ZMQ_SOCKS_PASSWORD "ZMQ_SOCKS_PASSWORD" => socks_password / set_socks_password : Str;
    /// Windows' loopback fast path for tcp (no effect elsewhere). Default
    /// false; all socket types (tcp).
    @"draft" ZMQ_LOOPBACK_FASTPATH "ZMQ_LOOPBACK_FASTPATH" => loopback_fastpath / set_loopback_fastpath : Bool;
    /// Busy-poll time of the kernel socket (`SO_BUSY_POLL`, Linux).
    /// Microseconds; default 0 (off); all socket types (tcp). Set-only:
    /// libzmq 4.3.5's getter stores the value but then reports EINVAL (a bug
    /// in `options.cpp`), so no getter is offered.
    @"draft" ZMQ_BUSY_POLL "ZMQ_BUSY_POLL" => - / set_busy_poll : Int;

    // ---- multicast (pgm, epgm, norm) ------------------------------------------

    /// Multicast data rate. Kilobits per second (> 0); default 100;
    /// all socket types over pgm/epgm/norm.
    ZMQ_RATE "ZMQ_RATE" => rate["get_rate"] / set_rate : Int;
    /// How long a multicast receiver can recover lost data. Milliseconds;
    /// default 10 s; all socket types over pgm/epgm.
    ZMQ_RECOVERY_IVL "ZMQ_RECOVERY_IVL" => recovery_ivl["get_recovery_ivl"] / set_recovery_ivl : MillisDur;
    /// Multicast time-to-live (router hops). Hops (> 0); default 1;
    /// all socket types over pgm/epgm/udp.
    ZMQ_MULTICAST_HOPS "ZMQ_MULTICAST_HOPS" => multicast_hops["get_multicast_hops"] / set_multicast_hops : Int;
    /// Largest multicast datagram. Bytes (> 0); default 1500; all socket
    /// types over pgm/epgm.
    ZMQ_MULTICAST_MAXTPDU "ZMQ_MULTICAST_MAXTPDU" => multicast_maxtpdu / set_multicast_maxtpdu : Int;
    /// Loop multicast datagrams back to the sending host. Default true;
    /// RADIO, DISH, DGRAM (udp).
    @"draft" ZMQ_MULTICAST_LOOP "ZMQ_MULTICAST_LOOP" => multicast_loop / set_multicast_loop : Bool;
    /// NORM congestion-control mode. Default [`NormMode::Cc`]; all socket
    /// types over norm (libzmq built with NORM only).
    @"draft" ZMQ_NORM_MODE "ZMQ_NORM_MODE" => norm_mode / set_norm_mode : Norm;
    /// NORM unicast NACKs, for receivers without multicast. Default false;
    /// all socket types over norm.
    @"draft" ZMQ_NORM_UNICAST_NACK "ZMQ_NORM_UNICAST_NACK" => norm_unicast_nack / set_norm_unicast_nack : Bool;
    /// NORM buffer size. Kilobytes (> 0); default 2048; all socket types
    /// over norm.
    @"draft" ZMQ_NORM_BUFFER_SIZE "ZMQ_NORM_BUFFER_SIZE" => norm_buffer_size / set_norm_buffer_size : Int;
    /// NORM segment size. Bytes (> 0); default 1400; all socket types over
    /// norm.
    @"draft" ZMQ_NORM_SEGMENT_SIZE "ZMQ_NORM_SEGMENT_SIZE" => norm_segment_size / set_norm_segment_size : Int;
    /// NORM FEC block size. Segments (1-255); default 16; all socket types
    /// over norm.
    @"draft" ZMQ_NORM_BLOCK_SIZE "ZMQ_NORM_BLOCK_SIZE" => norm_block_size / set_norm_block_size : Int;
    /// NORM FEC parity segments per block. Segments (0-254); default 4;
    /// all socket types over norm.
    @"draft" ZMQ_NORM_NUM_PARITY "ZMQ_NORM_NUM_PARITY" => norm_num_parity / set_norm_num_parity : Int;
    /// NORM parity segments sent proactively. Segments (0-254); default 0;
    /// all socket types over norm.
    @"draft" ZMQ_NORM_NUM_AUTOPARITY "ZMQ_NORM_NUM_AUTOPARITY" => norm_num_autoparity / set_norm_num_autoparity : Int;
    /// NORM stream push mode (drop old data instead of blocking). Default
    /// false; all socket types over norm.
    @"draft" ZMQ_NORM_PUSH "ZMQ_NORM_PUSH" => norm_push / set_norm_push : Bool;

    // ---- VMCI (libzmq built with VMCI only) -------------------------------------

    /// VMCI buffer size. Bytes; default 0 (VMCI's); all socket types over
    /// vmci. Set-only: the manual documents a getter, libzmq's source has
    /// none.
    ZMQ_VMCI_BUFFER_SIZE "ZMQ_VMCI_BUFFER_SIZE" => - / set_vmci_buffer_size : Uint64;
    /// VMCI minimum buffer size. Bytes; default 0 (VMCI's); all socket
    /// types over vmci. Set-only, as `ZMQ_VMCI_BUFFER_SIZE`.
    ZMQ_VMCI_BUFFER_MIN_SIZE "ZMQ_VMCI_BUFFER_MIN_SIZE" => - / set_vmci_buffer_min_size : Uint64;
    /// VMCI maximum buffer size. Bytes; default 0 (VMCI's); all socket
    /// types over vmci. Set-only, as `ZMQ_VMCI_BUFFER_SIZE`.
    ZMQ_VMCI_BUFFER_MAX_SIZE "ZMQ_VMCI_BUFFER_MAX_SIZE" => - / set_vmci_buffer_max_size : Uint64;
    /// VMCI connect timeout; `None` = none. Milliseconds; default `None`;
    /// all socket types over vmci. Set-only, as `ZMQ_VMCI_BUFFER_SIZE`.
    ZMQ_VMCI_CONNECT_TIMEOUT "ZMQ_VMCI_CONNECT_TIMEOUT" => - / set_vmci_connect_timeout : Millis;

    // ---- security: ZAP, PLAIN, CURVE, GSSAPI -------------------------------------

    /// ZAP authentication domain (up to 255 bytes; cannot be reset to
    /// empty). Default empty; all socket types.
    ZMQ_ZAP_DOMAIN "ZMQ_ZAP_DOMAIN" => zap_domain["get_zap_domain"] / set_zap_domain : Str;
    /// Require a ZAP handler for the domain, even for NULL security. Default
    /// false; all socket types.
    @"draft" ZMQ_ZAP_ENFORCE_DOMAIN "ZMQ_ZAP_ENFORCE_DOMAIN" => zap_enforce_domain / set_zap_enforce_domain : Bool;
    /// Application metadata sent in the handshake, as `"X-Key:value"`
    /// (one property per call). Default none; all socket types.
    @"draft" ZMQ_METADATA "ZMQ_METADATA" => - / set_metadata : Str;
    /// Act as PLAIN server (`true`) or go back to NULL security. Default
    /// false; all socket types.
    ZMQ_PLAIN_SERVER "ZMQ_PLAIN_SERVER" => plain_server["is_plain_server"] / set_plain_server : Bool;
    /// PLAIN user name (1 to 255 bytes; empty = back to NULL security);
    /// makes the socket a PLAIN client. Default empty; all socket types.
    ZMQ_PLAIN_USERNAME "ZMQ_PLAIN_USERNAME" => plain_username["get_plain_username"] / set_plain_username : Str;
    /// PLAIN password (1 to 255 bytes; empty = back to NULL security);
    /// makes the socket a PLAIN client. Default empty; all socket types.
    ZMQ_PLAIN_PASSWORD "ZMQ_PLAIN_PASSWORD" => plain_password["get_plain_password"] / set_plain_password : Str;
    /// Act as CURVE server (`true`) or go back to NULL security. Default
    /// false; all socket types (needs CURVE in libzmq). The manual calls
    /// it set-only; libzmq's source also reads it.
    ZMQ_CURVE_SERVER "ZMQ_CURVE_SERVER" => curve_server["is_curve_server"] / set_curve_server : Bool;
    /// This socket's long-term public CURVE key. [`CurveKey`]; default all
    /// zeros; all socket types (needs CURVE).
    ZMQ_CURVE_PUBLICKEY "ZMQ_CURVE_PUBLICKEY" => curve_publickey["get_curve_publickey"] / set_curve_publickey : Key;
    /// This socket's long-term secret CURVE key. [`CurveKey`]; default all
    /// zeros; all socket types (needs CURVE).
    ZMQ_CURVE_SECRETKEY "ZMQ_CURVE_SECRETKEY" => curve_secretkey["get_curve_secretkey"] / set_curve_secretkey : Key;
    /// The server's public CURVE key; makes the socket a CURVE client.
    /// [`CurveKey`]; default all zeros; all socket types (needs CURVE).
    ZMQ_CURVE_SERVERKEY "ZMQ_CURVE_SERVERKEY" => curve_serverkey["get_curve_serverkey"] / set_curve_serverkey : Key;
    /// Act as GSSAPI server. Default false; all socket types (needs
    /// libzmq built with GSSAPI, else `InvalidArgument`).
    ZMQ_GSSAPI_SERVER "ZMQ_GSSAPI_SERVER" => gssapi_server["is_gssapi_server"] / set_gssapi_server : Bool;
    /// This socket's GSSAPI principal (up to 255 bytes). Default empty; all
    /// socket types (needs GSSAPI).
    ZMQ_GSSAPI_PRINCIPAL "ZMQ_GSSAPI_PRINCIPAL" => gssapi_principal["get_gssapi_principal"] / set_gssapi_principal : Str;
    /// The server's GSSAPI principal; makes the socket a GSSAPI client (up
    /// to 255 bytes). Default empty; all socket types (needs GSSAPI).
    ZMQ_GSSAPI_SERVICE_PRINCIPAL "ZMQ_GSSAPI_SERVICE_PRINCIPAL" => gssapi_service_principal["get_gssapi_service_principal"] / set_gssapi_service_principal : Str;
    /// Disable GSSAPI encryption (authentication only). Default false; all
    /// socket types (needs GSSAPI).
    ZMQ_GSSAPI_PLAINTEXT "ZMQ_GSSAPI_PLAINTEXT" => gssapi_plaintext["is_gssapi_plaintext"] / set_gssapi_plaintext : Bool;
    /// Name type of `ZMQ_GSSAPI_PRINCIPAL`. Default
    /// [`GssapiNameType::HostBased`]; all socket types (needs GSSAPI).
    ZMQ_GSSAPI_PRINCIPAL_NAMETYPE "ZMQ_GSSAPI_PRINCIPAL_NAMETYPE" => gssapi_principal_nametype / set_gssapi_principal_nametype : GssNt;
    /// Name type of `ZMQ_GSSAPI_SERVICE_PRINCIPAL`. Default
    /// [`GssapiNameType::HostBased`]; all socket types (needs GSSAPI).
    ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE "ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE" => gssapi_service_principal_nametype / set_gssapi_service_principal_nametype : GssNt;

    // ---- WebSocket over TLS (libzmq built with WSS only; set-only in source) --------

    /// Private key of a wss server, PEM. Default none; all socket types
    /// over wss. Set-only: libzmq has no getter.
    @"draft" ZMQ_WSS_KEY_PEM "ZMQ_WSS_KEY_PEM" => - / set_wss_key_pem : Str;
    /// Certificate of a wss server, PEM. Default none; all socket types
    /// over wss. Set-only: libzmq has no getter.
    @"draft" ZMQ_WSS_CERT_PEM "ZMQ_WSS_CERT_PEM" => - / set_wss_cert_pem : Str;
    /// Certificate a wss client trusts, PEM. Default none; all socket types
    /// over wss. Set-only: libzmq has no getter.
    @"draft" ZMQ_WSS_TRUST_PEM "ZMQ_WSS_TRUST_PEM" => - / set_wss_trust_pem : Str;
    /// Host name a wss client verifies. Default none; all socket types over
    /// wss. Set-only: libzmq has no getter.
    @"draft" ZMQ_WSS_HOSTNAME "ZMQ_WSS_HOSTNAME" => - / set_wss_hostname : Str;
    /// Trust the system's certificate store for wss. Default false; all
    /// socket types over wss. Set-only: libzmq has no getter.
    @"draft" ZMQ_WSS_TRUST_SYSTEM "ZMQ_WSS_TRUST_SYSTEM" => - / set_wss_trust_system : Bool;

    // End of the table.
}
