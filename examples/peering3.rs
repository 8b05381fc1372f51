//! Broker peering, part 3: state and tasks together (the guide's
//! `peering3.c`, chapter 3, "Putting it All Together"). Each broker has ten
//! clients and five workers; clients send bursts of requests (random
//! 4-digit hex task ids) after random pauses, and push each answered task id
//! (or `E: CLIENT EXIT - lost task ID` after ten seconds without a reply)
//! to the broker's monitor socket, which the broker prints. Workers take 0
//! or 1 second per task. A broker serves requests with its own workers
//! first, sends them to a random peer broker (the "cloud") when it has none
//! free and a peer does, and broadcasts its number of free workers whenever
//! it changes.
//!
//! ```text
//! cargo run --example peering3 [--prefix P] [--seconds S] me {you}...
//! cargo run --example peering3 DC1 DC2 DC3   # and DC2 DC1 DC3, DC3 DC1 DC2
//! ```
//!
//! Sockets: `ipc://ME-localfe.ipc`, `ipc://ME-localbe.ipc`,
//! `ipc://ME-cloud.ipc`, `ipc://ME-state.ipc` and `ipc://ME-monitor.ipc`.
//! Runs forever, as in the guide; `--seconds S` ends it after `S` seconds,
//! and it then reports on stderr the state updates and requests it
//! exchanged with its peers. `--prefix P` goes in front of the ipc file
//! names, to run several sets of brokers side by side. Clients and workers
//! are plain threads with a context each (the guide's `zthread_new`): they
//! end with the process.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::collections::VecDeque;
use std::process::ExitCode;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use zhelpers::BrokerArgs;
use zmq::{Context, Message, PollEvents, PollItem, SocketType};

const NBR_CLIENTS: usize = 10;
const NBR_WORKERS: usize = 5;
const WORKER_READY: &[u8] = b"\x01"; //  Signals worker is ready
const USAGE: &str = "peering3 [--prefix P] [--seconds S] me {you}...";

fn main() -> ExitCode {
    //  First argument is this broker's name
    //  Other arguments are our peers' names
    let args = zhelpers::broker_args(USAGE, false);
    zhelpers::exit_status("peering3", run(Arc::new(args)))
}

//  This is the client task. It issues a burst of requests and then
//  sleeps for a few seconds. This simulates sporadic activity; when
//  a number of clients are active at once, the local workers should
//  be overloaded. The client uses a REQ socket for requests and also
//  pushes statistics to the monitor socket:
fn client_task(args: &BrokerArgs) -> zmq::Result<()> {
    let context = Context::new();
    let client = context.socket(SocketType::Req)?;
    client.connect(&args.endpoint(&args.me, "localfe"))?;
    let monitor = context.socket(SocketType::Push)?;
    monitor.connect(&args.endpoint(&args.me, "monitor"))?;

    loop {
        zhelpers::sleep_ms(zhelpers::within(5) * 1000);
        let burst = zhelpers::within(15);
        for _ in 0..burst {
            let task_id = format!("{:04X}", zhelpers::within(0x10000));

            //  Send request with random hex ID
            client.send(task_id.as_str())?;

            //  Wait max ten seconds for a reply, then complain
            let mut pollset = [PollItem::socket(&client, PollEvents::POLLIN)];
            match zmq::poll(&mut pollset, Some(Duration::from_secs(10))) {
                Err(ref e) if zhelpers::interrupt::is_stop(e) => return Ok(()), //  Interrupted
                result => result?,
            };
            if pollset[0].is_readable() {
                let reply = client.recv_msg()?;
                //  Worker is supposed to answer us with our task id
                assert_eq!(&reply[..], task_id.as_bytes());
                monitor.send(reply)?;
            } else {
                monitor.send(format!("E: CLIENT EXIT - lost task {task_id}"))?;
                return Ok(());
            }
        }
    }
}

//  This is the worker task, which uses a REQ socket to plug into the
//  load-balancer. It's the same stub worker task that you've seen in
//  other examples:
fn worker_task(args: &BrokerArgs) -> zmq::Result<()> {
    let context = Context::new();
    let worker = context.socket(SocketType::Req)?;
    worker.connect(&args.endpoint(&args.me, "localbe"))?;

    //  Tell broker we're ready for work
    worker.send(WORKER_READY)?;

    //  Process messages as they arrive
    loop {
        let msg = worker.recv_multipart()?;

        //  Workers are busy for 0/1 seconds
        zhelpers::sleep_ms(zhelpers::within(2) * 1000);
        worker.send_multipart(msg)?;
    }
}

/// What each broker counts, reported on stderr at the end of a bounded run.
#[derive(Default)]
struct Stats {
    states_sent: u64,     //  Capacity broadcasts
    states_received: u64, //  Peers' capacity broadcasts
    to_cloud: u64,        //  Requests sent to a peer broker
    from_cloud: u64,      //  Requests a peer broker sent us
}

//  The main task begins by setting up all its sockets. The local frontend
//  talks to clients, and our local backend talks to workers. The cloud
//  frontend talks to peer brokers as if they were clients, and the cloud
//  backend talks to peer brokers as if they were workers. The state
//  backend publishes regular state messages, and the state frontend
//  subscribes to all state backends to collect these messages. Finally,
//  we use a PULL monitor socket to collect printable messages from tasks:
fn run(args: Arc<BrokerArgs>) -> zmq::Result<()> {
    let me = &args.me;
    println!("I: preparing broker at {me}...");
    let deadline = args.deadline();

    //  Prepare local frontend and backend
    let context = Context::new();
    //  Ctrl-C shuts the context down (the clients and workers end with the
    //  process, as in C)
    let _interrupt = zhelpers::interrupt::catch(&context)?;
    let localfe = context.socket(SocketType::Router)?;
    localfe.bind(&args.endpoint(me, "localfe"))?;
    let localbe = context.socket(SocketType::Router)?;
    localbe.bind(&args.endpoint(me, "localbe"))?;

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
    //  Bind state backend to endpoint
    let statebe = context.socket(SocketType::Pub)?;
    statebe.bind(&args.endpoint(me, "state"))?;

    //  Connect state frontend to all peers
    let statefe = context.socket(SocketType::Sub)?;
    statefe.set_subscribe(b"")?;
    for peer in &args.peers {
        println!("I: connecting to state backend at '{peer}'");
        statefe.connect(&args.endpoint(peer, "state"))?;
    }
    //  Prepare monitor socket
    let monitor = context.socket(SocketType::Pull)?;
    monitor.bind(&args.endpoint(me, "monitor"))?;

    //  After binding and connecting all our sockets, we start our child
    //  tasks - workers and clients:
    for _ in 0..NBR_WORKERS {
        let args = Arc::clone(&args);
        thread::spawn(move || report("worker", worker_task(&args)));
    }
    //  Start local clients
    for _ in 0..NBR_CLIENTS {
        let args = Arc::clone(&args);
        thread::spawn(move || report("client", client_task(&args)));
    }

    //  Queue of available workers
    let mut local_capacity = 0;
    let mut cloud_capacity = 0;
    let mut workers: VecDeque<Message> = VecDeque::new();
    let mut stats = Stats::default();

    //  The main loop has two parts. First, we poll workers and our two service
    //  sockets (statefe and monitor), in any case. If we have no ready workers,
    //  then there's no point in looking at incoming requests. These can remain
    //  on their internal 0MQ queues:
    //  Ctrl-C shuts the context down: whatever call sees it first, the
    //  loop ends as when the run's time is up
    let routed = (|| -> zmq::Result<()> {
        loop {
            let now = Instant::now();
            if deadline.is_some_and(|end| now >= end) {
                break;
            }
            let mut primary = [
                PollItem::socket(&localbe, PollEvents::POLLIN),
                PollItem::socket(&cloudbe, PollEvents::POLLIN),
                PollItem::socket(&statefe, PollEvents::POLLIN),
                PollItem::socket(&monitor, PollEvents::POLLIN),
            ];
            //  If we have no workers ready, wait indefinitely (or until the end)
            let mut timeout = (local_capacity > 0).then_some(Duration::from_secs(1));
            if let Some(end) = deadline {
                let left = end.saturating_duration_since(now);
                timeout = Some(timeout.map_or(left, |t| t.min(left)));
            }
            match zmq::poll(&mut primary, timeout) {
                Err(ref e) if zhelpers::interrupt::is_stop(e) => break, //  Interrupted
                result => result?,
            };

            //  Track if capacity changes during this iteration
            let previous = local_capacity;
            let mut msg = None; //  Reply from local worker

            if primary[0].is_readable() {
                let mut reply = localbe.recv_multipart()?;
                let identity = reply.unwrap().expect("a worker's identity");
                workers.push_back(identity);
                local_capacity += 1;

                //  If it's READY, don't route the message any further
                if !reply[0].starts_with(WORKER_READY) {
                    msg = Some(reply);
                }
            }
            //  Or handle reply from peer broker
            else if primary[1].is_readable() {
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

            //  If we have input messages on our statefe or monitor sockets, we
            //  can process these immediately:
            if primary[2].is_readable() {
                let state = statefe.recv_multipart()?;
                if let [_peer, status] = &state[..] {
                    cloud_capacity = String::from_utf8_lossy(status).parse().unwrap_or(0);
                    stats.states_received += 1;
                }
            }
            if primary[3].is_readable() {
                let status = monitor.recv_msg()?;
                println!("{}", String::from_utf8_lossy(&status));
            }

            //  Now route as many clients requests as we can handle. If we have
            //  local capacity, we poll both localfe and cloudfe. If we have cloud
            //  capacity only, we poll just localfe. We route any request locally
            //  if we can, else we route to the cloud.
            while local_capacity + cloud_capacity > 0 {
                let mut secondary = [
                    PollItem::socket(&localfe, PollEvents::POLLIN),
                    PollItem::socket(&cloudfe, PollEvents::POLLIN),
                ];
                let polled = if local_capacity > 0 { 2 } else { 1 };
                zmq::poll(&mut secondary[..polled], Some(Duration::ZERO))?;

                let mut request = if secondary[0].is_readable() {
                    localfe.recv_multipart()?
                } else if secondary[1].is_readable() {
                    stats.from_cloud += 1;
                    cloudfe.recv_multipart()?
                } else {
                    break; //  No work, go back to primary
                };

                if local_capacity > 0 {
                    let worker = workers.pop_front().expect("a worker is ready");
                    request.wrap(worker);
                    localbe.send_multipart(request)?;
                    local_capacity -= 1;
                } else {
                    //  Route to random broker peer
                    let peer = &args.peers[zhelpers::within(args.peers.len() as u64) as usize];
                    request.push_front(peer);
                    cloudbe.send_multipart(request)?;
                    stats.to_cloud += 1;
                }
            }
            //  We broadcast capacity messages to other peers; to reduce chatter,
            //  we do this only if our capacity changed.
            if local_capacity != previous {
                //  We stick our own identity onto the envelope, and
                //  broadcast the new capacity
                statebe.send_multipart([me.clone(), local_capacity.to_string()])?;
                stats.states_sent += 1;
            }
        }
        Ok(())
    })();
    match routed {
        Err(e) if !zhelpers::interrupt::is_stop(&e) => return Err(e),
        _ => {}
    }
    eprintln!(
        "peering3: {me}: {} state updates sent, {} received; {} requests to the cloud, {} from the cloud",
        stats.states_sent, stats.states_received, stats.to_cloud, stats.from_cloud
    );
    //  The clients and workers end with the process
    Ok(())
}

/// Reports a task's failure (the process goes on without it).
fn report(who: &str, result: zmq::Result<()>) {
    if let Err(e) = result {
        eprintln!("peering3: {who}: {e}");
    }
}
