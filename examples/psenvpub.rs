//! Pub-sub envelope publisher (the guide's `psenvpub.c`, chapter 2,
//! "Pub-Sub Message Envelopes"): a PUB bound on `tcp://*:5563` sends two
//! two-frame messages a second, each with its key in a frame of its own:
//! `[A][We don't want to see this]` and `[B][We would like to see this]`.
//!
//! ```text
//! cargo run --example psenvpub [COUNT [ENDPOINT]]
//! ```
//!
//! `COUNT` rounds (of the two messages) before exiting; default forever,
//! also `0`.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;

use zmq::{Context, SocketType};

const USAGE: &str = "psenvpub [COUNT [ENDPOINT]]  (COUNT 0 = forever)";

fn main() -> ExitCode {
    zhelpers::args_at_most(2, USAGE);
    let count: u64 = zhelpers::arg(1, 0, USAGE);
    let endpoint: String = zhelpers::arg(2, "tcp://*:5563".into(), USAGE);
    zhelpers::exit_status("psenvpub", run(count, &endpoint))
}

fn run(count: u64, endpoint: &str) -> zmq::Result<()> {
    //  Prepare our context and publisher
    let context = Context::new();
    let publisher = context.socket(SocketType::Pub)?;
    publisher.bind(endpoint)?;

    let mut rounds = 0;
    while count == 0 || rounds < count {
        //  Write two messages, each with an envelope and content
        publisher.send_multipart(["A", "We don't want to see this"])?;
        publisher.send_multipart(["B", "We would like to see this"])?;
        zhelpers::sleep_ms(1000);
        rounds += 1;
    }
    Ok(())
}
