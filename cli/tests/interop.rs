//! `zmq` against pyzmq (feature `interop`, run by .ci/run's interop stage
//! where pyzmq is installed): certificates written by either side read by
//! the other, a pyzmq CURVE client let in by `zmq rep --zap-curve-dir`, and
//! `zmq monitor` showing a pyzmq client's refusal in words. Without python3
//! and pyzmq these tests fail, saying what to install.

mod common;

use std::process::{Command, Stdio};

use common::Proc;

/// A pyzmq REQ client. `make DIR`: writes pyclient.key{,_secret} with
/// pyzmq's `zmq.auth.create_certificates`. `allowed EP SERVERCERT DIR`:
/// sends with that certificate and prints the reply. `refused EP
/// SERVERCERT`: sends with a fresh key pair and waits to be killed.
const CLIENT: &str = r#"
import sys, time, zmq, zmq.auth
mode = sys.argv[1]
if mode == "make":
    zmq.auth.create_certificates(sys.argv[2], "pyclient")
    sys.exit(0)
ep, server_cert = sys.argv[2], sys.argv[3]
server_public, _ = zmq.auth.load_certificate(server_cert)
if mode == "allowed":
    public, secret = zmq.auth.load_certificate(sys.argv[4] + "/pyclient.key_secret")
else:
    public, secret = zmq.curve_keypair()
ctx = zmq.Context()
s = ctx.socket(zmq.REQ)
s.linger = 0
s.curve_publickey, s.curve_secretkey, s.curve_serverkey = public, secret, server_public
s.connect(ep)
s.send(b"from pyzmq")
if mode == "allowed":
    s.rcvtimeo = 10000
    print(s.recv().decode(), flush=True)
else:
    time.sleep(60)
"#;

fn python(args: &[&str]) -> Command {
    let check = Command::new("python3")
        .args(["-c", "import zmq, zmq.auth; assert zmq.has('curve')"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 ({e}): install python3 and pyzmq"));
    assert!(
        check.status.success(),
        "python3 has no pyzmq with CURVE ({}): `python3 -m pip install pyzmq`",
        String::from_utf8_lossy(&check.stderr).trim()
    );
    let mut cmd = Command::new("python3");
    cmd.arg("-u").arg("-c").arg(CLIENT).args(args);
    cmd
}

fn keygen(dir: &std::path::Path, base: &str) {
    let status = common::zmq()
        .current_dir(dir)
        .args(["keygen", base])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn pyzmq_client_with_a_pyzmq_certificate_is_let_in() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    keygen(d, "server");
    let allowed = d.join("allowed");
    std::fs::create_dir(&allowed).unwrap();
    let status = python(&["make", allowed.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success(), "pyzmq could not write its certificates");
    let mut rep = Proc::start_in(
        Some(d),
        &[
            "rep",
            "-v",
            "@tcp://127.0.0.1:*",
            "--curve-server",
            "server.key_secret",
            "--zap-curve-dir",
            "allowed",
            "-n",
            "1",
        ],
    );
    let ep = rep.bound();
    let out = python(&[
        "allowed",
        &ep,
        d.join("server.key").to_str().unwrap(),
        allowed.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "pyzmq client: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "from pyzmq");
    let (status, requests, _) = rep.finish();
    assert!(status.success());
    assert_eq!(requests, ["from pyzmq"]);
}

#[test]
fn monitor_shows_a_pyzmq_curve_client_refused_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    keygen(d, "server");
    std::fs::create_dir(d.join("allowed")).unwrap();
    keygen(d, "allowed/someone-else");
    let mut mon = Proc::start_in(
        Some(d),
        &[
            "monitor",
            "--type",
            "rep",
            "-v",
            "@tcp://127.0.0.1:*",
            "--curve-server",
            "server.key_secret",
            "--zap-curve-dir",
            "allowed",
        ],
    );
    let ep = mon.bound();
    let mut client = python(&["refused", &ep, d.join("server.key").to_str().unwrap()])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let line = mon.stdout_line("HANDSHAKE_FAILED_AUTH");
    let _ = client.kill();
    let _ = client.wait();
    assert!(line.contains(&ep), "{line}");
    assert!(
        line.contains("authentication refused by the ZAP handler, status 400"),
        "{line}"
    );
    mon.interrupt();
    assert_eq!(mon.finish().0.code(), Some(130));
}
