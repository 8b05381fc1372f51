//! Clone client, Model Five (the guide's `clonecli5.c`, chapter 5,
//! "Ephemeral Values"): `clonecli4` on `kvmsg`, whose updates carry a
//! random time-to-live (`ttl` property, 0-29 seconds; 0 is for ever): the
//! server deletes expired values and publishes the deletions, which remove
//! the keys here too. (Like `clonecli4`, it subscribes to the subtree
//! only.)
//!
//! ```text
//! cargo run --example clonecli5 [LIMIT [SNAPSHOT [SUBSCRIBER [PUBLISHER [TTL]]]]]
//! ```
//!
//! `LIMIT` is `N` updates received or `Ns` seconds (default 0: forever); at
//! the end it prints `N messages in` (N: the last sequence number) and, on
//! stderr, its map as `key=value` lines after `I: kvmap:`. `TTL` (seconds)
//! replaces the random time-to-live.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

#[path = "kvmsg/mod.rs"]
mod kvmsg;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use kvmsg::{KvMap, KvMsg};
use zhelpers::RunBound;
use zmq::{Context, PollEvents, PollItem, SocketType};

const SUBTREE: &str = "/client/";

const USAGE: &str = "clonecli5 [LIMIT [SNAPSHOT [SUBSCRIBER [PUBLISHER [TTL]]]]]  \
                     (LIMIT N updates or Ns seconds; 0 = forever)";

fn main() -> ExitCode {
    zhelpers::args_at_most(5, USAGE);
    let limit: RunBound = zhelpers::arg(1, RunBound::Forever, USAGE);
    let snapshot: String = zhelpers::arg(2, "tcp://localhost:5556".into(), USAGE);
    let subscriber: String = zhelpers::arg(3, "tcp://localhost:5557".into(), USAGE);
    let publisher: String = zhelpers::arg(4, "tcp://localhost:5558".into(), USAGE);
    let ttl: Option<u64> = std::env::args().nth(5).map(|_| zhelpers::arg(5, 0, USAGE));
    let ends = [snapshot.as_str(), &subscriber, &publisher];
    zhelpers::exit_status("clonecli5", run(limit, ends, ttl))
}

fn run(
    limit: RunBound,
    [snapshot_ep, subscriber_ep, publisher_ep]: [&str; 3],
    ttl: Option<u64>,
) -> zmq::Result<()> {
    //  Prepare our context and subscriber
    let ctx = Context::new();
    let snapshot = ctx.socket(SocketType::Dealer)?;
    snapshot.connect(snapshot_ep)?;
    let subscriber = ctx.socket(SocketType::Sub)?;
    subscriber.connect(subscriber_ep)?;
    subscriber.set_subscribe(SUBTREE.as_bytes())?;
    let publisher = ctx.socket(SocketType::Push)?;
    publisher.connect(publisher_ep)?;

    let mut kvmap = KvMap::new();

    //  We first request a state snapshot:
    snapshot.send_multipart(["ICANHAZ?", SUBTREE])?;
    let mut sequence = loop {
        let Some(kvmsg) = KvMsg::recv(&snapshot)? else {
            continue;
        };
        if kvmsg.key() == Some("KTHXBAI") {
            println!("I: received snapshot={}", kvmsg.sequence());
            break kvmsg.sequence(); //  Done
        }
        kvmsg.store(&mut kvmap);
    };
    //  Now we wait for updates from the server and every so often, we
    //  send a random key-value update to the server:
    let started = Instant::now();
    let mut received = 0;
    let mut alarm = Instant::now() + Duration::from_millis(1000);
    while !limit.reached(received, started) {
        let mut items = [PollItem::socket(&subscriber, PollEvents::POLLIN)];
        let mut tickless = alarm.saturating_duration_since(Instant::now());
        if let Some(left) = limit.time_left(started) {
            tickless = tickless.min(left);
        }
        zmq::poll(&mut items, Some(tickless))?;

        if items[0].is_readable() {
            //  Discard out-of-sequence kvmsgs, incl. heartbeats
            if let Some(kvmsg) = KvMsg::recv(&subscriber)? {
                if kvmsg.sequence() > sequence {
                    sequence = kvmsg.sequence();
                    kvmsg.store(&mut kvmap);
                    println!("I: received update={sequence}");
                    received += 1;
                }
            }
        }
        //  If we timed out, generate a random kvmsg
        if Instant::now() >= alarm {
            let mut kvmsg = KvMsg::new(0);
            kvmsg.set_key(&format!("{SUBTREE}{}", zhelpers::within(10000)));
            kvmsg.set_body(zhelpers::within(1000000).to_string().as_bytes());
            let ttl = ttl.unwrap_or_else(|| zhelpers::within(30));
            kvmsg.set_prop("ttl", &ttl.to_string());
            kvmsg.send(&publisher)?;
            alarm = Instant::now() + Duration::from_millis(1000);
        }
    }
    println!("{sequence} messages in");
    print_map(&kvmap);
    Ok(())
}

/// The map on stderr, sorted by key, for tests to compare clients.
fn print_map(kvmap: &KvMap) {
    let mut entries: Vec<String> = kvmap
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                String::from_utf8_lossy(v.body().unwrap_or_default())
            )
        })
        .collect();
    entries.sort();
    eprintln!("I: kvmap: {}", entries.join(" "));
}
