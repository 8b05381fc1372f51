//! Task sink (the guide's `tasksink.c`, chapter 1): a PULL socket bound on
//! `tcp://*:5558` waits for the ventilator's start-of-batch message, collects
//! the 100 results of the `taskwork` workers, and reports how long the batch
//! took; compare with the ventilator's expected cost to see the parallelism.
//!
//! ```text
//! cargo run --example tasksink [ENDPOINT]
//! ```
//!
//! Progress is a `:` for every tenth result and a `.` for the others.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use zmq::{Context, SocketType};

const USAGE: &str = "usage: tasksink [ENDPOINT]";
const TASKS: usize = 100;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() > 1 {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let endpoint = args.first().map_or("tcp://*:5558", String::as_str);
    match run(endpoint) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tasksink: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(endpoint: &str) -> Result<(), Box<dyn std::error::Error>> {
    //  Prepare our context and socket
    let context = Context::new();
    let receiver = context.socket(SocketType::Pull)?;
    receiver.bind(endpoint)?;

    //  Wait for start of batch
    receiver.recv_msg()?;

    //  Start our clock now
    let start = Instant::now();

    //  Process 100 confirmations
    let mut stdout = std::io::stdout();
    for task_nbr in 0..TASKS {
        receiver.recv_msg()?;
        let mark = match task_nbr % 10 {
            0 => ':',
            _ => '.',
        };
        write!(stdout, "{mark}")?;
        stdout.flush()?;
    }
    //  Calculate and report duration of batch
    writeln!(
        stdout,
        "Total elapsed time: {} msec",
        start.elapsed().as_millis()
    )?;
    Ok(())
}
