//! Reading from multiple sockets, the simple way (the guide's `msreader.c`,
//! chapter 2, "Handling Multiple Sockets"): a PULL connected to the task
//! ventilator at `tcp://localhost:5557` and a SUB connected to the weather
//! server at `tcp://localhost:5556` (zipcode "10001 "), read in a loop
//! with non-blocking receives, as the C loop does: all waiting tasks first
//! (they have priority), then all waiting weather updates, then a 1 msec
//! nap. The `mspoller` example does the same without the nap, with a poll.
//!
//! ```text
//! cargo run --example msreader [LIMIT [VENT_ENDPOINT [WEATHER_ENDPOINT]]]
//! ```
//!
//! The C loop only marks where messages would be processed; this port
//! prints `Process task: <task>` and `Process weather update: <update>`.
//! `LIMIT` bounds the run: `N` messages, `Ns` seconds, `0` forever (the
//! default). Try it with `taskvent` and `wuserver`.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::time::Instant;

use zhelpers::RunBound;
use zmq::{Context, SocketType};

const USAGE: &str =
    "msreader [LIMIT [VENT_ENDPOINT [WEATHER_ENDPOINT]]]  (LIMIT: N messages, Ns seconds, 0 = forever)";

fn main() -> ExitCode {
    zhelpers::args_at_most(3, USAGE);
    let limit = zhelpers::arg(1, RunBound::Forever, USAGE);
    let vent: String = zhelpers::arg(2, "tcp://localhost:5557".into(), USAGE);
    let weather: String = zhelpers::arg(3, "tcp://localhost:5556".into(), USAGE);
    zhelpers::exit_status("msreader", run(limit, &vent, &weather))
}

fn run(limit: RunBound, vent: &str, weather: &str) -> zmq::Result<()> {
    //  Connect to task ventilator
    let context = Context::new();
    let receiver = context.socket(SocketType::Pull)?;
    receiver.connect(vent)?;

    //  Connect to weather server
    let subscriber = context.socket(SocketType::Sub)?;
    subscriber.connect(weather)?;
    subscriber.set_subscribe(b"10001 ")?;

    //  Process messages from both sockets
    //  We prioritize traffic from the task ventilator
    let started = Instant::now();
    let mut processed = 0;
    while !limit.reached(processed, started) {
        //  Process any waiting tasks
        while !limit.reached(processed, started) {
            let Some(task) = receiver.try_recv_msg()? else {
                break;
            };
            println!("Process task: {}", zhelpers::frame_text(&task));
            processed += 1;
        }
        //  Process any waiting weather updates
        while !limit.reached(processed, started) {
            let Some(update) = subscriber.try_recv_msg()? else {
                break;
            };
            println!("Process weather update: {}", zhelpers::frame_text(&update));
            processed += 1;
        }
        //  No activity, so sleep for 1 msec
        zhelpers::sleep_ms(1);
    }
    Ok(())
}
