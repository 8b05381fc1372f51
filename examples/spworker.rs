//! Simple Pirate worker (the guide's `spworker.c`, chapter 4, "Basic
//! Reliable Queuing"): a REQ socket with a random printable identity
//! connected to the queue's backend on `tcp://localhost:5556`; it signals
//! READY, then echoes each request after a second of work, and after a few
//! cycles randomly simulates a crash or CPU overload, as in the guide.
//!
//! ```text
//! cargo run --example spworker [CYCLES [ENDPOINT [SEED]]]
//! ```
//!
//! Chaos starts after `CYCLES` requests (default 3, as in the guide; `0`
//! means never). `SEED` fixes the random rolls.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::time::Duration;

use zhelpers::chaos::Chaos;
use zmq::{Context, SocketType};

const USAGE: &str = "spworker [CYCLES [ENDPOINT [SEED]]]  (CYCLES 0 = no chaos)";
const WORKER_READY: &[u8] = b"\x01"; //  Signals worker is ready

fn main() -> ExitCode {
    zhelpers::args_at_most(3, USAGE);
    let chaos_after: u64 = zhelpers::arg(1, 3, USAGE);
    let endpoint: String = zhelpers::arg(2, "tcp://localhost:5556".into(), USAGE);
    let seed: Option<u64> = std::env::args().nth(3).map(|_| zhelpers::arg(3, 0, USAGE));
    zhelpers::exit_status(
        "spworker",
        zhelpers::stopped_ok(run(Chaos::new(chaos_after, seed), &endpoint)),
    )
}

fn run(mut chaos: Chaos, endpoint: &str) -> zmq::Result<()> {
    let ctx = Context::new();
    //  Ctrl-C shuts the context down: the loop ends on Terminated
    let _interrupt = zhelpers::interrupt::catch(&ctx)?;
    let worker = ctx.socket(SocketType::Req)?;

    //  Set random identity to make tracing easier
    let identity = zhelpers::set_random_id(&worker)?;
    worker.connect(endpoint)?;

    //  Tell broker we're ready for work
    println!("I: ({identity}) worker ready");
    worker.send(WORKER_READY)?;

    let mut cycles = 0;
    loop {
        let msg = worker.recv_multipart()?;

        //  Simulate various problems, after a few cycles
        cycles += 1;
        if chaos.strikes(cycles, 5) {
            println!("I: ({identity}) simulating a crash");
            break;
        } else if chaos.strikes(cycles, 5) {
            println!("I: ({identity}) simulating CPU overload");
            zhelpers::sleep_unless_interrupted(Duration::from_millis(3000));
        }
        println!("I: ({identity}) normal reply");
        //  Do some heavy work
        zhelpers::sleep_unless_interrupted(Duration::from_millis(1000));
        worker.send_multipart(msg)?;
    }
    Ok(())
}
