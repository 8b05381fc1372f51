//! File Transfer model #1 (the guide's `fileio1.c`, chapter 7,
//! "Transferring Files"): the server sends the entire file to the client in
//! large chunks (250,000 bytes) with no attempt at flow control; the client
//! counts them (`12 chunks received, 3000000 bytes`).
//!
//! ```text
//! cargo run --example fileio1 [SOURCE [ENDPOINT]]
//! ```
//!
//! `SOURCE` is a file to serve or a size in bytes of test data to generate
//! (default: 3,000,000 bytes in a temporary directory); `ENDPOINT` is bound
//! by the server and connected to by the client (default `tcp://*:6000`
//! and `tcp://127.0.0.1:6000`). On stderr: the checksums of the file and of
//! what arrived.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

#[path = "fileio/mod.rs"]
mod fileio;

use std::process::ExitCode;

use fileio::{Checksum, CHUNK_SIZE};
use zmq::{Context, SocketType};

const USAGE: &str = "fileio1 [SOURCE [ENDPOINT]]  (SOURCE: a file, or a size in bytes)";

fn main() -> ExitCode {
    let (source, bind, connect) = fileio::args(USAGE);
    zhelpers::exit_status(
        "fileio1",
        fileio::run(source, bind, connect, server_thread, client_thread),
    )
}

fn client_thread(ctx: Context, endpoint: String) -> zmq::Result<Checksum> {
    let dealer = ctx.socket(SocketType::Dealer)?;
    dealer.connect(&endpoint)?;

    dealer.send("fetch")?;
    let mut total = 0; //  Total bytes received
    let mut chunks = 0; //  Total chunks received
    let mut checksum = Checksum::default();

    loop {
        let frame = dealer.recv_msg()?;
        chunks += 1;
        let size = frame.len();
        checksum.update(&frame);
        total += size;
        if size == 0 {
            break; //  Whole file received
        }
    }
    println!("{chunks} chunks received, {total} bytes");
    Ok(checksum)
}

//  The server thread reads the file from disk in chunks, and sends
//  each chunk to the client as a separate message. We only have one
//  test file, so open that once and then serve it out as needed:
fn server_thread(ctx: Context, endpoint: String, file: std::fs::File) -> zmq::Result<()> {
    let router = ctx.socket(SocketType::Router)?;
    //  Default HWM is 1000, which will drop messages here
    //  because we send more than 1,000 chunks of test data,
    //  so set an infinite HWM as a simple, stupid solution:
    router.set_sndhwm(0)?;
    router.set_rcvhwm(0)?;
    router.bind(&endpoint)?;
    loop {
        //  First frame in each message is the sender identity,
        //  second frame is "fetch" command
        let mut request = router.recv_multipart()?;
        let identity = request.pop_front().expect("a routing id");
        if request != ["fetch"] {
            eprintln!("E: bad request");
            continue;
        }
        let mut offset = 0;
        loop {
            let data = fileio::read_chunk(&file, offset, CHUNK_SIZE).expect("read testdata");
            offset += data.len() as u64;
            let size = data.len();
            router.send_multipart([identity.clone(), data.into()])?;
            if size == 0 {
                break; //  Always end with a zero-size frame
            }
        }
    }
}
