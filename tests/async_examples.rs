//! The async examples (feature `tokio`), run as programs: the seed
//! article's three patterns on tokio, and the async Lazy Pirate client
//! against a server that answers, one that drops the first request, and
//! none at all. Build them first: `cargo build --features tokio --examples`.

use std::time::Duration;

mod common;
use common::{count_lines, free_endpoint, Proc};

/// The longest any example may run.
const DEADLINE: Duration = Duration::from_secs(30);

#[test]
fn async_request_reply() {
    let out = Proc::run("async_reqrep", &["3"]).finish();
    assert!(
        out.starts_with("[req-rep] server bound to tcp://127.0.0.1:"),
        "{out}"
    );
    for n in 1..=3 {
        assert_eq!(
            count_lines(&out, &format!("[req-rep] client got World {n}")),
            1,
            "{out}"
        );
    }
    assert_eq!(count_lines(&out, "[req-rep] server got Hello"), 3, "{out}");
}

#[test]
fn async_publish_subscribe() {
    let out = Proc::run("async_pubsub", &["5"]).finish();
    let updates: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("[pub-sub] subscriber got "))
        .collect();
    assert_eq!(updates.len(), 5, "{out}");
    assert!(updates.iter().all(|u| u.starts_with("10001 ")), "{out}");
    let average = out
        .lines()
        .find_map(|l| l.strip_prefix("[pub-sub] average temperature for 10001 was "))
        .unwrap_or_else(|| panic!("no average line: {out}"));
    assert!(average.contains("(5 of "), "{out}");
}

#[test]
fn async_pipeline() {
    let out = Proc::run("async_pipeline", &["100"]).finish();
    assert!(
        out.contains("[pipeline] ventilator sent 100 tasks"),
        "{out}"
    );
    let collected = out
        .lines()
        .find_map(|l| l.strip_prefix("[pipeline] sink collected "))
        .unwrap_or_else(|| panic!("no sink line: {out}"));
    assert!(collected.starts_with("100 results from 2 workers"), "{out}");
    assert!(out.contains("(100 tasks done)"), "{out}");
}

#[test]
fn async_lazy_pirate_against_a_server() {
    let ctx = zmq::Context::new();
    let endpoint = free_endpoint();
    let server = ctx.socket(zmq::SocketType::Rep).unwrap();
    server.bind(&endpoint).unwrap();
    let serving = std::thread::spawn(move || {
        for _ in 0..3 {
            let request = server.recv_msg().unwrap();
            server.send(request).unwrap();
        }
    });
    let out = Proc::run("async_lpclient", &["3", &endpoint, "2000"]).finish();
    serving.join().unwrap();
    assert_eq!(
        out,
        "I: connecting to server...\n\
         I: server replied OK (1)\n\
         I: server replied OK (2)\n\
         I: server replied OK (3)\n"
    );
}

/// The server drops the first request (as the guide's `lpserver` does at
/// random): the client times out, reconnects, resends, and goes on.
#[test]
fn async_lazy_pirate_retries_a_lost_request() {
    let ctx = zmq::Context::new();
    let endpoint = free_endpoint();
    let server = ctx.socket(zmq::SocketType::Router).unwrap();
    server.bind(&endpoint).unwrap();
    let serving = std::thread::spawn(move || {
        let dropped = server.recv_multipart().unwrap();
        assert_eq!(dropped.last().unwrap(), "1");
        for _ in 0..2 {
            let request = server.recv_multipart().unwrap();
            server.send_multipart(request).unwrap();
        }
    });
    let out = Proc::run("async_lpclient", &["2", &endpoint, "300"]).finish();
    serving.join().unwrap();
    assert_eq!(
        out,
        "I: connecting to server...\n\
         W: no response from server, retrying...\n\
         I: connecting to server...\n\
         I: server replied OK (1)\n\
         I: server replied OK (2)\n"
    );
}

#[test]
fn async_lazy_pirate_abandons_a_silent_server() {
    let out = Proc::run("async_lpclient", &["1", &free_endpoint(), "300"]).finish();
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
