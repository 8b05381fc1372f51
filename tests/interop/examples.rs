//! The seed article's example programs (`examples/hw*`, `wu*`, `task*`)
//! against their pyzmq ports (`tests/py/*.py`), in both directions; the
//! Rust-against-Rust runs are in `tests/seed_examples.rs`, with the same
//! output checks (`tests/common/seed.rs`).
//!
//! `cargo test --test interop` does not build the examples (a plain `cargo
//! test` does), so the first test here builds them, once per run, with the
//! cargo running the suite: the suite stays one command.

use std::process::Command;
use std::sync::OnceLock;
use std::thread;
use std::time::Duration;

use crate::common::seed::{
    check_hello_client, check_hello_server, check_sink, check_vent, check_weather_client,
};
use crate::common::{free_endpoint, worker_tasks, Proc};
use crate::peers::python;

/// The command running example `name` (see [`crate::common::example`]),
/// after `cargo build --examples` has run once: the default features, as
/// a plain `cargo test` builds them, so the two leave each other's example
/// binaries up to date.
fn example(name: &str, args: &[&str]) -> Command {
    static BUILT: OnceLock<Result<(), String>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
        let out = Command::new(env!("CARGO"))
            .args(["build", "--examples"])
            .args(["--manifest-path", manifest])
            .output()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    });
    if let Err(why) = built {
        panic!("cargo build --examples failed:\n{why}");
    }
    crate::common::example(name, args)
}

/// Stops the two workers of a pipeline run whose ventilator announced
/// `cost` msec of work and whose sink took `elapsed`: together they did the
/// 100 tasks, each did some, and in less time than one would have.
fn check_two_workers(workers: Vec<Proc>, cost: u64, elapsed: u64) {
    let work: Vec<Vec<u64>> = workers
        .into_iter()
        .map(|w| worker_tasks(&w.stop()))
        .collect();
    assert_eq!(work.iter().map(Vec::len).sum::<usize>(), 100, "{work:?}");
    assert_eq!(work.iter().flatten().sum::<u64>(), cost);
    assert!(
        work.iter().all(|w| !w.is_empty()),
        "not load-balanced: {work:?}"
    );
    assert!(elapsed < cost, "two workers took {elapsed} msec for {cost}");
}

#[test]
fn hello_world_rust_client_python_server() {
    let endpoint = free_endpoint();
    let server = Proc::spawn("hwserver.py", python("hwserver.py", &["2", &endpoint]));
    let client = Proc::spawn("hwclient", example("hwclient", &["2", &endpoint]));
    check_hello_client(&client.finish(), 2);
    check_hello_server(&server.finish(), 2);
}

#[test]
fn hello_world_python_client_rust_server() {
    let endpoint = free_endpoint();
    let server = Proc::spawn("hwserver", example("hwserver", &["2", &endpoint]));
    let client = Proc::spawn("hwclient.py", python("hwclient.py", &["2", &endpoint]));
    check_hello_client(&client.finish(), 2);
    check_hello_server(&server.finish(), 2);
}

#[test]
fn weather_rust_client_python_server() {
    let endpoint = free_endpoint();
    let mut server = Proc::spawn("wuserver.py", python("wuserver.py", &["30", &endpoint]));
    server.wait_for("publishing");
    let client = Proc::spawn("wuclient", example("wuclient", &["10002 ", &endpoint]));
    check_weather_client(&client.finish(), "10002");
    server.stop();
}

#[test]
fn weather_python_client_rust_server() {
    let endpoint = free_endpoint();
    let server = Proc::spawn("wuserver", example("wuserver", &["30s", &endpoint]));
    let client = Proc::spawn("wuclient.py", python("wuclient.py", &["10001 ", &endpoint]));
    check_weather_client(&client.finish(), "10001");
    server.stop();
}

#[test]
fn pipeline_rust_vent_and_sink_python_workers() {
    let (tasks, results) = (free_endpoint(), free_endpoint());
    let sink = Proc::spawn("tasksink", example("tasksink", &[&results]));
    let mut workers: Vec<Proc> = (1..=2)
        .map(|n| {
            Proc::spawn(
                &format!("taskwork.py #{n}"),
                python("taskwork.py", &[&tasks, &results]),
            )
        })
        .collect();
    let mut vent = Proc::spawn("taskvent", example("taskvent", &[&tasks, &results]));
    vent.wait_for("Press Enter when the workers are ready: ");
    for worker in &mut workers {
        worker.wait_for("ready\n");
    }
    // Both handshakes are done on the workers' side; give the ventilator's
    // side a moment to attach them too (it has no monitor to ask).
    thread::sleep(Duration::from_millis(500));
    vent.press_enter();
    let cost = check_vent(&vent.finish());
    let elapsed = check_sink(&sink.finish());
    check_two_workers(workers, cost, elapsed);
}

#[test]
fn pipeline_python_vent_and_sink_rust_workers() {
    let (tasks, results) = (free_endpoint(), free_endpoint());
    let mut sink = Proc::spawn("tasksink.py", python("tasksink.py", &[&results]));
    sink.wait_for("ready\n");
    // The Python ventilator starts once both workers have connected.
    let vent = Proc::spawn(
        "taskvent.py",
        python("taskvent.py", &["2", &tasks, &results]),
    );
    let workers: Vec<Proc> = (1..=2)
        .map(|n| {
            Proc::spawn(
                &format!("taskwork #{n}"),
                example("taskwork", &["0", &tasks, &results]),
            )
        })
        .collect();
    let cost = check_vent(&vent.finish());
    let elapsed = check_sink(&sink.finish());
    check_two_workers(workers, cost, elapsed);
}
