//! Ctrl-C as the guide means it (`zctx_interrupted`): SIGINT or SIGTERM
//! sent to a running example ends it in order, with status 0 and its
//! summary, as the C versions do (`zhelpers::interrupt`: the handler writes
//! to a self-pipe, a watcher shuts the context down, the loops end on
//! `ErrorKind::Terminated`). Without the helper these programs died of the
//! signal (status -2), printing nothing more.

use std::time::Duration;

mod common;
use common::{free_endpoint, free_port, wait_listening, IpcDir, Proc};

/// The longest any program may run.
const DEADLINE: Duration = Duration::from_secs(30);

#[test]
fn lbbroker3_stops_on_sigint_with_its_summary() {
    let dir = IpcDir::new("int-lbbroker3");
    let mut broker = Proc::run("lbbroker3", &["0", &dir.prefix()]);
    broker.wait_for("Client: OK\n");
    let (_, err) = broker.interrupt("INT");
    let replies: u64 = err
        .strip_prefix("lbbroker3: passed on ")
        .and_then(|l| l.strip_suffix(" replies\n"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no summary alone on stderr: {err:?}"));
    assert!(replies >= 1, "{err}");
}

#[test]
fn lbbroker3_stops_on_sigterm_too() {
    let dir = IpcDir::new("term-lbbroker3");
    let mut broker = Proc::run("lbbroker3", &["0", &dir.prefix()]);
    broker.wait_for("Worker: ");
    let (_, err) = broker.interrupt("TERM");
    assert!(err.starts_with("lbbroker3: passed on "), "{err}");
}

#[test]
fn peering1_stops_on_sigint() {
    let dir = IpcDir::new("int-peering1");
    let mut broker = Proc::run("peering1", &["--prefix", &dir.prefix(), "DC1", "DC2"]);
    broker.wait_for("I: connecting to state backend at 'DC2'\n");
    // Its first quiet second: it speaks (its own state goes nowhere).
    std::thread::sleep(Duration::from_millis(300));
    let (out, err) = broker.interrupt("INT");
    assert!(out.starts_with("I: preparing broker at DC1...\n"), "{out}");
    assert_eq!(err, "");
}

#[test]
fn peering2_stops_on_sigint_with_its_summary() {
    let dir = IpcDir::new("int-peering2");
    let mut broker = Proc::run("peering2", &["--prefix", &dir.prefix(), "--no-wait", "DC1"]);
    broker.wait_for("Client: OK\n");
    let (_, err) = broker.interrupt("INT");
    assert!(err.starts_with("peering2: DC1: "), "{err}");
    assert!(err.contains(" requests to local workers, "), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn peering3_stops_on_sigint_with_its_summary() {
    let dir = IpcDir::new("int-peering3");
    let mut broker = Proc::run("peering3", &["--prefix", &dir.prefix(), "DC1"]);
    broker.wait_for("I: preparing broker at DC1...\n");
    std::thread::sleep(Duration::from_millis(300));
    let (_, err) = broker.interrupt("INT");
    assert!(err.starts_with("peering3: DC1: "), "{err}");
    assert!(err.contains(" state updates sent, "), "{err}");
}

#[test]
fn binary_star_servers_say_interrupted() {
    for server in ["bstarsrv", "bstarsrv2"] {
        let fe = free_endpoint();
        let local = free_endpoint();
        let remote = format!("tcp://127.0.0.1:{}", free_port());
        let proc = Proc::run(server, &["-p", &fe, &local, &remote]);
        wait_listening(&fe);
        let (out, _) = proc.interrupt("INT");
        assert_eq!(
            out, "I: Primary active, waiting for backup (passive)\nW: interrupted\n",
            "{server}"
        );
    }
}

#[test]
fn freelance_servers_say_interrupted() {
    for (server, ready) in [
        ("flserver1", "I: echo service is ready at"),
        ("flserver2", "I: service is ready at"),
        ("flserver3", "I: service is ready at"),
    ] {
        let ep = free_endpoint();
        let args: &[&str] = if server == "flserver3" {
            &[&ep, &ep]
        } else {
            &[&ep]
        };
        let proc = Proc::run(server, args);
        wait_listening(&ep);
        let (out, _) = proc.interrupt("INT");
        assert_eq!(out, format!("{ready} {ep}\nW: interrupted\n"), "{server}");
    }
}

#[test]
fn bstarcli_stops_on_sigint() {
    // No server: the client waits for its first reply, then fails over.
    let primary = free_endpoint();
    let backup = free_endpoint();
    let mut client = Proc::run("bstarcli", &["0", &primary, &backup]);
    client.wait_for("I: connecting to server at ");
    std::thread::sleep(Duration::from_millis(200));
    let (out, _) = client.interrupt("INT");
    assert!(!out.contains("replied"), "{out}");
}
