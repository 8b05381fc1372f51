//! Majordomo asynchronous client (the guide's `mdclient2.c`, chapter 4,
//! "Asynchronous Majordomo Pattern"): sends all its `Hello world` requests
//! to the `echo` service first, then reads the replies, on the asynchronous
//! client API ([`mdp::mdcliapi2`]).
//!
//! ```text
//! cargo run --example mdclient2 [-v] [COUNT [ENDPOINT]]
//! ```
//!
//! `COUNT` requests instead of the guide's 100,000.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

#[path = "mdp/mod.rs"]
mod mdp;

use std::process::ExitCode;

use mdp::mdcliapi2::Client;
use zmq::{Context, Multipart};

const USAGE: &str = "mdclient2 [-v] [COUNT [ENDPOINT]]";

fn main() -> ExitCode {
    let (verbose, args) = mdp::args(2, USAGE);
    let total: u64 = mdp::arg(&args, 0, 100_000, USAGE);
    let endpoint: String = mdp::arg(&args, 1, "tcp://localhost:5555".into(), USAGE);
    zhelpers::exit_status("mdclient2", run(verbose, total, &endpoint))
}

fn run(verbose: bool, total: u64, endpoint: &str) -> Result<(), Box<dyn std::error::Error>> {
    let ctx = Context::new();
    //  Ctrl-C shuts the context down: recv ends after the guide's warning
    let _interrupt = zhelpers::interrupt::catch(&ctx)?;
    let session = Client::new(&ctx, endpoint, verbose)?;

    for _ in 0..total {
        match session.send("echo", Multipart::from_iter(["Hello world"])) {
            //  Interrupted while blocked (no broker yet, a full queue):
            //  the first recv below says so
            Err(e) if e.is_stop() => break,
            result => result?,
        }
    }
    let mut count = 0;
    while count < total {
        match session.recv() {
            Ok(Some(_reply)) => count += 1,
            Ok(None) => break,              //  Timed out
            Err(e) if e.is_stop() => break, //  Interrupted by Ctrl-C
            Err(e) => return Err(e.into()),
        }
    }
    println!("{count} replies received");
    Ok(())
}
