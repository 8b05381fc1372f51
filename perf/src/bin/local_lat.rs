//! libzmq's `local_lat`: `local_lat <bind-to> <message-size> <roundtrip-count>`.
//! Binds a REP socket and echoes every message.

use zmq::{Context, Message, SocketType};
use zmq_perf::{arg, fail, recv_sized, tool_main};

const USAGE: &str = "local_lat <bind-to> <message-size> <roundtrip-count>";

fn main() {
    tool_main(USAGE, &[4], |args| {
        run(&args[1], arg(args, 2, USAGE), arg(args, 3, USAGE))
    });
}

fn run(bind_to: &str, size: usize, count: usize) -> Result<(), String> {
    let ctx = Context::new();
    ctx.set_default_linger(None);
    let s = ctx.socket(SocketType::Rep).map_err(fail("zmq_socket"))?;
    s.bind(bind_to).map_err(fail("zmq_bind"))?;
    let mut msg = Message::new();
    for _ in 0..count {
        recv_sized(&s, &mut msg, size)?;
        s.send_msg(&mut msg).map_err(fail("zmq_sendmsg"))?;
    }
    Ok(())
}
