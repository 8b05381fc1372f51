//! The ZeroMQ guide's chapter 4 ("Reliable Request-Reply Patterns")
//! examples, run as programs: the Lazy Pirate client (`lpclient`) and the
//! Paranoid Pirate queue and worker (`ppqueue`, `ppworker`), in bounded
//! scenarios whose output is checked against what the guide shows.

use std::time::Duration;

mod common;
use common::{count_lines, free_endpoint, wait_listening, Proc};

/// The longest any example may run.
const DEADLINE: Duration = Duration::from_secs(40);

#[test]
fn paranoid_pirate_serves_lazy_pirate_requests() {
    let (frontend, backend) = (free_endpoint(), free_endpoint());
    let queue = Proc::run("ppqueue", &["60", &frontend, &backend]);
    wait_listening(&frontend);
    wait_listening(&backend);
    // A well-behaved worker (no chaos): it signals READY, then serves.
    let mut worker = Proc::run("ppworker", &["0", &backend]);
    worker.wait_for("I: worker ready");
    let client = Proc::run("lpclient", &["3", &frontend]).finish();
    assert!(
        client.starts_with("I: connecting to server...\n"),
        "{client}"
    );
    for n in 1..=3 {
        assert_eq!(
            count_lines(&client, &format!("I: server replied OK ({n})")),
            1,
            "{client}"
        );
    }
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
