//! The foreign peers: how to start each kind, and [`Peer`], a running peer
//! process driven by line commands (the protocol of `tests/py/peer.py` and
//! `tests/interop/peer.c`, in docs/INTEROP.md).
//!
//! A missing peer (no python3 or pyzmq, no C compiler, no libzmq or czmq
//! headers) fails the test with the command that installs it; nothing is
//! skipped. A [`Peer`] is killed and reaped when dropped, so a failing test
//! leaves no process behind.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::Duration;

use crate::DEADLINE;

/// What installs every peer on Debian (what .ci/run does).
pub const INSTALL: &str = "apt-get install -y python3-pip libzmq3-dev libczmq-dev pkg-config \
                           && python3 -m pip install pyzmq";

/// The kinds of foreign peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `tests/py/peer.py` under python3 with pyzmq (its own libzmq, 4.3.5).
    Pyzmq,
    /// `tests/interop/peer.c` compiled against the system's libzmq.
    Libzmq,
    /// The same C peer with czmq's `zauth` and `zcert`.
    Czmq,
}

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The command running `tests/py/<script>` with `args` under python3 (or
/// `$PYTHON`); fails, with what to install, when python3 or pyzmq is
/// missing.
pub fn python(script: &str, args: &[&str]) -> Command {
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
            "the interop suite needs python3 with pyzmq ({why}); \
             install it with `python3 -m pip install pyzmq` (all peers: `{INSTALL}`)"
        );
    }
    let mut cmd = Command::new(interpreter);
    cmd.arg("-u")
        .arg(manifest_dir().join("tests").join("py").join(script))
        .args(args);
    cmd
}

/// `pkg-config --cflags --libs PACKAGES`, split into arguments.
fn pkg_config(packages: &str) -> Result<Vec<String>, String> {
    let out = Command::new("pkg-config")
        .args(["--cflags", "--libs"])
        .args(packages.split_whitespace())
        .output()
        .map_err(|e| format!("cannot run pkg-config: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "pkg-config does not know {packages}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_owned)
        .collect())
}

/// Compiles `tests/interop/peer.c` (with `defines`) against `packages` into
/// the test's scratch directory, once per run; fails with what to install.
fn compile_peer(
    cell: &'static OnceLock<Result<PathBuf, String>>,
    name: &str,
    packages: &str,
    defines: &[&str],
    install: &str,
) -> PathBuf {
    let built = cell.get_or_init(|| {
        let flags = pkg_config(packages)?;
        let source = manifest_dir().join("tests").join("interop").join("peer.c");
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
        let result = Command::new(&cc)
            .args(["-std=c99", "-D_POSIX_C_SOURCE=200809L", "-O1", "-Wall"])
            .args(defines)
            .arg(&source)
            .arg("-o")
            .arg(&out)
            .args(&flags)
            .output()
            .map_err(|e| format!("cannot run {cc}: {e}"))?;
        if !result.status.success() {
            return Err(format!(
                "{cc} {} failed:\n{}",
                source.display(),
                String::from_utf8_lossy(&result.stderr)
            ));
        }
        Ok(out)
    });
    match built {
        Ok(path) => path.clone(),
        Err(why) => panic!(
            "the interop suite needs the {name} peer, built with a C compiler against \
             {packages} ({why}); install it with `{install}` (all peers: `{INSTALL}`)"
        ),
    }
}

impl Kind {
    /// The command starting a peer of this kind.
    pub fn command(self) -> Command {
        static LIBZMQ: OnceLock<Result<PathBuf, String>> = OnceLock::new();
        static CZMQ: OnceLock<Result<PathBuf, String>> = OnceLock::new();
        match self {
            Kind::Pyzmq => python("peer.py", &[]),
            Kind::Libzmq => Command::new(compile_peer(
                &LIBZMQ,
                "peer-libzmq",
                "libzmq",
                &[],
                "apt-get install -y libzmq3-dev pkg-config",
            )),
            Kind::Czmq => Command::new(compile_peer(
                &CZMQ,
                "peer-czmq",
                // czmq's .pc names libzmq only as a private requirement.
                "libczmq libzmq",
                &["-DWITH_CZMQ"],
                "apt-get install -y libczmq-dev pkg-config",
            )),
        }
    }
}

// ---- the protocol's byte tokens ------------------------------------------------

/// `x` and the bytes in hex: how bytes travel to and from a peer.
pub fn token(bytes: &[u8]) -> String {
    let mut t = String::with_capacity(1 + 2 * bytes.len());
    t.push('x');
    for b in bytes {
        t.push_str(&format!("{b:02x}"));
    }
    t
}

/// The bytes of a token; panics on anything else (a peer's bug).
pub fn untoken(text: &str) -> Vec<u8> {
    let hex = text
        .strip_prefix('x')
        .unwrap_or_else(|| panic!("not a token: {text:?}"));
    assert!(hex.len().is_multiple_of(2), "odd token {text:?}");
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex token"))
        .collect()
}

/// The frames of a `msg TOKEN...` line.
pub fn frames(line: &str) -> Vec<Vec<u8>> {
    let rest = line
        .strip_prefix("msg")
        .unwrap_or_else(|| panic!("not a message: {line:?}"));
    rest.split_whitespace().map(untoken).collect()
}

// ---- a running peer --------------------------------------------------------------

/// A running peer process. Commands are answered within [`DEADLINE`] or
/// the test fails; dropping it kills the process and waits for it.
pub struct Peer {
    name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    stderr: Arc<Mutex<Vec<u8>>>,
    transcript: Vec<String>,
}

impl Peer {
    /// Starts a peer of `kind`, called `name` in failure reports.
    pub fn start(kind: Kind, name: &str) -> Peer {
        let mut cmd = kind.command();
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start peer {name} ({cmd:?}): {e}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&stderr);
        let mut pipe = child.stderr.take().expect("piped stderr");
        thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n @ 1..) = pipe.read(&mut chunk) {
                sink.lock().unwrap().extend_from_slice(&chunk[..n]);
            }
        });
        Peer {
            name: format!("{name} ({kind:?})"),
            stdin: child.stdin.take(),
            child,
            lines,
            stderr,
            transcript: Vec::new(),
        }
    }

    /// Starts a peer and makes its socket: `socket TYPE`.
    pub fn with_socket(kind: Kind, name: &str, socket_type: &str) -> Peer {
        let mut peer = Peer::start(kind, name);
        peer.ok(&format!("socket {socket_type}"));
        peer
    }

    fn report(&self) -> String {
        format!(
            "--- {} transcript:\n{}\n--- {} stderr:\n{}",
            self.name,
            self.transcript.join("\n"),
            self.name,
            String::from_utf8_lossy(&self.stderr.lock().unwrap())
        )
    }

    /// Sends one command line without waiting for an answer.
    pub fn write(&mut self, line: &str) {
        self.transcript.push(format!("> {line}"));
        let stdin = self.stdin.as_mut().expect("stdin is open");
        if let Err(e) = writeln!(stdin, "{line}").and_then(|()| stdin.flush()) {
            panic!("cannot write to {}: {e}\n{}", self.name, self.report());
        }
    }

    /// The next line the peer prints, within [`DEADLINE`].
    pub fn line(&mut self) -> String {
        self.line_within(DEADLINE)
    }

    /// The next line the peer prints, within `limit`; else the peer is
    /// killed and the test fails.
    pub fn line_within(&mut self, limit: Duration) -> String {
        match self.lines.recv_timeout(limit) {
            Ok(line) => {
                self.transcript.push(format!("< {line}"));
                line
            }
            Err(RecvTimeoutError::Timeout) => {
                self.kill();
                panic!(
                    "{} printed nothing within {limit:?}: killed\n{}",
                    self.name,
                    self.report()
                )
            }
            Err(RecvTimeoutError::Disconnected) => {
                // It closed stdout: it is ending. Give it a second to, and
                // the stderr reader time to take what it left.
                let mut status = None;
                for _ in 0..100 {
                    status = self.child.try_wait().ok().flatten();
                    if status.is_some() {
                        break;
                    }
                    thread::sleep(Duration::from_millis(10));
                }
                self.kill();
                thread::sleep(Duration::from_millis(50));
                panic!(
                    "{} closed its output (exit status {status:?}) while an answer was awaited\n{}",
                    self.name,
                    self.report()
                )
            }
        }
    }

    /// Sends `line` and returns the answer, which must be `ok`: what follows
    /// the `ok`.
    pub fn ok(&mut self, line: &str) -> String {
        self.write(line);
        let answer = self.line();
        match answer.strip_prefix("ok") {
            Some(rest) if rest.is_empty() || rest.starts_with(' ') => rest.trim().to_owned(),
            _ => panic!(
                "{} answered {answer:?} to {line:?}\n{}",
                self.name,
                self.report()
            ),
        }
    }

    /// `set NAME VALUE` with an integer value.
    pub fn set_int(&mut self, name: &str, value: i64) {
        self.ok(&format!("set {name} {value}"));
    }

    /// `set NAME VALUE` with a bytes value.
    pub fn set_bytes(&mut self, name: &str, value: &[u8]) {
        self.ok(&format!("set {name} {}", token(value)));
    }

    /// Binds the peer's socket; returns the endpoint it bound.
    pub fn bind(&mut self, endpoint: &str) -> String {
        self.ok(&format!("bind {endpoint}"))
    }

    /// Connects the peer's socket.
    pub fn connect(&mut self, endpoint: &str) {
        self.ok(&format!("connect {endpoint}"));
    }

    /// Sends one multipart message from the peer.
    pub fn send(&mut self, message: &[&[u8]]) {
        let tokens: Vec<String> = message.iter().map(|f| token(f)).collect();
        self.ok(&format!("send {}", tokens.join(" ")));
    }

    /// Receives one multipart message on the peer.
    pub fn recv(&mut self) -> Vec<Vec<u8>> {
        self.write("recv");
        self.message()
    }

    /// The next `msg` line (of `recv` or `recvloop`).
    pub fn message(&mut self) -> Vec<Vec<u8>> {
        let line = self.line();
        if !line.starts_with("msg") {
            panic!("{} answered {line:?}\n{}", self.name, self.report());
        }
        frames(&line)
    }

    /// A property of the last message the peer received, as text.
    pub fn meta(&mut self, name: &str) -> Option<String> {
        match self.ok(&format!("meta {name}")).as_str() {
            "none" => None,
            value => Some(String::from_utf8(untoken(value)).expect("UTF-8 property")),
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process (SIGKILL) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Ends the peer with `exit`, which must close everything and end the
    /// process by itself.
    pub fn exit(mut self) {
        self.ok("exit");
        self.stdin = None;
        let started = std::time::Instant::now();
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    assert!(status.success(), "{} exited {status}", self.name);
                    return;
                }
                Ok(None) if started.elapsed() < DEADLINE => {
                    thread::sleep(Duration::from_millis(10))
                }
                _ => panic!("{} did not end after exit\n{}", self.name, self.report()),
            }
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.stdin = None;
        self.kill();
    }
}
