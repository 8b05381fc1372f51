//! The interop suite: this crate against foreign ZeroMQ peers in other
//! processes — pyzmq (its own libzmq 4.3.5), a C peer compiled against the
//! system's libzmq (Debian's 4.3.4), and czmq (`zauth`, `zcert`).
//!
//! Run it with `cargo test --features interop --test interop` after
//! installing the peers (docs/INTEROP.md; `.ci/run` does both). A missing
//! peer fails its tests with the command that installs it; nothing is
//! skipped. Every peer process is killed when its test ends, failed or not.
//!
//! - `transport`: the socket patterns, each in both directions (Rust binds /
//!   the peer binds), against pyzmq and the C peer.
//! - `security`: CURVE and PLAIN across the boundary, with the Rust
//!   authenticator on one side and pyzmq's `ThreadAuthenticator` or czmq's
//!   `zauth` on the other; `User-Id`/`Peer-Address` metadata; certificate
//!   files both ways.
//! - `examples`: the seed article's example programs against pyzmq ports of
//!   them (`tests/py/*.py`).
//! - `async_pyzmq`: async sockets (feature `tokio`) against pyzmq.

use std::time::Duration;

mod async_pyzmq;
#[path = "../common/mod.rs"]
mod common;
mod examples;
mod peers;
mod security;
mod transport;

/// The longest a peer may take to answer, or an example program to run.
const DEADLINE: Duration = Duration::from_secs(30);

/// The peers run the builds docs/INTEROP.md names, CURVE included: pyzmq
/// on its bundled libzmq 4.3.x, the C peers on the system's libzmq (the
/// version pkg-config reports) and czmq.
#[test]
fn peers_run_the_documented_builds() {
    let modversion = |package: &str| {
        let out = std::process::Command::new("pkg-config")
            .args(["--modversion", package])
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run pkg-config ({e}); install the peers: `{}`",
                    peers::INSTALL
                )
            });
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let system = modversion("libzmq");
    for kind in [peers::Kind::Pyzmq, peers::Kind::Libzmq, peers::Kind::Czmq] {
        let mut peer = peers::Peer::start(kind, "versions");
        let answer = peer.ok("version");
        eprintln!("{kind:?}: {answer}");
        let words: Vec<&str> = answer.split_whitespace().collect();
        let [binding, libzmq, curve] = words[..] else {
            panic!("bad version answer {answer:?}");
        };
        assert_eq!(curve, "1", "{kind:?} has no CURVE: {answer}");
        match kind {
            peers::Kind::Pyzmq => assert!(libzmq.starts_with("4.3."), "{answer}"),
            peers::Kind::Libzmq => {
                assert_eq!(binding, "libzmq");
                assert_eq!(libzmq, system);
            }
            peers::Kind::Czmq => {
                assert_eq!(binding, format!("czmq-{}", modversion("libczmq")));
                assert_eq!(libzmq, system);
            }
        }
        peer.exit();
    }
}

/// Whether process `pid` exists (a zombie, killed but not reaped, does).
fn process_exists(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// A peer that does not answer fails its test within the limit, and the
/// failure kills and reaps it; so does the end of a passing test.
#[test]
fn peers_are_killed_and_reaped_on_failure_and_on_drop() {
    for kind in [peers::Kind::Pyzmq, peers::Kind::Libzmq] {
        let mut peer = peers::Peer::with_socket(kind, "silent", "PULL");
        let pid = peer.pid();
        peer.write("recv"); // nothing will ever come
        let started = std::time::Instant::now();
        let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            peer.line_within(Duration::from_millis(300))
        }));
        let why = *failed
            .expect_err("a silent peer passed")
            .downcast::<String>()
            .unwrap();
        assert!(
            why.contains("printed nothing within 300ms: killed"),
            "{why}"
        );
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(!process_exists(pid), "{kind:?} peer {pid} left behind");

        let peer = peers::Peer::with_socket(kind, "dropped", "PULL");
        let pid = peer.pid();
        drop(peer);
        assert!(!process_exists(pid), "{kind:?} peer {pid} left behind");
    }
}
