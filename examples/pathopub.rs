//! Pathological publisher (the guide's `pathopub.c`, chapter 5, "Last
//! Value Caching"): binds `tcp://*:5556` (or the endpoint given), waits a
//! second, sends all 1,000 topics `000`..`999` with `Save Roger`, then one
//! random topic a second with `Off with his head!`.
//!
//! ```text
//! cargo run --example pathopub [ENDPOINT [COUNT]]
//! ```
//!
//! `COUNT` bounds the random updates (default 0: forever, as in the guide).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;

use zmq::{Context, SocketType};

const USAGE: &str = "pathopub [ENDPOINT [COUNT]]  (COUNT 0 = forever)";

fn main() -> ExitCode {
    zhelpers::args_at_most(2, USAGE);
    let endpoint: String = zhelpers::arg(1, "tcp://*:5556".into(), USAGE);
    let count: u64 = zhelpers::arg(2, 0, USAGE);
    zhelpers::exit_status("pathopub", run(&endpoint, count))
}

fn run(endpoint: &str, count: u64) -> zmq::Result<()> {
    let context = Context::new();
    let publisher = context.socket(SocketType::Pub)?;
    publisher.bind(endpoint)?;

    //  Ensure subscriber connection has time to complete
    zhelpers::sleep_ms(1000);

    //  Send out all 1,000 topic messages
    for topic_nbr in 0..1000 {
        publisher.send_multipart([format!("{topic_nbr:03}").as_str(), "Save Roger"])?;
    }
    //  Send one random update per second
    let mut sent = 0;
    while count == 0 || sent < count {
        zhelpers::sleep_ms(1000);
        let topic = format!("{:03}", zhelpers::within(1000));
        publisher.send_multipart([topic.as_str(), "Off with his head!"])?;
        sent += 1;
    }
    Ok(())
}
