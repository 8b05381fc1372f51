//! libzmq's `inproc_thr`: `inproc_thr <message-size> <message-count>`.
//! A PUSH thread sends over inproc to a PULL socket that times the messages.

use zmq::{Context, Message, SocketType};
use zmq_perf::{arg, fail, print_throughput, time_receiver, tool_main};

const USAGE: &str = "inproc_thr <message-size> <message-count>";

fn main() {
    tool_main(USAGE, &[3], |args| {
        run(arg(args, 1, USAGE), arg(args, 2, USAGE))
    });
}

fn run(size: usize, count: usize) -> Result<(), String> {
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
    let elapsed = time_receiver(&s, size, count)?;
    worker
        .join()
        .map_err(|_| "error in pthread_join".to_string())??;
    print_throughput(size, count, elapsed);
    Ok(())
}
