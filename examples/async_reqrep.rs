//! The seed article's request-reply pattern (`hwserver`/`hwclient`) on
//! tokio: a REP task answers "World" to three "Hello"s from a REQ task,
//! over TCP loopback on a port the OS picks. Both run on the multi-threaded
//! runtime; the server's "work" is a `tokio::time::sleep`, which blocks
//! nothing.
//!
//! ```text
//! cargo run --features tokio --example async_reqrep [REQUESTS]
//! ```

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::time::Duration;

use zmq::{Context, SocketType};

type Result<T, E = Box<dyn std::error::Error + Send + Sync>> = std::result::Result<T, E>;

const USAGE: &str = "async_reqrep [REQUESTS]";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    zhelpers::args_at_most(1, USAGE);
    let requests: usize = zhelpers::arg(1, 3, USAGE);
    zhelpers::exit_status("async_reqrep", run(requests).await)
}

async fn run(requests: usize) -> Result<()> {
    let context = Context::new();
    let mut server = context.socket(SocketType::Rep)?.into_async()?;
    server.get_ref().bind("tcp://127.0.0.1:*")?;
    let endpoint = server.get_ref().last_endpoint()?;
    println!("[req-rep] server bound to {endpoint}");

    let server = tokio::spawn(async move {
        for _ in 0..requests {
            let request = server.recv_string().await?;
            println!("[req-rep] server got {request}");
            tokio::time::sleep(Duration::from_millis(100)).await; //  Do some 'work'
            server.send("World").await?;
        }
        Ok::<_, zmq::Error>(())
    });

    let mut client = context.socket(SocketType::Req)?.into_async()?;
    client.get_ref().connect(&endpoint)?;
    for request_nbr in 1..=requests {
        client.send("Hello").await?;
        let reply = client.recv_string().await?;
        println!("[req-rep] client got {reply} {request_nbr}");
    }
    server.await??;
    Ok(())
}
