//! Request-reply client (the guide's `rrclient.c`, chapter 2, "Shared
//! Queue"): a REQ socket connected to the broker's frontend at
//! `tcp://localhost:5559` sends "Hello" ten times and prints each reply.
//!
//! ```text
//! cargo run --example rrclient [COUNT [ENDPOINT]]
//! ```
//!
//! `COUNT` requests (default 10) go to `ENDPOINT` (default
//! `tcp://localhost:5559`). Run it with `rrbroker` (or `msgqueue`) and
//! `rrworker`.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;

use zmq::{Context, SocketType};

const USAGE: &str = "rrclient [COUNT [ENDPOINT]]";

fn main() -> ExitCode {
    zhelpers::args_at_most(2, USAGE);
    let count: u64 = zhelpers::arg(1, 10, USAGE);
    let endpoint: String = zhelpers::arg(2, "tcp://localhost:5559".into(), USAGE);
    zhelpers::exit_status("rrclient", run(count, &endpoint))
}

fn run(count: u64, endpoint: &str) -> zmq::Result<()> {
    let context = Context::new();

    //  Socket to talk to server
    let requester = context.socket(SocketType::Req)?;
    requester.connect(endpoint)?;

    for request_nbr in 0..count {
        requester.send("Hello")?;
        let reply = requester.recv_string()?;
        println!("Received reply {request_nbr} [{reply}]");
    }
    Ok(())
}
