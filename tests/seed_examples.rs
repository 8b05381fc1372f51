//! The seed article's examples, run as programs: `hwserver`/`hwclient`,
//! `wuserver`/`wuclient`, `taskvent`/`taskwork`/`tasksink` and `patterns`.
//!
//! Each pattern runs Rust against Rust, and against pyzmq peers
//! (`tests/py/*.py`) in both directions. Every process gets a free loopback
//! port of its own (tests run in parallel) and a deadline: a process still
//! running after [`DEADLINE`] is killed and the test fails. A missing
//! `python3` or pyzmq fails the interop tests; it does not skip them.
//!
//! The harness (example binaries, pyzmq peers, [`Proc`]) is shared with the
//! other example-running tests, in `tests/common`.

use std::thread;
use std::time::Duration;

mod common;
use common::{example, free_endpoint, python, worker_tasks, Proc};

/// The longest any example or peer may run.
const DEADLINE: Duration = Duration::from_secs(20);

// ---- checks shared by the Rust and Python sides ----------------------------

/// The hello-world client's output for `count` round trips.
fn check_hello_client(out: &str, count: usize) {
    assert!(out.contains("Connecting to hello world server"), "{out}");
    for n in 0..count {
        assert!(out.contains(&format!("Sending Hello {n}")), "{out}");
        assert!(out.contains(&format!("Received World {n}\n")), "{out}");
    }
    assert!(!out.contains(&format!("Sending Hello {count}")), "{out}");
}

/// The hello-world server's output for `count` requests.
fn check_hello_server(out: &str, count: usize) {
    assert_eq!(out.matches("Received Hello\n").count(), count, "{out}");
}

/// The weather client's average for `zipcode`, which must be a possible one.
fn check_weather_client(out: &str, zipcode: &str) -> i64 {
    assert!(
        out.contains("Collecting updates from weather server"),
        "{out}"
    );
    let prefix = format!("Average temperature for zipcode '{zipcode}' was ");
    let line = out
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no average for {zipcode}:\n{out}"));
    let average: i64 = line
        .strip_suffix('F')
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("bad average line {line:?}"));
    assert!((-80..=134).contains(&average), "{out}");
    average
}

/// The sink's output: 100 results, a `:` for each tenth, and the time.
fn check_sink(out: &str) -> u64 {
    assert_eq!(out.matches(':').count(), 10 + 1, "{out}"); // + "Total...: N"
    assert_eq!(out.matches('.').count(), 90, "{out}");
    let ms = out
        .lines()
        .find_map(|l| l.strip_prefix("Total elapsed time: "))
        .and_then(|l| l.strip_suffix(" msec"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no elapsed time:\n{out}"));
    assert!(ms < DEADLINE.as_millis() as u64, "{out}");
    ms
}

/// The ventilator's expected cost: 100 workloads of 1-100 msec.
fn check_vent(out: &str) -> u64 {
    assert!(out.contains("Sending tasks to workers"), "{out}");
    let cost: u64 = out
        .lines()
        .find_map(|l| l.strip_prefix("Total expected cost: "))
        .and_then(|l| l.strip_suffix(" msec"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no expected cost:\n{out}"));
    assert!((100..=10_000).contains(&cost), "{out}");
    cost
}

// ---- request-reply ---------------------------------------------------------

#[test]
fn hello_world_rust_client_rust_server() {
    let endpoint = free_endpoint();
    let server = Proc::spawn("hwserver", example("hwserver", &["2", &endpoint]));
    let client = Proc::spawn("hwclient", example("hwclient", &["2", &endpoint]));
    check_hello_client(&client.finish(), 2);
    check_hello_server(&server.finish(), 2);
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
    let elapsed = check_sink(&sink.finish());
    assert!(
        elapsed + 50 >= cost,
        "one worker took {elapsed} msec for {cost}"
    );
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
