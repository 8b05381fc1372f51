//! Freelance client, model one (the guide's `flclient1.c`, chapter 4,
//! "Model One: Simple Retry and Failover"): sends `Hello world` on a new
//! REQ socket and waits a second for the echo. With one endpoint it tries
//! three times; with several it tries each once, in turn. Prints `Service
//! is running OK` when a reply came.
//!
//! ```text
//! cargo run --example flclient1 tcp://localhost:5555 [tcp://localhost:5556 ...]
//! ```

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::time::Duration;

use zmq::{Context, Multipart, SocketType};

const REQUEST_TIMEOUT: Duration = Duration::from_millis(1000);
const MAX_RETRIES: usize = 3; //  Before we abandon

fn try_request(
    ctx: &Context,
    endpoint: &str,
    request: &Multipart,
) -> zmq::Result<Option<Multipart>> {
    println!("I: trying echo service at {endpoint}...");
    let client = ctx.socket(SocketType::Req)?;
    client.connect(endpoint)?;

    //  Send request, wait safely for reply
    client.send_multipart(request.clone())?;
    //  The socket is closed in any case, we're done with it now
    client.recv_multipart_timeout(REQUEST_TIMEOUT)
}

//  The client uses a Lazy Pirate strategy if it only has one server to talk
//  to. If it has two or more servers to talk to, it will try each server just
//  once:
fn main() -> ExitCode {
    let endpoints: Vec<String> = std::env::args().skip(1).collect();
    zhelpers::exit_status("flclient1", run(&endpoints))
}

fn run(endpoints: &[String]) -> zmq::Result<()> {
    let ctx = Context::new();
    //  As czmq's zctx: close without lingering
    ctx.set_default_linger(Some(Duration::ZERO));
    let mut request = Multipart::new();
    request.push_back("Hello world");
    let mut reply = None;

    match endpoints {
        [] => println!("I: syntax: flclient1 <endpoint> ..."),
        [endpoint] => {
            //  For one endpoint, we retry N times
            for _ in 0..MAX_RETRIES {
                reply = try_request(&ctx, endpoint, &request)?;
                if reply.is_some() {
                    break; //  Successful
                }
                println!("W: no response from {endpoint}, retrying...");
            }
        }
        _ => {
            //  For multiple endpoints, try each at most once
            for endpoint in endpoints {
                reply = try_request(&ctx, endpoint, &request)?;
                if reply.is_some() {
                    break; //  Successful
                }
                println!("W: no response from {endpoint}");
            }
        }
    }
    if reply.is_some() {
        println!("Service is running OK");
    }
    Ok(())
}
