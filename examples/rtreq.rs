//! ROUTER-to-REQ (the guide's `rtreq.c`, chapter 3, "ROUTER Broker and REQ
//! Workers"): a ROUTER broker hands out work to ten REQ workers, least
//! recently used first, for five seconds, then fires them; each worker
//! prints `Completed: N tasks`.
//!
//! ```text
//! cargo run --example rtreq [MSEC [ENDPOINT]]
//! ```
//!
//! `MSEC` replaces the five seconds (5000); `ENDPOINT` replaces the broker's
//! `tcp://*:5671`, and the workers connect to it too (the default has them on
//! `tcp://localhost:5671`). When all workers are fired the broker reports
//! how many tasks it handed out on stderr: the sum of the workers' counts.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

use zmq::{Context, SocketType};

const NBR_WORKERS: usize = 10;
const USAGE: &str = "rtreq [MSEC [ENDPOINT]]  (default: 5000 msec, tcp://*:5671)";

fn main() -> ExitCode {
    zhelpers::args_at_most(2, USAGE);
    let msec: u64 = zhelpers::arg(1, 5000, USAGE);
    let (bind, connect) = match std::env::args().nth(2) {
        Some(endpoint) => (endpoint.clone(), endpoint),
        None => ("tcp://*:5671".into(), "tcp://localhost:5671".into()),
    };
    zhelpers::exit_status("rtreq", run(Duration::from_millis(msec), &bind, &connect))
}

fn worker_task(endpoint: &str) -> zmq::Result<()> {
    let context = Context::new();
    let worker = context.socket(SocketType::Req)?;
    zhelpers::set_random_id(&worker)?; //  Set a printable identity
    worker.connect(endpoint)?;

    let mut total = 0;
    loop {
        //  Tell the broker we're ready for work
        worker.send("Hi Boss")?;

        //  Get workload from broker, until finished
        let workload = worker.recv_msg()?;
        if &workload[..] == b"Fired!" {
            println!("Completed: {total} tasks");
            return Ok(());
        }
        total += 1;

        //  Do some random work
        zhelpers::sleep_ms(zhelpers::within(500) + 1);
    }
}

//  While this example runs in a single process, that is only to make
//  it easier to start and stop the example. Each thread has its own
//  context and conceptually acts as a separate process.
fn run(run_for: Duration, bind: &str, connect: &str) -> zmq::Result<()> {
    let context = Context::new();
    let broker = context.socket(SocketType::Router)?;
    broker.bind(bind)?;

    let workers: Vec<_> = (0..NBR_WORKERS)
        .map(|_| {
            let endpoint = connect.to_owned();
            thread::spawn(move || worker_task(&endpoint))
        })
        .collect();

    //  Run for five seconds and then tell workers to end
    let end_time = Instant::now() + run_for;
    let mut workers_fired = 0;
    let mut handed_out = 0;
    while workers_fired < NBR_WORKERS {
        //  Next message gives us least recently used worker
        let identity = broker.recv_msg()?;
        broker.send_more(identity)?;
        broker.recv_msg()?; //  Envelope delimiter
        broker.recv_msg()?; //  Response from worker
        broker.send_more("")?;

        //  Encourage workers until it's time to fire them
        if Instant::now() < end_time {
            broker.send("Work harder")?;
            handed_out += 1;
        } else {
            broker.send("Fired!")?;
            workers_fired += 1;
        }
    }
    //  Let every worker print its count before the process ends
    for worker in workers {
        worker.join().expect("worker thread panicked")?;
    }
    eprintln!("rtreq: handed out {handed_out} tasks to {NBR_WORKERS} workers");
    Ok(())
}
