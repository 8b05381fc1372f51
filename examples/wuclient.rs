//! Weather update client (the guide's `wuclient.c`, chapter 1): a SUB socket
//! that connects to `tcp://localhost:5556`, subscribes to one zipcode, and
//! averages the temperature of the first five updates it gets (the guide
//! takes 100; the seed article 5).
//!
//! ```text
//! cargo run --example wuclient [ZIPCODE [ENDPOINT]]
//! ```
//!
//! `ZIPCODE` is the subscription prefix (default `"10001 "`: the space stops
//! `10001` matching longer codes); `ENDPOINT` replaces `tcp://localhost:5556`.

use std::process::ExitCode;

use zmq::{Context, SocketType};

const USAGE: &str = "usage: wuclient [ZIPCODE [ENDPOINT]]";
const UPDATES: i64 = 5;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let filter = args.first().map_or("10001 ", String::as_str);
    let endpoint = args.get(1).map_or("tcp://localhost:5556", String::as_str);
    if args.len() > 2 {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    match run(filter, endpoint) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wuclient: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(filter: &str, endpoint: &str) -> Result<(), Box<dyn std::error::Error>> {
    //  Socket to talk to server
    println!("Collecting updates from weather server...");
    let context = Context::new();
    let subscriber = context.socket(SocketType::Sub)?;
    subscriber.connect(endpoint)?;
    subscriber.set_subscribe(filter.as_bytes())?;

    //  Process updates
    let mut total_temp: i64 = 0;
    for _ in 0..UPDATES {
        let update = subscriber.recv_string()?;
        let mut fields = update.split_whitespace().map(str::parse::<i64>);
        let (Some(Ok(_zipcode)), Some(Ok(temperature)), Some(Ok(_relhumidity))) =
            (fields.next(), fields.next(), fields.next())
        else {
            return Err(format!("malformed update {update:?}").into());
        };
        total_temp += temperature;
    }
    println!(
        "Average temperature for zipcode '{}' was {}F",
        filter.trim_end(),
        total_temp / UPDATES
    );
    Ok(())
}
