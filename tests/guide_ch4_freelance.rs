//! The guide's Freelance programs (chapter 4, "Brokerless Reliability"):
//! `flserver1`/`flclient1` (retry and failover), `flserver2`/`flclient2`
//! (shotgun to all servers), `flserver3`/`flclient3` on the `flcliapi`
//! agent (ROUTER to ROUTER, servers addressed by endpoint). With servers up
//! the clients get their replies; with none they say so, in bounded time.

use std::time::{Duration, Instant};

mod common;
use common::{count_lines, free_port, wait_listening, Proc};

/// The longest any program may run.
const DEADLINE: Duration = Duration::from_secs(30);

/// A free `tcp://127.0.0.1:PORT`, for server and client alike.
fn endpoint() -> String {
    format!("tcp://127.0.0.1:{}", free_port())
}

/// Starts `server` at `endpoint` (and `extra` arguments first) and waits
/// until it listens.
fn server(name: &str, extra: &[&str], endpoint: &str) -> Proc {
    let mut args = extra.to_vec();
    args.push(endpoint);
    let proc = Proc::run(name, &args);
    wait_listening(endpoint);
    proc
}

#[test]
fn flclient1_gets_the_echo_from_one_server() {
    let ep = endpoint();
    let srv = server("flserver1", &[], &ep);
    let out = Proc::run("flclient1", &[&ep]).finish();
    assert_eq!(
        out,
        format!("I: trying echo service at {ep}...\nService is running OK\n")
    );
    let srv_out = srv.stop();
    assert_eq!(srv_out, format!("I: echo service is ready at {ep}\n"));
}

#[test]
fn flclient1_retries_one_server_three_times_then_gives_up() {
    let ep = endpoint(); // nothing listens there
    let started = Instant::now();
    let out = Proc::run("flclient1", &[&ep]).finish();
    let tries =
        format!("I: trying echo service at {ep}...\nW: no response from {ep}, retrying...\n");
    assert_eq!(out, tries.repeat(3));
    // Three one-second timeouts.
    assert!(started.elapsed() >= Duration::from_secs(3));
}

#[test]
fn flclient1_fails_over_to_the_next_server() {
    let (dead, alive) = (endpoint(), endpoint());
    let srv = server("flserver1", &[], &alive);
    let out = Proc::run("flclient1", &[&dead, &alive]).finish();
    assert_eq!(
        out,
        format!(
            "I: trying echo service at {dead}...\nW: no response from {dead}\n\
             I: trying echo service at {alive}...\nService is running OK\n"
        )
    );
    srv.stop();
}

/// The average round trip line, as a number of microseconds.
fn average_usec(out: &str) -> u64 {
    out.lines()
        .find_map(|l| l.strip_prefix("Average round trip cost: "))
        .and_then(|l| l.strip_suffix(" usec"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no average round trip in:\n{out}"))
}

#[test]
fn flclient2_gets_every_reply_from_two_servers() {
    let (a, b) = (endpoint(), endpoint());
    let srv_a = server("flserver2", &[], &a);
    let srv_b = server("flserver2", &[], &b);
    let out = Proc::run("flclient2", &["--requests", "500", &a, &b]).finish();
    assert!(!out.contains("E: "), "{out}");
    average_usec(&out);
    assert_eq!(srv_a.stop(), format!("I: service is ready at {a}\n"));
    assert_eq!(srv_b.stop(), format!("I: service is ready at {b}\n"));
}

#[test]
fn flclient2_reports_that_no_server_answers() {
    let started = Instant::now();
    let out = Proc::run("flclient2", &["--requests", "5", &endpoint()]).finish();
    assert!(
        out.starts_with("E: name service not available, aborting\nAverage round trip cost: "),
        "{out}"
    );
    // One request, abandoned after the 2.5 s global timeout.
    assert!(started.elapsed() >= Duration::from_millis(2500));
}

/// Starts `flserver3` bound at `endpoint`, with it as its identity.
fn server3(endpoint: &str, verbose: bool) -> Proc {
    let args: &[&str] = if verbose {
        &["-v", endpoint, endpoint]
    } else {
        &[endpoint, endpoint]
    };
    let proc = Proc::run("flserver3", args);
    wait_listening(endpoint);
    proc
}

#[test]
fn flclient3_gets_every_reply_through_the_agent() {
    let eps = [endpoint(), endpoint(), endpoint()];
    let servers: Vec<Proc> = eps.iter().map(|ep| server3(ep, false)).collect();
    let out = Proc::run(
        "flclient3",
        &["--requests", "500", &eps[0], &eps[1], &eps[2]],
    )
    .finish();
    for ep in &eps {
        assert_eq!(
            count_lines(&out, &format!("I: connecting to {ep}...")),
            1,
            "{out}"
        );
    }
    assert!(!out.contains("E: "), "{out}");
    average_usec(&out);
    for (srv, ep) in servers.into_iter().zip(&eps) {
        assert_eq!(srv.stop(), format!("I: service is ready at {ep}\n"));
    }
}

#[test]
fn flserver3_answers_pings_and_requests_and_dumps_them() {
    let ep = endpoint();
    let srv = server3(&ep, true);
    let out = Proc::run("flclient3", &["--requests", "3", &ep]).finish();
    assert!(!out.contains("E: "), "{out}");
    let dump = srv.stop();
    // Each request in: [identity][sequence][body]; each reply out:
    // [identity][sequence][OK].
    assert!(dump.contains("[011] random name\n"), "{dump}");
    assert!(dump.contains("[002] OK\n"), "{dump}");
}

#[test]
fn flclient3_reports_that_no_server_answers() {
    let started = Instant::now();
    let out = Proc::run("flclient3", &["--requests", "5", &endpoint()]).finish();
    assert!(
        out.contains("E: name service not available, aborting\n"),
        "{out}"
    );
    // One request, abandoned after the 3 s global timeout.
    assert!(started.elapsed() >= Duration::from_secs(3));
}

#[test]
fn freelance_programs_refuse_bad_arguments() {
    for (name, args) in [
        ("flclient2", &["--requests"][..]),
        ("flclient3", &["--requests", "x"][..]),
        ("flserver3", &["-v", "tcp://127.0.0.1:1"][..]),
    ] {
        let (status, _, err) = Proc::run(name, args).wait();
        assert_eq!(status.code(), Some(2), "{name} {args:?}: {err}");
        assert!(err.starts_with("usage: "), "{name} {args:?}: {err}");
    }
}
