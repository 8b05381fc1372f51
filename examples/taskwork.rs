//! Task worker (the guide's `taskwork.c`, chapter 1): PULLs workloads from the
//! ventilator at `tcp://localhost:5557`, "works" (sleeps) that many msec, and
//! PUSHes an empty result to the sink at `tcp://localhost:5558`. Run as many
//! as you like: the ventilator load-balances over them.
//!
//! ```text
//! cargo run --example taskwork [COUNT [VENT_ENDPOINT [SINK_ENDPOINT]]]
//! ```
//!
//! `COUNT` tasks are done before exiting (default forever, also spelt `0`).
//! Progress is each workload followed by a dot, as in the guide.

use std::io::Write;
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use zmq::{Context, SocketType};

const USAGE: &str = "usage: taskwork [COUNT [VENT_ENDPOINT [SINK_ENDPOINT]]]  (COUNT 0 = forever)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count = match args.first().map(|s| s.parse::<u64>()) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let vent = args.get(1).map_or("tcp://localhost:5557", String::as_str);
    let sink = args.get(2).map_or("tcp://localhost:5558", String::as_str);
    if args.len() > 3 {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    match run(count, vent, sink) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("taskwork: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(count: u64, vent: &str, sink: &str) -> Result<(), Box<dyn std::error::Error>> {
    let context = Context::new();

    //  Socket to receive messages on
    let receiver = context.socket(SocketType::Pull)?;
    receiver.connect(vent)?;

    //  Socket to send messages to
    let sender = context.socket(SocketType::Push)?;
    sender.connect(sink)?;

    //  Process tasks (forever unless bounded)
    let mut stdout = std::io::stdout();
    let mut done = 0;
    while count == 0 || done < count {
        let workload = receiver.recv_string()?;
        let msec: u64 = workload
            .parse()
            .map_err(|_| format!("bad workload {workload:?}"))?;
        write!(stdout, "{workload}.")?; //  Show progress
        stdout.flush()?;
        thread::sleep(Duration::from_millis(msec)); //  Do the work
        sender.send("")?; //  Send results to sink
        done += 1;
    }
    writeln!(stdout)?;
    Ok(())
}
