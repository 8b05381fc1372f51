//! UDP ping command, model 2 (the guide's `udpping2.c`, chapter 8): the
//! same beacons as `udpping1` through the `udplib` class, which shares the
//! port (`SO_REUSEADDR`), so several run on one machine. Prints
//! `Pinging peers...` once a second; the C receives beacons silently, this
//! port also reports each on stderr (`I: beacon from 127.0.0.1:9999`).
//!
//! ```text
//! cargo run --example udpping2 [COUNT [PORT [BROADCAST]]]
//! ```
//!
//! Arguments as in `udpping1`.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

#[path = "udplib/mod.rs"]
mod udplib;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use zmq::{PollEvents, PollItem};

const USAGE: &str = "udpping2 [COUNT [PORT [BROADCAST]]]  (COUNT 0 = forever)";
const PING_MSG_SIZE: usize = 1;
const PING_INTERVAL: Duration = Duration::from_millis(1000); //  Once per second

fn main() -> ExitCode {
    let count: u64 = zhelpers::arg(1, 0, USAGE);
    let (port, broadcast) = udplib::port_and_broadcast(USAGE);
    let udp = match udplib::Udp::new(port, broadcast) {
        Ok(udp) => udp,
        Err(e) => {
            eprintln!("E: (udp) error '{e}' on socket");
            return ExitCode::FAILURE;
        }
    };
    let mut buffer = [0u8; PING_MSG_SIZE];

    //  Send first ping right away
    let mut ping_at = Instant::now();
    let mut pings = 0;
    while count == 0 || pings < count || Instant::now() < ping_at {
        let timeout = ping_at.saturating_duration_since(Instant::now());
        let mut pollitems = [PollItem::fd(udp.handle(), PollEvents::POLLIN)];
        if zmq::poll(&mut pollitems, Some(timeout)).is_err() {
            break; //  Interrupted
        }
        //  Someone answered our ping
        if pollitems[0].is_readable() {
            match udp.recv(&mut buffer) {
                Ok((_, from)) => eprintln!("I: beacon from {from}"),
                //  Ignore error and try again (as udplib does)
                Err(e) => eprintln!("W: (udp) error '{e}' on recvfrom"),
            }
        }
        if Instant::now() >= ping_at && (count == 0 || pings < count) {
            println!("Pinging peers...");
            buffer[0] = b'!';
            if let Err(e) = udp.send(&buffer) {
                eprintln!("W: (udp) error '{e}' on sendto");
            }
            pings += 1;
            ping_at = Instant::now() + PING_INTERVAL;
        }
    }
    ExitCode::SUCCESS
}
