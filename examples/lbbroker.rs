//! Load-balancing broker (the guide's `lbbroker.c`, chapter 3, "A Load
//! Balancing Message Broker"): ten REQ clients and three REQ workers, each on
//! a thread of its own with its own context, around a broker with two ROUTER
//! sockets. Workers say `READY`, then serve one request at a time; the broker
//! polls clients only while a worker is free. Prints `Worker: HELLO` and
//! `Client: OK` ten times, and ends after the tenth reply.
//!
//! ```text
//! cargo run --example lbbroker [PREFIX]
//! ```
//!
//! The broker binds `ipc://frontend.ipc` and `ipc://backend.ipc`; `PREFIX`
//! goes in front of those file names (`/tmp/lb/` or `/tmp/lb-`). Frames are
//! passed on as [`Message`]s, so the identities need not be printable: the
//! C version gives every socket a random text identity only because its
//! string helpers cannot carry binary ones. Ctrl-C ends it with status 0
//! (`zhelpers::interrupt`); so does a reply taken by a client from outside
//! (the C process exits without waiting for its clients; this one gives
//! them a second).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::collections::VecDeque;
use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

use zmq::{Context, Message, PollEvents, PollItem, SocketType};

const NBR_CLIENTS: usize = 10;
const NBR_WORKERS: usize = 3;
//  How long the clients have to print their replies after the last one
const CLIENT_GRACE: Duration = Duration::from_secs(1);

fn main() -> ExitCode {
    zhelpers::args_at_most(1, "lbbroker [PREFIX]");
    let prefix = std::env::args().nth(1).unwrap_or_default();
    zhelpers::exit_status("lbbroker", run(&prefix))
}

//  Basic request-reply client using REQ socket
fn client_task(endpoint: &str) -> zmq::Result<()> {
    let context = Context::new();
    let client = context.socket(SocketType::Req)?;
    client.connect(endpoint)?;

    //  Send request, get reply
    client.send("HELLO")?;
    let reply = client.recv_msg()?;
    println!("Client: {}", String::from_utf8_lossy(&reply));
    Ok(())
}

//  While this example runs in a single process, that is just to make
//  it easier to start and stop the example. Each thread has its own
//  context and conceptually acts as a separate process.
//  This is the worker task, using a REQ socket to do load-balancing.
fn worker_task(endpoint: &str) -> zmq::Result<()> {
    let context = Context::new();
    let worker = context.socket(SocketType::Req)?;
    worker.connect(endpoint)?;

    //  Tell broker we're ready for work
    worker.send("READY")?;

    loop {
        //  Read the envelope with the request: [client][""][request]
        let mut msg = worker.recv_multipart()?;
        let request = msg.pop_back().expect("a request");
        println!("Worker: {}", String::from_utf8_lossy(&request));

        //  Send the reply in the same envelope
        msg.push_back("OK");
        worker.send_multipart(msg)?;
    }
}

//  This is the main task. It starts the clients and workers, and then
//  routes requests between the two layers. Workers signal READY when
//  they start; after that we treat them as ready when they reply with
//  a response back to a client. The load-balancing data structure is
//  just a queue of next available workers.
fn run(prefix: &str) -> zmq::Result<()> {
    let frontend_endpoint = format!("ipc://{prefix}frontend.ipc");
    let backend_endpoint = format!("ipc://{prefix}backend.ipc");

    //  Prepare our context and sockets
    let context = Context::new();
    //  Ctrl-C shuts the context down: the loop ends on Terminated
    let _interrupt = zhelpers::interrupt::catch(&context)?;
    let frontend = context.socket(SocketType::Router)?;
    let backend = context.socket(SocketType::Router)?;
    frontend.bind(&frontend_endpoint)?;
    backend.bind(&backend_endpoint)?;

    let clients: Vec<_> = (0..NBR_CLIENTS)
        .map(|_| {
            let endpoint = frontend_endpoint.clone();
            thread::spawn(move || client_task(&endpoint))
        })
        .collect();
    for _ in 0..NBR_WORKERS {
        let endpoint = backend_endpoint.clone();
        //  Workers serve forever; they end with the process
        thread::spawn(move || worker_task(&endpoint));
    }

    //  Here is the main loop for the least-recently-used queue. It has two
    //  sockets; a frontend for clients and a backend for workers. It polls
    //  the backend in all cases, and polls the frontend only when there are
    //  one or more workers ready. This is a neat way to use 0MQ's own queues
    //  to hold messages we're not ready to process yet. When we get a client
    //  request, we pop the next available worker and send the request to it,
    //  including the originating client identity. When a worker replies, we
    //  requeue that worker and forward the reply to the original client
    //  using the reply envelope.

    //  Queue of available workers
    let mut worker_queue: VecDeque<Message> = VecDeque::with_capacity(NBR_WORKERS);
    let mut client_nbr = NBR_CLIENTS;

    loop {
        let mut items = [
            PollItem::socket(&backend, PollEvents::POLLIN),
            PollItem::socket(&frontend, PollEvents::POLLIN),
        ];
        //  Poll frontend only if we have available workers
        let polled = if worker_queue.is_empty() { 1 } else { 2 };
        match zmq::poll(&mut items[..polled], None) {
            //  Interrupted (Ctrl-C)
            Err(ref e)
                if matches!(
                    e.kind(),
                    zmq::ErrorKind::Interrupted | zmq::ErrorKind::Terminated
                ) =>
            {
                break
            }
            result => result?,
        };

        //  Handle worker activity on backend
        if items[0].is_readable() {
            //  Queue worker identity for load-balancing
            let mut msg = backend.recv_multipart()?;
            assert!(worker_queue.len() < NBR_WORKERS);
            worker_queue.push_back(msg.unwrap().expect("a worker identity"));

            //  The rest is READY or else a client reply envelope:
            //  send that back to frontend
            if msg != ["READY"] {
                frontend.send_multipart(msg)?;
                client_nbr -= 1;
                if client_nbr == 0 {
                    break; //  Exit after N messages
                }
            }
        }
        //  Here is how we handle a client request:
        if items[1].is_readable() {
            //  Now get next client request, route to last-used worker
            //  Client request is [identity][empty][request]
            let mut msg = frontend.recv_multipart()?;

            //  Dequeue the next worker identity, wrap the request for it
            msg.wrap(worker_queue.pop_front().expect("a worker is ready"));
            backend.send_multipart(msg)?;
        }
    }
    //  Let every client print its reply before the process ends. A reply
    //  taken by a client from outside leaves one of ours waiting forever,
    //  and after Ctrl-C none will come: wait a little, not for ever (the
    //  process ends the rest, as in C).
    if !zhelpers::interrupt::interrupted() {
        let deadline = Instant::now() + CLIENT_GRACE;
        while clients.iter().any(|c| !c.is_finished()) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
    }
    for client in clients.into_iter().filter(|c| c.is_finished()) {
        client.join().expect("client thread panicked")?;
    }
    Ok(())
}
