//! Hello World server, verbose (the guide's `hwserver2.c`, a variant of
//! `hwserver.c`): a REP bound on `tcp://*:5555` that prints each request
//! and its reply, replies "World" at once and then works a second.
//!
//! ```text
//! cargo run --example hwserver2 [COUNT [ENDPOINT]]
//! ```
//!
//! `COUNT` is how many requests to serve before exiting (default forever,
//! also `0`); the last reply is not followed by the second of work.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;

use zmq::{Context, SocketType};

const USAGE: &str = "hwserver2 [COUNT [ENDPOINT]]  (COUNT 0 = forever)";

fn main() -> ExitCode {
    zhelpers::args_at_most(2, USAGE);
    let count: u64 = zhelpers::arg(1, 0, USAGE);
    let endpoint: String = zhelpers::arg(2, "tcp://*:5555".into(), USAGE);
    zhelpers::exit_status("hwserver2", run(count, &endpoint))
}

fn run(count: u64, endpoint: &str) -> zmq::Result<()> {
    let context = Context::new();
    let responder = context.socket(SocketType::Rep)?;
    responder.bind(endpoint)?;

    let mut served = 0;
    while count == 0 || served < count {
        let request = responder.recv_msg()?;
        println!("Received request msg: {}", zhelpers::frame_text(&request));
        println!("Send respond msg: World\n");
        responder.send("World")?;
        served += 1;
        if count == 0 || served < count {
            zhelpers::sleep_ms(1000); //  Do some work
        }
    }
    Ok(())
}
