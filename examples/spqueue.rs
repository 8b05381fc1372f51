//! Simple Pirate queue (the guide's `spqueue.c`, chapter 4, "Basic Reliable
//! Queuing"): the load-balancing broker with no reliability of its own. A
//! ROUTER frontend for clients on `tcp://*:5555`, a ROUTER backend for
//! workers on `tcp://*:5556`; clients are polled only while a worker is
//! ready. Recovery is the clients' job (Lazy Pirate).
//!
//! ```text
//! cargo run --example spqueue [SECONDS [FRONTEND [BACKEND]]]
//! ```
//!
//! It runs `SECONDS` seconds (default forever, also `0`).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::collections::VecDeque;
use std::process::ExitCode;
use std::time::Duration;

use zmq::{Context, Message, PollEvents, PollItem, SocketType};

const USAGE: &str = "spqueue [SECONDS [FRONTEND [BACKEND]]]  (SECONDS 0 = forever)";
const WORKER_READY: &[u8] = b"\x01"; //  Signals worker is ready

fn main() -> ExitCode {
    zhelpers::args_at_most(3, USAGE);
    let seconds: u64 = zhelpers::arg(1, 0, USAGE);
    let frontend: String = zhelpers::arg(2, "tcp://*:5555".into(), USAGE);
    let backend: String = zhelpers::arg(3, "tcp://*:5556".into(), USAGE);
    zhelpers::exit_status(
        "spqueue",
        zhelpers::stopped_ok(run(seconds, &frontend, &backend)),
    )
}

fn run(seconds: u64, frontend_endpoint: &str, backend_endpoint: &str) -> zmq::Result<()> {
    let ctx = Context::new();
    //  Ctrl-C shuts the context down: the loop ends on Terminated
    let _interrupt = zhelpers::interrupt::catch(&ctx)?;
    let frontend = ctx.socket(SocketType::Router)?;
    let backend = ctx.socket(SocketType::Router)?;
    frontend.bind(frontend_endpoint)?; //  For clients
    backend.bind(backend_endpoint)?; //  For workers
    if seconds > 0 {
        zhelpers::shutdown_after(&ctx, Duration::from_secs(seconds));
    }

    //  Queue of available workers
    let mut workers: VecDeque<Message> = VecDeque::new();

    loop {
        let mut items = [
            PollItem::socket(&backend, PollEvents::POLLIN),
            PollItem::socket(&frontend, PollEvents::POLLIN),
        ];
        //  Poll frontend only if we have available workers
        let polled = if workers.is_empty() { 1 } else { 2 };
        match zmq::poll(&mut items[..polled], None) {
            Err(e) if zhelpers::interrupt::is_stop(&e) => break, //  Interrupted or time is up
            result => result?,
        };

        //  Handle worker activity on backend
        if items[0].is_readable() {
            //  Use worker identity for load-balancing
            let mut msg = backend.recv_multipart()?;
            let Some(identity) = msg.unwrap() else {
                continue;
            };
            workers.push_back(identity);

            //  Forward message to client if it's not a READY
            if msg.first().is_some_and(|frame| frame != WORKER_READY) {
                frontend.send_multipart(msg)?;
            }
        }
        if items[1].is_readable() {
            //  Get client request, route to first available worker
            let mut msg = frontend.recv_multipart()?;
            if let Some(worker) = workers.pop_front() {
                msg.wrap(worker);
                backend.send_multipart(msg)?;
            }
        }
    }
    Ok(())
}
