//! Hello World server (the guide's `hwserver.c`, chapter 1, "Ask and Ye Shall
//! Receive"): a REP socket bound on `tcp://*:5555` that answers every "Hello"
//! with "World" after a second of "work".
//!
//! ```text
//! cargo run --example hwserver [COUNT [ENDPOINT]]
//! ```
//!
//! `COUNT` is how many requests to serve before exiting (default: forever,
//! also spelt `0`); `ENDPOINT` replaces `tcp://*:5555`.

use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use zmq::{Context, SocketType};

const USAGE: &str = "usage: hwserver [COUNT [ENDPOINT]]  (COUNT 0 = forever)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count = match args.first().map(|s| s.parse::<u64>()) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return usage(),
    };
    let endpoint = args.get(1).map_or("tcp://*:5555", String::as_str);
    if args.len() > 2 {
        return usage();
    }
    match serve(count, endpoint) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hwserver: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(2)
}

fn serve(count: u64, endpoint: &str) -> zmq::Result<()> {
    //  Socket to talk to clients
    let context = Context::new();
    let responder = context.socket(SocketType::Rep)?;
    responder.bind(endpoint)?;

    let mut served = 0;
    while count == 0 || served < count {
        let request = responder.recv_string()?;
        println!("Received {request}");
        thread::sleep(Duration::from_secs(1)); //  Do some 'work'
        responder.send("World")?;
        served += 1;
    }
    Ok(())
}
