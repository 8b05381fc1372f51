//! Last value cache (the guide's `lvcache.c`, chapter 5, "Last Value
//! Caching"): a SUB connected to the publisher (`pathopub tcp://*:5557`)
//! caches the last value of each topic and forwards it on an XPUB bound on
//! `tcp://*:5558`; when a subscription arrives there, it sends the cached
//! value of that topic at once (`Sending cached topic 123`).
//!
//! ```text
//! cargo run --example lvcache [SECONDS [FRONTEND [BACKEND]]]
//! ```
//!
//! `SECONDS` bounds the run (default 0: forever). Two changes from the C:
//! the frontend connects to `tcp://localhost:5557` (the C connects to
//! `tcp://*:5557`, which libzmq refuses), and the XPUB is verbose, so that
//! every new subscriber to a topic gets its last value, not only the first.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use zmq::{Context, Message, PollEvents, PollItem, SocketType};

const USAGE: &str = "lvcache [SECONDS [FRONTEND [BACKEND]]]  (SECONDS 0 = forever)";

fn main() -> ExitCode {
    zhelpers::args_at_most(3, USAGE);
    let seconds: u64 = zhelpers::arg(1, 0, USAGE);
    let frontend: String = zhelpers::arg(2, "tcp://localhost:5557".into(), USAGE);
    let backend: String = zhelpers::arg(3, "tcp://*:5558".into(), USAGE);
    zhelpers::exit_status("lvcache", run(seconds, &frontend, &backend))
}

fn run(seconds: u64, frontend_endpoint: &str, backend_endpoint: &str) -> zmq::Result<()> {
    let context = Context::new();
    let frontend = context.socket(SocketType::Sub)?;
    frontend.connect(frontend_endpoint)?;
    let backend = context.socket(SocketType::Xpub)?;
    backend.set_xpub_verbose(true)?;
    backend.bind(backend_endpoint)?;

    //  Subscribe to every single topic from publisher
    frontend.set_subscribe(b"")?;

    //  Store last instance of each topic in a cache
    let mut cache: HashMap<Message, Message> = HashMap::new();
    let end = (seconds > 0).then(|| Instant::now() + Duration::from_secs(seconds));

    //  We route topic updates from frontend to backend, and
    //  we handle subscriptions by sending whatever we cached,
    //  if anything:
    while end.is_none_or(|end| Instant::now() < end) {
        let mut items = [
            PollItem::socket(&frontend, PollEvents::POLLIN),
            PollItem::socket(&backend, PollEvents::POLLIN),
        ];
        zmq::poll(&mut items, Some(Duration::from_millis(1000)))?;

        //  Any new topic data we cache and then forward
        if items[0].is_readable() {
            let msg = frontend.recv_multipart()?;
            if let Ok([topic, current]) = <[Message; 2]>::try_from(msg) {
                backend.send_multipart([&topic, &current])?;
                cache.insert(topic, current);
            }
        }
        //  When we get a new subscription, we pull data from the cache:
        if items[1].is_readable() {
            let frame = backend.recv_msg()?;
            //  Event is one byte 0=unsub or 1=sub, followed by topic
            if let Some((1, topic)) = frame.split_first() {
                println!("Sending cached topic {}", String::from_utf8_lossy(topic));
                if let Some(previous) = cache.get(topic) {
                    backend.send_multipart([topic, &previous[..]])?;
                }
            }
        }
    }
    Ok(())
}
