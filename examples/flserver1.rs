//! Freelance server, model one (the guide's `flserver1.c`, chapter 4,
//! "Model One: Simple Retry and Failover"): a REP echo service at the
//! endpoint given. Ctrl-C stops it with `W: interrupted`, status 0.
//!
//! ```text
//! cargo run --example flserver1 tcp://*:5555
//! ```

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;

use zmq::{Context, SocketType};

fn main() -> ExitCode {
    let Some(endpoint) = std::env::args().nth(1) else {
        println!("I: syntax: flserver1 <endpoint>");
        return ExitCode::SUCCESS;
    };
    zhelpers::exit_status("flserver1", run(&endpoint))
}

fn run(endpoint: &str) -> zmq::Result<()> {
    let ctx = Context::new();
    let _interrupt = zhelpers::interrupt::catch(&ctx)?;
    let server = ctx.socket(SocketType::Rep)?;
    server.bind(endpoint)?;
    println!("I: echo service is ready at {endpoint}");
    loop {
        let msg = match server.recv_multipart() {
            Err(e) if zhelpers::interrupt::is_stop(&e) => break, //  Interrupted
            result => result?,
        };
        server.send_multipart(msg)?;
    }
    if zhelpers::interrupt::interrupted() {
        println!("W: interrupted");
    }
    Ok(())
}
