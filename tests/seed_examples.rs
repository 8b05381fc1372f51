//! The seed article's examples, run as programs: `hwserver`/`hwclient`,
//! `wuserver`/`wuclient`, `taskvent`/`taskwork`/`tasksink` and `patterns`.
//!
//! Each pattern runs Rust against Rust, and against pyzmq peers
//! (`tests/py/*.py`) in both directions. Every process gets a free loopback
//! port of its own (tests run in parallel) and a deadline: a process still
//! running after [`DEADLINE`] is killed and the test fails. A missing
//! `python3` or pyzmq fails the interop tests; it does not skip them.
//!
//! The example binaries are the ones `cargo test` (or `cargo build
//! --examples`) puts in `target/<profile>/examples/`, next to `deps/` where
//! this test runs from.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime};

/// The longest any example or peer may run.
const DEADLINE: Duration = Duration::from_secs(20);

// ---- harness ---------------------------------------------------------------

/// A fresh port on 127.0.0.1: bind port 0, read the port, release it.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local_addr").port()
}

/// `tcp://127.0.0.1:PORT` on a free port, for binding and connecting alike.
fn free_endpoint() -> String {
    format!("tcp://127.0.0.1:{}", free_port())
}

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn modified(path: &Path) -> Option<SystemTime> {
    path.metadata().and_then(|m| m.modified()).ok()
}

/// The command running example `name`: `target/<profile>/examples/<name>`,
/// found from this test's own path (`target/<profile>/deps/<test>`).
fn example(name: &str) -> Command {
    let exe = std::env::current_exe().expect("current_exe");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test binary in target/<profile>/deps");
    let bin = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.is_file(),
        "example binary {} is missing: build the examples first \
         (`cargo build --examples`; a plain `cargo test` builds them too)",
        bin.display()
    );
    let source = manifest_dir().join("examples").join(format!("{name}.rs"));
    if let (Some(src), Some(built)) = (modified(&source), modified(&bin)) {
        assert!(
            src <= built,
            "example binary {} is older than {}: rebuild with `cargo build --examples`",
            bin.display(),
            source.display()
        );
    }
    Command::new(bin)
}

/// The command running `tests/py/<script>` with python3 (or `$PYTHON`);
/// panics, with what to install, when python3 or pyzmq is missing.
fn python(script: &str) -> Command {
    static PYZMQ: OnceLock<Result<String, String>> = OnceLock::new();
    let interpreter = std::env::var_os("PYTHON").unwrap_or_else(|| "python3".into());
    let check = PYZMQ.get_or_init(|| {
        let out = Command::new(&interpreter)
            .args([
                "-c",
                "import zmq; print(zmq.pyzmq_version(), zmq.zmq_version())",
            ])
            .output()
            .map_err(|e| format!("cannot run {interpreter:?}: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
        } else {
            Err(format!(
                "{interpreter:?} cannot import zmq: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    });
    if let Err(why) = check {
        panic!(
            "the interop tests need python3 with pyzmq ({why}); \
             install it with `python3 -m pip install pyzmq` (CI does)"
        );
    }
    let mut cmd = Command::new(interpreter);
    cmd.arg("-u")
        .arg(manifest_dir().join("tests").join("py").join(script));
    cmd
}

/// A running example or peer whose output is captured as it comes. Dropping
/// it kills the process, so a failing test leaves nothing behind.
struct Proc {
    name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    readers: Vec<JoinHandle<()>>,
    started: Instant,
}

fn capture(mut pipe: impl Read + Send + 'static) -> (Arc<Mutex<Vec<u8>>>, JoinHandle<()>) {
    let buf = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&buf);
    let reader = thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n @ 1..) = pipe.read(&mut chunk) {
            sink.lock().unwrap().extend_from_slice(&chunk[..n]);
        }
    });
    (buf, reader)
}

impl Proc {
    fn spawn(name: &str, mut cmd: Command) -> Proc {
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name} ({cmd:?}): {e}"));
        let (stdout, out_reader) = capture(child.stdout.take().unwrap());
        let (stderr, err_reader) = capture(child.stderr.take().unwrap());
        Proc {
            name: name.to_owned(),
            stdin: child.stdin.take(),
            child,
            stdout,
            stderr,
            readers: vec![out_reader, err_reader],
            started: Instant::now(),
        }
    }

    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().unwrap()).into_owned()
    }

    fn report(&self) -> String {
        format!(
            "--- {} stdout:\n{}\n--- {} stderr:\n{}",
            self.name,
            self.stdout(),
            self.name,
            String::from_utf8_lossy(&self.stderr.lock().unwrap())
        )
    }

    fn time_left(&self) -> Duration {
        DEADLINE.saturating_sub(self.started.elapsed())
    }

    /// Waits until the output contains `needle`; fails if the process exits
    /// first or the deadline passes.
    fn wait_for(&mut self, needle: &str) {
        loop {
            if self.stdout().contains(needle) {
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                self.join_readers();
                panic!(
                    "{} exited ({status}) before printing {needle:?}\n{}",
                    self.name,
                    self.report()
                );
            }
            if self.time_left().is_zero() {
                self.kill();
                panic!(
                    "{} did not print {needle:?} within {DEADLINE:?}\n{}",
                    self.name,
                    self.report()
                );
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Answers the ventilator's "Press Enter when the workers are ready".
    fn press_enter(&mut self) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(b"\n").expect("write to stdin");
        stdin.flush().expect("flush stdin");
    }

    /// Waits for the process to exit by itself before the deadline (else
    /// kills it and fails); returns its status, stdout and stderr.
    fn wait(mut self) -> (ExitStatus, String, String) {
        self.stdin = None;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if self.time_left().is_zero() {
                self.kill();
                panic!(
                    "{} still running after {DEADLINE:?}: killed\n{}",
                    self.name,
                    self.report()
                );
            }
            thread::sleep(Duration::from_millis(20));
        };
        self.join_readers();
        let stderr = String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned();
        (status, self.stdout(), stderr)
    }

    /// Waits for the process to exit by itself, which it must do successfully
    /// before the deadline; returns its output.
    fn finish(self) -> String {
        let report_name = self.name.clone();
        let (status, stdout, stderr) = self.wait();
        assert!(
            status.success(),
            "{report_name} failed ({status})\n--- stdout:\n{stdout}\n--- stderr:\n{stderr}"
        );
        stdout
    }

    /// Stops a process that runs forever (a server, a worker): it must still
    /// be running, i.e. it has not crashed. Returns its output.
    fn stop(mut self) -> String {
        if let Some(status) = self.child.try_wait().unwrap() {
            self.join_readers();
            panic!(
                "{} should still be running, but exited ({status})\n{}",
                self.name,
                self.report()
            );
        }
        self.kill();
        self.stdout()
    }

    fn kill(&mut self) -> Option<ExitStatus> {
        let _ = self.child.kill();
        let status = self.child.wait().ok();
        self.join_readers();
        status
    }

    fn join_readers(&mut self) {
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

// ---- checks shared by the Rust and Python sides ----------------------------

/// The hello-world client's output for `count` round trips.
fn check_hello_client(out: &str, count: usize) {
    assert!(out.contains("Connecting to hello world server"), "{out}");
    for n in 0..count {
        assert!(out.contains(&format!("Sending Hello {n}")), "{out}");
        assert!(out.contains(&format!("Received World {n}\n")), "{out}");
    }
    assert!(!out.contains(&format!("Sending Hello {count}")), "{out}");
}

/// The hello-world server's output for `count` requests.
fn check_hello_server(out: &str, count: usize) {
    assert_eq!(out.matches("Received Hello\n").count(), count, "{out}");
}

/// The weather client's average for `zipcode`, which must be a possible one.
fn check_weather_client(out: &str, zipcode: &str) -> i64 {
    assert!(
        out.contains("Collecting updates from weather server"),
        "{out}"
    );
    let prefix = format!("Average temperature for zipcode '{zipcode}' was ");
    let line = out
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no average for {zipcode}:\n{out}"));
    let average: i64 = line
        .strip_suffix('F')
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("bad average line {line:?}"));
    assert!((-80..=134).contains(&average), "{out}");
    average
}

/// The sink's output: 100 results, a `:` for each tenth, and the time.
fn check_sink(out: &str) -> u64 {
    assert_eq!(out.matches(':').count(), 10 + 1, "{out}"); // + "Total...: N"
    assert_eq!(out.matches('.').count(), 90, "{out}");
    let ms = out
        .lines()
        .find_map(|l| l.strip_prefix("Total elapsed time: "))
        .and_then(|l| l.strip_suffix(" msec"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no elapsed time:\n{out}"));
    assert!(ms < DEADLINE.as_millis() as u64, "{out}");
    ms
}

/// The ventilator's expected cost: 100 workloads of 1-100 msec.
fn check_vent(out: &str) -> u64 {
    assert!(out.contains("Sending tasks to workers"), "{out}");
    let cost: u64 = out
        .lines()
        .find_map(|l| l.strip_prefix("Total expected cost: "))
        .and_then(|l| l.strip_suffix(" msec"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no expected cost:\n{out}"));
    assert!((100..=10_000).contains(&cost), "{out}");
    cost
}

/// The workloads a worker reports (`"<msec>."` per task), checked to be
/// 1-100 msec each; their number is how many tasks it did.
fn worker_tasks(out: &str) -> Vec<u64> {
    let progress = out.strip_prefix("ready\n").unwrap_or(out).trim_end();
    progress
        .split_terminator('.')
        .map(|w| match w.parse() {
            Ok(ms @ 1..=100) => ms,
            _ => panic!("bad worker progress {w:?} in {out:?}"),
        })
        .collect()
}

// ---- request-reply ---------------------------------------------------------

#[test]
fn hello_world_rust_client_rust_server() {
    let endpoint = free_endpoint();
    let server = Proc::spawn("hwserver", {
        let mut cmd = example("hwserver");
        cmd.args(["2", &endpoint]);
        cmd
    });
    let client = Proc::spawn("hwclient", {
        let mut cmd = example("hwclient");
        cmd.args(["2", &endpoint]);
        cmd
    });
    check_hello_client(&client.finish(), 2);
    check_hello_server(&server.finish(), 2);
}

#[test]
fn hello_world_rust_client_python_server() {
    let endpoint = free_endpoint();
    let server = Proc::spawn("hwserver.py", {
        let mut cmd = python("hwserver.py");
        cmd.args(["2", &endpoint]);
        cmd
    });
    let client = Proc::spawn("hwclient", {
        let mut cmd = example("hwclient");
        cmd.args(["2", &endpoint]);
        cmd
    });
    check_hello_client(&client.finish(), 2);
    check_hello_server(&server.finish(), 2);
}

#[test]
fn hello_world_python_client_rust_server() {
    let endpoint = free_endpoint();
    let server = Proc::spawn("hwserver", {
        let mut cmd = example("hwserver");
        cmd.args(["2", &endpoint]);
        cmd
    });
    let client = Proc::spawn("hwclient.py", {
        let mut cmd = python("hwclient.py");
        cmd.args(["2", &endpoint]);
        cmd
    });
    check_hello_client(&client.finish(), 2);
    check_hello_server(&server.finish(), 2);
}

// ---- publish-subscribe -----------------------------------------------------

#[test]
fn weather_rust_client_rust_server() {
    let endpoint = free_endpoint();
    // Bounded in time as a safety net; stopped as soon as the client is done.
    let server = Proc::spawn("wuserver", {
        let mut cmd = example("wuserver");
        cmd.args(["30s", &endpoint]);
        cmd
    });
    // The guide's default filter, spelt out since the endpoint follows it.
    let client = Proc::spawn("wuclient", {
        let mut cmd = example("wuclient");
        cmd.args(["10001 ", &endpoint]);
        cmd
    });
    check_weather_client(&client.finish(), "10001");
    server.stop();
}

#[test]
fn weather_rust_client_python_server() {
    let endpoint = free_endpoint();
    let mut server = Proc::spawn("wuserver.py", {
        let mut cmd = python("wuserver.py");
        cmd.args(["30", &endpoint]);
        cmd
    });
    server.wait_for("publishing");
    let client = Proc::spawn("wuclient", {
        let mut cmd = example("wuclient");
        cmd.args(["10002 ", &endpoint]);
        cmd
    });
    check_weather_client(&client.finish(), "10002");
    server.stop();
}

#[test]
fn weather_python_client_rust_server() {
    let endpoint = free_endpoint();
    let server = Proc::spawn("wuserver", {
        let mut cmd = example("wuserver");
        cmd.args(["30s", &endpoint]);
        cmd
    });
    let client = Proc::spawn("wuclient.py", {
        let mut cmd = python("wuclient.py");
        cmd.args(["10001 ", &endpoint]);
        cmd
    });
    check_weather_client(&client.finish(), "10001");
    server.stop();
}

#[test]
fn weather_server_stops_after_its_bound() {
    // Nobody listens: PUB drops everything, and the count still ends the run.
    let server = Proc::spawn("wuserver", {
        let mut cmd = example("wuserver");
        cmd.args(["1000", &free_endpoint()]);
        cmd
    });
    assert_eq!(server.finish(), "");
}

// ---- pipeline --------------------------------------------------------------

#[test]
fn pipeline_rust_vent_sink_and_worker() {
    let (tasks, results) = (free_endpoint(), free_endpoint());
    let sink = Proc::spawn("tasksink", {
        let mut cmd = example("tasksink");
        cmd.arg(&results);
        cmd
    });
    // One worker bounded to the whole batch: it ends by itself.
    let worker = Proc::spawn("taskwork", {
        let mut cmd = example("taskwork");
        cmd.args(["100", &tasks, &results]);
        cmd
    });
    let vent = Proc::spawn("taskvent", {
        let mut cmd = example("taskvent");
        cmd.args(["--no-wait", &tasks, &results]);
        cmd
    });
    let cost = check_vent(&vent.finish());
    let work = worker_tasks(&worker.finish());
    assert_eq!(work.len(), 100);
    assert_eq!(work.iter().sum::<u64>(), cost);
    let elapsed = check_sink(&sink.finish());
    assert!(
        elapsed + 50 >= cost,
        "one worker took {elapsed} msec for {cost}"
    );
}

#[test]
fn pipeline_rust_vent_and_sink_python_workers() {
    let (tasks, results) = (free_endpoint(), free_endpoint());
    let sink = Proc::spawn("tasksink", {
        let mut cmd = example("tasksink");
        cmd.arg(&results);
        cmd
    });
    let mut workers: Vec<Proc> = (1..=2)
        .map(|n| {
            Proc::spawn(&format!("taskwork.py #{n}"), {
                let mut cmd = python("taskwork.py");
                cmd.args([&tasks, &results]);
                cmd
            })
        })
        .collect();
    let mut vent = Proc::spawn("taskvent", {
        let mut cmd = example("taskvent");
        cmd.args([&tasks, &results]);
        cmd
    });
    vent.wait_for("Press Enter when the workers are ready: ");
    for worker in &mut workers {
        worker.wait_for("ready\n");
    }
    // Both handshakes are done on the workers' side; give the ventilator's
    // side a moment to attach them too (it has no monitor to ask).
    thread::sleep(Duration::from_millis(500));
    vent.press_enter();
    let cost = check_vent(&vent.finish());
    let elapsed = check_sink(&sink.finish());
    let work: Vec<Vec<u64>> = workers
        .into_iter()
        .map(|w| worker_tasks(&w.stop()))
        .collect();
    assert_eq!(work.iter().map(Vec::len).sum::<usize>(), 100, "{work:?}");
    assert_eq!(work.iter().flatten().sum::<u64>(), cost);
    assert!(
        work.iter().all(|w| !w.is_empty()),
        "not load-balanced: {work:?}"
    );
    assert!(elapsed < cost, "two workers took {elapsed} msec for {cost}");
}

#[test]
fn pipeline_python_vent_and_sink_rust_workers() {
    let (tasks, results) = (free_endpoint(), free_endpoint());
    let mut sink = Proc::spawn("tasksink.py", {
        let mut cmd = python("tasksink.py");
        cmd.arg(&results);
        cmd
    });
    sink.wait_for("ready\n");
    // The Python ventilator starts once both workers have connected.
    let vent = Proc::spawn("taskvent.py", {
        let mut cmd = python("taskvent.py");
        cmd.args(["2", &tasks, &results]);
        cmd
    });
    let workers: Vec<Proc> = (1..=2)
        .map(|n| {
            Proc::spawn(&format!("taskwork #{n}"), {
                let mut cmd = example("taskwork");
                cmd.args(["0", &tasks, &results]);
                cmd
            })
        })
        .collect();
    let cost = check_vent(&vent.finish());
    let elapsed = check_sink(&sink.finish());
    let work: Vec<Vec<u64>> = workers
        .into_iter()
        .map(|w| worker_tasks(&w.stop()))
        .collect();
    assert_eq!(work.iter().map(Vec::len).sum::<usize>(), 100, "{work:?}");
    assert_eq!(work.iter().flatten().sum::<u64>(), cost);
    assert!(
        work.iter().all(|w| !w.is_empty()),
        "not load-balanced: {work:?}"
    );
    assert!(elapsed < cost, "two workers took {elapsed} msec for {cost}");
}

// ---- all three in one process ----------------------------------------------

#[test]
fn patterns_demo_runs_all_three() {
    let out = Proc::spawn("patterns", example("patterns")).finish();
    for n in 1..=3 {
        assert!(
            out.contains(&format!("[req-rep] client got World {n}\n")),
            "{out}"
        );
    }
    assert_eq!(
        out.matches("[req-rep] server got Hello\n").count(),
        3,
        "{out}"
    );
    assert_eq!(
        out.matches("[pub-sub] subscriber got 10001 ").count(),
        5,
        "{out}"
    );
    assert!(
        out.contains("[pub-sub] average temperature for 10001 was "),
        "{out}"
    );

    let prefix = "[pipeline] sink collected 100 results from 2 workers: ";
    let shares = out
        .lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no pipeline summary:\n{out}"));
    let counts: Vec<u32> = shares
        .split(", ")
        .enumerate()
        .map(|(i, share)| {
            let n = share.strip_prefix(&format!("worker-{} did ", i + 1));
            n.and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("bad share {share:?}:\n{out}"))
        })
        .collect();
    assert_eq!(counts.len(), 2, "{out}");
    assert!(counts.iter().all(|&n| n > 0), "not load-balanced:\n{out}");
    assert!(out.contains("all three patterns done in "), "{out}");
}

// ---- usage -----------------------------------------------------------------

#[test]
fn examples_reject_bad_arguments() {
    for (name, args) in [
        ("hwserver", &["many"][..]),
        ("hwclient", &["1", "tcp://127.0.0.1:1", "extra"]),
        ("wuserver", &["soon"]),
        ("wuclient", &["10001 ", "tcp://127.0.0.1:1", "extra"]),
        ("taskvent", &["--wait"]),
        ("taskwork", &["-1"]),
        ("tasksink", &["tcp://127.0.0.1:1", "extra"]),
    ] {
        let mut cmd = example(name);
        cmd.args(args);
        let (status, stdout, stderr) = Proc::spawn(name, cmd).wait();
        assert_eq!(status.code(), Some(2), "{name} {args:?}: {stdout}{stderr}");
        assert!(stderr.starts_with(&format!("usage: {name}")), "{stderr}");
    }
}
