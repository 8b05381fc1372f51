//! Freelance server, model three (the guide's `flserver3.c`, chapter 4,
//! "Model Three: Complex and Nasty"): a ROUTER bound at `tcp://*:5555`
//! whose identity is the endpoint clients connect to,
//! `tcp://localhost:5555`, so a client's ROUTER can address it by name.
//! Answers `PING` with `PONG` and `[sequence][request]` with
//! `[sequence][OK]`; `-v` dumps every message in and out. Ctrl-C stops it
//! with `W: interrupted`, status 0.
//!
//! ```text
//! cargo run --example flserver3 [-v] [BIND CONNECT]
//! ```
//!
//! `BIND` and `CONNECT` move it: what it binds, and the endpoint clients
//! use for it (its identity), e.g. `tcp://*:5556 tcp://localhost:5556`.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;

use zmq::{Context, Multipart, SocketType};

const USAGE: &str = "flserver3 [-v] [BIND CONNECT]";

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.first().is_some_and(|a| a == "-v");
    if verbose {
        args.remove(0);
    }
    let (bind, connect) = match args.as_slice() {
        [] => ("tcp://*:5555".to_owned(), "tcp://localhost:5555".to_owned()),
        [bind, connect] => (bind.clone(), connect.clone()),
        _ => {
            eprintln!("usage: {USAGE}");
            return ExitCode::from(2);
        }
    };
    zhelpers::exit_status("flserver3", run(verbose, &bind, &connect))
}

fn run(verbose: bool, bind_endpoint: &str, connect_endpoint: &str) -> zmq::Result<()> {
    let ctx = Context::new();
    let _interrupt = zhelpers::interrupt::catch(&ctx)?;

    //  Prepare server socket with predictable identity
    let server = ctx.socket(SocketType::Router)?;
    server.set_routing_id(connect_endpoint.as_bytes())?;
    server.bind(bind_endpoint)?;
    println!("I: service is ready at {bind_endpoint}");

    loop {
        let mut request = match server.recv_multipart() {
            Err(e) if zhelpers::interrupt::is_stop(&e) => break, //  Interrupted
            result => result?,
        };
        if verbose {
            zhelpers::dump_frames(&request);
        }
        //  Frame 0: identity of client
        //  Frame 1: PING, or client control frame
        //  Frame 2: request body
        let (Some(identity), Some(control)) = (request.pop_front(), request.pop_front()) else {
            continue; //  Not a Freelance request
        };
        let mut reply = Multipart::new();
        if control == "PING" {
            reply.push_back("PONG");
        } else {
            reply.push_back(control);
            reply.push_back("OK");
        }
        reply.push_front(identity);
        if verbose {
            zhelpers::dump_frames(&reply);
        }
        server.send_multipart(reply)?;
    }
    if zhelpers::interrupt::interrupted() {
        println!("W: interrupted");
    }
    Ok(())
}
