//! Freelance client, model three (the guide's `flclient3.c`, chapter 4,
//! "Model Three: Complex and Nasty"): the [`flcliapi`](flcliapi/mod.rs)
//! class connected to `flserver3`s at `tcp://localhost:5555`, `5556` and
//! `5557`; sends 10,000 requests and prints the average round trip, or
//! `E: name service not available, aborting` when no server answers within
//! 3 s.
//!
//! ```text
//! cargo run --example flclient3 [--requests N] [ENDPOINT ...]
//! ```
//!
//! `--requests N` sends `N` requests instead of 10,000; `ENDPOINT`s replace
//! the three servers (each must be the identity its `flserver3` was given).

#[path = "flcliapi/mod.rs"]
mod flcliapi;
#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;

use flcliapi::FlCliApi;

fn main() -> ExitCode {
    let (requests, mut endpoints) =
        zhelpers::requests_and_endpoints("flclient3 [--requests N] [ENDPOINT ...]");
    if endpoints.is_empty() {
        endpoints = [
            "tcp://localhost:5555",
            "tcp://localhost:5556",
            "tcp://localhost:5557",
        ]
        .map(String::from)
        .to_vec();
    }
    zhelpers::exit_status("flclient3", run(requests.unwrap_or(10_000), &endpoints))
}

fn run(requests: u64, endpoints: &[String]) -> zmq::Result<()> {
    //  Create new freelance client object
    let mut client = FlCliApi::new()?;

    //  Connect to several endpoints
    for endpoint in endpoints {
        client.connect(endpoint)?;
    }

    //  Send a bunch of name resolution 'requests', measure time
    zhelpers::lookup_benchmark(requests, |request| client.request(request))
}
