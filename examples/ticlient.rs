//! Titanic client (the guide's `ticlient.c`, chapter 4, "Disconnected
//! Reliability (Titanic Pattern)"): sends `Hello world` for the `echo`
//! service to `titanic.request`, prints the UUID it gets, asks
//! `titanic.reply` until the reply is there (every 5 s), prints it, and
//! closes the request with `titanic.close`.
//!
//! ```text
//! cargo run --example ticlient [-v] [ENDPOINT [RETRY_MS]]
//! ```
//!
//! `RETRY_MS` instead of the 5000 msec between two `titanic.reply` calls.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

#[path = "mdp/mod.rs"]
mod mdp;

use std::process::ExitCode;
use std::time::Duration;

use mdp::mdcliapi::Client;
use zmq::{Context, Message, Multipart};

const USAGE: &str = "ticlient [-v] [ENDPOINT [RETRY_MS]]";

fn main() -> ExitCode {
    let (verbose, args) = mdp::args(2, USAGE);
    let endpoint: String = mdp::arg(&args, 0, "tcp://localhost:5555".into(), USAGE);
    let retry_ms: u64 = mdp::arg(&args, 1, 5000, USAGE);
    match run(verbose, &endpoint, retry_ms) {
        Ok(status) => status,
        Err(e) => {
            eprintln!("ticlient: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What a Titanic service call came to.
enum Call {
    /// `200`: the rest of the reply.
    Ok(Multipart),
    /// Another status (`300`, pending): try again later.
    NotYet,
    /// End the program with this status (an error status, or no answer).
    Exit(ExitCode),
}

//  Calls a TSP service
//  Returns response if successful (status code 200 OK), else NotYet
fn service_call(session: &mut Client, service: &str, request: Multipart) -> mdp::Result<Call> {
    let reply = match session.send(service, request) {
        Err(e) if e.is_stop() => None, //  Interrupted (the API said so)
        result => result?,
    };
    let Some(mut reply) = reply else {
        return Ok(Call::Exit(ExitCode::SUCCESS)); //  Interrupted or failed
    };
    let status = reply.pop_front();
    Ok(if mdp::frame_is(status.as_ref(), b"200") {
        Call::Ok(reply)
    } else if mdp::frame_is(status.as_ref(), b"400") {
        println!("E: client fatal error, aborting");
        Call::Exit(ExitCode::FAILURE)
    } else if mdp::frame_is(status.as_ref(), b"500") {
        println!("E: server fatal error, aborting");
        Call::Exit(ExitCode::FAILURE)
    } else {
        Call::NotYet //  Didn't succeed; don't care why not
    })
}

//  The main task tests our service call by sending an echo request:
fn run(
    verbose: bool,
    endpoint: &str,
    retry_ms: u64,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let ctx = Context::new();
    //  Ctrl-C shuts the context down: a service call ends with the API's
    //  warning, a nap ends early, and the program with status 0
    let _interrupt = zhelpers::interrupt::catch(&ctx)?;
    let mut session = Client::new(&ctx, endpoint, verbose)?;

    //  1. Send 'echo' request to Titanic
    let request = Multipart::from_iter(["echo", "Hello world"]);
    let uuid: Message = match service_call(&mut session, "titanic.request", request)? {
        Call::Ok(mut reply) => reply.pop_front().unwrap_or_default(),
        Call::NotYet => Message::new(),
        Call::Exit(status) => return Ok(status),
    };
    println!("I: request UUID {}", zhelpers::frame_line(&uuid));

    //  2. Wait until we get a reply
    while !zhelpers::sleep_unless_interrupted(Duration::from_millis(100)) {
        let request = Multipart::from_iter([&uuid]);
        match service_call(&mut session, "titanic.reply", request)? {
            Call::Ok(reply) => {
                let text = reply
                    .last()
                    .map(|f| zhelpers::frame_text(f))
                    .unwrap_or_default();
                println!("Reply: {text}");

                //  3. Close request
                let request = Multipart::from_iter([&uuid]);
                if let Call::Exit(status) = service_call(&mut session, "titanic.close", request)? {
                    return Ok(status);
                }
                return Ok(ExitCode::SUCCESS);
            }
            Call::NotYet => {
                println!("I: no reply yet, trying again...");
                //  Try again later
                zhelpers::sleep_unless_interrupted(Duration::from_millis(retry_ms));
            }
            Call::Exit(status) => return Ok(status),
        }
    }
    Ok(ExitCode::SUCCESS) //  Interrupted
}
