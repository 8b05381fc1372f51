//! Clone client, Model One (the guide's `clonecli1.c`, chapter 5): a SUB
//! connected to `tcp://localhost:5556` that stores every `kvsimple` update
//! in its map.
//!
//! ```text
//! cargo run --example clonecli1 [LIMIT [ENDPOINT]]
//! ```
//!
//! `LIMIT` is `N` updates or `Ns` seconds (default 0: forever); at the end
//! it prints `N messages in` and, on stderr, the size of its map.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

#[path = "kvsimple/mod.rs"]
mod kvsimple;

use std::process::ExitCode;
use std::time::Instant;

use kvsimple::{KvMap, KvMsg};
use zhelpers::RunBound;
use zmq::{Context, SocketType};

const USAGE: &str = "clonecli1 [LIMIT [ENDPOINT]]  (LIMIT N updates or Ns seconds; 0 = forever)";

fn main() -> ExitCode {
    zhelpers::args_at_most(2, USAGE);
    let limit: RunBound = zhelpers::arg(1, RunBound::Forever, USAGE);
    let endpoint: String = zhelpers::arg(2, "tcp://localhost:5556".into(), USAGE);
    zhelpers::exit_status("clonecli1", run(limit, &endpoint))
}

fn run(limit: RunBound, endpoint: &str) -> zmq::Result<()> {
    //  Prepare our context and updates socket
    let ctx = Context::new();
    let updates = ctx.socket(SocketType::Sub)?;
    updates.set_subscribe(b"")?;
    updates.connect(endpoint)?;

    let mut kvmap = KvMap::new();
    let mut sequence: u64 = 0;
    let started = Instant::now();
    while !limit.reached(sequence, started) {
        let frames = match limit.time_left(started) {
            None => updates.recv_multipart()?,
            Some(left) => match updates.recv_multipart_timeout(left)? {
                Some(frames) => frames,
                None => break,
            },
        };
        if let Some(kvmsg) = KvMsg::from_frames(frames.into_vec()) {
            kvmsg.store(&mut kvmap);
            sequence += 1;
        }
    }
    println!("{sequence} messages in");
    eprintln!("I: {} keys in the map", kvmap.len());
    Ok(())
}
