//! Hello World client over DEALER with an identity (the guide's
//! `hwclient4.c`, a variant of `hwclient.c`): a DEALER connected to
//! `tcp://localhost:5555`, named "ZMQ", that sends the empty delimiter and
//! "Hello" itself and expects the delimiter back before "World".
//!
//! ```text
//! cargo run --example hwclient4 [COUNT [ENDPOINT]]
//! ```
//!
//! `COUNT` requests (default 10) go to `ENDPOINT` (default
//! `tcp://localhost:5555`). Where the C version asserts on a reply without
//! the delimiter, this port exits with an error.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;

use zmq::{Context, SocketType};

const USAGE: &str = "hwclient4 [COUNT [ENDPOINT]]";

fn main() -> ExitCode {
    zhelpers::args_at_most(2, USAGE);
    let count: u64 = zhelpers::arg(1, 10, USAGE);
    let endpoint: String = zhelpers::arg(2, "tcp://localhost:5555".into(), USAGE);
    zhelpers::exit_status("hwclient4", run(count, &endpoint))
}

fn run(count: u64, endpoint: &str) -> Result<(), Box<dyn std::error::Error>> {
    println!("Connecting to hello world server...");
    let context = Context::new();
    let requester = context.socket(SocketType::Dealer)?;
    //  set socket identity
    requester.set_routing_id(b"ZMQ")?;
    requester.connect(endpoint)?;

    for request_nbr in 1..=count {
        println!("Sending request msg: Hello NO={request_nbr}...");
        //  send empty delimiter frame, then data frame
        requester.send_multipart(["", "Hello"])?;
        //  recv reply msg: empty delimiter frame, then data frame
        let reply = requester.recv_multipart()?;
        let [empty, answer] = &reply[..] else {
            return Err(format!("expected 2 frames, got {}", reply.len()).into());
        };
        if !empty.is_empty() {
            return Err("the reply has no empty delimiter frame".into());
        }
        println!(
            "Received respond msg: {} NO={request_nbr}\n",
            zhelpers::frame_text(answer)
        );
    }
    Ok(())
}
