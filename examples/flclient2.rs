//! Freelance client, model two (the guide's `flclient2.c`, chapter 4,
//! "Model Two: Brutal Shotgun Massacre"): one DEALER connected to every
//! server; each request goes to all of them, the first reply with the
//! right sequence number wins, the others are dropped. Sends 10,000
//! requests and prints the average round trip; if no server answers within
//! 2.5 s, `E: name service not available, aborting`.
//!
//! ```text
//! cargo run --example flclient2 [--requests N] tcp://localhost:5555 [...]
//! ```
//!
//! `--requests N` sends `N` requests instead of 10,000.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use zmq::{Context, Multipart, Socket, SocketType};

//  If not a single service replies within this time, give up
const GLOBAL_TIMEOUT: Duration = Duration::from_millis(2500);

fn main() -> ExitCode {
    let (requests, endpoints) =
        zhelpers::requests_and_endpoints("flclient2 [--requests N] <endpoint> ...");
    if endpoints.is_empty() {
        println!("I: syntax: flclient2 <endpoint> ...");
        return ExitCode::SUCCESS;
    }
    zhelpers::exit_status("flclient2", run(requests.unwrap_or(10_000), &endpoints))
}

fn run(requests: u64, endpoints: &[String]) -> zmq::Result<()> {
    //  Create new freelance client object
    let mut client = FlClient::new()?;

    //  Connect to each endpoint
    for endpoint in endpoints {
        client.connect(endpoint)?;
    }

    //  Send a bunch of name resolution 'requests', measure time
    zhelpers::lookup_benchmark(requests, |request| client.request(request))
}

//  Here is the flclient class implementation. Each instance has a
//  context, a DEALER socket it uses to talk to the servers, a counter
//  of how many servers it's connected to, and a request sequence number:
struct FlClient {
    socket: Socket, //  DEALER socket talking to servers
    servers: usize, //  How many servers we have connected to
    sequence: u64,  //  Number of requests ever sent
}

impl FlClient {
    fn new() -> zmq::Result<FlClient> {
        let ctx = Context::new();
        //  As czmq's zctx: close without lingering
        ctx.set_default_linger(Some(Duration::ZERO));
        Ok(FlClient {
            socket: ctx.socket(SocketType::Dealer)?,
            servers: 0,
            sequence: 0,
        })
    }

    //  Connect to new server endpoint
    fn connect(&mut self, endpoint: &str) -> zmq::Result<()> {
        self.socket.connect(endpoint)?;
        self.servers += 1;
        Ok(())
    }

    //  This method does the hard work. It sends a request to all
    //  connected servers in parallel (for this to work, all connections
    //  must be successful and completed by this time). It then waits
    //  for a single successful reply, and returns that to the caller.
    //  Any other replies are just dropped:
    fn request(&mut self, mut request: Multipart) -> zmq::Result<Option<Multipart>> {
        //  Prefix request with sequence number and empty envelope
        self.sequence += 1;
        let sequence = self.sequence.to_string();
        request.push_front(sequence.as_str());
        request.push_front("");

        //  Blast the request to all connected servers
        for _ in 0..self.servers {
            self.socket.send_multipart(request.clone())?;
        }
        //  Wait for a matching reply to arrive from anywhere
        //  Since we can poll several times, calculate each one
        let endtime = Instant::now() + GLOBAL_TIMEOUT;
        while let Some(wait) = endtime.checked_duration_since(Instant::now()) {
            let Some(mut reply) = self.socket.recv_multipart_timeout(wait)? else {
                break;
            };
            //  Reply is [empty][sequence][OK]
            if reply.len() != 3 {
                continue;
            }
            reply.pop_front();
            if reply.pop_front().is_some_and(|s| s == sequence.as_str()) {
                return Ok(Some(reply));
            }
        }
        Ok(None)
    }
}
