//! Clone client, Model Six (the guide's `clonecli6.c`, chapter 5, "Clone
//! Client Class"): the `clone` class at work. It works on the subtree
//! `/client/`, connects to the Binary Star pair of `clonesrv6` on
//! `tcp://localhost:5556` and `tcp://localhost:5566`, and sets a random
//! value with a random time-to-live once a second. The class's agent logs
//! what it does: `I: received from tcp://localhost:5556 update=N`, and on
//! failover `I: server at tcp://localhost:5556 didn't give HUGZ`.
//!
//! ```text
//! cargo run --example clonecli6 [COUNT [ADDRESS [PORT1 PORT2 [TTL]]]]
//! ```
//!
//! `COUNT` bounds the values set (default 0: until Ctrl-C); `ADDRESS`
//! (default `tcp://localhost`) and the two ports are the servers'; `TTL`
//! (seconds, 0 for ever) replaces the random time-to-live. After each set
//! it reads the value back and reports on stderr a value that is missing.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

#[path = "clone/mod.rs"]
mod clone;

use std::process::ExitCode;

use clone::CloneClient;

const USAGE: &str = "clonecli6 [COUNT [ADDRESS [PORT1 PORT2 [TTL]]]]  (COUNT 0 = forever)";
const SUBTREE: &str = "/client/";

fn main() -> ExitCode {
    zhelpers::args_at_most(5, USAGE);
    let count: u64 = zhelpers::arg(1, 0, USAGE);
    let address: String = zhelpers::arg(2, "tcp://localhost".into(), USAGE);
    let port1: u16 = zhelpers::arg(3, 5556, USAGE);
    let port2: u16 = zhelpers::arg(4, 5566, USAGE);
    let ttl: Option<u32> = std::env::args().nth(5).map(|_| zhelpers::arg(5, 0, USAGE));
    zhelpers::exit_status("clonecli6", run(count, &address, [port1, port2], ttl))
}

fn run(count: u64, address: &str, ports: [u16; 2], ttl: Option<u32>) -> zmq::Result<()> {
    //  Ctrl-C ends the loop below (zctx_interrupted)
    let signals = zmq::Context::new();
    let _interrupt = zhelpers::interrupt::catch(&signals).ok();

    //  Create distributed hash instance
    let clone = CloneClient::new()?;

    //  Specify configuration
    clone.subtree(SUBTREE)?;
    for port in ports {
        clone.connect(address, &port.to_string())?;
    }

    //  Set random tuples into the distributed hash
    let mut set = 0;
    while !zhelpers::interrupt::interrupted() && (count == 0 || set < count) {
        //  Set random value, check it was stored
        let key = format!("{SUBTREE}{}", zhelpers::within(10000));
        let value = zhelpers::within(1000000).to_string();
        let ttl = ttl.unwrap_or_else(|| zhelpers::within(30) as u32);
        clone.set(&key, &value, ttl)?;
        if clone.get(&key)?.as_deref() != Some(value.as_str()) {
            eprintln!("E: {key} was not stored");
        }
        set += 1;
        zhelpers::sleep_ms(1000);
    }
    Ok(())
}
