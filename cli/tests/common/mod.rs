//! Runs the built `zmq` binary as a user would: arguments, stdin, stdout,
//! stderr and the exit status; every process is killed when its handle is
//! dropped (a failed test leaves nothing behind).

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// The longest any step of a test may take.
pub const DEADLINE: Duration = Duration::from_secs(15);

pub fn zmq() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zmq"))
}

/// A running `zmq`, its output read line by line on two threads.
pub struct Proc {
    pub child: Child,
    pub stdin: Option<ChildStdin>,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
    pub out_lines: Vec<String>,
    pub err_lines: Vec<String>,
}

fn lines(r: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

impl Proc {
    /// Starts `zmq ARGS` in `dir` (or here), stdin piped.
    pub fn start_in(dir: Option<&std::path::Path>, args: &[&str]) -> Proc {
        let mut cmd = zmq();
        cmd.args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(dir) = dir {
            cmd.current_dir(dir);
        }
        let mut child = cmd.spawn().expect("start zmq");
        let stdin = child.stdin.take();
        let stdout = lines(child.stdout.take().unwrap());
        let stderr = lines(child.stderr.take().unwrap());
        Proc {
            child,
            stdin,
            stdout,
            stderr,
            out_lines: Vec::new(),
            err_lines: Vec::new(),
        }
    }

    pub fn start(args: &[&str]) -> Proc {
        Proc::start_in(None, args)
    }

    /// Writes `text` to its stdin and, with `close`, closes it.
    pub fn input(&mut self, text: &str, close: bool) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(text.as_bytes()).unwrap();
        stdin.flush().unwrap();
        if close {
            self.stdin = None;
        }
    }

    /// Waits for a stderr line with `needle`; returns it.
    pub fn stderr_line(&mut self, needle: &str) -> String {
        wait_line(&self.stderr, &mut self.err_lines, needle, "stderr")
    }

    /// Waits for a stdout line with `needle`; returns it.
    pub fn stdout_line(&mut self, needle: &str) -> String {
        wait_line(&self.stdout, &mut self.out_lines, needle, "stdout")
    }

    /// The endpoint it bound, as `--verbose` prints it.
    pub fn bound(&mut self) -> String {
        let line = self.stderr_line("zmq: bound to ");
        line.split("bound to ").nth(1).unwrap().trim().to_owned()
    }

    /// Waits for it to end; its status, stdout and stderr lines.
    pub fn finish(mut self) -> (ExitStatus, Vec<String>, Vec<String>) {
        self.stdin = None;
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > DEADLINE {
                let _ = self.child.kill();
                panic!(
                    "zmq did not end within {DEADLINE:?}; stdout {:?}, stderr {:?}",
                    self.out_lines, self.err_lines
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        // The readers end at EOF, now that the process is gone.
        let mut out = std::mem::take(&mut self.out_lines);
        out.extend(drain(&self.stdout));
        let mut err = std::mem::take(&mut self.err_lines);
        err.extend(drain(&self.stderr));
        (status, out, err)
    }

    /// Sends SIGINT (Ctrl-C).
    pub fn interrupt(&self) {
        let ok = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("run kill")
            .success();
        assert!(ok, "kill -INT failed");
    }
}

fn drain(rx: &Receiver<String>) -> Vec<String> {
    let mut v = Vec::new();
    loop {
        match rx.recv_timeout(DEADLINE) {
            Ok(line) => v.push(line),
            Err(RecvTimeoutError::Disconnected) => return v,
            Err(RecvTimeoutError::Timeout) => panic!("output not closed: {v:?}"),
        }
    }
}

fn wait_line(rx: &Receiver<String>, seen: &mut Vec<String>, needle: &str, what: &str) -> String {
    let end = Instant::now() + DEADLINE;
    loop {
        let left = end.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                seen.push(line.clone());
                if line.contains(needle) {
                    return line;
                }
            }
            Err(e) => panic!("no {what} line with {needle:?} ({e:?}); so far: {seen:?}"),
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `zmq ARGS` to its end with `stdin` as input.
pub fn run(args: &[&str], stdin: &str) -> (ExitStatus, Vec<String>, Vec<String>) {
    let mut p = Proc::start(args);
    p.input(stdin, true);
    p.finish()
}
