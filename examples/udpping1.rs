//! UDP ping command, model 1 (the guide's `udpping1.c`, chapter 8,
//! "Cooperative Discovery Using UDP Broadcasts"): does the UDP work inline.
//! A UDP socket bound to port 9999 with `SO_BROADCAST` is polled with
//! `zmq::poll` (a `PollItem::fd`): once a second it broadcasts a one-byte
//! beacon (`Pinging peers...`), and it reports every beacon that comes in,
//! its own included (`Found peer 192.168.1.2:9999`).
//!
//! ```text
//! cargo run --example udpping1 [COUNT [PORT [BROADCAST]]]
//! ```
//!
//! `COUNT` bounds the pings (default 0: forever); `BROADCAST` is where
//! beacons go (default `255.255.255.255`; `127.255.255.255` stays on this
//! machine). As in the C, the port is not shared: one `udpping1` per
//! machine (`udpping2` and `udpping3` share it).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

#[path = "udplib/mod.rs"]
mod udplib;

use std::net::{Ipv4Addr, SocketAddrV4, UdpSocket};
use std::os::fd::AsFd;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use zmq::{PollEvents, PollItem};

const USAGE: &str = "udpping1 [COUNT [PORT [BROADCAST]]]  (COUNT 0 = forever)";
const PING_MSG_SIZE: usize = 1;
const PING_INTERVAL: Duration = Duration::from_millis(1000); //  Once per second

fn derp(what: &str, e: std::io::Error) -> ExitCode {
    eprintln!("{what}: {e}");
    ExitCode::FAILURE
}

fn main() -> ExitCode {
    let count: u64 = zhelpers::arg(1, 0, USAGE);
    let (port, broadcast) = udplib::port_and_broadcast(USAGE);

    //  Create UDP socket, bound to local port so we can receive pings
    let socket = match UdpSocket::bind(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port)) {
        Ok(socket) => socket,
        Err(e) => return derp("bind", e),
    };
    //  Ask operating system to let us do broadcasts from socket
    if let Err(e) = socket.set_broadcast(true) {
        return derp("setsockopt (SO_BROADCAST)", e);
    }
    let mut buffer = [0u8; PING_MSG_SIZE];

    //  We use zmq::poll to wait for activity on the UDP socket, because
    //  this function works on non-0MQ file handles. We send a beacon
    //  once a second, and we collect and report beacons that come in
    //  from other nodes:

    //  Send first ping right away
    let mut ping_at = Instant::now();
    let mut pings = 0;
    while count == 0 || pings < count || Instant::now() < ping_at {
        let timeout = ping_at.saturating_duration_since(Instant::now());
        let mut pollitems = [PollItem::fd(socket.as_fd(), PollEvents::POLLIN)];
        if let Err(e) = zmq::poll(&mut pollitems, Some(timeout)) {
            eprintln!("poll: {e}");
            break; //  Interrupted
        }
        //  Someone answered our ping
        if pollitems[0].is_readable() {
            match socket.recv_from(&mut buffer) {
                Ok((_, from)) => println!("Found peer {from}"),
                Err(e) => return derp("recvfrom", e),
            }
        }
        if Instant::now() >= ping_at && (count == 0 || pings < count) {
            //  Broadcast our beacon
            println!("Pinging peers...");
            buffer[0] = b'!';
            if let Err(e) = socket.send_to(&buffer, SocketAddrV4::new(broadcast, port)) {
                return derp("sendto", e);
            }
            pings += 1;
            ping_at = Instant::now() + PING_INTERVAL;
        }
    }
    ExitCode::SUCCESS
}
