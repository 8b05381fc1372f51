//! The ZeroMQ guide's chapter 5 ("Advanced Pub-Sub Patterns") examples, run
//! as programs on free loopback ports: the Espresso proxy's capture, the
//! last value cache, slow-subscriber detection, and the Clone models, each
//! in a bounded scenario whose output is checked against the pattern.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

mod common;
use common::{count_lines, free_endpoint, free_port, wait_listening, Proc};

#[path = "../examples/clone/mod.rs"]
mod clone;
#[path = "../examples/zhelpers/mod.rs"]
mod zhelpers;

/// The longest any example may run.
const DEADLINE: Duration = Duration::from_secs(40);

#[test]
fn espresso_captures_subscriptions_and_messages() {
    let (publisher, proxy) = (free_endpoint(), free_endpoint());
    // The subscriber takes five messages, A or B (each message is one of
    // them with odds of one in five: a fixed three seconds once saw none),
    // then leaves, which unsubscribes it (0x00 + topic): wait for that,
    // then Ctrl-C ends the proxy.
    let mut espresso = Proc::run("espresso", &["0", &publisher, &proxy]);
    espresso.wait_for("[002] 0041\n");
    let (out, _) = espresso.interrupt("INT");
    // The subscriptions travel upstream through the proxy: 0x01 + topic.
    assert!(out.contains("[002] 0141\n"), "{out}");
    assert!(out.contains("[002] 0142\n"), "{out}");
    // The publisher's messages travel downstream, only those subscribed
    // to ("A-12345", "B-00042").
    let messages: Vec<&str> = out.lines().filter(|l| l.starts_with("[007] ")).collect();
    assert!(messages.len() >= 5, "{out}");
    for m in &messages {
        let (letter, digits) = m[6..].split_once('-').unwrap();
        assert!(letter == "A" || letter == "B", "{out}");
        assert!(
            digits.len() == 5 && digits.bytes().all(|b| b.is_ascii_digit()),
            "{out}"
        );
    }
    assert!(out.ends_with(" interrupted\n"), "{out}");
}

#[test]
fn pathosub_gets_save_roger_when_connected_first() {
    let endpoint = free_endpoint();
    // The guide: first the subscriber, then the publisher.
    let subscriber = Proc::run("pathosub", &[&endpoint, "1", "123"]);
    let publisher = Proc::run("pathopub", &[&endpoint, "0"]);
    assert_eq!(subscriber.finish(), "Save Roger\n");
    publisher.stop();
}

#[test]
fn lvcache_gives_late_subscribers_the_last_value_at_once() {
    let (upstream, downstream) = (free_endpoint(), free_endpoint());
    let cache = Proc::run("lvcache", &["30", &upstream, &downstream]);
    wait_listening(&downstream);
    let publisher = Proc::run("pathopub", &[&upstream, "0"]);

    // Wait until the last of the 1,000 topics went through the cache.
    let ctx = zmq::Context::new();
    let probe = ctx.socket(zmq::SocketType::Sub).unwrap();
    probe.connect(&downstream).unwrap();
    probe.set_subscribe(b"999").unwrap();
    let got = probe
        .recv_multipart_timeout(Duration::from_secs(10))
        .unwrap()
        .expect("topic 999 through the cache");
    // (pathopub then says "Off with his head!" on one random topic of the
    // 1,000 a second: rarely, that is the topic asked for.)
    let last_values = ["Save Roger", "Off with his head!"];
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0], "999");
    assert!(last_values.contains(&std::str::from_utf8(&got[1]).unwrap()));

    // Now each new subscriber gets "Save Roger" at once: the publisher
    // itself only says "Off with his head!" now, once a second, on a
    // random topic. Two of them on the same topic: the cache's XPUB is
    // verbose, so the second subscription reaches it too.
    for _ in 0..2 {
        let started = Instant::now();
        let out = Proc::run("pathosub", &[&downstream, "1", "123"]).finish();
        assert!(last_values.contains(&out.trim_end()), "{out}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
    }
    publisher.stop();
    let out = cache.stop();
    assert_eq!(count_lines(&out, "Sending cached topic 123"), 2, "{out}");
    assert_eq!(count_lines(&out, "Sending cached topic 999"), 1, "{out}");
}

#[test]
fn suisnail_detects_the_slow_subscriber() {
    let endpoint = free_endpoint();
    let out = Proc::run("suisnail", &[&endpoint]).finish_output();
    assert_eq!(
        out.stderr,
        "E: subscriber cannot keep up, aborting\n",
        "stdout: {} lines",
        out.stdout.lines().count()
    );
    // It printed the clocks it got, in order, until it fell a second behind.
    let clocks: Vec<u64> = out.stdout.lines().map(|l| l.parse().unwrap()).collect();
    assert!(clocks.len() > 100, "{} clocks", clocks.len());
    assert!(clocks.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn clone_model_one_streams_updates() {
    let endpoint = free_endpoint();
    let client = Proc::run("clonecli1", &["3s", &endpoint]);
    let server = Proc::run("clonesrv1", &["2s", &endpoint]).finish();
    let sent: u64 = server
        .strip_suffix(" messages out\n")
        .unwrap()
        .parse()
        .unwrap();
    let out = client.finish_output();
    let received: u64 = out
        .stdout
        .strip_suffix(" messages in\n")
        .unwrap()
        .parse()
        .unwrap();
    assert!(received > 0 && received <= sent, "{received} of {sent}");
    assert!(out.stderr.contains(" keys in the map"), "{}", out.stderr);
}

/// The number after `prefix` on the first line that starts with it.
fn number_after(out: &str, prefix: &str) -> i64 {
    let rest = out
        .lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} in\n{out}"))
        .trim_start();
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..digits].parse().unwrap()
}

#[test]
fn clone_model_two_snapshot_then_newer_updates() {
    let (snapshot, publisher) = (free_endpoint(), free_endpoint());
    let server = Proc::run("clonesrv2", &["60s", &snapshot, &publisher]);
    wait_listening(&snapshot);
    std::thread::sleep(Duration::from_millis(300));
    let out = Proc::run("clonecli2", &["2000", &snapshot, &publisher]).finish_output();
    let seq = number_after(&out.stdout, "Received snapshot=");
    assert!(seq > 0, "{}", out.stdout);
    assert!(
        out.stderr.starts_with(&format!(
            "I: 2000 updates applied after snapshot {seq}, up to "
        )),
        "{}",
        out.stderr
    );
    let last = number_after(
        &out.stderr,
        &format!("I: 2000 updates applied after snapshot {seq}, up to "),
    );
    assert!(last >= seq + 2000, "{}", out.stderr);
    let served = server.stop();
    assert_eq!(
        number_after(&served, "Sending state shapshot="),
        seq,
        "{served}"
    );
}

/// A clone client's final map (`I: kvmap: k=v ...` on stderr) and last
/// sequence (`N messages in`).
fn client_state(out: &common::Output) -> (i64, BTreeMap<String, String>) {
    let seq = out
        .stdout
        .lines()
        .find_map(|l| l.strip_suffix(" messages in"))
        .expect("messages in")
        .parse()
        .unwrap();
    let map = out
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("I: kvmap:"))
        .expect("kvmap")
        .split_whitespace()
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_owned(), v.to_owned())
        })
        .collect();
    (seq, map)
}

/// Model three or four: a server and two clients, the second joining late.
/// The late one gets the snapshot (with the first one's updates), then the
/// updates; at the end the client that saw more holds every key the other
/// holds (keys are never deleted in these models).
fn clone_pair(server: &str, client: &str) -> [(i64, BTreeMap<String, String>); 2] {
    let (snapshot, publisher, collector) = (free_endpoint(), free_endpoint(), free_endpoint());
    let server = Proc::run(server, &["30", &snapshot, &publisher, &collector]);
    wait_listening(&collector);
    let mut first = Proc::run(client, &["4", &snapshot, &publisher, &collector]);
    first.wait_for("I: received update=2");
    let late = Proc::run(client, &["3", &snapshot, &publisher, &collector]);
    let (first, late) = (first.finish_output(), late.finish_output());
    assert_eq!(number_after(&first.stdout, "I: received snapshot="), 0);
    let late_snapshot = number_after(&late.stdout, "I: received snapshot=");
    assert!(late_snapshot >= 2, "{}", late.stdout);
    let out = server.stop();
    assert!(out.contains("I: publishing update     1\n"), "{out}");
    assert_eq!(count_lines(&out, "I: sending shapshot=0"), 1, "{out}");
    assert!(
        out.contains(&format!("I: sending shapshot={late_snapshot}\n")),
        "{out}"
    );
    let states = [client_state(&first), client_state(&late)];
    let (less, more) = if states[0].0 <= states[1].0 {
        (&states[0], &states[1])
    } else {
        (&states[1], &states[0])
    };
    for key in less.1.keys() {
        assert!(more.1.contains_key(key), "{key} missing: {states:?}");
    }
    assert!(more.1.len() >= 4, "{states:?}");
    states
}

#[test]
fn clone_model_three_late_client_gets_snapshot_then_updates() {
    clone_pair("clonesrv3", "clonecli3");
}

#[test]
fn clone_model_four_works_on_the_client_subtree() {
    for (_, map) in clone_pair("clonesrv4", "clonecli4") {
        assert!(map.keys().all(|k| k.starts_with("/client/")), "{map:?}");
    }
}

/// `n` consecutive free ports on 127.0.0.1 (the Clone servers of models
/// five and six use a port and the next two).
fn free_ports(n: u16) -> u16 {
    for _ in 0..100 {
        let first = free_port();
        let all_free = (first..first.saturating_add(n))
            .all(|p| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok());
        if all_free && first.checked_add(n).is_some() {
            return first;
        }
    }
    panic!("no {n} consecutive free ports");
}

#[test]
fn clone_model_five_expires_ephemeral_values() {
    let port = free_ports(3);
    let ends: Vec<String> = (0..3)
        .map(|n| format!("tcp://127.0.0.1:{}", port + n))
        .collect();
    let server = Proc::run("clonesrv5", &["30", &port.to_string()]);
    wait_listening(&ends[2]);
    // One client's values live a second; a later one's for ever.
    let mut brief = Proc::run("clonecli5", &["5", &ends[0], &ends[1], &ends[2], "1"]);
    brief.wait_for("I: received update=2");
    let lasting = Proc::run("clonecli5", &["3", &ends[0], &ends[1], &ends[2], "0"]);
    let (brief, lasting) = (brief.finish_output(), lasting.finish_output());
    let out = server.stop();
    assert!(out.contains(" I: publishing update=1\n"), "{out}");
    let deletes = out
        .lines()
        .filter(|l| l.contains(" I: publishing delete="))
        .count();
    assert!(deletes >= 1, "{out}");
    // Deletes reach the clients: the brief one's own values are gone.
    let (seq, map) = client_state(&brief);
    assert!(seq >= 5 && (map.len() as i64) < seq, "{seq} {map:?}\n{out}");
    let late = number_after(&lasting.stdout, "I: received snapshot=");
    assert!(late >= 2, "{}", lasting.stdout);
}

/// Sets `key` to `value` on `setter` until `watcher` has it: a set made
/// before the setter's agent has connected to the servers' collectors is
/// lost (PUB), as in the guide.
fn set_until_seen(
    setter: &clone::CloneClient,
    watcher: &clone::CloneClient,
    key: &str,
    value: &str,
) {
    let started = Instant::now();
    while watcher.get(key).unwrap().as_deref() != Some(value) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{key}={value} never seen"
        );
        setter.set(key, value, 0).unwrap();
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// Waits until `clone` has `value` under `key` (it arrives asynchronously).
fn wait_value(clone: &clone::CloneClient, key: &str, value: &str) {
    let started = Instant::now();
    while clone.get(key).unwrap().as_deref() != Some(value) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{key} never became {value}: {:?}",
            clone.get(key)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The ports of a clonesrv6 pair on free ports: the primary's first port,
/// the backup's, and the two Binary Star state ports.
fn clone6_ports() -> [String; 4] {
    let base = free_ports(8);
    [base, base + 3, base + 6, base + 7].map(|p| p.to_string())
}

/// A clone-class client on `subtree`, connected to the given servers.
fn clone_client(subtree: &str, servers: &[&str]) -> clone::CloneClient {
    let client = clone::CloneClient::new().unwrap();
    client.subtree(subtree).unwrap();
    for port in servers {
        client.connect("tcp://localhost", port).unwrap();
    }
    client
}

#[test]
fn clone_model_six_survives_the_primary() {
    let [primary, backup, state1, state2] = clone6_ports();
    let primary_srv = Proc::run(
        "clonesrv6",
        &["-p", "60", &primary, &backup, &state1, &state2],
    );
    let mut backup_srv = Proc::run(
        "clonesrv6",
        &["-b", "60", &backup, &primary, &state2, &state1],
    );
    backup_srv.wait_for("I: connected to primary (active), ready as passive");

    // The guide's client, through the clone class, setting values for ever.
    let cli = Proc::run(
        "clonecli6",
        &["3", "tcp://localhost", &primary, &backup, "0"],
    )
    .finish_output();
    assert!(
        cli.stdout.contains(&format!(
            "I: received from tcp://localhost:{primary} snapshot="
        )),
        "{}",
        cli.stdout
    );
    assert!(
        cli.stdout.contains(&format!(
            "I: received from tcp://localhost:{primary} update="
        )),
        "{}",
        cli.stdout
    );
    assert!(!cli.stderr.contains("was not stored"), "{}", cli.stderr);

    // Two clients of the class in this process.
    let pair = [primary.as_str(), backup.as_str()];
    let early = clone_client("/client/", &pair);
    let late = clone_client("/client/", &pair);
    set_until_seen(&early, &late, "/client/early", "1");
    set_until_seen(&late, &early, "/client/late", "2");

    // Kill the primary: the clients miss its HUGZ, fail over to the backup,
    // which becomes active on their snapshot request.
    let out = primary_srv.stop();
    assert!(out.contains(" I: publishing update="), "{out}");
    backup_srv.wait_for("I: failover successful, ready as active");
    set_until_seen(&early, &late, "/client/after", "3");
    set_until_seen(&late, &early, "/client/later", "4");
    // What both had before stays, the same on both.
    for clone in [&early, &late] {
        assert_eq!(clone.get("/client/early").unwrap().as_deref(), Some("1"));
        assert_eq!(clone.get("/client/late").unwrap().as_deref(), Some("2"));
    }
    // A client that starts now gets it all from the backup's snapshot.
    let newcomer = clone_client("/client/", &pair);
    for (key, value) in [
        ("early", "1"),
        ("late", "2"),
        ("after", "3"),
        ("later", "4"),
    ] {
        wait_value(&newcomer, &format!("/client/{key}"), value);
    }
    let out = backup_srv.stop();
    assert!(out.contains(" I: sending shapshot="), "{out}");
}

/// A snapshot bigger than a socket's default high-water mark (1,000
/// messages) arrives whole. Past its HWM a ROUTER drops what it cannot
/// queue, and a snapshot that lost its tail (KTHXBAI included) leaves the
/// client waiting for ever; clonesrv2-6 send snapshots with no send HWM.
#[test]
fn clone_model_six_sends_a_large_snapshot_whole() {
    const KEYS: usize = 5000;
    const BATCH: usize = 500; // under the writer's PUB HWM: none dropped
    let [primary, backup, state1, state2] = clone6_ports();
    let server = Proc::run(
        "clonesrv6",
        &["-p", "60", &primary, &backup, &state1, &state2],
    );
    let writer = clone_client("/big/", &[&primary]);
    let watcher = clone_client("/big/", &[&primary]);
    set_until_seen(&writer, &watcher, "/big/start", "0");
    for batch in 0..KEYS / BATCH {
        for i in batch * BATCH..(batch + 1) * BATCH {
            writer.set(&format!("/big/{i:05}"), "x", 0).unwrap();
        }
        // Updates reach the server in order: once this one is seen, the
        // batch before it is stored.
        set_until_seen(&writer, &watcher, &format!("/big/mark{batch}"), "1");
    }
    let newcomer = clone_client("/big/", &[&primary]);
    for i in 0..KEYS {
        wait_value(&newcomer, &format!("/big/{i:05}"), "x");
    }
    let out = server.stop();
    assert!(out.contains(" I: sending shapshot="), "{out}");
}

#[test]
fn usage_errors() {
    for (name, args) in [
        ("espresso", &["x"][..]),
        ("pathosub", &["tcp://127.0.0.1:1", "x"]),
        ("lvcache", &["1", "a", "b", "c"]),
        ("clonesrv1", &["forever"]),
        ("clonecli3", &["1", "a", "b", "c", "d"]),
        ("clonesrv6", &[]),
        ("clonesrv6", &["-p", "1", "2"]),
        ("clonecli6", &["x"]),
    ] {
        let (status, _, err) = Proc::run(name, args).wait();
        assert_eq!(status.code(), Some(2), "{name}: {err}");
        assert!(err.starts_with("usage: "), "{name}: {err}");
    }
}
