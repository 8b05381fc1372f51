//! Majordomo client (the guide's `mdclient.c`, chapter 4,
//! "Service-Oriented Reliable Queuing"): sends `Hello world` to the `echo`
//! service through the broker at `tcp://localhost:5555`, one request at a
//! time on the synchronous client API ([`mdp::mdcliapi`]), and prints how
//! many round trips it made.
//!
//! ```text
//! cargo run --example mdclient [-v] [COUNT [ENDPOINT]]
//! ```
//!
//! `COUNT` requests instead of the guide's 100,000.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

#[path = "mdp/mod.rs"]
mod mdp;

use std::process::ExitCode;

use mdp::mdcliapi::Client;
use zmq::{Context, Multipart};

const USAGE: &str = "mdclient [-v] [COUNT [ENDPOINT]]";

fn main() -> ExitCode {
    let (verbose, args) = mdp::args(2, USAGE);
    let total: u64 = mdp::arg(&args, 0, 100_000, USAGE);
    let endpoint: String = mdp::arg(&args, 1, "tcp://localhost:5555".into(), USAGE);
    zhelpers::exit_status("mdclient", run(verbose, total, &endpoint))
}

fn run(verbose: bool, total: u64, endpoint: &str) -> Result<(), Box<dyn std::error::Error>> {
    let ctx = Context::new();
    //  Ctrl-C shuts the context down: send ends after the guide's warning
    let _interrupt = zhelpers::interrupt::catch(&ctx)?;
    let mut session = Client::new(&ctx, endpoint, verbose)?;

    let mut count = 0;
    while count < total {
        let request = Multipart::from_iter(["Hello world"]);
        match session.send("echo", request) {
            Ok(Some(_reply)) => count += 1,
            Ok(None) => break,              //  Failure
            Err(e) if e.is_stop() => break, //  Interrupt
            Err(e) => return Err(e.into()),
        }
    }
    println!("{count} requests/replies processed");
    Ok(())
}
