//! Synchronized publisher (the guide's `syncpub.c`, chapter 2, "Node
//! Coordination"): a PUB bound on `tcp://*:5561` waits until ten
//! subscribers (`syncsub`) have checked in on its REP socket at
//! `tcp://*:5562`, then broadcasts exactly 1,000,000 "Rhubarb" updates and
//! "END". No subscriber misses an update: they all joined before the first.
//!
//! ```text
//! cargo run --example syncpub [SUBSCRIBERS [PUB_ENDPOINT [SYNC_ENDPOINT]]]
//! ```
//!
//! `SUBSCRIBERS` is how many to wait for (default 10).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;

use zmq::{Context, Message, SocketType};

const USAGE: &str = "syncpub [SUBSCRIBERS [PUB_ENDPOINT [SYNC_ENDPOINT]]]";
const UPDATES: u32 = 1_000_000;

fn main() -> ExitCode {
    zhelpers::args_at_most(3, USAGE);
    let subscribers: u32 = zhelpers::arg(1, 10, USAGE);
    let publish: String = zhelpers::arg(2, "tcp://*:5561".into(), USAGE);
    let sync: String = zhelpers::arg(3, "tcp://*:5562".into(), USAGE);
    zhelpers::exit_status("syncpub", run(subscribers, &publish, &sync))
}

fn run(expected: u32, publish: &str, sync: &str) -> zmq::Result<()> {
    let context = Context::new();

    //  Socket to talk to clients
    let publisher = context.socket(SocketType::Pub)?;
    //  Room for every update, so none is dropped for a slow subscriber
    publisher.set_sndhwm(1_100_000)?;
    //  Sockets keep libzmq's infinite linger; dropping the context waits
    //  at most its term timeout (10 s). Like the C program, wait for slow
    //  subscribers to get all million updates, however long it takes.
    context.set_term_timeout(None);
    publisher.bind(publish)?;

    //  Socket to receive signals
    let syncservice = context.socket(SocketType::Rep)?;
    syncservice.bind(sync)?;

    //  Get synchronization from subscribers
    println!("Waiting for subscribers");
    let mut subscribers = 0;
    while subscribers < expected {
        //  - wait for synchronization request
        syncservice.recv_msg()?;
        //  - send synchronization reply
        syncservice.send("")?;
        subscribers += 1;
    }
    //  Now broadcast exactly 1M updates followed by END
    println!("Broadcasting messages");
    for _ in 0..UPDATES {
        publisher.send(Message::from_static(b"Rhubarb"))?;
    }
    publisher.send("END")
}
