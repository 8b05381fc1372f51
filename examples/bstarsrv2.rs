//! Binary Star server, on the reactor (the guide's `bstarsrv2.c`, chapter
//! 4, "Binary Star Reactor"): the echo service of `bstarsrv` written on the
//! [`bstar`](bstar/mod.rs) class, which does the heartbeats and the
//! failover. Start the primary and the backup, then `bstarcli`.
//!
//! ```text
//! cargo run --example bstarsrv2 -p     # primary, at tcp://localhost:5001
//! cargo run --example bstarsrv2 -b     # backup, at tcp://localhost:5002
//! cargo run --example bstarsrv2 -p|-b [FRONTEND LOCAL REMOTE]
//! ```
//!
//! The optional endpoints move the server: the frontend it binds for
//! clients (`tcp://*:5001`), its state publisher (`tcp://*:5003`) and the
//! peer's state publisher (`tcp://localhost:5004`); the backup's defaults
//! are 5002, 5004 and 5003. Ctrl-C stops it with `W: interrupted`, status 0.

#[path = "bstar/mod.rs"]
mod bstar;
#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;

use bstar::Bstar;
use zmq::{Flow, SocketType};

const USAGE: &str = "bstarsrv2 { -p | -b } [FRONTEND LOCAL REMOTE]";

fn main() -> ExitCode {
    //  Arguments can be either of:
    //      -p  primary server, at tcp://localhost:5001
    //      -b  backup server, at tcp://localhost:5002
    let (primary, [frontend, local, remote]) = bstar::server_args(USAGE);
    zhelpers::exit_status("bstarsrv2", run(primary, &frontend, &local, &remote))
}

fn run(primary: bool, frontend: &str, local: &str, remote: &str) -> zmq::Result<()> {
    if primary {
        println!("I: Primary active, waiting for backup (passive)");
    } else {
        println!("I: Backup passive, waiting for primary (active)");
    }
    let mut bstar: Bstar<()> = Bstar::new(primary, local, remote)?;
    let _interrupt = zhelpers::interrupt::catch(bstar.context())?;
    //  Echo service
    bstar.voter(frontend, SocketType::Router, |_, socket, _| {
        let msg = socket.recv_multipart()?;
        socket.send_multipart(msg)?;
        Ok(Flow::Continue)
    })?;
    bstar.start(&mut ())?;
    if zhelpers::interrupt::interrupted() {
        println!("W: interrupted");
    }
    Ok(())
}
