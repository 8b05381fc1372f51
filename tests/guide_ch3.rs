//! The ZeroMQ guide's chapter 3 ("Advanced Request-Reply Patterns")
//! examples, run as programs: `identity`, `rtreq`, `rtdealer`, `lbbroker`,
//! `lbbroker2`, `lbbroker3`, `asyncsrv`, `peering1`, `peering2` and
//! `peering3`, each in a bounded run whose output is checked against what
//! the guide shows.
//!
//! Every process gets a deadline: one still running after [`DEADLINE`] is
//! killed and the test fails. TCP examples run on a free loopback port, ipc
//! ones in a directory of their own (their `PREFIX` / `--prefix` argument),
//! so that the tests can run in parallel. The harness (example binaries,
//! [`Proc`], [`IpcDir`]) is shared with the other example-running tests, in
//! `tests/common`.

use std::thread;
use std::time::Duration;

mod common;
use common::{count_lines, free_endpoint, IpcDir, Output, Proc};

/// The longest any example may run.
const DEADLINE: Duration = Duration::from_secs(30);

// ---- checks ----------------------------------------------------------------

/// Runs an example to its end; returns its output.
fn run(name: &str, args: &[&str]) -> Output {
    Proc::run_piped(name, args).finish_output()
}

/// The number in `text` between `before` and `after` on some line.
fn number_in(text: &str, before: &str, after: &str) -> u64 {
    text.lines()
        .find_map(|l| {
            let rest = &l[l.find(before)? + before.len()..];
            rest[..rest.find(after)?].parse().ok()
        })
        .unwrap_or_else(|| panic!("no {before:?}N{after:?} in:\n{text}"))
}

fn unexpected(line: &str, out: &str) -> ! {
    panic!("unexpected line {line:?} in:\n{out}")
}

fn is_hex(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
}

// ---- identity --------------------------------------------------------------

#[test]
fn identity_shows_generated_and_chosen_identities() {
    let out = run("identity", &[]).stdout;
    let lines: Vec<&str> = out.lines().collect();
    let rule = "----------------------------------------";
    assert_eq!(lines.len(), 8, "{out}");
    assert_eq!(lines[0], rule, "{out}");
    // Five binary bytes in hex, all of them: a zero byte, then a counter.
    let generated = lines[1].strip_prefix("[005] ").expect(&out);
    assert_eq!(generated.len(), 10, "{out}");
    assert!(is_hex(generated) && generated.starts_with("00"), "{out}");
    assert_eq!(lines[2], "[000] ", "{out}");
    assert_eq!(lines[3], "[039] ROUTER uses a generated 5 byte identity");
    assert_eq!(lines[4], rule, "{out}");
    assert_eq!(lines[5], "[005] PEER2", "{out}");
    assert_eq!(lines[6], "[000] ", "{out}");
    assert_eq!(lines[7], "[040] ROUTER socket uses REQ's socket identity");
}

// ---- ROUTER with REQ and DEALER workers -----------------------------------

/// `rtreq`/`rtdealer`: ten `Completed: N tasks` lines whose sum is what the
/// broker handed out.
fn check_router_workers(name: &str) {
    let out = run(name, &["1000", &free_endpoint()]);
    let counts: Vec<u64> = out
        .stdout
        .lines()
        .map(|l| {
            l.strip_prefix("Completed: ")
                .and_then(|l| l.strip_suffix(" tasks"))
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("unexpected line {l:?} in:\n{}", out.stdout))
        })
        .collect();
    assert_eq!(counts.len(), 10, "{}", out.stdout);
    let total = number_in(&out.stderr, "handed out ", " tasks");
    assert_eq!(
        counts.iter().sum::<u64>(),
        total,
        "{}{}",
        out.stdout,
        out.stderr
    );
    // A second of 1-500 msec tasks for ten workers: a few each.
    assert!((10..=150).contains(&total), "{}{}", out.stdout, out.stderr);
}

#[test]
fn rtreq_workers_complete_tasks() {
    check_router_workers("rtreq");
}

#[test]
fn rtdealer_workers_complete_tasks() {
    check_router_workers("rtdealer");
}

// ---- load-balancing brokers ------------------------------------------------

#[test]
fn lbbroker_serves_all_clients() {
    let dir = IpcDir::new("lbbroker");
    let out = run("lbbroker", &[&dir.prefix()]).stdout;
    assert_eq!(count_lines(&out, "Client: OK"), 10, "{out}");
    assert_eq!(count_lines(&out, "Worker: HELLO"), 10, "{out}");
    assert_eq!(out.lines().count(), 20, "{out}");
}

#[test]
fn lbbroker2_serves_all_clients() {
    let dir = IpcDir::new("lbbroker2");
    let out = run("lbbroker2", &[&dir.prefix()]).stdout;
    assert_eq!(count_lines(&out, "Client: OK"), 10, "{out}");
    assert_eq!(count_lines(&out, "Worker: [005] HELLO"), 10, "{out}");
    assert_eq!(out.lines().count(), 20, "{out}");
}

#[test]
fn lbbroker3_serves_clients_until_its_bound() {
    let dir = IpcDir::new("lbbroker3");
    let out = run("lbbroker3", &["20", &dir.prefix()]);
    let text = &out.stdout;
    assert_eq!(number_in(&out.stderr, "passed on ", " replies"), 20);
    // Every client's first request is answered within the first 10 replies;
    // the last replies may reach clients already told to end.
    let clients = count_lines(text, "Client: OK");
    assert!((10..=20).contains(&clients), "{text}");
    // Each reply passed on is a worker's; requests in flight at the end add
    // at most one per worker.
    let workers = count_lines(text, "Worker: [005] HELLO");
    assert!((20..=23).contains(&workers), "{text}");
    assert_eq!(text.lines().count(), clients + workers, "{text}");
}

// ---- asynchronous client/server -------------------------------------------

#[test]
fn asyncsrv_clients_receive_replies() {
    let out = run("asyncsrv", &["5000", &free_endpoint()]).stdout;
    let mut clients = std::collections::BTreeSet::new();
    for line in out.lines() {
        // `XXXX-XXXX[010] request #N`: the client's identity, then the
        // reply, an echo of one of its requests (one a second: N <= 4).
        let bad = || unexpected(line, &out);
        let (identity, reply) = line.split_at_checked(9).unwrap_or_else(bad);
        let (a, b) = identity.split_once('-').unwrap_or_else(bad);
        if a.len() != 4 || b.len() != 4 || !is_hex(a) || !is_hex(b) {
            unexpected(line, &out);
        }
        let n: u32 = reply
            .strip_prefix("[010] request #")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| unexpected(line, &out));
        assert!((1..=4).contains(&n), "{out}");
        clients.insert(identity.to_owned());
    }
    // Each request gets 0-4 replies: a client may be unlucky, two are not.
    assert!(
        clients.len() >= 2,
        "replies reached {clients:?} only:\n{out}"
    );
    assert!(clients.len() <= 3, "{out}");
}

// ---- broker peering --------------------------------------------------------

const BROKERS: [&str; 3] = ["DC1", "DC2", "DC3"];

/// The arguments of broker `me` of `brokers`: `me`, then the others.
fn broker_names<'a>(me: &'a str, brokers: &[&'a str]) -> Vec<&'a str> {
    let mut names = vec![me];
    names.extend(brokers.iter().filter(|b| **b != me));
    names
}

#[test]
fn peering1_brokers_exchange_state() {
    let dir = IpcDir::new("peering1");
    let prefix = dir.prefix();
    let procs: Vec<(&str, Proc)> = BROKERS
        .iter()
        .map(|me| {
            let mut args = vec!["--prefix", &prefix, "--seconds", "3.5"];
            args.extend(broker_names(me, &BROKERS));
            (*me, Proc::run_piped("peering1", &args))
        })
        .collect();
    let mut heard_by_anyone = std::collections::BTreeSet::new();
    for (me, proc) in procs {
        let out = proc.finish();
        assert!(
            out.starts_with(&format!("I: preparing broker at {me}...\n")),
            "{out}"
        );
        for peer in BROKERS.iter().filter(|b| **b != me) {
            assert!(
                out.contains(&format!("I: connecting to state backend at '{peer}'\n")),
                "{out}"
            );
        }
        let mut heard = std::collections::BTreeSet::new();
        for line in out.lines().filter(|l| !l.starts_with("I: ")) {
            // `DC2 - 7 workers free`: a peer's name and a random 0-9.
            let (peer, free) = line
                .strip_suffix(" workers free")
                .and_then(|l| l.split_once(" - "))
                .unwrap_or_else(|| panic!("unexpected line {line:?} in:\n{out}"));
            assert!(BROKERS.contains(&peer) && peer != me, "{out}");
            assert!(matches!(free.parse(), Ok(0..=9)), "{out}");
            heard.insert(peer);
        }
        heard_by_anyone.extend(heard.iter().map(|p| p.to_string()));
    }
    // A broker speaks only after a second without hearing anything (as in
    // the guide), so one that keeps hearing its peers may stay quiet; but
    // the first second is quiet for all, so someone speaks.
    assert!(!heard_by_anyone.is_empty());
}

/// The guide's peering1 sends its state when a one-second poll times out:
/// while a peer keeps talking more often than that, the broker stays
/// quiet; once the peer falls silent, the state comes within a second.
#[test]
fn peering1_speaks_only_after_a_quiet_second() {
    let dir = IpcDir::new("peering1-quiet");
    let prefix = dir.prefix();
    // The test plays DC2: it publishes DC2's state and listens to DC1's.
    let ctx = zmq::Context::new();
    let dc2 = ctx.socket(zmq::SocketType::Pub).unwrap();
    dc2.bind(&format!("ipc://{prefix}DC2-state.ipc")).unwrap();
    let dc1 = ctx.socket(zmq::SocketType::Sub).unwrap();
    dc1.set_subscribe(b"").unwrap();
    dc1.connect(&format!("ipc://{prefix}DC1-state.ipc"))
        .unwrap();
    let mut broker = Proc::run_piped(
        "peering1",
        &["--prefix", &prefix, "--seconds", "4.5", "DC1", "DC2"],
    );
    broker.wait_for("I: connecting to state backend at 'DC2'\n");

    // Talk every 200 ms for 2.5 s: DC1 hears us and says nothing.
    let talking = std::time::Instant::now();
    while talking.elapsed() < Duration::from_millis(2500) {
        dc2.send_multipart(["DC2", "5"]).unwrap();
        if let Some(state) = dc1
            .recv_multipart_timeout(Duration::from_millis(200))
            .unwrap()
        {
            panic!(
                "DC1 spoke while hearing DC2: {state:?}\n{}",
                broker.stdout()
            );
        }
    }
    // Fall silent: DC1's state comes after its next quiet second.
    let state = dc1
        .recv_multipart_timeout(Duration::from_secs(3))
        .unwrap()
        .expect("DC1 speaks after a quiet second");
    assert_eq!(state[0], "DC1");
    assert!(
        matches!(zhelpers_digit(&state[1]), Some(0..=9)),
        "{state:?}"
    );
    let out = broker.finish();
    assert!(out.contains("DC2 - 5 workers free\n"), "{out}");
}

/// A one-digit state frame as a number.
fn zhelpers_digit(frame: &[u8]) -> Option<u8> {
    std::str::from_utf8(frame).ok()?.parse().ok()
}

#[test]
fn peering2_brokers_route_requests_locally_and_to_the_cloud() {
    let dir = IpcDir::new("peering2");
    let prefix = dir.prefix();
    let brokers = ["DC1", "DC2"];
    let mut procs: Vec<(&str, Proc)> = brokers
        .iter()
        .map(|me| {
            let mut args = vec!["--prefix", &prefix, "--seconds", "3"];
            args.extend(broker_names(me, &brokers));
            (*me, Proc::run_piped("peering2", &args))
        })
        .collect();
    // As the guide asks: start every broker, then press Enter on each.
    for (_, proc) in &mut procs {
        proc.wait_for("Press Enter when all brokers are started: ");
    }
    // The brokers have bound; give their cloud connections a moment.
    thread::sleep(Duration::from_millis(300));
    for (_, proc) in &mut procs {
        proc.press_enter();
    }
    let (mut to_cloud, mut from_cloud) = (0, 0);
    for (me, proc) in procs {
        let out = proc.finish_output();
        let text = &out.stdout;
        assert!(
            text.starts_with(&format!("I: preparing broker at {me}...\n")),
            "{text}"
        );
        // All ten clients are answered at least once, locally or not.
        let replies = count_lines(text, "Client: OK");
        assert!(replies >= 10, "{text}");
        let served = text.matches("Worker: [005] HELLO\n").count();
        assert!(served >= 5, "{text}");
        let line = out
            .stderr
            .lines()
            .find(|l| l.starts_with("peering2: "))
            .expect(&out.stderr);
        let local = number_in(line, &format!("{me}: "), " requests to local workers");
        assert!(
            local >= served as u64 - 3 && local <= served as u64 + 3,
            "{line}\n{text}"
        );
        to_cloud += number_in(line, "workers, ", " to the cloud");
        from_cloud += number_in(line, "cloud, ", " from the cloud");
    }
    // One request in five goes to the peer: dozens of requests send some.
    assert!(
        to_cloud > 0 && from_cloud > 0,
        "{to_cloud} sent, {from_cloud} received"
    );
}

#[test]
fn peering3_brokers_exchange_state_and_serve_tasks() {
    let dir = IpcDir::new("peering3");
    let prefix = dir.prefix();
    let brokers = ["DC1", "DC2"];
    let procs: Vec<(&str, Proc)> = brokers
        .iter()
        .map(|me| {
            let mut args = vec!["--prefix", &prefix, "--seconds", "5"];
            args.extend(broker_names(me, &brokers));
            (*me, Proc::run_piped("peering3", &args))
        })
        .collect();
    for (me, proc) in procs {
        let out = proc.finish_output();
        let text = &out.stdout;
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some(format!("I: preparing broker at {me}...").as_str())
        );
        let peer = brokers.iter().find(|b| **b != me).unwrap();
        assert_eq!(
            lines.next(),
            Some(format!("I: connecting to cloud frontend at '{peer}'").as_str())
        );
        assert_eq!(
            lines.next(),
            Some(format!("I: connecting to state backend at '{peer}'").as_str())
        );
        // Then the monitor's lines: the id of each task answered (no task is
        // lost: that takes ten seconds without a reply).
        let tasks: Vec<&str> = lines.collect();
        assert!(!tasks.is_empty(), "no task answered:\n{text}");
        for task in &tasks {
            assert!(
                task.len() == 4 && is_hex(task),
                "unexpected line {task:?} in:\n{text}"
            );
        }
        let line = out
            .stderr
            .lines()
            .find(|l| l.starts_with("peering3: "))
            .expect(&out.stderr);
        assert!(
            number_in(line, &format!("{me}: "), " state updates sent") > 0,
            "{line}"
        );
        assert!(number_in(line, "sent, ", " received") > 0, "{line}");
    }
}

// ---- usage -----------------------------------------------------------------

#[test]
fn chapter3_examples_reject_bad_arguments() {
    for (name, args) in [
        ("identity", &["extra"][..]),
        ("rtreq", &["soon"]),
        ("rtdealer", &["1000", "tcp://127.0.0.1:1", "extra"]),
        ("lbbroker", &["a", "b"]),
        ("lbbroker2", &["a", "b"]),
        ("lbbroker3", &["-1"]),
        ("asyncsrv", &["later"]),
        ("peering1", &[]),
        ("peering2", &["--bogus", "DC1"]),
        ("peering3", &["--seconds", "x", "DC1"]),
    ] {
        let (status, out) = Proc::run_piped(name, args).wait_output();
        assert_eq!(
            status.code(),
            Some(2),
            "{name} {args:?}: {}{}",
            out.stdout,
            out.stderr
        );
        assert!(
            out.stderr.starts_with(&format!("usage: {name}")),
            "{}",
            out.stderr
        );
    }
}
