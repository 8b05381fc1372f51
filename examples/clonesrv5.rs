//! Clone server, Model Five (the guide's `clonesrv5.c`, chapter 5,
//! "Ephemeral Values"): `clonesrv4` on `kvmsg` (UUIDs, properties) and a
//! reactor (`zmq::Reactor`, czmq's `zloop`): a ROUTER on `tcp://*:5556`
//! answers snapshot requests, a PULL on `tcp://*:5558` collects updates,
//! which are published on `tcp://*:5557` (`I: publishing update=N`); an
//! update with a `ttl` property expires after that many seconds, and a
//! timer flushes expired values once a second (`I: publishing delete=N`).
//!
//! ```text
//! cargo run --example clonesrv5 [SECONDS [PORT]]
//! ```
//!
//! `SECONDS` bounds the run (default 0: forever); `PORT` moves the three
//! ports (`PORT`, `PORT + 1`, `PORT + 2`; default 5556).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

#[path = "kvmsg/mod.rs"]
mod kvmsg;

#[path = "clonesrv/mod.rs"]
mod clonesrv;

use std::process::ExitCode;
use std::time::Duration;

use kvmsg::{log, KvMap, KvMsg};
use zmq::{Context, Flow, Reactor, Socket, SocketType};

const USAGE: &str = "clonesrv5 [SECONDS [PORT]]  (SECONDS 0 = forever)";

//  Our server is defined by these properties
struct CloneSrv {
    kvmap: KvMap,      //  Key-value store
    sequence: i64,     //  How many updates we're at
    publisher: Socket, //  Publish updates to clients
}

fn main() -> ExitCode {
    zhelpers::args_at_most(2, USAGE);
    let seconds: u64 = zhelpers::arg(1, 0, USAGE);
    let port: u16 = zhelpers::arg(2, 5556, USAGE);
    zhelpers::exit_status("clonesrv5", run(seconds, port))
}

fn run(seconds: u64, port: u16) -> zmq::Result<()> {
    let ctx = Context::new();
    let [snapshot_ep, publisher_ep, collector_ep] = clonesrv::endpoints("*", port);

    //  Set up our clone server sockets
    let snapshot = ctx.socket(SocketType::Router)?;
    //  A snapshot is sent in one go: past the default high-water mark a
    //  ROUTER would drop the rest of it, KTHXBAI included
    snapshot.set_sndhwm(0)?;
    snapshot.bind(&snapshot_ep)?;
    let publisher = ctx.socket(SocketType::Pub)?;
    publisher.bind(&publisher_ep)?;
    let collector = ctx.socket(SocketType::Pull)?;
    collector.bind(&collector_ep)?;
    let mut server = CloneSrv {
        kvmap: KvMap::new(),
        sequence: 0,
        publisher,
    };

    //  Register our handlers with reactor
    let mut reactor = Reactor::new();
    reactor.add_reader(&snapshot, s_snapshots);
    reactor.add_reader(&collector, s_collector);
    reactor.add_timer(
        Duration::from_millis(1000),
        0,
        |_, _, srv: &mut CloneSrv| {
            clonesrv::flush_ttl(&mut srv.kvmap, &mut srv.sequence, &srv.publisher)?;
            Ok(Flow::Continue)
        },
    );
    if seconds > 0 {
        reactor.add_timer(Duration::from_secs(seconds), 1, |_, _, _| Ok(Flow::Stop));
    }

    //  Run reactor until process interrupted (or its time is up)
    reactor.run(&mut server)?;
    Ok(())
}

//  This is the reactor handler for the snapshot socket; it accepts
//  just the ICANHAZ? request and replies with a state snapshot ending
//  with a KTHXBAI message:
fn s_snapshots(
    _: &mut Reactor<'_, CloneSrv>,
    socket: &Socket,
    srv: &mut CloneSrv,
) -> zmq::Result<Flow> {
    clonesrv::snapshots(socket, &srv.kvmap, srv.sequence)?;
    Ok(Flow::Continue)
}

//  We store each update with a new sequence number, and if necessary, a
//  time-to-live. We publish updates immediately on our publisher socket:
fn s_collector(
    _: &mut Reactor<'_, CloneSrv>,
    socket: &Socket,
    srv: &mut CloneSrv,
) -> zmq::Result<Flow> {
    if let Some(mut kvmsg) = KvMsg::recv(socket)? {
        srv.sequence += 1;
        kvmsg.set_sequence(srv.sequence);
        kvmsg.send(&srv.publisher)?;
        clonesrv::set_expiry(&mut kvmsg);
        kvmsg.store(&mut srv.kvmap);
        log(&format!("I: publishing update={}", srv.sequence));
    }
    Ok(Flow::Continue)
}
