//! Asynchronous client/server (the guide's `asyncsrv.c`, chapter 3, "The
//! Asynchronous Client/Server Pattern"): three DEALER clients send a request
//! a second to a server whose ROUTER frontend feeds five DEALER workers
//! through a proxy; each worker answers a request 0 to 4 times, with random
//! delays, and the clients print the replies as they come, after their
//! identity (as CZMQ's `zframe_print` does): `5F0A-91C3[010] request #1`.
//! The program runs five seconds.
//!
//! ```text
//! cargo run --example asyncsrv [MSEC [ENDPOINT]]
//! ```
//!
//! `MSEC` replaces the five seconds (5000); `ENDPOINT` replaces the server's
//! `tcp://*:5570`, and the clients connect to it too (the default has them
//! on `tcp://localhost:5570`). Clients, server and workers are actors:
//! threads with an inproc PAIR pipe on which they are told to end (CZMQ's
//! `zactor`); the proxy is a [`zmq::ProxyThread`] (CZMQ's `zproxy`).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::time::Duration;

use zhelpers::Actor;
use zmq::{Context, PollEvents, Poller, ProxyThread, SendFlags, Socket, SocketType};

const NBR_THREADS: usize = 5;
const USAGE: &str = "asyncsrv [MSEC [ENDPOINT]]  (default: 5000 msec, tcp://*:5570)";

fn main() -> ExitCode {
    zhelpers::args_at_most(2, USAGE);
    let msec: u64 = zhelpers::arg(1, 5000, USAGE);
    let (bind, connect) = match std::env::args().nth(2) {
        Some(endpoint) => (endpoint.clone(), endpoint),
        None => ("tcp://*:5570".into(), "tcp://localhost:5570".into()),
    };
    zhelpers::exit_status("asyncsrv", run(msec, bind, connect))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Input {
    Pipe,
    Peer,
}

//  This is our client task
//  It connects to the server, and then sends a request once per second
//  It collects responses as they arrive, and it prints them out. We will
//  run several client tasks in parallel, each with a different random ID.
fn client_task(pipe: Socket, endpoint: &str) -> zmq::Result<()> {
    let client = pipe.context().socket(SocketType::Dealer)?;

    //  Set random identity to make tracing easier (must be done before connect)
    let identity = zhelpers::set_random_id(&client)?;
    client.connect(endpoint)?;

    let mut poller = Poller::new();
    poller.add_socket(&pipe, PollEvents::POLLIN, Input::Pipe);
    poller.add_socket(&client, PollEvents::POLLIN, Input::Peer);

    let mut request_nbr = 0;
    loop {
        //  Tick once per second, pulling in arriving messages
        for _centitick in 0..100 {
            match poller.poll(Some(std::time::Duration::from_millis(10))) {
                Err(ref e) if e.kind() == zmq::ErrorKind::Interrupted => continue,
                result => result?,
            };
            if !poller.revents(&Input::Pipe).is_empty() {
                return Ok(()); //  Told to end
            }
            if !poller.revents(&Input::Peer).is_empty() {
                let msg = client.recv_multipart()?;
                let last = msg.last().expect("a reply has a body");
                println!("{identity}{}", zhelpers::frame_line(last));
            }
        }
        request_nbr += 1;
        client.send(format!("request #{request_nbr}"))?;
    }
}

//  This is our server task.
//  It uses the multithreaded server model to deal requests out to a pool
//  of workers and route replies back to clients. One worker can handle
//  one request at a time but one client can talk to multiple workers at
//  once.
fn server_task(pipe: Socket, endpoint: &str) -> zmq::Result<()> {
    let context = pipe.context().clone();

    //  Frontend socket talks to clients over TCP
    let frontend = context.socket(SocketType::Router)?;
    frontend.bind(endpoint)?;

    //  Backend socket talks to workers over inproc
    let backend = context.socket(SocketType::Dealer)?;
    backend.bind("inproc://backend")?;

    //  Launch pool of worker threads, precise number is not critical
    let workers = (0..NBR_THREADS)
        .map(|_| Actor::new(&context, |pipe| report("worker", server_worker(pipe))))
        .collect::<zmq::Result<Vec<_>>>()?;

    //  Connect backend to frontend via a proxy
    let proxy = ProxyThread::spawn(frontend, backend, None)?;

    //  Wait for shutdown signal
    pipe.recv_multipart()?;
    proxy.stop()?;
    drop(workers);
    Ok(())
}

//  Each worker task works on one request at a time and sends a random number
//  of replies back, with random delays between replies:
fn server_worker(pipe: Socket) -> zmq::Result<()> {
    let worker = pipe.context().socket(SocketType::Dealer)?;
    worker.connect("inproc://backend")?;

    let mut poller = Poller::new();
    poller.add_socket(&pipe, PollEvents::POLLIN, Input::Pipe);
    poller.add_socket(&worker, PollEvents::POLLIN, Input::Peer);

    loop {
        match poller.poll(None) {
            Err(ref e) if e.kind() == zmq::ErrorKind::Interrupted => continue,
            result => result?,
        };
        if !poller.revents(&Input::Pipe).is_empty() {
            return Ok(()); //  Told to end
        }
        //  The DEALER socket gives us the reply envelope and message
        let msg = worker.recv_multipart()?;
        let [identity, content] = &msg[..] else {
            panic!("a request is [identity][content], got {} frames", msg.len());
        };

        //  Send 0..4 replies back
        let replies = zhelpers::within(5);
        for _reply in 0..replies {
            //  Sleep for some fraction of a second (or until told to end)
            if zhelpers::wait_for_term(&pipe, zhelpers::within(1000) + 1)? {
                return Ok(());
            }
            //  A reply that cannot go at once is dropped, as in the guide
            let _ = worker.send_multipart_with([identity, content], SendFlags::DONTWAIT);
        }
    }
}

//  The main thread simply starts several clients and a server, and then
//  waits for the server to finish.
fn run(msec: u64, bind: String, connect: String) -> zmq::Result<()> {
    let context = Context::new();
    //  As czmq's zctx: sockets close without lingering, so the clients'
    //  requests still queued at Ctrl-C do not hold up the end
    context.set_default_linger(Some(Duration::ZERO));
    let clients = (0..3)
        .map(|_| {
            let endpoint = connect.clone();
            Actor::new(&context, move |pipe| {
                report("client", client_task(pipe, &endpoint))
            })
        })
        .collect::<zmq::Result<Vec<_>>>()?;
    let server = Actor::new(&context, move |pipe| {
        report("server", server_task(pipe, &bind))
    })?;

    zhelpers::sleep_ms(msec); //  Run for 5 seconds then quit
    drop(server);
    drop(clients);
    Ok(())
}

/// Reports an actor's failure (the process goes on without it).
fn report(who: &str, result: zmq::Result<()>) {
    if let Err(e) = result {
        eprintln!("asyncsrv: {who}: {e}");
    }
}
