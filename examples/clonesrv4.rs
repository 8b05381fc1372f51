//! Clone server, Model Four (the guide's `clonesrv4.c`, chapter 5,
//! "Working with Subtrees"): `clonesrv3` whose snapshot request names a
//! subtree (`[ICANHAZ?][/client/]`): only the keys starting with it are
//! sent.
//!
//! ```text
//! cargo run --example clonesrv4 [SECONDS [SNAPSHOT [PUBLISHER [COLLECTOR]]]]
//! ```
//!
//! `SECONDS` bounds the run (default 0: forever); at the end it prints
//! `N messages handled`.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

#[path = "kvsimple/mod.rs"]
mod kvsimple;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use kvsimple::{KvMap, KvMsg};
use zmq::{Context, Message, PollEvents, PollItem, SocketType};

const USAGE: &str = "clonesrv4 [SECONDS [SNAPSHOT [PUBLISHER [COLLECTOR]]]]  (SECONDS 0 = forever)";

fn main() -> ExitCode {
    zhelpers::args_at_most(4, USAGE);
    let seconds: u64 = zhelpers::arg(1, 0, USAGE);
    let snapshot: String = zhelpers::arg(2, "tcp://*:5556".into(), USAGE);
    let publisher: String = zhelpers::arg(3, "tcp://*:5557".into(), USAGE);
    let collector: String = zhelpers::arg(4, "tcp://*:5558".into(), USAGE);
    let ends = [snapshot.as_str(), &publisher, &collector];
    zhelpers::exit_status("clonesrv4", run(seconds, ends))
}

fn run(seconds: u64, [snapshot_ep, publisher_ep, collector_ep]: [&str; 3]) -> zmq::Result<()> {
    //  Prepare our context and sockets
    let ctx = Context::new();
    let snapshot = ctx.socket(SocketType::Router)?;
    //  A snapshot is sent in one go: past the default high-water mark a
    //  ROUTER would drop the rest of it, KTHXBAI included
    snapshot.set_sndhwm(0)?;
    snapshot.bind(snapshot_ep)?;
    let publisher = ctx.socket(SocketType::Pub)?;
    publisher.bind(publisher_ep)?;
    let collector = ctx.socket(SocketType::Pull)?;
    collector.bind(collector_ep)?;

    //  The body of the main task collects updates from clients and
    //  publishes them back out to clients:
    let mut sequence: i64 = 0;
    let mut kvmap = KvMap::new();
    let end = (seconds > 0).then(|| Instant::now() + Duration::from_secs(seconds));

    while end.is_none_or(|end| Instant::now() < end) {
        let mut items = [
            PollItem::socket(&collector, PollEvents::POLLIN),
            PollItem::socket(&snapshot, PollEvents::POLLIN),
        ];
        zmq::poll(&mut items, Some(Duration::from_millis(1000)))?;

        //  Apply state update sent from client
        if items[0].is_readable() {
            if let Some(mut kvmsg) = KvMsg::recv(&collector)? {
                sequence += 1;
                kvmsg.set_sequence(sequence);
                kvmsg.send(&publisher)?;
                kvmsg.store(&mut kvmap);
                println!("I: publishing update {sequence:5}");
            }
        }
        //  Execute state snapshot request
        if items[1].is_readable() {
            let mut request = snapshot.recv_multipart()?;
            let identity = request.pop_front().expect("a routing id");
            //  Request is in second frame of message, subtree in third
            let subtree = match <[Message; 2]>::try_from(request) {
                Ok([command, subtree]) if command == "ICANHAZ?" => subtree,
                _ => {
                    println!("E: bad request, aborting");
                    break;
                }
            };
            println!("I: sending shapshot={sequence}");
            kvsimple::send_snapshot(&snapshot, &identity, &subtree, &kvmap, sequence)?;
        }
    }
    println!("{sequence} messages handled");
    Ok(())
}
