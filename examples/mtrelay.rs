//! Multithreaded relay (the guide's `mtrelay.c`, chapter 2, "Signaling
//! Between Threads"): three steps in three threads, chained by PAIR sockets
//! over `inproc://`. Each step binds before starting the one before it,
//! which connects and signals "READY".
//!
//! ```text
//! cargo run --example mtrelay
//! ```

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::thread;

use zmq::{Context, SocketType};

const USAGE: &str = "mtrelay";

fn main() -> ExitCode {
    zhelpers::args_at_most(0, USAGE);
    zhelpers::exit_status("mtrelay", run())
}

fn step1(context: &Context) -> zmq::Result<()> {
    //  Connect to step2 and tell it we're ready
    let xmitter = context.socket(SocketType::Pair)?;
    xmitter.connect("inproc://step2")?;
    println!("Step 1 ready, signaling step 2");
    xmitter.send("READY")
}

fn step2(context: &Context) -> zmq::Result<()> {
    //  Bind inproc socket before starting step1
    let receiver = context.socket(SocketType::Pair)?;
    receiver.bind("inproc://step2")?;
    let step1 = {
        let context = context.clone();
        thread::spawn(move || step1(&context))
    };

    //  Wait for signal and pass it on
    receiver.recv_msg()?;
    drop(receiver);
    join(step1)?;

    //  Connect to step3 and tell it we're ready
    let xmitter = context.socket(SocketType::Pair)?;
    xmitter.connect("inproc://step3")?;
    println!("Step 2 ready, signaling step 3");
    xmitter.send("READY")
}

fn run() -> zmq::Result<()> {
    let context = Context::new();

    //  Bind inproc socket before starting step2
    let receiver = context.socket(SocketType::Pair)?;
    receiver.bind("inproc://step3")?;
    let step2 = {
        let context = context.clone();
        thread::spawn(move || step2(&context))
    };

    //  Wait for signal
    receiver.recv_msg()?;
    join(step2)?;

    println!("Test successful!");
    Ok(())
}

/// Joins a step, passing on its error; a panic in it is re-raised here.
fn join(step: thread::JoinHandle<zmq::Result<()>>) -> zmq::Result<()> {
    step.join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}
