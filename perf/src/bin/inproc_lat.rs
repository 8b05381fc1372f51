//! libzmq's `inproc_lat`: `inproc_lat <message-size> <roundtrip-count>`.
//! A REQ socket and a REP echo thread over inproc.

use zmq::{Context, Message, SocketType};
use zmq_perf::{arg, fail, recv_sized, time_round_trips, tool_main};

const USAGE: &str = "inproc_lat <message-size> <roundtrip-count>";

fn main() {
    tool_main(USAGE, &[3], |args| {
        run(arg(args, 1, USAGE), arg(args, 2, USAGE))
    });
}

fn run(size: usize, count: usize) -> Result<(), String> {
    let ctx = Context::new();
    let s = ctx.socket(SocketType::Req).map_err(fail("zmq_socket"))?;
    s.bind("inproc://lat_test").map_err(fail("zmq_bind"))?;
    let rep = ctx.socket(SocketType::Rep).map_err(fail("zmq_socket"))?;
    let worker = std::thread::spawn(move || -> Result<(), String> {
        rep.connect("inproc://lat_test")
            .map_err(fail("zmq_connect"))?;
        let mut msg = Message::new();
        for _ in 0..count {
            recv_sized(&rep, &mut msg, size)?;
            rep.send_msg(&mut msg).map_err(fail("zmq_sendmsg"))?;
        }
        Ok(())
    });
    let mut msg = Message::with_size(size).map_err(fail("zmq_msg_init_size"))?;
    println!("message size: {size} [B]");
    println!("roundtrip count: {count}");
    let latency = time_round_trips(&s, &mut msg, count)?;
    worker
        .join()
        .map_err(|_| "error in pthread_join".to_string())??;
    println!("average latency: {latency:.3} [us]");
    Ok(())
}
