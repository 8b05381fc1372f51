//! Binary Star client (the guide's `bstarcli.c`, chapter 4,
//! "High-Availability Pair (Binary Star Pattern)"): a Lazy Pirate client
//! that sends numbered requests to the primary at `tcp://localhost:5001`,
//! one a second. When a reply does not come within a second it fails over:
//! closes its socket, waits two seconds for the backup to take over, and
//! sends the request again to the other server (`tcp://localhost:5002`).
//!
//! ```text
//! cargo run --example bstarcli [COUNT [PRIMARY BACKUP]]
//! ```
//!
//! `COUNT` replies, then it exits (default `0`, forever); `PRIMARY` and
//! `BACKUP` move the servers' endpoints. Ctrl-C stops it (status 0).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::time::Duration;

use zmq::{Context, ErrorKind, Socket, SocketType};

const USAGE: &str = "bstarcli [COUNT [PRIMARY BACKUP]]  (COUNT 0 = forever)";
const REQUEST_TIMEOUT: Duration = Duration::from_millis(1000); //  msecs
const SETTLE_DELAY: Duration = Duration::from_millis(2000); //  Before failing over

fn main() -> ExitCode {
    let count: u64 = zhelpers::arg(1, 0, USAGE);
    let servers = match std::env::args().skip(2).collect::<Vec<_>>().as_slice() {
        [] => [
            "tcp://localhost:5001".to_owned(),
            "tcp://localhost:5002".to_owned(),
        ],
        [primary, backup] => [primary.clone(), backup.clone()],
        _ => {
            eprintln!("usage: {USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(count, &servers) {
        //  Ctrl-C: the context was shut down
        Err(e) if e.kind() == ErrorKind::Terminated => ExitCode::SUCCESS,
        result => zhelpers::exit_status("bstarcli", result),
    }
}

fn connect(ctx: &Context, server: &str) -> zmq::Result<Socket> {
    println!("I: connecting to server at {server}...");
    let client = ctx.socket(SocketType::Req)?;
    client.connect(server)?;
    Ok(client)
}

fn run(count: u64, server: &[String; 2]) -> zmq::Result<()> {
    let ctx = Context::new();
    //  As czmq's zctx: close without lingering
    ctx.set_default_linger(Some(Duration::ZERO));
    let _interrupt = zhelpers::interrupt::catch(&ctx)?;
    let mut server_nbr = 0;
    let mut client = connect(&ctx, &server[server_nbr])?;

    let mut sequence: u64 = 0;
    while count == 0 || sequence < count {
        //  We send a request, then we work to get a reply
        sequence += 1;
        let request = sequence.to_string();
        client.send(request.as_str())?;

        let mut expect_reply = true;
        while expect_reply {
            //  We use a Lazy Pirate strategy in the client. If there's no
            //  reply within our timeout, we close the socket and try again.
            //  In Binary Star, it's the client vote that decides which
            //  server is primary; the client must therefore try to connect
            //  to each server in turn:
            if let Some(reply) = client.recv_msg_timeout(REQUEST_TIMEOUT)? {
                //  We got a reply from the server, must match sequence
                let reply = zhelpers::frame_text(&reply);
                if reply == request {
                    println!("I: server replied OK ({reply})");
                    expect_reply = false;
                    if count == 0 || sequence < count {
                        std::thread::sleep(Duration::from_secs(1)); //  One request per second
                    }
                } else {
                    println!("E: bad reply from server: {reply}");
                }
            } else {
                println!("W: no response from server, failing over");
                //  Old socket is confused; close it and open a new one
                drop(client);
                server_nbr = (server_nbr + 1) % 2;
                std::thread::sleep(SETTLE_DELAY);
                client = connect(&ctx, &server[server_nbr])?;
                //  Send request again, on new socket
                client.send(request.as_str())?;
            }
        }
    }
    Ok(())
}
