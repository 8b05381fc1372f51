//! Weather update server (the guide's `wuserver.c`, chapter 1, "Getting the
//! Message Out"): a PUB socket bound on `tcp://*:5556` that publishes random
//! weather updates, `"%05d %d %d"` = zipcode, temperature, relative humidity,
//! as fast as it can.
//!
//! ```text
//! cargo run --example wuserver [LIMIT [ENDPOINT]]
//! ```
//!
//! `LIMIT` bounds the run: `N` updates, or `Ns` seconds (`30s`); the default,
//! also spelt `0`, is forever. `ENDPOINT` replaces `tcp://*:5556`. (The guide
//! also binds `ipc://weather.ipc`; this port does not, so that it leaves no
//! socket file in the working directory.)

use std::process::ExitCode;
use std::time::{Duration, Instant};

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use zmq::{Context, SocketType};

const USAGE: &str =
    "usage: wuserver [LIMIT [ENDPOINT]]  (LIMIT: N updates, Ns seconds, 0 = forever)";

/// When to stop publishing.
enum Limit {
    Forever,
    Updates(u64),
    Time(Duration),
}

impl std::str::FromStr for Limit {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Limit, Self::Err> {
        Ok(match s.strip_suffix('s') {
            Some(secs) => Limit::Time(Duration::from_secs(secs.parse()?)),
            None => match s.parse()? {
                0 => Limit::Forever,
                n => Limit::Updates(n),
            },
        })
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let limit = match args.first().map(|s| s.parse::<Limit>()) {
        None => Limit::Forever,
        Some(Ok(limit)) => limit,
        Some(Err(_)) => return usage(),
    };
    let endpoint = args.get(1).map_or("tcp://*:5556", String::as_str);
    if args.len() > 2 {
        return usage();
    }
    match publish(limit, endpoint) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wuserver: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(2)
}

fn publish(limit: Limit, endpoint: &str) -> zmq::Result<()> {
    //  Prepare our context and publisher
    let context = Context::new();
    let publisher = context.socket(SocketType::Pub)?;
    publisher.bind(endpoint)?;

    //  Initialize random number generator
    let start = Instant::now();
    let mut sent: u64 = 0;
    loop {
        match limit {
            Limit::Forever => {}
            Limit::Updates(n) if sent >= n => break,
            // Checking the clock every 1024 updates is plenty.
            Limit::Time(d) if sent.is_multiple_of(1024) && start.elapsed() >= d => break,
            _ => {}
        }
        //  Get values that will fool the boss
        let zipcode = zhelpers::within(100_000);
        let temperature = zhelpers::within(215) as i64 - 80;
        let relhumidity = zhelpers::within(50) + 10;

        //  Send message to all subscribers
        let update = format!("{zipcode:05} {temperature} {relhumidity}");
        publisher.send(update)?;
        sent += 1;
    }
    Ok(())
}
