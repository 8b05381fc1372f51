//! `zmq`: a command-line tool for talking to ZeroMQ peers, on the safe
//! `zmq` crate. See `zmq --help`.

mod events;
mod format;
mod run;
mod security;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use format::Format;

const EXIT_CODES: &str = "\
Exit codes:
  0    success
  1    usage error (bad arguments, unreadable key or certificate)
  2    timeout: nothing (or not enough) received within --timeout, or a send timed out
  3    connection or ZeroMQ error (bind/connect failed; the message names the endpoint)
  4    I/O error (input file, stdin, stdout, writing certificates)
  130  interrupted (Ctrl-C or SIGTERM), after a clean shutdown

Endpoints: `@tcp://*:5555` binds, `>tcp://host:5555` connects (czmq's prefixes);
a bare endpoint connects, unless given with --bind.";

/// Talk to ZeroMQ peers from the shell: every socket type, CURVE and PLAIN,
/// monitor events in words, certificates, proxies.
#[derive(Parser, Debug)]
#[command(name = "zmq", version, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// PUB: send each input line (message) to the subscribers.
    #[command(after_help = EXIT_CODES)]
    Pub(SocketArgs),
    /// SUB: print what the publishers send (--topic filters; none = everything).
    #[command(after_help = EXIT_CODES)]
    Sub(SocketArgs),
    /// REQ: send each input message as a request, print each reply.
    #[command(after_help = EXIT_CODES)]
    Req(SocketArgs),
    /// REP: print each request and reply (with --exec: the command's output; else an echo).
    #[command(after_help = EXIT_CODES)]
    Rep(SocketArgs),
    /// PUSH: send each input message down the pipeline.
    #[command(after_help = EXIT_CODES)]
    Push(SocketArgs),
    /// PULL: print what the pushers send.
    #[command(after_help = EXIT_CODES)]
    Pull(SocketArgs),
    /// ROUTER: print received messages (identity frame first), send input (identity first).
    #[command(after_help = EXIT_CODES)]
    Router(SocketArgs),
    /// DEALER: send input messages and print what comes back.
    #[command(after_help = EXIT_CODES)]
    Dealer(SocketArgs),
    /// PAIR: send input messages and print what comes back.
    #[command(after_help = EXIT_CODES)]
    Pair(SocketArgs),
    /// XPUB: send input messages, print the subscriptions (\x01topic / \x00topic).
    #[command(after_help = EXIT_CODES)]
    Xpub(SocketArgs),
    /// XSUB: send input messages (subscriptions are \x01topic), print what arrives.
    #[command(after_help = EXIT_CODES)]
    Xsub(SocketArgs),
    /// Print every monitor event of a socket: time, event, endpoint, reason in words.
    #[command(after_help = EXIT_CODES)]
    Monitor(MonitorArgs),
    /// Make a CURVE certificate pair (BASENAME.key, BASENAME.key_secret) or print raw keys.
    #[command(after_help = EXIT_CODES)]
    Keygen(KeygenArgs),
    /// Run a proxy between two sockets: queue, forwarder or streamer.
    #[command(after_help = EXIT_CODES)]
    Proxy(ProxyArgs),
    /// Print the libzmq version, its capabilities and this build's configuration.
    #[command(after_help = EXIT_CODES)]
    Info,
}

/// Where a socket binds or connects.
#[derive(Args, Debug, Clone, Default)]
pub struct Endpoints {
    /// Endpoints: `@ep` binds, `>ep` connects, a bare one connects.
    #[arg(value_name = "ENDPOINT")]
    pub endpoints: Vec<String>,
    /// Bind to this endpoint (repeatable).
    #[arg(long, value_name = "ENDPOINT")]
    pub bind: Vec<String>,
    /// Connect to this endpoint (repeatable).
    #[arg(long, value_name = "ENDPOINT")]
    pub connect: Vec<String>,
}

/// Security options, on every verb.
#[derive(Args, Debug, Clone, Default)]
pub struct SecurityArgs {
    /// CURVE server with this secret certificate file (BASENAME.key_secret).
    #[arg(long, value_name = "CERTFILE", help_heading = "Security")]
    pub curve_server: Option<PathBuf>,
    /// CURVE server with this secret key (Z85, 40 characters).
    #[arg(
        long,
        value_name = "Z85",
        help_heading = "Security",
        conflicts_with = "curve_server"
    )]
    pub curve_server_secret: Option<String>,
    /// CURVE client: the server's public key, as Z85 or a certificate file.
    #[arg(long, value_name = "Z85|CERTFILE", help_heading = "Security")]
    pub curve_serverkey: Option<String>,
    /// CURVE client: our secret certificate file (default: a fresh key pair).
    #[arg(
        long,
        value_name = "CERTFILE",
        help_heading = "Security",
        requires = "curve_serverkey"
    )]
    pub curve_cert: Option<PathBuf>,
    /// CURVE client: our secret key (Z85).
    #[arg(
        long,
        value_name = "Z85",
        help_heading = "Security",
        requires = "curve_serverkey",
        conflicts_with = "curve_cert"
    )]
    pub curve_secret: Option<String>,
    /// PLAIN user name (client; with --plain-server, the user allowed in).
    #[arg(
        long,
        value_name = "USER",
        help_heading = "Security",
        requires = "plain_password"
    )]
    pub plain_user: Option<String>,
    /// PLAIN password.
    #[arg(
        long,
        value_name = "PASSWORD",
        help_heading = "Security",
        requires = "plain_user"
    )]
    pub plain_password: Option<String>,
    /// Be the PLAIN server: let in only --plain-user with --plain-password, or the users of
    /// --plain-passwords (ZAP).
    #[arg(long, help_heading = "Security")]
    pub plain_server: bool,
    /// PLAIN server: the users allowed in, a file of `user=password` lines (czmq's zauth format).
    #[arg(
        long,
        value_name = "FILE",
        help_heading = "Security",
        requires = "plain_server",
        conflicts_with = "plain_user"
    )]
    pub plain_passwords: Option<PathBuf>,
    /// CURVE server: let in only clients whose public certificates (*.key) are in DIR (ZAP).
    #[arg(long, value_name = "DIR", help_heading = "Security")]
    pub zap_curve_dir: Option<PathBuf>,
    /// Servers: let in only these addresses (IP or CIDR, repeatable; ZAP).
    #[arg(long, value_name = "CIDR", help_heading = "Security")]
    pub zap_allow: Vec<String>,
    /// Servers: refuse these addresses (IP or CIDR, repeatable; ZAP).
    #[arg(long, value_name = "CIDR", help_heading = "Security")]
    pub zap_deny: Vec<String>,
}

/// Options common to the verbs that run a socket.
#[derive(Args, Debug, Clone)]
pub struct Common {
    /// Stop after N messages (received; for send-only verbs, sent). Verbs that both send
    /// and receive (router, dealer, pair, xpub, xsub) run until --count, --timeout or Ctrl-C.
    #[arg(short = 'n', long, value_name = "N")]
    pub count: Option<u64>,
    /// Seconds to wait for a message (or a reply, or a send) before giving up (exit 2).
    #[arg(short, long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// Print msgs/s and MB/s every second on stderr.
    #[arg(long)]
    pub stats: bool,
    /// Print the bound and connected endpoints (with the port picked for `*`) on stderr.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Args, Debug, Clone)]
pub struct SocketArgs {
    #[command(flatten)]
    pub endpoints: Endpoints,
    #[command(flatten)]
    pub common: Common,
    /// SUB/XSUB: subscribe to this prefix (repeatable; default: everything).
    #[arg(long, value_name = "TOPIC")]
    pub topic: Vec<String>,
    /// Read messages from this file instead of stdin (one per line).
    #[arg(short, long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// Split each input line into frames at SEP; join output frames with it (default TAB).
    #[arg(short, long, value_name = "SEP")]
    pub separator: Option<String>,
    /// Output format of received messages.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Format of the input frames (text, hex or base64).
    #[arg(long, value_enum, default_value = "text")]
    pub input_format: Format,
    /// REP: run this shell command for each request (request on its stdin, reply = its stdout).
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,
    /// PUB: wait for N subscriptions before sending (so that nothing is lost).
    #[arg(long, value_name = "N")]
    pub wait_subscribers: Option<u64>,
    /// Our routing id (ZMQ_ROUTING_ID), for DEALER/REQ/ROUTER peers.
    #[arg(long, value_name = "ID")]
    pub identity: Option<String>,
    /// Seconds to keep trying to deliver unsent messages at exit.
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    pub linger: f64,
    #[command(flatten)]
    pub security: SecurityArgs,
}

#[derive(Args, Debug, Clone)]
pub struct MonitorArgs {
    #[command(flatten)]
    pub endpoints: Endpoints,
    /// The type of the monitored socket.
    #[arg(long = "type", value_name = "TYPE", default_value = "dealer")]
    pub socket_type: String,
    /// Stop after N events.
    #[arg(short = 'n', long, value_name = "N")]
    pub count: Option<u64>,
    /// Stop when no event came for this many seconds (exit 2 if none came at all).
    #[arg(short, long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// Print events as JSON objects, one per line.
    #[arg(long)]
    pub json: bool,
    /// Print the bound and connected endpoints on stderr.
    #[arg(short, long)]
    pub verbose: bool,
    #[command(flatten)]
    pub security: SecurityArgs,
}

#[derive(Args, Debug, Clone)]
pub struct KeygenArgs {
    /// Write BASENAME.key (public) and BASENAME.key_secret (secret, mode 0600).
    #[arg(value_name = "BASENAME")]
    pub basename: Option<PathBuf>,
    /// Print the raw keys in Z85 (`public: ...`, `secret: ...`).
    #[arg(long)]
    pub z85: bool,
    /// Metadata for the certificate, NAME=VALUE (repeatable), as zmakecert's name/email.
    #[arg(long, value_name = "NAME=VALUE")]
    pub meta: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ProxyKind {
    /// ROUTER frontend, DEALER backend (request-reply broker).
    Queue,
    /// XSUB frontend, XPUB backend (pub-sub forwarder).
    Forwarder,
    /// PULL frontend, PUSH backend (pipeline streamer).
    Streamer,
}

#[derive(Args, Debug, Clone)]
pub struct ProxyArgs {
    /// Frontend endpoint (`>ep` connects; bare or `@ep` binds).
    pub frontend: String,
    /// Backend endpoint (`>ep` connects; bare or `@ep` binds).
    pub backend: String,
    /// The kind of proxy.
    #[arg(long, value_enum, default_value = "queue")]
    pub kind: ProxyKind,
    /// Send a copy of all traffic on a PUB socket at this endpoint (`>ep` connects; else binds).
    #[arg(long, value_name = "ENDPOINT")]
    pub capture: Option<String>,
    /// Print the bound and connected endpoints on stderr.
    #[arg(short, long)]
    pub verbose: bool,
    /// Security of the frontend (where the clients or publishers come in).
    #[command(flatten)]
    pub security: SecurityArgs,
}

/// Why the program stops, and with which exit code.
#[derive(Debug)]
pub enum Failure {
    Usage(String),
    Timeout(String),
    Zmq(String),
    Io(String),
    Interrupted,
}

impl Failure {
    pub fn code(&self) -> u8 {
        match self {
            Failure::Usage(_) => 1,
            Failure::Timeout(_) => 2,
            Failure::Zmq(_) => 3,
            Failure::Io(_) => 4,
            Failure::Interrupted => 130,
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            match &failure {
                Failure::Usage(m) | Failure::Timeout(m) | Failure::Zmq(m) | Failure::Io(m) => {
                    eprintln!("zmq: {m}")
                }
                Failure::Interrupted => eprintln!("zmq: interrupted"),
            }
            ExitCode::from(failure.code())
        }
    }
}
