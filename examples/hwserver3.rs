//! Hello World server over ROUTER (the guide's `hwserver3.c`, a variant of
//! `hwserver.c`): a ROUTER bound on `tcp://*:5555` that shows the envelope
//! REP hides: the client's identity, the empty delimiter, the request. It
//! answers with the same envelope and "World"; a message without the
//! delimiter is discarded.
//!
//! ```text
//! cargo run --example hwserver3 [COUNT [ENDPOINT]]
//! ```
//!
//! `COUNT` is how many requests to serve before exiting (default forever,
//! also `0`). A client without an identity of its own gets a 5-byte binary
//! one from the ROUTER, starting with a zero byte: the C version prints it
//! as an empty string, this port in hex (`0080000029`).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;

use zmq::{Context, Message, SocketType};

const USAGE: &str = "hwserver3 [COUNT [ENDPOINT]]  (COUNT 0 = forever)";

fn main() -> ExitCode {
    zhelpers::args_at_most(2, USAGE);
    let count: u64 = zhelpers::arg(1, 0, USAGE);
    let endpoint: String = zhelpers::arg(2, "tcp://*:5555".into(), USAGE);
    zhelpers::exit_status("hwserver3", run(count, &endpoint))
}

fn run(count: u64, endpoint: &str) -> zmq::Result<()> {
    let context = Context::new();
    let responder = context.socket(SocketType::Router)?;
    responder.bind(endpoint)?;

    let mut served = 0;
    while count == 0 || served < count {
        //  receive client request msg
        let mut frames = responder.recv_multipart()?;
        //  the first part is the identity frame
        println!("[Frame_1] identity = {}", zhelpers::frame_text(&frames[0]));
        let empty = Message::new();
        let string = frames.get(1).unwrap_or(&empty);
        println!("[Frame_2] string = {}", zhelpers::frame_text(string));
        //  if the second part is an empty frame, the third part is the data
        match frames.get(2) {
            Some(content) if string.is_empty() && frames.len() == 3 => {
                println!(
                    "[Frame_3] Received request msg: {}",
                    zhelpers::frame_text(content)
                );
            }
            //  if not, discard the whole message
            _ => {
                println!("Discard the ZMQ message!");
                continue;
            }
        }
        zhelpers::sleep_ms(1000); //  Do some work
                                  //  send reply msg to client: identity, empty frame, data
        println!("Send respond msg: World\n");
        frames.truncate(1);
        frames.extend([Message::new(), Message::from("World")]);
        responder.send_multipart(frames)?;
        served += 1;
    }
    Ok(())
}
