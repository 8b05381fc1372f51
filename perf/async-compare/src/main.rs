//! This crate's async sockets next to its blocking ones (and, with
//! `--zeromq`, next to the pure-Rust `zeromq` crate), over tcp loopback:
//!
//! - throughput, PUSH -> PULL, four ways: `blocking` (the sender on its own
//!   thread, the receiver on the main thread), `async-send` (an async sender
//!   task, the blocking receiver), `async-recv` (the blocking sender thread,
//!   an async receiver task) and `async` (both tasks); each run times the
//!   receiver from its first message to its last, as libzmq's `local_thr`;
//! - latency, REQ -> REP echo, `blocking` (REP on a thread) and `async`
//!   (both tasks): half the mean round trip, as libzmq's `remote_lat`.
//!
//! Tasks run on a fresh 2-worker multi-threaded runtime per run. Every run
//! lasts about `--seconds` (the message count is calibrated per size by a
//! short blocking run). Runs are paired: round r runs blocking, then every
//! other way; one more blocking run closes the series, and each way's run
//! of round r is divided by the mean of the blocking runs on either side of
//! it. The table prints, per size and way, the median rate and the median
//! and range of those paired ratios (above 1: faster than blocking; for
//! latency the ratio is blocking time / async time, so above 1 is faster
//! too). An async run over 20 s counts as stalled and is left out.
//!
//! ```text
//! cargo run --release -- [--runs 9] [--sizes 1,32,1024,65536] [--seconds 0.5] [--zeromq]
//! ```

use std::time::{Duration, Instant};

use zeromq::{Socket as _, SocketRecv as _, SocketSend as _};

type Result<T, E = Box<dyn std::error::Error + Send + Sync>> = std::result::Result<T, E>;

/// A run taking longer than this stalled (it is reported, not counted).
const STALL: Duration = Duration::from_secs(20);

struct Options {
    runs: usize,
    sizes: Vec<usize>,
    seconds: f64,
    zeromq: bool,
}

fn options() -> Result<Options> {
    let mut o = Options {
        runs: 9,
        sizes: vec![1, 32, 1024, 65536],
        seconds: 0.5,
        zeromq: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--runs" => o.runs = value()?.parse::<usize>()?.max(1),
            "--sizes" => {
                o.sizes = value()?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?
            }
            "--seconds" => o.seconds = value()?.parse()?,
            "--zeromq" => o.zeromq = true,
            _ => {
                return Err(format!(
                    "usage: async-compare [--runs N] [--sizes 1,32,...] [--seconds S] [--zeromq] (got {a})"
                )
                .into())
            }
        }
    }
    Ok(o)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Blocking,
    Async,
}

fn rate(messages: usize, elapsed: Duration) -> f64 {
    messages as f64 / elapsed.as_secs_f64()
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// PUSH -> PULL: messages per second at the receiver.
fn throughput(sender: Side, receiver: Side, messages: usize, size: usize) -> Result<Option<f64>> {
    let rt = runtime()?;
    let ctx = zmq::Context::new();
    let pull = ctx.socket(zmq::SocketType::Pull)?;
    pull.bind("tcp://127.0.0.1:*")?;
    let push = ctx.socket(zmq::SocketType::Push)?;
    push.connect(&pull.last_endpoint()?)?;
    let payload = vec![7u8; size];
    let sending = match sender {
        Side::Blocking => {
            let thread = std::thread::spawn(move || -> zmq::Result<()> {
                for _ in 0..messages {
                    push.send(&payload[..])?;
                }
                Ok(())
            });
            Sending::Thread(thread)
        }
        Side::Async => {
            let task = rt.spawn(async move {
                let mut push = push.into_async()?;
                for _ in 0..messages {
                    push.send(&payload[..]).await?;
                }
                Ok::<_, zmq::Error>(())
            });
            Sending::Task(task)
        }
    };
    let elapsed = match receiver {
        Side::Blocking => Some(receive_blocking(&pull, messages)?),
        Side::Async => on(&rt, async move {
            let mut pull = pull.into_async()?;
            let mut msg = zmq::Message::new();
            pull.recv(&mut msg).await?;
            let started = Instant::now();
            for _ in 1..messages {
                pull.recv(&mut msg).await?;
            }
            Ok(started.elapsed())
        })?,
    };
    let Some(elapsed) = elapsed else {
        rt.shutdown_timeout(Duration::from_secs(1));
        return Ok(None);
    };
    match sending {
        Sending::Thread(t) => t.join().map_err(|_| "sender panicked")??,
        Sending::Task(t) => rt.block_on(t)??,
    }
    rt.shutdown_timeout(Duration::from_secs(1));
    Ok(Some(rate(messages - 1, elapsed)))
}

enum Sending {
    Thread(std::thread::JoinHandle<zmq::Result<()>>),
    Task(tokio::task::JoinHandle<zmq::Result<()>>),
}

fn receive_blocking(pull: &zmq::Socket, messages: usize) -> Result<Duration> {
    let mut msg = zmq::Message::new();
    pull.recv(&mut msg)?;
    let started = Instant::now();
    for _ in 1..messages {
        pull.recv(&mut msg)?;
    }
    Ok(started.elapsed())
}

/// `f` in a spawned task on `rt` under the stall limit (spawned, so that
/// the limit fires even when a future spins without yielding); `None` when
/// it stalled.
fn on<F, T>(rt: &tokio::runtime::Runtime, f: F) -> Result<Option<T>>
where
    F: std::future::Future<Output = Result<T>> + Send + 'static,
    T: Send + 'static,
{
    match rt.block_on(async { tokio::time::timeout(STALL, tokio::spawn(f)).await }) {
        Ok(Ok(result)) => result.map(Some),
        Ok(Err(_)) => Err("a measurement panicked".into()),
        Err(_) => Ok(None),
    }
}

/// REQ -> REP echo: microseconds per one-way trip (half a round trip).
fn latency(side: Side, trips: usize, size: usize) -> Result<Option<f64>> {
    let ctx = zmq::Context::new();
    let rep = ctx.socket(zmq::SocketType::Rep)?;
    rep.bind("tcp://127.0.0.1:*")?;
    let req = ctx.socket(zmq::SocketType::Req)?;
    req.connect(&rep.last_endpoint()?)?;
    let payload = vec![7u8; size];
    let elapsed = match side {
        Side::Blocking => {
            let echo = std::thread::spawn(move || -> zmq::Result<()> {
                let mut msg = zmq::Message::new();
                for _ in 0..trips {
                    rep.recv(&mut msg)?;
                    rep.send_msg(&mut msg)?;
                }
                Ok(())
            });
            let mut msg = zmq::Message::new();
            let started = Instant::now();
            for _ in 0..trips {
                req.send(&payload[..])?;
                req.recv(&mut msg)?;
            }
            let elapsed = started.elapsed();
            echo.join().map_err(|_| "echo panicked")??;
            Some(elapsed)
        }
        Side::Async => {
            let rt = runtime()?;
            let echo = rt.spawn(async move {
                let mut rep = rep.into_async()?;
                let mut msg = zmq::Message::new();
                for _ in 0..trips {
                    rep.recv(&mut msg).await?;
                    rep.send_msg(&mut msg).await?;
                }
                Ok::<_, zmq::Error>(())
            });
            let elapsed = on(&rt, async move {
                let mut req = req.into_async()?;
                let mut msg = zmq::Message::new();
                let started = Instant::now();
                for _ in 0..trips {
                    req.send(&payload[..]).await?;
                    req.recv(&mut msg).await?;
                }
                Ok(started.elapsed())
            })?;
            if elapsed.is_some() {
                rt.block_on(echo)??;
            }
            rt.shutdown_timeout(Duration::from_secs(1));
            elapsed
        }
    };
    Ok(elapsed.map(|e| e.as_secs_f64() * 1e6 / (2 * trips) as f64))
}

/// The pure-Rust `zeromq` crate, PUSH -> PULL, both tasks.
fn zeromq_crate(messages: usize, size: usize) -> Result<Option<f64>> {
    let rt = runtime()?;
    let result = on(&rt, async move {
        let mut pull = zeromq::PullSocket::new();
        let endpoint = pull.bind("tcp://127.0.0.1:0").await?;
        let mut push = zeromq::PushSocket::new();
        push.connect(&endpoint.to_string()).await?;
        let payload = bytes::Bytes::from(vec![7u8; size]);
        let sender = tokio::spawn(async move {
            for _ in 0..messages {
                push.send(zeromq::ZmqMessage::from(payload.clone())).await?;
            }
            Ok::<_, zeromq::ZmqError>(push)
        });
        pull.recv().await?;
        let started = Instant::now();
        for _ in 1..messages {
            pull.recv().await?;
        }
        let elapsed = started.elapsed();
        drop(sender.await??);
        Ok(rate(messages - 1, elapsed))
    });
    rt.shutdown_timeout(Duration::from_secs(1));
    result
}

/// One run of a way: its figure, or `None` when it stalled.
type Run<'a> = dyn FnMut() -> Result<Option<f64>> + 'a;

/// One measured way: its runs, and the paired ratios to blocking.
struct Way {
    name: &'static str,
    unit: &'static str,
    /// Higher is better (rates); latencies are inverted for the ratio.
    higher_is_better: bool,
    values: Vec<f64>,
    ratios: Vec<f64>,
    stalled: usize,
}

impl Way {
    fn new(name: &'static str, unit: &'static str, higher_is_better: bool) -> Way {
        Way {
            name,
            unit,
            higher_is_better,
            values: Vec::new(),
            ratios: Vec::new(),
            stalled: 0,
        }
    }
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        return f64::NAN;
    }
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Runs `rounds` rounds of `blocking` followed by each of `others`, plus a
/// closing blocking run, and pairs every other way's run with the blocking
/// runs around it.
fn series(
    rounds: usize,
    blocking: &mut Run<'_>,
    others: &mut [(&mut Way, &mut Run<'_>)],
    base: &mut Way,
) -> Result<()> {
    let mut runs: Vec<Vec<Option<f64>>> = Vec::new();
    let mut blocking_runs = Vec::new();
    for _ in 0..rounds {
        blocking_runs.push(blocking()?.ok_or("a blocking run stalled")?);
        runs.push(
            others
                .iter_mut()
                .map(|(_, run)| run())
                .collect::<Result<_>>()?,
        );
    }
    blocking_runs.push(blocking()?.ok_or("a blocking run stalled")?);
    base.values = blocking_runs.clone();
    for (r, round) in runs.iter().enumerate() {
        let around = (blocking_runs[r] + blocking_runs[r + 1]) / 2.0;
        for ((way, _), value) in others.iter_mut().zip(round) {
            match value {
                Some(v) => {
                    way.values.push(*v);
                    way.ratios.push(if way.higher_is_better {
                        v / around
                    } else {
                        around / v
                    });
                }
                None => way.stalled += 1,
            }
        }
    }
    Ok(())
}

fn print(size: usize, ways: &[&Way]) {
    for way in ways {
        let (lo, hi) = way
            .ratios
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &r| {
                (lo.min(r), hi.max(r))
            });
        let ratio = if way.ratios.is_empty() {
            "(the reference)".to_string()
        } else {
            format!("{:.2}  [{lo:.2}-{hi:.2}]", median(&way.ratios))
        };
        let stalled = if way.stalled > 0 {
            format!("  stalled: {}", way.stalled)
        } else {
            String::new()
        };
        let value = median(&way.values);
        let value = if way.higher_is_better {
            format!("{value:.0}")
        } else {
            format!("{value:.1}")
        };
        println!(
            "| {size} | {} | {value} {} | {ratio} |{stalled}",
            way.name, way.unit
        );
    }
}

/// Messages for a throughput run of about `seconds`, from a short blocking
/// run.
fn calibrate(size: usize, seconds: f64) -> Result<usize> {
    let probe = (2_000_000 / (size + 64)).clamp(2_000, 200_000);
    let rate = throughput(Side::Blocking, Side::Blocking, probe, size)?.ok_or("calibration")?;
    Ok(((rate * seconds) as usize).max(1_000))
}

fn main() -> Result<()> {
    let o = options()?;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "async vs blocking over tcp://127.0.0.1, {} paired rounds, runs of about {} s; load average at start: {}",
        o.runs,
        o.seconds,
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    println!();
    println!("| size (B) | way | median | ratio to blocking: median [range] |");
    println!("|---:|---|---:|---|");
    for &size in &o.sizes {
        let messages = calibrate(size, o.seconds)?;
        let mut base = Way::new("blocking", "msg/s", true);
        let mut send = Way::new("async-send", "msg/s", true);
        let mut recv = Way::new("async-recv", "msg/s", true);
        let mut both = Way::new("async", "msg/s", true);
        let mut zeromq = Way::new("zeromq", "msg/s", true);
        let zmessages = (messages / 20).max(1_000);
        let mut ways: Vec<(&mut Way, &mut Run<'_>)> = Vec::new();
        let mut run_send = || throughput(Side::Async, Side::Blocking, messages, size);
        let mut run_recv = || throughput(Side::Blocking, Side::Async, messages, size);
        let mut run_both = || throughput(Side::Async, Side::Async, messages, size);
        let mut run_zeromq = || zeromq_crate(zmessages, size);
        ways.push((&mut send, &mut run_send));
        ways.push((&mut recv, &mut run_recv));
        ways.push((&mut both, &mut run_both));
        if o.zeromq {
            ways.push((&mut zeromq, &mut run_zeromq));
        }
        series(
            o.runs,
            &mut || throughput(Side::Blocking, Side::Blocking, messages, size),
            &mut ways,
            &mut base,
        )?;
        drop(ways);
        let mut shown = vec![&base, &send, &recv, &both];
        if o.zeromq {
            shown.push(&zeromq);
        }
        print(size, &shown);

        // Latency: trips for about `seconds` at 25 us a one-way trip.
        let trips = ((o.seconds * 1e6 / 50.0) as usize).max(100);
        let mut lat_base = Way::new("blocking", "us", false);
        let mut lat_async = Way::new("async", "us", false);
        let mut run_async = || latency(Side::Async, trips, size);
        series(
            o.runs,
            &mut || latency(Side::Blocking, trips, size),
            &mut [(&mut lat_async, &mut run_async)],
            &mut lat_base,
        )?;
        print(size, &[&lat_base, &lat_async]);
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!();
    println!(
        "load average at end: {}; throughput rows: messages per second at the receiver; latency rows: microseconds one way (half a round trip), ratio = blocking / async",
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    Ok(())
}
