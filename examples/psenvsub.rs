//! Pub-sub envelope subscriber (the guide's `psenvsub.c`, chapter 2,
//! "Pub-Sub Message Envelopes"): a SUB connected to `tcp://localhost:5563`
//! and subscribed to the key "B", matched against the first frame only;
//! prints `[B] We would like to see this` for every message.
//!
//! ```text
//! cargo run --example psenvsub [COUNT [ENDPOINT]]
//! ```
//!
//! `COUNT` messages are printed before exiting (default forever, also `0`).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;

use zmq::{Context, SocketType};

const USAGE: &str = "psenvsub [COUNT [ENDPOINT]]  (COUNT 0 = forever)";

fn main() -> ExitCode {
    zhelpers::args_at_most(2, USAGE);
    let count: u64 = zhelpers::arg(1, 0, USAGE);
    let endpoint: String = zhelpers::arg(2, "tcp://localhost:5563".into(), USAGE);
    zhelpers::exit_status("psenvsub", run(count, &endpoint))
}

fn run(count: u64, endpoint: &str) -> zmq::Result<()> {
    //  Prepare our context and subscriber
    let context = Context::new();
    let subscriber = context.socket(SocketType::Sub)?;
    subscriber.connect(endpoint)?;
    subscriber.set_subscribe(b"B")?;

    let mut received = 0;
    while count == 0 || received < count {
        //  Read envelope with address, then message contents
        let frames = subscriber.recv_multipart()?;
        let address = frames
            .first()
            .map_or(String::new(), |f| zhelpers::frame_text(f));
        let contents: Vec<String> = frames[1..]
            .iter()
            .map(|f| zhelpers::frame_text(f))
            .collect();
        println!("[{address}] {}", contents.join(" "));
        received += 1;
    }
    Ok(())
}
