//! Weather proxy device (the guide's `wuproxy.c`, chapter 2, "Transport
//! Bridging"): an XSUB connected to the weather server and an XPUB bound
//! for subscribers, joined by `zmq::proxy`. Subscriptions flow upstream,
//! updates downstream, so `wuclient`s see `wuserver` through it.
//!
//! ```text
//! cargo run --example wuproxy [SECONDS [FRONTEND [BACKEND]]]
//! ```
//!
//! The C original connects to `tcp://192.168.55.210:5556` and binds
//! `tcp://10.1.1.0:8100`, addresses of the author's networks that fail
//! anywhere else; as the guide intends, this port connects to the weather
//! server at `tcp://localhost:5556` (`FRONTEND`) and binds `tcp://*:8100`
//! (`BACKEND`). `SECONDS` bounds the run (default forever, also `0`).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::time::Duration;

use zmq::{Context, SocketType};

const USAGE: &str = "wuproxy [SECONDS [FRONTEND [BACKEND]]]  (SECONDS 0 = forever)";

fn main() -> ExitCode {
    zhelpers::args_at_most(3, USAGE);
    let seconds: u64 = zhelpers::arg(1, 0, USAGE);
    let frontend: String = zhelpers::arg(2, "tcp://localhost:5556".into(), USAGE);
    let backend: String = zhelpers::arg(3, "tcp://*:8100".into(), USAGE);
    zhelpers::exit_status("wuproxy", run(seconds, &frontend, &backend))
}

fn run(seconds: u64, frontend_endpoint: &str, backend_endpoint: &str) -> zmq::Result<()> {
    let context = Context::new();

    //  This is where the weather server sits
    let frontend = context.socket(SocketType::Xsub)?;
    frontend.connect(frontend_endpoint)?;

    //  This is our public endpoint for subscribers
    let backend = context.socket(SocketType::Xpub)?;
    backend.bind(backend_endpoint)?;

    if seconds > 0 {
        zhelpers::shutdown_after(&context, Duration::from_secs(seconds));
    }
    //  Run the proxy until the user interrupts us (or the bound expires)
    match zmq::proxy(&frontend, &backend, None) {
        Err(ref e) if e.kind() == zmq::ErrorKind::Terminated => Ok(()),
        other => other,
    }
}
