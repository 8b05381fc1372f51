//! Hello World client (the guide's `hwclient.c`, chapter 1): a REQ socket that
//! connects to `tcp://localhost:5555`, sends "Hello" ten times and waits for
//! each "World".
//!
//! ```text
//! cargo run --example hwclient [COUNT [ENDPOINT]]
//! ```
//!
//! `COUNT` requests (default 10) go to `ENDPOINT` (default
//! `tcp://localhost:5555`). Start `hwserver` first, or after: REQ waits.

use std::process::ExitCode;

use zmq::{Context, SocketType};

const USAGE: &str = "usage: hwclient [COUNT [ENDPOINT]]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count = match args.first().map(|s| s.parse::<u64>()) {
        None => 10,
        Some(Ok(n)) => n,
        Some(Err(_)) => return usage(),
    };
    let endpoint = args.get(1).map_or("tcp://localhost:5555", String::as_str);
    if args.len() > 2 {
        return usage();
    }
    match run(count, endpoint) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hwclient: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(2)
}

fn run(count: u64, endpoint: &str) -> zmq::Result<()> {
    println!("Connecting to hello world server...");
    let context = Context::new();
    let requester = context.socket(SocketType::Req)?;
    requester.connect(endpoint)?;

    for request_nbr in 0..count {
        println!("Sending Hello {request_nbr}...");
        requester.send("Hello")?;
        let reply = requester.recv_string()?;
        println!("Received {reply} {request_nbr}");
    }
    Ok(())
}
