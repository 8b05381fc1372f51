//! The guide's chapter 4 Majordomo programs (`mdbroker`, `mdworker`,
//! `mdclient`, `mdclient2`, `mmiecho`) and `tripping`, run as programs on
//! free loopback ports in bounded scenarios: the broker routes every
//! request to an echo worker and back, answers `mmi.service` with 200 or
//! 404, and keeps serving when a worker is replaced.

use std::time::Duration;

mod common;
use common::{free_endpoint, wait_listening, Proc};

/// The longest any example may run.
const DEADLINE: Duration = Duration::from_secs(40);

/// A broker on a free port, bounded to a minute, and its endpoint.
fn broker() -> (Proc, String) {
    let endpoint = free_endpoint();
    let mut broker = Proc::run("mdbroker", &["60", &endpoint]);
    broker.wait_for("I: MDP broker/0.2.0 is active at");
    wait_listening(&endpoint);
    (broker, endpoint)
}

#[test]
fn mmiecho_answers_200_with_an_echo_worker_and_404_without() {
    let (broker, endpoint) = broker();
    let out = Proc::run("mmiecho", &[&endpoint]).finish();
    assert_eq!(out, "Lookup echo service: 404\n");

    // Once the worker's READY is in, the service has a worker.
    let worker = Proc::run("mdworker", &["60", &endpoint]);
    let mut out = String::new();
    for _ in 0..50 {
        out = Proc::run("mmiecho", &[&endpoint]).finish();
        if out != "Lookup echo service: 404\n" {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(out, "Lookup echo service: 200\n");
    // Any other service is still unknown.
    let out = Proc::run("mmiecho", &[&endpoint, "nosuch"]).finish();
    assert_eq!(out, "Lookup nosuch service: 404\n");
    worker.stop();
    let out = broker.stop();
    assert!(!out.contains("E: "), "{out}");
}

#[test]
fn mdclient_gets_every_reply_through_the_broker() {
    let (broker, endpoint) = broker();
    let worker = Proc::run("mdworker", &["60", &endpoint]);
    let worker2 = Proc::run("mdworker", &["60", &endpoint]);
    // Requests sent before the workers register wait in the broker.
    let out = Proc::run("mdclient", &["1000", &endpoint]).finish();
    assert_eq!(out, "1000 requests/replies processed\n");
    worker.stop();
    worker2.stop();
    broker.stop();
}

#[test]
fn mdclient2_gets_every_reply_through_the_broker() {
    let (broker, endpoint) = broker();
    let worker = Proc::run("mdworker", &["60", &endpoint]);
    let out = Proc::run("mdclient2", &["5000", &endpoint]).finish();
    assert_eq!(out, "5000 replies received\n");
    worker.stop();
    broker.stop();
}

#[test]
fn the_broker_serves_through_a_new_worker_when_the_old_one_is_killed() {
    let (broker, endpoint) = broker();
    let worker = Proc::run("mdworker", &["60", &endpoint]);
    let out = Proc::run("mdclient", &["10", &endpoint]).finish();
    assert_eq!(out, "10 requests/replies processed\n");
    worker.stop();
    // The killed worker is still idle in the broker until it expires
    // (3 x 2.5 s): a request sent to it is lost, and the client's retry
    // (2.5 s later, on a new socket) must reach the new worker. A verbose
    // worker shows its READY went out.
    let mut worker = Proc::run("mdworker", &["-v", "60", &endpoint]);
    worker.wait_for("I: sending READY to broker");
    let out = Proc::run("mdclient", &["10", &endpoint]).finish();
    assert_eq!(out, "10 requests/replies processed\n");
    let out = worker.stop();
    assert!(out.contains("I: received message from broker:"), "{out}");
    broker.stop();
}

#[test]
fn a_bounded_broker_and_worker_end_by_themselves() {
    let endpoint = free_endpoint();
    let broker = Proc::run("mdbroker", &["1", &endpoint]);
    let worker = Proc::run("mdworker", &["1", &endpoint]);
    let out = worker.finish();
    assert_eq!(out, "");
    let out = broker.finish();
    assert!(
        out.contains(&format!("I: MDP broker/0.2.0 is active at {endpoint}")),
        "{out}"
    );
}

#[test]
fn mmiecho_reports_a_broker_that_is_not_running() {
    // Three tries of 2.5 s, as the guide's client API makes them.
    let out = Proc::run("mmiecho", &[&free_endpoint()]).finish();
    assert_eq!(out, "E: no response from broker, make sure it's running\n");
}

#[test]
fn tripping_times_both_round_trip_tests() {
    let (frontend, backend) = (free_endpoint(), free_endpoint());
    let out = Proc::run("tripping", &["2000", "20000", &frontend, &backend]).finish();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    assert_eq!(lines[0], "Setting up test...");
    assert_eq!(lines[1], "Synchronous round-trip test...");
    assert_eq!(lines[3], "Asynchronous round-trip test...");
    for rate in [lines[2], lines[4]] {
        let n: u64 = rate
            .strip_prefix(' ')
            .and_then(|r| r.strip_suffix(" calls/second"))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("bad rate line {rate:?}"));
        assert!(n > 0, "{out}");
    }
}

#[test]
fn the_majordomo_programs_refuse_bad_arguments() {
    for (name, args) in [
        ("mdbroker", &["x"][..]),
        ("mdbroker", &["-x"][..]),
        ("mdworker", &["1", "2", "3", "4"][..]),
        ("mdclient", &["many"][..]),
        ("mdclient2", &["-v", "many"][..]),
        ("mmiecho", &["a", "b", "c"][..]),
        ("tripping", &["x"][..]),
    ] {
        let (status, _, err) = Proc::run(name, args).wait();
        assert_eq!(status.code(), Some(2), "{name} {args:?}: {err}");
        assert!(err.starts_with("usage: "), "{name}: {err}");
    }
}
