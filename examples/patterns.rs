//! The seed article's three ZeroMQ patterns in one process, each side in its
//! own thread, so one command shows them all and ends by itself:
//!
//! 1. **request-reply** (`hwserver`/`hwclient`): REQ sends "Hello", REP
//!    answers "World", over TCP loopback on a port the OS picks
//!    (`tcp://127.0.0.1:*`, read back with `last_endpoint`).
//! 2. **publish-subscribe** (`wuserver`/`wuclient`): PUB sprays random weather
//!    updates, SUB keeps only zipcode 10001 and averages five temperatures.
//! 3. **pipeline** (`taskvent`/`taskwork`/`tasksink`): PUSH load-balances 100
//!    tasks over two PULL workers, whose results fan in to one PULL sink; over
//!    `inproc://`, ended with `Context::shutdown`.
//!
//! ```text
//! cargo run --example patterns
//! ```
//!
//! The timings are scaled down from the guide (0.1 s of work per request
//! instead of 1 s, 1-20 msec per task instead of 1-100) to keep it short.

use std::collections::BTreeMap;
use std::error::Error;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use zmq::{Context, SocketType};

type Result<T, E = Box<dyn Error + Send + Sync>> = std::result::Result<T, E>;

const REQUESTS: usize = 3;
const ZIPCODE: &str = "10001";
const UPDATES: i64 = 5;
const TASKS: usize = 100;
const WORKERS: usize = 2;

fn main() -> Result<()> {
    let started = Instant::now();
    let context = Context::new();
    request_reply(&context)?;
    publish_subscribe(&context)?;
    pipeline()?;
    println!(
        "all three patterns done in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// hwserver + hwclient: lock-step request and reply.
fn request_reply(context: &Context) -> Result<()> {
    let server = context.socket(SocketType::Rep)?;
    server.bind("tcp://127.0.0.1:*")?;
    let endpoint = server.last_endpoint()?;
    println!("[req-rep] server bound to {endpoint}");

    let server = thread::spawn(move || -> Result<()> {
        for _ in 0..REQUESTS {
            let request = server.recv_string()?;
            println!("[req-rep] server got {request}");
            thread::sleep(Duration::from_millis(100)); //  Do some 'work'
            server.send("World")?;
        }
        Ok(())
    });

    let client = context.socket(SocketType::Req)?;
    client.connect(&endpoint)?;
    for request_nbr in 1..=REQUESTS {
        client.send("Hello")?;
        let reply = client.recv_string()?;
        println!("[req-rep] client got {reply} {request_nbr}");
    }
    join(server)
}

/// wuserver + wuclient: a fast publisher and a filtering subscriber.
fn publish_subscribe(context: &Context) -> Result<()> {
    let publisher = context.socket(SocketType::Pub)?;
    publisher.bind("tcp://127.0.0.1:*")?;
    let endpoint = publisher.last_endpoint()?;
    println!("[pub-sub] publisher bound to {endpoint}");

    let stop = Arc::new(AtomicBool::new(false));
    let publisher = thread::spawn({
        let stop = Arc::clone(&stop);
        move || -> Result<u64> {
            let mut sent = 0;
            // PUB never blocks: until the subscription arrives (the "slow
            // joiner"), and for every other zipcode, updates are dropped.
            while !stop.load(Ordering::Relaxed) {
                let zipcode = zhelpers::within(100_000);
                let temperature = zhelpers::within(215) as i64 - 80;
                let relhumidity = zhelpers::within(50) + 10;
                let update = format!("{zipcode:05} {temperature} {relhumidity}");
                publisher.send(update)?;
                sent += 1;
            }
            Ok(sent)
        }
    });

    let subscriber = context.socket(SocketType::Sub)?;
    subscriber.connect(&endpoint)?;
    subscriber.set_subscribe(format!("{ZIPCODE} ").as_bytes())?;
    // A demo must not hang: give up if the publisher goes quiet.
    subscriber.set_rcvtimeo(Some(Duration::from_secs(30)))?;
    let mut total_temp = 0;
    let received = (0..UPDATES).try_for_each(|_| -> Result<()> {
        let update = subscriber.recv_string()?;
        println!("[pub-sub] subscriber got {update}");
        let temperature = update.split(' ').nth(1).unwrap_or_default();
        total_temp += temperature.parse::<i64>()?;
        Ok(())
    });
    stop.store(true, Ordering::Relaxed);
    let sent = join(publisher)?;
    received?;
    println!(
        "[pub-sub] average temperature for {ZIPCODE} was {}F ({UPDATES} of {sent} updates matched)",
        total_temp / UPDATES
    );
    Ok(())
}

/// taskvent + taskwork x2 + tasksink: fan-out, load-balancing, fan-in.
fn pipeline() -> Result<()> {
    // Its own context: shutting it down at the end stops the workers.
    let context = Context::new();
    let sink = context.socket(SocketType::Pull)?;
    sink.bind("inproc://sink")?;
    let ventilator = context.socket(SocketType::Push)?;
    ventilator.bind("inproc://tasks")?;
    // Connected before any worker: the sink fair-queues its pipes in the
    // order they were attached, so the start of batch, sent before any task,
    // is the first message it reads even when results are already waiting.
    let batch = context.socket(SocketType::Push)?;
    batch.connect("inproc://sink")?;

    let (ready_tx, ready_rx) = mpsc::channel();
    let workers: Vec<JoinHandle<Result<u64>>> = (1..=WORKERS)
        .map(|id| {
            let context = context.clone();
            let ready = ready_tx.clone();
            thread::spawn(move || worker(&context, id, ready))
        })
        .collect();
    // PUSH deals only to connected workers: wait for all of them (the guide's
    // "Press Enter when the workers are ready").
    for _ in 0..WORKERS {
        ready_rx.recv()?;
    }

    let sink = thread::spawn(move || -> Result<(BTreeMap<String, usize>, Duration)> {
        sink.recv_msg()?; //  Wait for start of batch
        let start = Instant::now();
        let mut per_worker = BTreeMap::new();
        for _ in 0..TASKS {
            let worker = sink.recv_string()?;
            *per_worker.entry(worker).or_insert(0) += 1;
        }
        Ok((per_worker, start.elapsed()))
    });

    batch.send("0")?; //  Start of batch
    let mut total_msec = 0;
    for _ in 0..TASKS {
        let workload = zhelpers::within(20) + 1;
        total_msec += workload;
        ventilator.send(workload.to_string())?;
    }
    println!("[pipeline] ventilator sent {TASKS} tasks, total expected cost {total_msec} msec");

    let (per_worker, elapsed) = join(sink)?;
    // Every blocking call in the context now fails with ErrorKind::Terminated:
    // that is how the idle workers learn to stop.
    context.shutdown()?;
    let done: u64 = workers.into_iter().map(join).sum::<Result<u64>>()?;
    let shares: Vec<String> = per_worker
        .iter()
        .map(|(worker, n)| format!("{worker} did {n}"))
        .collect();
    println!(
        "[pipeline] sink collected {} results from {} workers: {}",
        per_worker.values().sum::<usize>(),
        per_worker.len(),
        shares.join(", ")
    );
    println!(
        "[pipeline] elapsed {} msec for {total_msec} msec of work ({done} tasks done)",
        elapsed.as_millis()
    );
    Ok(())
}

/// One taskwork: sleeps each workload and answers with its name.
fn worker(context: &Context, id: usize, ready: mpsc::Sender<()>) -> Result<u64> {
    let name = format!("worker-{id}");
    let receiver = context.socket(SocketType::Pull)?;
    receiver.connect("inproc://tasks")?;
    let sender = context.socket(SocketType::Push)?;
    sender.connect("inproc://sink")?;
    ready.send(())?;

    let mut done = 0;
    loop {
        let workload = match receiver.recv_string() {
            Ok(workload) => workload,
            Err(ref e) if e.kind() == zmq::ErrorKind::Terminated => return Ok(done),
            Err(e) => return Err(e.into()),
        };
        thread::sleep(Duration::from_millis(workload.parse()?)); //  Do the work
        match sender.send(name.as_str()) {
            Ok(()) => done += 1,
            Err(ref e) if e.kind() == zmq::ErrorKind::Terminated => return Ok(done),
            Err(e) => return Err(e.into()),
        }
    }
}

/// Joins a thread, turning a panic into an error.
fn join<T>(handle: JoinHandle<Result<T>>) -> Result<T> {
    handle.join().map_err(|_| "a pattern thread panicked")?
}
