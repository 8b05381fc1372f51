//! libzmq's `local_lat`: `local_lat <bind-to> <message-size> <roundtrip-count>`.
//! Binds a REP socket and echoes every message.

use zmq::{Context, Message, SocketType};
use zmq_perf::arg;

const USAGE: &str = "local_lat <bind-to> <message-size> <roundtrip-count>";

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

fn run(bind_to: &str, size: usize, count: usize) -> Result<(), String> {
    let fail = |what: &'static str| move |e: zmq::Error| format!("error in {what}: {e}");
    let ctx = Context::new();
    ctx.set_default_linger(None);
    let s = ctx.socket(SocketType::Rep).map_err(fail("zmq_socket"))?;
    s.bind(bind_to).map_err(fail("zmq_bind"))?;
    let mut msg = Message::new();
    for _ in 0..count {
        s.recv(&mut msg).map_err(fail("zmq_recvmsg"))?;
        if msg.len() != size {
            return Err("message of incorrect size received".into());
        }
        s.send_msg(&mut msg).map_err(fail("zmq_sendmsg"))?;
    }
    Ok(())
}
