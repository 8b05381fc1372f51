//! The Majordomo Protocol (MDP/0.1, <https://rfc.zeromq.org/spec/7/>) for
//! the chapter 4 examples: the frame constants of the guide's `mdp.h`, and
//! the worker and client APIs (`mdwrkapi`, `mdcliapi`, `mdcliapi2`) as
//! modules that any program can use. Include it with:
//!
//! ```ignore
//! #[path = "zhelpers/mod.rs"]
//! mod zhelpers;
//! #[path = "mdp/mod.rs"]
//! mod mdp;
//! ```
//!
//! (the APIs ask `zhelpers::interrupt` whether Ctrl-C ended a call, to
//! print the guide's `W: interrupt received, ...` warning).
//!
//! A request travels from a client as `[MDPC01, service, body...]` (a
//! DEALER client puts an empty frame in front, as REQ does), reaches a
//! worker as `["", MDPW01, 0x02, client, "", body...]`, and goes back from
//! the worker as `["", MDPW01, 0x03, client, "", body...]`.
#![allow(dead_code)]

pub mod mdcliapi;
pub mod mdcliapi2;
pub mod mdwrkapi;

#[allow(unused_imports)] // each program uses a part
pub use crate::zhelpers::log;

use std::fmt;

use zmq::Message;

/// The version of MDP/Client we implement.
pub const MDPC_CLIENT: &str = "MDPC01";

/// The version of MDP/Worker we implement.
pub const MDPW_WORKER: &str = "MDPW01";

/// MDP/Worker commands, one byte each.
pub const MDPW_READY: &[u8] = b"\x01";
/// A request for a worker.
pub const MDPW_REQUEST: &[u8] = b"\x02";
/// A worker's reply.
pub const MDPW_REPLY: &[u8] = b"\x03";
/// Either side is alive.
pub const MDPW_HEARTBEAT: &[u8] = b"\x04";
/// Either side ends the session.
pub const MDPW_DISCONNECT: &[u8] = b"\x05";

/// The name of a command frame, for logs (`mdps_commands`).
pub fn command_name(command: &[u8]) -> &'static str {
    match command {
        b"\x01" => "READY",
        b"\x02" => "REQUEST",
        b"\x03" => "REPLY",
        b"\x04" => "HEARTBEAT",
        b"\x05" => "DISCONNECT",
        _ => "UNKNOWN",
    }
}

/// What an MDP API call can fail with: the socket's error, or a message
/// from the peer that breaks the protocol (the C asserts there).
#[derive(Debug)]
pub enum Error {
    /// A libzmq error; `ErrorKind::Terminated` when the context was shut
    /// down (how a bounded program ends the API's blocking calls).
    Zmq(zmq::Error),
    /// The peer sent something that is not MDP.
    Protocol(String),
}

impl Error {
    /// Whether the context was shut down (the C API's "interrupted").
    pub fn is_terminated(&self) -> bool {
        matches!(self, Error::Zmq(e) if e.kind() == zmq::ErrorKind::Terminated)
    }

    /// Whether the call was stopped: the context was shut down, or a signal
    /// interrupted it (`ErrorKind::Interrupted`). Ctrl-C gives either
    /// (`zhelpers::interrupt`); a program's loop ends on it.
    pub fn is_stop(&self) -> bool {
        matches!(self, Error::Zmq(e) if crate::zhelpers::interrupt::is_stop(e))
    }
}

/// Passes `result` on; when Ctrl-C stopped the call (`zctx_interrupted`
/// in the C), first prints the guide's `W: interrupt received, killing
/// {who}...`.
pub fn warn_if_interrupted<T>(result: Result<T>, who: &str) -> Result<T> {
    if let Err(e) = &result {
        if e.is_stop() && crate::zhelpers::interrupt::interrupted() {
            println!("W: interrupt received, killing {who}...");
        }
    }
    result
}

impl From<zmq::Error> for Error {
    fn from(e: zmq::Error) -> Error {
        Error::Zmq(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Zmq(e) => write!(f, "{e}"),
            Error::Protocol(what) => write!(f, "MDP protocol error: {what}"),
        }
    }
}

impl std::error::Error for Error {}

/// The result of an MDP API call.
pub type Result<T> = std::result::Result<T, Error>;

/// Whether `frame` is exactly `text`.
pub fn frame_is(frame: Option<&Message>, text: &[u8]) -> bool {
    frame.is_some_and(|f| &f[..] == text)
}

/// Prints a message's frames on stderr as czmq's `zmsg_dump` does: a rule,
/// then `[size] data` per frame, the data in hex when a byte is below 9 or
/// above 127, cut at 70 characters (35 bytes of hex) with `...`.
pub fn dump(frames: &[Message]) {
    let mut out = String::from("--------------------------------------\n");
    for frame in frames {
        let binary = frame.iter().any(|&b| !(9..=127).contains(&b));
        let max = if binary { 35 } else { 70 };
        let shown = frame.get(..max).unwrap_or(frame);
        let data: String = if binary {
            shown.iter().map(|b| format!("{b:02X}")).collect()
        } else {
            shown.iter().map(|&b| char::from(b)).collect()
        };
        let ellipsis = if frame.len() > max { "..." } else { "" };
        out.push_str(&format!("[{:03}] {data}{ellipsis}\n", frame.len()));
    }
    eprint!("{out}");
}

/// The arguments of the Majordomo programs: `-v` first (verbose, as in the
/// guide), then at most `max` positional ones. Too many, or an unknown
/// `-flag`, ends the program with `usage: {usage}` (status 2).
pub fn args(max: usize, usage: &str) -> (bool, Vec<String>) {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.first().is_some_and(|a| a == "-v");
    if verbose {
        args.remove(0);
    }
    if args.len() > max || args.iter().any(|a| a.starts_with('-')) {
        eprintln!("usage: {usage}");
        std::process::exit(2);
    }
    (verbose, args)
}

/// Positional argument `n` of [`args`] parsed as `T`, or `default`; a bad
/// one ends the program with `usage: {usage}` (status 2).
pub fn arg<T: std::str::FromStr>(args: &[String], n: usize, default: T, usage: &str) -> T {
    match args.get(n) {
        None => default,
        Some(text) => text.parse().unwrap_or_else(|_| {
            eprintln!("usage: {usage}");
            std::process::exit(2)
        }),
    }
}
