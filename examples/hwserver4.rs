//! Hello World server over ROUTER, frame by frame (the guide's
//! `hwserver4.c`, a variant of `hwserver.c`): a ROUTER bound on
//! `tcp://*:5555` that prints every frame it receives and sends: the
//! client's identity, the empty delimiter, "Hello" in; the identity, the
//! delimiter, "World" out.
//!
//! ```text
//! cargo run --example hwserver4 [COUNT [ENDPOINT]]
//! ```
//!
//! `COUNT` is how many requests to serve before exiting (default forever,
//! also `0`). The C version keeps the identity in a 10-byte string
//! (`strlen`), so a binary identity (the 5 bytes a ROUTER gives a client
//! without one, starting with a zero byte) is lost and the reply goes
//! nowhere; this port keeps the identity frame as it came and prints it in
//! hex. A message without the delimiter (an assert in C) is discarded.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;

use zmq::{Context, Message, SocketType};

const USAGE: &str = "hwserver4 [COUNT [ENDPOINT]]  (COUNT 0 = forever)";

fn main() -> ExitCode {
    zhelpers::args_at_most(2, USAGE);
    let count: u64 = zhelpers::arg(1, 0, USAGE);
    let endpoint: String = zhelpers::arg(2, "tcp://*:5555".into(), USAGE);
    zhelpers::exit_status("hwserver4", run(count, &endpoint))
}

fn run(count: u64, endpoint: &str) -> zmq::Result<()> {
    let context = Context::new();
    let responder = context.socket(SocketType::Router)?;
    responder.bind(endpoint)?;

    let mut served = 0;
    while count == 0 || served < count {
        //  recv client's request msg: identity, empty delimiter, data
        let frames = responder.recv_multipart()?;
        for (n, frame) in frames.iter().enumerate() {
            println!("[recv] frame{} = {}", n + 1, zhelpers::frame_text(frame));
        }
        let identity = match <[Message; 3]>::try_from(frames) {
            Ok([identity, empty, _data]) if empty.is_empty() => identity,
            _ => {
                println!("Discard the ZMQ message!");
                continue;
            }
        };

        zhelpers::sleep_ms(1000); //  Do some work

        //  send respond msg to client
        println!("[send] frame1 = {}", zhelpers::frame_text(&identity));
        println!("[send] frame2 = ");
        println!("[send] frame3 = World\n");
        responder.send_multipart([identity, Message::new(), Message::from("World")])?;
        served += 1;
    }
    Ok(())
}
