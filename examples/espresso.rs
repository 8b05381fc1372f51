//! Espresso Pattern (the guide's `espresso.c`, chapter 5, "Pub-Sub
//! Tracing"): a pub-sub proxy with a capture socket. A publisher thread
//! binds `tcp://*:6000` and sends a random `A-12345`..`J-99999` string each
//! tenth of a second; the proxy's XSUB connects to it, its XPUB binds
//! `tcp://*:6001`, where a subscriber thread takes five messages starting
//! with `A` or `B`. A listener thread prints every frame the proxy passes,
//! both ways: the subscriptions (`[002] 0141`) and the messages.
//!
//! ```text
//! cargo run --example espresso [SECONDS [PUB_ENDPOINT [PROXY_ENDPOINT]]]
//! ```
//!
//! `SECONDS` bounds the run (default 0: until Ctrl-C, as in the guide);
//! either way it ends with ` interrupted` and status 0. An endpoint given
//! is bound and connected to as it is.

#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use zmq::{Context, Socket, SocketType};

const USAGE: &str = "espresso [SECONDS [PUB_ENDPOINT [PROXY_ENDPOINT]]]  (SECONDS 0 = forever)";

fn main() -> ExitCode {
    zhelpers::args_at_most(3, USAGE);
    let seconds: u64 = zhelpers::arg(1, 0, USAGE);
    let (pub_bind, pub_connect) = endpoints(2, 6000);
    let (proxy_bind, proxy_connect) = endpoints(3, 6001);
    let ends = Ends {
        pub_bind,
        pub_connect,
        proxy_bind,
        proxy_connect,
    };
    zhelpers::exit_status("espresso", run(seconds, &ends))
}

struct Ends {
    pub_bind: String,
    pub_connect: String,
    proxy_bind: String,
    proxy_connect: String,
}

/// What to bind and what to connect to: the argument for both, or the
/// guide's `tcp://*:PORT` and `tcp://localhost:PORT`.
fn endpoints(n: usize, port: u16) -> (String, String) {
    match std::env::args().nth(n) {
        Some(endpoint) => (endpoint.clone(), endpoint),
        None => (format!("tcp://*:{port}"), format!("tcp://localhost:{port}")),
    }
}

//  The subscriber thread requests messages starting with
//  A and B, then reads and counts incoming messages.
fn subscriber_thread(ctx: Context, endpoint: String) -> zmq::Result<()> {
    //  Subscribe to "A" and "B"
    let subscriber = ctx.socket(SocketType::Sub)?;
    subscriber.connect(&endpoint)?;
    subscriber.set_subscribe(b"A")?;
    subscriber.set_subscribe(b"B")?;

    let mut count = 0;
    while count < 5 {
        subscriber.recv_msg()?;
        count += 1;
    }
    Ok(())
}

//  The publisher sends random messages starting with A-J:
fn publisher_thread(ctx: Context, endpoint: String) -> zmq::Result<()> {
    let publisher = ctx.socket(SocketType::Pub)?;
    publisher.bind(&endpoint)?;
    loop {
        let string = format!(
            "{}-{:05}",
            char::from(b'A' + zhelpers::within(10) as u8),
            zhelpers::within(100000)
        );
        publisher.send(string.as_str())?;
        zhelpers::sleep_ms(100); //  Wait for 1/10th second
    }
}

//  The listener receives all messages flowing through the proxy, on its
//  pipe. Here the pipe is a pair of inproc PAIR sockets:
fn listener_thread(pipe: Socket) -> zmq::Result<()> {
    //  Print everything that arrives on pipe
    loop {
        let frame = pipe.recv_msg()?;
        println!("{}", zhelpers::frame_line(&frame));
    }
}

//  The main task starts the subscriber and publisher, and then sets
//  itself up as a listening proxy. The listener runs as a child thread:
fn run(seconds: u64, ends: &Ends) -> zmq::Result<()> {
    //  Start child threads
    let ctx = Context::new();
    ctx.set_default_linger(Some(Duration::ZERO));
    let mut threads = Vec::new();
    let (c, e) = (ctx.clone(), ends.pub_bind.clone());
    threads.push(thread::spawn(move || publisher_thread(c, e)));
    let (c, e) = (ctx.clone(), ends.proxy_connect.clone());
    threads.push(thread::spawn(move || subscriber_thread(c, e)));

    let subscriber = ctx.socket(SocketType::Xsub)?;
    subscriber.connect(&ends.pub_connect)?;
    let publisher = ctx.socket(SocketType::Xpub)?;
    publisher.bind(&ends.proxy_bind)?;
    let listener = ctx.socket(SocketType::Pair)?;
    listener.bind("inproc://espresso-listener")?;
    let pipe = ctx.socket(SocketType::Pair)?;
    pipe.connect("inproc://espresso-listener")?;
    threads.push(thread::spawn(move || listener_thread(pipe)));
    if seconds > 0 {
        zhelpers::shutdown_after(&ctx, Duration::from_secs(seconds));
    }
    //  Ctrl-C shuts the context down too: the proxy ends, as in the C
    let _interrupt = zhelpers::interrupt::catch(&ctx).map_err(|e| {
        eprintln!("E: cannot catch signals: {e}");
        zmq::Error::from(zmq::ErrorKind::Other)
    })?;
    //  The proxy ends on the shutdown (Terminated) or, when Ctrl-C lands
    //  in its poll, on the signal itself (Interrupted), as in the C
    match zmq::proxy(&subscriber, &publisher, Some(&listener)) {
        Err(e)
            if matches!(
                e.kind(),
                zmq::ErrorKind::Terminated | zmq::ErrorKind::Interrupted
            ) => {}
        other => other?,
    }
    println!(" interrupted");
    //  Tell attached threads to exit
    ctx.shutdown()?;
    for t in threads {
        match t.join() {
            Ok(Err(e)) if e.kind() != zmq::ErrorKind::Terminated => return Err(e),
            _ => {}
        }
    }
    Ok(())
}
