//! The Lazy Pirate client (the guide's `lpclient.c`, chapter 4) on tokio:
//! a REQ socket sends a numbered request to `tcp://localhost:5555` and
//! waits 2.5 s for the reply with `tokio::time::timeout` (the receive is
//! cancellation-safe, so a timeout loses nothing); on silence it drops the
//! socket, reconnects and resends, and gives up after three tries. Same
//! output as `lpclient`.
//!
//! ```text
//! cargo run --features tokio --example async_lpclient [COUNT [ENDPOINT [TIMEOUT_MS]]]
//! ```
//!
//! `COUNT` requests are sent (default forever, also `0`); then it exits.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::time::Duration;

use zmq::{AsyncSocket, Context, SocketType};

const USAGE: &str = "async_lpclient [COUNT [ENDPOINT [TIMEOUT_MS]]]  (COUNT 0 = forever)";
const REQUEST_RETRIES: u32 = 3; //  Before we abandon

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    zhelpers::args_at_most(3, USAGE);
    let count: u64 = zhelpers::arg(1, 0, USAGE);
    let endpoint: String = zhelpers::arg(2, "tcp://localhost:5555".into(), USAGE);
    let timeout: u64 = zhelpers::arg(3, 2500, USAGE); //  msecs, (> 1000!)
    zhelpers::exit_status("async_lpclient", run(count, &endpoint, timeout).await)
}

//  Helper function that returns a new configured socket
//  connected to the Hello World server
fn client_socket(ctx: &Context, endpoint: &str) -> zmq::Result<AsyncSocket> {
    println!("I: connecting to server...");
    let client = ctx.socket(SocketType::Req)?;
    client.connect(endpoint)?;
    //  Configure socket to not wait at close time
    client.set_linger(Some(Duration::ZERO))?;
    client.into_async()
}

async fn run(count: u64, endpoint: &str, timeout: u64) -> zmq::Result<()> {
    let ctx = Context::new();
    let mut client = client_socket(&ctx, endpoint)?;

    let mut sequence = 0;
    let mut retries_left = REQUEST_RETRIES;
    while retries_left > 0 && (count == 0 || sequence < count) {
        //  We send a request, then we work to get a reply
        sequence += 1;
        let request = sequence.to_string();
        client.send(request.as_str()).await?;

        let mut expect_reply = true;
        while expect_reply {
            let wait = Duration::from_millis(timeout);
            if let Ok(reply) = tokio::time::timeout(wait, client.recv_msg()).await {
                let reply = reply?;
                if reply == request.as_str() {
                    println!("I: server replied OK ({request})");
                    retries_left = REQUEST_RETRIES;
                    expect_reply = false;
                } else {
                    println!("E: malformed reply from server: {reply:?}");
                }
                continue;
            }
            retries_left -= 1;
            if retries_left == 0 {
                println!("E: server seems to be offline, abandoning");
                break;
            }
            println!("W: no response from server, retrying...");
            //  Old socket is confused; close it and open a new one
            client = client_socket(&ctx, endpoint)?;
            //  Send request again, on new socket
            client.send(request.as_str()).await?;
        }
    }
    Ok(())
}
