//! What the guide's `zhelpers.h` gives its C examples, in Rust: dump a
//! multipart message, set a random printable identity, a small random
//! number generator, a millisecond clock, and optional arguments that bound
//! a run. Include it in an example with:
//!
//! ```ignore
//! #[path = "zhelpers/mod.rs"]
//! mod zhelpers;
//! ```
#![allow(dead_code)]

use std::cell::Cell;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use zmq::{Message, RecvFlags, Socket};

/// Prints the frames of a message as the guide's `s_dump` does: a rule, then
/// `[size] text` per frame, hex when the frame is not printable text. Binary
/// identities with a 0x00 byte print in full (the C version cut them there).
pub fn dump_frames(frames: &[Message]) {
    println!("----------------------------------------");
    for frame in frames {
        println!("{}", frame_line(frame));
    }
}

/// One `[size] text` line of [`dump_frames`].
pub fn frame_line(frame: &[u8]) -> String {
    let printable = frame.iter().all(|&b| (32..127).contains(&b));
    let body = if printable {
        String::from_utf8_lossy(frame).into_owned()
    } else {
        frame.iter().map(|b| format!("{b:02X}")).collect()
    };
    format!("[{:03}] {}", frame.len(), body)
}

/// Receives all frames waiting on `socket` and dumps them (`s_dump`).
pub fn dump(socket: &Socket) -> zmq::Result<Vec<Message>> {
    let frames = socket.recv_multipart(RecvFlags::empty())?;
    dump_frames(&frames);
    Ok(frames)
}

/// Gives `socket` a random printable identity `XXXX-XXXX` (`s_set_id`).
pub fn set_random_id(socket: &Socket) -> zmq::Result<String> {
    let id = format!("{:04X}-{:04X}", within(0x10000), within(0x10000));
    socket.set_routing_id(id.as_bytes())?;
    Ok(id)
}

thread_local! {
    static STATE: Cell<u64> = Cell::new(seed());
}

fn seed() -> u64 {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64);
    let here = &nanos as *const u64 as u64; // differs per thread
    (nanos ^ here.rotate_left(32)) | 1
}

/// A random number in `0..n` (`randof`), from a per-thread xorshift generator.
pub fn within(n: u64) -> u64 {
    STATE.with(|state| {
        let mut x = state.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        state.set(x);
        if n == 0 {
            0
        } else {
            x % n
        }
    })
}

/// Milliseconds since the epoch (`s_clock`).
pub fn clock_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// Sleeps `ms` milliseconds (`s_sleep`).
pub fn sleep_ms(ms: u64) {
    std::thread::sleep(Duration::from_millis(ms));
}

/// The `n`-th command-line argument parsed as `T`, or `default` when absent.
/// A present but unparsable argument ends the program with a usage message.
pub fn arg<T: std::str::FromStr>(n: usize, default: T, usage: &str) -> T {
    match std::env::args().nth(n) {
        None => default,
        Some(text) => text.parse().unwrap_or_else(|_| {
            eprintln!("usage: {usage}");
            std::process::exit(2)
        }),
    }
}
