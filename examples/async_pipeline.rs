//! The seed article's pipeline (`taskvent`/`taskwork`/`tasksink`) on
//! tokio: a PUSH ventilator deals 100 tasks over two PULL worker tasks,
//! whose results fan in to one PULL sink; over `inproc://`. A worker's
//! "work" is a `tokio::time::sleep` of 1-20 msec, so both workers (and the
//! sink) share the runtime's threads; `Context::shutdown` ends them.
//!
//! ```text
//! cargo run --features tokio --example async_pipeline [TASKS]
//! ```

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use zmq::{Context, ErrorKind, SocketType};

type Result<T, E = Box<dyn std::error::Error + Send + Sync>> = std::result::Result<T, E>;

const USAGE: &str = "async_pipeline [TASKS]";
const WORKERS: usize = 2;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    zhelpers::args_at_most(1, USAGE);
    let tasks: usize = zhelpers::arg(1, 100, USAGE);
    zhelpers::exit_status("async_pipeline", run(tasks).await)
}

async fn run(tasks: usize) -> Result<()> {
    let context = Context::new();
    let mut sink = context.socket(SocketType::Pull)?.into_async()?;
    sink.get_ref().bind("inproc://sink")?;
    let mut ventilator = context.socket(SocketType::Push)?.into_async()?;
    ventilator.get_ref().bind("inproc://tasks")?;

    // Sockets made (and connected) before the workers start, so that PUSH
    // deals to both from the first task on.
    let mut workers = Vec::new();
    for id in 1..=WORKERS {
        let receiver = context.socket(SocketType::Pull)?.into_async()?;
        receiver.get_ref().connect("inproc://tasks")?;
        let sender = context.socket(SocketType::Push)?.into_async()?;
        sender.get_ref().connect("inproc://sink")?;
        workers.push(tokio::spawn(worker(id, receiver, sender)));
    }

    let sink = tokio::spawn(async move {
        sink.recv_msg().await?; //  Wait for start of batch
        let start = Instant::now();
        let mut per_worker = BTreeMap::new();
        for _ in 0..tasks {
            let worker = sink.recv_string().await?;
            *per_worker.entry(worker).or_insert(0) += 1;
        }
        Ok::<_, zmq::Error>((per_worker, start.elapsed()))
    });

    let mut batch = context.socket(SocketType::Push)?.into_async()?;
    batch.get_ref().connect("inproc://sink")?;
    batch.send("0").await?; //  Start of batch
    let mut total_msec = 0;
    for _ in 0..tasks {
        let workload = zhelpers::within(20) + 1;
        total_msec += workload;
        ventilator.send(workload.to_string()).await?;
    }
    println!("[pipeline] ventilator sent {tasks} tasks, total expected cost {total_msec} msec");

    let (per_worker, elapsed) = sink.await??;
    // Every wait in the context now ends with ErrorKind::Terminated: that is
    // how the idle workers learn to stop.
    context.shutdown()?;
    let mut done = 0;
    for w in workers {
        done += w.await??;
    }
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
async fn worker(
    id: usize,
    mut receiver: zmq::AsyncSocket,
    mut sender: zmq::AsyncSocket,
) -> Result<u64, zmq::Error> {
    let name = format!("worker-{id}");
    let mut done = 0;
    loop {
        let workload = match receiver.recv_string().await {
            Ok(workload) => workload,
            Err(e) if e.kind() == ErrorKind::Terminated => return Ok(done),
            Err(e) => return Err(e),
        };
        let msec = workload.parse().unwrap_or(1);
        tokio::time::sleep(Duration::from_millis(msec)).await; //  Do the work
        match sender.send(name.as_str()).await {
            Ok(()) => done += 1,
            Err(e) if e.kind() == ErrorKind::Terminated => return Ok(done),
            Err(e) => return Err(e),
        }
    }
}
