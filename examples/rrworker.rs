//! Request-reply worker (the guide's `rrworker.c`, chapter 2, "Shared
//! Queue"): a REP socket *connected* to the broker's backend at
//! `tcp://localhost:5560`; prints each request, works a second, replies
//! "World". Run as many as you like: the broker load-balances over them.
//!
//! ```text
//! cargo run --example rrworker [COUNT [ENDPOINT]]
//! ```
//!
//! `COUNT` requests are served before exiting (default forever, also `0`).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;

use zmq::{Context, SocketType};

const USAGE: &str = "rrworker [COUNT [ENDPOINT]]  (COUNT 0 = forever)";

fn main() -> ExitCode {
    zhelpers::args_at_most(2, USAGE);
    let count: u64 = zhelpers::arg(1, 0, USAGE);
    let endpoint: String = zhelpers::arg(2, "tcp://localhost:5560".into(), USAGE);
    zhelpers::exit_status("rrworker", run(count, &endpoint))
}

fn run(count: u64, endpoint: &str) -> zmq::Result<()> {
    let context = Context::new();

    //  Socket to talk to clients
    let responder = context.socket(SocketType::Rep)?;
    responder.connect(endpoint)?;

    let mut served = 0;
    while count == 0 || served < count {
        //  Wait for next request from client
        let request = responder.recv_string()?;
        println!("Received request: [{request}]");

        //  Do some 'work'
        zhelpers::sleep_ms(1000);

        //  Send reply back to client
        responder.send("World")?;
        served += 1;
    }
    Ok(())
}
