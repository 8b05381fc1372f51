//! Paranoid Pirate worker (the guide's `ppworker.c`, chapter 4, "Robust
//! Reliable Queuing"): a DEALER connected to the queue's backend on
//! `tcp://localhost:5556` that signals READY, heartbeats every second,
//! reconnects with exponential back-off (1 s up to 32 s) when the queue has
//! been silent for three heartbeats, and after a few cycles simulates
//! crashes and CPU overload, as in the guide.
//!
//! ```text
//! cargo run --example ppworker [CYCLES [ENDPOINT [SEED]]]
//! ```
//!
//! Chaos starts after `CYCLES` requests (default 3, as in the guide; `0`
//! means never: a well-behaved worker, for tests). `SEED` fixes the random
//! rolls, so the same seed crashes in the same cycle on every run.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use zhelpers::chaos::Chaos;
use zmq::{Context, PollEvents, Socket, SocketType};

const USAGE: &str = "ppworker [CYCLES [ENDPOINT [SEED]]]  (CYCLES 0 = no chaos)";
const HEARTBEAT_LIVENESS: u32 = 3; //  3-5 is reasonable
const HEARTBEAT_INTERVAL: Duration = Duration::from_millis(1000);
const INTERVAL_INIT: Duration = Duration::from_millis(1000); //  Initial reconnect
const INTERVAL_MAX: Duration = Duration::from_millis(32000); //  After exponential backoff

//  Paranoid Pirate Protocol constants
const PPP_READY: &[u8] = b"\x01"; //  Signals worker is ready
const PPP_HEARTBEAT: &[u8] = b"\x02"; //  Signals worker heartbeat

fn main() -> ExitCode {
    zhelpers::args_at_most(3, USAGE);
    let chaos_after: u64 = zhelpers::arg(1, 3, USAGE);
    let endpoint: String = zhelpers::arg(2, "tcp://localhost:5556".into(), USAGE);
    let seed: Option<u64> = std::env::args().nth(3).map(|_| zhelpers::arg(3, 0, USAGE));
    zhelpers::exit_status(
        "ppworker",
        zhelpers::stopped_ok(run(Chaos::new(chaos_after, seed), &endpoint)),
    )
}

//  Helper function that returns a new configured socket
//  connected to the Paranoid Pirate queue
fn s_worker_socket(ctx: &Context, endpoint: &str) -> zmq::Result<Socket> {
    let worker = ctx.socket(SocketType::Dealer)?;
    worker.set_linger(Some(Duration::ZERO))?;
    worker.connect(endpoint)?;

    //  Tell queue we're ready for work
    println!("I: worker ready");
    worker.send(PPP_READY)?;
    Ok(worker)
}

//  We have a single task that implements the worker side of the
//  Paranoid Pirate Protocol (PPP). The interesting parts here are
//  the heartbeating, which lets the worker detect if the queue has
//  died, and vice versa:
fn run(mut chaos: Chaos, endpoint: &str) -> zmq::Result<()> {
    let ctx = Context::new();
    //  Ctrl-C shuts the context down: the loop ends on Terminated
    let _interrupt = zhelpers::interrupt::catch(&ctx)?;
    let mut worker = s_worker_socket(&ctx, endpoint)?;

    //  If liveness hits zero, queue is considered disconnected
    let mut liveness = HEARTBEAT_LIVENESS;
    let mut interval = INTERVAL_INIT;

    //  Send out heartbeats at regular intervals
    let mut heartbeat_at = Instant::now() + HEARTBEAT_INTERVAL;

    let mut cycles = 0;
    loop {
        let ready = match worker.poll(PollEvents::POLLIN, Some(HEARTBEAT_INTERVAL)) {
            Err(e) if zhelpers::interrupt::is_stop(&e) => break, //  Interrupted
            result => result?,
        };
        if !ready.is_empty() {
            //  Get message
            //  - 3-part envelope + content -> request
            //  - 1-part HEARTBEAT -> heartbeat
            let msg = worker.recv_multipart()?;

            //  To test the robustness of the queue implementation we
            //  simulate various typical problems, such as the worker
            //  crashing or running very slowly. We do this after a few
            //  cycles so that the architecture can get up and running
            //  first:
            if msg.len() == 3 {
                cycles += 1;
                if chaos.strikes(cycles, 5) {
                    println!("I: simulating a crash");
                    break;
                } else if chaos.strikes(cycles, 5) {
                    println!("I: simulating CPU overload");
                    zhelpers::sleep_unless_interrupted(Duration::from_millis(3000));
                }
                println!("I: normal reply");
                worker.send_multipart(msg)?;
                liveness = HEARTBEAT_LIVENESS;
                //  Do some heavy work
                zhelpers::sleep_unless_interrupted(Duration::from_millis(1000));
            } else if msg == [PPP_HEARTBEAT] {
                //  When we get a heartbeat message from the queue, it means
                //  the queue was (recently) alive, so we must reset our
                //  liveness indicator:
                liveness = HEARTBEAT_LIVENESS;
            } else {
                println!("E: invalid message");
                zhelpers::dump_frames(&msg);
            }
            interval = INTERVAL_INIT;
        } else {
            //  If the queue hasn't sent us heartbeats in a while, destroy the
            //  socket and reconnect. This is the simplest most brutal way of
            //  discarding any messages we might have sent in the meantime:
            liveness -= 1;
            if liveness == 0 {
                println!("W: heartbeat failure, can't reach queue");
                println!("W: reconnecting in {} msec...", interval.as_millis());
                zhelpers::sleep_unless_interrupted(interval);
                interval = (interval * 2).min(INTERVAL_MAX);
                worker = s_worker_socket(&ctx, endpoint)?;
                liveness = HEARTBEAT_LIVENESS;
            }
        }
        //  Send heartbeat to queue if it's time
        if Instant::now() > heartbeat_at {
            heartbeat_at = Instant::now() + HEARTBEAT_INTERVAL;
            println!("I: worker heartbeat");
            worker.send(PPP_HEARTBEAT)?;
        }
    }
    Ok(())
}
