//! Freelance server, model two (the guide's `flserver2.c`, chapter 4,
//! "Model Two: Brutal Shotgun Massacre"): a REP service at the endpoint
//! given that answers each `[sequence][request]` with `[sequence][OK]`.
//! Ctrl-C stops it with `W: interrupted`, status 0.
//!
//! ```text
//! cargo run --example flserver2 tcp://*:5555
//! ```
//!
//! A request of another shape is an error (the C version asserts).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;

use zmq::{Context, Multipart, SocketType};

fn main() -> ExitCode {
    let Some(endpoint) = std::env::args().nth(1) else {
        println!("I: syntax: flserver2 <endpoint>");
        return ExitCode::SUCCESS;
    };
    zhelpers::exit_status("flserver2", run(&endpoint))
}

fn run(endpoint: &str) -> Result<(), Box<dyn std::error::Error>> {
    let ctx = Context::new();
    let _interrupt = zhelpers::interrupt::catch(&ctx)?;
    let server = ctx.socket(SocketType::Rep)?;
    server.bind(endpoint)?;
    println!("I: service is ready at {endpoint}");
    loop {
        let mut request = match server.recv_multipart() {
            Err(e) if zhelpers::interrupt::is_stop(&e) => break, //  Interrupted
            result => result?,
        };
        //  Fail nastily if run against wrong client
        let frames = request.len();
        let (2, Some(identity)) = (frames, request.pop_front()) else {
            return Err(format!("a request of {frames} frames, not 2: wrong client").into());
        };
        let mut reply = Multipart::new();
        reply.push_back(identity);
        reply.push_back("OK");
        server.send_multipart(reply)?;
    }
    if zhelpers::interrupt::interrupted() {
        println!("W: interrupted");
    }
    Ok(())
}
