//! The chapter 1-2 guide programs beyond the seed examples, run as programs
//! in bounded scenarios: `msreader`, `mspoller`, `rrclient`/`rrworker` with
//! `rrbroker` and `msgqueue`, `wuproxy`, `taskwork2`/`tasksink2`,
//! `interrupt`, `mtserver`, `mtrelay`, `syncpub`/`syncsub`,
//! `psenvpub`/`psenvsub`, and the hello-world variants `hwclient2-4` /
//! `hwserver2-4`.
//!
//! Every process gets free loopback ports of its own (tests run in
//! parallel) and a deadline: a process still running after [`DEADLINE`] is
//! killed and the test fails. Where the guide's peer is not one of these
//! programs (the ventilator and weather server feeding `msreader`), the test
//! plays it with the `zmq` crate.
//!
//! The harness (example binaries, [`Proc`]) is shared with the other
//! example-running tests, in `tests/common`.

use std::thread;
use std::time::{Duration, Instant};

use zmq::{Context, SocketType};

mod common;
use common::{count_lines, free_endpoint, wait_listening, worker_tasks, Proc};

/// The longest any program may run.
const DEADLINE: Duration = Duration::from_secs(30);

// ---- chapter 2: reading from multiple sockets ------------------------------

/// Plays the ventilator (PUSH, 5 tasks) and the weather server (PUB,
/// zipcodes 10001 and 10002) for `msreader` or `mspoller`, bounded to 10
/// messages, and checks what it processed: every task, in order, and only
/// the weather of 10001.
fn reads_tasks_and_filtered_weather(reader: &str) {
    let (tasks, weather) = (free_endpoint(), free_endpoint());
    let ctx = Context::new();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.set_sndtimeo(Some(DEADLINE)).unwrap();
    push.bind(&tasks).unwrap();
    let publisher = ctx.socket(SocketType::Pub).unwrap();
    publisher.bind(&weather).unwrap();

    let mut proc = Proc::run(reader, &["10", &tasks, &weather]);
    // PUSH waits for the reader to connect: the tasks get there first.
    for task in 1..=5 {
        push.send(task.to_string()).unwrap();
    }
    let mut n = 0;
    while proc.running() {
        n += 1;
        publisher.send(format!("10002 {n} 50")).unwrap();
        publisher.send(format!("10001 {n} 40")).unwrap();
        thread::sleep(Duration::from_millis(5));
    }
    let out = proc.finish();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 10, "{out}");
    let tasks: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("Process task: "))
        .collect();
    assert_eq!(tasks, ["1", "2", "3", "4", "5"], "{out}");
    let updates: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("Process weather update: "))
        .collect();
    assert_eq!(updates.len(), 5, "{out}");
    assert!(
        updates
            .iter()
            .all(|u| u.starts_with("10001 ") && u.ends_with(" 40")),
        "{out}"
    );
}

#[test]
fn msreader_reads_tasks_and_filtered_weather() {
    reads_tasks_and_filtered_weather("msreader");
}

#[test]
fn mspoller_reads_tasks_and_filtered_weather() {
    reads_tasks_and_filtered_weather("mspoller");
}

#[test]
fn mspoller_time_bound_ends_the_run() {
    // Nothing to read: the poll times out and the run ends after a second.
    let started = Instant::now();
    let out = Proc::run("mspoller", &["1s", &free_endpoint(), &free_endpoint()]).finish();
    assert_eq!(out, "");
    assert!(started.elapsed() >= Duration::from_secs(1));
}

// ---- chapter 2: shared queue -------------------------------------------------

/// Two `rrclient`s (2 requests each) and two `rrworker`s through `broker`
/// (`rrbroker` or `msgqueue`), bounded to `seconds`: every client gets its
/// replies, the workers together serve the four requests, and the broker
/// ends by itself.
fn request_reply_through(broker: &str, seconds: &str) {
    let (frontend, backend) = (free_endpoint(), free_endpoint());
    let broker = Proc::run(broker, &[seconds, &frontend, &backend]);
    let workers: Vec<Proc> = (0..2)
        .map(|_| Proc::run("rrworker", &["0", &backend]))
        .collect();
    let clients: Vec<Proc> = (0..2)
        .map(|_| Proc::run("rrclient", &["2", &frontend]))
        .collect();
    for client in clients {
        let out = client.finish();
        assert_eq!(
            out, "Received reply 0 [World]\nReceived reply 1 [World]\n",
            "{out}"
        );
    }
    let served: usize = workers
        .into_iter()
        .map(|w| count_lines(&w.stop(), "Received request: [Hello]"))
        .sum();
    assert_eq!(served, 4);
    assert_eq!(broker.finish(), "");
}

#[test]
fn rrbroker_brokers_clients_and_workers() {
    request_reply_through("rrbroker", "6");
}

#[test]
fn msgqueue_brokers_clients_and_workers() {
    request_reply_through("msgqueue", "6");
}

#[test]
fn rrclient_sends_the_guides_ten_requests() {
    // The guide's ten requests would take 10 s of rrworker's "work": the
    // test answers them itself, as a REP worker behind msgqueue.
    let (frontend, backend) = (free_endpoint(), free_endpoint());
    let broker = Proc::run("msgqueue", &["0", &frontend, &backend]);
    let ctx = Context::new();
    let worker = ctx.socket(SocketType::Rep).unwrap();
    worker.set_rcvtimeo(Some(DEADLINE)).unwrap();
    worker.connect(&backend).unwrap();
    let client = Proc::run("rrclient", &["10", &frontend]);
    for _ in 0..10 {
        assert_eq!(worker.recv_string().unwrap(), "Hello");
        worker.send("World").unwrap();
    }
    let out = client.finish();
    let expected: String = (0..10)
        .map(|n| format!("Received reply {n} [World]\n"))
        .collect();
    assert_eq!(out, expected);
    broker.stop();
}

// ---- chapter 2: transport bridging -------------------------------------------

#[test]
fn wuproxy_forwards_weather_to_subscribers() {
    let (upstream, downstream) = (free_endpoint(), free_endpoint());
    let server = Proc::run("wuserver", &["30s", &upstream]);
    let proxy = Proc::run("wuproxy", &["0", &upstream, &downstream]);
    let client = Proc::run("wuclient", &["10001 ", &downstream]);
    let out = client.finish();
    assert!(
        out.contains("Collecting updates from weather server"),
        "{out}"
    );
    let average: i64 = out
        .lines()
        .find_map(|l| l.strip_prefix("Average temperature for zipcode '10001' was "))
        .and_then(|t| t.strip_suffix('F'))
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("no average:\n{out}"));
    assert!((-80..=134).contains(&average), "{out}");
    assert_eq!(proxy.stop(), "");
    server.stop();
}

// ---- chapter 2: handling errors and ETERM --------------------------------------

#[test]
fn taskwork2_workers_stop_on_the_sinks_kill() {
    let (tasks, results, control) = (free_endpoint(), free_endpoint(), free_endpoint());
    let sink = Proc::run("tasksink2", &[&results, &control]);
    wait_listening(&results);
    let workers: Vec<Proc> = (0..2)
        .map(|_| Proc::run("taskwork2", &[&tasks, &results, &control]))
        .collect();
    thread::sleep(Duration::from_millis(300)); // let the workers connect
    let vent = Proc::run("taskvent", &["--no-wait", &tasks, &results]);
    let vent_out = vent.finish();
    let cost: u64 = vent_out
        .lines()
        .find_map(|l| l.strip_prefix("Total expected cost: "))
        .and_then(|l| l.strip_suffix(" msec"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no expected cost:\n{vent_out}"));

    let sink_out = sink.finish();
    assert_eq!(sink_out.matches(':').count(), 10 + 1, "{sink_out}");
    assert_eq!(sink_out.matches('.').count(), 90, "{sink_out}");
    assert!(sink_out.contains("\nTotal elapsed time: "), "{sink_out}");
    // The KILL ends both workers: they exit by themselves.
    let work: Vec<Vec<u64>> = workers
        .into_iter()
        .map(|w| worker_tasks(&w.finish()))
        .collect();
    assert_eq!(work.iter().map(Vec::len).sum::<usize>(), 100, "{work:?}");
    assert_eq!(work.iter().flatten().sum::<u64>(), cost);
}

// ---- chapter 2: handling interrupt signals ---------------------------------------

#[test]
fn interrupt_exits_cleanly_on_sigint() {
    let endpoint = free_endpoint();
    let mut server = Proc::run("interrupt", &[&endpoint]);
    let ctx = Context::new();
    let client = ctx.socket(SocketType::Req).unwrap();
    client.set_rcvtimeo(Some(DEADLINE)).unwrap();
    client.connect(&endpoint).unwrap();
    client.send("Hello").unwrap();
    assert_eq!(client.recv_string().unwrap(), "Hello");
    server.wait_for("W: recv\n");

    server.signal("INT");
    let (status, out, err) = server.wait();
    assert!(status.success(), "{status}\n{out}\n{err}");
    assert_eq!(
        out,
        "W: recv\nW: interrupt received, killing server...\nW: cleaning up\n"
    );
}

#[test]
fn interrupt_exits_cleanly_on_sigterm_while_idle() {
    let endpoint = free_endpoint();
    let server = Proc::run("interrupt", &[&endpoint]);
    wait_listening(&endpoint); // bound after the handler is in place
    server.signal("TERM");
    let (status, out, err) = server.wait();
    assert!(status.success(), "{status}\n{out}\n{err}");
    assert_eq!(
        out,
        "W: interrupt received, killing server...\nW: cleaning up\n"
    );
}

// ---- chapter 2: multithreading with ZeroMQ -----------------------------------------

#[test]
fn mtserver_serves_five_clients_at_once() {
    let endpoint = free_endpoint();
    let server = Proc::run("mtserver", &["7", &endpoint]);
    let started = Instant::now();
    let clients: Vec<Proc> = (0..5)
        .map(|_| Proc::run("hwclient", &["2", &endpoint]))
        .collect();
    for client in clients {
        let out = client.finish();
        assert!(out.contains("Received World 0\n"), "{out}");
        assert!(out.contains("Received World 1\n"), "{out}");
    }
    // Ten requests of a second each: about 2 s on five workers, 10 s on one.
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(6), "took {elapsed:?}");
    // The bound shuts the context down: proxy and workers end, exit 0.
    let out = server.finish();
    assert_eq!(count_lines(&out, "Received request: [Hello]"), 10, "{out}");
}

#[test]
fn mtrelay_relays_through_three_threads() {
    let out = Proc::run("mtrelay", &[]).finish();
    assert_eq!(
        out,
        "Step 1 ready, signaling step 2\nStep 2 ready, signaling step 3\nTest successful!\n"
    );
}

// ---- chapter 2: node coordination ------------------------------------------------

#[test]
fn syncsub_receives_every_update_of_syncpub() {
    const SUBSCRIBERS: usize = 10; // the guide's number
    let (publish, sync) = (free_endpoint(), free_endpoint());
    let publisher = Proc::run("syncpub", &[&SUBSCRIBERS.to_string(), &publish, &sync]);
    let subscribers: Vec<Proc> = (0..SUBSCRIBERS)
        .map(|_| Proc::run("syncsub", &[&publish, &sync]))
        .collect();
    for subscriber in subscribers {
        assert_eq!(subscriber.finish(), "Received 1000000 updates\n");
    }
    assert_eq!(
        publisher.finish(),
        "Waiting for subscribers\nBroadcasting messages\n"
    );
}

// ---- chapter 2: pub-sub message envelopes ----------------------------------------

#[test]
fn psenvsub_sees_only_envelope_b() {
    let endpoint = free_endpoint();
    let publisher = Proc::run("psenvpub", &["0", &endpoint]);
    let subscriber = Proc::run("psenvsub", &["2", &endpoint]);
    assert_eq!(
        subscriber.finish(),
        "[B] We would like to see this\n[B] We would like to see this\n"
    );
    assert_eq!(publisher.stop(), "");
}

#[test]
fn psenvpub_count_bounds_the_run() {
    // Two rounds of a second each, nobody listening.
    assert_eq!(Proc::run("psenvpub", &["2", &free_endpoint()]).finish(), "");
}

// ---- chapter 1: hello world variants ---------------------------------------------

/// The output of `hwclient2`/`3`/`4` for `count` round trips.
fn check_variant_client(out: &str, count: usize) {
    let mut expected = String::from("Connecting to hello world server...\n");
    for n in 1..=count {
        expected += &format!("Sending request msg: Hello NO={n}...\n");
        expected += &format!("Received respond msg: World NO={n}\n\n");
    }
    assert_eq!(out, expected);
}

/// The 5-byte identity a ROUTER makes up for a peer without one, in hex:
/// a zero byte and a 32-bit number.
fn is_generated_identity(text: &str) -> bool {
    text.len() == 10 && text.starts_with("00") && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[test]
fn hwclient2_dealer_with_hwserver2_rep() {
    let endpoint = free_endpoint();
    let server = Proc::run("hwserver2", &["2", &endpoint]);
    let client = Proc::run("hwclient2", &["2", &endpoint]);
    check_variant_client(&client.finish(), 2);
    assert_eq!(
        server.finish(),
        "Received request msg: Hello\nSend respond msg: World\n\n".repeat(2)
    );
}

#[test]
fn hwserver3_router_shows_envelopes() {
    let endpoint = free_endpoint();
    let server = Proc::run("hwserver3", &["3", &endpoint]);
    // A REQ named "ZMQ", and the seed's REQ without a name.
    let named = Proc::run("hwclient3", &["2", &endpoint]);
    let anonymous = Proc::run("hwclient", &["1", &endpoint]);
    check_variant_client(&named.finish(), 2);
    assert!(
        anonymous.finish().contains("Received World 0\n"),
        "anonymous client"
    );
    let out = server.finish();
    let identities: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("[Frame_1] identity = "))
        .collect();
    assert_eq!(identities.len(), 3, "{out}");
    assert_eq!(identities.iter().filter(|id| **id == "ZMQ").count(), 2);
    // The binary identity is shown whole, not cut at its zero byte.
    assert!(
        identities.iter().any(|id| is_generated_identity(id)),
        "{out}"
    );
    assert_eq!(count_lines(&out, "[Frame_2] string = "), 3, "{out}");
    assert_eq!(
        count_lines(&out, "[Frame_3] Received request msg: Hello"),
        3,
        "{out}"
    );
    assert_eq!(count_lines(&out, "Send respond msg: World"), 3, "{out}");
}

#[test]
fn hwserver4_router_answers_named_and_binary_identities() {
    let endpoint = free_endpoint();
    let server = Proc::run("hwserver4", &["3", &endpoint]);
    // A DEALER named "ZMQ", and a DEALER without a name: its binary
    // identity must survive the round trip (the C version loses it).
    let named = Proc::run("hwclient4", &["2", &endpoint]);
    let anonymous = Proc::run("hwclient2", &["1", &endpoint]);
    check_variant_client(&named.finish(), 2);
    check_variant_client(&anonymous.finish(), 1);
    let out = server.finish();
    let received: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("[recv] frame1 = "))
        .collect();
    let sent: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("[send] frame1 = "))
        .collect();
    assert_eq!(received, sent, "{out}");
    assert_eq!(received.iter().filter(|id| **id == "ZMQ").count(), 2);
    assert!(received.iter().any(|id| is_generated_identity(id)), "{out}");
    assert_eq!(count_lines(&out, "[recv] frame3 = Hello"), 3, "{out}");
    assert_eq!(count_lines(&out, "[send] frame3 = World"), 3, "{out}");
}

#[test]
fn hwclient3_works_with_the_seed_rep_server() {
    // Identities only matter to ROUTERs: a REP server answers as usual.
    let endpoint = free_endpoint();
    let server = Proc::run("hwserver", &["1", &endpoint]);
    let client = Proc::run("hwclient3", &["1", &endpoint]);
    check_variant_client(&client.finish(), 1);
    assert_eq!(server.finish(), "Received Hello\n");
}

// ---- usage -----------------------------------------------------------------

#[test]
fn programs_reject_bad_arguments() {
    let bad = "tcp://127.0.0.1:1";
    let cases: &[(&str, &[&str])] = &[
        ("msreader", &["soon"]),
        ("mspoller", &["1", bad, bad, "extra"]),
        ("rrclient", &["many"]),
        ("rrworker", &["-1"]),
        ("rrbroker", &["1.5"]),
        ("msgqueue", &["0", bad, bad, "extra"]),
        ("wuproxy", &["forever"]),
        ("taskwork2", &[bad, bad, bad, "extra"]),
        ("tasksink2", &[bad, bad, "extra"]),
        ("interrupt", &[bad, "extra"]),
        ("mtserver", &["x"]),
        ("mtrelay", &["extra"]),
        ("syncpub", &["ten"]),
        ("syncsub", &[bad, bad, "extra"]),
        ("psenvpub", &["x"]),
        ("psenvsub", &["x"]),
        ("hwclient2", &["x"]),
        ("hwclient3", &["1", bad, "extra"]),
        ("hwclient4", &["x"]),
        ("hwserver2", &["x"]),
        ("hwserver3", &["1", bad, "extra"]),
        ("hwserver4", &["-2"]),
    ];
    for (name, args) in cases {
        let (status, stdout, stderr) = Proc::run(name, args).wait();
        assert_eq!(status.code(), Some(2), "{name} {args:?}: {stdout}{stderr}");
        assert!(stderr.starts_with(&format!("usage: {name}")), "{stderr}");
        assert_eq!(stdout, "", "{name}");
    }
}
