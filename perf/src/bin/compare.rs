//! `cargo run --release -p zmq-perf --bin compare [-- OPTIONS]`: the same
//! workloads in C (csrc/workloads.c, compiled against the libzmq zmq-sys
//! linked) and in Rust (this crate's `zmq`), run alternately, one table row
//! per transport and size: median [min-max] of msg/s, MB/s and latency, and
//! the Rust/C ratios.
//!
//! Options: `--runs N` (default 7), `--quick` (a tenth of the messages, for
//! a smoke test), `--only TEXT` (rows whose transport contains TEXT),
//! `--sizes 1,64,...`, `--against PROGRAM` (the other column runs
//! `PROGRAM <thr|lat> <endpoint> <size> <count> <curve>` in a process of
//! its own instead of this crate: perf/vs-zmq010/run.sh uses it).

use std::time::Instant;

use zmq_perf::{c_lat, c_thr, rust_lat, rust_thr, Sender, Workload, LIBZMQ};

const SIZES: [usize; 5] = [1, 64, 1024, 65536, 1 << 20];

struct Transport {
    name: &'static str,
    curve: bool,
    sender: Sender,
    /// Sizes to run (None: all).
    sizes: Option<&'static [usize]>,
}

const TRANSPORTS: [Transport; 5] = [
    Transport {
        name: "inproc",
        curve: false,
        sender: Sender::Slice,
        sizes: None,
    },
    Transport {
        name: "ipc",
        curve: false,
        sender: Sender::Slice,
        sizes: None,
    },
    Transport {
        name: "tcp",
        curve: false,
        sender: Sender::Slice,
        sizes: None,
    },
    Transport {
        name: "tcp+curve",
        curve: true,
        sender: Sender::Slice,
        sizes: None,
    },
    Transport {
        name: "inproc C-shaped",
        curve: false,
        sender: Sender::InPlace,
        sizes: Some(&[1, 64, 1024]),
    },
];

/// Messages per throughput run: about a tenth of a second each on this
/// class of machine.
fn thr_count(size: usize, curve: bool) -> usize {
    let n = match size {
        0..=64 => 400_000,
        65..=1024 => 200_000,
        1025..=65536 => 10_000,
        _ => 600,
    };
    if curve {
        n / 4
    } else {
        n
    }
}

/// Round trips per latency run.
fn lat_count(transport: &str, size: usize) -> usize {
    let n = if transport.starts_with("inproc") {
        20_000
    } else {
        5_000
    };
    match size {
        0..=1024 => n,
        1025..=65536 => n / 4,
        _ => 200,
    }
}

fn endpoint(transport: &str, row: usize, run: usize, side: &str) -> String {
    let pid = std::process::id();
    if transport.starts_with("inproc") {
        format!("inproc://compare-{row}-{run}-{side}")
    } else if transport == "ipc" {
        format!("ipc:///tmp/zmq-perf-{pid}-{row}-{run}-{side}")
    } else {
        "tcp://127.0.0.1:*".to_string()
    }
}

#[derive(Default)]
struct Samples(Vec<f64>);

impl Samples {
    fn stats(&self) -> (f64, f64, f64) {
        let mut v = self.0.clone();
        v.sort_by(|a, b| a.total_cmp(b));
        if v.is_empty() {
            return (f64::NAN, f64::NAN, f64::NAN);
        }
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        (median, v[0], v[n - 1])
    }
}

fn human(x: f64) -> String {
    if x >= 1e6 {
        format!("{:.2}M", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.1}k", x / 1e3)
    } else {
        format!("{x:.0}")
    }
}

fn size_name(size: usize) -> String {
    match size {
        s if s >= 1 << 20 => format!("{} MiB", s >> 20),
        s if s >= 1024 => format!("{} KiB", s >> 10),
        s => format!("{s} B"),
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut runs = 7;
    let mut quick = false;
    let mut only: Option<String> = None;
    let mut sizes: Vec<usize> = SIZES.to_vec();
    let mut against: Option<String> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => runs = it.next().and_then(|v| v.parse().ok()).unwrap_or(7),
            "--quick" => quick = true,
            "--only" => only = it.next().cloned(),
            "--against" => against = it.next().cloned(),
            "--sizes" => {
                sizes = it
                    .next()
                    .map(|v| v.split(',').filter_map(|s| s.parse().ok()).collect())
                    .unwrap_or_default()
            }
            _ => {
                eprintln!("usage: compare [--runs N] [--quick] [--only TRANSPORT] [--sizes 1,64,...] [--against PROGRAM]");
                std::process::exit(2);
            }
        }
    }
    let started = Instant::now();
    let other = match &against {
        Some(p) => format!("`{}`", p.rsplit('/').next().unwrap_or(p)),
        None => "Rust".to_string(),
    };
    println!("C vs {other} on {LIBZMQ}; {runs} runs per cell, alternated");
    println!("load average at start: {}", loadavg());
    println!();
    println!("| transport | size | C msg/s median [min-max] | {other} msg/s median [min-max] | thr ratio | C MB/s | {other} MB/s | C latency us [min-max] | {other} latency us [min-max] | lat ratio |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let mut row = 0;
    let mut retries = 0;
    for t in &TRANSPORTS {
        if only.as_deref().is_some_and(|o| !t.name.contains(o))
            || (against.is_some() && t.sender != Sender::Slice)
        {
            continue;
        }
        for &size in &sizes {
            if t.sizes.is_some_and(|s| !s.contains(&size)) {
                continue;
            }
            row += 1;
            let scale = if quick { 10 } else { 1 };
            let mut thr = [Samples::default(), Samples::default()];
            let mut lat = [Samples::default(), Samples::default()];
            for run in 0..runs {
                let w = |side: &str, count: usize| Workload {
                    endpoint: endpoint(t.name, row, run, side),
                    size,
                    count: (count / scale).max(2),
                    curve: t.curve,
                    sender: t.sender,
                };
                // Alternate which side goes first.
                for k in 0..2 {
                    let rust = (run + k) % 2 == 1;
                    let tw = w(if rust { "rt" } else { "ct" }, thr_count(size, t.curve));
                    let lw = w(if rust { "rl" } else { "cl" }, lat_count(t.name, size));
                    let once = |attempt: usize| {
                        let mut tw = tw.clone();
                        let mut lw = lw.clone();
                        if attempt > 0 && !tw.endpoint.starts_with("tcp") {
                            tw.endpoint.push_str(&format!("-retry{attempt}"));
                            lw.endpoint.push_str(&format!("-retry{attempt}"));
                        }
                        if let (true, Some(p)) = (rust, &against) {
                            (external(p, "thr", &tw), external(p, "lat", &lw))
                        } else if rust {
                            (rust_thr(&tw), rust_lat(&lw))
                        } else {
                            (c_thr(&tw), c_lat(&lw))
                        }
                    };
                    // A run that stalls (its receiver gives up after
                    // zmq_perf::STALL) is retried, at most twice, and counted.
                    let mut attempt = 0;
                    let (th, la) = loop {
                        let r = once(attempt);
                        if (r.0.is_ok() && r.1.is_ok()) || attempt == 2 {
                            break r;
                        }
                        if let (Err(e), _) | (_, Err(e)) = &r {
                            eprintln!("retrying {} {}: {e}", t.name, size_name(size));
                        }
                        attempt += 1;
                        retries += 1;
                    };
                    match (th, la) {
                        (Ok(th), Ok(la)) => {
                            thr[usize::from(rust)].0.push(th);
                            lat[usize::from(rust)].0.push(la);
                        }
                        (Err(e), _) | (_, Err(e)) => {
                            eprintln!("{} {}: {e}", t.name, size_name(size));
                            std::process::exit(1);
                        }
                    }
                }
            }
            let (ct, ct_lo, ct_hi) = thr[0].stats();
            let (rt, rt_lo, rt_hi) = thr[1].stats();
            let (cl, cl_lo, cl_hi) = lat[0].stats();
            let (rl, rl_lo, rl_hi) = lat[1].stats();
            let mb = |x: f64| x * size as f64 / 1e6;
            println!(
                "| {} | {} | {} [{}-{}] | {} [{}-{}] | {:.2} | {:.1} | {:.1} | {:.2} [{:.2}-{:.2}] | {:.2} [{:.2}-{:.2}] | {:.2} |",
                t.name,
                size_name(size),
                human(ct),
                human(ct_lo),
                human(ct_hi),
                human(rt),
                human(rt_lo),
                human(rt_hi),
                rt / ct,
                mb(ct),
                mb(rt),
                cl,
                cl_lo,
                cl_hi,
                rl,
                rl_lo,
                rl_hi,
                rl / cl,
            );
        }
    }
    println!();
    println!(
        "load average at end: {}; {:.0} s; {retries} stalled runs retried",
        loadavg(),
        started.elapsed().as_secs_f64()
    );
}

/// Runs one workload in `program` (a process of its own) and reads its figure.
fn external(program: &str, kind: &str, w: &Workload) -> Result<f64, String> {
    let out = std::process::Command::new(program)
        .args([
            kind,
            &w.endpoint,
            &w.size.to_string(),
            &w.count.to_string(),
            if w.curve { "1" } else { "0" },
        ])
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim()
        .parse()
        .map_err(|_| format!("{program} {kind}: {}", text.trim()))
}
