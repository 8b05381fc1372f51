//! `cargo run --release -p zmq-perf --bin compare [-- OPTIONS]`: the same
//! workloads in C (csrc/workloads.c, compiled against the libzmq zmq-sys
//! linked) and in Rust (this crate's `zmq`), one table row per transport and
//! size: median [min-max] of msg/s, MB/s and latency, and the Rust/C ratios.
//!
//! Every run is a process of its own on both sides (`workload c ...`,
//! `workload rust ...`), about `--seconds` long (0.5 by default: the counts
//! are calibrated per cell from a short C run). Runs are paired: C, Rust, C,
//! Rust, ..., C, and each Rust run is divided by the mean of the two C runs
//! around it; the ratio columns give the median and range of those.
//!
//! Options: `--runs N` (default 9), `--seconds S`, `--quick` (runs of
//! 0.02 s, a smoke test), `--only TEXT` (rows whose transport contains
//! TEXT), `--sizes 1,64,...`, `--against PROGRAM` (the other column runs
//! `PROGRAM <thr|lat> <endpoint> <size> <count> <curve>` instead of this
//! crate: perf/vs-zmq010/run.sh uses it).

use std::time::Instant;

use zmq_perf::{Sender, Workload, LIBZMQ};

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

/// Messages per throughput run of about a tenth of a second on this class
/// of machine (the calibration runs a twentieth of it).
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

/// The command of one side: `workload c`, `workload rust`, or `--against`'s
/// program (which takes no side argument).
struct Side {
    command: Vec<String>,
}

impl Side {
    /// One run of `kind` (`thr`/`lat`), retried at most twice when it stalls
    /// (its receiver gives up after zmq_perf::STALL); `retries` counts them.
    fn run(&self, kind: &str, w: &Workload, retries: &mut usize) -> f64 {
        let mut attempt = 0;
        loop {
            let mut w = w.clone();
            if attempt > 0 && !w.endpoint.starts_with("tcp") {
                w.endpoint.push_str(&format!("-retry{attempt}"));
            }
            match external(&self.command, kind, &w) {
                Ok(v) => return v,
                Err(e) if attempt < 2 => {
                    eprintln!("retrying {kind} {} {}: {e}", w.endpoint, size_name(w.size));
                    attempt += 1;
                    *retries += 1;
                }
                Err(e) => {
                    eprintln!("{kind} {} {}: {e}", w.endpoint, size_name(w.size));
                    std::process::exit(1);
                }
            }
        }
    }
}

/// Median and range of paired ratios: run `i` of `other` against the mean of
/// the reference runs `i` and `i + 1` around it.
fn paired(reference: &[f64], other: &[f64]) -> Samples {
    Samples(
        other
            .iter()
            .enumerate()
            .map(|(i, v)| v / ((reference[i] + reference[i + 1]) / 2.0))
            .collect(),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut runs = 9;
    let mut seconds = 0.5;
    let mut only: Option<String> = None;
    let mut sizes: Vec<usize> = SIZES.to_vec();
    let mut against: Option<String> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => runs = it.next().and_then(|v| v.parse().ok()).unwrap_or(9),
            "--quick" => seconds = 0.02,
            "--seconds" => seconds = it.next().and_then(|v| v.parse().ok()).unwrap_or(0.5),
            "--only" => only = it.next().cloned(),
            "--against" => against = it.next().cloned(),
            "--sizes" => {
                sizes = it
                    .next()
                    .map(|v| v.split(',').filter_map(|s| s.parse().ok()).collect())
                    .unwrap_or_default()
            }
            _ => {
                eprintln!("usage: compare [--runs N] [--seconds S] [--quick] [--only TRANSPORT] [--sizes 1,64,...] [--against PROGRAM]");
                std::process::exit(2);
            }
        }
    }
    let runs = runs.max(1);
    let workload = std::env::current_exe()
        .expect("current_exe")
        .with_file_name(format!("workload{}", std::env::consts::EXE_SUFFIX));
    let workload = workload.to_string_lossy().into_owned();
    let started = Instant::now();
    let other = match &against {
        Some(p) => format!("`{}`", p.rsplit('/').next().unwrap_or(p)),
        None => "Rust".to_string(),
    };
    println!(
        "C vs {other} on {LIBZMQ}; {runs} paired runs per cell of about {seconds} s each, every run in a process of its own"
    );
    println!("load average at start: {}", loadavg());
    println!();
    println!("| transport | size | C msg/s median [min-max] | {other} msg/s median [min-max] | thr ratio median [min-max] | C MB/s | {other} MB/s | C latency us [min-max] | {other} latency us [min-max] | lat ratio median [min-max] |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let mut row = 0;
    let mut retries = 0;
    for t in &TRANSPORTS {
        if only.as_deref().is_some_and(|o| !t.name.contains(o))
            || (against.is_some() && t.sender != Sender::Slice)
        {
            continue;
        }
        let shaped = t.sender.c_shaped();
        let c = Side {
            command: vec![
                workload.clone(),
                (if shaped { "c-shaped" } else { "c" }).into(),
            ],
        };
        let r = Side {
            command: match &against {
                Some(p) => vec![p.clone()],
                None => vec![
                    workload.clone(),
                    (if shaped { "rust-c-shaped" } else { "rust" }).into(),
                ],
            },
        };
        for &size in &sizes {
            if t.sizes.is_some_and(|s| !s.contains(&size)) {
                continue;
            }
            row += 1;
            let w = |side: &str, run: usize, count: usize| Workload {
                endpoint: endpoint(t.name, row, run, side),
                size,
                count: count.max(2),
                curve: t.curve,
                sender: t.sender,
            };
            // Counts for runs of about `seconds`, from a short C run.
            let probe_thr = c.run(
                "thr",
                &w("pt", 0, thr_count(size, t.curve) / 20),
                &mut retries,
            );
            let probe_lat = c.run(
                "lat",
                &w("pl", 0, lat_count(t.name, size) / 20),
                &mut retries,
            );
            let thr_n = (probe_thr * seconds) as usize;
            let lat_n = (seconds * 1e6 / (2.0 * probe_lat.max(0.1))) as usize;
            // C, Rust, C, Rust, ..., C: each Rust run between two C runs.
            let (mut ct, mut cl, mut rt, mut rl) = (vec![], vec![], vec![], vec![]);
            for run in 0..=runs {
                ct.push(c.run("thr", &w("ct", run, thr_n), &mut retries));
                cl.push(c.run("lat", &w("cl", run, lat_n), &mut retries));
                if run < runs {
                    rt.push(r.run("thr", &w("rt", run, thr_n), &mut retries));
                    rl.push(r.run("lat", &w("rl", run, lat_n), &mut retries));
                }
            }
            let (thr_ratio, thr_lo, thr_hi) = paired(&ct, &rt).stats();
            let (lat_ratio, lat_lo, lat_hi) = paired(&cl, &rl).stats();
            let [(ct, ct_lo, ct_hi), (rt, rt_lo, rt_hi), (cl, cl_lo, cl_hi), (rl, rl_lo, rl_hi)] =
                [ct, rt, cl, rl].map(|v| Samples(v).stats());
            let mb = |x: f64| x * size as f64 / 1e6;
            println!(
                "| {} | {} | {} [{}-{}] | {} [{}-{}] | {:.2} [{:.2}-{:.2}] | {:.1} | {:.1} | {:.2} [{:.2}-{:.2}] | {:.2} [{:.2}-{:.2}] | {:.2} [{:.2}-{:.2}] |",
                t.name,
                size_name(size),
                human(ct),
                human(ct_lo),
                human(ct_hi),
                human(rt),
                human(rt_lo),
                human(rt_hi),
                thr_ratio,
                thr_lo,
                thr_hi,
                mb(ct),
                mb(rt),
                cl,
                cl_lo,
                cl_hi,
                rl,
                rl_lo,
                rl_hi,
                lat_ratio,
                lat_lo,
                lat_hi,
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

/// Runs one workload in a process of its own (`command`, then `kind` and the
/// workload's arguments) and reads its figure.
fn external(command: &[String], kind: &str, w: &Workload) -> Result<f64, String> {
    let out = std::process::Command::new(&command[0])
        .args(&command[1..])
        .args([
            kind,
            &w.endpoint,
            &w.size.to_string(),
            &w.count.to_string(),
            if w.curve { "1" } else { "0" },
        ])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", command[0]))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim()
        .parse()
        .map_err(|_| format!("{} {kind}: {}", command.join(" "), text.trim()))
}
