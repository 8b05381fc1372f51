//! Simple message queuing broker (the guide's `msgqueue.c`, chapter 2,
//! "ZeroMQ's Built-In Proxy Function"): `rrbroker` again, with the loop
//! replaced by `zmq::proxy`. ROUTER on `tcp://*:5559` for `rrclient`s,
//! DEALER on `tcp://*:5560` for `rrworker`s.
//!
//! ```text
//! cargo run --example msgqueue [SECONDS [FRONTEND [BACKEND]]]
//! ```
//!
//! `SECONDS` bounds the run (default forever, also `0`): a timer shuts the
//! context down, which makes `zmq::proxy` return an `ErrorKind::Terminated` error.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::time::Duration;

use zmq::{Context, SocketType};

const USAGE: &str = "msgqueue [SECONDS [FRONTEND [BACKEND]]]  (SECONDS 0 = forever)";

fn main() -> ExitCode {
    zhelpers::args_at_most(3, USAGE);
    let seconds: u64 = zhelpers::arg(1, 0, USAGE);
    let frontend: String = zhelpers::arg(2, "tcp://*:5559".into(), USAGE);
    let backend: String = zhelpers::arg(3, "tcp://*:5560".into(), USAGE);
    zhelpers::exit_status("msgqueue", run(seconds, &frontend, &backend))
}

fn run(seconds: u64, frontend_endpoint: &str, backend_endpoint: &str) -> zmq::Result<()> {
    let context = Context::new();

    //  Socket facing clients
    let frontend = context.socket(SocketType::Router)?;
    frontend.bind(frontend_endpoint)?;

    //  Socket facing services
    let backend = context.socket(SocketType::Dealer)?;
    backend.bind(backend_endpoint)?;

    if seconds > 0 {
        zhelpers::shutdown_after(&context, Duration::from_secs(seconds));
    }
    //  Start the proxy: it runs until the context is shut down
    match zmq::proxy(&frontend, &backend, None) {
        Err(ref e) if e.kind() == zmq::ErrorKind::Terminated => Ok(()),
        other => other,
    }
}
