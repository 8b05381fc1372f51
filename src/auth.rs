//! A ZAP authenticator (ZeroMQ RFC 27), as pyzmq's `zmq.auth` and czmq's
//! `zauth`: a thread answering libzmq's authentication requests for the
//! server sockets of one context, with IP allow/deny rules (addresses and
//! CIDR ranges), PLAIN passwords and CURVE keys (any, listed, or from a
//! directory of certificates), per ZAP domain.
//!
//! libzmq asks the handler bound at `inproc://zeromq.zap.01` **in the
//! server socket's own context**; [`Authenticator::guard`] checks a socket
//! against a handler of another context, and makes sure libzmq asks.
//!
//! # Fail closed
//! When no handler is bound, libzmq 4.3.5 lets CURVE clients in unchecked
//! (and NULL clients of a socket with a ZAP domain). This crate never leaves
//! a context in that state once an authenticator has run in it: when the
//! [`Authenticator`] is stopped or dropped, its thread stays bound and
//! refuses every request (status 400) until the context terminates; a new
//! [`Authenticator::start`] on the context takes the same thread over. The
//! thread does not keep the context alive: it holds its socket without a
//! [`Context`] handle and ends when the context terminates.
//!
//! # Domains
//! A socket's ZAP domain selects the configuration: the empty domain is
//! [`ANY_DOMAIN`] (`"*"`); any other domain must have been configured
//! itself, or PLAIN and CURVE clients of it are refused (as pyzmq does).
//! NULL clients are checked against the IP rules only, and libzmq asks the
//! handler about them only when the socket has a ZAP domain: without one,
//! IP rules do nothing for NULL sockets. [`Authenticator::guard`] gives a
//! socket without a domain the domain `"*"`, so guarded NULL sockets get
//! the IP rules too.

use std::collections::{HashMap, HashSet};
use std::ffi::c_void;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::ptr::NonNull;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use zeroize::{Zeroize, Zeroizing};

use crate::cert::{check_secret_file, read_regular_file, Certificate};
use crate::error::{check, Error, Result};
use crate::message::Message;
use crate::socket::{Socket, SocketType};
use crate::{Context, CurveKey};

/// The endpoint libzmq sends ZAP requests to.
pub const ZAP_ENDPOINT: &str = "inproc://zeromq.zap.01";

/// The domain of sockets without a ZAP domain, and the name to configure it.
pub const ANY_DOMAIN: &str = "*";

/// The largest password file [`Authenticator::configure_plain_file`] reads.
pub const MAX_PASSWORD_FILE_LEN: u64 = 1 << 20;

/// The `ZMQ_MAXMSGSIZE` [`Authenticator::guard`] gives a socket that has
/// no limit: 1 MiB. It bounds what an unauthenticated peer can make the
/// server hold per connection (a frame header claiming gigabytes makes
/// libzmq allocate and fill a buffer of that size, before authentication),
/// and the messages of authenticated peers too: raise it with
/// [`Socket::set_maxmsgsize`] before `guard`, or use
/// [`Authenticator::guard_with_max_msg_size`]. docs/SECURITY.md has the
/// memory measured with and without it.
pub const GUARD_MAX_MSG_SIZE: i64 = 1 << 20;

/// Whether the owner and mode of a file holding secrets (a secret key, a
/// password file) are checked when it is read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SecretFilePolicy {
    /// As ssh does with its keys: the file must belong to the user running
    /// the process, and group and others must have no access (mode 0600 or
    /// 0400); else the read fails with an error that says why and how to fix
    /// it. The default.
    #[default]
    OwnerOnly,
    /// Any owner and mode: for places where you cannot choose them (some
    /// secret volumes mount files root-owned and world-readable). Anyone who
    /// can read the file has the secret.
    AnyOwnerAndMode,
}

/// `ZMQ_ZAP_ENFORCE_DOMAIN`: a DRAFT option in zmq.h, honoured by every
/// libzmq build since 4.2.3 (options.cpp handles it outside the draft
/// guards), so it is set here without the `draft` feature.
const ZMQ_ZAP_ENFORCE_DOMAIN: i32 = 93;

/// A parsed ZAP request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZapRequest {
    /// Echoed in the reply.
    pub request_id: Vec<u8>,
    /// The server socket's ZAP domain.
    pub domain: String,
    /// The client's address as libzmq gives it (IP address for tcp).
    pub address: String,
    /// The client connection's routing id.
    pub identity: Vec<u8>,
    /// What the client presented.
    pub credentials: Credentials,
}

/// The credentials of a ZAP request, by mechanism.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// No security.
    Null,
    /// User name and password in clear text.
    Plain {
        /// The user name.
        username: String,
        /// The password, wiped from memory on drop and never shown by `Debug`.
        password: Zeroizing<String>,
    },
    /// The client's long-term public key.
    Curve(CurveKey),
    /// A GSSAPI principal.
    Gssapi(Vec<u8>),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Null => f.write_str("Null"),
            Credentials::Plain { username, .. } => f
                .debug_struct("Plain")
                .field("username", username)
                .finish_non_exhaustive(),
            Credentials::Curve(key) => f.debug_tuple("Curve").field(&key.to_z85()).finish(),
            Credentials::Gssapi(p) => f.debug_tuple("Gssapi").field(p).finish(),
        }
    }
}

/// Why a request could not be parsed; the reply is a 500 then, or a 400 for
/// PLAIN credentials that are not UTF-8 (a client's bad credentials, not a
/// fault of the server).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MalformedRequest {
    /// The request id, if the frames got that far (echoed in the 500 reply).
    pub request_id: Vec<u8>,
    /// What was wrong.
    pub reason: &'static str,
}

const PLAIN_USER_NOT_UTF8: &str = "PLAIN user name is not UTF-8";
const PLAIN_PASSWORD_NOT_UTF8: &str = "PLAIN password is not UTF-8";

impl MalformedRequest {
    /// Whether the fault is the client's credentials (PLAIN user name or
    /// password not UTF-8, which no configured user can match): refused
    /// with 400, not 500.
    pub fn is_bad_credentials(&self) -> bool {
        self.reason == PLAIN_USER_NOT_UTF8 || self.reason == PLAIN_PASSWORD_NOT_UTF8
    }
}

impl ZapRequest {
    /// Parses the frames of a request (after the envelope).
    pub fn parse(frames: &[&[u8]]) -> std::result::Result<ZapRequest, MalformedRequest> {
        let request_id = frames.get(1).map(|f| f.to_vec()).unwrap_or_default();
        let bad = |reason| MalformedRequest {
            request_id: request_id.clone(),
            reason,
        };
        let text = |frame: &[u8], what| {
            std::str::from_utf8(frame)
                .map(str::to_owned)
                .map_err(|_| bad(what))
        };
        let [version, _, domain, address, identity, mechanism, credentials @ ..] = frames else {
            return Err(bad("a ZAP request has at least 6 frames"));
        };
        if *version != b"1.0" {
            return Err(bad("unsupported ZAP version"));
        }
        let credentials = match (*mechanism, credentials) {
            (b"NULL", []) => Credentials::Null,
            (b"PLAIN", [user, pass]) => Credentials::Plain {
                username: text(user, PLAIN_USER_NOT_UTF8)?,
                // Checked in place, then copied once into a buffer wiped on drop.
                password: Zeroizing::new(text(pass, PLAIN_PASSWORD_NOT_UTF8)?),
            },
            (b"CURVE", [key]) => Credentials::Curve(
                CurveKey::from_bytes(key).map_err(|_| bad("CURVE key is not 32 bytes"))?,
            ),
            (b"GSSAPI", [principal]) => Credentials::Gssapi(principal.to_vec()),
            _ => return Err(bad("unknown mechanism or wrong number of credentials")),
        };
        Ok(ZapRequest {
            domain: text(domain, "domain is not UTF-8")?,
            address: text(address, "address is not UTF-8")?,
            identity: identity.to_vec(),
            credentials,
            request_id,
        })
    }
}

/// The answer to a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZapReply {
    /// "200" success, "300" temporary error, "400" refused, "500" internal error.
    pub status_code: &'static str,
    /// Why.
    pub status_text: String,
    /// The identity the server sees as the message property "User-Id".
    pub user_id: String,
}

impl ZapReply {
    fn allow(user_id: String) -> ZapReply {
        ZapReply {
            status_code: "200",
            status_text: "OK".into(),
            user_id,
        }
    }

    fn deny(why: &str) -> ZapReply {
        ZapReply {
            status_code: "400",
            status_text: why.into(),
            user_id: String::new(),
        }
    }
}

/// An IP rule: one address, or a CIDR range (`10.0.0.0/8`, `fd00::/8`).
///
/// IPv4-mapped IPv6 addresses (`::ffff:10.1.2.3`, what a dual-stack
/// listener reports for an IPv4 client) are the IPv4 address they map, in
/// rules and in requests alike; an IPv6 rule whose range contains mapped
/// addresses (`::/0`) matches those IPv4 clients too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IpRule {
    network: IpAddr,
    prefix: u8,
}

impl IpRule {
    /// Parses an address or a range. A range with host bits set
    /// (`10.0.0.1/8`), a prefix beyond the address size, a scope id or
    /// anything else that is not an address is [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument).
    pub fn parse(rule: &str) -> Result<IpRule> {
        let (address, prefix) = match rule.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (rule, None),
        };
        let address: IpAddr = address
            .parse()
            .map_err(|_| Error::from(crate::ErrorKind::InvalidArgument))?;
        let width = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => width,
            Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => p
                .parse::<u8>()
                .map_err(|_| Error::from(crate::ErrorKind::InvalidArgument))?,
            Some(_) => return Err(Error::from(crate::ErrorKind::InvalidArgument)),
        };
        if prefix > width {
            return Err(Error::from(crate::ErrorKind::InvalidArgument));
        }
        let rule = match address {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) if prefix >= 96 => IpRule {
                    network: IpAddr::V4(v4),
                    prefix: prefix - 96,
                },
                _ => IpRule {
                    network: address,
                    prefix,
                },
            },
            IpAddr::V4(_) => IpRule {
                network: address,
                prefix,
            },
        };
        if rule.network_bits() & !mask(rule.prefix, rule.width()) != 0 {
            return Err(Error::from(crate::ErrorKind::InvalidArgument)); // host bits set
        }
        Ok(rule)
    }

    fn width(&self) -> u8 {
        if self.network.is_ipv4() {
            32
        } else {
            128
        }
    }

    fn network_bits(&self) -> u128 {
        match self.network {
            IpAddr::V4(v4) => u128::from(u32::from(v4)),
            IpAddr::V6(v6) => u128::from(v6),
        }
    }

    /// Whether `address` (canonical: never IPv4-mapped) is in this rule.
    fn matches(&self, address: IpAddr) -> bool {
        let bits = match (self.network, address) {
            (IpAddr::V4(_), IpAddr::V4(a)) => u128::from(u32::from(a)),
            (IpAddr::V6(_), IpAddr::V6(a)) => u128::from(a),
            (IpAddr::V6(_), IpAddr::V4(a)) => u128::from(a.to_ipv6_mapped()),
            (IpAddr::V4(_), IpAddr::V6(_)) => return false,
        };
        bits & mask(self.prefix, self.width()) == self.network_bits()
    }
}

impl std::fmt::Display for IpRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

impl std::str::FromStr for IpRule {
    type Err = Error;
    fn from_str(rule: &str) -> Result<IpRule> {
        IpRule::parse(rule)
    }
}

/// The `prefix` leading one bits of a `width`-bit address, right-aligned.
fn mask(prefix: u8, width: u8) -> u128 {
    let all = if width == 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    };
    all & !all.checked_shr(u32::from(prefix)).unwrap_or(0)
}

/// The IP address of a ZAP request's address frame, canonical (IPv4-mapped
/// addresses as IPv4); `None` for non-IP peers (ipc, inproc).
fn peer_ip(address: &str) -> Option<IpAddr> {
    let address = address.split('%').next().unwrap_or(address); // scope id
    match address.parse().ok()? {
        IpAddr::V6(v6) => Some(v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)),
        v4 => Some(v4),
    }
}

/// How CURVE clients are checked in a domain.
#[derive(Clone, Default)]
enum CurvePolicy {
    /// CURVE clients are refused.
    #[default]
    Refuse,
    /// Any client key (encryption without client authentication).
    AllowAny,
    /// Only these keys; `dir` is reloaded on request.
    Keys {
        keys: HashSet<[u8; 32]>,
        dir: Option<PathBuf>,
    },
}

/// One domain's rules. No `Debug`: it holds passwords.
#[derive(Clone, Default)]
struct DomainConfig {
    passwords: Option<HashMap<String, Zeroizing<String>>>,
    curve: CurvePolicy,
}

/// The authenticator's rules.
#[derive(Default)]
struct Config {
    allow: Vec<IpRule>,
    deny: Vec<IpRule>,
    domains: HashMap<String, DomainConfig>,
}

/// Compares two secrets without stopping at the first difference.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Config {
    /// The configuration of a domain: the empty domain is [`ANY_DOMAIN`];
    /// a named domain must be configured itself.
    fn domain(&self, name: &str) -> Option<&DomainConfig> {
        self.domains
            .get(if name.is_empty() { ANY_DOMAIN } else { name })
    }

    fn authenticate(&self, request: &ZapRequest) -> ZapReply {
        // Deny wins; an allow list refuses every address not on it (and
        // every non-IP peer).
        let ip = peer_ip(&request.address);
        if ip.is_some_and(|ip| self.deny.iter().any(|r| r.matches(ip))) {
            return ZapReply::deny("address is denied");
        }
        if !self.allow.is_empty() && !ip.is_some_and(|ip| self.allow.iter().any(|r| r.matches(ip)))
        {
            return ZapReply::deny("address is not allowed");
        }
        let domain = self.domain(&request.domain);
        match &request.credentials {
            Credentials::Null => ZapReply::allow(String::new()),
            Credentials::Plain { username, password } => {
                match domain.and_then(|d| d.passwords.as_ref()) {
                    Some(table) => match table.get(username) {
                        Some(known) if same_secret(known.as_bytes(), password.as_bytes()) => {
                            ZapReply::allow(username.clone())
                        }
                        _ => ZapReply::deny("invalid user name or password"),
                    },
                    None if domain.is_none() => ZapReply::deny("unknown domain"),
                    None => ZapReply::deny("PLAIN is not configured for this domain"),
                }
            }
            Credentials::Curve(key) => {
                let allowed = match domain.map(|d| &d.curve) {
                    Some(CurvePolicy::AllowAny) => true,
                    Some(CurvePolicy::Keys { keys, .. }) => keys.contains(key.as_bytes()),
                    Some(CurvePolicy::Refuse) => false,
                    None => return ZapReply::deny("unknown domain"),
                };
                if allowed {
                    ZapReply::allow(key.to_z85())
                } else {
                    ZapReply::deny("unknown CURVE key")
                }
            }
            Credentials::Gssapi(_) => {
                ZapReply::deny("GSSAPI is not supported by this authenticator")
            }
        }
    }
}

/// Answers one request's frames (after the envelope): by `config`, or, with
/// none (the authenticator was stopped), a refusal. Malformed requests get
/// a 500.
fn answer(config: Option<&Config>, frames: &[&[u8]]) -> (Vec<u8>, ZapReply) {
    match ZapRequest::parse(frames) {
        Ok(request) => {
            let reply = match config {
                Some(config) => config.authenticate(&request),
                None => ZapReply::deny("the authenticator was stopped"),
            };
            (request.request_id, reply)
        }
        Err(bad) if bad.is_bad_credentials() => (
            bad.request_id,
            ZapReply::deny("invalid user name or password"),
        ),
        Err(bad) => (
            bad.request_id,
            ZapReply {
                status_code: "500",
                status_text: bad.reason.into(),
                user_id: String::new(),
            },
        ),
    }
}

fn load_keys(dir: &Path) -> Result<HashSet<[u8; 32]>> {
    Ok(Certificate::load_dir(dir)?
        .iter()
        .map(|c| *c.public_key().as_bytes())
        .collect())
}

/// What the handler thread of a context answers with.
enum Mode {
    /// An [`Authenticator`] is running: its rules.
    Serving(Config),
    /// The authenticator was stopped: refuse everyone.
    Stopped,
}

/// The state a context's handler thread shares with its authenticator.
struct Handler {
    mode: Mutex<Mode>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The handler thread of every context that has one, by the context's
/// address. A thread removes its entry before it closes its socket, so
/// before its context can finish terminating and the address be reused.
static HANDLERS: Mutex<Vec<(usize, Arc<Handler>)>> = Mutex::new(Vec::new());

/// A running ZAP handler for one context, with its rules.
///
/// Stopping or dropping it never blocks and never opens the door: from then
/// on every client of the context's authenticated sockets is refused (see
/// the [module documentation](self)). Keep it for as long as the servers
/// it protects should admit clients.
///
/// ```no_run
/// use zmq::{auth::Authenticator, Certificate, Context, SocketType};
/// let ctx = Context::new();
/// let auth = Authenticator::start(&ctx)?;
/// auth.allow("127.0.0.1")?;
/// auth.allow("10.0.0.0/8")?;
/// auth.configure_curve_directory("*", "public_keys")?;
///
/// let server_cert = Certificate::load("server.key_secret")?;
/// let server = ctx.socket(SocketType::Rep)?;
/// server_cert.apply_server(&server)?;
/// auth.guard(&server)?; // before bind: same context, ZAP domain enforced
/// server.bind("tcp://*:9000")?;
/// # Ok::<(), zmq::Error>(())
/// ```
#[must_use = "dropping the Authenticator stops it, and from then on every client is refused"]
pub struct Authenticator {
    ctx: Context,
    handler: Arc<Handler>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator").finish_non_exhaustive()
    }
}

impl Authenticator {
    /// Starts answering ZAP requests in `ctx`: binds the ZAP endpoint, or
    /// takes over the handler a stopped authenticator of `ctx` left. Fails
    /// with [`ErrorKind::AddrInUse`](crate::ErrorKind::AddrInUse) if the context has a running authenticator
    /// or a ZAP handler of its own.
    #[must_use = "dropping the Authenticator stops it, and from then on every client is refused"]
    pub fn start(ctx: &Context) -> Result<Authenticator> {
        let key = ctx.as_raw() as usize;
        let mut handlers = lock(&HANDLERS);
        if let Some((_, handler)) = handlers.iter().find(|(k, _)| *k == key) {
            let mut mode = lock(&handler.mode);
            if matches!(*mode, Mode::Serving(_)) {
                return Err(Error::from(crate::ErrorKind::AddrInUse));
            }
            *mode = Mode::Serving(Config::default());
            drop(mode);
            return Ok(Authenticator {
                ctx: ctx.clone(),
                handler: Arc::clone(handler),
            });
        }
        // ROUTER rather than REP: no send/receive state to get stuck in.
        let zap = ctx.socket(SocketType::Router)?;
        zap.set_linger(Some(Duration::ZERO))?;
        zap.bind(ZAP_ENDPOINT)?;
        // `ctx` (borrowed from the caller) outlives this, so detaching does
        // not drop the last handle of the context.
        let zap = ZapSocket::detach(zap)?;
        let handler = Arc::new(Handler {
            mode: Mutex::new(Mode::Serving(Config::default())),
        });
        let shared = Arc::clone(&handler);
        std::thread::Builder::new()
            .name("zmq-auth".into())
            .spawn(move || serve(zap, key, &shared))
            .map_err(|_| Error::from(crate::ErrorKind::NoThreads))?;
        handlers.push((key, Arc::clone(&handler)));
        Ok(Authenticator {
            ctx: ctx.clone(),
            handler,
        })
    }

    fn update(&self, f: impl FnOnce(&mut Config)) {
        if let Mode::Serving(config) = &mut *lock(&self.handler.mode) {
            f(config);
        }
    }

    fn update_domain(&self, domain: &str, f: impl FnOnce(&mut DomainConfig)) {
        self.update(|c| f(c.domains.entry(domain.to_owned()).or_default()));
    }

    /// Allows an IP address or range ([`IpRule`]); once any is allowed, all
    /// other addresses (and non-IP peers) are refused. A malformed rule is
    /// [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument) and changes nothing. IP rules reach NULL
    /// sockets only if they have a ZAP domain ([`Authenticator::guard`]).
    pub fn allow(&self, rule: impl AsRef<str>) -> Result<()> {
        let rule = IpRule::parse(rule.as_ref())?;
        self.update(|c| c.allow.push(rule));
        Ok(())
    }

    /// Denies an IP address or range ([`IpRule`]), whatever the credentials
    /// (deny wins over allow). A malformed rule is [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument).
    pub fn deny(&self, rule: impl AsRef<str>) -> Result<()> {
        let rule = IpRule::parse(rule.as_ref())?;
        self.update(|c| c.deny.push(rule));
        Ok(())
    }

    /// PLAIN users of a domain ([`ANY_DOMAIN`] for sockets without one), as
    /// user -> password. The passwords are wiped from memory when replaced
    /// or when the authenticator stops.
    pub fn configure_plain(&self, domain: &str, passwords: HashMap<String, String>) {
        let passwords = passwords
            .into_iter()
            .map(|(user, password)| (user, Zeroizing::new(password)))
            .collect();
        self.update_domain(domain, |d| d.passwords = Some(passwords));
    }

    /// PLAIN users from a file of `user=password` lines (`#` comments). The
    /// file must be a regular file (not a symbolic link, FIFO or device) of
    /// at most [`MAX_PASSWORD_FILE_LEN`] bytes of UTF-8, owned by the user
    /// running the process and private to that user (mode 0600 or 0400), as
    /// [`SecretFilePolicy::OwnerOnly`] says; every error names the file.
    pub fn configure_plain_file(&self, domain: &str, path: impl AsRef<Path>) -> Result<()> {
        self.configure_plain_file_with(domain, path, SecretFilePolicy::OwnerOnly)
    }

    /// [`Authenticator::configure_plain_file`], with the given check of the
    /// file's owner and mode.
    pub fn configure_plain_file_with(
        &self,
        domain: &str,
        path: impl AsRef<Path>,
        policy: SecretFilePolicy,
    ) -> Result<()> {
        let path = path.as_ref();
        let file = read_regular_file(path, MAX_PASSWORD_FILE_LEN)?;
        check_secret_file(path, &file, policy, "passwords")?;
        let text = std::str::from_utf8(&file.bytes).map_err(|_| {
            Error::from(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: password file is not UTF-8", path.display()),
            ))
        })?;
        let passwords = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(u, p)| (u.trim().to_owned(), Zeroizing::new(p.trim().to_owned())))
            .collect();
        self.update_domain(domain, |d| d.passwords = Some(passwords));
        Ok(())
    }

    /// Lets any CURVE client in (encryption without client authentication).
    pub fn configure_curve_any(&self, domain: &str) {
        self.update_domain(domain, |d| d.curve = CurvePolicy::AllowAny);
    }

    /// Lets in only CURVE clients with these public keys.
    pub fn configure_curve_keys<'k>(
        &self,
        domain: &str,
        keys: impl IntoIterator<Item = &'k CurveKey>,
    ) {
        let keys = keys.into_iter().map(|k| *k.as_bytes()).collect();
        self.update_domain(domain, |d| d.curve = CurvePolicy::Keys { keys, dir: None });
    }

    /// Lets in only CURVE clients whose public certificates (`*.key`) are in
    /// `dir`; [`Authenticator::reload`] reads the directory again. Each file
    /// is read as [`Certificate::load`] does.
    pub fn configure_curve_directory(&self, domain: &str, dir: impl Into<PathBuf>) -> Result<()> {
        let dir = dir.into();
        let keys = load_keys(&dir)?;
        self.update_domain(domain, |d| {
            d.curve = CurvePolicy::Keys {
                keys,
                dir: Some(dir),
            }
        });
        Ok(())
    }

    /// Reads every configured certificate directory again.
    pub fn reload(&self) -> Result<()> {
        let mut dirs: Vec<(String, PathBuf)> = Vec::new();
        self.update(|config| {
            dirs = config
                .domains
                .iter()
                .filter_map(|(name, d)| match &d.curve {
                    CurvePolicy::Keys { dir: Some(dir), .. } => Some((name.clone(), dir.clone())),
                    _ => None,
                })
                .collect();
        });
        for (domain, dir) in dirs {
            self.configure_curve_directory(&domain, dir)?;
        }
        Ok(())
    }

    /// Prepares a server socket to be authenticated here; call it before
    /// the socket's first `bind` or `connect` (libzmq copies the options
    /// then), or get [`ErrorKind::InvalidState`](crate::ErrorKind::InvalidState).
    ///
    /// - A socket of another context gives [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument): its
    ///   handshakes would never reach this authenticator.
    /// - A socket without a ZAP domain gets [`ANY_DOMAIN`], so that libzmq
    ///   asks about NULL clients too (IP rules).
    /// - `ZMQ_ZAP_ENFORCE_DOMAIN` is set where libzmq takes it: then libzmq
    ///   itself refuses clients if no ZAP handler is bound at all.
    /// - A socket without a message size limit (`ZMQ_MAXMSGSIZE` -1, the
    ///   default) gets [`GUARD_MAX_MSG_SIZE`] (1 MiB): libzmq applies the
    ///   limit from the first byte of the handshake, so a peer that is not
    ///   authenticated yet can make the server hold at most that much per
    ///   connection, not the gigabytes a frame header may claim. A limit
    ///   set before `guard` is kept; [`Authenticator::guard_with_max_msg_size`]
    ///   chooses another.
    pub fn guard(&self, socket: &Socket) -> Result<()> {
        self.check_guardable(socket)?;
        if socket.maxmsgsize()? < 0 {
            socket.set_maxmsgsize(GUARD_MAX_MSG_SIZE)?;
        }
        self.enforce(socket)
    }

    /// [`Authenticator::guard`], with `ZMQ_MAXMSGSIZE` set to `limit`
    /// bytes; `None` removes the limit, and with it the bound on what an
    /// unauthenticated peer can make the server allocate (docs/SECURITY.md).
    pub fn guard_with_max_msg_size(&self, socket: &Socket, limit: Option<u64>) -> Result<()> {
        let limit = match limit {
            Some(n) => {
                i64::try_from(n).map_err(|_| Error::from(crate::ErrorKind::InvalidArgument))?
            }
            None => -1,
        };
        self.check_guardable(socket)?;
        socket.set_maxmsgsize(limit)?;
        self.enforce(socket)
    }

    fn check_guardable(&self, socket: &Socket) -> Result<()> {
        if socket.context().as_raw() != self.ctx.as_raw() {
            return Err(Error::from(crate::ErrorKind::InvalidArgument));
        }
        if !socket.last_endpoint()?.is_empty() {
            return Err(Error::from(crate::ErrorKind::InvalidState));
        }
        Ok(())
    }

    fn enforce(&self, socket: &Socket) -> Result<()> {
        if socket.zap_domain()?.is_empty() {
            socket.set_zap_domain(ANY_DOMAIN)?;
        }
        match socket.setsockopt_raw(ZMQ_ZAP_ENFORCE_DOMAIN, &1i32.to_ne_bytes()) {
            // A libzmq without the option: the deny-all handler still holds.
            Ok(()) => Ok(()),
            Err(ref e) if e.kind() == crate::ErrorKind::InvalidArgument => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Stops applying the rules: from now on the context's handler refuses
    /// every client, until a new [`Authenticator::start`] or the end of the
    /// context. Never blocks; the same as dropping the authenticator.
    pub fn stop(self) {}
}

impl Drop for Authenticator {
    fn drop(&mut self) {
        // Only a mutex the handler holds while it answers one request: the
        // rules (and their passwords, wiped) go, the refusals begin.
        *lock(&self.handler.mode) = Mode::Stopped;
    }
}

/// The handler thread's socket, held without a [`Context`] handle so that
/// the context can terminate, which ends the thread (ETERM).
struct ZapSocket(NonNull<c_void>);

// SAFETY: the socket is moved once, into the handler thread, which alone
// uses and closes it (libzmq allows moving a socket between threads with a
// memory barrier, which the thread spawn provides).
unsafe impl Send for ZapSocket {}

impl ZapSocket {
    fn detach(socket: Socket) -> Result<ZapSocket> {
        let (raw, ctx) = socket.into_raw();
        drop(ctx);
        NonNull::new(raw)
            .map(ZapSocket)
            .ok_or(Error::from(crate::ErrorKind::NotASocket))
    }

    /// Receives one whole message; a signal (EINTR) is retried, never fatal.
    /// Each frame is received in place in `frames` (small frames live inside
    /// the message value: no copy of a password is left elsewhere).
    fn recv(&self, frames: &mut Vec<Message>) -> Result<()> {
        frames.clear();
        loop {
            frames.push(Message::new());
            let msg = frames
                .last_mut()
                .ok_or(Error::from(crate::ErrorKind::InvalidState))?;
            loop {
                // SAFETY: a live socket used by this thread only, and an
                // initialised message that libzmq fills.
                let rc = unsafe { zmq_sys::zmq_msg_recv(msg.as_raw_mut(), self.0.as_ptr(), 0) };
                match check(rc) {
                    Ok(_) => break,
                    Err(ref e) if e.kind() == crate::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            }
            if !msg.more() {
                return Ok(());
            }
        }
    }

    /// Sends the frames as one message; a signal (EINTR) is retried.
    fn send(&self, frames: &[&[u8]]) -> Result<()> {
        for (i, frame) in frames.iter().enumerate() {
            let flags = if i + 1 < frames.len() {
                zmq_sys::ZMQ_SNDMORE
            } else {
                0
            };
            loop {
                // SAFETY: a live socket used by this thread only; libzmq
                // copies `frame.len()` bytes from `frame`.
                let rc = unsafe {
                    zmq_sys::zmq_send(self.0.as_ptr(), frame.as_ptr().cast(), frame.len(), flags)
                };
                match check(rc) {
                    Ok(_) => break,
                    Err(ref e) if e.kind() == crate::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }
}

impl Drop for ZapSocket {
    fn drop(&mut self) {
        // SAFETY: the socket is live and closed only here, once.
        unsafe { zmq_sys::zmq_close(self.0.as_ptr()) };
    }
}

/// The handler thread: answers every request until the context ends. It
/// never leaves on any other error, since closing its socket would unbind
/// the ZAP endpoint, and libzmq lets CURVE clients in when no handler is bound.
fn serve(zap: ZapSocket, key: usize, handler: &Arc<Handler>) {
    // Room for any ZAP request (at most 10 frames with the envelope), so the
    // vector never moves its frames (passwords) to a new buffer.
    let mut frames = Vec::with_capacity(16);
    loop {
        match zap.recv(&mut frames) {
            Ok(()) => {}
            Err(ref e) if e.kind() == crate::ErrorKind::Terminated => break,
            Err(_) => {
                // Not expected from a ROUTER socket; do not spin on it.
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        }
        // A bug here must not end the thread (which would unbind the
        // endpoint): the request is answered 500 instead.
        let answered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            respond(&zap, &frames, &handler.mode)
        }));
        if answered.is_err() {
            let _ = respond_500(&zap, &frames);
        }
        // Wipe the request (PLAIN passwords) before its memory is reused.
        for frame in &mut frames {
            frame[..].zeroize();
        }
    }
    lock(&HANDLERS).retain(|(k, h)| !(*k == key && Arc::ptr_eq(h, handler)));
    drop(zap);
}

/// Frames of a message, borrowed.
type Frames<'a> = Vec<&'a [u8]>;

/// The envelope (the peer's routing id and the empty delimiter frame) and
/// the body of a request. libzmq sends its requests from the socket's
/// session straight to the handler's ROUTER, so the delimiter is always the
/// second frame; `None` for any other message (such as one without a
/// delimiter whose domain frame is empty), which is not a ZAP request and
/// gets no reply.
fn split_envelope(frames: &[Message]) -> Option<(Frames<'_>, Frames<'_>)> {
    let parts: Vec<&[u8]> = frames.iter().map(|m| &m[..]).collect();
    if !parts.get(1)?.is_empty() {
        return None;
    }
    let body = parts.get(2..)?.to_vec();
    let mut envelope = parts;
    envelope.truncate(2);
    Some((envelope, body))
}

fn send_reply(zap: &ZapSocket, envelope: &[&[u8]], request_id: &[u8], reply: &ZapReply) {
    // An admitted connection's metadata carries the mark that tells
    // `Message::zap_user_id` this handler answered (ZAP properties take
    // precedence over the peer's own in libzmq's metadata).
    let metadata = match (reply.status_code, zap_mark()) {
        ("200", Some(mark)) => zap_metadata(mark),
        _ => Vec::new(),
    };
    let mut out: Vec<&[u8]> = envelope.to_vec();
    out.extend_from_slice(&[
        b"1.0",
        request_id,
        reply.status_code.as_bytes(),
        reply.status_text.as_bytes(),
        reply.user_id.as_bytes(),
        &metadata,
    ]);
    // A ROUTER send only fails if the peer is gone; nothing to do then.
    let _ = zap.send(&out);
}

/// The metadata property by which this crate's handler marks a connection
/// it admitted. A peer can send a property of that name in its own
/// handshake, but libzmq keeps the ZAP handler's value over the peer's, and
/// the peer cannot guess the value, [`zap_mark`].
const ZAP_MARK_PROPERTY: &str = "X-Zmq-Rs-Zap-Mark";

/// A random value per process (128 bits, hex), made once; `None` if the
/// system gave no random bytes (then no connection is marked, and
/// `Message::zap_user_id` is always `None`).
fn zap_mark() -> Option<&'static str> {
    static MARK: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    MARK.get_or_init(|| {
        let mut bytes = [0u8; 16];
        crate::cert::fill_random(&mut bytes).ok()?;
        Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
    })
    .as_deref()
}

/// ZMTP metadata (RFC 23) holding the mark: name length, name, value
/// length (4 bytes, network order), value.
fn zap_metadata(mark: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + ZAP_MARK_PROPERTY.len() + 4 + mark.len());
    out.push(ZAP_MARK_PROPERTY.len() as u8);
    out.extend_from_slice(ZAP_MARK_PROPERTY.as_bytes());
    out.extend_from_slice(&(mark.len() as u32).to_be_bytes());
    out.extend_from_slice(mark.as_bytes());
    out
}

impl Message {
    /// The `User-Id` this crate's [`Authenticator`] gave the connection the
    /// message came from: the CURVE client's public key (Z85), the PLAIN
    /// user name, or `""` for a NULL client admitted by the IP rules.
    /// `None` unless the authenticator admitted that connection.
    ///
    /// Prefer it to `msg.gets("User-Id")`: libzmq fills that property from
    /// the **peer's own handshake metadata** when no ZAP handler answered
    /// for the connection (a NULL socket without a ZAP domain, a CURVE
    /// server with no handler bound), so a client can claim to be `root`.
    /// When the handler answered, its value wins over the peer's; this
    /// method tells the cases apart by a mark the handler adds, whose value
    /// is random per process (a peer cannot forge it). A message from a
    /// socket whose ZAP handler is not this crate's gives `None`.
    pub fn zap_user_id(&self) -> Option<&str> {
        let mark = zap_mark()?;
        let shown = self.gets(ZAP_MARK_PROPERTY)?;
        if same_secret(shown.as_bytes(), mark.as_bytes()) {
            self.gets("User-Id")
        } else {
            None
        }
    }
}

/// Answers one request by the handler's current mode.
fn respond(zap: &ZapSocket, frames: &[Message], mode: &Mutex<Mode>) {
    let Some((envelope, body)) = split_envelope(frames) else {
        return;
    };
    let (request_id, reply) = match &*lock(mode) {
        Mode::Serving(config) => answer(Some(config), &body),
        Mode::Stopped => answer(None, &body),
    };
    send_reply(zap, &envelope, &request_id, &reply);
}

fn respond_500(zap: &ZapSocket, frames: &[Message]) -> Option<()> {
    let (envelope, body) = split_envelope(frames)?;
    let reply = ZapReply {
        status_code: "500",
        status_text: "internal error".into(),
        user_id: String::new(),
    };
    send_reply(
        zap,
        &envelope,
        body.get(1).copied().unwrap_or_default(),
        &reply,
    );
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(mechanism: &[u8], credentials: &[&[u8]]) -> Vec<Vec<u8>> {
        request_from("dom", "10.0.0.1", mechanism, credentials)
    }

    fn request_from(
        domain: &str,
        address: &str,
        mechanism: &[u8],
        credentials: &[&[u8]],
    ) -> Vec<Vec<u8>> {
        let mut frames: Vec<Vec<u8>> = vec![
            b"1.0".to_vec(),
            b"7".to_vec(),
            domain.as_bytes().to_vec(),
            address.as_bytes().to_vec(),
            b"id".to_vec(),
            mechanism.to_vec(),
        ];
        frames.extend(credentials.iter().map(|c| c.to_vec()));
        frames
    }

    fn run(config: &Config, frames: &[Vec<u8>]) -> ZapReply {
        let parts: Vec<&[u8]> = frames.iter().map(Vec::as_slice).collect();
        answer(Some(config), &parts).1
    }

    fn plain_config(domain: &str) -> Config {
        let mut config = Config::default();
        let mut passwords = HashMap::new();
        passwords.insert("admin".to_owned(), Zeroizing::new("secret".to_owned()));
        config.domains.insert(
            domain.into(),
            DomainConfig {
                passwords: Some(passwords),
                curve: CurvePolicy::Refuse,
            },
        );
        config
    }

    #[test]
    fn rules() {
        let mut config = plain_config("dom");
        assert_eq!(run(&config, &request(b"NULL", &[])).status_code, "200");
        let ok = run(&config, &request(b"PLAIN", &[b"admin", b"secret"]));
        assert_eq!((ok.status_code, ok.user_id.as_str()), ("200", "admin"));
        assert_eq!(
            run(&config, &request(b"PLAIN", &[b"admin", b"wrong"])).status_code,
            "400"
        );
        assert_eq!(
            run(&config, &request(b"CURVE", &[&[1u8; 32]])).status_code,
            "400"
        );
        config.deny.push(IpRule::parse("10.0.0.1").unwrap());
        assert_eq!(
            run(&config, &request(b"PLAIN", &[b"admin", b"secret"])).status_code,
            "400"
        );
        config.deny.clear();
        config.allow.push(IpRule::parse("10.0.0.2").unwrap());
        assert_eq!(run(&config, &request(b"NULL", &[])).status_code, "400");
    }

    #[test]
    fn a_named_domain_must_be_configured_and_the_empty_one_is_any() {
        let config = plain_config(ANY_DOMAIN);
        let plain = |domain| {
            run(
                &config,
                &request_from(domain, "10.0.0.1", b"PLAIN", &[b"admin", b"secret"]),
            )
        };
        assert_eq!(plain("").status_code, "200");
        assert_eq!(plain("*").status_code, "200");
        let other = plain("other");
        assert_eq!(
            (other.status_code, other.status_text.as_str()),
            ("400", "unknown domain")
        );
        let curve = run(
            &config,
            &request_from("other", "10.0.0.1", b"CURVE", &[&[1u8; 32]]),
        );
        assert_eq!(curve.status_code, "400");
    }

    #[test]
    fn ip_rules_parse_canonicalise_and_match() {
        let ip = |s: &str| peer_ip(s).unwrap();
        let rule = |s: &str| IpRule::parse(s).unwrap();
        // IPv4-mapped addresses are IPv4, in requests and in rules.
        assert_eq!(ip("::ffff:127.0.0.1"), ip("127.0.0.1"));
        assert_eq!(rule("::ffff:127.0.0.1"), rule("127.0.0.1"));
        assert_eq!(rule("::ffff:10.0.0.0/104"), rule("10.0.0.0/8"));
        assert!(rule("127.0.0.1").matches(ip("::ffff:127.0.0.1")));
        assert!(rule("10.0.0.0/8").matches(ip("10.255.0.1")));
        assert!(!rule("10.0.0.0/8").matches(ip("11.0.0.1")));
        assert!(rule("fd00::/8").matches(ip("fd12:3456::1")));
        assert!(!rule("fd00::/8").matches(ip("fe80::1")));
        assert!(rule("fe80::/10").matches(ip("fe80::1%eth0")));
        assert!(rule("0.0.0.0/0").matches(ip("1.2.3.4")));
        assert!(!rule("0.0.0.0/0").matches(ip("::1")));
        // An IPv6 range that holds the mapped addresses holds those clients.
        assert!(rule("::/0").matches(ip("::ffff:1.2.3.4")));
        assert!(rule("::/0").matches(ip("::1")));
        assert!(!rule("fd00::/8").matches(ip("1.2.3.4")));
        assert!(rule("::1").matches(ip("::1")));
        assert_eq!(rule("10.0.0.0/8").to_string(), "10.0.0.0/8");
        for bad in [
            "",
            "localhost",
            "300.1.1.1",
            "10.0.0.0/33",
            "fd00::/129",
            "10.0.0.1/8",
            "10.0.0.0/",
            "10.0.0.0/+8",
            "10.0.0.0/08x",
            " 10.0.0.1",
            "fe80::1%eth0",
            "10.0.0.0/8/8",
        ] {
            assert!(IpRule::parse(bad).is_err(), "{bad:?} was accepted");
        }
        // Non-IP peers (ipc, inproc) are no address: allow lists refuse them.
        assert_eq!(peer_ip(""), None);
        let mut config = Config::default();
        config.allow.push(rule("127.0.0.1"));
        let ipc = run(&config, &request_from("", "", b"NULL", &[]));
        assert_eq!(ipc.status_code, "400");
    }

    #[test]
    fn a_stopped_authenticator_refuses_everything() {
        let frames = request(b"NULL", &[]);
        let parts: Vec<&[u8]> = frames.iter().map(Vec::as_slice).collect();
        let (id, reply) = answer(None, &parts);
        assert_eq!((id.as_slice(), reply.status_code), (&b"7"[..], "400"));
    }

    #[test]
    fn malformed_requests_get_500() {
        let config = Config::default();
        assert_eq!(run(&config, &[]).status_code, "500");
        assert_eq!(
            run(&config, &request(b"CURVE", &[b"short"])).status_code,
            "500"
        );
        assert_eq!(
            run(&config, &request(b"PLAIN", &[b"only-user"])).status_code,
            "500"
        );
        let mut bad_version = request(b"NULL", &[]);
        bad_version[0] = b"2.0".to_vec();
        let parts: Vec<&[u8]> = bad_version.iter().map(Vec::as_slice).collect();
        let (id, reply) = answer(Some(&Config::default()), &parts);
        assert_eq!((id.as_slice(), reply.status_code), (&b"7"[..], "500"));
    }
}
