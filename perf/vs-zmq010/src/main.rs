//! The workloads of `zmq-perf`'s `compare` (perf/src/lib.rs), written over
//! the registry `zmq` 0.10 crate: `vs-zmq010 <thr|lat> <endpoint> <size>
//! <count> [<enable_curve>]` prints msg/s (thr) or microseconds (lat).
//! `run.sh` links it to the very libzmq.a our zmq-sys built and runs
//! `compare --against` with it.

use std::time::Instant;

// libzmq's perf-tool keys (perf/src/lib.rs has the same).
const SERVER_SECRET: &str = "{X}#>t#jRGaQ}gMhv=30r(Mw+87YGs+5%kh=i@f8";
const SERVER_PUBLIC: &str = "DX4nh=yUn{-9ugra0X3Src4SU-4xTgqxcYY.+<SH";
const CLIENT_PUBLIC: &str = "<n^oA}I:66W+*ds3tAmi1+KJzv-}k&fC2aA5Bj0K";
const CLIENT_SECRET: &str = "9R9bV}[6z6DC-%$!jTVTKvWc=LEL{4i4gzUe$@Zx";

type Result<T> = std::result::Result<T, zmq::Error>;

fn curve_server(s: &zmq::Socket) -> Result<()> {
    s.set_curve_server(true)?;
    s.set_curve_secretkey(SERVER_SECRET.as_bytes())
}

fn curve_client(s: &zmq::Socket) -> Result<()> {
    s.set_curve_serverkey(SERVER_PUBLIC.as_bytes())?;
    s.set_curve_publickey(CLIENT_PUBLIC.as_bytes())?;
    s.set_curve_secretkey(CLIENT_SECRET.as_bytes())
}

fn thr(endpoint: &str, size: usize, count: usize, curve: bool) -> Result<f64> {
    let ctx = zmq::Context::new();
    let pull = ctx.socket(zmq::PULL)?;
    if curve {
        curve_server(&pull)?;
    }
    pull.bind(endpoint)?;
    let resolved = pull.get_last_endpoint()?.unwrap_or_default();
    let push = ctx.socket(zmq::PUSH)?;
    // As in perf/src/lib.rs: the sender's socket is closed after the last
    // message arrived (libzmq 4.3.5 dropped an ipc stream's tail otherwise),
    // and a receiver that waits longer than 3 s fails the run.
    let sender = std::thread::spawn(move || -> Result<zmq::Socket> {
        if curve {
            curve_client(&push)?;
        }
        push.connect(&resolved)?;
        let buf = vec![b'A'; size];
        for _ in 0..count {
            push.send(&buf[..], 0)?;
        }
        Ok(push)
    });
    let mut msg = zmq::Message::new();
    pull.recv(&mut msg, 0)?;
    pull.set_rcvtimeo(3000)?;
    let start = Instant::now();
    for _ in 1..count {
        pull.recv(&mut msg, 0)?;
        assert_eq!(msg.len(), size, "message of incorrect size received");
    }
    let elapsed = start.elapsed().as_secs_f64().max(1e-6);
    drop(sender.join().expect("sender")?);
    Ok((count - 1) as f64 / elapsed)
}

fn lat(endpoint: &str, size: usize, count: usize, curve: bool) -> Result<f64> {
    let ctx = zmq::Context::new();
    let req = ctx.socket(zmq::REQ)?;
    if curve {
        curve_server(&req)?;
    }
    req.bind(endpoint)?;
    let resolved = req.get_last_endpoint()?.unwrap_or_default();
    let rep = ctx.socket(zmq::REP)?;
    let echo = std::thread::spawn(move || -> Result<zmq::Socket> {
        if curve {
            curve_client(&rep)?;
        }
        rep.connect(&resolved)?;
        let mut msg = zmq::Message::new();
        for _ in 0..count {
            rep.recv(&mut msg, 0)?;
            rep.send(std::mem::replace(&mut msg, zmq::Message::new()), 0)?;
        }
        Ok(rep)
    });
    let buf = vec![b'A'; size];
    let mut msg = zmq::Message::new();
    req.set_rcvtimeo(3000)?;
    req.send(&buf[..], 0)?;
    req.recv(&mut msg, 0)?;
    let start = Instant::now();
    for _ in 1..count {
        req.send(&buf[..], 0)?;
        req.recv(&mut msg, 0)?;
        assert_eq!(msg.len(), size, "message of incorrect size received");
    }
    let elapsed = start.elapsed().as_secs_f64() * 1e6;
    drop(echo.join().expect("echo")?);
    Ok(elapsed / ((count - 1) as f64 * 2.0))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 && args.len() != 6 {
        println!("usage: vs-zmq010 <thr|lat> <endpoint> <size> <count> [<enable_curve>]");
        std::process::exit(1);
    }
    let size: usize = args[3].parse().expect("size");
    let count: usize = args[4].parse().expect("count");
    let curve = args.get(5).is_some_and(|c| c != "0");
    let result = match args[1].as_str() {
        "thr" => thr(&args[2], size, count, curve),
        _ => lat(&args[2], size, count, curve),
    };
    match result {
        Ok(v) => println!("{v:.3}"),
        Err(e) => {
            println!("error: {e}");
            std::process::exit(255)
        }
    }
}
