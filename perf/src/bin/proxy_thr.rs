//! libzmq's `proxy_thr`: `proxy_thr <message-size> <message-count>`.
//! Two XPUB publisher threads feed an XSUB/XPUB proxy over inproc, one SUB
//! subscriber receives `message-count` messages; HWM 10000 everywhere,
//! 4 I/O threads, XPUB_NODROP so that nothing is dropped.

use std::time::Instant;

use zmq::{Context, Message, ProxyThread, SocketType};
use zmq_perf::{arg, fail, print_throughput, tool_main};

const USAGE: &str = "proxy_thr <message-size> <message-count>";
const HWM: i32 = 10_000;
const PUBLISHERS: [&str; 2] = ["inproc://perf_pub1", "inproc://perf_pub2"];
const BACKEND: &str = "inproc://perf_backend";

fn main() {
    tool_main(USAGE, &[3], |args| {
        let size: usize = arg(args, 1, USAGE);
        let count: usize = arg(args, 2, USAGE);
        println!("message size: {size} [B]");
        println!("message count: {count}");
        run(size, count)
    });
}

fn hwm(s: &zmq::Socket) -> Result<(), String> {
    s.set_sndhwm(HWM).map_err(fail("zmq_setsockopt"))?;
    s.set_rcvhwm(HWM).map_err(fail("zmq_setsockopt"))
}

fn run(size: usize, count: usize) -> Result<(), String> {
    let ctx = Context::builder()
        .io_threads(4)
        .build()
        .map_err(fail("zmq_ctx_set"))?;
    let frontend = ctx.socket(SocketType::Xsub).map_err(fail("zmq_socket"))?;
    hwm(&frontend)?;
    for ep in PUBLISHERS {
        frontend.bind(ep).map_err(fail("zmq_bind"))?;
    }
    let backend = ctx.socket(SocketType::Xpub).map_err(fail("zmq_socket"))?;
    backend
        .set_xpub_nodrop(true)
        .map_err(fail("zmq_setsockopt"))?;
    hwm(&backend)?;
    backend.bind(BACKEND).map_err(fail("zmq_bind"))?;
    let proxy = ProxyThread::spawn(frontend, backend, None).map_err(fail("zmq_proxy"))?;

    let sub = ctx.socket(SocketType::Sub).map_err(fail("zmq_socket"))?;
    hwm(&sub)?;
    sub.set_subscribe(b"").map_err(fail("zmq_setsockopt"))?;
    sub.connect(BACKEND).map_err(fail("zmq_connect"))?;
    let subscriber = std::thread::spawn(move || -> Result<(), String> {
        let mut msg = Message::new();
        for _ in 0..count {
            sub.recv(&mut msg).map_err(fail("zmq_msg_recv"))?;
        }
        Ok(())
    });

    let start = Instant::now();
    let mut publishers = Vec::new();
    for ep in PUBLISHERS {
        let publisher = ctx.socket(SocketType::Xpub).map_err(fail("zmq_socket"))?;
        publishers.push(std::thread::spawn(move || -> Result<(), String> {
            hwm(&publisher)?;
            publisher
                .set_xpub_nodrop(true)
                .map_err(fail("zmq_setsockopt"))?;
            publisher
                .set_sndtimeo(Some(std::time::Duration::from_millis(1)))
                .map_err(fail("zmq_setsockopt"))?;
            publisher.connect(ep).map_err(fail("zmq_connect"))?;
            // Wait for the subscription to come through the proxy.
            let mut buf = [0u8; 32];
            publisher.recv_into(&mut buf).map_err(fail("zmq_recv"))?;
            let original =
                Message::from_fn(size, |b| b.fill(b'A')).map_err(fail("zmq_msg_init_size"))?;
            let mut sent = 0;
            while sent < count {
                // A shared copy per send, as the C tool's zmq_msg_copy.
                match publisher.send(&original) {
                    Ok(()) => sent += 1,
                    Err(e) if e.is_would_block() => {}
                    Err(e) => return Err(fail("zmq_msg_send")(e)),
                }
            }
            Ok(())
        }));
    }
    subscriber
        .join()
        .map_err(|_| "subscriber panicked".to_string())??;
    let elapsed = (start.elapsed().as_micros() as f64).max(1.0);
    print_throughput(size, count, elapsed);
    for p in publishers {
        p.join().map_err(|_| "publisher panicked".to_string())??;
    }
    proxy.stop().map_err(fail("zmq_proxy_steerable"))?;
    Ok(())
}
