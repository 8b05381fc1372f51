//! A ZAP authenticator (ZeroMQ RFC 27), as pyzmq's `zmq.auth` and czmq's
//! `zauth`: a thread answering libzmq's authentication requests for the
//! server sockets of one context, with IP allow/deny lists, PLAIN passwords
//! and CURVE keys (any, listed, or from a directory of certificates), per
//! ZAP domain.
//!
//! libzmq asks the handler bound at `inproc://zeromq.zap.01` **in the
//! server socket's own context**. A handler in another context is never
//! asked, and then libzmq lets every client in; [`Authenticator::guard`]
//! checks a socket against this mistake.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use crate::cert::Certificate;
use crate::error::{Error, Result};
use crate::poll::{poll, PollItem};
use crate::socket::{PollEvents, RecvFlags, SendFlags, Socket, SocketType};
use crate::{Context, CurveKey};

/// The endpoint libzmq sends ZAP requests to.
pub const ZAP_ENDPOINT: &str = "inproc://zeromq.zap.01";

/// The domain that applies when a socket's ZAP domain has no configuration
/// of its own.
pub const ANY_DOMAIN: &str = "*";

/// A parsed ZAP request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZapRequest {
    /// Echoed in the reply.
    pub request_id: Vec<u8>,
    /// The server socket's ZAP domain.
    pub domain: String,
    /// The client's IP address.
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
        /// The password.
        password: String,
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

/// Why a request could not be parsed; the reply is a 500 then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MalformedRequest {
    /// The request id, if the frames got that far (echoed in the 500 reply).
    pub request_id: Vec<u8>,
    /// What was wrong.
    pub reason: &'static str,
}

fn text(
    frame: &[u8],
    request_id: &[u8],
    what: &'static str,
) -> std::result::Result<String, MalformedRequest> {
    String::from_utf8(frame.to_vec()).map_err(|_| MalformedRequest {
        request_id: request_id.to_vec(),
        reason: what,
    })
}

impl ZapRequest {
    /// Parses the frames of a request (after the REP envelope).
    pub fn parse(frames: &[&[u8]]) -> std::result::Result<ZapRequest, MalformedRequest> {
        let request_id = frames.get(1).map(|f| f.to_vec()).unwrap_or_default();
        let bad = |reason| MalformedRequest {
            request_id: request_id.clone(),
            reason,
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
                username: text(user, &request_id, "PLAIN user name is not UTF-8")?,
                password: text(pass, &request_id, "PLAIN password is not UTF-8")?,
            },
            (b"CURVE", [key]) => Credentials::Curve(
                CurveKey::from_bytes(key).map_err(|_| bad("CURVE key is not 32 bytes"))?,
            ),
            (b"GSSAPI", [principal]) => Credentials::Gssapi(principal.to_vec()),
            _ => return Err(bad("unknown mechanism or wrong number of credentials")),
        };
        Ok(ZapRequest {
            domain: text(domain, &request_id, "domain is not UTF-8")?,
            address: text(address, &request_id, "address is not UTF-8")?,
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

/// How CURVE clients are checked in a domain.
#[derive(Clone, Debug, Default)]
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

#[derive(Clone, Debug, Default)]
struct DomainConfig {
    passwords: Option<HashMap<String, String>>,
    curve: CurvePolicy,
}

/// The authenticator's rules.
#[derive(Debug, Default)]
struct Config {
    allow: HashSet<String>,
    deny: HashSet<String>,
    domains: HashMap<String, DomainConfig>,
}

impl Config {
    fn domain(&self, name: &str) -> Option<&DomainConfig> {
        self.domains
            .get(name)
            .or_else(|| self.domains.get(ANY_DOMAIN))
    }

    fn authenticate(&self, request: &ZapRequest) -> ZapReply {
        // Deny wins; an allow list refuses every address not on it.
        if self.deny.contains(&request.address) {
            return ZapReply::deny("address is denied");
        }
        if !self.allow.is_empty() && !self.allow.contains(&request.address) {
            return ZapReply::deny("address is not allowed");
        }
        let domain = self.domain(&request.domain);
        match &request.credentials {
            Credentials::Null => ZapReply::allow(String::new()),
            Credentials::Plain { username, password } => {
                match domain.and_then(|d| d.passwords.as_ref()) {
                    Some(table) if table.get(username) == Some(password) => {
                        ZapReply::allow(username.clone())
                    }
                    Some(_) => ZapReply::deny("invalid user name or password"),
                    None => ZapReply::deny("PLAIN is not configured for this domain"),
                }
            }
            Credentials::Curve(key) => {
                let allowed = match domain.map(|d| &d.curve) {
                    Some(CurvePolicy::AllowAny) => true,
                    Some(CurvePolicy::Keys { keys, .. }) => keys.contains(key.as_bytes()),
                    Some(CurvePolicy::Refuse) | None => false,
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

/// Answers one request's frames; malformed requests get a 500.
fn answer(config: &Mutex<Config>, frames: &[&[u8]]) -> (Vec<u8>, ZapReply) {
    match ZapRequest::parse(frames) {
        Ok(request) => {
            let reply = config
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .authenticate(&request);
            (request.request_id, reply)
        }
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

fn load_keys(dir: &std::path::Path) -> Result<HashSet<[u8; 32]>> {
    Ok(Certificate::load_dir(dir)?
        .iter()
        .map(|c| *c.public_key().as_bytes())
        .collect())
}

/// A running ZAP handler for one context; stopped and joined on drop.
///
/// ```no_run
/// use zmq::{auth::Authenticator, Certificate, Context, SocketType};
/// let ctx = Context::new();
/// let auth = Authenticator::start(&ctx)?;
/// auth.allow("127.0.0.1");
/// auth.configure_curve_directory("*", "public_keys")?;
///
/// let server_cert = Certificate::load("server.key_secret")?;
/// let server = ctx.socket(SocketType::Rep)?;
/// server_cert.apply_server(&server)?;
/// auth.guard(&server)?; // same context: requests will reach `auth`
/// server.bind("tcp://*:9000")?;
/// # Ok::<(), zmq::Error>(())
/// ```
pub struct Authenticator {
    ctx: Context,
    config: Arc<Mutex<Config>>,
    control: Socket,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator").finish_non_exhaustive()
    }
}

impl Authenticator {
    /// Binds the ZAP endpoint in `ctx` and starts answering. Fails with
    /// [`Error::AddrInUse`] if the context already has a ZAP handler.
    pub fn start(ctx: &Context) -> Result<Authenticator> {
        let zap = ctx.socket(SocketType::Rep)?;
        zap.set_linger(Some(std::time::Duration::ZERO))?;
        zap.bind(ZAP_ENDPOINT)?;
        let (control, remote) = ctx.pipe("auth-control")?;
        let config = Arc::new(Mutex::new(Config::default()));
        let shared = Arc::clone(&config);
        let thread = std::thread::Builder::new()
            .name("zmq-auth".into())
            .spawn(move || {
                serve(&zap, &remote, &shared);
                // Closing is asynchronous in libzmq; unbinding an inproc
                // endpoint is not, so a new authenticator can start at once.
                let _ = zap.unbind(ZAP_ENDPOINT);
            })
            .map_err(|_| Error::NoThreads)?;
        Ok(Authenticator {
            ctx: ctx.clone(),
            config,
            control,
            thread: Some(thread),
        })
    }

    fn update(&self, f: impl FnOnce(&mut Config)) {
        f(&mut self.config.lock().unwrap_or_else(PoisonError::into_inner));
    }

    fn update_domain(&self, domain: &str, f: impl FnOnce(&mut DomainConfig)) {
        self.update(|c| f(c.domains.entry(domain.to_owned()).or_default()));
    }

    /// Allows an IP address; once any address is allowed, all others are refused.
    pub fn allow(&self, address: impl Into<String>) {
        let address = address.into();
        self.update(|c| {
            c.allow.insert(address);
        });
    }

    /// Denies an IP address, whatever its credentials (deny wins over allow).
    pub fn deny(&self, address: impl Into<String>) {
        let address = address.into();
        self.update(|c| {
            c.deny.insert(address);
        });
    }

    /// PLAIN users of a domain ([`ANY_DOMAIN`] for all), as user -> password.
    pub fn configure_plain(&self, domain: &str, passwords: HashMap<String, String>) {
        self.update_domain(domain, |d| d.passwords = Some(passwords));
    }

    /// PLAIN users from a file of `user=password` lines (`#` comments).
    pub fn configure_plain_file(
        &self,
        domain: &str,
        path: impl AsRef<std::path::Path>,
    ) -> Result<()> {
        let text = std::fs::read_to_string(path)?;
        let passwords = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(u, p)| (u.trim().to_owned(), p.trim().to_owned()))
            .collect();
        self.configure_plain(domain, passwords);
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
    /// `dir`; [`Authenticator::reload`] reads the directory again.
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
        let dirs: Vec<(String, PathBuf)> = {
            let config = self.config.lock().unwrap_or_else(PoisonError::into_inner);
            config
                .domains
                .iter()
                .filter_map(|(name, d)| match &d.curve {
                    CurvePolicy::Keys { dir: Some(dir), .. } => Some((name.clone(), dir.clone())),
                    _ => None,
                })
                .collect()
        };
        for (domain, dir) in dirs {
            self.configure_curve_directory(&domain, dir)?;
        }
        Ok(())
    }

    /// Checks that `socket` is in this authenticator's context, so that its
    /// handshakes will be authenticated here; a socket of another context
    /// gives [`Error::InvalidArgument`].
    pub fn guard(&self, socket: &Socket) -> Result<()> {
        if socket.context().as_raw() == self.ctx.as_raw() {
            Ok(())
        } else {
            Err(Error::InvalidArgument)
        }
    }

    /// Stops the handler and joins its thread.
    pub fn stop(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = self.control.send("TERMINATE", SendFlags::empty());
            let _ = thread.join();
        }
    }
}

impl Drop for Authenticator {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

fn serve(zap: &Socket, control: &Socket, config: &Mutex<Config>) {
    let mut frames = Vec::new();
    loop {
        let mut items = [
            PollItem::socket(zap, PollEvents::POLLIN),
            PollItem::socket(control, PollEvents::POLLIN),
        ];
        match poll(&mut items, None) {
            Ok(_) => {}
            Err(Error::Interrupted) => continue,
            Err(_) => return, // context terminated
        }
        if items[1].is_readable() {
            return;
        }
        if !items[0].is_readable() {
            continue;
        }
        if zap
            .recv_multipart_into(&mut frames, RecvFlags::empty())
            .is_err()
        {
            return;
        }
        let parts: Vec<&[u8]> = frames.iter().map(|m| &m[..]).collect();
        let (request_id, reply) = answer(config, &parts);
        let sent = zap.send_multipart(
            [
                &b"1.0"[..],
                &request_id,
                reply.status_code.as_bytes(),
                reply.status_text.as_bytes(),
                reply.user_id.as_bytes(),
                b"",
            ],
            SendFlags::empty(),
        );
        if sent.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(mechanism: &[u8], credentials: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut frames: Vec<Vec<u8>> = vec![
            b"1.0".to_vec(),
            b"7".to_vec(),
            b"dom".to_vec(),
            b"10.0.0.1".to_vec(),
            b"id".to_vec(),
            mechanism.to_vec(),
        ];
        frames.extend(credentials.iter().map(|c| c.to_vec()));
        frames
    }

    fn run(config: &Config, frames: &[Vec<u8>]) -> ZapReply {
        let parts: Vec<&[u8]> = frames.iter().map(Vec::as_slice).collect();
        answer(&Mutex::new(clone_config(config)), &parts).1
    }

    fn clone_config(c: &Config) -> Config {
        Config {
            allow: c.allow.clone(),
            deny: c.deny.clone(),
            domains: c.domains.clone(),
        }
    }

    #[test]
    fn rules() {
        let mut config = Config::default();
        let mut passwords = HashMap::new();
        passwords.insert("admin".to_owned(), "secret".to_owned());
        config.domains.insert(
            ANY_DOMAIN.into(),
            DomainConfig {
                passwords: Some(passwords),
                curve: CurvePolicy::Refuse,
            },
        );
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
        config.deny.insert("10.0.0.1".into());
        assert_eq!(
            run(&config, &request(b"PLAIN", &[b"admin", b"secret"])).status_code,
            "400"
        );
        config.deny.clear();
        config.allow.insert("10.0.0.2".into());
        assert_eq!(run(&config, &request(b"NULL", &[])).status_code, "400");
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
        let (id, reply) = answer(&Mutex::new(Config::default()), &parts);
        assert_eq!((id.as_slice(), reply.status_code), (&b"7"[..], "500"));
    }
}
