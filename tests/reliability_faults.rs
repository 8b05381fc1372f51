//! Faults with real processes: a peer killed with SIGKILL mid-stream and
//! restarted, and a process at its file-descriptor limit (`ulimit -n`).
//!
//! The peers are this test binary itself, started again with
//! `RELIABILITY_PEER=<role>` (so the test needs no other program); that is
//! why this target has its own `main` (`harness = false` in Cargo.toml). It
//! takes test names (substrings) as filters, like the libtest harness, and
//! ignores libtest's flags.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use zmq::{Context, ErrorKind, Event, Monitor, MonitorEvents, Socket, SocketType};

const PEER_ENV: &str = "RELIABILITY_PEER";
const ENDPOINT_ENV: &str = "RELIABILITY_ENDPOINT";
const LIMIT_ENV: &str = "RELIABILITY_NOFILE";
/// The longest a test waits for anything that must happen.
const BOUND: Duration = Duration::from_secs(10);

// ---- the peer processes ------------------------------------------------------

fn peer(role: &str) {
    let endpoint = std::env::var(ENDPOINT_ENV).unwrap_or_default();
    let ctx = Context::new();
    let pid = std::process::id();
    match role {
        // Publishes "<pid> <n>" every millisecond, forever.
        "pub" | "push" => {
            let kind = if role == "pub" {
                SocketType::Pub
            } else {
                SocketType::Push
            };
            let s = ctx.socket(kind).unwrap();
            s.bind(&endpoint).unwrap();
            say("ready");
            for n in 0u64.. {
                s.send(format!("{pid} {n}")).unwrap();
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        // Echoes requests, except "hang": it says so and never answers.
        "rep" => {
            let s = ctx.socket(SocketType::Rep).unwrap();
            s.bind(&endpoint).unwrap();
            say("ready");
            loop {
                let request = s.recv_string().unwrap();
                if request == "hang" {
                    say("hanging");
                    loop {
                        std::thread::sleep(Duration::from_secs(60));
                    }
                }
                s.send(request).unwrap();
            }
        }
        // Makes sockets until the fd limit, closes some, makes them again.
        "fd-sockets" => {
            lower_nofile();
            let mut sockets = Vec::new();
            let err = loop {
                match ctx.socket(SocketType::Dealer) {
                    Ok(s) => sockets.push(s),
                    Err(e) => break e,
                }
                assert!(sockets.len() < 10_000, "the fd limit was not hit");
            };
            say(&format!("made {} then {:?}", sockets.len(), err.kind()));
            // A closed socket's descriptors are released by libzmq's reaper
            // thread a moment after the close: until then, the same error.
            let full = sockets.len();
            sockets.truncate(full - 5);
            let deadline = Instant::now() + BOUND;
            while sockets.len() < full {
                match ctx.socket(SocketType::Dealer) {
                    Ok(s) => sockets.push(s),
                    Err(e) => {
                        assert_eq!(e.kind(), ErrorKind::TooManySockets);
                        assert!(Instant::now() < deadline, "closed sockets never freed");
                        std::thread::sleep(Duration::from_millis(5));
                    }
                }
            }
            let again = ctx.socket(SocketType::Dealer).map(drop);
            say(&format!("remade 5 then {:?}", again.map_err(|e| e.kind())));
            // The sockets work: a pair made of the last two.
            let n = sockets.len();
            sockets[n - 1].bind("inproc://fd-sockets").unwrap();
            sockets[n - 2].connect("inproc://fd-sockets").unwrap();
            sockets[n - 2].send("x").unwrap();
            assert_eq!(sockets[n - 1].recv_msg().unwrap(), "x");
            say("works");
        }
        // A ROUTER echo server with few descriptors; says when accept fails.
        "fd-server" => {
            let router = ctx.socket(SocketType::Router).unwrap();
            router.bind("tcp://127.0.0.1:*").unwrap();
            let mut monitor = router.monitor(MonitorEvents::ACCEPT_FAILED).unwrap();
            lower_nofile();
            say(&format!("endpoint {}", router.last_endpoint().unwrap()));
            let mut told = false;
            loop {
                let mut items = [
                    zmq::PollItem::socket(&router, zmq::PollEvents::POLLIN),
                    zmq::PollItem::socket(monitor.socket(), zmq::PollEvents::POLLIN),
                ];
                zmq::poll(&mut items, None).unwrap();
                if items[0].is_readable() {
                    while let Some(request) = router.try_recv_multipart().unwrap() {
                        router.send_multipart(request).unwrap();
                    }
                }
                if items[1].is_readable() {
                    while let Some(event) = monitor.try_recv().unwrap() {
                        if let Event::AcceptFailed { errno } = event.event {
                            if !told {
                                say(&format!("accept-failed {errno}"));
                                told = true;
                            }
                        }
                    }
                }
            }
        }
        other => panic!("unknown peer role {other}"),
    }
}

/// Lowers this process's RLIMIT_NOFILE to what it has open plus
/// `RELIABILITY_NOFILE`.
fn lower_nofile() {
    let spare: u64 = std::env::var(LIMIT_ENV).unwrap().parse().unwrap();
    let open = std::fs::read_dir("/proc/self/fd").unwrap().count() as u64;
    let limit = libc::rlimit {
        rlim_cur: open + spare,
        rlim_max: open + spare,
    };
    // SAFETY: a valid rlimit struct.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) }, 0);
}

fn say(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").unwrap();
    out.flush().unwrap();
}

// ---- the test side ----------------------------------------------------------

/// A peer process; killed with SIGKILL when dropped.
struct Peer {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Peer {
    fn start(role: &str, endpoint: &str, envs: &[(&str, &str)]) -> Peer {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env(PEER_ENV, role)
            .env(ENDPOINT_ENV, endpoint)
            .envs(envs.iter().copied())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout: ChildStdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Peer { child, lines }
    }

    /// The next line the peer prints.
    fn line(&self) -> String {
        self.lines
            .recv_timeout(BOUND)
            .expect("the peer said nothing")
    }

    fn expect(&self, wanted: &str) {
        assert_eq!(self.line(), wanted);
    }

    /// SIGKILL, and wait until the process is gone.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh loopback endpoint (bind port 0, read it, release it): the peer
/// binds it again after each restart.
fn free_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("tcp://{}", listener.local_addr().unwrap())
}

/// Waits for a monitor event matching `wanted`, skipping others.
fn wait_for(monitor: &mut Monitor, what: &str, wanted: impl Fn(&Event) -> bool) {
    let deadline = Instant::now() + BOUND;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let event = monitor.recv_timeout(left).unwrap();
        let event = event.unwrap_or_else(|| panic!("no {what} event"));
        if wanted(&event.event) {
            return;
        }
    }
}

fn connected(e: &Event) -> bool {
    matches!(e, Event::HandshakeSucceeded)
}

fn disconnected(e: &Event) -> bool {
    matches!(e, Event::Disconnected { .. })
}

fn watch(socket: &Socket) -> Monitor {
    socket
        .monitor(MonitorEvents::HANDSHAKE_SUCCEEDED | MonitorEvents::DISCONNECTED)
        .unwrap()
}

/// Reads "<pid> <n>" frames until `count` came from process `pid`, checking
/// they come in order.
fn receive_from(socket: &Socket, pid: u32, count: usize) {
    let mut last = None;
    let mut got = 0;
    let deadline = Instant::now() + BOUND;
    while got < count {
        assert!(Instant::now() < deadline, "{got} of {count} frames came");
        let Some(text) = socket.recv_string_timeout(BOUND).unwrap() else {
            continue;
        };
        let (from, n) = text.split_once(' ').unwrap();
        let n: u64 = n.parse().unwrap();
        if from.parse::<u32>().unwrap() != pid {
            continue; // the previous incarnation's last frames
        }
        if let Some(last) = last {
            assert!(n > last, "frame {n} after {last}");
        }
        last = Some(n);
        got += 1;
    }
}

/// The receiver is the test; the sender process is killed mid-stream and
/// started again on the same endpoint: frames from the new process arrive
/// without anything done on the receiving socket.
fn stream_resumes(role: &str, receiver: SocketType) {
    let ctx = Context::new();
    let endpoint = free_endpoint();
    let socket = ctx.socket(receiver).unwrap();
    if receiver == SocketType::Sub {
        socket.set_subscribe(b"").unwrap();
    }
    let mut monitor = watch(&socket);
    socket.connect(&endpoint).unwrap();
    for _ in 0..3 {
        let peer = Peer::start(role, &endpoint, &[]);
        peer.expect("ready");
        wait_for(&mut monitor, "connected", connected);
        receive_from(&socket, peer.child.id(), 50);
        peer.kill();
        wait_for(&mut monitor, "disconnected", disconnected);
    }
}

fn pub_sub_resumes_after_the_publisher_is_killed() {
    stream_resumes("pub", SocketType::Sub);
}

fn push_pull_resumes_after_the_pusher_is_killed() {
    stream_resumes("push", SocketType::Pull);
}

/// A REP server killed while it holds a request: a plain REQ never gets its
/// reply and cannot send again; the documented recoveries work.
fn req_hangs_on_a_killed_server_and_the_recoveries_work() {
    let ctx = Context::new();
    let endpoint = free_endpoint();

    // Plain REQ: the request dies with the server.
    let req = ctx.socket(SocketType::Req).unwrap();
    req.set_linger(Some(Duration::ZERO)).unwrap();
    let mut monitor = watch(&req);
    req.connect(&endpoint).unwrap();
    let server = Peer::start("rep", &endpoint, &[]);
    server.expect("ready");
    req.send("one").unwrap();
    assert_eq!(req.recv_string().unwrap(), "one");
    req.send("hang").unwrap();
    server.expect("hanging");
    server.kill();
    wait_for(&mut monitor, "disconnected", disconnected);
    // The server is gone; a new one comes up and the REQ reconnects to it,
    // but the request went down with the old one.
    let server = Peer::start("rep", &endpoint, &[]);
    server.expect("ready");
    wait_for(&mut monitor, "reconnected", connected);
    assert_eq!(
        req.recv_msg_timeout(Duration::from_millis(500)).unwrap(),
        None,
        "a reply came from a killed server"
    );
    // A plain REQ waits for that reply forever: it refuses a new request.
    assert_eq!(req.send("two").unwrap_err().kind(), ErrorKind::InvalidState);
    drop(monitor);
    drop(req);

    // Recovery 1: RCVTIMEO + REQ_RELAXED + REQ_CORRELATE on one socket.
    let req = ctx.socket(SocketType::Req).unwrap();
    req.set_linger(Some(Duration::ZERO)).unwrap();
    req.set_rcvtimeo(Some(Duration::from_millis(200))).unwrap();
    req.set_req_relaxed(true).unwrap();
    req.set_req_correlate(true).unwrap();
    let mut monitor = watch(&req);
    req.connect(&endpoint).unwrap();
    wait_for(&mut monitor, "connected", connected);
    req.send("hang").unwrap();
    server.expect("hanging");
    server.kill();
    wait_for(&mut monitor, "disconnected", disconnected);
    assert_eq!(req.recv_msg().unwrap_err().kind(), ErrorKind::Again);
    let server = Peer::start("rep", &endpoint, &[]);
    server.expect("ready");
    wait_for(&mut monitor, "reconnected", connected);
    // Relaxed: a new request may follow an unanswered one; correlated: a
    // late reply to the old one could not be taken for this one.
    req.send("retry").unwrap();
    req.set_rcvtimeo(Some(BOUND)).unwrap();
    assert_eq!(req.recv_string().unwrap(), "retry");
    drop(monitor);
    drop(req);

    // Recovery 2: Lazy Pirate: poll with a timeout, then close and reopen.
    let mut req = lazy_pirate_socket(&ctx, &endpoint);
    req.send("hang").unwrap();
    server.expect("hanging");
    server.kill();
    let server = Peer::start("rep", &endpoint, &[]);
    server.expect("ready");
    let mut answered = false;
    for _retry in 0..5 {
        if let Some(reply) = req.recv_string_timeout(Duration::from_millis(500)).unwrap() {
            assert_eq!(reply, "lazy");
            answered = true;
            break;
        }
        // No reply in time: the socket is abandoned, a new one resends.
        req = lazy_pirate_socket(&ctx, &endpoint);
        req.send("lazy").unwrap();
    }
    assert!(answered, "Lazy Pirate never got an answer");
    drop(server);
}

fn lazy_pirate_socket(ctx: &Context, endpoint: &str) -> Socket {
    let req = ctx.socket(SocketType::Req).unwrap();
    req.set_linger(Some(Duration::ZERO)).unwrap();
    req.connect(endpoint).unwrap();
    req
}

/// `ulimit -n` in a child process: sockets until `TooManySockets`, then
/// recovery after closing some.
fn sockets_until_the_fd_limit_then_recovery() {
    let peer = Peer::start("fd-sockets", "", &[(LIMIT_ENV, "40")]);
    let made = peer.line();
    let (count, kind) = made
        .strip_prefix("made ")
        .and_then(|rest| rest.split_once(" then "))
        .unwrap_or_else(|| panic!("unexpected: {made}"));
    let count: usize = count.parse().unwrap();
    assert!(count > 5, "only {count} sockets under the limit");
    assert_eq!(kind, "TooManySockets");
    peer.expect("remade 5 then Err(TooManySockets)");
    peer.expect("works");
    let mut peer = peer;
    let status = peer.child.wait().unwrap();
    assert!(status.success(), "the child failed: {status}");
}

/// A server at its fd limit keeps serving the clients it has; a client it
/// could not accept is served once others leave.
fn a_server_at_its_fd_limit_keeps_serving_its_clients() {
    let server = Peer::start("fd-server", "", &[(LIMIT_ENV, "12")]);
    let line = server.line();
    let endpoint = line.strip_prefix("endpoint ").unwrap().to_owned();
    let ctx = Context::new();
    let mut served: Vec<Socket> = Vec::new();
    let round_trip = |client: &Socket, text: &str, wait: Duration| -> bool {
        client.send(text).unwrap();
        match client.recv_string_timeout(wait).unwrap() {
            Some(reply) => {
                assert_eq!(reply, text);
                true
            }
            None => false,
        }
    };
    // Clients join until the server's accept fails (its monitor says so).
    let waiting = loop {
        assert!(served.len() < 100, "the server never hit its fd limit");
        let client = ctx.socket(SocketType::Dealer).unwrap();
        client.set_linger(Some(Duration::ZERO)).unwrap();
        client.connect(&endpoint).unwrap();
        if let Ok(said) = server.lines.recv_timeout(Duration::from_millis(200)) {
            assert!(said.starts_with("accept-failed"), "{said}");
            break client;
        }
        assert!(
            round_trip(&client, "hello", BOUND),
            "a client was not served"
        );
        served.push(client);
    };
    assert!(served.len() >= 2, "only {} clients served", served.len());
    // The server keeps serving every client it has.
    for (i, client) in served.iter().enumerate() {
        assert!(
            round_trip(client, &format!("still {i}"), BOUND),
            "client {i} lost its service"
        );
    }
    // Closing three clients frees descriptors: the waiting one is served.
    served.truncate(served.len() - 3);
    assert!(
        round_trip(&waiting, "late", BOUND),
        "the waiting client was never served"
    );
    for client in &served {
        assert!(round_trip(client, "after", BOUND));
    }
}

// ---- the runner -------------------------------------------------------------

fn main() {
    if let Ok(role) = std::env::var(PEER_ENV) {
        peer(&role);
        return;
    }
    let tests: &[(&str, fn())] = &[
        (
            "pub_sub_resumes_after_the_publisher_is_killed",
            pub_sub_resumes_after_the_publisher_is_killed,
        ),
        (
            "push_pull_resumes_after_the_pusher_is_killed",
            push_pull_resumes_after_the_pusher_is_killed,
        ),
        (
            "req_hangs_on_a_killed_server_and_the_recoveries_work",
            req_hangs_on_a_killed_server_and_the_recoveries_work,
        ),
        (
            "sockets_until_the_fd_limit_then_recovery",
            sockets_until_the_fd_limit_then_recovery,
        ),
        (
            "a_server_at_its_fd_limit_keeps_serving_its_clients",
            a_server_at_its_fd_limit_keeps_serving_its_clients,
        ),
    ];
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        for (name, _) in tests {
            println!("{name}: test");
        }
        return;
    }
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let exact = args.iter().any(|a| a == "--exact");
    let chosen: Vec<_> = tests
        .iter()
        .filter(|(name, _)| {
            filters.is_empty()
                || filters.iter().any(|f| {
                    if exact {
                        name == f
                    } else {
                        name.contains(f.as_str())
                    }
                })
        })
        .collect();
    println!("\nrunning {} tests", chosen.len());
    let mut failed = Vec::new();
    let started = Instant::now();
    for (name, test) in chosen {
        let t0 = Instant::now();
        let outcome = std::panic::catch_unwind(test);
        let secs = t0.elapsed().as_secs_f64();
        match outcome {
            Ok(()) => println!("test {name} ... ok ({secs:.2} s)"),
            Err(_) => {
                println!("test {name} ... FAILED ({secs:.2} s)");
                failed.push(*name);
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    if failed.is_empty() {
        println!("\ntest result: ok. {secs:.2} s\n");
    } else {
        println!("\ntest result: FAILED: {failed:?}. {secs:.2} s\n");
        std::process::exit(101);
    }
}
