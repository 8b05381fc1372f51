//! Task ventilator (the guide's `taskvent.c`, chapter 1, "Divide and
//! Conquer"): a PUSH socket bound on `tcp://*:5557` hands 100 tasks, each a
//! random workload of 1-100 msec, to the `taskwork` workers; a second PUSH
//! socket connected to the `tasksink` at `tcp://localhost:5558` tells it that
//! the batch has started.
//!
//! ```text
//! cargo run --example taskvent [--no-wait] [VENT_ENDPOINT [SINK_ENDPOINT]]
//! ```
//!
//! Start the sink and the workers, then press Enter. `--no-wait` (or an
//! empty stdin) skips the prompt; PUSH then holds the tasks until a worker
//! connects, and the first worker to connect may get them all, which is why
//! the guide waits. `VENT_ENDPOINT` replaces `tcp://*:5557`, `SINK_ENDPOINT`
//! replaces `tcp://localhost:5558`.

use std::io::{BufRead, Write};
use std::process::ExitCode;

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use zmq::{Context, SocketType};

const USAGE: &str = "usage: taskvent [--no-wait] [VENT_ENDPOINT [SINK_ENDPOINT]]";
const TASKS: usize = 100;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let wait = match args.iter().position(|a| a == "--no-wait") {
        Some(i) => {
            args.remove(i);
            false
        }
        None => true,
    };
    if args.len() > 2 || args.iter().any(|a| a.starts_with('-')) {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let vent = args.first().map_or("tcp://*:5557", String::as_str);
    let sink = args.get(1).map_or("tcp://localhost:5558", String::as_str);
    match run(wait, vent, sink) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("taskvent: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(wait: bool, vent: &str, sink_endpoint: &str) -> Result<(), Box<dyn std::error::Error>> {
    let context = Context::new();

    //  Socket to send messages on
    let sender = context.socket(SocketType::Push)?;
    sender.bind(vent)?;

    //  Socket to send start of batch message on
    let sink = context.socket(SocketType::Push)?;
    sink.connect(sink_endpoint)?;

    if wait {
        print!("Press Enter when the workers are ready: ");
        std::io::stdout().flush()?;
        // End of input counts as Enter.
        std::io::stdin().lock().read_line(&mut String::new())?;
    }
    println!("Sending tasks to workers...");

    //  The first message is "0" and signals start of batch
    sink.send("0")?;

    //  Initialize random number generator

    //  Send 100 tasks
    let mut total_msec = 0; //  Total expected cost in msecs
    for _ in 0..TASKS {
        //  Random workload from 1 to 100msecs
        let workload = zhelpers::within(100) + 1;
        total_msec += workload;
        sender.send(workload.to_string())?;
    }
    println!("Total expected cost: {total_msec} msec");
    // Dropping the sockets and the context flushes what is still queued
    // (within the crate's one-second default linger).
    Ok(())
}
