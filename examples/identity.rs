//! Identity check (the guide's `identity.c`, chapter 3, "Identities and
//! Addresses"): a ROUTER sees a generated 5-byte identity for an anonymous
//! REQ peer, and the identity a REQ peer chose for itself (`PEER2`).
//!
//! ```text
//! cargo run --example identity
//! ```
//!
//! Each message the ROUTER receives is dumped with `[size] text` per frame;
//! the generated identity is binary (a zero byte, then a 32-bit counter), so
//! it prints in hex, all five bytes of it.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;

use zmq::{Context, SocketType};

fn main() -> ExitCode {
    zhelpers::args_at_most(0, "identity");
    zhelpers::exit_status("identity", run())
}

fn run() -> zmq::Result<()> {
    let context = Context::new();
    let sink = context.socket(SocketType::Router)?;
    sink.bind("inproc://example")?;

    //  First allow 0MQ to set the identity
    let anonymous = context.socket(SocketType::Req)?;
    anonymous.connect("inproc://example")?;
    anonymous.send("ROUTER uses a generated 5 byte identity")?;
    zhelpers::dump(&sink)?;

    //  Then set the identity ourselves
    let identified = context.socket(SocketType::Req)?;
    identified.set_routing_id(b"PEER2")?;
    identified.connect("inproc://example")?;
    identified.send("ROUTER socket uses REQ's socket identity")?;
    zhelpers::dump(&sink)?;
    Ok(())
}
