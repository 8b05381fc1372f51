//! Synchronized subscriber (the guide's `syncsub.c`, chapter 2, "Node
//! Coordination"): subscribes to everything on `tcp://localhost:5561`,
//! waits a second for the subscription to get there, checks in with the
//! publisher over REQ at `tcp://localhost:5562`, then counts updates until
//! "END": `Received 1000000 updates`.
//!
//! ```text
//! cargo run --example syncsub [SUB_ENDPOINT [SYNC_ENDPOINT]]
//! ```

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;

use zmq::{Context, Message, SocketType};

const USAGE: &str = "syncsub [SUB_ENDPOINT [SYNC_ENDPOINT]]";

fn main() -> ExitCode {
    zhelpers::args_at_most(2, USAGE);
    let subscribe: String = zhelpers::arg(1, "tcp://localhost:5561".into(), USAGE);
    let sync: String = zhelpers::arg(2, "tcp://localhost:5562".into(), USAGE);
    zhelpers::exit_status("syncsub", run(&subscribe, &sync))
}

fn run(subscribe: &str, sync: &str) -> zmq::Result<()> {
    let context = Context::new();

    //  First, connect our subscriber socket
    let subscriber = context.socket(SocketType::Sub)?;
    subscriber.connect(subscribe)?;
    subscriber.set_subscribe(b"")?;

    //  0MQ is so fast, we need to wait a while...
    zhelpers::sleep_ms(1000);

    //  Second, synchronize with publisher
    let syncclient = context.socket(SocketType::Req)?;
    syncclient.connect(sync)?;

    //  - send a synchronization request
    syncclient.send("")?;

    //  - wait for synchronization reply
    syncclient.recv_msg()?;

    //  Third, get our updates and report how many we got
    let mut update_nbr: u64 = 0;
    let mut update = Message::new();
    loop {
        subscriber.recv(&mut update)?;
        if &update[..] == b"END" {
            break;
        }
        update_nbr += 1;
    }
    println!("Received {update_nbr} updates");
    Ok(())
}
