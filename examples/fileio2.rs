//! File Transfer model #2 (the guide's `fileio2.c`, chapter 7,
//! "Transferring Files"): the client requests each chunk individually
//! (`[fetch][offset][size]`), which removes the server's queue overflows,
//! at a cost in speed; both sockets have a high-water mark of 1.
//!
//! ```text
//! cargo run --example fileio2 [SOURCE [ENDPOINT]]
//! ```
//!
//! Arguments and stderr report as in `fileio1`.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

#[path = "fileio/mod.rs"]
mod fileio;

use std::process::ExitCode;

use fileio::{Checksum, CHUNK_SIZE};
use zmq::{Context, SocketType};

const USAGE: &str = "fileio2 [SOURCE [ENDPOINT]]  (SOURCE: a file, or a size in bytes)";

fn main() -> ExitCode {
    let (source, bind, connect) = fileio::args(USAGE);
    zhelpers::exit_status(
        "fileio2",
        fileio::run(source, bind, connect, server_thread, client_thread),
    )
}

fn client_thread(ctx: Context, endpoint: String) -> zmq::Result<Checksum> {
    let dealer = ctx.socket(SocketType::Dealer)?;
    dealer.set_sndhwm(1)?;
    dealer.set_rcvhwm(1)?;
    dealer.connect(&endpoint)?;

    let mut total = 0; //  Total bytes received
    let mut chunks = 0; //  Total chunks received
    let mut checksum = Checksum::default();

    loop {
        //  Ask for next chunk
        dealer.send_multipart(["fetch", &total.to_string(), &CHUNK_SIZE.to_string()])?;

        let chunk = dealer.recv_msg()?;
        chunks += 1;
        let size = chunk.len();
        checksum.update(&chunk);
        total += size;
        if size < CHUNK_SIZE {
            break; //  Last chunk received; exit
        }
    }
    println!("{chunks} chunks received, {total} bytes");
    Ok(checksum)
}

//  The server thread waits for a chunk request from a client,
//  reads that chunk, and sends it back to the client:
fn server_thread(ctx: Context, endpoint: String, file: std::fs::File) -> zmq::Result<()> {
    fileio::chunk_server(ctx, endpoint, file, 1)
}
