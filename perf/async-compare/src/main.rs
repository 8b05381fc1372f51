//! PUSH -> PULL throughput over tcp loopback, three ways:
//!
//! - `blocking`: this crate's `Socket`, the sender on its own thread;
//! - `async`: this crate's `AsyncSocket`, two tasks on a 2-worker tokio
//!   multi-threaded runtime;
//! - `zeromq`: the pure-Rust `zeromq` crate, two tasks on the same kind of
//!   runtime.
//!
//! Each run times the receiver from its first message to its last, as
//! libzmq's `local_thr` does, and reports messages per second; the median
//! of RUNS runs is printed per way, with the ratios. An async run that
//! takes longer than 20 s is reported as stalled and left out of its median.
//!
//! ```text
//! cargo run --release -- [MESSAGES [SIZE [RUNS]]]   (defaults 200000 32 7)
//! ```

use std::time::{Duration, Instant};

use zeromq::{Socket as _, SocketRecv as _, SocketSend as _};

type Result<T, E = Box<dyn std::error::Error + Send + Sync>> = std::result::Result<T, E>;

fn arg(n: usize, default: usize) -> usize {
    std::env::args()
        .nth(n)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn rate(messages: usize, elapsed: Duration) -> f64 {
    messages as f64 / elapsed.as_secs_f64()
}

fn blocking(messages: usize, size: usize) -> Result<f64> {
    let ctx = zmq::Context::new();
    let pull = ctx.socket(zmq::SocketType::Pull)?;
    pull.bind("tcp://127.0.0.1:*")?;
    let endpoint = pull.last_endpoint()?;
    let push = ctx.socket(zmq::SocketType::Push)?;
    push.connect(&endpoint)?;
    let payload = vec![7u8; size];
    let sender = std::thread::spawn(move || -> zmq::Result<()> {
        for _ in 0..messages {
            push.send(&payload[..])?;
        }
        Ok(())
    });
    let mut msg = zmq::Message::new();
    pull.recv(&mut msg)?;
    let started = Instant::now();
    for _ in 1..messages {
        pull.recv(&mut msg)?;
    }
    let elapsed = started.elapsed();
    sender.join().map_err(|_| "sender panicked")??;
    Ok(rate(messages - 1, elapsed))
}

async fn async_zmq(messages: usize, size: usize) -> Result<f64> {
    let ctx = zmq::Context::new();
    let mut pull = ctx.socket(zmq::SocketType::Pull)?.into_async()?;
    pull.get_ref().bind("tcp://127.0.0.1:*")?;
    let endpoint = pull.get_ref().last_endpoint()?;
    let mut push = ctx.socket(zmq::SocketType::Push)?.into_async()?;
    push.get_ref().connect(&endpoint)?;
    let payload = vec![7u8; size];
    let sender = tokio::spawn(async move {
        for _ in 0..messages {
            push.send(&payload[..]).await?;
        }
        Ok::<_, zmq::Error>(push)
    });
    let mut msg = zmq::Message::new();
    pull.recv(&mut msg).await?;
    let started = Instant::now();
    for _ in 1..messages {
        pull.recv(&mut msg).await?;
    }
    let elapsed = started.elapsed();
    drop(sender.await??);
    Ok(rate(messages - 1, elapsed))
}

async fn zeromq_crate(messages: usize, size: usize) -> Result<f64> {
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
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// A fresh 2-worker multi-threaded runtime per run, shut down after it, so
/// that a run that stalled leaves nothing behind.
/// The measurement runs in a spawned task, so that the timeout fires even
/// when a future spins without yielding (seen with the `zeromq` crate).
fn on_runtime<F>(f: F) -> Result<Option<f64>>
where
    F: std::future::Future<Output = Result<f64>> + Send + 'static,
{
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = rt.block_on(async { tokio::time::timeout(STALL, tokio::spawn(f)).await });
    rt.shutdown_timeout(Duration::from_secs(1));
    match result {
        Ok(Ok(rate)) => rate.map(Some),
        Ok(Err(_)) => Err("a measurement panicked".into()),
        Err(_) => Ok(None),
    }
}

/// A run taking longer than this stalled (it is reported, not counted).
const STALL: Duration = Duration::from_secs(20);

fn show(rate: Option<f64>) -> String {
    match rate {
        Some(r) => format!("{r:>10.0}"),
        None => format!("{:>10}", "STALLED"),
    }
}

fn main() -> Result<()> {
    let messages = arg(1, 200_000).max(2);
    let size = arg(2, 32);
    let runs = arg(3, 7).max(1);
    println!("PUSH -> PULL over tcp://127.0.0.1, {messages} messages of {size} bytes, {runs} runs");
    let (mut b, mut a, mut z) = (Vec::new(), Vec::new(), Vec::new());
    let mut stalled = [0; 2];
    // Interleaved, so that the machine's noise spreads over all three.
    for run in 1..=runs {
        let rb = blocking(messages, size)?;
        let ra = on_runtime(async_zmq(messages, size))?;
        let rz = on_runtime(zeromq_crate(messages, size))?;
        println!(
            "run {run}: blocking {rb:>10.0}  async {}  zeromq {} msg/s",
            show(ra),
            show(rz)
        );
        b.push(rb);
        match ra {
            Some(r) => a.push(r),
            None => stalled[0] += 1,
        }
        match rz {
            Some(r) => z.push(r),
            None => stalled[1] += 1,
        }
    }
    let (mb, ma, mz) = (median(b), median(a), median(z));
    println!("median:   blocking {mb:>10.0}  async {ma:>10.0}  zeromq {mz:>10.0} msg/s");
    println!(
        "async/blocking {:.2}, async/zeromq {:.2}; stalled (> {STALL:?}): async {}, zeromq {}",
        ma / mb,
        ma / mz.max(1.0),
        stalled[0],
        stalled[1]
    );
    Ok(())
}
