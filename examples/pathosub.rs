//! Pathological subscriber (the guide's `pathosub.c`, chapter 5, "Last
//! Value Caching"): connects to `tcp://localhost:5556` (or the endpoint
//! given), subscribes to one random topic `000`..`999` and prints the data
//! of every message on it.
//!
//! ```text
//! cargo run --example pathosub [ENDPOINT [COUNT [TOPIC]]]
//! ```
//!
//! `COUNT` bounds the messages printed (default 0: forever, as in the
//! guide); `TOPIC` replaces the random one.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;

use zmq::{Context, SocketType};

const USAGE: &str = "pathosub [ENDPOINT [COUNT [TOPIC]]]  (COUNT 0 = forever)";

fn main() -> ExitCode {
    zhelpers::args_at_most(3, USAGE);
    let endpoint: String = zhelpers::arg(1, "tcp://localhost:5556".into(), USAGE);
    let count: u64 = zhelpers::arg(2, 0, USAGE);
    let topic: String = zhelpers::arg(3, format!("{:03}", zhelpers::within(1000)), USAGE);
    zhelpers::exit_status("pathosub", run(&endpoint, count, &topic))
}

fn run(endpoint: &str, count: u64, subscription: &str) -> zmq::Result<()> {
    let context = Context::new();
    let subscriber = context.socket(SocketType::Sub)?;
    subscriber.connect(endpoint)?;
    subscriber.set_subscribe(subscription.as_bytes())?;

    let mut received = 0;
    while count == 0 || received < count {
        let msg = subscriber.recv_multipart()?;
        let [topic, data] = <[zmq::Message; 2]>::try_from(msg).map_err(|_| {
            eprintln!("E: expected [topic][data]");
            zmq::Error::from_errno(libc::EPROTO)
        })?;
        assert_eq!(&topic[..], subscription.as_bytes());
        println!("{}", String::from_utf8_lossy(&data));
        received += 1;
    }
    Ok(())
}
