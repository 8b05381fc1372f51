//! Reading from multiple sockets with a poll (the guide's `mspoller.c`,
//! chapter 2, "Handling Multiple Sockets"): `msreader` again, but the
//! PULL connected to the task ventilator at `tcp://localhost:5557` and the
//! SUB connected to the weather server at `tcp://localhost:5556`
//! (zipcode "10001 ") are waited on together with a `zmq::Poller`, so
//! nothing waits for a nap to end.
//!
//! ```text
//! cargo run --example mspoller [LIMIT [VENT_ENDPOINT [WEATHER_ENDPOINT]]]
//! ```
//!
//! The C loop only marks where messages would be processed; this port
//! prints `Process task: <task>` and `Process weather update: <update>`.
//! `LIMIT` bounds the run: `N` messages, `Ns` seconds, `0` forever (the
//! default). Try it with `taskvent` and `wuserver`.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use zhelpers::RunBound;
use zmq::{Context, PollEvents, Poller, SocketType};

const USAGE: &str =
    "mspoller [LIMIT [VENT_ENDPOINT [WEATHER_ENDPOINT]]]  (LIMIT: N messages, Ns seconds, 0 = forever)";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Tasks,
    Weather,
}

fn main() -> ExitCode {
    zhelpers::args_at_most(3, USAGE);
    let limit = zhelpers::arg(1, RunBound::Forever, USAGE);
    let vent: String = zhelpers::arg(2, "tcp://localhost:5557".into(), USAGE);
    let weather: String = zhelpers::arg(3, "tcp://localhost:5556".into(), USAGE);
    zhelpers::exit_status("mspoller", run(limit, &vent, &weather))
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

    let mut poller = Poller::new();
    poller.add_socket(&receiver, PollEvents::POLLIN, Source::Tasks);
    poller.add_socket(&subscriber, PollEvents::POLLIN, Source::Weather);

    //  Process messages from both sockets
    let started = Instant::now();
    let mut processed = 0;
    while !limit.reached(processed, started) {
        let timeout = limit.time_left(started);
        if timeout == Some(Duration::ZERO) || poller.poll(timeout)? == 0 {
            continue;
        }
        if poller.revents(&Source::Tasks).contains(PollEvents::POLLIN) {
            let task = receiver.recv_msg()?;
            println!("Process task: {}", zhelpers::frame_text(&task));
            processed += 1;
        }
        if poller
            .revents(&Source::Weather)
            .contains(PollEvents::POLLIN)
            && !limit.reached(processed, started)
        {
            let update = subscriber.recv_msg()?;
            println!("Process weather update: {}", zhelpers::frame_text(&update));
            processed += 1;
        }
    }
    Ok(())
}
