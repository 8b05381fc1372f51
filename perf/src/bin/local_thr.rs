//! libzmq's `local_thr`: `local_thr <bind-to> <message-size> <message-count> [<enable_curve>]`.
//! Binds a PULL socket, receives the messages and prints the throughput.

use std::time::Instant;

use zmq::{Context, Message, SocketType};
use zmq_perf::{arg, curve_server};

const USAGE: &str = "local_thr <bind-to> <message-size> <message-count> [<enable_curve>]";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 && args.len() != 5 {
        println!("usage: {USAGE}");
        std::process::exit(1);
    }
    let size: usize = arg(&args, 2, USAGE);
    let count: usize = arg(&args, 3, USAGE);
    let curve = args.len() == 5 && arg::<i32>(&args, 4, USAGE) != 0;
    if let Err(e) = run(&args[1], size, count, curve) {
        println!("{e}");
        std::process::exit(255);
    }
}

fn run(bind_to: &str, size: usize, count: usize, curve: bool) -> Result<(), String> {
    let fail = |what: &'static str| move |e: zmq::Error| format!("error in {what}: {e}");
    let ctx = Context::new();
    let s = ctx.socket(SocketType::Pull).map_err(fail("zmq_socket"))?;
    if curve {
        curve_server(&s)?;
    }
    s.bind(bind_to).map_err(fail("zmq_bind"))?;
    let mut msg = Message::new();
    let mut recv = || -> Result<(), String> {
        s.recv(&mut msg).map_err(fail("zmq_recvmsg"))?;
        if msg.len() != size {
            return Err("message of incorrect size received".into());
        }
        Ok(())
    };
    recv()?;
    let start = Instant::now();
    for _ in 1..count {
        recv()?;
    }
    let elapsed = (start.elapsed().as_micros() as f64).max(1.0);
    let throughput = count as f64 / elapsed * 1_000_000.0;
    let megabits = throughput * size as f64 * 8.0 / 1_000_000.0;
    println!("message size: {size} [B]");
    println!("message count: {count}");
    println!("mean throughput: {} [msg/s]", throughput as i64);
    println!("mean throughput: {megabits:.3} [Mb/s]");
    Ok(())
}
