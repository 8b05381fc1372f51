//! UDP ping command, model 3 (the guide's `udpping3.c` with its
//! `interface.c`, chapter 8, "Designing the API"): an interface object
//! whose background agent broadcasts this node's UUID once a second,
//! tracks the peers it hears, and tells the application when one joins
//! (`[006] JOINED` / `[032] <uuid>`) or stays silent for five seconds
//! (`[004] LEFT`). The application prints what the interface says.
//!
//! ```text
//! cargo run --example udpping3 [SECONDS [PORT [BROADCAST]]]
//! ```
//!
//! `SECONDS` bounds the run (default 0: forever); other arguments as in
//! `udpping1`. On stderr: `I: this node is <uuid>`.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

#[path = "udplib/mod.rs"]
mod udplib;

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

use zmq::{Context, Multipart, PollEvents, PollItem, Socket, SocketType};

const USAGE: &str = "udpping3 [SECONDS [PORT [BROADCAST]]]  (SECONDS 0 = forever)";

fn main() -> ExitCode {
    let seconds: u64 = zhelpers::arg(1, 0, USAGE);
    let (port, broadcast) = udplib::port_and_broadcast(USAGE);
    zhelpers::exit_status("udpping3", run(seconds, port, broadcast))
}

fn run(seconds: u64, port: u16, broadcast: Ipv4Addr) -> zmq::Result<()> {
    let interface = Interface::new(port, broadcast)?;
    let end = (seconds > 0).then(|| Instant::now() + Duration::from_secs(seconds));
    loop {
        let msg = match end {
            None => interface.recv()?,
            Some(end) => {
                let left = end.saturating_duration_since(Instant::now());
                match interface.pipe.recv_multipart_timeout(left)? {
                    Some(msg) => msg,
                    None => break,
                }
            }
        };
        zhelpers::dump_frames(&msg);
    }
    Ok(())
}

// ---- the interface class ---------------------------------------------------

//  The interface has barely any properties; it is just an excuse to start
//  the background thread and a wrapper around receiving from its pipe.
//  Dropping it ends the agent.
struct Interface {
    ctx: Context,
    pipe: Socket,
    agent: Option<thread::JoinHandle<()>>,
}

impl Interface {
    fn new(port: u16, broadcast: Ipv4Addr) -> zmq::Result<Interface> {
        let udp = udplib::Udp::new(port, broadcast).map_err(|e| {
            eprintln!("E: (udp) error '{e}' on bind");
            zmq::Error::from_errno(e.raw_os_error().unwrap_or(libc::EIO))
        })?;
        let ctx = Context::new();
        let pipe = ctx.socket(SocketType::Pair)?;
        pipe.bind("inproc://interface")?;
        let child = ctx.socket(SocketType::Pair)?;
        child.connect("inproc://interface")?;
        let agent = thread::spawn(move || {
            let _ = Agent::new(child, udp).run();
        });
        Ok(Interface {
            ctx,
            pipe,
            agent: Some(agent),
        })
    }

    //  Here we wait for a message from the interface.
    fn recv(&self) -> zmq::Result<Multipart> {
        self.pipe.recv_multipart()
    }
}

impl Drop for Interface {
    fn drop(&mut self) {
        let _ = self.ctx.shutdown();
        if let Some(agent) = self.agent.take() {
            let _ = agent.join();
        }
    }
}

const PING_INTERVAL: Duration = Duration::from_millis(1000); //  Once per second
const PEER_EXPIRY: Duration = Duration::from_millis(5000); //  Five seconds and it's gone

type Uuid = [u8; 16];

//  Convert binary UUID to a printable string
fn uuid_str(uuid: &Uuid) -> String {
    uuid.iter().map(|b| format!("{b:02X}")).collect()
}

//  This structure holds the context for our agent so we can
//  pass that around cleanly to methods that need it:
struct Agent {
    pipe: Socket,                  //  Pipe back to application
    udp: udplib::Udp,              //  UDP object
    uuid: Uuid,                    //  Our UUID as binary blob
    peers: HashMap<Uuid, Instant>, //  Known peers and when they expire
}

impl Agent {
    fn new(pipe: Socket, udp: udplib::Udp) -> Agent {
        let uuid = std::array::from_fn(|_| zhelpers::within(256) as u8);
        eprintln!("I: this node is {}", uuid_str(&uuid));
        Agent {
            pipe,
            udp,
            uuid,
            peers: HashMap::new(),
        }
    }

    //  This is how we handle a beacon coming into our UDP socket;
    //  this may be from other peers or an echo of our own broadcast
    //  beacon:
    fn handle_beacon(&mut self) -> zmq::Result<()> {
        let mut uuid: Uuid = [0; 16];
        let Ok((size, _)) = self.udp.recv(&mut uuid) else {
            return Ok(()); //  Ignore error and try again
        };
        //  If we got a UUID and it's not our own beacon, we have a peer
        if size == uuid.len() && uuid != self.uuid {
            if !self.peers.contains_key(&uuid) {
                //  Report peer joined the network
                self.pipe.send_multipart(["JOINED", &uuid_str(&uuid)])?;
            }
            //  Any activity from the peer means it's alive
            self.peers.insert(uuid, Instant::now() + PEER_EXPIRY);
        }
        Ok(())
    }

    //  Delete and report any expired peers
    fn reap_peers(&mut self) -> zmq::Result<()> {
        let now = Instant::now();
        let expired: Vec<Uuid> = self
            .peers
            .iter()
            .filter(|(_, expires_at)| now >= **expires_at)
            .map(|(uuid, _)| *uuid)
            .collect();
        for uuid in expired {
            //  Report peer left the network
            self.pipe.send_multipart(["LEFT", &uuid_str(&uuid)])?;
            self.peers.remove(&uuid);
        }
        Ok(())
    }

    //  This is the main loop for the background agent. It uses zmq::poll
    //  to monitor the frontend pipe (commands from the API) and the
    //  backend UDP handle (beacons):
    fn run(mut self) -> zmq::Result<()> {
        //  Send first beacon immediately
        let mut ping_at = Instant::now();
        loop {
            let timeout = ping_at.saturating_duration_since(Instant::now());
            let (pipe_ready, udp_ready) = {
                let mut pollitems = [
                    PollItem::socket(&self.pipe, PollEvents::POLLIN),
                    PollItem::fd(self.udp.handle(), PollEvents::POLLIN),
                ];
                zmq::poll(&mut pollitems, Some(timeout))?;
                (pollitems[0].is_readable(), pollitems[1].is_readable())
            };
            //  If we had activity on the pipe, go handle the control
            //  message. Current code never sends control messages.
            if pipe_ready {
                self.pipe.recv_multipart()?;
            }
            //  If we had input on the UDP socket, go process that
            if udp_ready {
                self.handle_beacon()?;
            }
            //  If we passed the 1-second mark, broadcast our beacon
            if Instant::now() >= ping_at {
                let _ = self.udp.send(&self.uuid);
                ping_at = Instant::now() + PING_INTERVAL;
            }
            self.reap_peers()?;
        }
    }
}
