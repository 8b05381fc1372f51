//! Task worker, design 2 (the guide's `taskwork2.c`, chapter 2, "Handling
//! Errors and ETERM"): `taskwork` plus a SUB socket connected to the sink's
//! control publisher at `tcp://localhost:5559`. Tasks and control are
//! polled together; any control message is the "KILL" that ends the worker.
//!
//! ```text
//! cargo run --example taskwork2 [VENT_ENDPOINT [SINK_ENDPOINT [CONTROL_ENDPOINT]]]
//! ```
//!
//! Run it with `taskvent` and `tasksink2`: the workers exit by themselves
//! once the sink has the whole batch. Progress is `<msec>.` per task.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::io::Write;
use std::process::ExitCode;

use zmq::{Context, PollEvents, Poller, SocketType};

const USAGE: &str = "taskwork2 [VENT_ENDPOINT [SINK_ENDPOINT [CONTROL_ENDPOINT]]]";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Input {
    Task,
    Control,
}

fn main() -> ExitCode {
    zhelpers::args_at_most(3, USAGE);
    let vent: String = zhelpers::arg(1, "tcp://localhost:5557".into(), USAGE);
    let sink: String = zhelpers::arg(2, "tcp://localhost:5558".into(), USAGE);
    let control: String = zhelpers::arg(3, "tcp://localhost:5559".into(), USAGE);
    zhelpers::exit_status("taskwork2", run(&vent, &sink, &control))
}

fn run(vent: &str, sink: &str, control: &str) -> Result<(), Box<dyn std::error::Error>> {
    let context = Context::new();

    //  Socket to receive messages on
    let receiver = context.socket(SocketType::Pull)?;
    receiver.connect(vent)?;

    //  Socket to send messages to
    let sender = context.socket(SocketType::Push)?;
    sender.connect(sink)?;

    //  Socket for control input
    let controller = context.socket(SocketType::Sub)?;
    controller.connect(control)?;
    controller.set_subscribe(b"")?;

    //  Process messages from either socket
    let mut poller = Poller::new();
    poller.add_socket(&receiver, PollEvents::POLLIN, Input::Task);
    poller.add_socket(&controller, PollEvents::POLLIN, Input::Control);
    let mut stdout = std::io::stdout();
    loop {
        poller.poll(None)?;
        if poller.revents(&Input::Task).contains(PollEvents::POLLIN) {
            let workload = receiver.recv_string()?;
            let msec: u64 = workload
                .parse()
                .map_err(|_| format!("bad workload {workload:?}"))?;
            write!(stdout, "{workload}.")?; //  Show progress
            stdout.flush()?;
            zhelpers::sleep_ms(msec); //  Do the work
            sender.send("")?; //  Send results to sink
        }
        //  Any waiting controller command acts as 'KILL'
        if poller.revents(&Input::Control).contains(PollEvents::POLLIN) {
            break; //  Exit loop
        }
    }
    writeln!(stdout)?;
    Ok(())
}
