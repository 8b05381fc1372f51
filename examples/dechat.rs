//! Decentralized chat (the guide's `dechat.c`, chapter 8, "A Self-Healing
//! P2P Network in 30 Seconds"): a PUB bound on `tcp://INTERFACE:9000`
//! sends each line typed (`joe: hello`), and a listener thread's SUB,
//! connected to port 9000 of all 254 hosts of this node's /24 network,
//! prints what everybody says.
//!
//! ```text
//! cargo run --example dechat [IPADDRESS [INTERFACE [USERNAME [PORT]]]]
//! ```
//!
//! The guide's program needs all three names (`dechat 192.168.55.122 eth0
//! Joe`) and prints its usage without them; this one defaults to the
//! loopback network, `127.0.0.1` and `127.0.0.1`, and `$USER`. Several
//! chats on one machine use other loopback addresses: `dechat 127.0.0.2
//! 127.0.0.2 joe`, `dechat 127.0.0.3 127.0.0.3 ann`. `PORT` replaces 9000.
//! End with Ctrl-D (end of input).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::io::BufRead;
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use zmq::{Context, SocketType};

const USAGE: &str = "dechat [IPADDRESS [INTERFACE [USERNAME [PORT]]]]\n\
                     Example: dechat 192.168.55.123 eth0 joe";

fn main() -> ExitCode {
    zhelpers::args_at_most(4, USAGE);
    let address: String = zhelpers::arg(1, "127.0.0.1".into(), USAGE);
    let interface: String = zhelpers::arg(2, address.clone(), USAGE);
    let user = std::env::var("USER").unwrap_or_else(|_| "me".into());
    let username: String = zhelpers::arg(3, user, USAGE);
    let port: u16 = zhelpers::arg(4, 9000, USAGE);
    //  Cut string after dot
    let Some(dot) = address.rfind('.') else {
        eprintln!("usage: {USAGE}");
        return ExitCode::from(2);
    };
    let network = address[..=dot].to_owned();
    zhelpers::exit_status("dechat", run(network, &interface, &username, port))
}

fn listener_task(ctx: Context, network: String, port: u16) -> zmq::Result<()> {
    let listener = ctx.socket(SocketType::Sub)?;
    //  Retry silent hosts at most once a second, not ten times
    listener.set_reconnect_ivl_max(Some(Duration::from_millis(1000)))?;
    for address in 1..255 {
        listener.connect(&format!("tcp://{network}{address}:{port}"))?;
    }
    listener.set_subscribe(b"")?;
    loop {
        let message = listener.recv_msg()?;
        print!("{}", String::from_utf8_lossy(&message));
        use std::io::Write;
        std::io::stdout().flush().ok();
    }
}

fn run(network: String, interface: &str, username: &str, port: u16) -> zmq::Result<()> {
    let ctx = Context::new();
    ctx.set_default_linger(Some(Duration::ZERO));
    let c = ctx.clone();
    let listener = thread::spawn(move || listener_task(c, network, port));

    let broadcaster = ctx.socket(SocketType::Pub)?;
    broadcaster.bind(&format!("tcp://{interface}:{port}"))?;
    for line in std::io::stdin().lock().lines() {
        let Ok(message) = line else { break };
        broadcaster.send(format!("{username}: {message}\n"))?;
    }
    ctx.shutdown()?;
    match listener.join().expect("listener panicked") {
        Err(e) if e.kind() != zmq::ErrorKind::Terminated => Err(e),
        _ => Ok(()),
    }
}
