//! Simple request-reply broker (the guide's `rrbroker.c`, chapter 2,
//! "Shared Queue"): a ROUTER bound on `tcp://*:5559` for clients and a
//! DEALER bound on `tcp://*:5560` for workers, polled together; every
//! multipart message is passed whole to the other side. Clients are
//! `rrclient` (REQ), workers `rrworker` (REP); neither knows the other.
//!
//! ```text
//! cargo run --example rrbroker [SECONDS [FRONTEND [BACKEND]]]
//! ```
//!
//! `SECONDS` bounds the run (default forever, also `0`).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use zmq::{Context, PollEvents, Poller, SocketType};

const USAGE: &str = "rrbroker [SECONDS [FRONTEND [BACKEND]]]  (SECONDS 0 = forever)";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Frontend,
    Backend,
}

fn main() -> ExitCode {
    zhelpers::args_at_most(3, USAGE);
    let seconds: u64 = zhelpers::arg(1, 0, USAGE);
    let frontend: String = zhelpers::arg(2, "tcp://*:5559".into(), USAGE);
    let backend: String = zhelpers::arg(3, "tcp://*:5560".into(), USAGE);
    let bound = (seconds > 0).then(|| Duration::from_secs(seconds));
    zhelpers::exit_status("rrbroker", run(bound, &frontend, &backend))
}

fn run(
    bound: Option<Duration>,
    frontend_endpoint: &str,
    backend_endpoint: &str,
) -> zmq::Result<()> {
    //  Prepare our context and sockets
    let context = Context::new();
    let frontend = context.socket(SocketType::Router)?;
    let backend = context.socket(SocketType::Dealer)?;
    frontend.bind(frontend_endpoint)?;
    backend.bind(backend_endpoint)?;

    //  Initialize poll set
    let mut poller = Poller::new();
    poller.add_socket(&frontend, PollEvents::POLLIN, Side::Frontend);
    poller.add_socket(&backend, PollEvents::POLLIN, Side::Backend);

    //  Switch messages between sockets
    let started = Instant::now();
    loop {
        let timeout = bound.map(|b| b.saturating_sub(started.elapsed()));
        if timeout == Some(Duration::ZERO) {
            return Ok(());
        }
        poller.poll(timeout)?;
        if poller.revents(&Side::Frontend).contains(PollEvents::POLLIN) {
            //  All parts of the message, envelope included
            let message = frontend.recv_multipart()?;
            backend.send_multipart(message)?;
        }
        if poller.revents(&Side::Backend).contains(PollEvents::POLLIN) {
            let message = backend.recv_multipart()?;
            frontend.send_multipart(message)?;
        }
    }
}
