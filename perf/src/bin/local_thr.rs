//! libzmq's `local_thr`: `local_thr <bind-to> <message-size> <message-count> [<enable_curve>]`.
//! Binds a PULL socket, receives the messages and prints the throughput.

use zmq::{Context, SocketType};
use zmq_perf::{arg, curve_server, fail, print_throughput, time_receiver, tool_main};

const USAGE: &str = "local_thr <bind-to> <message-size> <message-count> [<enable_curve>]";

fn main() {
    tool_main(USAGE, &[4, 5], |args| {
        let curve = args.len() == 5 && arg::<i32>(args, 4, USAGE) != 0;
        run(&args[1], arg(args, 2, USAGE), arg(args, 3, USAGE), curve)
    });
}

fn run(bind_to: &str, size: usize, count: usize, curve: bool) -> Result<(), String> {
    let ctx = Context::new();
    let s = ctx.socket(SocketType::Pull).map_err(fail("zmq_socket"))?;
    if curve {
        curve_server(&s)?;
    }
    s.bind(bind_to).map_err(fail("zmq_bind"))?;
    let elapsed = time_receiver(&s, size, count)?;
    println!("message size: {size} [B]");
    println!("message count: {count}");
    print_throughput(size, count, elapsed);
    Ok(())
}
