//! The `zmq` tool driven as a user would: each test runs the built binary
//! against another instance of it (or a socket of the safe crate), binding
//! `tcp://127.0.0.1:*` and reading the port back from `--verbose`.

mod common;

use common::{run, zmq, Proc};

#[test]
fn pub_to_sub_with_topic_separator_and_json() {
    let mut sub = Proc::start(&[
        "sub",
        "-v",
        "--bind",
        "tcp://127.0.0.1:*",
        "--topic",
        "weather",
        "-n",
        "2",
        "--format",
        "json",
        "-s",
        "|",
        "-t",
        "10",
    ]);
    let ep = sub.bound();
    let (status, _, err) = run(
        &["pub", &ep, "--wait-subscribers", "1", "-s", "|", "-t", "10"],
        "weather|sunny\nsports|lost\nweather|\u{e9}t\u{e9}\n",
    );
    assert!(status.success(), "pub: {status}, {err:?}");
    let (status, out, err) = sub.finish();
    assert!(status.success(), "sub: {status}, {err:?}");
    assert_eq!(
        out,
        [
            r#"{"frames":["weather","sunny"]}"#,
            r#"{"frames":["weather","été"]}"#
        ]
    );
}

#[test]
fn req_to_rep_with_exec() {
    let mut rep = Proc::start(&[
        "rep",
        "-v",
        "@tcp://127.0.0.1:*",
        "--exec",
        "tr a-z A-Z",
        "-n",
        "2",
    ]);
    let ep = rep.bound();
    let (status, out, err) = run(&["req", &format!(">{ep}"), "-t", "10"], "hello\nworld\n");
    assert!(status.success(), "req: {status}, {err:?}");
    assert_eq!(out, ["HELLO", "WORLD"]);
    let (status, out, _) = rep.finish();
    assert!(status.success());
    assert_eq!(out, ["hello", "world"], "rep prints the requests");
}

#[test]
fn push_to_pull_from_a_file_with_hex_input_and_output() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("messages");
    std::fs::write(&file, "00ff|41\n68690a\n").unwrap();
    let mut pull = Proc::start(&[
        "pull",
        "-v",
        "--bind",
        "tcp://127.0.0.1:*",
        "-n",
        "2",
        "--format",
        "hex",
        "-s",
        " ",
    ]);
    let ep = pull.bound();
    let (status, _, err) = run(
        &[
            "push",
            "--connect",
            &ep,
            "--file",
            file.to_str().unwrap(),
            "-s",
            "|",
            "--input-format",
            "hex",
            "-t",
            "10",
        ],
        "",
    );
    assert!(status.success(), "push: {err:?}");
    let (status, out, _) = pull.finish();
    assert!(status.success());
    assert_eq!(out, ["00ff 41", "68690a"]);
}

#[test]
fn dealer_to_router_and_back() {
    let mut router = Proc::start(&["router", "-v", "@tcp://127.0.0.1:*", "-s", "|"]);
    let ep = router.bound();
    let mut dealer = Proc::start(&["dealer", &ep, "--identity", "d1", "-s", "|", "-n", "1"]);
    dealer.input("ping|1\n", false);
    assert_eq!(router.stdout_line("ping"), "d1|ping|1");
    // The router replies through its stdin, the identity frame first.
    router.input("d1|pong\n", true);
    let (status, out, err) = dealer.finish();
    assert!(status.success(), "dealer: {err:?}");
    assert_eq!(out, ["pong"]);
    // --count counts received messages: without it, Ctrl-C ends the router.
    router.interrupt();
    assert_eq!(router.finish().0.code(), Some(130));
}

#[test]
fn pair_both_ways() {
    let mut a = Proc::start(&["pair", "-v", "--bind", "tcp://127.0.0.1:*"]);
    let ep = a.bound();
    let mut b = Proc::start(&["pair", &ep, "-n", "1"]);
    b.input("from b\n", false);
    assert_eq!(a.stdout_line("from"), "from b");
    a.input("from a\n", true);
    let (status, out, _) = b.finish();
    assert!(status.success());
    assert_eq!(out, ["from a"]);
    a.interrupt();
    assert_eq!(a.finish().0.code(), Some(130));
}

#[test]
fn xpub_sees_the_xsub_subscription_and_serves_it() {
    let mut xpub = Proc::start(&["xpub", "-v", "@tcp://127.0.0.1:*", "--format", "hex"]);
    let ep = xpub.bound();
    let xsub = Proc::start(&["xsub", &ep, "--topic", "a", "-n", "1", "-s", "|"]);
    // \x01 + "a": a subscription to "a".
    xpub.stdout_line("0161");
    xpub.input("b|not this\na|this\n", false);
    let (status, out, err) = xsub.finish();
    assert!(status.success(), "xsub: {err:?}");
    assert_eq!(out, ["a|this"]);
}

#[test]
fn proxy_streamer_with_capture() {
    let mut proxy = Proc::start(&[
        "proxy",
        "-v",
        "tcp://127.0.0.1:*",
        "tcp://127.0.0.1:*",
        "--kind",
        "streamer",
        "--capture",
        "tcp://127.0.0.1:*",
    ]);
    let front = proxy.bound();
    let back = proxy.bound();
    let capture = proxy.bound();
    let mut cap = Proc::start(&["sub", &capture, "-n", "1"]);
    let mut pull = Proc::start(&["pull", &back]);
    let mut push = Proc::start(&["push", &front]);
    push.input("one\ntwo\nthree\n", false);
    for word in ["one", "two", "three"] {
        assert_eq!(pull.stdout_line(word), word);
    }
    // The capture subscriber may join late: send until it sees a message.
    for i in 0.. {
        if let Some(status) = cap.child.try_wait().unwrap() {
            assert!(status.success());
            break;
        }
        assert!(i < 1000, "the capture socket never saw a message");
        push.input(&format!("more {i}\n"), false);
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let (_, out, _) = cap.finish();
    assert_eq!(out.len(), 1);
    proxy.interrupt();
    assert_eq!(proxy.finish().0.code(), Some(130));
    pull.interrupt();
    assert_eq!(pull.finish().0.code(), Some(130));
}

#[test]
fn stats_every_second_on_stderr() {
    let mut pull = Proc::start(&["pull", "-v", "@tcp://127.0.0.1:*", "--stats"]);
    let ep = pull.bound();
    let mut push = Proc::start(&["push", &ep]);
    push.input("x\n", true);
    let line = pull.stderr_line("msgs/s");
    assert!(line.contains("MB/s"), "{line}");
    pull.interrupt();
    assert_eq!(pull.finish().0.code(), Some(130));
}

#[test]
fn curve_keygen_then_server_and_client() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for name in ["server", "client"] {
        let status = zmq()
            .current_dir(d)
            .args(["keygen", name])
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
    }
    // pyzmq's and zmakecert's names; the secret file is the owner's only.
    use std::os::unix::fs::PermissionsExt;
    let mode = |f: &str| std::fs::metadata(d.join(f)).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode("client.key_secret"), 0o600);
    assert!(std::fs::read_to_string(d.join("client.key"))
        .unwrap()
        .contains("public-key = \""));
    assert!(!std::fs::read_to_string(d.join("client.key"))
        .unwrap()
        .contains("secret-key"));
    // Only the client's public certificate is allowed in.
    std::fs::create_dir(d.join("allowed")).unwrap();
    std::fs::copy(d.join("client.key"), d.join("allowed/client.key")).unwrap();
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
    let mut req = Proc::start_in(
        Some(d),
        &[
            "req",
            &ep,
            "--curve-serverkey",
            "server.key",
            "--curve-cert",
            "client.key_secret",
            "-t",
            "10",
        ],
    );
    req.input("secret hello\n", true);
    let (status, out, err) = req.finish();
    assert!(status.success(), "{err:?}");
    assert_eq!(out, ["secret hello"]);
    assert!(rep.finish().0.success());

    // The raw keys: a Z85 pair whose public half is the secret's.
    let out = zmq().args(["keygen", "--z85"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let key = |label: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(label))
            .unwrap()
            .to_owned()
    };
    let public = zmq::CurveKey::from_z85(&key("public: ")).unwrap();
    let secret = zmq::CurveKey::from_z85(&key("secret: ")).unwrap();
    assert_eq!(zmq::CurveKey::public_from_secret(&secret).unwrap(), public);
}

#[test]
fn monitor_shows_a_refused_curve_client_and_a_mechanism_mismatch_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("allowed")).unwrap();
    for name in ["server", "client", "allowed/someone"] {
        assert!(zmq()
            .current_dir(d)
            .args(["keygen", name])
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap()
            .success());
    }
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
    mon.stdout_line("LISTENING");
    // A CURVE client whose key is not in the directory: ZAP says 400.
    let mut refused = Proc::start_in(
        Some(d),
        &[
            "req",
            &ep,
            "--curve-serverkey",
            "server.key",
            "--curve-cert",
            "client.key_secret",
        ],
    );
    refused.input("let me in\n", false);
    let line = mon.stdout_line("HANDSHAKE_FAILED_AUTH");
    assert!(line.contains(&ep), "{line}");
    assert!(
        line.contains("authentication refused by the ZAP handler, status 400"),
        "{line}"
    );
    drop(refused);
    // A client without security against the CURVE server, monitored on
    // its side: it reads the server's greeting and names the mismatch (the
    // server may see only the closed connection, depending on who speaks
    // first).
    let mut client = Proc::start(&["monitor", "--type", "req", &ep]);
    let line = client.stdout_line("HANDSHAKE_FAILED_PROTOCOL");
    assert!(line.contains("security mechanism mismatch"), "{line}");
    assert!(line.contains(&ep), "{line}");
    drop(client);
    // Ctrl-C ends it cleanly.
    mon.interrupt();
    let (status, _, err) = mon.finish();
    assert_eq!(status.code(), Some(130), "{err:?}");
    assert!(err.iter().any(|l| l == "zmq: interrupted"), "{err:?}");
}

#[test]
fn proxy_queue_with_a_curve_frontend() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for name in ["broker", "client"] {
        assert!(zmq()
            .current_dir(d)
            .args(["keygen", name])
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap()
            .success());
    }
    std::fs::create_dir(d.join("allowed")).unwrap();
    std::fs::copy(d.join("client.key"), d.join("allowed/client.key")).unwrap();
    let mut proxy = Proc::start_in(
        Some(d),
        &[
            "proxy",
            "-v",
            "tcp://127.0.0.1:*",
            "tcp://127.0.0.1:*",
            "--kind",
            "queue",
            "--curve-server",
            "broker.key_secret",
            "--zap-curve-dir",
            "allowed",
        ],
    );
    let front = proxy.bound();
    let back = proxy.bound();
    let mut worker = Proc::start(&["rep", &back, "--exec", "rev", "-n", "1"]);
    let mut client = Proc::start_in(
        Some(d),
        &[
            "req",
            &front,
            "--curve-serverkey",
            "broker.key",
            "--curve-cert",
            "client.key_secret",
            "-t",
            "10",
        ],
    );
    client.input("through the broker\n", true);
    let (status, out, err) = client.finish();
    assert!(status.success(), "{err:?}");
    assert_eq!(out, ["rekorb eht hguorht"]);
    assert!(worker.stdout_line("through").contains("broker"));
    assert!(worker.finish().0.success());
    proxy.interrupt();
    assert_eq!(proxy.finish().0.code(), Some(130));
}

#[test]
fn plain_user_and_password() {
    let mut rep = Proc::start(&[
        "rep",
        "-v",
        "@tcp://127.0.0.1:*",
        "--plain-server",
        "--plain-user",
        "ann",
        "--plain-password",
        "pw",
        "-n",
        "1",
    ]);
    let ep = rep.bound();
    let (status, out, err) = run(
        &[
            "req",
            &ep,
            "--plain-user",
            "ann",
            "--plain-password",
            "pw",
            "-t",
            "10",
        ],
        "hi\n",
    );
    assert!(status.success(), "{err:?}");
    assert_eq!(out, ["hi"]);
    assert!(rep.finish().0.success());
}

#[test]
fn plain_passwords_file_lets_bob_in_and_refuses_a_wrong_password() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("passwords");
    std::fs::write(&file, "# users\nann=pw\nbob=secret\n").unwrap();
    // A password file must be private (docs/SECURITY.md), as with ssh keys.
    let private = <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o600);
    std::fs::set_permissions(&file, private).unwrap();
    let file = file.to_str().unwrap();
    let mut rep = Proc::start(&[
        "rep",
        "-v",
        "@tcp://127.0.0.1:*",
        "--plain-server",
        "--plain-passwords",
        file,
        "-n",
        "1",
    ]);
    let ep = rep.bound();
    let (status, out, err) = run(
        &[
            "req",
            &ep,
            "--plain-user",
            "bob",
            "--plain-password",
            "secret",
            "-t",
            "10",
        ],
        "bob here\n",
    );
    assert!(status.success(), "{err:?}");
    assert_eq!(out, ["bob here"]);
    assert!(rep.finish().0.success());

    let mut mon = Proc::start(&[
        "monitor",
        "--type",
        "rep",
        "-v",
        "@tcp://127.0.0.1:*",
        "--plain-server",
        "--plain-passwords",
        file,
    ]);
    let ep = mon.bound();
    let mut wrong = Proc::start(&[
        "req",
        &ep,
        "--plain-user",
        "bob",
        "--plain-password",
        "guess",
    ]);
    wrong.input("let me in\n", false);
    let line = mon.stdout_line("HANDSHAKE_FAILED_AUTH");
    assert!(line.contains("status 400"), "{line}");
    drop(wrong);
    mon.interrupt();
    assert_eq!(mon.finish().0.code(), Some(130));
}

#[test]
fn info_names_the_linked_libzmq() {
    let out = zmq().arg("info").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let (major, minor, patch) = zmq::version();
    assert!(
        text.contains(&format!("libzmq {major}.{minor}.{patch}\n")),
        "{text}"
    );
    let curve = if zmq::has("curve") { "yes" } else { "no" };
    assert!(text.contains(&format!("  curve   {curve}\n")), "{text}");
    assert!(text.contains("vendored"), "{text}");
}

#[test]
fn exit_codes() {
    // 1: usage.
    let out = zmq().args(["sub", "--no-such-flag"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = zmq().args(["sub"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "no endpoint");
    // 0: --help, which documents the codes.
    let out = zmq().arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("130  interrupted"));
    // 2: nothing received; the message names the endpoint.
    let out = zmq()
        .args(["pull", "tcp://127.0.0.1:9", "-t", "0.2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("tcp://127.0.0.1:9"));
    // 3: a bind that cannot be; named too.
    let out = zmq()
        .args(["pull", "--bind", "tcp://256.0.0.1:5555"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot bind to tcp://256.0.0.1:5555"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // 4: an input file that is not there.
    let out = zmq()
        .args(["push", "tcp://127.0.0.1:9", "--file", "/no/such/file"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
}

#[test]
fn ctrl_c_ends_a_blocked_receiver_cleanly() {
    let mut sub = Proc::start(&["sub", "-v", "@tcp://127.0.0.1:*"]);
    sub.bound();
    sub.interrupt();
    let (status, _, err) = sub.finish();
    assert_eq!(status.code(), Some(130), "{err:?}");
}
