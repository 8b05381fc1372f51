//! Broker peering, part 2: the request-reply flow (the guide's `peering2.c`,
//! chapter 3, "Prototyping the Local and Cloud Flows"). Each broker has ten
//! clients and three workers of its own (actors on its context: threads
//! with an inproc PAIR pipe), load-balances its clients' requests over its
//! workers, and sends one request in five to a random peer broker instead
//! (the "cloud"), which serves it with its own workers and routes the reply
//! back. Clients send `HELLO` once a second and print `Client: OK`; workers
//! print `Worker: [005] HELLO`.
//!
//! ```text
//! cargo run --example peering2 [--prefix P] [--seconds S] [--no-wait] me {you}...
//! cargo run --example peering2 DC1 DC2   # and DC2 DC1
//! ```
//!
//! Sockets: `ipc://ME-cloud.ipc` (cloud frontend, ROUTER with identity ME;
//! the cloud backend connects to the peers' ones), `ipc://ME-localfe.ipc`
//! and `ipc://ME-localbe.ipc` (clients and workers). Like the guide it asks
//! for Enter once all brokers are started (a request sent to a peer that is
//! not there yet is lost), unless `--no-wait` or stdin is empty. Runs
//! forever; `--seconds S` ends it after `S` seconds, and then it reports on
//! stderr how many requests went where. `--prefix P` goes in front of the
//! ipc file names, to run several sets of brokers side by side.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::collections::VecDeque;
use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use zhelpers::{Actor, BrokerArgs};
use zmq::{Context, Message, PollEvents, Poller, Socket, SocketType};

const NBR_CLIENTS: usize = 10;
const NBR_WORKERS: usize = 3;
const WORKER_READY: &[u8] = b"\x01"; //  Signals worker is ready
const USAGE: &str = "peering2 [--prefix P] [--seconds S] [--no-wait] me {you}...";

fn main() -> ExitCode {
    //  First argument is this broker's name
    //  Other arguments are our peers' names
    let args = zhelpers::broker_args(USAGE, true);
    zhelpers::exit_status("peering2", run(Arc::new(args)))
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

//  The client task does a request-reply dialog using a standard
//  synchronous REQ socket:
fn client_task(pipe: Socket, args: &BrokerArgs) -> zmq::Result<()> {
    let client = pipe.context().socket(SocketType::Req)?;
    client.connect(&args.endpoint(&args.me, "localfe"))?;
    let mut poller = actor_poller(&pipe, &client);

    loop {
        //  Send request, get reply
        client.send("HELLO")?;
        match poller.poll(None) {
            Err(ref e) if zhelpers::interrupt::is_stop(e) => return Ok(()), //  Interrupted
            result => result?,
        };
        if !poller.revents(&Input::Pipe).is_empty() {
            return Ok(()); //  Done
        }
        let reply = client.recv_msg()?;
        println!("Client: {}", String::from_utf8_lossy(&reply));
        //  Sleep a second, or until told to end
        if zhelpers::wait_for_term(&pipe, 1000)? {
            return Ok(());
        }
    }
}

//  The worker task plugs into the load-balancer using a REQ
//  socket:
fn worker_task(pipe: Socket, args: &BrokerArgs) -> zmq::Result<()> {
    let worker = pipe.context().socket(SocketType::Req)?;
    worker.connect(&args.endpoint(&args.me, "localbe"))?;

    //  Tell broker we're ready for work
    worker.send(WORKER_READY)?;

    //  Process messages as they arrive
    let mut poller = actor_poller(&pipe, &worker);
    loop {
        match poller.poll(None) {
            Err(ref e) if zhelpers::interrupt::is_stop(e) => return Ok(()), //  Interrupted
            result => result?,
        };
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

/// What each broker counts, reported on stderr at the end of a bounded run.
#[derive(Default)]
struct Stats {
    local: u64,      //  Requests given to our workers
    to_cloud: u64,   //  Requests sent to a peer broker
    from_cloud: u64, //  Requests a peer broker sent us
}

//  The main task begins by setting-up its frontend and backend sockets
//  and then starting its client and worker tasks:
fn run(args: Arc<BrokerArgs>) -> zmq::Result<()> {
    let me = &args.me;
    println!("I: preparing broker at {me}...");

    let context = Context::new();
    //  As czmq's zctx: sockets close without lingering, so the clients'
    //  requests still queued at Ctrl-C do not hold up the end
    context.set_default_linger(Some(Duration::ZERO));
    let _interrupt = zhelpers::interrupt::catch(&context)?;

    //  Bind cloud frontend to endpoint
    let cloudfe = context.socket(SocketType::Router)?;
    cloudfe.set_routing_id(me.as_bytes())?;
    cloudfe.bind(&args.endpoint(me, "cloud"))?;

    //  Connect cloud backend to all peers
    let cloudbe = context.socket(SocketType::Router)?;
    cloudbe.set_routing_id(me.as_bytes())?;
    for peer in &args.peers {
        println!("I: connecting to cloud frontend at '{peer}'");
        cloudbe.connect(&args.endpoint(peer, "cloud"))?;
    }
    //  Prepare local frontend and backend
    let localfe = context.socket(SocketType::Router)?;
    localfe.bind(&args.endpoint(me, "localfe"))?;
    let localbe = context.socket(SocketType::Router)?;
    localbe.bind(&args.endpoint(me, "localbe"))?;

    //  Get user to tell us when we can start...
    if !args.no_wait {
        print!("Press Enter when all brokers are started: ");
        let _ = std::io::stdout().flush();
        let _ = std::io::stdin().lock().read_line(&mut String::new());
    }
    let deadline = args.deadline();

    //  Start local workers, then local clients
    let mut actors = Vec::with_capacity(NBR_WORKERS + NBR_CLIENTS);
    for _ in 0..NBR_WORKERS {
        let args = Arc::clone(&args);
        actors.push(Actor::new(&context, move |pipe| {
            report("worker", worker_task(pipe, &args))
        })?);
    }
    for _ in 0..NBR_CLIENTS {
        let args = Arc::clone(&args);
        actors.push(Actor::new(&context, move |pipe| {
            report("client", client_task(pipe, &args))
        })?);
    }

    //  Here, we handle the request-reply flow. We're using load-balancing
    //  to poll workers at all times, and clients only when there are one
    //  or more workers available.

    //  Least recently used queue of available workers
    let mut workers: VecDeque<Message> = VecDeque::new();
    let mut stats = Stats::default();

    let mut poll_backends = Poller::new();
    poll_backends.add_socket(&localbe, PollEvents::POLLIN, "localbe");
    poll_backends.add_socket(&cloudbe, PollEvents::POLLIN, "cloudbe");
    let mut poll_frontends = Poller::new();
    poll_frontends.add_socket(&cloudfe, PollEvents::POLLIN, "cloudfe");
    poll_frontends.add_socket(&localfe, PollEvents::POLLIN, "localfe");
    //  Ctrl-C shuts the context down: whatever call sees it first, the
    //  loop ends as when the run's time is up
    let routed = (|| -> zmq::Result<()> {
        loop {
            //  First, route any waiting replies from workers

            //  If we have no workers, wait indefinitely (or until the end)
            let now = Instant::now();
            if deadline.is_some_and(|end| now >= end) {
                break;
            }
            let mut timeout = (!workers.is_empty()).then_some(Duration::from_secs(1));
            if let Some(end) = deadline {
                let left = end.saturating_duration_since(now);
                timeout = Some(timeout.map_or(left, |t| t.min(left)));
            }
            match poll_backends.poll(timeout) {
                Err(ref e) if zhelpers::interrupt::is_stop(e) => break, //  Interrupted
                result => result?,
            };
            let mut msg = None;
            //  Handle reply from local worker
            if !poll_backends.revents(&"localbe").is_empty() {
                let mut reply = localbe.recv_multipart()?;
                let identity = reply.unwrap().expect("a worker's identity");
                workers.push_back(identity);

                //  If it's READY, don't route the message any further
                if !reply[0].starts_with(WORKER_READY) {
                    msg = Some(reply);
                }
            }
            //  Or handle reply from peer broker
            else if !poll_backends.revents(&"cloudbe").is_empty() {
                let mut reply = cloudbe.recv_multipart()?;
                //  We don't use peer broker identity for anything
                reply.unwrap();
                msg = Some(reply);
            }
            if let Some(reply) = msg {
                //  Route reply to cloud if it's addressed to a broker,
                //  else to a client
                if args
                    .peers
                    .iter()
                    .any(|peer| reply[0][..] == *peer.as_bytes())
                {
                    cloudfe.send_multipart(reply)?;
                } else {
                    localfe.send_multipart(reply)?;
                }
            }

            //  Now we route as many client requests as we have worker capacity
            //  for. We may reroute requests from our local frontend, but not from
            //  the cloud frontend. We reroute randomly now, just to test things
            //  out. In the next version, we'll do this properly by calculating
            //  cloud capacity:
            while !workers.is_empty() {
                poll_frontends.poll(Some(Duration::ZERO))?;
                //  We'll do peer brokers first, to prevent starvation
                let (mut request, reroutable) = if !poll_frontends.revents(&"cloudfe").is_empty() {
                    stats.from_cloud += 1;
                    (cloudfe.recv_multipart()?, false)
                } else if !poll_frontends.revents(&"localfe").is_empty() {
                    (localfe.recv_multipart()?, true)
                } else {
                    break; //  No work, go back to backends
                };

                //  If reroutable, send to cloud 20% of the time
                //  Here we'd normally use cloud status information
                if reroutable && !args.peers.is_empty() && zhelpers::within(5) == 0 {
                    //  Route to random broker peer
                    let peer = &args.peers[zhelpers::within(args.peers.len() as u64) as usize];
                    request.push_front(peer);
                    cloudbe.send_multipart(request)?;
                    stats.to_cloud += 1;
                } else {
                    let worker = workers.pop_front().expect("a worker is ready");
                    request.wrap(worker);
                    localbe.send_multipart(request)?;
                    stats.local += 1;
                }
            }
        }
        Ok(())
    })();
    match routed {
        Err(e) if !zhelpers::interrupt::is_stop(&e) => return Err(e),
        _ => {}
    }
    //  When we're done, clean up properly
    drop(actors);
    eprintln!(
        "peering2: {me}: {} requests to local workers, {} to the cloud, {} from the cloud",
        stats.local, stats.to_cloud, stats.from_cloud
    );
    Ok(())
}

/// Reports an actor's failure (the process goes on without it); the end of
/// the context (Ctrl-C) is no failure.
fn report(who: &str, result: zmq::Result<()>) {
    match result {
        Err(e) if !zhelpers::interrupt::is_stop(&e) => eprintln!("peering2: {who}: {e}"),
        _ => {}
    }
}
