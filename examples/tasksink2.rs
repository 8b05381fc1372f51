//! Task sink, design 2 (the guide's `tasksink2.c`, chapter 2, "Handling
//! Errors and ETERM"): `tasksink` plus a PUB bound on `tcp://*:5559` that
//! sends "KILL" to the `taskwork2` workers once the batch of 100 results is
//! in, so the whole pipeline ends by itself.
//!
//! ```text
//! cargo run --example tasksink2 [RESULTS_ENDPOINT [CONTROL_ENDPOINT]]
//! ```
//!
//! Progress is a `:` for every tenth result and a `.` for the others.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use zmq::{Context, SocketType};

const USAGE: &str = "tasksink2 [RESULTS_ENDPOINT [CONTROL_ENDPOINT]]";
const TASKS: usize = 100;

fn main() -> ExitCode {
    zhelpers::args_at_most(2, USAGE);
    let results: String = zhelpers::arg(1, "tcp://*:5558".into(), USAGE);
    let control: String = zhelpers::arg(2, "tcp://*:5559".into(), USAGE);
    zhelpers::exit_status("tasksink2", run(&results, &control))
}

fn run(results: &str, control: &str) -> Result<(), Box<dyn std::error::Error>> {
    let context = Context::new();

    //  Socket to receive messages on
    let receiver = context.socket(SocketType::Pull)?;
    receiver.bind(results)?;

    //  Socket for worker control
    let controller = context.socket(SocketType::Pub)?;
    controller.bind(control)?;

    //  Wait for start of batch
    receiver.recv_msg()?;

    //  Start our clock now
    let start = Instant::now();

    //  Process 100 confirmations
    let mut stdout = std::io::stdout();
    for task_nbr in 0..TASKS {
        receiver.recv_msg()?;
        let mark = if task_nbr % 10 == 0 { ':' } else { '.' };
        write!(stdout, "{mark}")?;
        stdout.flush()?;
    }
    //  (The C version prints this without a newline before it.)
    writeln!(
        stdout,
        "\nTotal elapsed time: {} msec",
        start.elapsed().as_millis()
    )?;

    //  Send kill signal to workers
    controller.send("KILL")?;
    Ok(())
}
