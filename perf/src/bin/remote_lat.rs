//! libzmq's `remote_lat`: `remote_lat <connect-to> <message-size> <roundtrip-count>`.
//! Connects a REQ socket, times the round trips and prints half of one.

use std::time::Instant;

use zmq::{Context, Message, SocketType};
use zmq_perf::arg;

const USAGE: &str = "remote_lat <connect-to> <message-size> <roundtrip-count>";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        println!("usage: {USAGE}");
        std::process::exit(1);
    }
    let size: usize = arg(&args, 2, USAGE);
    let count: usize = arg(&args, 3, USAGE);
    if let Err(e) = run(&args[1], size, count) {
        println!("{e}");
        std::process::exit(255);
    }
}

fn run(connect_to: &str, size: usize, count: usize) -> Result<(), String> {
    let fail = |what: &'static str| move |e: zmq::Error| format!("error in {what}: {e}");
    let ctx = Context::new();
    let s = ctx.socket(SocketType::Req).map_err(fail("zmq_socket"))?;
    s.connect(connect_to).map_err(fail("zmq_connect"))?;
    // One message, echoed back and forth: as the C tool's single zmq_msg_t.
    let mut msg = Message::with_size(size).map_err(fail("zmq_msg_init_size"))?;
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
    println!("message size: {size} [B]");
    println!("roundtrip count: {count}");
    println!("average latency: {latency:.3} [us]");
    Ok(())
}
