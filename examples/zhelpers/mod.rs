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

pub mod interrupt;

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use zmq::{Message, Multipart, Socket};

pub mod chaos; // chapter 4: lpserver, spworker, ppworker
pub mod clock; // chapters 4 and 5: zclock_log
#[allow(unused_imports)] // each program uses a part
pub use clock::log;
pub mod msgfile; // chapter 4: Titanic

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
pub fn dump(socket: &Socket) -> zmq::Result<Multipart> {
    let frames = socket.recv_multipart()?;
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

/// A seed of its own for each thread: the clock, the thread's stack, and a
/// process-wide count of seeds handed out, so that no two threads start from
/// the same state even when the first two coincide. (Under AddressSanitizer
/// one `rtreq` worker of ten once never got a task, which is what happens
/// when two workers draw the same identity: a ROUTER refuses the second peer
/// with a routing id in use.)
fn seed() -> u64 {
    static SEEDS: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64);
    let here = &nanos as *const u64 as u64; // differs per thread
    let count = SEEDS.fetch_add(1, Ordering::Relaxed);
    (nanos ^ here.rotate_left(32) ^ count.wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1
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
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
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

// ---- added for the chapter 1-2 programs ------------------------------------

/// A frame as one line of text: the frame itself when printable, else its
/// bytes in hex, in full (the C examples print identities with `%s`, which
/// shows nothing of a binary identity that starts with 0x00).
pub fn frame_text(frame: &[u8]) -> String {
    if frame.iter().all(|&b| (32..127).contains(&b)) {
        String::from_utf8_lossy(frame).into_owned()
    } else {
        frame.iter().map(|b| format!("{b:02X}")).collect()
    }
}

/// Ends the program with `usage: {usage}` (status 2) when it was given more
/// than `max` arguments.
pub fn args_at_most(max: usize, usage: &str) {
    if std::env::args().count() > max + 1 {
        eprintln!("usage: {usage}");
        std::process::exit(2)
    }
}

/// The exit status of a program's `run`: success, or the error on stderr
/// after the program's name and status 1.
pub fn exit_status<E: std::fmt::Display>(
    name: &str,
    result: Result<(), E>,
) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// How long a loop that runs forever in the guide runs here: `0` is forever
/// (the default), `N` is N iterations (messages, requests), `Ns` N seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunBound {
    /// As in the guide.
    Forever,
    /// This many iterations.
    Count(u64),
    /// This long.
    Time(Duration),
}

impl std::str::FromStr for RunBound {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<RunBound, Self::Err> {
        Ok(match s.strip_suffix('s') {
            Some(secs) => RunBound::Time(Duration::from_secs(secs.parse()?)),
            None => match s.parse()? {
                0 => RunBound::Forever,
                n => RunBound::Count(n),
            },
        })
    }
}

impl RunBound {
    /// Whether the run is over after `done` iterations begun at `started`.
    pub fn reached(&self, done: u64, started: std::time::Instant) -> bool {
        match *self {
            RunBound::Forever => false,
            RunBound::Count(n) => done >= n,
            RunBound::Time(d) => started.elapsed() >= d,
        }
    }

    /// How long a blocking wait may last: `None` (forever) unless the bound
    /// is a time, then what is left of it.
    pub fn time_left(&self, started: std::time::Instant) -> Option<Duration> {
        match *self {
            RunBound::Time(d) => Some(d.saturating_sub(started.elapsed())),
            _ => None,
        }
    }
}

/// Shuts `context` down after `after`, from a timer thread: every blocking
/// call on its sockets (`zmq::proxy` included) then returns
/// an `ErrorKind::Terminated` error. How the proxies bound their run.
pub fn shutdown_after(context: &zmq::Context, after: Duration) {
    let context = context.clone();
    std::thread::spawn(move || {
        std::thread::sleep(after);
        let _ = context.shutdown();
    });
}

// ---- added for the chapter 3 programs --------------------------------------

/// What an [`Actor`]'s owner sends down the pipe to end it (CZMQ's `$TERM`).
pub const ACTOR_TERM: &str = "$TERM";

/// A thread that talks to its owner over an inproc PAIR pipe: CZMQ's
/// `zactor`. Dropping it sends [`ACTOR_TERM`] down the pipe and joins the
/// thread, so the body must watch its pipe (poll it with its other sockets,
/// or wait on it with [`wait_for_term`] instead of sleeping).
pub struct Actor {
    pipe: zmq::Socket,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Actor {
    /// Starts `body` on a new thread, handing it its end of the pipe. Both
    /// ends live in `context`, which the body can reach as `pipe.context()`.
    pub fn new<F>(context: &zmq::Context, body: F) -> zmq::Result<Actor>
    where
        F: FnOnce(zmq::Socket) + Send + 'static,
    {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let endpoint = format!("inproc://zhelpers-actor-{n}");
        let pipe = context.socket(zmq::SocketType::Pair)?;
        pipe.bind(&endpoint)?;
        let child = context.socket(zmq::SocketType::Pair)?;
        child.connect(&endpoint)?;
        let thread = std::thread::spawn(move || body(child));
        Ok(Actor {
            pipe,
            thread: Some(thread),
        })
    }

    /// The owner's end of the pipe.
    pub fn pipe(&self) -> &zmq::Socket {
        &self.pipe
    }
}

impl Drop for Actor {
    fn drop(&mut self) {
        // The body may have ended already: then nobody reads, and this fails
        // or queues; either way joining is all that is left.
        let _ = self.pipe.try_send(ACTOR_TERM);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Waits up to `ms` milliseconds for a message on an actor's `pipe`: an
/// interruptible sleep. Returns `true` (the message consumed) when the owner
/// said something, i.e. the actor should end.
pub fn wait_for_term(pipe: &zmq::Socket, ms: u64) -> zmq::Result<bool> {
    let mut items = [zmq::PollItem::socket(pipe, zmq::PollEvents::POLLIN)];
    zmq::poll(&mut items, Some(Duration::from_millis(ms)))?;
    if items[0].is_readable() {
        pipe.recv_multipart()?;
        return Ok(true);
    }
    Ok(false)
}

/// The arguments of the peering brokers: `[--prefix P] [--seconds S]
/// [--no-wait] me {you}...`. `P` goes in front of the names of their ipc
/// files (`ipc://{P}{name}-state.ipc`; a directory ending in `/`, or any
/// prefix); `S` bounds the run (default: forever).
#[derive(Clone, Debug, Default)]
pub struct BrokerArgs {
    /// In front of every ipc file name; empty by default (the current directory).
    pub prefix: String,
    /// How long to run; `None` is forever, as in the guide.
    pub run_for: Option<Duration>,
    /// Do not wait for Enter before starting (`peering2`).
    pub no_wait: bool,
    /// This broker's name.
    pub me: String,
    /// The peers' names.
    pub peers: Vec<String>,
}

impl BrokerArgs {
    /// `ipc://{prefix}{name}-{what}.ipc`.
    pub fn endpoint(&self, name: &str, what: &str) -> String {
        format!("ipc://{}{name}-{what}.ipc", self.prefix)
    }

    /// The time the run ends, if bounded, counted from now.
    pub fn deadline(&self) -> Option<std::time::Instant> {
        self.run_for.map(|d| std::time::Instant::now() + d)
    }
}

/// Parses [`BrokerArgs`] from the command line; bad arguments end the
/// program with `usage: {usage}` (status 2). `--no-wait` is accepted only
/// when `no_wait_allowed`.
pub fn broker_args(usage: &str, no_wait_allowed: bool) -> BrokerArgs {
    let fail = || -> ! {
        eprintln!("usage: {usage}");
        std::process::exit(2)
    };
    let mut parsed = BrokerArgs::default();
    let mut names = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--prefix" => parsed.prefix = args.next().unwrap_or_else(|| fail()),
            "--seconds" => {
                let secs: f64 = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or_else(|| fail());
                if !secs.is_finite() || secs < 0.0 {
                    fail()
                }
                parsed.run_for = (secs > 0.0).then(|| Duration::from_secs_f64(secs));
            }
            "--no-wait" if no_wait_allowed => parsed.no_wait = true,
            flag if flag.starts_with('-') => fail(),
            name => names.push(name.to_owned()),
        }
    }
    let mut names = names.into_iter();
    parsed.me = names.next().unwrap_or_else(|| fail());
    parsed.peers = names.collect();
    parsed
}

// ---- added for the chapter 4 programs --------------------------------------

/// The arguments of the Freelance clients: `[--requests N] {endpoint}`.
/// Bad arguments end the program with `usage: {usage}` (status 2).
pub fn requests_and_endpoints(usage: &str) -> (Option<u64>, Vec<String>) {
    let fail = || -> ! {
        eprintln!("usage: {usage}");
        std::process::exit(2)
    };
    let mut requests = None;
    let mut endpoints = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--requests" => {
                requests = Some(
                    args.next()
                        .and_then(|n| n.parse().ok())
                        .unwrap_or_else(|| fail()),
                )
            }
            flag if flag.starts_with('-') => fail(),
            _ => endpoints.push(arg),
        }
    }
    (requests, endpoints)
}

/// The Freelance clients' main loop: `requests` name lookups
/// (`random name`) through `request`, then `Average round trip cost: N
/// usec`; the first one left unanswered prints `E: name service not
/// available, aborting` and ends the loop.
pub fn lookup_benchmark(
    requests: u64,
    mut request: impl FnMut(Multipart) -> zmq::Result<Option<Multipart>>,
) -> zmq::Result<()> {
    //  Send a bunch of name resolution 'requests', measure time
    let start = std::time::Instant::now();
    for _ in 0..requests {
        let mut lookup = Multipart::new();
        lookup.push_back("random name");
        if request(lookup)?.is_none() {
            println!("E: name service not available, aborting");
            break;
        }
    }
    let usec = start.elapsed().as_micros() / u128::from(requests.max(1));
    println!("Average round trip cost: {usec} usec");
    Ok(())
}

/// A run that ended on Ctrl-C (`interrupt::catch`) or a bounded run's
/// context shutdown ended in order, as the C's `break; //  Interrupted`
/// does: `Ok(())`. Any other error stays an error.
pub fn stopped_ok(result: zmq::Result<()>) -> zmq::Result<()> {
    match result {
        Err(e) if interrupt::is_stop(&e) => Ok(()),
        result => result,
    }
}

/// Sleeps for `time`, or less when Ctrl-C comes (`interrupt::catch`), as
/// czmq's `zclock_sleep` ends early on a signal. Returns whether a signal
/// came.
pub fn sleep_unless_interrupted(time: Duration) -> bool {
    let end = std::time::Instant::now() + time;
    while !interrupt::interrupted() {
        let left = end.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return false;
        }
        std::thread::sleep(left.min(Duration::from_millis(20)));
    }
    true
}
