//! The guide's Binary Star programs (chapter 4, "High-Availability Pair"):
//! `bstarsrv` and `bstarsrv2` (on the `bstar` reactor class) as primary
//! and backup, `bstarcli` as the client. Each scenario runs on free
//! loopback ports and ends in seconds.

use std::time::Duration;

mod common;
use common::{free_port, Proc};

/// The longest any program may run.
const DEADLINE: Duration = Duration::from_secs(30);

/// The endpoints of one pair: the primary's and backup's frontends and
/// state publishers.
struct Pair {
    primary_fe: u16,
    backup_fe: u16,
    primary_state: u16,
    backup_state: u16,
}

impl Pair {
    fn new() -> Pair {
        Pair {
            primary_fe: free_port(),
            backup_fe: free_port(),
            primary_state: free_port(),
            backup_state: free_port(),
        }
    }

    /// `-p`/`-b` and the three endpoints of one server.
    fn args(&self, primary: bool) -> Vec<String> {
        let (flag, fe, local, remote) = if primary {
            ("-p", self.primary_fe, self.primary_state, self.backup_state)
        } else {
            ("-b", self.backup_fe, self.backup_state, self.primary_state)
        };
        vec![
            flag.to_owned(),
            format!("tcp://127.0.0.1:{fe}"),
            format!("tcp://127.0.0.1:{local}"),
            format!("tcp://127.0.0.1:{remote}"),
        ]
    }

    fn start(&self, server: &str, primary: bool) -> Proc {
        let args = self.args(primary);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Proc::run(server, &args)
    }

    fn client(&self, count: u32) -> Proc {
        let count = count.to_string();
        let primary = format!("tcp://127.0.0.1:{}", self.primary_fe);
        let backup = format!("tcp://127.0.0.1:{}", self.backup_fe);
        Proc::run("bstarcli", &[&count, &primary, &backup])
    }
}

/// Primary and backup pair up; the client gets replies from the primary;
/// the primary is killed; the client fails over to the backup, which takes
/// over, and the client gets all its replies in order.
fn client_keeps_getting_replies_after_the_primary_dies(server: &str, active: &str, failover: &str) {
    let pair = Pair::new();
    let mut primary = pair.start(server, true);
    primary.wait_for("I: Primary active, waiting for backup (passive)\n");
    let mut backup = pair.start(server, false);
    backup.wait_for("I: Backup passive, waiting for primary (active)\n");
    // The state heartbeats pair them up: primary active, backup passive.
    primary.wait_for(&format!("I: connected to backup (passive), {active}\n"));
    backup.wait_for("I: connected to primary (active), ready");

    let mut client = pair.client(4);
    client.wait_for("I: server replied OK (2)\n");
    primary.signal("KILL");
    let out = client.finish();
    let backup_out = backup.stop();

    let primary_fe = format!("tcp://127.0.0.1:{}", pair.primary_fe);
    let backup_fe = format!("tcp://127.0.0.1:{}", pair.backup_fe);
    let expected = [
        format!("I: connecting to server at {primary_fe}..."),
        "I: server replied OK (1)".to_owned(),
        "I: server replied OK (2)".to_owned(),
        "W: no response from server, failing over".to_owned(),
        format!("I: connecting to server at {backup_fe}..."),
        "I: server replied OK (3)".to_owned(),
        "I: server replied OK (4)".to_owned(),
    ];
    assert_eq!(out.lines().collect::<Vec<_>>(), expected, "{out}");
    assert!(backup_out.contains(failover), "{backup_out}");
}

#[test]
fn bstarsrv_client_keeps_getting_replies_after_the_primary_dies() {
    client_keeps_getting_replies_after_the_primary_dies(
        "bstarsrv",
        "ready active",
        "I: failover successful, ready active\n",
    );
}

#[test]
fn bstarsrv2_client_keeps_getting_replies_after_the_primary_dies() {
    client_keeps_getting_replies_after_the_primary_dies(
        "bstarsrv2",
        "ready as active",
        " I: failover successful, ready as active\n",
    );
}

/// A backup alone is passive only once it has heard an active primary:
/// until then it refuses clients (they get no answer), and a primary alone
/// takes client requests once its peer has been silent for two heartbeats.
#[test]
fn bstarsrv2_primary_alone_serves_after_its_peer_stays_silent() {
    let pair = Pair::new();
    let mut primary = pair.start("bstarsrv2", true);
    primary.wait_for("I: Primary active, waiting for backup (passive)\n");
    // The client's first request may come before the peer's expiry (then
    // it is dropped and the client fails over to the backup, which is not
    // there, and back): what matters is that it is answered.
    let mut client = pair.client(2);
    client.wait_for("I: server replied OK (2)\n");
    let out = client.finish();
    let primary_out = primary.stop();
    assert!(
        primary_out.contains(" I: request from client, ready as active\n"),
        "{primary_out}"
    );
    assert!(out.ends_with("I: server replied OK (2)\n"), "{out}");
}

#[test]
fn binary_star_programs_refuse_bad_arguments() {
    for (name, args) in [
        ("bstarsrv", &[][..]),
        ("bstarsrv", &["-x"][..]),
        ("bstarsrv2", &["-p", "tcp://127.0.0.1:1"][..]),
        ("bstarcli", &["1", "tcp://127.0.0.1:1"][..]),
    ] {
        let (status, _, err) = Proc::run(name, args).wait();
        assert_eq!(status.code(), Some(2), "{name} {args:?}: {err}");
        assert!(err.starts_with("usage: "), "{name} {args:?}: {err}");
    }
}
