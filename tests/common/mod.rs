//! The harness shared by the tests that run the example programs
//! (`seed_examples`, `guide_ch1_2`, `guide_ch3`, and the interop suite):
//! free loopback endpoints, the example binaries as commands, and [`Proc`], a running
//! program whose output is captured as it comes and which is killed when it
//! outlives its deadline or when the test ends.
//!
//! Every test crate including this module (`mod common;`) defines
//! `const DEADLINE: Duration`, the longest any of its processes may run.
//!
//! The example binaries are the ones `cargo test` (or `cargo build
//! --examples`) puts in `target/<profile>/examples/`, next to `deps/` where
//! the test runs from.

#![allow(dead_code)] // each test crate uses a part of the harness

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime};

use crate::DEADLINE;

pub mod seed;

/// How often a waiting test looks at its processes again.
const POLL: Duration = Duration::from_millis(10);

// ---- endpoints ---------------------------------------------------------------

/// A fresh port on 127.0.0.1: bind port 0, read the port, release it.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local_addr").port()
}

/// `tcp://127.0.0.1:PORT` on a free port, for binding and connecting alike.
pub fn free_endpoint() -> String {
    format!("tcp://127.0.0.1:{}", free_port())
}

/// The port of a `tcp://host:port` endpoint.
pub fn port(endpoint: &str) -> u16 {
    endpoint
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("tcp endpoint with a port")
}

/// Waits until something listens on the endpoint's port (a program has
/// bound it), or fails after the deadline.
pub fn wait_listening(endpoint: &str) {
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port(endpoint))).is_err() {
        assert!(
            started.elapsed() < DEADLINE,
            "nothing listens on {endpoint}"
        );
        thread::sleep(POLL);
    }
}

/// A fresh directory for one test's ipc (or other) files, removed when
/// dropped.
pub struct IpcDir(PathBuf);

impl IpcDir {
    pub fn new(test: &str) -> IpcDir {
        let dir = std::env::temp_dir().join(format!(
            "zmq-{}-{}-{test}",
            env!("CARGO_CRATE_NAME"),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the ipc directory");
        IpcDir(dir)
    }

    /// The directory itself (also a scratch directory for files other
    /// than ipc sockets: certificates, password files).
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// The prefix the examples put in front of their ipc file names.
    pub fn prefix(&self) -> String {
        format!("{}/", self.0.display())
    }
}

impl Drop for IpcDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ---- commands ------------------------------------------------------------------

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn modified(path: &Path) -> Option<SystemTime> {
    path.metadata().and_then(|m| m.modified()).ok()
}

/// The command running example `name` with `args`:
/// `target/<profile>/examples/<name>`, found from this test's own path
/// (`target/<profile>/deps/<test>`). Fails when the binary is missing or
/// older than its source.
pub fn example(name: &str, args: &[&str]) -> Command {
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
    let mut cmd = runner_command(&bin);
    cmd.args(args);
    cmd
}

#[path = "runner.rs"]
mod runner;
pub use runner::runner_command;

// ---- processes -----------------------------------------------------------------

/// A running example or peer whose output is captured as it comes. Dropping
/// it kills the process, so a failing test leaves nothing behind.
pub struct Proc {
    name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    readers: Vec<JoinHandle<()>>,
    started: Instant,
}

/// What a finished process printed.
pub struct Output {
    pub stdout: String,
    pub stderr: String,
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

/// `name` and its `args`, as a process is named in failure reports.
fn command_line(name: &str, args: &[&str]) -> String {
    let mut line = name.to_owned();
    for arg in args {
        line.push(' ');
        line.push_str(arg);
    }
    line
}

impl Proc {
    /// Starts `cmd`, called `name` in failure reports, with a pipe for stdin
    /// (see [`Proc::press_enter`]).
    pub fn spawn(name: &str, cmd: Command) -> Proc {
        Proc::start(name, cmd, Stdio::piped())
    }

    /// Starts example `name` with `args` and an empty stdin (`/dev/null`).
    pub fn run(name: &str, args: &[&str]) -> Proc {
        Proc::start(
            &command_line(name, args),
            example(name, args),
            Stdio::null(),
        )
    }

    /// Starts example `name` with `args` and a pipe for stdin (see
    /// [`Proc::press_enter`]).
    pub fn run_piped(name: &str, args: &[&str]) -> Proc {
        Proc::spawn(&command_line(name, args), example(name, args))
    }

    fn start(name: &str, mut cmd: Command, stdin: Stdio) -> Proc {
        cmd.stdin(stdin)
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

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().unwrap()).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    fn report(&self) -> String {
        format!(
            "--- {} stdout:\n{}\n--- {} stderr:\n{}",
            self.name,
            self.stdout(),
            self.name,
            self.stderr()
        )
    }

    fn time_left(&self) -> Duration {
        DEADLINE.saturating_sub(self.started.elapsed())
    }

    /// Whether the process still runs; fails the test when its deadline
    /// has passed (after killing it).
    pub fn running(&mut self) -> bool {
        if self.child.try_wait().unwrap().is_some() {
            return false;
        }
        if self.time_left().is_zero() {
            self.kill();
            panic!(
                "{} still running after {DEADLINE:?}: killed\n{}",
                self.name,
                self.report()
            );
        }
        true
    }

    /// Waits until the output contains `needle`; fails if the process exits
    /// first or the deadline passes.
    pub fn wait_for(&mut self, needle: &str) {
        while !self.stdout().contains(needle) {
            if let Some(status) = self.child.try_wait().unwrap() {
                // What it printed last may still be in the pipe.
                self.join_readers();
                if self.stdout().contains(needle) {
                    return;
                }
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
            thread::sleep(POLL);
        }
    }

    /// Sends a line to the process's stdin: answers a "Press Enter" prompt.
    pub fn press_enter(&mut self) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(b"\n").expect("write to stdin");
        stdin.flush().expect("flush stdin");
    }

    /// Sends a signal with `kill -SIGNAL PID`.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} failed: {status}");
    }

    /// Sends `signal` and waits for the process to exit with status 0, as
    /// the guide's programs do on Ctrl-C; returns its stdout and stderr.
    pub fn interrupt(self, signal: &str) -> (String, String) {
        self.signal(signal);
        let (status, out, err) = self.wait();
        assert!(
            status.success(),
            "exit {status} after SIG{signal}\n--- stdout:\n{out}\n--- stderr:\n{err}"
        );
        (out, err)
    }

    /// Closes stdin, then waits for the process to exit by itself before
    /// the deadline (else kills it and fails); returns its status and output.
    pub fn wait_output(mut self) -> (ExitStatus, Output) {
        self.stdin = None;
        while self.running() {
            thread::sleep(POLL);
        }
        let status = self.child.wait().unwrap();
        self.join_readers();
        let output = Output {
            stdout: self.stdout(),
            stderr: self.stderr(),
        };
        (status, output)
    }

    /// [`Proc::wait_output`] as status, stdout and stderr.
    pub fn wait(self) -> (ExitStatus, String, String) {
        let (status, out) = self.wait_output();
        (status, out.stdout, out.stderr)
    }

    /// Waits for the process to exit by itself, which it must do
    /// successfully before the deadline; returns its stdout and stderr.
    pub fn finish_output(self) -> Output {
        let name = self.name.clone();
        let (status, out) = self.wait_output();
        assert!(
            status.success(),
            "{name} failed ({status})\n--- stdout:\n{}\n--- stderr:\n{}",
            out.stdout,
            out.stderr
        );
        out
    }

    /// [`Proc::finish_output`]'s stdout.
    pub fn finish(self) -> String {
        self.finish_output().stdout
    }

    /// Stops a process that runs forever (a server, a broker, a worker): it
    /// must still be running, i.e. it has not crashed. Returns its output.
    pub fn stop(mut self) -> String {
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

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.join_readers();
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

// ---- output ----------------------------------------------------------------------

/// How many lines of `text` are exactly `line`.
pub fn count_lines(text: &str, line: &str) -> usize {
    text.lines().filter(|l| *l == line).count()
}

/// The workloads a worker reports (`"<msec>."` per task, after the
/// `"ready\n"` a Python worker prints first), checked to be 1-100 msec
/// each; their number is how many tasks it did.
pub fn worker_tasks(out: &str) -> Vec<u64> {
    let progress = out.strip_prefix("ready\n").unwrap_or(out).trim_end();
    progress
        .split_terminator('.')
        .map(|w| match w.parse() {
            Ok(ms @ 1..=100) => ms,
            _ => panic!("bad worker progress {w:?} in {out:?}"),
        })
        .collect()
}
