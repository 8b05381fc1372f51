//! Load-balancing broker, high-level style (the guide's `lbbroker2.c`,
//! chapter 3, "A High-Level API for ZeroMQ"): `lbbroker` again, written the
//! way the guide writes it on CZMQ. Messages are read and sent whole
//! (`Vec<Message>` with `recv_multipart`/`send_multipart`, CZMQ's `zmsg`),
//! and the clients and workers are actors: threads that share the broker's
//! context and listen on an inproc PAIR pipe for the end (CZMQ's `zactor`).
//! Prints `Worker: [005] HELLO` and `Client: OK` ten times, and ends after
//! the tenth reply.
//!
//! ```text
//! cargo run --example lbbroker2 [PREFIX]
//! ```
//!
//! The broker binds `ipc://frontend.ipc` and `ipc://backend.ipc`; `PREFIX`
//! goes in front of those file names (`/tmp/lb/` or `/tmp/lb-`).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::collections::VecDeque;
use std::process::ExitCode;
use std::time::Duration;

use zhelpers::Actor;
use zmq::{Context, Message, PollEvents, Poller, Socket, SocketType};

const NBR_CLIENTS: usize = 10;
const NBR_WORKERS: usize = 3;
const WORKER_READY: &[u8] = b"READY"; //  Signals worker is ready

fn main() -> ExitCode {
    zhelpers::args_at_most(1, "lbbroker2 [PREFIX]");
    let prefix = std::env::args().nth(1).unwrap_or_default();
    zhelpers::exit_status("lbbroker2", run(&prefix))
}

//  Basic request-reply client using REQ socket
fn client_task(pipe: Socket, endpoint: &str) -> zmq::Result<()> {
    let client = pipe.context().socket(SocketType::Req)?;
    client.connect(endpoint)?;

    //  Send request, get reply
    client.send("HELLO")?;
    let reply = client.recv_msg()?;
    println!("Client: {}", String::from_utf8_lossy(&reply));
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Input {
    Pipe,
    Worker,
}

//  Worker using REQ socket to do load-balancing
fn worker_task(pipe: Socket, endpoint: &str) -> zmq::Result<()> {
    let worker = pipe.context().socket(SocketType::Req)?;
    worker.connect(endpoint)?;

    //  Tell broker we're ready for work
    worker.send(WORKER_READY)?;

    //  Process messages as they arrive
    let mut poller = Poller::new();
    poller.add_socket(&pipe, PollEvents::POLLIN, Input::Pipe);
    poller.add_socket(&worker, PollEvents::POLLIN, Input::Worker);
    loop {
        poller.poll(None)?;
        if !poller.revents(&Input::Pipe).is_empty() {
            return Ok(()); //  Done
        }
        let mut msg = worker.recv_multipart()?;
        let last = msg.last_mut().expect("a request has a body");
        println!("Worker: {}", zhelpers::frame_line(last));
        *last = Message::from("OK");
        worker.send_multipart(msg)?;
    }
}

//  Now we come to the main task. This has the identical functionality to
//  the previous lbbroker broker example, but uses actors to start child
//  threads, a VecDeque to hold the list of workers, and whole messages
//  to read and send:
fn run(prefix: &str) -> zmq::Result<()> {
    let frontend_endpoint = format!("ipc://{prefix}frontend.ipc");
    let backend_endpoint = format!("ipc://{prefix}backend.ipc");

    let context = Context::new();
    //  As czmq's zctx: sockets close without lingering, so the clients'
    //  requests still queued at Ctrl-C do not hold up the end
    context.set_default_linger(Some(Duration::ZERO));
    //  Ctrl-C shuts the context down: every loop ends on Terminated
    let _interrupt = zhelpers::interrupt::catch(&context)?;
    let frontend = context.socket(SocketType::Router)?;
    let backend = context.socket(SocketType::Router)?;
    frontend.bind(&frontend_endpoint)?;
    backend.bind(&backend_endpoint)?;

    let mut actors = Vec::with_capacity(NBR_CLIENTS + NBR_WORKERS);
    for _ in 0..NBR_CLIENTS {
        let endpoint = frontend_endpoint.clone();
        actors.push(Actor::new(&context, move |pipe| {
            report("client", client_task(pipe, &endpoint))
        })?);
    }
    for _ in 0..NBR_WORKERS {
        let endpoint = backend_endpoint.clone();
        actors.push(Actor::new(&context, move |pipe| {
            report("worker", worker_task(pipe, &endpoint))
        })?);
    }

    //  Queue of available workers
    let mut workers: VecDeque<Message> = VecDeque::new();
    let mut client_nbr = NBR_CLIENTS;

    //  Here is the main loop for the load balancer. It works the same way
    //  as the previous example, but is a lot shorter because whole messages
    //  do more with fewer calls:
    let mut poll_backend = Poller::new();
    poll_backend.add_socket(&backend, PollEvents::POLLIN, Side::Backend);
    let mut poll_both = Poller::new();
    poll_both.add_socket(&backend, PollEvents::POLLIN, Side::Backend);
    poll_both.add_socket(&frontend, PollEvents::POLLIN, Side::Frontend);
    loop {
        //  Poll frontend only if we have available workers
        let poller = if workers.is_empty() {
            &mut poll_backend
        } else {
            &mut poll_both
        };
        match poller.poll(None) {
            Err(ref e) if interrupted(e) => break, //  Interrupted (Ctrl-C)
            result => result?,
        };

        //  Handle worker activity on backend
        if !poller.revents(&Side::Backend).is_empty() {
            //  Use worker identity for load-balancing
            let mut msg = backend.recv_multipart()?;
            let identity = msg.unwrap().expect("a worker's identity");
            workers.push_back(identity);

            //  Forward message to client if it's not a READY
            if msg[0].starts_with(WORKER_READY) {
                drop(msg);
            } else {
                frontend.send_multipart(msg)?;
                client_nbr -= 1;
                if client_nbr == 0 {
                    break; //  Exit after N messages
                }
            }
        } else if !poller.revents(&Side::Frontend).is_empty() {
            //  Get client request, route to first available worker
            let mut msg = frontend.recv_multipart()?;
            let worker = workers.pop_front().expect("a worker is ready");
            msg.wrap(worker);
            backend.send_multipart(msg)?;
        }
    }
    //  When we're done, clean up properly: the clients have their replies,
    //  the workers end when told to
    drop(actors);
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Frontend,
    Backend,
}

/// Whether an error is Ctrl-C's: a signal, or the context shut down.
fn interrupted(e: &zmq::Error) -> bool {
    matches!(
        e.kind(),
        zmq::ErrorKind::Interrupted | zmq::ErrorKind::Terminated
    )
}

/// Reports an actor's failure (the process goes on without it); the end of
/// the context (Ctrl-C) is no failure.
fn report(who: &str, result: zmq::Result<()>) {
    match result {
        Err(e) if !interrupted(&e) => eprintln!("lbbroker2: {who}: {e}"),
        _ => {}
    }
}
