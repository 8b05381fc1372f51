//! libzmq's `inproc_thr`: `inproc_thr <message-size> <message-count>`.
//! A PUSH thread sends over inproc to a PULL socket that times the messages.

use std::time::Instant;

use zmq::{Context, Message, SocketType};
use zmq_perf::arg;

const USAGE: &str = "inproc_thr <message-size> <message-count>";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        println!("usage: {USAGE}");
        std::process::exit(1);
    }
    let size: usize = arg(&args, 1, USAGE);
    let count: usize = arg(&args, 2, USAGE);
    if let Err(e) = run(size, count) {
        println!("{e}");
        std::process::exit(255);
    }
}

fn run(size: usize, count: usize) -> Result<(), String> {
    let fail = |what: &'static str| move |e: zmq::Error| format!("error in {what}: {e}");
    let ctx = Context::new();
    let s = ctx.socket(SocketType::Pull).map_err(fail("zmq_socket"))?;
    s.bind("inproc://thr_test").map_err(fail("zmq_bind"))?;
    let push = ctx.socket(SocketType::Push).map_err(fail("zmq_socket"))?;
    let worker = std::thread::spawn(move || -> Result<(), String> {
        push.connect("inproc://thr_test")
            .map_err(fail("zmq_connect"))?;
        for _ in 0..count {
            let msg = Message::with_size(size).map_err(fail("zmq_msg_init_size"))?;
            push.send(msg).map_err(fail("zmq_sendmsg"))?;
        }
        Ok(())
    });
    println!("message size: {size} [B]");
    println!("message count: {count}");
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
    worker
        .join()
        .map_err(|_| "error in pthread_join".to_string())??;
    let throughput = (count as f64 / elapsed * 1_000_000.0) as u64;
    let megabits = (throughput as f64 * size as f64 * 8.0) / 1_000_000.0;
    println!("mean throughput: {throughput} [msg/s]");
    println!("mean throughput: {megabits:.3} [Mb/s]");
    Ok(())
}
