//! libzmq's `inproc_lat`: `inproc_lat <message-size> <roundtrip-count>`.
//! A REQ socket and a REP echo thread over inproc.

use std::time::Instant;

use zmq::{Context, Message, SocketType};
use zmq_perf::arg;

const USAGE: &str = "inproc_lat <message-size> <roundtrip-count>";

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
    let s = ctx.socket(SocketType::Req).map_err(fail("zmq_socket"))?;
    s.bind("inproc://lat_test").map_err(fail("zmq_bind"))?;
    let rep = ctx.socket(SocketType::Rep).map_err(fail("zmq_socket"))?;
    let worker = std::thread::spawn(move || -> Result<(), String> {
        rep.connect("inproc://lat_test")
            .map_err(fail("zmq_connect"))?;
        let mut msg = Message::new();
        for _ in 0..count {
            rep.recv(&mut msg).map_err(fail("zmq_recvmsg"))?;
            rep.send_msg(&mut msg).map_err(fail("zmq_sendmsg"))?;
        }
        Ok(())
    });
    let mut msg = Message::with_size(size).map_err(fail("zmq_msg_init_size"))?;
    println!("message size: {size} [B]");
    println!("roundtrip count: {count}");
    let start = Instant::now();
    for _ in 0..count {
        s.send_msg(&mut msg).map_err(fail("zmq_sendmsg"))?;
        s.recv(&mut msg).map_err(fail("zmq_recvmsg"))?;
        if msg.len() != size {
            return Err("message of incorrect size received".into());
        }
    }
    let elapsed = start.elapsed().as_micros() as f64;
    let latency = elapsed / (count as f64 * 2.0);
    worker
        .join()
        .map_err(|_| "error in pthread_join".to_string())??;
    println!("average latency: {latency:.3} [us]");
    Ok(())
}
