//! MMI echo query (the guide's `mmiecho.c`, chapter 4, "Service
//! Discovery"): asks the Majordomo broker at `tcp://localhost:5555`, through
//! the `mmi.service` service, whether the `echo` service has workers:
//! `Lookup echo service: 200` (yes) or `404` (no).
//!
//! ```text
//! cargo run --example mmiecho [-v] [ENDPOINT [SERVICE]]
//! ```

#[path = "zhelpers/mod.rs"]
mod zhelpers;

#[path = "mdp/mod.rs"]
mod mdp;

use std::process::ExitCode;

use mdp::mdcliapi::Client;
use zmq::{Context, Multipart};

const USAGE: &str = "mmiecho [-v] [ENDPOINT [SERVICE]]";

fn main() -> ExitCode {
    let (verbose, args) = mdp::args(2, USAGE);
    let endpoint: String = mdp::arg(&args, 0, "tcp://localhost:5555".into(), USAGE);
    let service: String = mdp::arg(&args, 1, "echo".into(), USAGE);
    zhelpers::exit_status("mmiecho", run(verbose, &endpoint, &service))
}

fn run(verbose: bool, endpoint: &str, service: &str) -> Result<(), Box<dyn std::error::Error>> {
    let ctx = Context::new();
    //  Ctrl-C shuts the context down: send ends after the guide's warning
    let _interrupt = zhelpers::interrupt::catch(&ctx)?;
    let mut session = Client::new(&ctx, endpoint, verbose)?;

    //  This is the service we want to look up
    let request = Multipart::from_iter([service]);

    //  This is the service we send our request to
    let reply = match session.send("mmi.service", request) {
        Err(e) if e.is_stop() => None, //  Interrupted: as no reply
        result => result?,
    };
    match reply {
        Some(reply) => {
            let code = reply
                .first()
                .map(|f| zhelpers::frame_text(f))
                .unwrap_or_default();
            println!("Lookup {service} service: {code}");
        }
        None => println!("E: no response from broker, make sure it's running"),
    }
    Ok(())
}
