//! Lazy Pirate server (the guide's `lpserver.c`, chapter 4, "Client-Side
//! Reliability"): a REP socket on `tcp://*:5555` that echoes each request
//! after a second of work, and after a few cycles randomly simulates a
//! crash (it exits) or CPU overload (2 s more), as in the guide.
//!
//! ```text
//! cargo run --example lpserver [CYCLES [ENDPOINT [SEED]]]
//! ```
//!
//! Chaos starts after `CYCLES` requests (default 3, as in the guide; `0`
//! means never). `SEED` fixes the random rolls, so the same seed crashes in
//! the same cycle on every run.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::time::Duration;

use zhelpers::chaos::Chaos;
use zmq::{Context, SocketType};

const USAGE: &str = "lpserver [CYCLES [ENDPOINT [SEED]]]  (CYCLES 0 = no chaos)";

fn main() -> ExitCode {
    zhelpers::args_at_most(3, USAGE);
    let chaos_after: u64 = zhelpers::arg(1, 3, USAGE);
    let endpoint: String = zhelpers::arg(2, "tcp://*:5555".into(), USAGE);
    let seed: Option<u64> = std::env::args().nth(3).map(|_| zhelpers::arg(3, 0, USAGE));
    zhelpers::exit_status(
        "lpserver",
        zhelpers::stopped_ok(run(Chaos::new(chaos_after, seed), &endpoint)),
    )
}

fn run(mut chaos: Chaos, endpoint: &str) -> zmq::Result<()> {
    let context = Context::new();
    //  Ctrl-C shuts the context down: the loop ends on Terminated
    let _interrupt = zhelpers::interrupt::catch(&context)?;
    let server = context.socket(SocketType::Rep)?;
    server.bind(endpoint)?;

    let mut cycles = 0;
    loop {
        let request = server.recv_msg()?;
        cycles += 1;

        //  Simulate various problems, after a few cycles
        if chaos.strikes(cycles, 3) {
            println!("I: simulating a crash");
            break;
        } else if chaos.strikes(cycles, 3) {
            println!("I: simulating CPU overload");
            zhelpers::sleep_unless_interrupted(Duration::from_millis(2000));
        }
        println!("I: normal request ({})", zhelpers::frame_text(&request));
        //  Do some heavy work
        zhelpers::sleep_unless_interrupted(Duration::from_millis(1000));
        server.send(request)?;
    }
    Ok(())
}
