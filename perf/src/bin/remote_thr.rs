//! libzmq's `remote_thr`: `remote_thr <connect-to> <message-size> <message-count> [<enable_curve>]`.
//! Connects a PUSH socket and sends the messages as fast as it can.

use zmq::{Context, Message, SocketType};
use zmq_perf::{arg, curve_client, fail, tool_main};

const USAGE: &str = "remote_thr <connect-to> <message-size> <message-count> [<enable_curve>]";

fn main() {
    tool_main(USAGE, &[4, 5], |args| {
        let curve = args.len() == 5 && arg::<i32>(args, 4, USAGE) != 0;
        run(&args[1], arg(args, 2, USAGE), arg(args, 3, USAGE), curve)
    });
}

fn run(connect_to: &str, size: usize, count: usize, curve: bool) -> Result<(), String> {
    let ctx = Context::new();
    // The C tool lingers forever on close so that every message gets out.
    ctx.set_default_linger(None);
    let s = ctx.socket(SocketType::Push).map_err(fail("zmq_socket"))?;
    if curve {
        curve_client(&s)?;
    }
    s.connect(connect_to).map_err(fail("zmq_connect"))?;
    for _ in 0..count {
        // As the C tool: zmq_msg_init_size, then zmq_sendmsg.
        let msg = Message::with_size(size).map_err(fail("zmq_msg_init_size"))?;
        s.send(msg).map_err(fail("zmq_sendmsg"))?;
    }
    Ok(())
}
