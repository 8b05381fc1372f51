//! The seed article's publish-subscribe pattern (`wuserver`/`wuclient`) on
//! tokio: a PUB task sprays random weather updates, a SUB task keeps only
//! zipcode 10001 and averages five temperatures, then the publisher is
//! told to stop.
//!
//! ```text
//! cargo run --features tokio --example async_pubsub [UPDATES]
//! ```

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use zmq::{Context, SocketType};

type Result<T, E = Box<dyn std::error::Error + Send + Sync>> = std::result::Result<T, E>;

const USAGE: &str = "async_pubsub [UPDATES]";
const ZIPCODE: &str = "10001";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    zhelpers::args_at_most(1, USAGE);
    let updates: i64 = zhelpers::arg(1, 5, USAGE);
    zhelpers::exit_status("async_pubsub", run(updates.max(1)).await)
}

async fn run(updates: i64) -> Result<()> {
    let context = Context::new();
    let mut publisher = context.socket(SocketType::Pub)?.into_async()?;
    publisher.get_ref().bind("tcp://127.0.0.1:*")?;
    let endpoint = publisher.get_ref().last_endpoint()?;
    println!("[pub-sub] publisher bound to {endpoint}");

    let stop = Arc::new(AtomicBool::new(false));
    let publisher = tokio::spawn({
        let stop = Arc::clone(&stop);
        async move {
            let mut sent = 0u64;
            // PUB never waits: until the subscription arrives (the "slow
            // joiner"), and for every other zipcode, updates are dropped.
            while !stop.load(Ordering::Relaxed) {
                let zipcode = zhelpers::within(100_000);
                let temperature = zhelpers::within(215) as i64 - 80;
                let relhumidity = zhelpers::within(50) + 10;
                publisher
                    .send(format!("{zipcode:05} {temperature} {relhumidity}"))
                    .await?;
                sent += 1; // (each send spends tokio's cooperative budget)
            }
            Ok::<_, zmq::Error>(sent)
        }
    });

    let mut subscriber = context.socket(SocketType::Sub)?.into_async()?;
    subscriber.get_ref().connect(&endpoint)?;
    subscriber
        .get_ref()
        .set_subscribe(format!("{ZIPCODE} ").as_bytes())?;
    let mut total_temp = 0;
    let received = async {
        for _ in 0..updates {
            // A demo must not hang: give up if the publisher goes quiet.
            let update =
                tokio::time::timeout(Duration::from_secs(30), subscriber.recv_string()).await??;
            println!("[pub-sub] subscriber got {update}");
            let temperature = update.split(' ').nth(1).unwrap_or_default();
            total_temp += temperature.parse::<i64>()?;
        }
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
    }
    .await;
    stop.store(true, Ordering::Relaxed);
    let sent = publisher.await??;
    received?;
    println!(
        "[pub-sub] average temperature for {ZIPCODE} was {}F ({updates} of {sent} updates matched)",
        total_temp / updates
    );
    Ok(())
}
