//! Clone client, Model Two (the guide's `clonecli2.c`, chapter 5):
//! subscribes to the updates on `tcp://localhost:5557` first, then asks the
//! server for a snapshot on `tcp://localhost:5556` (`ICANHAZ?`), stores it
//! (`Received snapshot=N`), and then applies only the updates newer than
//! the snapshot.
//!
//! ```text
//! cargo run --example clonecli2 [LIMIT [SNAPSHOT [SUBSCRIBER]]]
//! ```
//!
//! `LIMIT` is `N` updates applied or `Ns` seconds (default 0: forever); at
//! the end it reports on stderr the updates applied and the last sequence.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

#[path = "kvsimple/mod.rs"]
mod kvsimple;

use std::process::ExitCode;
use std::time::Instant;

use kvsimple::{KvMap, KvMsg};
use zhelpers::RunBound;
use zmq::{Context, SocketType};

const USAGE: &str =
    "clonecli2 [LIMIT [SNAPSHOT [SUBSCRIBER]]]  (LIMIT N updates or Ns seconds; 0 = forever)";

fn main() -> ExitCode {
    zhelpers::args_at_most(3, USAGE);
    let limit: RunBound = zhelpers::arg(1, RunBound::Forever, USAGE);
    let snapshot: String = zhelpers::arg(2, "tcp://localhost:5556".into(), USAGE);
    let subscriber: String = zhelpers::arg(3, "tcp://localhost:5557".into(), USAGE);
    zhelpers::exit_status("clonecli2", run(limit, &snapshot, &subscriber))
}

fn run(limit: RunBound, snapshot_endpoint: &str, subscriber_endpoint: &str) -> zmq::Result<()> {
    //  Prepare our context and subscriber
    let ctx = Context::new();
    let snapshot = ctx.socket(SocketType::Dealer)?;
    snapshot.connect(snapshot_endpoint)?;
    let subscriber = ctx.socket(SocketType::Sub)?;
    subscriber.set_subscribe(b"")?;
    subscriber.connect(subscriber_endpoint)?;

    let mut kvmap = KvMap::new();

    //  Get state snapshot
    snapshot.send("ICANHAZ?")?;
    let mut sequence = kvsimple::recv_snapshot(&snapshot, &mut kvmap)?;
    println!("Received snapshot={sequence}");
    //  Now apply pending updates, discard out-of-sequence messages
    let (first, mut applied) = (sequence, 0);
    let started = Instant::now();
    while !limit.reached(applied, started) {
        let frames = match limit.time_left(started) {
            None => subscriber.recv_multipart()?,
            Some(left) => match subscriber.recv_multipart_timeout(left)? {
                Some(frames) => frames,
                None => break,
            },
        };
        let Some(kvmsg) = KvMsg::from_frames(frames.into_vec()) else {
            continue;
        };
        if kvmsg.sequence() > sequence {
            sequence = kvmsg.sequence();
            kvmsg.store(&mut kvmap);
            applied += 1;
        }
    }
    eprintln!(
        "I: {applied} updates applied after snapshot {first}, up to {sequence}; {} keys",
        kvmap.len()
    );
    Ok(())
}
