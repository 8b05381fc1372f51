//! Throughput, side by side: the same work through the safe `zmq` crate and
//! in C (`csrc/bench.c`) against the same linked libzmq.
//!
//! Run: `cargo bench -p zmq-systest --bench throughput` (add
//! `-- COUNT` to change the message count; default 1,000,000).
//! Each case sends COUNT messages from a PUSH to a PULL with the high-water
//! marks off (one thread sends all, then receives all) and reports the best
//! of three runs in messages per second.

extern crate zmq_systest;

use std::ffi::{c_char, CString};
use std::time::Instant;

use zmq::{Context, Message, SocketType};

extern "C" {
    fn zmqbench_c_throughput(endpoint: *const c_char, count: i32, size: usize) -> i64;
}

fn rust_throughput(endpoint: &str, count: i32, size: usize) -> zmq::Result<u128> {
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull)?;
    let push = ctx.socket(SocketType::Push)?;
    pull.set_rcvhwm(0)?;
    push.set_sndhwm(0)?;
    pull.bind(endpoint)?;
    push.connect(&pull.last_endpoint()?)?;
    let buf = vec![0u8; size];
    let mut msg = Message::new();
    push.send(&buf[..])?;
    pull.recv(&mut msg)?;
    let start = Instant::now();
    for _ in 0..count {
        push.send(&buf[..])?;
    }
    for _ in 0..count {
        pull.recv(&mut msg)?;
    }
    Ok(start.elapsed().as_nanos())
}

fn c_throughput(endpoint: &str, count: i32, size: usize) -> u128 {
    let c = CString::new(endpoint).expect("endpoint without NUL");
    // SAFETY: a NUL-terminated endpoint; the C function owns everything else.
    let ns = unsafe { zmqbench_c_throughput(c.as_ptr(), count, size) };
    assert!(ns > 0, "the C benchmark failed on {endpoint}");
    ns as u128
}

fn best_of_three(mut run: impl FnMut() -> u128) -> u128 {
    (0..3).map(|_| run()).min().unwrap_or(u128::MAX)
}

fn main() {
    let count: i32 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let (major, minor, patch) = zmq::version();
    println!("libzmq {major}.{minor}.{patch}, {count} messages per run, best of 3\n");
    println!(
        "{:<28} {:>14} {:>14} {:>8}",
        "case", "C msg/s", "Rust msg/s", "Rust/C"
    );
    for (transport, endpoint) in [("inproc", "inproc://bench"), ("tcp", "tcp://127.0.0.1:*")] {
        for size in [1usize, 64, 1024] {
            let c = best_of_three(|| c_throughput(endpoint, count, size));
            let rust = best_of_three(|| {
                rust_throughput(endpoint, count, size).expect("Rust benchmark failed")
            });
            let rate = |ns: u128| count as f64 * 1e9 / ns as f64;
            println!(
                "{:<28} {:>14.0} {:>14.0} {:>7.2}x",
                format!("push/pull {transport} {size} B"),
                rate(c),
                rate(rust),
                rate(rust) / rate(c)
            );
        }
    }
}
