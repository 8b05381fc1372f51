//! Ctrl-C as the guide means it (`zctx_interrupted`) in the chapter 4
//! Pirate, Majordomo and Titanic programs: SIGINT or SIGTERM sent to a
//! running example ends it in order with status 0 and the C's message
//! (`W: interrupt received, shutting down...` from `mdbroker`, `W:
//! interrupt received, killing worker/client...` from the MDP APIs).
//! Each test waits for the proof that the program runs (a line of output,
//! a service the broker knows) before it signals. Without
//! `zhelpers::interrupt` these programs died of the signal.

use std::time::Duration;

mod common;
use common::{free_endpoint, wait_listening, IpcDir, Proc};

/// The longest any program may run.
const DEADLINE: Duration = Duration::from_secs(30);

const BROKER_STOPPED: &str = "W: interrupt received, shutting down...\n";
const WORKER_STOPPED: &str = "W: interrupt received, killing worker...\n";
const CLIENT_STOPPED: &str = "W: interrupt received, killing client...\n";

/// A broker that runs until it is interrupted, and its endpoint.
fn broker() -> (Proc, String) {
    let endpoint = free_endpoint();
    let mut broker = Proc::run("mdbroker", &["0", &endpoint]);
    broker.wait_for("I: MDP broker/0.2.0 is active at");
    wait_listening(&endpoint);
    (broker, endpoint)
}

/// Waits until the broker at `endpoint` has a worker for `service`
/// (`mmi.service` answers 200).
fn wait_for_service(endpoint: &str, service: &str) {
    let expected = format!("Lookup {service} service: 200\n");
    for _ in 0..100 {
        if Proc::run("mmiecho", &[endpoint, service]).finish() == expected {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("no worker for {service} registered at {endpoint}");
}

/// Stops the broker with `signal`: its message alone, nothing on stderr.
fn stop_broker(broker: Proc, signal: &str) {
    let (out, err) = broker.interrupt(signal);
    assert!(out.ends_with(BROKER_STOPPED), "{out}");
    assert!(!out.contains("E: "), "{out}");
    assert_eq!(err, "");
}

#[test]
fn mdbroker_and_mdworker_stop_on_sigint_with_the_guides_message() {
    let (broker, endpoint) = broker();
    let worker = Proc::run("mdworker", &["0", &endpoint]);
    wait_for_service(&endpoint, "echo");
    let (out, err) = worker.interrupt("INT");
    assert_eq!(out, WORKER_STOPPED);
    assert_eq!(err, "");
    stop_broker(broker, "INT");
}

#[test]
fn mdbroker_stops_on_sigterm_too() {
    let (broker, _) = broker();
    stop_broker(broker, "TERM");
}

#[test]
fn mdclient_stops_on_sigint_with_its_count() {
    let (broker, endpoint) = broker();
    let worker = Proc::run("mdworker", &["0", &endpoint]);
    wait_for_service(&endpoint, "echo");
    // Far more requests than it can make before the signal.
    let mut client = Proc::run("mdclient", &["-v", "1000000", &endpoint]);
    client.wait_for("I: received reply:");
    let (out, _) = client.interrupt("INT");
    let tail = out
        .rsplit_once(CLIENT_STOPPED)
        .map(|(_, tail)| tail)
        .unwrap_or_else(|| panic!("no {CLIENT_STOPPED:?} in {out}"));
    let count: u64 = tail
        .strip_suffix(" requests/replies processed\n")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count after the warning: {tail:?}"));
    assert!((1..1_000_000).contains(&count), "{count}");
    worker.interrupt("INT");
    stop_broker(broker, "INT");
}

#[test]
fn mdclient2_stops_on_sigint_while_its_sends_block() {
    // Nothing listens: its sends fill the queue, then block.
    let endpoint = free_endpoint();
    let mut client = Proc::run("mdclient2", &["-v", "100000", &endpoint]);
    client.wait_for("I: send request to 'echo' service:");
    let (out, _) = client.interrupt("INT");
    assert!(
        out.ends_with(&format!("{CLIENT_STOPPED}0 replies received\n")),
        "{out}"
    );
}

#[test]
fn titanic_and_ticlient_stop_on_sigint() {
    let tmp = IpcDir::new("ch4-int-titanic");
    let store = tmp.path().join("store");
    let store = store.to_str().unwrap();
    let (broker, endpoint) = broker();
    let titanic = Proc::run("titanic", &["0", &endpoint, store]);
    for service in ["titanic.request", "titanic.reply", "titanic.close"] {
        wait_for_service(&endpoint, service);
    }
    // No echo worker: the request stays pending, the client keeps asking.
    let mut client = Proc::run("ticlient", &[&endpoint]);
    client.wait_for("I: no reply yet, trying again...\n");
    let (out, err) = client.interrupt("INT");
    assert!(out.starts_with("I: request UUID [032] "), "{out}");
    assert!(!out.contains("Reply:"), "{out}");
    // Napping (as the C's zclock_sleep, cut short) or in a call.
    assert!(
        out.ends_with("I: no reply yet, trying again...\n") || out.ends_with(CLIENT_STOPPED),
        "{out}"
    );
    assert_eq!(err, "");

    // Its three service tasks each say so; the dispatcher ends quietly.
    let (out, err) = titanic.interrupt("INT");
    assert_eq!(out, WORKER_STOPPED.repeat(3));
    assert_eq!(err, "");
    stop_broker(broker, "INT");
}

#[test]
fn simple_pirate_queue_and_worker_stop_on_sigint() {
    let frontend = free_endpoint();
    let backend = free_endpoint();
    let queue = Proc::run("spqueue", &["0", &frontend, &backend]);
    wait_listening(&frontend);
    let mut worker = Proc::run("spworker", &["0", &backend]);
    worker.wait_for(") worker ready\n");
    // A Lazy Pirate client gets a reply through them, then all three stop.
    let mut client = Proc::run("lpclient", &["0", &frontend]);
    client.wait_for("I: server replied OK (1)\n");
    let (out, err) = client.interrupt("INT");
    assert!(!out.contains("E: "), "{out}");
    assert_eq!(err, "");
    let (out, err) = worker.interrupt("INT");
    assert!(!out.contains("simulating"), "{out}");
    assert_eq!(err, "");
    let (out, err) = queue.interrupt("INT");
    assert_eq!((out.as_str(), err.as_str()), ("", ""));
}

#[test]
fn paranoid_pirate_queue_and_worker_stop_on_signals() {
    let frontend = free_endpoint();
    let backend = free_endpoint();
    let queue = Proc::run("ppqueue", &["0", &frontend, &backend]);
    wait_listening(&frontend);
    let mut worker = Proc::run("ppworker", &["0", &backend]);
    worker.wait_for("I: worker ready\n");
    let (out, err) = worker.interrupt("INT");
    assert!(
        out.lines()
            .all(|l| l == "I: worker ready" || l == "I: worker heartbeat"),
        "{out}"
    );
    assert_eq!(err, "");
    let (out, err) = queue.interrupt("TERM");
    assert_eq!((out.as_str(), err.as_str()), ("", ""));
}

#[test]
fn lazy_pirate_server_stops_on_sigint() {
    let endpoint = free_endpoint();
    let server = Proc::run("lpserver", &["0", &endpoint]);
    wait_listening(&endpoint);
    let mut client = Proc::run("lpclient", &["0", &endpoint]);
    client.wait_for("I: server replied OK (1)\n");
    let (out, err) = server.interrupt("INT");
    assert!(out.starts_with("I: normal request (1)\n"), "{out}");
    assert_eq!(err, "");
    client.interrupt("INT");
}

#[test]
fn tripping_stops_on_sigint_before_its_rates() {
    let frontend = free_endpoint();
    let backend = free_endpoint();
    // More round trips than it can make before the signal.
    let mut tripping = Proc::run("tripping", &["100000000", "1", &frontend, &backend]);
    tripping.wait_for("Synchronous round-trip test...\n");
    let (out, err) = tripping.interrupt("INT");
    assert!(!out.contains("calls/second"), "{out}");
    assert_eq!(err, "");
}
