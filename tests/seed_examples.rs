//! The seed article's examples, run as programs: `hwserver`/`hwclient`,
//! `wuserver`/`wuclient`, `taskvent`/`taskwork`/`tasksink` and `patterns`.
//!
//! Each pattern runs Rust against Rust here; the same programs against pyzmq
//! peers, in both directions, are in the interop suite (`tests/interop`,
//! docs/INTEROP.md). Every process gets a free loopback port of its own
//! (tests run in parallel) and a deadline: a process still running after
//! [`DEADLINE`] is killed and the test fails.
//!
//! The harness (example binaries, [`Proc`], the checks of the examples'
//! output) is shared with the other example-running tests, in `tests/common`.

use std::time::Duration;

mod common;
use common::seed::{
    check_hello_client, check_hello_server, check_sink, check_vent, check_weather_client,
};
use common::{example, free_endpoint, worker_tasks, Proc};

/// The longest any example or peer may run.
const DEADLINE: Duration = Duration::from_secs(20);

// ---- request-reply ---------------------------------------------------------

#[test]
fn hello_world_rust_client_rust_server() {
    let endpoint = free_endpoint();
    let server = Proc::spawn("hwserver", example("hwserver", &["2", &endpoint]));
    let client = Proc::spawn("hwclient", example("hwclient", &["2", &endpoint]));
    check_hello_client(&client.finish(), 2);
    check_hello_server(&server.finish(), 2);
}

// ---- publish-subscribe -----------------------------------------------------

#[test]
fn weather_rust_client_rust_server() {
    let endpoint = free_endpoint();
    // Bounded in time as a safety net; stopped as soon as the client is done.
    let server = Proc::spawn("wuserver", example("wuserver", &["30s", &endpoint]));
    // The guide's default filter, spelt out since the endpoint follows it.
    let client = Proc::spawn("wuclient", example("wuclient", &["10001 ", &endpoint]));
    check_weather_client(&client.finish(), "10001");
    server.stop();
}

#[test]
fn weather_server_stops_after_its_bound() {
    // Nobody listens: PUB drops everything, and the count still ends the run.
    let server = Proc::spawn("wuserver", example("wuserver", &["1000", &free_endpoint()]));
    assert_eq!(server.finish(), "");
}

// ---- pipeline --------------------------------------------------------------

#[test]
fn pipeline_rust_vent_sink_and_worker() {
    let (tasks, results) = (free_endpoint(), free_endpoint());
    let sink = Proc::spawn("tasksink", example("tasksink", &[&results]));
    // One worker bounded to the whole batch: it ends by itself.
    let worker = Proc::spawn("taskwork", example("taskwork", &["100", &tasks, &results]));
    let vent = Proc::spawn(
        "taskvent",
        example("taskvent", &["--no-wait", &tasks, &results]),
    );
    let cost = check_vent(&vent.finish());
    let work = worker_tasks(&worker.finish());
    assert_eq!(work.len(), 100);
    assert_eq!(work.iter().sum::<u64>(), cost);
    // The sink prints its time; no bound on it here: its clock starts when
    // it takes the start-of-batch message, which under load can be after
    // the worker began (a CI run saw 4,620 msec for 4,777 msec of work).
    check_sink(&sink.finish());
}

// ---- all three in one process ----------------------------------------------

#[test]
fn patterns_demo_runs_all_three() {
    let out = Proc::spawn("patterns", example("patterns", &[])).finish();
    for n in 1..=3 {
        assert!(
            out.contains(&format!("[req-rep] client got World {n}\n")),
            "{out}"
        );
    }
    assert_eq!(
        out.matches("[req-rep] server got Hello\n").count(),
        3,
        "{out}"
    );
    assert_eq!(
        out.matches("[pub-sub] subscriber got 10001 ").count(),
        5,
        "{out}"
    );
    assert!(
        out.contains("[pub-sub] average temperature for 10001 was "),
        "{out}"
    );

    let prefix = "[pipeline] sink collected 100 results from 2 workers: ";
    let shares = out
        .lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no pipeline summary:\n{out}"));
    let counts: Vec<u32> = shares
        .split(", ")
        .enumerate()
        .map(|(i, share)| {
            let n = share.strip_prefix(&format!("worker-{} did ", i + 1));
            n.and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("bad share {share:?}:\n{out}"))
        })
        .collect();
    assert_eq!(counts.len(), 2, "{out}");
    assert!(counts.iter().all(|&n| n > 0), "not load-balanced:\n{out}");
    assert!(out.contains("all three patterns done in "), "{out}");
}

// ---- usage -----------------------------------------------------------------

#[test]
fn examples_reject_bad_arguments() {
    for (name, args) in [
        ("hwserver", &["many"][..]),
        ("hwclient", &["1", "tcp://127.0.0.1:1", "extra"]),
        ("wuserver", &["soon"]),
        ("wuclient", &["10001 ", "tcp://127.0.0.1:1", "extra"]),
        ("taskvent", &["--wait"]),
        ("taskwork", &["-1"]),
        ("tasksink", &["tcp://127.0.0.1:1", "extra"]),
    ] {
        let (status, stdout, stderr) = Proc::spawn(name, example(name, args)).wait();
        assert_eq!(status.code(), Some(2), "{name} {args:?}: {stdout}{stderr}");
        assert!(stderr.starts_with(&format!("usage: {name}")), "{stderr}");
    }
}
