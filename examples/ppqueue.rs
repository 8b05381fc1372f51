//! Paranoid Pirate queue (the guide's `ppqueue.c`, chapter 4, "Robust
//! Reliable Queuing"): a ROUTER frontend for clients on `tcp://*:5555`, a
//! ROUTER backend for workers on `tcp://*:5556`, load balancing over the
//! workers that are ready, and heartbeats both ways: a worker silent for
//! three heartbeats (3 s) is forgotten.
//!
//! ```text
//! cargo run --example ppqueue [SECONDS [FRONTEND [BACKEND]]]
//! ```
//!
//! It runs `SECONDS` seconds (default forever, also `0`).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use zmq::{Context, Message, PollEvents, PollItem, SocketType};

const USAGE: &str = "ppqueue [SECONDS [FRONTEND [BACKEND]]]  (SECONDS 0 = forever)";
const HEARTBEAT_LIVENESS: u32 = 3; //  3-5 is reasonable
const HEARTBEAT_INTERVAL: Duration = Duration::from_millis(1000);

//  Paranoid Pirate Protocol constants
const PPP_READY: &[u8] = b"\x01"; //  Signals worker is ready
const PPP_HEARTBEAT: &[u8] = b"\x02"; //  Signals worker heartbeat

fn main() -> ExitCode {
    zhelpers::args_at_most(3, USAGE);
    let seconds: u64 = zhelpers::arg(1, 0, USAGE);
    let frontend: String = zhelpers::arg(2, "tcp://*:5555".into(), USAGE);
    let backend: String = zhelpers::arg(3, "tcp://*:5556".into(), USAGE);
    zhelpers::exit_status(
        "ppqueue",
        zhelpers::stopped_ok(run(seconds, &frontend, &backend)),
    )
}

//  Here we define the worker class; a structure and a set of functions that
//  act as constructor, destructor, and methods on worker objects:
struct Worker {
    identity: Message, //  Identity of worker
    expiry: Instant,   //  Expires at this time
}

//  Construct new worker
fn worker_new(identity: Message) -> Worker {
    Worker {
        identity,
        expiry: Instant::now() + HEARTBEAT_INTERVAL * HEARTBEAT_LIVENESS,
    }
}

//  The ready method puts a worker to the end of the ready list:
fn worker_ready(worker: Worker, workers: &mut Vec<Worker>) {
    workers.retain(|w| w.identity != worker.identity);
    workers.push(worker);
}

//  The purge method looks for and kills expired workers. We hold workers
//  from oldest to most recent, so we stop at the first alive worker:
fn workers_purge(workers: &mut Vec<Worker>) {
    let now = Instant::now();
    let expired = workers.iter().take_while(|w| now >= w.expiry).count();
    workers.drain(..expired);
}

//  The main task is a load-balancer with heartbeating on workers so we
//  can detect crashed or blocked worker tasks:
fn run(seconds: u64, frontend_endpoint: &str, backend_endpoint: &str) -> zmq::Result<()> {
    let ctx = Context::new();
    //  Ctrl-C shuts the context down: the loop ends on Terminated
    let _interrupt = zhelpers::interrupt::catch(&ctx)?;
    let frontend = ctx.socket(SocketType::Router)?;
    let backend = ctx.socket(SocketType::Router)?;
    frontend.bind(frontend_endpoint)?; //  For clients
    backend.bind(backend_endpoint)?; //  For workers
    let end = (seconds > 0).then(|| Instant::now() + Duration::from_secs(seconds));

    //  List of available workers
    let mut workers: Vec<Worker> = Vec::new();

    //  Send out heartbeats at regular intervals
    let mut heartbeat_at = Instant::now() + HEARTBEAT_INTERVAL;

    while end.is_none_or(|end| Instant::now() < end) {
        let mut items = [
            PollItem::socket(&backend, PollEvents::POLLIN),
            PollItem::socket(&frontend, PollEvents::POLLIN),
        ];
        //  Poll frontend only if we have available workers
        let polled = if workers.is_empty() { 1 } else { 2 };
        match zmq::poll(&mut items[..polled], Some(HEARTBEAT_INTERVAL)) {
            Err(e) if zhelpers::interrupt::is_stop(&e) => break, //  Interrupted
            result => result?,
        };

        //  Handle worker activity on backend
        if items[0].is_readable() {
            //  Use worker identity for load-balancing
            let mut msg = backend.recv_multipart()?;
            let identity = msg.unwrap().expect("a worker identity");
            worker_ready(worker_new(identity), &mut workers);

            //  Validate control message, or return reply to client
            if msg.len() == 1 {
                if msg != [PPP_READY] && msg != [PPP_HEARTBEAT] {
                    println!("E: invalid message from worker");
                    zhelpers::dump_frames(&msg);
                }
            } else {
                frontend.send_multipart(msg)?;
            }
        }
        if items[1].is_readable() {
            //  Now get next client request, route to next worker
            let mut msg = frontend.recv_multipart()?;
            msg.push_front(workers.remove(0).identity);
            backend.send_multipart(msg)?;
        }
        //  We handle heartbeating after any socket activity. First, we send
        //  heartbeats to any idle workers if it's time. Then, we purge any
        //  dead workers:
        if Instant::now() >= heartbeat_at {
            for worker in &workers {
                backend.send_multipart([&worker.identity, &Message::from(PPP_HEARTBEAT)])?;
            }
            heartbeat_at = Instant::now() + HEARTBEAT_INTERVAL;
        }
        workers_purge(&mut workers);
    }
    Ok(())
}
