//! Memory before authentication (issue 24, item 1): what one peer that has
//! not authenticated can make a CURVE server hold, measured as the RSS of
//! this test process (one test in this crate, so no other test's memory is
//! counted), with and without the `ZMQ_MAXMSGSIZE` that
//! `Authenticator::guard` applies. The attacker is a raw TCP client
//! (tests/raw_zmtp): a ZMTP greeting, then a frame header claiming far more
//! than it sends, then bytes. Loopback only, bounded in time and bytes.
//!
//! The figures are printed (`--nocapture`) and quoted in docs/SECURITY.md.

#![cfg(target_os = "linux")]

mod raw_zmtp;

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use zmq::auth::{Authenticator, GUARD_MAX_MSG_SIZE};
use zmq::{Certificate, Context, Socket, SocketType};

const MIB: u64 = 1 << 20;

/// Whether this process runs under valgrind (.ci/valgrind): its RSS is then
/// valgrind's too, and its threads run one at a time (about 1 MiB/s here),
/// so only the guarded server's behaviour is checked, not the figures.
fn under_valgrind() -> bool {
    std::env::var("LD_PRELOAD").is_ok_and(|p| p.contains("vgpreload"))
}

/// This process's resident set, in bytes.
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

/// Waits until the RSS is at least `base + wanted` or has not grown for
/// 500 ms (at most 10 s), and gives back how much it grew.
fn settle(base: u64, wanted: u64) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut last = rss();
    let mut still_since = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(50));
        let now = rss();
        if now.saturating_sub(base) >= wanted || Instant::now() > deadline {
            return now.saturating_sub(base);
        }
        if now > last {
            last = now;
            still_since = Instant::now();
        } else if still_since.elapsed() > Duration::from_millis(500) {
            return now.saturating_sub(base);
        }
    }
}

/// A CURVE server (REP) of `ctx` on loopback, guarded by `auth` or not.
fn server(ctx: &Context, auth: Option<&Authenticator>, cert: &Certificate) -> (Socket, String) {
    let server = ctx.socket(SocketType::Rep).unwrap();
    cert.apply_server(&server).unwrap();
    if let Some(auth) = auth {
        auth.guard(&server).unwrap();
    }
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = server.last_endpoint().unwrap();
    (server, endpoint)
}

/// An unauthenticated CURVE peer: greeting, a command frame header claiming
/// `claim` bytes, then up to `send` bytes of it. Gives back the stream (if
/// the server has not closed it), the bytes sent, and how long it took.
fn attack(endpoint: &str, claim: u64, send: u64) -> (Option<TcpStream>, u64, Duration) {
    let mut stream = raw_zmtp::connect(endpoint, "CURVE");
    stream
        .set_write_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let started = Instant::now();
    stream.write_all(&raw_zmtp::header(0x04, claim)).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    let mut sent = 0;
    while sent < send {
        let n = (send - sent).min(chunk.len() as u64) as usize;
        match stream.write_all(&chunk[..n]) {
            Ok(()) => sent += n as u64,
            // The server closed the connection (EPIPE, ECONNRESET).
            Err(_) => return (None, sent, started.elapsed()),
        }
    }
    (Some(stream), sent, started.elapsed())
}

#[test]
fn guard_bounds_what_an_unauthenticated_peer_makes_a_curve_server_hold() {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    auth.configure_curve_any("*");
    let cert = Certificate::generate().unwrap();
    let claim = 1 << 30; // a frame of 1 GiB, announced, never sent whole
    let stream = 192 * MIB;

    // Guarded: libzmq refuses the header at once (ZMQ_MAXMSGSIZE), before
    // the handshake, and the server holds nothing.
    let (_guarded, endpoint) = server(&ctx, Some(&auth), &cert);
    let base = rss();
    let (open, sent, _) = attack(&endpoint, claim, stream);
    let grown = settle(base, 64 * MIB);
    println!(
        "guarded (ZMQ_MAXMSGSIZE {GUARD_MAX_MSG_SIZE}): connection {}, {} MiB accepted \
         before that, RSS +{:.1} MiB",
        if open.is_some() {
            "still open"
        } else {
            "closed by the server"
        },
        sent / MIB,
        grown as f64 / MIB as f64
    );
    assert!(
        open.is_none() && sent < 32 * MIB,
        "a guarded server took {} MiB of an unauthenticated 1 GiB frame",
        sent / MIB
    );
    assert!(grown < 8 * MIB, "RSS grew by {} MiB", grown / MIB);
    drop(open);
    if under_valgrind() {
        println!("under valgrind: the memory figures are measured by the native run only");
        return;
    }

    // Unguarded (ZMQ_MAXMSGSIZE -1): the server buffers all it is sent, up
    // to the claimed size, until the handshake timeout (30 s).
    let (_open_server, endpoint) = server(&ctx, None, &cert);
    let base = rss();
    let (open, sent, took) = attack(&endpoint, claim, stream);
    let grown = settle(base, sent.saturating_sub(16 * MIB));
    println!(
        "unguarded: {} MiB streamed in {:.2} s, RSS +{:.1} MiB (about {:.0} MiB/s: the \
         30 s handshake timeout allows the whole claimed frame)",
        sent / MIB,
        took.as_secs_f64(),
        grown as f64 / MIB as f64,
        sent as f64 / MIB as f64 / took.as_secs_f64().max(0.001)
    );
    assert!(
        open.is_some(),
        "the unguarded server closed the connection after {} MiB",
        sent / MIB
    );
    assert!(
        grown >= 128 * MIB,
        "the attack did not work here (RSS +{} MiB): the test proves nothing",
        grown / MIB
    );
    drop(open);
    // The server frees the buffer once it sees the connection closed.
    let deadline = Instant::now() + Duration::from_secs(5);
    while rss() > base + 16 * MIB && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }

    // The worst case with the bound: many connections, each holding a frame
    // one byte short of the limit.
    let (_guarded, endpoint) = server(&ctx, Some(&auth), &cert);
    let peers = 32;
    let limit = GUARD_MAX_MSG_SIZE as u64;
    let idle_base = rss();
    let idle: Vec<TcpStream> = (0..peers)
        .map(|_| raw_zmtp::connect(&endpoint, "CURVE"))
        .collect();
    let idle_grown = settle(idle_base, u64::MAX);
    let base = rss();
    let held: Vec<TcpStream> = (0..peers)
        .map(|_| {
            let (open, sent, _) = attack(&endpoint, limit, limit - 1);
            assert_eq!(sent, limit - 1);
            open.expect("a frame within the limit was refused")
        })
        .collect();
    let grown = settle(base, peers * limit);
    let per_peer = grown / peers;
    println!(
        "guarded, {peers} connections each holding {} bytes of a {limit}-byte frame: \
         RSS +{:.1} MiB, {:.0} KiB per connection (+{:.0} KiB per connection that only \
         sent its greeting)",
        limit - 1,
        grown as f64 / MIB as f64,
        per_peer as f64 / 1024.0,
        idle_grown as f64 / peers as f64 / 1024.0
    );
    assert!(
        per_peer <= limit + 512 * 1024,
        "{per_peer} bytes per connection"
    );
    drop((held, idle));
}
