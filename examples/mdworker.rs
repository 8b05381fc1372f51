//! Majordomo worker (the guide's `mdworker.c`, chapter 4, "Service-Oriented
//! Reliable Queuing"): the `echo` service on the broker at
//! `tcp://localhost:5555`, written on the worker API ([`mdp::mdwrkapi`]).
//!
//! ```text
//! cargo run --example mdworker [-v] [SECONDS [ENDPOINT [SERVICE]]]
//! ```
//!
//! `-v` prints every message; it runs `SECONDS` seconds (default forever,
//! also `0`); `SERVICE` instead of `echo`. Ctrl-C ends it with `W: interrupt
//! received, killing worker...` and status 0 (`zhelpers::interrupt`).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

#[path = "mdp/mod.rs"]
mod mdp;

use std::process::ExitCode;
use std::time::Duration;

use mdp::mdwrkapi::Worker;
use zmq::Context;

const USAGE: &str = "mdworker [-v] [SECONDS [ENDPOINT [SERVICE]]]  (SECONDS 0 = forever)";

fn main() -> ExitCode {
    let (verbose, args) = mdp::args(3, USAGE);
    let seconds: u64 = mdp::arg(&args, 0, 0, USAGE);
    let endpoint: String = mdp::arg(&args, 1, "tcp://localhost:5555".into(), USAGE);
    let service: String = mdp::arg(&args, 2, "echo".into(), USAGE);
    zhelpers::exit_status("mdworker", run(verbose, seconds, &endpoint, &service))
}

fn run(
    verbose: bool,
    seconds: u64,
    endpoint: &str,
    service: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let ctx = Context::new();
    //  Ctrl-C shuts the context down: recv ends after the guide's warning
    let _interrupt = zhelpers::interrupt::catch(&ctx)?;
    if seconds > 0 {
        zhelpers::shutdown_after(&ctx, Duration::from_secs(seconds));
    }
    let mut session = Worker::new(&ctx, endpoint, service, verbose)?;

    let mut reply = None;
    loop {
        let request = match session.recv(reply.take()) {
            Err(e) if e.is_stop() => break, //  Worker was interrupted or stopped
            result => result?,
        };
        reply = Some(request); //  Echo is complex... :-)
    }
    Ok(())
}
