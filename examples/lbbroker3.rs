//! Load-balancing broker, reactor style (the guide's `lbbroker3.c`, chapter
//! 3, "Features of a Higher-Level API"): the CZMQ version runs the broker on
//! `zloop`, calling a handler per socket that has input; here
//! [`zmq::Reactor`] does. The backend handler is always registered; the frontend
//! handler only while a worker is ready (added when the queue goes from 0
//! to 1 worker, removed when it goes back to 0). Clients and workers are
//! actors (threads with an inproc PAIR pipe); each client sends `HELLO`
//! once a second and prints `Client: OK`; workers print `Worker: [005]
//! HELLO`. Runs forever, as in the guide.
//!
//! ```text
//! cargo run --example lbbroker3 [COUNT [PREFIX]]
//! ```
//!
//! `COUNT` bounds the run: the broker stops after passing on that many
//! replies, then ends its actors (default 0: forever). The broker binds
//! `ipc://frontend.ipc` and `ipc://backend.ipc`; `PREFIX` goes in front of
//! those file names (`/tmp/lb/` or `/tmp/lb-`). Ctrl-C ends the reactor
//! (`zhelpers::interrupt`): the broker ends its actors, prints its summary
//! and exits 0.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::collections::VecDeque;
use std::process::ExitCode;
use std::time::Duration;

use zhelpers::Actor;
use zmq::{Context, Flow, Message, PollEvents, Poller, Reactor, Socket, SocketType};

const NBR_CLIENTS: usize = 10;
const NBR_WORKERS: usize = 3;
const WORKER_READY: &[u8] = b"\x01"; //  Signals worker is ready
const USAGE: &str = "lbbroker3 [COUNT [PREFIX]]  (COUNT 0 = forever)";

fn main() -> ExitCode {
    zhelpers::args_at_most(2, USAGE);
    let count: u64 = zhelpers::arg(1, 0, USAGE);
    let prefix = std::env::args().nth(2).unwrap_or_default();
    zhelpers::exit_status("lbbroker3", run(count, &prefix))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Input {
    Pipe,
    Peer,
}

/// A poller on an actor's pipe and its socket.
fn actor_poller<'a>(pipe: &'a Socket, socket: &'a Socket) -> Poller<'a, Input> {
    let mut poller = Poller::new();
    poller.add_socket(pipe, PollEvents::POLLIN, Input::Pipe);
    poller.add_socket(socket, PollEvents::POLLIN, Input::Peer);
    poller
}

//  Basic request-reply client using REQ socket
fn client_task(pipe: Socket, endpoint: &str) -> zmq::Result<()> {
    let client = pipe.context().socket(SocketType::Req)?;
    client.connect(endpoint)?;
    let mut poller = actor_poller(&pipe, &client);

    //  Send request, get reply
    loop {
        client.send("HELLO")?;
        match poller.poll(None) {
            Err(ref e) if e.kind() == zmq::ErrorKind::Interrupted => continue, //  Interrupted
            result => result?,
        };
        if !poller.revents(&Input::Peer).is_empty() {
            let reply = client.recv_msg()?;
            println!("Client: {}", String::from_utf8_lossy(&reply));
        }
        if !poller.revents(&Input::Pipe).is_empty() {
            return Ok(()); //  Shutdown
        }
        //  Sleep a second, or until told to end
        if zhelpers::wait_for_term(&pipe, 1000)? {
            return Ok(());
        }
    }
}

//  Worker using REQ socket to do load-balancing
fn worker_task(pipe: Socket, endpoint: &str) -> zmq::Result<()> {
    let worker = pipe.context().socket(SocketType::Req)?;
    worker.connect(endpoint)?;
    let mut poller = actor_poller(&pipe, &worker);

    //  Tell broker we're ready for work
    worker.send(WORKER_READY)?;

    //  Process messages as they arrive
    loop {
        match poller.poll(None) {
            Err(ref e) if e.kind() == zmq::ErrorKind::Interrupted => continue, //  Interrupted
            result => result?,
        };
        if !poller.revents(&Input::Pipe).is_empty() {
            return Ok(()); //  Shutdown
        }
        let mut msg = worker.recv_multipart()?;
        let last = msg.last_mut().expect("a request has a body");
        println!("Worker: {}", zhelpers::frame_line(last));
        *last = Message::from("OK");
        worker.send_multipart(msg)?;
    }
}

//  Our load-balancer structure, passed to reactor handlers
struct LbBroker {
    workers: VecDeque<Message>, //  List of ready workers
    replies: u64,               //  Replies passed on to clients
    count: u64,                 //  Replies to pass on before stopping (0: forever)
}

//  In the reactor design, each time a message arrives on a socket, the
//  reactor passes it to a handler function. We have two handlers; one
//  for the frontend, one for the backend:

//  Handle input from client, on frontend
fn frontend_handler<'a>(
    backend: &'a Socket,
) -> impl FnMut(&mut Reactor<'a, LbBroker>, &Socket, &mut LbBroker) -> zmq::Result<Flow> + 'a {
    move |reactor, frontend, lb| {
        let mut msg = frontend.recv_multipart()?;
        let worker = lb.workers.pop_front().expect("a worker is ready");
        msg.wrap(worker);
        backend.send_multipart(msg)?;

        //  Cancel reader on frontend if we went from 1 to 0 workers
        if lb.workers.is_empty() {
            reactor.remove_socket(frontend);
        }
        Ok(Flow::Continue)
    }
}

//  Handle input from worker, on backend
fn backend_handler<'a>(
    frontend: &'a Socket,
    backend: &'a Socket,
) -> impl FnMut(&mut Reactor<'a, LbBroker>, &Socket, &mut LbBroker) -> zmq::Result<Flow> + 'a {
    move |reactor, _, lb| {
        //  Use worker identity for load-balancing
        let mut msg = backend.recv_multipart()?;
        let identity = msg.unwrap().expect("a worker's identity");
        lb.workers.push_back(identity);

        //  Enable reader on frontend if we went from 0 to 1 workers
        if lb.workers.len() == 1 {
            reactor.add_reader(frontend, frontend_handler(backend));
        }
        //  Forward message to client if it's not a READY
        if msg[0].starts_with(WORKER_READY) {
            return Ok(Flow::Continue);
        }
        frontend.send_multipart(msg)?;
        lb.replies += 1;
        if lb.count != 0 && lb.replies >= lb.count {
            return Ok(Flow::Stop);
        }
        Ok(Flow::Continue)
    }
}

//  And the main task now sets up child tasks, then starts its reactor.
//  If you press Ctrl-C, the reactor exits and the main task shuts down.
fn run(count: u64, prefix: &str) -> zmq::Result<()> {
    let frontend_endpoint = format!("ipc://{prefix}frontend.ipc");
    let backend_endpoint = format!("ipc://{prefix}backend.ipc");

    let context = Context::new();
    //  As czmq's zctx: sockets close without lingering, so the clients'
    //  requests still queued at Ctrl-C do not hold up the end
    context.set_default_linger(Some(Duration::ZERO));
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
    let mut lb = LbBroker {
        workers: VecDeque::new(),
        replies: 0,
        count,
    };

    //  Prepare reactor and fire it up
    let mut reactor = Reactor::new();
    reactor.add_reader(&backend, backend_handler(&frontend, &backend));
    //  Ends on Stop (COUNT reached) or Ctrl-C (the context shut down)
    reactor.run(&mut lb)?;
    drop(reactor);

    //  When we're done, clean up properly
    drop(actors);
    eprintln!("lbbroker3: passed on {} replies", lb.replies);
    Ok(())
}

/// Reports an actor's failure (the process goes on without it); the end of
/// the context (Ctrl-C) is no failure.
fn report(who: &str, result: zmq::Result<()>) {
    match result {
        Err(e) if e.kind() != zmq::ErrorKind::Terminated => eprintln!("lbbroker3: {who}: {e}"),
        _ => {}
    }
}
