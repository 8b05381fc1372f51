//! Round-trip demonstrator (the guide's `tripping.c`, chapter 4, "Service-
//! Oriented Reliable Queuing"): a DEALER client, a DEALER-DEALER proxy on
//! `tcp://*:5555`/`tcp://*:5556` and a DEALER echo worker, all in one
//! process; the client times 10,000 synchronous round trips, then 100,000
//! asynchronous ones (all sent, then all received).
//!
//! ```text
//! cargo run --example tripping [SYNC [ASYNC [FRONTEND [BACKEND]]]]
//! ```
//!
//! `SYNC`/`ASYNC` round trips instead of 10,000/100,000; the client and
//! worker connect to the endpoints the proxy binds, `*` read as `localhost`.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use zmq::{Context, Socket, SocketType};

const USAGE: &str = "tripping [SYNC [ASYNC [FRONTEND [BACKEND]]]]";

fn main() -> ExitCode {
    zhelpers::args_at_most(4, USAGE);
    let sync: u64 = zhelpers::arg(1, 10_000, USAGE);
    let asynchronous: u64 = zhelpers::arg(2, 100_000, USAGE);
    let frontend: String = zhelpers::arg(3, "tcp://*:5555".into(), USAGE);
    let backend: String = zhelpers::arg(4, "tcp://*:5556".into(), USAGE);
    zhelpers::exit_status(
        "tripping",
        zhelpers::stopped_ok(run(sync, asynchronous, &frontend, &backend)),
    )
}

/// Calls per second, for `n` calls begun at `start` (at least one
/// millisecond counted, where the C divides by zero).
fn rate(n: u64, start: Instant) -> u64 {
    let ms = (start.elapsed().as_millis() as u64).max(1);
    1000 * n / ms
}

fn client_task(client: &Socket, sync: u64, asynchronous: u64) -> zmq::Result<()> {
    println!("Setting up test...");
    zhelpers::sleep_ms(100);

    println!("Synchronous round-trip test...");
    let start = Instant::now();
    for _ in 0..sync {
        client.send("hello")?;
        client.recv_msg()?;
    }
    println!(" {} calls/second", rate(sync, start));

    println!("Asynchronous round-trip test...");
    let start = Instant::now();
    for _ in 0..asynchronous {
        client.send("hello")?;
    }
    for _ in 0..asynchronous {
        client.recv_msg()?;
    }
    println!(" {} calls/second", rate(asynchronous, start));
    Ok(())
}

//  Here is the worker task. All it does is receive a message, and
//  bounce it back the way it came:
fn worker_task(worker: Socket) -> zmq::Result<()> {
    loop {
        let msg = worker.recv_multipart()?;
        worker.send_multipart(msg)?;
    }
}

fn run(sync: u64, asynchronous: u64, frontend_at: &str, backend_at: &str) -> zmq::Result<()> {
    let ctx = Context::new();
    //  Ctrl-C shuts the context down: the client's calls end on
    //  Terminated, then the proxy and the worker are stopped as usual
    let _interrupt = zhelpers::interrupt::catch(&ctx)?;

    //  The broker: zmq_proxy switches messages between frontend and backend
    let frontend = ctx.socket(SocketType::Dealer)?;
    frontend.set_linger(Some(Duration::ZERO))?;
    frontend.bind(frontend_at)?;
    let backend = ctx.socket(SocketType::Dealer)?;
    backend.set_linger(Some(Duration::ZERO))?;
    backend.bind(backend_at)?;
    let broker = std::thread::spawn(move || zmq::proxy(&frontend, &backend, None));

    let worker = ctx.socket(SocketType::Dealer)?;
    worker.set_linger(Some(Duration::ZERO))?;
    worker.connect(&backend_at.replace('*', "localhost"))?;
    let worker = std::thread::spawn(move || worker_task(worker));

    let client = ctx.socket(SocketType::Dealer)?;
    client.connect(&frontend_at.replace('*', "localhost"))?;
    let result = client_task(&client, sync, asynchronous);

    //  The client is done: stop the proxy and the worker
    drop(client);
    ctx.shutdown()?;
    let _ = broker.join();
    let _ = worker.join();
    result
}
