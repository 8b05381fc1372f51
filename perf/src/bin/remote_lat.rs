//! libzmq's `remote_lat`: `remote_lat <connect-to> <message-size> <roundtrip-count>`.
//! Connects a REQ socket, times the round trips and prints half of one.

use zmq::{Context, Message, SocketType};
use zmq_perf::{arg, fail, time_round_trips, tool_main};

const USAGE: &str = "remote_lat <connect-to> <message-size> <roundtrip-count>";

fn main() {
    tool_main(USAGE, &[4], |args| {
        run(&args[1], arg(args, 2, USAGE), arg(args, 3, USAGE))
    });
}

fn run(connect_to: &str, size: usize, count: usize) -> Result<(), String> {
    let ctx = Context::new();
    let s = ctx.socket(SocketType::Req).map_err(fail("zmq_socket"))?;
    s.connect(connect_to).map_err(fail("zmq_connect"))?;
    // One message, echoed back and forth: as the C tool's single zmq_msg_t.
    let mut msg = Message::with_size(size).map_err(fail("zmq_msg_init_size"))?;
    let latency = time_round_trips(&s, &mut msg, count)?;
    println!("message size: {size} [B]");
    println!("roundtrip count: {count}");
    println!("average latency: {latency:.3} [us]");
    Ok(())
}
