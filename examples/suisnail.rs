//! Suicidal Snail (the guide's `suisnail.c`, chapter 5, "Slow Subscriber
//! Detection"): a publisher thread binds `tcp://*:5556` and sends its clock
//! (msec) every millisecond; a subscriber thread prints each, works 1-2
//! msec on it, and when a message is more than a second late prints
//! `E: subscriber cannot keep up, aborting` and dies; then the program
//! stops the publisher and ends.
//!
//! ```text
//! cargo run --example suisnail [ENDPOINT]
//! ```
//!
//! `ENDPOINT` is bound by the publisher and connected to by the subscriber
//! (default `tcp://*:5556` and `tcp://localhost:5556`).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use zmq::{Context, Socket, SocketType};

const USAGE: &str = "suisnail [ENDPOINT]";

//  If a message is more than one second late, the subscriber croaks.
const MAX_ALLOWED_DELAY: u64 = 1000; //  msecs

fn main() -> ExitCode {
    zhelpers::args_at_most(1, USAGE);
    let (bind, connect) = match std::env::args().nth(1) {
        Some(endpoint) => (endpoint.clone(), endpoint),
        None => ("tcp://*:5556".into(), "tcp://localhost:5556".into()),
    };
    zhelpers::exit_status("suisnail", run(bind, connect))
}

//  This is our subscriber. It connects to the publisher and subscribes
//  to everything. It sleeps for a short time between messages to
//  simulate doing too much work. If a message is more than one second
//  late, it croaks.
fn subscriber(ctx: Context, endpoint: String, pipe: Socket) -> zmq::Result<()> {
    //  Subscribe to everything
    let subscriber = ctx.socket(SocketType::Sub)?;
    subscriber.set_subscribe(b"")?;
    subscriber.connect(&endpoint)?;

    //  Get and process messages
    loop {
        let string = subscriber.recv_string()?;
        println!("{string}");
        let clock: u64 = string.parse().expect("a clock in msecs");

        //  Suicide snail logic
        if zhelpers::clock_ms().saturating_sub(clock) > MAX_ALLOWED_DELAY {
            eprintln!("E: subscriber cannot keep up, aborting");
            break;
        }
        //  Work for 1 msec plus some random additional time
        zhelpers::sleep_ms(1 + zhelpers::within(2));
    }
    pipe.send("gone and died")
}

//  This is our publisher task. It publishes a time-stamped message to its
//  PUB socket every millisecond:
fn publisher(ctx: Context, endpoint: String, pipe: Socket) -> zmq::Result<()> {
    //  Prepare publisher
    let publisher = ctx.socket(SocketType::Pub)?;
    publisher.bind(&endpoint)?;

    loop {
        //  Send current clock (msecs) to subscribers
        publisher.send(zhelpers::clock_ms().to_string())?;
        if pipe.try_recv_msg()?.is_some() {
            return Ok(());
        }
        zhelpers::sleep_ms(1); //  1msec wait
    }
}

/// A PAIR pipe to a child thread (`zthread_fork`): the parent's end and the
/// child's.
fn pipe(ctx: &Context, name: &str) -> zmq::Result<(Socket, Socket)> {
    let parent = ctx.socket(SocketType::Pair)?;
    parent.bind(&format!("inproc://{name}"))?;
    let child = ctx.socket(SocketType::Pair)?;
    child.connect(&format!("inproc://{name}"))?;
    Ok((parent, child))
}

//  The main task simply starts a client and a server, and then
//  waits for the client to signal that it has died:
fn run(bind: String, connect: String) -> zmq::Result<()> {
    let ctx = Context::new();
    ctx.set_default_linger(Some(Duration::ZERO));
    let (pubpipe, child) = pipe(&ctx, "pub")?;
    let c = ctx.clone();
    let publisher = thread::spawn(move || publisher(c, bind, child));
    let (subpipe, child) = pipe(&ctx, "sub")?;
    let c = ctx.clone();
    let subscriber = thread::spawn(move || subscriber(c, connect, child));
    subpipe.recv_msg()?;
    pubpipe.send("break")?;
    zhelpers::sleep_ms(100);
    for t in [subscriber, publisher] {
        t.join().expect("thread panicked")?;
    }
    Ok(())
}
