//! The workloads shared by libzmq's perf tools (`src/bin/*_lat`, `*_thr`)
//! and `compare`, in Rust over the `zmq` crate, and their C twins from
//! `csrc/workloads.c` (compiled against the libzmq that zmq-sys linked).
//!
//! Throughput is a pipeline: a PUSH sender thread and a PULL receiver,
//! timed at the receiver from the first message to the last (as libzmq's
//! `local_thr`). Latency: a REP echo thread and a REQ that times round
//! trips (as `local_lat`/`remote_lat`); the figure is half a round trip.

use std::ffi::{c_char, CString};
use std::time::Instant;

use zmq::{Context, CurveKey, Message, SocketType};

/// The CURVE keys of libzmq's perf tools (`local_thr.cpp`, `remote_thr.cpp`),
/// so that a Rust `local_thr ... 1` talks to a C `remote_thr ... 1` and back.
pub mod keys {
    /// The server's secret key (local side).
    pub const SERVER_SECRET: &str = "{X}#>t#jRGaQ}gMhv=30r(Mw+87YGs+5%kh=i@f8";
    /// The server's public key (remote side).
    pub const SERVER_PUBLIC: &str = "DX4nh=yUn{-9ugra0X3Src4SU-4xTgqxcYY.+<SH";
    /// The client's public key.
    pub const CLIENT_PUBLIC: &str = "<n^oA}I:66W+*ds3tAmi1+KJzv-}k&fC2aA5Bj0K";
    /// The client's secret key.
    pub const CLIENT_SECRET: &str = "9R9bV}[6z6DC-%$!jTVTKvWc=LEL{4i4gzUe$@Zx";
}

/// How long a receiver waits for the next message before it gives up.
pub const STALL: std::time::Duration = std::time::Duration::from_secs(3);

/// Which libzmq `compare` runs against (set by build.rs from zmq-sys).
pub const LIBZMQ: &str = env!("ZMQ_PERF_LIBZMQ");

/// One workload: where, how big, how many, and whether CURVE is on.
#[derive(Clone, Debug)]
pub struct Workload {
    /// The endpoint to bind (`tcp://127.0.0.1:*` is resolved).
    pub endpoint: String,
    /// Bytes per message.
    pub size: usize,
    /// Messages (throughput) or round trips (latency).
    pub count: usize,
    /// CURVE encryption between the two sides.
    pub curve: bool,
    /// How the Rust sender builds its frames.
    pub sender: Sender,
}

/// How the Rust throughput sender builds each frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sender {
    /// The idiomatic path: `socket.send(&buf[..])` (a copy, as `zmq_send`).
    Slice,
    /// The C-shaped path, the frame built where it is sent:
    /// `socket.send_from_writer(size, flags, |w| w.put(&buf))`; the C side
    /// then does the same: `zmq_msg_init_size` + `memcpy` + `zmq_msg_send` +
    /// `zmq_msg_close` (as libzmq's `remote_thr`, plus the fill).
    InPlace,
    /// The C-shaped path through a `Message` value:
    /// `Message::from_fn(size, fill)` + `send_msg` (zeroes, then fills);
    /// against the same C (`workload rust-from-fn`).
    Message,
    /// The C-shaped path as ported line by line from C:
    /// `Message::with_size(size)`, filled through `DerefMut`
    /// (`msg.copy_from_slice(&buf)`), `send_msg`; against the same C
    /// (`workload rust-with-size`).
    WithSize,
}

impl Sender {
    /// Whether the C twin builds each frame itself (the C-shaped rows).
    pub fn c_shaped(self) -> bool {
        self != Sender::Slice
    }
}

/// A failed run: which call, and libzmq's error.
pub type Result<T> = std::result::Result<T, String>;

/// Turns a libzmq error into the C tools' message: `error in zmq_bind: …`.
pub fn fail(what: &'static str) -> impl Fn(zmq::Error) -> String {
    move |e| format!("error in {what}: {e}")
}

/// Sets the server side of CURVE (the binding socket).
pub fn curve_server(s: &zmq::Socket) -> Result<()> {
    let secret = CurveKey::from_z85(keys::SERVER_SECRET).map_err(fail("key"))?;
    s.set_curve_server(true).map_err(fail("zmq_setsockopt"))?;
    s.set_curve_secretkey(&secret)
        .map_err(fail("zmq_setsockopt"))
}

/// Sets the client side of CURVE (the connecting socket).
pub fn curve_client(s: &zmq::Socket) -> Result<()> {
    let key = |z: &str| CurveKey::from_z85(z).map_err(fail("key"));
    s.set_curve_serverkey(&key(keys::SERVER_PUBLIC)?)
        .map_err(fail("zmq_setsockopt"))?;
    s.set_curve_publickey(&key(keys::CLIENT_PUBLIC)?)
        .map_err(fail("zmq_setsockopt"))?;
    s.set_curve_secretkey(&key(keys::CLIENT_SECRET)?)
        .map_err(fail("zmq_setsockopt"))
}

/// Rust throughput: messages per second at the receiver.
pub fn rust_thr(w: &Workload) -> Result<f64> {
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).map_err(fail("zmq_socket"))?;
    if w.curve {
        curve_server(&pull)?;
    }
    pull.bind(&w.endpoint).map_err(fail("zmq_bind"))?;
    let endpoint = pull.last_endpoint().map_err(fail("zmq_getsockopt"))?;
    let (size, count, curve, how) = (w.size, w.count, w.curve, w.sender);
    let push = ctx.socket(SocketType::Push).map_err(fail("zmq_socket"))?;
    // The sender hands its socket back to be closed after the last message
    // arrived: over ipc, libzmq 4.3.5 was seen to drop the tail of the
    // stream when the sender closes right after its last send (C too).
    let sender = std::thread::spawn(move || -> Result<zmq::Socket> {
        if curve {
            curve_client(&push)?;
        }
        push.connect(&endpoint).map_err(fail("zmq_connect"))?;
        let buf = vec![b'A'; size];
        match how {
            Sender::Slice => {
                for _ in 0..count {
                    push.send(&buf[..]).map_err(fail("zmq_send"))?;
                }
            }
            Sender::InPlace => {
                let send = || -> zmq::Result<()> {
                    for _ in 0..count {
                        push.send_from_writer(size, zmq::SendFlags::empty(), |w| {
                            w.put(&buf);
                        })?;
                    }
                    Ok(())
                };
                send().map_err(fail("zmq_msg_send"))?;
            }
            Sender::Message => {
                let send = || -> zmq::Result<()> {
                    for _ in 0..count {
                        let mut msg = Message::from_fn(size, |b| b.copy_from_slice(&buf))?;
                        push.send_msg(&mut msg)?;
                    }
                    Ok(())
                };
                send().map_err(fail("zmq_msg_send"))?;
            }
            Sender::WithSize => {
                let send = || -> zmq::Result<()> {
                    for _ in 0..count {
                        let mut msg = Message::with_size(size)?;
                        msg.copy_from_slice(&buf);
                        push.send_msg(&mut msg)?;
                    }
                    Ok(())
                };
                send().map_err(fail("zmq_msg_send"))?;
            }
        }
        Ok(push)
    });
    let mut msg = Message::new();
    let mut received = || -> Result<()> {
        pull.recv(&mut msg).map_err(fail("zmq_msg_recv"))?;
        if msg.len() != size {
            return Err("message of incorrect size received".into());
        }
        Ok(())
    };
    received()?;
    // A run that stalls fails instead of hanging (see compare's retries).
    pull.set_rcvtimeo(Some(STALL))
        .map_err(fail("zmq_setsockopt"))?;
    let start = Instant::now();
    for i in 1..count {
        received()
            .map_err(|e| format!("Rust receiver: stopped after {i} of {count} messages: {e}"))?;
    }
    let elapsed = start.elapsed().as_secs_f64().max(1e-6);
    let push = sender.join().map_err(|_| "sender panicked".to_string())??;
    drop(push);
    Ok((count.saturating_sub(1)) as f64 / elapsed)
}

/// Rust latency: mean one-way latency in microseconds (half a round trip).
pub fn rust_lat(w: &Workload) -> Result<f64> {
    let ctx = Context::new();
    let req = ctx.socket(SocketType::Req).map_err(fail("zmq_socket"))?;
    if w.curve {
        curve_server(&req)?;
    }
    req.bind(&w.endpoint).map_err(fail("zmq_bind"))?;
    let endpoint = req.last_endpoint().map_err(fail("zmq_getsockopt"))?;
    let (size, count, curve) = (w.size, w.count, w.curve);
    let rep = ctx.socket(SocketType::Rep).map_err(fail("zmq_socket"))?;
    let echo = std::thread::spawn(move || -> Result<zmq::Socket> {
        if curve {
            curve_client(&rep)?;
        }
        rep.connect(&endpoint).map_err(fail("zmq_connect"))?;
        let mut msg = Message::new();
        for _ in 0..count {
            rep.recv(&mut msg).map_err(fail("zmq_msg_recv"))?;
            rep.send_msg(&mut msg).map_err(fail("zmq_msg_send"))?;
        }
        // Closed by the timing side, as the throughput sender's socket.
        Ok(rep)
    });
    let buf = vec![b'A'; size];
    let mut msg = Message::new();
    req.set_rcvtimeo(Some(STALL))
        .map_err(fail("zmq_setsockopt"))?;
    req.send(&buf[..]).map_err(fail("zmq_send"))?;
    req.recv(&mut msg).map_err(fail("zmq_msg_recv"))?;
    let start = Instant::now();
    for _ in 1..count {
        req.send(&buf[..]).map_err(fail("zmq_send"))?;
        req.recv(&mut msg).map_err(fail("zmq_msg_recv"))?;
        if msg.len() != size {
            return Err("message of incorrect size received".into());
        }
    }
    let elapsed = start.elapsed().as_secs_f64() * 1e6;
    let rep = echo
        .join()
        .map_err(|_| "echo thread panicked".to_string())??;
    drop(rep);
    if count < 2 {
        return Err("need at least 2 round trips".into());
    }
    Ok(elapsed / ((count - 1) as f64 * 2.0))
}

extern "C" {
    fn zmqperf_c_thr(
        endpoint: *const c_char,
        size: usize,
        count: i32,
        server_secret: *const c_char,
        server_public: *const c_char,
        client_public: *const c_char,
        client_secret: *const c_char,
        c_shaped: i32,
    ) -> f64;
    fn zmqperf_c_lat(
        endpoint: *const c_char,
        size: usize,
        roundtrips: i32,
        server_secret: *const c_char,
        server_public: *const c_char,
        client_public: *const c_char,
        client_secret: *const c_char,
        c_shaped: i32,
    ) -> f64;
}

type CWorkload = unsafe extern "C" fn(
    *const c_char,
    usize,
    i32,
    *const c_char,
    *const c_char,
    *const c_char,
    *const c_char,
    i32,
) -> f64;

fn run_c(f: CWorkload, w: &Workload) -> Result<f64> {
    let cstr = |s: &str| CString::new(s).map_err(|_| "NUL in argument".to_string());
    let endpoint = cstr(&w.endpoint)?;
    let keys = [
        cstr(keys::SERVER_SECRET)?,
        cstr(keys::SERVER_PUBLIC)?,
        cstr(keys::CLIENT_PUBLIC)?,
        cstr(keys::CLIENT_SECRET)?,
    ];
    let key = |i: usize| {
        if w.curve {
            keys[i].as_ptr()
        } else {
            std::ptr::null()
        }
    };
    let count = i32::try_from(w.count).map_err(|_| "count too large".to_string())?;
    // SAFETY: every pointer is a NUL-terminated string (or NULL for "no
    // CURVE") that outlives the call; the C function owns its context,
    // sockets and thread, and joins the thread before returning.
    let shape = i32::from(w.sender.c_shaped());
    let r = unsafe {
        f(
            endpoint.as_ptr(),
            w.size,
            count,
            key(0),
            key(1),
            key(2),
            key(3),
            shape,
        )
    };
    if r < 0.0 {
        Err(format!("the C workload failed ({})", w.endpoint))
    } else {
        Ok(r)
    }
}

/// C throughput (the same workload as [`rust_thr`]), messages per second.
pub fn c_thr(w: &Workload) -> Result<f64> {
    run_c(zmqperf_c_thr, w)
}

/// C latency (the same workload as [`rust_lat`]), microseconds.
pub fn c_lat(w: &Workload) -> Result<f64> {
    run_c(zmqperf_c_lat, w)
}

/// `atoi` as the C tools parse their numbers: a bad number is an error here.
pub fn arg<T: std::str::FromStr>(args: &[String], i: usize, usage: &str) -> T {
    match args.get(i).and_then(|a| a.parse().ok()) {
        Some(v) => v,
        None => usage_exit(usage),
    }
}

fn usage_exit(usage: &str) -> ! {
    println!("usage: {usage}");
    std::process::exit(1)
}

/// The `main` of a perf tool, as the C tools behave: a command line with a
/// number of words (program name included) not in `counts` prints
/// `usage: USAGE` and exits 1; `run` gets the words, and its error is
/// printed and ends the process with status 255.
pub fn tool_main(usage: &str, counts: &[usize], run: impl FnOnce(&[String]) -> Result<()>) {
    let args: Vec<String> = std::env::args().collect();
    if !counts.contains(&args.len()) {
        usage_exit(usage);
    }
    if let Err(e) = run(&args) {
        println!("{e}");
        std::process::exit(255);
    }
}

/// Receives one message into `msg` and checks that it has `size` bytes.
pub fn recv_sized(s: &zmq::Socket, msg: &mut Message, size: usize) -> Result<()> {
    s.recv(msg).map_err(fail("zmq_recvmsg"))?;
    if msg.len() != size {
        return Err("message of incorrect size received".into());
    }
    Ok(())
}

/// Receives `count` messages of `size` bytes and returns the microseconds
/// from the first to the last (at least 1), as `local_thr` times them.
pub fn time_receiver(s: &zmq::Socket, size: usize, count: usize) -> Result<f64> {
    let mut msg = Message::new();
    recv_sized(s, &mut msg, size)?;
    let start = Instant::now();
    for _ in 1..count {
        recv_sized(s, &mut msg, size)?;
    }
    Ok((start.elapsed().as_micros() as f64).max(1.0))
}

/// Prints the two throughput lines of `local_thr`/`inproc_thr`, with the C
/// tools' arithmetic (whole messages per second, then megabits from that).
pub fn print_throughput(size: usize, count: usize, elapsed_us: f64) {
    let throughput = (count as f64 / elapsed_us * 1_000_000.0) as u64;
    let megabits = (throughput as f64 * size as f64 * 8.0) / 1_000_000.0;
    println!("mean throughput: {throughput} [msg/s]");
    println!("mean throughput: {megabits:.3} [Mb/s]");
}

/// Sends `msg` on a REQ socket and receives the echo into it, `count`
/// times; returns half a round trip in microseconds, as `remote_lat`.
pub fn time_round_trips(s: &zmq::Socket, msg: &mut Message, count: usize) -> Result<f64> {
    let size = msg.len();
    let start = Instant::now();
    for _ in 0..count {
        s.send_msg(msg).map_err(fail("zmq_sendmsg"))?;
        recv_sized(s, msg, size)?;
    }
    Ok(start.elapsed().as_micros() as f64 / (count as f64 * 2.0))
}
