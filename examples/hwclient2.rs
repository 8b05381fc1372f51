//! Hello World client over DEALER (the guide's `hwclient2.c`, a variant of
//! `hwclient.c`): a DEALER connected to `tcp://localhost:5555` does by hand
//! what REQ does for you, sending an empty delimiter frame before "Hello"
//! and expecting one before the reply; a reply without it is discarded.
//! It works with any of `hwserver`, `hwserver2`, `hwserver3`, `hwserver4`.
//!
//! ```text
//! cargo run --example hwclient2 [COUNT [ENDPOINT]]
//! ```
//!
//! `COUNT` requests (default 10) go to `ENDPOINT` (default
//! `tcp://localhost:5555`).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;

use zmq::{Context, SocketType};

const USAGE: &str = "hwclient2 [COUNT [ENDPOINT]]";

fn main() -> ExitCode {
    zhelpers::args_at_most(2, USAGE);
    let count: u64 = zhelpers::arg(1, 10, USAGE);
    let endpoint: String = zhelpers::arg(2, "tcp://localhost:5555".into(), USAGE);
    zhelpers::exit_status("hwclient2", run(count, &endpoint))
}

fn run(count: u64, endpoint: &str) -> zmq::Result<()> {
    println!("Connecting to hello world server...");
    let context = Context::new();
    let requester = context.socket(SocketType::Dealer)?;
    requester.connect(endpoint)?;

    let mut reply_nbr = 0; //  receive respond number
    for request_nbr in 0..count {
        println!("Sending request msg: Hello NO={}...", request_nbr + 1);
        //  send a multipart message: the first part is an empty frame,
        //  the second part the request
        requester.send_multipart(["", "Hello"])?;
        //  receive the reply: if the first part is empty, the second is
        //  the answer; otherwise discard the whole message
        let reply = requester.recv_multipart()?;
        match &reply[..] {
            [empty, answer] if empty.is_empty() => {
                reply_nbr += 1;
                println!(
                    "Received respond msg: {} NO={reply_nbr}\n",
                    zhelpers::frame_text(answer)
                );
            }
            _ => println!("Discard the ZMQ message!"),
        }
    }
    Ok(())
}
