//! The ZeroMQ guide's chapter 7 ("Advanced Architecture using ZeroMQ":
//! file transfer with credit-based flow control) and chapter 8 ("A
//! Framework for Distributed Computing": EAGAIN on a full DEALER, UDP
//! discovery, decentralized chat) examples, run as programs on loopback
//! only: free TCP and UDP ports, beacons broadcast to `127.255.255.255`.

use std::net::UdpSocket;
use std::time::{Duration, Instant};

mod common;
use common::{count_lines, free_endpoint, free_port, IpcDir, Proc};

/// The longest any example may run.
const DEADLINE: Duration = Duration::from_secs(40);

/// The two checksums a fileio program reports on stderr.
fn checksums(stderr: &str) -> (String, String) {
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("I: file checksum "))
        .unwrap_or_else(|| panic!("no checksums in {stderr}"));
    let (file, received) = line.split_once(", received checksum ").unwrap();
    (file.to_owned(), received.to_owned())
}

fn fileio(name: &str, source: &str) -> common::Output {
    let out = Proc::run(name, &[source, &free_endpoint()]).finish_output();
    let (file, received) = checksums(&out.stderr);
    assert_eq!(file, received, "{name} {source}: {}", out.stderr);
    out
}

#[test]
fn fileio_models_transfer_the_whole_file() {
    // Default: 3,000,000 bytes of generated test data, 12 full chunks;
    // every model ends with a chunk shorter than 250,000 bytes (empty).
    for name in ["fileio1", "fileio2", "fileio3"] {
        let out = Proc::run(name, &[]).finish_output();
        assert_eq!(out.stdout, "13 chunks received, 3000000 bytes\n", "{name}");
        let (file, received) = checksums(&out.stderr);
        assert_eq!(file, received, "{name}");
    }
    // A size that does not divide into chunks: model one still ends with
    // an empty chunk, the others stop at the short one.
    for (name, chunks) in [("fileio1", 6), ("fileio2", 5), ("fileio3", 5)] {
        let out = fileio(name, "1234567");
        assert_eq!(
            out.stdout,
            format!("{chunks} chunks received, 1234567 bytes\n")
        );
    }
}

#[test]
fn fileio_serves_a_given_file() {
    let dir = IpcDir::new("fileio");
    let path = dir.path().join("data.bin");
    let data: Vec<u8> = (0..700_001u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, &data).unwrap();
    let path = path.to_str().unwrap();
    for (name, chunks) in [("fileio1", 4), ("fileio2", 3), ("fileio3", 3)] {
        let out = fileio(name, path);
        assert_eq!(
            out.stdout,
            format!("{chunks} chunks received, 700001 bytes\n")
        );
    }
    // A missing file is an error, not a hang.
    let missing = dir.path().join("missing");
    let (status, _, err) = Proc::run("fileio3", &[missing.to_str().unwrap()]).wait();
    assert_eq!(status.code(), Some(1), "{err}");
}

#[test]
fn fileio3_keeps_within_its_credit() {
    // 5,000,001 bytes: 21 chunks, twice the pipeline of ten. The server's
    // ROUTER drops what exceeds its high-water mark (2 x 10), so a client
    // overrunning its credit would lose chunks and never finish; this one
    // gets them all and reports the window full but never exceeded.
    let out = fileio("fileio3", "5000001");
    assert_eq!(out.stdout, "21 chunks received, 5000001 bytes\n");
    assert!(
        out.stderr
            .contains("I: at most 10 chunks in transit (credit 10)\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn eagain_reports_the_full_queue_and_exits() {
    // Nobody listens on the endpoint: four messages queue, the fifth is
    // refused at once, and the program ends without waiting for a peer.
    let started = Instant::now();
    let out = Proc::run("eagain", &[&free_endpoint()]).finish();
    assert_eq!(
        out,
        "Sending message 0\nSending message 1\nSending message 2\n\
         Sending message 3\nSending message 4\nResource temporarily unavailable\n"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

/// A free UDP port on this machine.
fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn udpping1_finds_its_own_beacon_and_another_peer() {
    let port = free_udp_port();
    let port_arg = port.to_string();
    let mut ping = Proc::run("udpping1", &["3", &port_arg, "127.255.255.255"]);
    ping.wait_for("Pinging peers...");
    // Another peer, on another port of this machine, sends a beacon.
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.send_to(b"!", ("127.0.0.1", port)).unwrap();
    let peer_port = peer.local_addr().unwrap().port();
    let out = ping.finish();
    assert_eq!(count_lines(&out, "Pinging peers..."), 3, "{out}");
    assert_eq!(
        count_lines(&out, &format!("Found peer 127.0.0.1:{port}")),
        3,
        "{out}"
    );
    assert_eq!(
        count_lines(&out, &format!("Found peer 127.0.0.1:{peer_port}")),
        1,
        "{out}"
    );
}

#[test]
fn udpping2_peers_on_one_machine_hear_each_other() {
    // Both bind the same port (udplib's SO_REUSEADDR); each hears its own
    // three beacons and the other's.
    let port = free_udp_port().to_string();
    let mut first = Proc::run("udpping2", &["3", &port, "127.255.255.255"]);
    first.wait_for("Pinging peers...");
    let second = Proc::run("udpping2", &["3", &port, "127.255.255.255"]);
    let (first, second) = (first.finish_output(), second.finish_output());
    for out in [&first, &second] {
        assert_eq!(count_lines(&out.stdout, "Pinging peers..."), 3);
        let heard = count_lines(&out.stderr, &format!("I: beacon from 127.0.0.1:{port}"));
        assert!(heard > 3, "heard {heard}\n{}", out.stderr);
    }
}

/// `I: this node is UUID` from a udpping3's stderr.
fn node_uuid(stderr: &str) -> String {
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("I: this node is "))
        .unwrap_or_else(|| panic!("no uuid in {stderr}"))
        .to_owned()
}

#[test]
fn udpping3_reports_peers_joining_and_leaving() {
    let port = free_udp_port().to_string();
    let mut long = Proc::run("udpping3", &["9", &port, "127.255.255.255"]);
    let short = Proc::run("udpping3", &["2", &port, "127.255.255.255"]);
    long.wait_for("[006] JOINED");
    let short = short.finish_output();
    long.wait_for("[004] LEFT");
    let long = long.finish_output();
    let (long_id, short_id) = (node_uuid(&long.stderr), node_uuid(&short.stderr));
    assert_ne!(long_id, short_id);
    // Each saw the other join (and never itself); the long one saw the
    // short one leave, five seconds after its last beacon.
    let rule = "----------------------------------------";
    assert_eq!(
        short.stdout,
        format!("{rule}\n[006] JOINED\n[032] {long_id}\n"),
        "{}",
        short.stdout
    );
    assert_eq!(
        long.stdout,
        format!("{rule}\n[006] JOINED\n[032] {short_id}\n{rule}\n[004] LEFT\n[032] {short_id}\n")
    );
}

/// Sends empty lines to `speaker` until `listener` prints `line`.
fn say_until_heard(speaker: &mut Proc, listener: &Proc, line: &str) {
    let started = Instant::now();
    while !listener.stdout().contains(line) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "nobody heard {line:?}"
        );
        speaker.press_enter();
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn dechat_peers_on_loopback_addresses_chat() {
    let port = free_port().to_string();
    let mut joe = Proc::run_piped("dechat", &["127.0.0.2", "127.0.0.2", "joe", &port]);
    let mut ann = Proc::run_piped("dechat", &["127.0.0.3", "127.0.0.3", "ann", &port]);
    // Lines sent before the listeners have connected are lost (PUB), so
    // joe says something until ann hears it.
    say_until_heard(&mut joe, &ann, "joe: \n");
    say_until_heard(&mut ann, &joe, "ann: \n");
    // End of input ends both.
    let (joe, ann) = (joe.finish(), ann.finish());
    assert!(joe.lines().all(|l| l == "joe: " || l == "ann: "), "{joe}");
    assert!(ann.lines().all(|l| l == "joe: " || l == "ann: "), "{ann}");
}

#[test]
fn usage_errors() {
    for (name, args) in [
        ("eagain", &["a", "b"][..]),
        ("udpping1", &["x"]),
        ("udpping2", &["1", "not-a-port"]),
        ("udpping3", &["1", "9999", "not-an-address"]),
        ("dechat", &["noaddress"]),
        ("fileio1", &["1", "tcp://127.0.0.1:1", "extra"]),
    ] {
        let (status, _, err) = Proc::run(name, args).wait();
        assert_eq!(status.code(), Some(2), "{name}: {err}");
        assert!(err.starts_with("usage: "), "{name}: {err}");
    }
}
