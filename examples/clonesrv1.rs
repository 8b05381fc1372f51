//! Clone server, Model One (the guide's `clonesrv1.c`, chapter 5,
//! "Centralized Versus Decentralized"): publishes random key-value updates
//! (`kvsimple`, keys 0-9999, values 0-999999) on a PUB bound on
//! `tcp://*:5556`, as fast as it can, and keeps them in its own map.
//!
//! ```text
//! cargo run --example clonesrv1 [LIMIT [ENDPOINT]]
//! ```
//!
//! `LIMIT` is `N` updates or `Ns` seconds (default 0: forever); at the end
//! it prints `N messages out` (after ` Interrupted` in the guide, where only
//! Ctrl-C ends it).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

#[path = "kvsimple/mod.rs"]
mod kvsimple;

use std::process::ExitCode;
use std::time::Instant;

use kvsimple::{KvMap, KvMsg};
use zhelpers::RunBound;
use zmq::{Context, SocketType};

const USAGE: &str = "clonesrv1 [LIMIT [ENDPOINT]]  (LIMIT N updates or Ns seconds; 0 = forever)";

fn main() -> ExitCode {
    zhelpers::args_at_most(2, USAGE);
    let limit: RunBound = zhelpers::arg(1, RunBound::Forever, USAGE);
    let endpoint: String = zhelpers::arg(2, "tcp://*:5556".into(), USAGE);
    zhelpers::exit_status("clonesrv1", run(limit, &endpoint))
}

fn run(limit: RunBound, endpoint: &str) -> zmq::Result<()> {
    //  Prepare our context and publisher socket
    let ctx = Context::new();
    let publisher = ctx.socket(SocketType::Pub)?;
    publisher.bind(endpoint)?;
    zhelpers::sleep_ms(200);

    let mut kvmap = KvMap::new();
    let mut sequence: i64 = 0;
    let started = Instant::now();
    while !limit.reached(sequence as u64, started) {
        //  Distribute as key-value message
        sequence += 1;
        let mut kvmsg = KvMsg::new(sequence);
        kvmsg.set_key(&zhelpers::within(10000).to_string());
        kvmsg.set_body(zhelpers::within(1000000).to_string().as_bytes());
        kvmsg.send(&publisher)?;
        kvmsg.store(&mut kvmap);
    }
    println!("{sequence} messages out");
    Ok(())
}
