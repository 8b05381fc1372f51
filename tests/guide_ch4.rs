//! The ZeroMQ guide's chapter 4 ("Reliable Request-Reply Patterns")
//! examples, run as programs: the Lazy Pirate client and server (`lpclient`,
//! `lpserver`), the Simple Pirate queue and worker (`spqueue`, `spworker`)
//! and the Paranoid Pirate queue and worker (`ppqueue`, `ppworker`), in
//! bounded scenarios whose output is checked against what the guide shows.
//! The crashes are the programs' own simulated ones, made deterministic by
//! a seed (`CYCLES ENDPOINT SEED`): lpserver seed 1 and spworker seed 3
//! crash on their fourth request.

use std::time::Duration;

mod common;
use common::{count_lines, free_endpoint, wait_listening, Proc};

/// The longest any example may run.
const DEADLINE: Duration = Duration::from_secs(40);

/// Asserts that the client's output has `I: server replied OK (n)` once
/// for each of the requests `1..=count`.
fn assert_replied(client: &str, count: u64) {
    for n in 1..=count {
        assert_eq!(
            count_lines(client, &format!("I: server replied OK ({n})")),
            1,
            "{client}"
        );
    }
}

/// A queue (`spqueue`, `ppqueue`) bounded to a minute on free ports,
/// listening on both; its frontend and backend.
fn start_queue(name: &str) -> (Proc, String, String) {
    let (frontend, backend) = (free_endpoint(), free_endpoint());
    let queue = Proc::run(name, &["60", &frontend, &backend]);
    wait_listening(&frontend);
    wait_listening(&backend);
    (queue, frontend, backend)
}

#[test]
fn paranoid_pirate_serves_lazy_pirate_requests() {
    let (queue, frontend, backend) = start_queue("ppqueue");
    // A well-behaved worker (no chaos): it signals READY, then serves.
    let mut worker = Proc::run("ppworker", &["0", &backend]);
    worker.wait_for("I: worker ready");
    let client = Proc::run("lpclient", &["3", &frontend]).finish();
    assert!(
        client.starts_with("I: connecting to server...\n"),
        "{client}"
    );
    assert_replied(&client, 3);
    assert!(
        !client.contains("W: ") && !client.contains("E: "),
        "{client}"
    );
    // The worker heartbeats while idle, then stops (killed).
    worker.wait_for("I: worker heartbeat");
    let out = worker.stop();
    assert_eq!(count_lines(&out, "I: normal reply"), 3, "{out}");
    assert!(!out.contains("W: heartbeat failure"), "{out}");
    let out = queue.stop();
    assert!(!out.contains("E: invalid message"), "{out}");
}

#[test]
fn a_lazy_pirate_client_retries_then_abandons_a_silent_server() {
    // Nobody listens: three tries of 300 ms each, then it gives up.
    let endpoint = free_endpoint();
    let out = Proc::run("lpclient", &["1", &endpoint, "300"]).finish();
    assert_eq!(
        out,
        "I: connecting to server...\n\
         W: no response from server, retrying...\n\
         I: connecting to server...\n\
         W: no response from server, retrying...\n\
         I: connecting to server...\n\
         E: server seems to be offline, abandoning\n"
    );
}

#[test]
fn a_paranoid_pirate_worker_reconnects_to_a_queue_that_comes_back() {
    // No queue yet: after three silent heartbeats the worker reconnects
    // (1 s back-off); the queue started meanwhile then serves through it.
    let (frontend, backend) = (free_endpoint(), free_endpoint());
    let mut worker = Proc::run("ppworker", &["0", &backend]);
    worker.wait_for("W: heartbeat failure, can't reach queue");
    worker.wait_for("W: reconnecting in 1000 msec...");
    let queue = Proc::run("ppqueue", &["60", &frontend, &backend]);
    wait_listening(&frontend);
    let client = Proc::run("lpclient", &["2", &frontend]).finish();
    assert_eq!(
        count_lines(&client, "I: server replied OK (1)"),
        1,
        "{client}"
    );
    assert_eq!(
        count_lines(&client, "I: server replied OK (2)"),
        1,
        "{client}"
    );
    let out = worker.stop();
    assert!(count_lines(&out, "I: worker ready") >= 2, "{out}");
    assert_eq!(count_lines(&out, "I: normal reply"), 2, "{out}");
    queue.stop();
}

#[test]
fn a_lazy_pirate_client_is_served_by_lpserver() {
    let endpoint = free_endpoint();
    let server = Proc::run("lpserver", &["0", &endpoint]);
    wait_listening(&endpoint);
    let client = Proc::run("lpclient", &["3", &endpoint]).finish();
    assert_eq!(
        client,
        "I: connecting to server...\n\
         I: server replied OK (1)\n\
         I: server replied OK (2)\n\
         I: server replied OK (3)\n"
    );
    let out = server.stop();
    assert_eq!(
        out,
        "I: normal request (1)\nI: normal request (2)\nI: normal request (3)\n"
    );
}

#[test]
fn a_lazy_pirate_client_survives_a_server_crash_and_restart() {
    // Seed 1: the server crashes on request 4; the client's second try
    // reaches the server restarted on the same endpoint.
    let endpoint = free_endpoint();
    let mut server = Proc::run("lpserver", &["3", &endpoint, "1"]);
    wait_listening(&endpoint);
    let client = Proc::run("lpclient", &["5", &endpoint, "1500"]);
    server.wait_for("I: simulating a crash");
    let (status, out, _) = server.wait();
    assert!(status.success(), "{out}");
    assert_eq!(count_lines(&out, "I: simulating a crash"), 1, "{out}");
    assert_eq!(count_lines(&out, "I: normal request (3)"), 1, "{out}");
    assert!(!out.contains("I: normal request (4)"), "{out}");
    let restarted = Proc::run("lpserver", &["0", &endpoint]);
    let client = client.finish();
    assert_replied(&client, 5);
    assert_eq!(
        count_lines(&client, "W: no response from server, retrying..."),
        1,
        "{client}"
    );
    assert!(!client.contains("E: "), "{client}");
    let out = restarted.stop();
    assert_eq!(count_lines(&out, "I: normal request (4)"), 1, "{out}");
    assert_eq!(count_lines(&out, "I: normal request (5)"), 1, "{out}");
}

#[test]
fn simple_pirate_routes_around_a_crashed_worker() {
    // Seed 3: the first worker crashes on its fourth request, which the
    // queue had taken it off its list to deliver; the client's retry waits
    // in the queue until a new worker signals READY, and is served by it.
    let (queue, frontend, backend) = start_queue("spqueue");
    let mut first = Proc::run("spworker", &["3", &backend, "3"]);
    first.wait_for("worker ready");
    let client = Proc::run("lpclient", &["6", &frontend, "2000"]);
    first.wait_for("simulating a crash");
    let (status, out, _) = first.wait();
    assert!(status.success(), "{out}");
    assert_eq!(
        out.lines().filter(|l| l.ends_with(" normal reply")).count(),
        3,
        "{out}"
    );
    let mut second = Proc::run("spworker", &["0", &backend]);
    second.wait_for("worker ready");
    let client = client.finish();
    assert_replied(&client, 6);
    assert!(!client.contains("E: "), "{client}");
    let out = second.stop();
    assert_eq!(
        out.lines().filter(|l| l.ends_with(" normal reply")).count(),
        3,
        "{out}"
    );
    queue.stop();
}

#[test]
fn paranoid_pirate_forgets_a_killed_worker_and_uses_a_new_one() {
    let (queue, frontend, backend) = start_queue("ppqueue");
    let mut first = Proc::run("ppworker", &["0", &backend]);
    first.wait_for("I: worker ready");
    let client = Proc::run("lpclient", &["2", &frontend]).finish();
    assert_eq!(
        count_lines(&client, "I: server replied OK (2)"),
        1,
        "{client}"
    );
    // Killed while idle: it is still on the queue's ready list until three
    // heartbeats (3 s) pass in silence; the queue purges it on its next
    // pass (it polls at least once a second), so 4.5 s from now it is gone.
    let out = first.stop();
    assert_eq!(count_lines(&out, "I: normal reply"), 2, "{out}");
    let mut second = Proc::run("ppworker", &["0", &backend]);
    second.wait_for("I: worker ready");
    std::thread::sleep(Duration::from_millis(4500));
    // Had the queue kept the dead worker, the oldest on its list, request 1
    // would go to it and be lost: the client would retry.
    let client = Proc::run("lpclient", &["3", &frontend]).finish();
    assert_replied(&client, 3);
    assert!(
        !client.contains("W: ") && !client.contains("E: "),
        "{client}"
    );
    let out = second.stop();
    assert_eq!(count_lines(&out, "I: normal reply"), 3, "{out}");
    queue.stop();
}

#[test]
fn the_chapter_4_pirates_refuse_bad_arguments() {
    for (name, args) in [
        ("lpserver", &["x"][..]),
        ("lpserver", &["3", "tcp://127.0.0.1:1", "seed"][..]),
        ("spqueue", &["x"][..]),
        ("spworker", &["1", "2", "3", "4"][..]),
        ("ppworker", &["0", "tcp://127.0.0.1:1", "x"][..]),
    ] {
        let (status, _, err) = Proc::run(name, args).wait();
        assert_eq!(status.code(), Some(2), "{name} {args:?}: {err}");
        assert!(err.starts_with("usage: "), "{name}: {err}");
    }
}
