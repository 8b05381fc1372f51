//! Hello World client with an identity (the guide's `hwclient3.c`, a
//! variant of `hwclient.c`): a REQ connected to `tcp://localhost:5555`
//! that names itself "ZMQ" (`ZMQ_IDENTITY`, now `ZMQ_ROUTING_ID`), which a
//! ROUTER server (`hwserver3`, `hwserver4`) shows as the first frame.
//!
//! ```text
//! cargo run --example hwclient3 [COUNT [ENDPOINT]]
//! ```
//!
//! `COUNT` requests (default 10) go to `ENDPOINT` (default
//! `tcp://localhost:5555`). A ROUTER accepts one peer per identity: run
//! one `hwclient3` at a time per server.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;

use zmq::{Context, SocketType};

const USAGE: &str = "hwclient3 [COUNT [ENDPOINT]]";

fn main() -> ExitCode {
    zhelpers::args_at_most(2, USAGE);
    let count: u64 = zhelpers::arg(1, 10, USAGE);
    let endpoint: String = zhelpers::arg(2, "tcp://localhost:5555".into(), USAGE);
    zhelpers::exit_status("hwclient3", run(count, &endpoint))
}

fn run(count: u64, endpoint: &str) -> zmq::Result<()> {
    println!("Connecting to hello world server...");
    let context = Context::new();
    let requester = context.socket(SocketType::Req)?;
    //  set REQ socket identity
    requester.set_routing_id(b"ZMQ")?;
    requester.connect(endpoint)?;

    for request_nbr in 1..=count {
        //  send request msg
        println!("Sending request msg: Hello NO={request_nbr}...");
        requester.send("Hello")?;
        //  receive respond msg
        let reply = requester.recv_msg()?;
        println!(
            "Received respond msg: {} NO={request_nbr}\n",
            zhelpers::frame_text(&reply)
        );
    }
    Ok(())
}
