//! Broker peering, part 1: the state flow (the guide's `peering1.c`,
//! chapter 3, "Prototyping the State Flow"). Each broker publishes its
//! number of free workers (a random 0-9 here) once a second on a PUB socket
//! bound to `ipc://ME-state.ipc`, and prints what its peers publish, read on
//! a SUB socket connected to theirs: `DC2 - 7 workers free`.
//!
//! ```text
//! cargo run --example peering1 [--prefix P] [--seconds S] me {you}...
//! cargo run --example peering1 DC1 DC2 DC3   # and DC2 DC1 DC3, DC3 DC1 DC2
//! ```
//!
//! Runs forever, as in the guide; `--seconds S` ends it after `S` seconds.
//! `--prefix P` goes in front of the ipc file names (`ipc://{P}DC1-state.ipc`),
//! to run several sets of brokers side by side (`/tmp/run1/`). As in the
//! guide, the state goes out only when a one-second poll times out, that
//! is after a second without incoming messages. Ctrl-C ends it with
//! status 0 (`zhelpers::interrupt`).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use zmq::{Context, PollEvents, PollItem, SocketType};

const USAGE: &str = "peering1 [--prefix P] [--seconds S] me {you}...";

fn main() -> ExitCode {
    //  First argument is this broker's name
    //  Other arguments are our peers' names
    let args = zhelpers::broker_args(USAGE, false);
    zhelpers::exit_status("peering1", run(&args))
}

fn run(args: &zhelpers::BrokerArgs) -> zmq::Result<()> {
    let me = &args.me;
    println!("I: preparing broker at {me}...");
    let deadline = args.deadline();

    let context = Context::new();
    //  Ctrl-C shuts the context down: the poll ends on Terminated
    let _interrupt = zhelpers::interrupt::catch(&context)?;

    //  Bind state backend to endpoint
    let statebe = context.socket(SocketType::Pub)?;
    statebe.bind(&args.endpoint(me, "state"))?;

    //  Connect statefe to all peers
    let statefe = context.socket(SocketType::Sub)?;
    statefe.set_subscribe(b"")?;
    for peer in &args.peers {
        println!("I: connecting to state backend at '{peer}'");
        statefe.connect(&args.endpoint(peer, "state"))?;
    }

    //  The main loop sends out status messages to peers, and collects
    //  status messages back from peers. The poll timeout defines our own
    //  heartbeat:
    let heartbeat = Duration::from_secs(1);
    loop {
        let now = Instant::now();
        if deadline.is_some_and(|end| now >= end) {
            return Ok(());
        }
        //  Poll for activity, or 1 second timeout (less when the run's end
        //  comes first)
        let wait = deadline.map_or(heartbeat, |end| {
            heartbeat.min(end.saturating_duration_since(now))
        });
        let mut items = [PollItem::socket(&statefe, PollEvents::POLLIN)];
        match zmq::poll(&mut items, Some(wait)) {
            //  Interrupted (Ctrl-C)
            Err(ref e)
                if matches!(
                    e.kind(),
                    zmq::ErrorKind::Interrupted | zmq::ErrorKind::Terminated
                ) =>
            {
                return Ok(())
            }
            result => result?,
        };

        //  Handle incoming status messages
        if items[0].is_readable() {
            let msg = statefe.recv_multipart()?;
            if let [peer_name, available] = &msg[..] {
                println!(
                    "{} - {} workers free",
                    String::from_utf8_lossy(peer_name),
                    String::from_utf8_lossy(available)
                );
            }
        } else if wait == heartbeat {
            //  A second without a message: send random values for worker
            //  availability
            statebe.send_multipart([me.clone(), zhelpers::within(10).to_string()])?;
        }
    }
}
