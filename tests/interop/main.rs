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

use std::time::Duration;

#[path = "../common/mod.rs"]
mod common;
mod examples;
mod peers;
mod security;
mod transport;

/// The longest a peer may take to answer, or an example program to run.
const DEADLINE: Duration = Duration::from_secs(30);
