//! Clone server, Model Six (the guide's `clonesrv6.c`, chapter 5, "Clone
//! Server Reliability"): `clonesrv5` run as a Binary Star pair (the
//! `bstar` reactor of chapter 4). The primary (`-p`) answers snapshot
//! requests on `tcp://*:5556` (its voter), publishes on 5557 and collects
//! updates from clients on a SUB bound on 5558; the backup (`-b`) uses
//! 5566-5568. Both peers get every client update: the active one numbers,
//! publishes and stores it; the passive one holds it as pending until it
//! hears the active one publish it (matched by UUID), keeping its own copy
//! of the map from the active one's updates. A `HUGZ` each second tells
//! clients the active server lives; when it dies, the clients fail over
//! to the backup, whose first snapshot request makes it active (it then
//! publishes its pending updates).
//!
//! ```text
//! cargo run --example clonesrv6 -p|-b [SECONDS [PORT PEER STATE PEER_STATE]]
//! ```
//!
//! `SECONDS` bounds the run (default 0: until Ctrl-C). `PORT` is this
//! server's first port (voter; then publisher and collector), `PEER` the
//! other server's, `STATE`/`PEER_STATE` the Binary Star state ports
//! (defaults: primary 5556 5566 5003 5004, backup 5566 5556 5004 5003).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

#[path = "kvmsg/mod.rs"]
mod kvmsg;

#[path = "clonesrv/mod.rs"]
mod clonesrv;

#[path = "bstar/mod.rs"]
mod bstar;

use std::process::ExitCode;
use std::time::Duration;

use bstar::Bstar;
use kvmsg::{log, KvMap, KvMsg, Uuid};
use zmq::{Context, Flow, Reactor, Socket, SocketType};

const USAGE: &str = "clonesrv6 -p|-b [SECONDS [PORT PEER STATE PEER_STATE]]";

//  Our server is defined by these properties
struct CloneSrv {
    ctx: Context,         //  Context of our own sockets
    kvmap: Option<KvMap>, //  Key-value store (none while passive and unsynced)
    sequence: i64,        //  How many updates we're at
    peer: u16,            //  Main port of our peer
    publisher: Socket,    //  Publish updates and hugz
    pending: Vec<KvMsg>,  //  Pending updates from clients
    active: bool,         //  true if we're active
    passive: bool,        //  true if we're passive
}

struct Args {
    primary: bool,
    seconds: u64,
    port: u16,
    peer: u16,
    state: u16,
    peer_state: u16,
}

fn args() -> Args {
    let fail = || -> ! {
        eprintln!("usage: {USAGE}");
        std::process::exit(2)
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let primary = match args.first().map(String::as_str) {
        Some("-p") => true,
        Some("-b") => false,
        _ => fail(),
    };
    let seconds = match args.get(1) {
        None => 0,
        Some(s) => s.parse().unwrap_or_else(|_| fail()),
    };
    let ports: Vec<u16> = match args.get(2..) {
        None | Some([]) if primary => vec![5556, 5566, 5003, 5004],
        None | Some([]) => vec![5566, 5556, 5004, 5003],
        Some(p) if p.len() == 4 => p
            .iter()
            .map(|p| p.parse().unwrap_or_else(|_| fail()))
            .collect(),
        _ => fail(),
    };
    Args {
        primary,
        seconds,
        port: ports[0],
        peer: ports[1],
        state: ports[2],
        peer_state: ports[3],
    }
}

//  The main task parses the command line to decide whether to start
//  as a primary or backup server. We're using the Binary Star pattern
//  for reliability. This interconnects the two servers so they can
//  agree on which one is primary and which one is backup. To allow the
//  two servers to run on the same box, we use different ports for
//  primary and backup.
fn main() -> ExitCode {
    let args = args();
    zhelpers::exit_status("clonesrv6", run(&args))
}

fn run(args: &Args) -> zmq::Result<()> {
    if args.primary {
        log("I: primary active, waiting for backup (passive)");
    } else {
        log("I: backup passive, waiting for primary (active)");
    }
    let ctx = Context::new();
    ctx.set_default_linger(Some(Duration::ZERO));
    let [_, publisher_ep, collector_ep] = clonesrv::endpoints("*", args.port);

    //  Set up our clone server sockets
    let publisher = ctx.socket(SocketType::Pub)?;
    publisher.bind(&publisher_ep)?;
    let collector = ctx.socket(SocketType::Sub)?;
    collector.set_subscribe(b"")?;
    collector.bind(&collector_ep)?;

    //  Set up our own clone client interface to peer
    let subscriber = ctx.socket(SocketType::Sub)?;
    subscriber.set_subscribe(b"")?;
    subscriber.connect(&format!("tcp://localhost:{}", args.peer + 1))?;

    let mut server = CloneSrv {
        ctx: ctx.clone(),
        //  Primary server will become first active
        kvmap: args.primary.then(KvMap::new),
        sequence: 0,
        peer: args.peer,
        publisher,
        pending: Vec::new(),
        active: false,
        passive: false,
    };

    let mut bstar: Bstar<'_, CloneSrv> = Bstar::new(
        args.primary,
        &format!("tcp://*:{}", args.state),
        &format!("tcp://localhost:{}", args.peer_state),
    )?;
    //  Our voter is the snapshot socket. A snapshot is sent in one go:
    //  past the default high-water mark a ROUTER would drop the rest of
    //  it, KTHXBAI included (as in clonesrv5)
    let snapshot = bstar.context().socket(SocketType::Router)?;
    snapshot.set_sndhwm(0)?;
    snapshot.bind(&format!("tcp://*:{}", args.port))?;
    bstar.voter_socket(snapshot, s_snapshots)?;
    //  Ctrl-C shuts the Binary Star's context down, which ends its reactor
    let _interrupt = zhelpers::interrupt::catch(bstar.context()).map_err(|e| {
        eprintln!("E: cannot catch signals: {e}");
        zmq::Error::from(zmq::ErrorKind::Other)
    })?;

    //  After we've setup our sockets, we register our binary star
    //  event handlers, and then start the bstar reactor. This finishes
    //  when the user presses Ctrl-C or when the process receives a SIGINT
    //  interrupt:

    //  Register state change handlers
    let sub = &subscriber;
    bstar.new_active(move |reactor, srv| s_new_active(reactor, srv, sub));
    bstar.new_passive(move |reactor, srv| {
        s_new_passive(srv);
        //  Start subscribing to updates
        reactor.add_reader(sub, s_subscriber);
        Ok(Flow::Continue)
    });

    //  Register our other handlers with the bstar reactor
    let reactor = bstar.reactor();
    reactor.add_reader(&collector, s_collector);
    reactor.add_timer(
        Duration::from_millis(1000),
        0,
        |_, _, srv: &mut CloneSrv| {
            if let Some(kvmap) = &mut srv.kvmap {
                clonesrv::flush_ttl(kvmap, &mut srv.sequence, &srv.publisher)?;
            }
            Ok(Flow::Continue)
        },
    );
    reactor.add_timer(Duration::from_millis(1000), 0, s_send_hugz);
    if args.seconds > 0 {
        reactor.add_timer(Duration::from_secs(args.seconds), 1, |_, _, _| {
            Ok(Flow::Stop)
        });
    }

    //  Start the bstar reactor
    bstar.start(&mut server)?;
    Ok(())
}

//  We handle ICANHAZ? requests exactly as in the clonesrv5 example.
fn s_snapshots(
    _: &mut Reactor<'_, CloneSrv>,
    socket: &Socket,
    srv: &mut CloneSrv,
) -> zmq::Result<Flow> {
    let empty = KvMap::new();
    clonesrv::snapshots(socket, srv.kvmap.as_ref().unwrap_or(&empty), srv.sequence)?;
    Ok(Flow::Continue)
}

//  If message was already on pending list, remove it and return true,
//  else return false.
fn was_pending(srv: &mut CloneSrv, uuid: Option<Uuid>) -> bool {
    match srv.pending.iter().position(|held| held.uuid() == uuid) {
        Some(at) => {
            srv.pending.remove(at);
            true
        }
        None => false,
    }
}

//  The collector is more complex than in the clonesrv5 example because the
//  way it processes updates depends on whether we're active or passive.
//  The active applies them immediately to its kvmap, whereas the passive
//  queues them as pending:
fn s_collector(
    _: &mut Reactor<'_, CloneSrv>,
    socket: &Socket,
    srv: &mut CloneSrv,
) -> zmq::Result<Flow> {
    let Some(mut kvmsg) = KvMsg::recv(socket)? else {
        return Ok(Flow::Continue);
    };
    if srv.active {
        srv.sequence += 1;
        kvmsg.set_sequence(srv.sequence);
        kvmsg.send(&srv.publisher)?;
        clonesrv::set_expiry(&mut kvmsg);
        kvmsg.store(srv.kvmap.get_or_insert_with(KvMap::new));
        log(&format!("I: publishing update={}", srv.sequence));
    } else if !was_pending(srv, kvmsg.uuid()) {
        //  If we already got message from active, drop it, else
        //  hold on pending list
        srv.pending.push(kvmsg);
    }
    Ok(Flow::Continue)
}

//  We send a HUGZ message once a second to all subscribers so that they
//  can detect if our server dies. They'll then switch over to the backup
//  server, which will become active:
fn s_send_hugz(
    _: &mut Reactor<'_, CloneSrv>,
    _: zmq::TimerId,
    srv: &mut CloneSrv,
) -> zmq::Result<Flow> {
    let mut kvmsg = KvMsg::new(srv.sequence);
    kvmsg.set_key("HUGZ");
    kvmsg.set_body(b"");
    kvmsg.send(&srv.publisher)?;
    Ok(Flow::Continue)
}

//  When we switch from passive to active, we apply our pending list so that
//  our kvmap is up-to-date. When we switch to passive, we wipe our kvmap
//  and grab a new snapshot from the active server:
fn s_new_active(
    reactor: &mut Reactor<'_, CloneSrv>,
    srv: &mut CloneSrv,
    subscriber: &Socket,
) -> zmq::Result<Flow> {
    srv.active = true;
    srv.passive = false;

    //  Stop subscribing to updates
    reactor.remove_socket(subscriber);

    //  Apply pending list to own hash table
    let kvmap = srv.kvmap.get_or_insert_with(KvMap::new);
    for mut kvmsg in srv.pending.drain(..) {
        srv.sequence += 1;
        kvmsg.set_sequence(srv.sequence);
        kvmsg.send(&srv.publisher)?;
        clonesrv::set_expiry(&mut kvmsg);
        kvmsg.store(kvmap);
        log(&format!("I: publishing pending={}", srv.sequence));
    }
    Ok(Flow::Continue)
}

fn s_new_passive(srv: &mut CloneSrv) {
    srv.kvmap = None;
    srv.active = false;
    srv.passive = true;
}

//  When we get an update, we create a new kvmap if necessary, and then
//  add our update to our kvmap. We're always passive in this case:
fn s_subscriber(
    _: &mut Reactor<'_, CloneSrv>,
    socket: &Socket,
    srv: &mut CloneSrv,
) -> zmq::Result<Flow> {
    //  Get state snapshot if necessary
    if srv.kvmap.is_none() {
        let mut kvmap = KvMap::new();
        let snapshot = srv.ctx.socket(SocketType::Dealer)?;
        let endpoint = format!("tcp://localhost:{}", srv.peer);
        snapshot.connect(&endpoint)?;
        log(&format!("I: asking for snapshot from: {endpoint}"));
        snapshot.send_multipart(["ICANHAZ?", ""])?; // blank subtree to get all
        loop {
            //  A peer that dies half-way leaves us unsynced, to try again
            //  on the next update (the C waits for ever)
            let Some(frames) = snapshot.recv_multipart_timeout(Duration::from_secs(5))? else {
                log("W: no snapshot from peer");
                return Ok(Flow::Continue);
            };
            let Some(kvmsg) = KvMsg::from_frames(frames.into_vec()) else {
                continue;
            };
            if kvmsg.key() == Some("KTHXBAI") {
                srv.sequence = kvmsg.sequence();
                break; //  Done
            }
            kvmsg.store(&mut kvmap);
        }
        log(&format!("I: received snapshot={}", srv.sequence));
        srv.kvmap = Some(kvmap);
    }
    //  Find and remove update off pending list
    let Some(mut kvmsg) = KvMsg::recv(socket)? else {
        return Ok(Flow::Continue);
    };
    if kvmsg.key() != Some("HUGZ") {
        if !was_pending(srv, kvmsg.uuid()) {
            //  If active update came before client update, flip it
            //  around, store active update (with sequence) on pending
            //  list and use to clear client update when it comes later
            srv.pending.push(kvmsg.clone());
        }
        //  If update is more recent than our kvmap, apply it
        if kvmsg.sequence() > srv.sequence {
            srv.sequence = kvmsg.sequence();
            clonesrv::set_expiry(&mut kvmsg);
            if let Some(kvmap) = &mut srv.kvmap {
                kvmsg.store(kvmap);
            }
            log(&format!("I: received update={}", srv.sequence));
        }
    }
    Ok(Flow::Continue)
}
