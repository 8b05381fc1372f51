//! File Transfer model #3 (the guide's `fileio3.c`, chapter 7,
//! "Transferring Files"): the client requests each chunk individually but
//! pipelines its requests, up to ten in transit: credit-based flow control.
//! The server's ROUTER has a high-water mark of twice the pipeline as a
//! sanity check: a client that overran its credit would lose chunks.
//!
//! ```text
//! cargo run --example fileio3 [SOURCE [ENDPOINT]]
//! ```
//!
//! Arguments and stderr report as in `fileio1`; stderr also shows the most
//! chunk requests the client ever had in transit.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

#[path = "fileio/mod.rs"]
mod fileio;

use std::process::ExitCode;

use fileio::{Checksum, CHUNK_SIZE};
use zmq::{Context, SocketType};

const USAGE: &str = "fileio3 [SOURCE [ENDPOINT]]  (SOURCE: a file, or a size in bytes)";

const PIPELINE: usize = 10;

fn main() -> ExitCode {
    let (source, bind, connect) = fileio::args(USAGE);
    zhelpers::exit_status(
        "fileio3",
        fileio::run(source, bind, connect, server_thread, client_thread),
    )
}

fn client_thread(ctx: Context, endpoint: String) -> zmq::Result<Checksum> {
    let dealer = ctx.socket(SocketType::Dealer)?;
    dealer.connect(&endpoint)?;

    //  Up to this many chunks in transit
    let mut credit = PIPELINE;

    let mut total = 0; //  Total bytes received
    let mut chunks = 0; //  Total chunks received
    let mut offset = 0; //  Offset of next chunk request
    let mut checksum = Checksum::default();
    let mut most_in_transit = 0;

    loop {
        while credit > 0 {
            //  Ask for next chunk
            dealer.send_multipart(["fetch", &offset.to_string(), &CHUNK_SIZE.to_string()])?;
            offset += CHUNK_SIZE;
            credit -= 1;
        }
        most_in_transit = most_in_transit.max(offset / CHUNK_SIZE - chunks);
        let chunk = dealer.recv_msg()?;
        chunks += 1;
        credit += 1;
        let size = chunk.len();
        checksum.update(&chunk);
        total += size;
        if size < CHUNK_SIZE {
            break; //  Last chunk received; exit
        }
    }
    println!("{chunks} chunks received, {total} bytes");
    eprintln!("I: at most {most_in_transit} chunks in transit (credit {PIPELINE})");
    Ok(checksum)
}

//  The rest of the code is exactly the same as in model 2, except
//  that we set the HWM on the server's ROUTER socket to PIPELINE
//  to act as a sanity check.
fn server_thread(ctx: Context, endpoint: String, file: std::fs::File) -> zmq::Result<()> {
    //  We have two parts per message so HWM is PIPELINE * 2
    fileio::chunk_server(ctx, endpoint, file, (PIPELINE * 2) as i32)
}
