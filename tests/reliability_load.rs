//! Load and soak, sized by environment variables so that plain `cargo test`
//! stays quick and CI (`.ci/run`, stage `reliability`) runs the full size:
//!
//! - load: one ROUTER behind the authenticator with an allow-list of
//!   `RELIABILITY_CLIENTS` CURVE keys (default 40; CI 500); every listed
//!   client makes `RELIABILITY_ROUNDS` round trips (default 10; CI 100);
//!   `RELIABILITY_UNLISTED` unlisted clients (default 5; CI 50) are each
//!   refused (a HandshakeFailedAuth event apiece) and not one of their
//!   messages reaches the server.
//! - soak: REQ -> ROUTER/DEALER proxy -> REP with 10 clients for
//!   `RELIABILITY_SOAK_MESSAGES` round trips (default 20,000): 0 lost, every
//!   reply the one asked for, resident memory and descriptor count flat.
//!
//! The two tests take turns (one lock): each measures the process's RSS and
//! descriptors. Each prints its figures (`--nocapture` shows them).

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zmq::auth::Authenticator;
use zmq::{
    Certificate, Context, Event, MonitorEvents, PollEvents, ProxyThread, Socket, SocketType,
};

/// The longest any one reply may take.
const BOUND: Duration = Duration::from_secs(30);

static TURN: Mutex<()> = Mutex::new(());

fn size(var: &str, default: usize) -> usize {
    match std::env::var(var) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{var}={v} is not a number")),
        Err(_) => default,
    }
}

/// Resident memory of this process, in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// Raises the soft descriptor limit to the hard one (500 CURVE clients and
/// their server's connections need more than the usual 1024).
fn raise_nofile() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: a valid rlimit struct to fill, then to set.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        limit.rlim_cur = limit.rlim_max;
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
    }
    limit.rlim_cur
}

/// Echoes [id, request] until `stop`; checks that every request carries the
/// User-Id of a listed key, and counts them.
fn curve_echo_server(server: Socket, listed: HashSet<String>, stop: Arc<AtomicBool>) -> u64 {
    let mut served = 0u64;
    while !stop.load(Ordering::Relaxed) {
        if server
            .poll(PollEvents::POLLIN, Some(Duration::from_millis(50)))
            .unwrap()
            .is_empty()
        {
            continue;
        }
        while let Some(frames) = server.try_recv_multipart().unwrap() {
            assert_eq!(frames.len(), 2, "a request of {} frames", frames.len());
            let user = frames[1]
                .gets("User-Id")
                .expect("a request without User-Id");
            assert!(
                listed.contains(user),
                "a message from an unlisted key {user}"
            );
            served += 1;
            server.send_multipart(frames).unwrap();
        }
    }
    served
}

#[test]
fn load_curve_router_serves_every_listed_client_and_nothing_from_unlisted() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let clients = size("RELIABILITY_CLIENTS", 40);
    let rounds = size("RELIABILITY_ROUNDS", 10);
    let unlisted = size("RELIABILITY_UNLISTED", 5);
    let nofile = raise_nofile();
    let rss_start = rss_kib();
    let t0 = Instant::now();

    let server_ctx = Context::new();
    let auth = Authenticator::start(&server_ctx).unwrap();
    let server_cert = Certificate::generate().unwrap();
    let listed: Vec<Certificate> = (0..clients)
        .map(|_| Certificate::generate().unwrap())
        .collect();
    auth.configure_curve_keys("*", listed.iter().map(|c| c.public_key()));
    let server = server_ctx.socket(SocketType::Router).unwrap();
    server_cert.apply_server(&server).unwrap();
    auth.guard(&server).unwrap();
    server.set_linger(Some(Duration::ZERO)).unwrap();
    let mut monitor = server
        .monitor(MonitorEvents::HANDSHAKE_SUCCEEDED | MonitorEvents::HANDSHAKE_FAILED_AUTH)
        .unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = server.last_endpoint().unwrap();
    let keys: HashSet<String> = listed.iter().map(|c| c.public_key().to_z85()).collect();
    let stop = Arc::new(AtomicBool::new(false));
    let server_thread = {
        let stop = stop.clone();
        std::thread::spawn(move || curve_echo_server(server, keys, stop))
    };

    let client_ctx = Context::builder().io_threads(2).build().unwrap();
    let make_client = |cert: &Certificate| {
        let c = client_ctx.socket(SocketType::Dealer).unwrap();
        c.set_linger(Some(Duration::ZERO)).unwrap();
        cert.apply_client(&c, server_cert.public_key()).unwrap();
        c.connect(&endpoint).unwrap();
        c
    };
    let intruders: Vec<Socket> = (0..unlisted)
        .map(|_| make_client(&Certificate::generate().unwrap()))
        .collect();
    for intruder in &intruders {
        intruder.send("let me in").unwrap();
    }
    let sockets: Vec<Socket> = listed.iter().map(make_client).collect();

    // Every handshake is decided: one success per listed client, one ZAP
    // refusal per unlisted one.
    let (mut admitted, mut refused) = (0, 0);
    while admitted < clients || refused < unlisted {
        let event = monitor.recv_timeout(BOUND).unwrap().unwrap_or_else(|| {
            panic!("handshakes stalled at {admitted} admitted, {refused} refused")
        });
        match event.event {
            Event::HandshakeSucceeded => admitted += 1,
            Event::HandshakeFailedAuth { status } => {
                assert_eq!(status, 400);
                refused += 1;
            }
            other => panic!("unexpected event {other:?}"),
        }
    }
    assert_eq!((admitted, refused), (clients, unlisted));
    let handshakes = t0.elapsed();

    // Round trips: four driver threads, each a share of the clients, one
    // request per client per round in flight at once.
    let t1 = Instant::now();
    let mut shares: Vec<Vec<(usize, Socket)>> = (0..4).map(|_| Vec::new()).collect();
    for (i, s) in sockets.into_iter().enumerate() {
        shares[i % 4].push((i, s));
    }
    let drivers: Vec<_> = shares
        .into_iter()
        .map(|share| {
            std::thread::spawn(move || {
                for round in 0..rounds {
                    for (i, s) in &share {
                        s.send(format!("{i}:{round}")).unwrap();
                    }
                    for (i, s) in &share {
                        let reply = s.recv_string_timeout(BOUND).unwrap();
                        assert_eq!(reply.as_deref(), Some(&*format!("{i}:{round}")));
                    }
                }
                share
            })
        })
        .collect();
    let sockets: Vec<_> = drivers
        .into_iter()
        .flat_map(|d| d.join().unwrap())
        .collect();
    let trips = t1.elapsed();
    let rss_loaded = rss_kib();
    let fds_loaded = open_fds();

    stop.store(true, Ordering::Relaxed);
    let served = server_thread.join().unwrap();
    assert_eq!(served, (clients * rounds) as u64, "requests lost or extra");
    drop((sockets, intruders, monitor, auth));
    drop(client_ctx);
    drop(server_ctx);
    let rss_end = rss_kib();
    println!(
        "load: {clients} listed clients x {rounds} round trips = {served} served, \
         {unlisted} unlisted refused (0 messages), handshakes {:.2} s, round trips {:.2} s \
         ({:.0}/s), fds {fds_loaded} (limit {nofile}), RSS {rss_start} KiB before, \
         {rss_loaded} KiB loaded, {rss_end} KiB after",
        handshakes.as_secs_f64(),
        trips.as_secs_f64(),
        served as f64 / trips.as_secs_f64(),
    );
}

#[test]
fn soak_req_proxy_rep_loses_nothing_and_stays_flat() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    const CLIENTS: usize = 10;
    const WORKERS: usize = 4;
    let total = size("RELIABILITY_SOAK_MESSAGES", 20_000);
    let per_client = total.div_ceil(CLIENTS);
    let total = per_client * CLIENTS;
    let t0 = Instant::now();

    let ctx = Context::new();
    let front = ctx.socket(SocketType::Router).unwrap();
    front.bind("tcp://127.0.0.1:*").unwrap();
    let front_endpoint = front.last_endpoint().unwrap();
    let back = ctx.socket(SocketType::Dealer).unwrap();
    back.bind("tcp://127.0.0.1:*").unwrap();
    let back_endpoint = back.last_endpoint().unwrap();
    let proxy = ProxyThread::spawn(front, back, None).unwrap();

    let worker_ctx = Context::new();
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let rep = worker_ctx.socket(SocketType::Rep).unwrap();
            rep.set_linger(Some(Duration::ZERO)).unwrap();
            rep.connect(&back_endpoint).unwrap();
            std::thread::spawn(move || {
                let mut handled = 0u64;
                loop {
                    match rep.recv_msg() {
                        Ok(m) => {
                            rep.send(m).unwrap();
                            handled += 1;
                        }
                        Err(e) if e.kind() == zmq::ErrorKind::Terminated => return handled,
                        Err(e) => panic!("worker: {e}"),
                    }
                }
            })
        })
        .collect();

    let done = Arc::new(AtomicU64::new(0));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let req = ctx.socket(SocketType::Req).unwrap();
            req.set_rcvtimeo(Some(BOUND)).unwrap();
            req.connect(&front_endpoint).unwrap();
            let done = done.clone();
            std::thread::spawn(move || {
                for n in 0..per_client {
                    let request = format!("client {c} request {n}");
                    req.send(request.as_str()).unwrap();
                    let reply = req.recv_msg().expect("a reply was lost");
                    assert_eq!(reply, request.as_str(), "a wrong reply");
                    done.fetch_add(1, Ordering::Relaxed);
                }
                req
            })
        })
        .collect();

    // Samples at 10 % (warmed up), 50 % and when all came back, while the
    // sockets are still open.
    let mut samples: Vec<(u64, u64, usize)> = Vec::new();
    for pct in [10u64, 50] {
        let mark = total as u64 * pct / 100;
        while done.load(Ordering::Relaxed) < mark {
            if clients.iter().any(|c| c.is_finished()) {
                break; // a client ended: its panic, if any, shows at join
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        samples.push((done.load(Ordering::Relaxed), rss_kib(), open_fds()));
    }
    let clients: Vec<Socket> = clients.into_iter().map(|c| c.join().unwrap()).collect();
    samples.push((done.load(Ordering::Relaxed), rss_kib(), open_fds()));
    let elapsed = t0.elapsed();
    assert_eq!(done.load(Ordering::Relaxed), total as u64);

    drop(clients);
    proxy.stop().unwrap();
    worker_ctx.shutdown().unwrap();
    let handled: u64 = workers.into_iter().map(|w| w.join().unwrap()).sum();
    assert_eq!(handled, total as u64, "workers handled a different count");

    let (_, rss_warm, fds_warm) = samples[0];
    let (_, rss_last, fds_last) = samples[2];
    println!(
        "soak: {total} round trips by {CLIENTS} REQ clients through a ROUTER/DEALER proxy to \
         {WORKERS} REP workers in {:.2} s ({:.0}/s), 0 lost; (done, RSS KiB, fds) samples {samples:?}",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
    );
    assert_eq!(fds_last, fds_warm, "descriptors leaked: {samples:?}");
    assert!(
        rss_last <= rss_warm + 16 * 1024,
        "resident memory grew by {} KiB: {samples:?}",
        rss_last.saturating_sub(rss_warm)
    );
}
