//! Clone server, Model Two (the guide's `clonesrv2.c`, chapter 5, "Getting
//! an Out-of-Band Snapshot"): publishes random `kvsimple` updates on a PUB
//! bound on `tcp://*:5557`, and passes each to a state manager thread,
//! which keeps the map and answers `ICANHAZ?` on a ROUTER bound on
//! `tcp://*:5556` with every entry and a final `KTHXBAI` carrying the
//! sequence number of the snapshot (`Sending state shapshot=N`, sic).
//!
//! ```text
//! cargo run --example clonesrv2 [LIMIT [SNAPSHOT [PUBLISHER]]]
//! ```
//!
//! `LIMIT` is `N` updates or `Ns` seconds (default 0: forever); at the end
//! it prints `N messages out`.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

#[path = "kvsimple/mod.rs"]
mod kvsimple;

use std::process::ExitCode;
use std::thread;
use std::time::Instant;

use kvsimple::{KvMap, KvMsg};
use zhelpers::RunBound;
use zmq::{Context, PollEvents, PollItem, Socket, SocketType};

const USAGE: &str =
    "clonesrv2 [LIMIT [SNAPSHOT [PUBLISHER]]]  (LIMIT N updates or Ns seconds; 0 = forever)";

fn main() -> ExitCode {
    zhelpers::args_at_most(3, USAGE);
    let limit: RunBound = zhelpers::arg(1, RunBound::Forever, USAGE);
    let snapshot: String = zhelpers::arg(2, "tcp://*:5556".into(), USAGE);
    let publisher: String = zhelpers::arg(3, "tcp://*:5557".into(), USAGE);
    zhelpers::exit_status("clonesrv2", run(limit, snapshot, &publisher))
}

fn run(limit: RunBound, snapshot: String, publisher_endpoint: &str) -> zmq::Result<()> {
    //  Prepare our context and sockets
    let ctx = Context::new();
    let publisher = ctx.socket(SocketType::Pub)?;
    publisher.bind(publisher_endpoint)?;

    let mut sequence: i64 = 0;

    //  Start state manager and wait for synchronization signal
    let updates = ctx.socket(SocketType::Pair)?;
    updates.bind("inproc://clonesrv2-state")?;
    let pipe = ctx.socket(SocketType::Pair)?;
    pipe.connect("inproc://clonesrv2-state")?;
    let manager = thread::spawn(move || state_manager(pipe, &snapshot));
    updates.recv_msg()?;

    let started = Instant::now();
    while !limit.reached(sequence as u64, started) {
        //  Distribute as key-value message
        sequence += 1;
        let mut kvmsg = KvMsg::new(sequence);
        kvmsg.set_key(&zhelpers::within(10000).to_string());
        kvmsg.set_body(zhelpers::within(1000000).to_string().as_bytes());
        kvmsg.send(&publisher)?;
        kvmsg.send(&updates)?;
    }
    println!("{sequence} messages out");
    ctx.shutdown()?;
    match manager.join().expect("state manager panicked") {
        Err(e) if e.kind() != zmq::ErrorKind::Terminated => Err(e),
        _ => Ok(()),
    }
}

//  The state manager task maintains the state and handles requests from
//  clients for snapshots:
fn state_manager(pipe: Socket, endpoint: &str) -> zmq::Result<()> {
    let mut kvmap = KvMap::new();

    pipe.send("READY")?;
    let snapshot = pipe.context().socket(SocketType::Router)?;
    //  A snapshot is sent in one go: past the default high-water mark a
    //  ROUTER would drop the rest of it, KTHXBAI included
    snapshot.set_sndhwm(0)?;
    snapshot.bind(endpoint)?;

    let mut sequence: i64 = 0; //  Current snapshot version number
    loop {
        let mut items = [
            PollItem::socket(&pipe, PollEvents::POLLIN),
            PollItem::socket(&snapshot, PollEvents::POLLIN),
        ];
        zmq::poll(&mut items, None)?;

        //  Apply state update from main thread
        if items[0].is_readable() {
            if let Some(kvmsg) = KvMsg::recv(&pipe)? {
                sequence = kvmsg.sequence();
                kvmsg.store(&mut kvmap);
            }
        }
        //  Execute state snapshot request
        if items[1].is_readable() {
            let mut request = snapshot.recv_multipart()?;
            let identity = request.pop_front().expect("a routing id");
            //  Request is in second frame of message
            if request != ["ICANHAZ?"] {
                println!("E: bad request, aborting");
                break;
            }
            println!("Sending state shapshot={sequence}");
            kvsimple::send_snapshot(&snapshot, &identity, b"", &kvmap, sequence)?;
        }
    }
    Ok(())
}
