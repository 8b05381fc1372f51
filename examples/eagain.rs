//! Shows how to provoke EAGAIN when reaching HWM (the guide's `eagain.c`,
//! chapter 8, "Dealing with Blocked Peers"): a
//! DEALER with a send high-water mark of 4 and a send timeout of 0,
//! connected to `tcp://localhost:9876` where nobody listens, sends until
//! the queue is full: `Sending message 0` ... then
//! `Resource temporarily unavailable`.
//!
//! ```text
//! cargo run --example eagain [ENDPOINT]
//! ```

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::time::Duration;

use zmq::{Context, SocketType};

const USAGE: &str = "eagain [ENDPOINT]";

fn main() -> ExitCode {
    zhelpers::args_at_most(1, USAGE);
    let endpoint: String = zhelpers::arg(1, "tcp://localhost:9876".into(), USAGE);
    zhelpers::exit_status("eagain", run(&endpoint))
}

fn run(endpoint: &str) -> zmq::Result<()> {
    let ctx = Context::new();

    let mailbox = ctx.socket(SocketType::Dealer)?;
    mailbox.set_sndhwm(4)?;
    mailbox.set_sndtimeo(Some(Duration::ZERO))?;
    //  CZMQ's sockets do not linger: the queued messages are dropped at
    //  the end instead of waiting for a peer that never comes.
    mailbox.set_linger(Some(Duration::ZERO))?;
    mailbox.connect(endpoint)?;

    for count in 0..10 {
        println!("Sending message {count}");
        if let Err(e) = mailbox.send(format!("message {count}")) {
            println!("{e}");
            break;
        }
    }
    Ok(())
}
