//! Multithreaded Hello World server (the guide's `mtserver.c`, chapter 2,
//! "Multithreading with ZeroMQ"): a ROUTER bound on `tcp://*:5555` for
//! clients (`hwclient`), a DEALER bound on `inproc://workers`, five worker
//! threads with REP sockets connected to it, and `zmq::proxy` between the
//! two. Five requests are served at once, each taking a second.
//!
//! ```text
//! cargo run --example mtserver [SECONDS [ENDPOINT]]
//! ```
//!
//! `SECONDS` bounds the run (default forever, also `0`): then the context
//! is shut down, which ends the proxy and every worker, and all threads
//! are joined.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use zmq::{Context, SocketType};

const USAGE: &str = "mtserver [SECONDS [ENDPOINT]]  (SECONDS 0 = forever)";
const WORKERS: usize = 5;

fn main() -> ExitCode {
    zhelpers::args_at_most(2, USAGE);
    let seconds: u64 = zhelpers::arg(1, 0, USAGE);
    let endpoint: String = zhelpers::arg(2, "tcp://*:5555".into(), USAGE);
    zhelpers::exit_status("mtserver", run(seconds, &endpoint))
}

fn worker_routine(context: &Context) -> zmq::Result<()> {
    //  Socket to talk to dispatcher
    let receiver = context.socket(SocketType::Rep)?;
    receiver.connect("inproc://workers")?;

    loop {
        let request = receiver.recv_string()?;
        println!("Received request: [{request}]");
        //  Do some 'work'
        zhelpers::sleep_ms(1000);
        //  Send reply back to client
        receiver.send("World")?;
    }
}

fn run(seconds: u64, endpoint: &str) -> zmq::Result<()> {
    let context = Context::new();

    //  Socket to talk to clients
    let clients = context.socket(SocketType::Router)?;
    clients.bind(endpoint)?;

    //  Socket to talk to workers
    let workers = context.socket(SocketType::Dealer)?;
    workers.bind("inproc://workers")?;

    //  Launch pool of worker threads
    let pool: Vec<_> = (0..WORKERS)
        .map(|_| {
            let context = context.clone();
            thread::spawn(move || worker_routine(&context))
        })
        .collect();

    if seconds > 0 {
        zhelpers::shutdown_after(&context, Duration::from_secs(seconds));
    }
    //  Connect work threads to client threads via a queue proxy
    let result = zmq::proxy(&clients, &workers, None);

    //  Only a shut-down context gets us here: the workers end too
    for worker in pool {
        match worker.join() {
            Ok(Ok(())) => {}
            Ok(Err(ref e)) if e.kind() == zmq::ErrorKind::Terminated => {}
            Ok(Err(e)) => eprintln!("mtserver: worker: {e}"),
            Err(_) => eprintln!("mtserver: a worker panicked"),
        }
    }
    match result {
        Err(ref e) if e.kind() == zmq::ErrorKind::Terminated => Ok(()),
        other => other,
    }
}
