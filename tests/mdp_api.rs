//! The Majordomo APIs of the chapter 4 examples (`examples/mdp/`: the
//! worker API `mdwrkapi`, the client APIs `mdcliapi` and `mdcliapi2`),
//! included as the examples include them and driven against real sockets:
//! a ROUTER played by hand as the broker checks every frame they send and
//! answers with what a broker would, or would not.

#[path = "../examples/mdp/mod.rs"]
mod mdp;
// The APIs ask it whether Ctrl-C stopped a call.
#[path = "../examples/zhelpers/mod.rs"]
mod zhelpers;

use std::thread;
use std::time::{Duration, Instant};

use mdp::{mdcliapi, mdcliapi2, mdwrkapi};
use zmq::{Context, Message, Multipart, Socket, SocketType};

/// How long the hand-driven broker waits for any one message.
const WAIT: Duration = Duration::from_secs(5);

/// A ROUTER on a free loopback port, and the endpoint to connect to.
fn router(ctx: &Context) -> (Socket, String) {
    let socket = ctx.socket(SocketType::Router).unwrap();
    socket.set_linger(Some(Duration::ZERO)).unwrap();
    socket.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = socket.last_endpoint().unwrap();
    (socket, endpoint)
}

/// The next message on `socket`, or a failed test after [`WAIT`].
fn next(socket: &Socket) -> Multipart {
    socket
        .recv_multipart_timeout(WAIT)
        .unwrap()
        .expect("a message within 5 s")
}

/// `frames` as byte strings, for comparing whole messages.
fn texts(frames: &[Message]) -> Vec<Vec<u8>> {
    frames.iter().map(|f| f.to_vec()).collect()
}

fn v(parts: &[&[u8]]) -> Vec<Vec<u8>> {
    parts.iter().map(|p| p.to_vec()).collect()
}

/// Waits at the broker for a READY for `service`; returns the worker's
/// identity. Heartbeats before it are skipped.
fn expect_ready(broker: &Socket, service: &str) -> Message {
    loop {
        let mut msg = next(broker);
        let id = msg.pop_front().unwrap();
        if msg.get(2).is_some_and(|c| c == mdp::MDPW_HEARTBEAT) {
            continue;
        }
        assert_eq!(
            texts(&msg),
            v(&[b"", b"MDPW01", mdp::MDPW_READY, service.as_bytes()])
        );
        return id;
    }
}

/// Runs an echo worker on its own thread until its context is shut down;
/// the thread returns the error that ended it.
fn echo_worker(
    ctx: &Context,
    endpoint: &str,
    heartbeat: Duration,
    reconnect: Duration,
) -> thread::JoinHandle<mdp::Error> {
    let mut worker = mdwrkapi::Worker::new(ctx, endpoint, "echo", false).unwrap();
    worker.set_heartbeat(heartbeat);
    worker.set_reconnect(reconnect);
    thread::spawn(move || {
        let mut reply = None;
        loop {
            match worker.recv(reply.take()) {
                Ok(request) => reply = Some(request),
                Err(e) => return e,
            }
        }
    })
}

/// A hand-driven broker with an echo worker registered: the context, the
/// broker's ROUTER, the worker's thread and its identity.
fn broker_with_worker(
    heartbeat_ms: u64,
    reconnect_ms: u64,
) -> (Context, Socket, thread::JoinHandle<mdp::Error>, Message) {
    let ctx = Context::new();
    let (broker, endpoint) = router(&ctx);
    let worker = echo_worker(
        &ctx,
        &endpoint,
        Duration::from_millis(heartbeat_ms),
        Duration::from_millis(reconnect_ms),
    );
    let id = expect_ready(&broker, "echo");
    (ctx, broker, worker, id)
}

#[test]
fn a_worker_registers_serves_heartbeats_and_obeys_disconnect() {
    let (ctx, broker, worker, id) = broker_with_worker(100, 100);

    // A request with a client envelope comes back as a REPLY with it.
    broker
        .send_multipart([
            &id[..],
            b"",
            b"MDPW01",
            mdp::MDPW_REQUEST,
            b"client-7",
            b"",
            b"hello",
            b"world",
        ])
        .unwrap();
    let mut reply = next(&broker);
    assert_eq!(reply.pop_front().unwrap(), id);
    assert_eq!(
        texts(&reply),
        v(&[
            b"",
            b"MDPW01",
            mdp::MDPW_REPLY,
            b"client-7",
            b"",
            b"hello",
            b"world"
        ])
    );

    // Idle, it heartbeats (every 100 ms here).
    let mut beat = next(&broker);
    assert_eq!(beat.pop_front().unwrap(), id);
    assert_eq!(texts(&beat), v(&[b"", b"MDPW01", mdp::MDPW_HEARTBEAT]));

    // Told to disconnect, it registers again on a new socket.
    broker
        .send_multipart([&id[..], b"", b"MDPW01", mdp::MDPW_DISCONNECT])
        .unwrap();
    let again = expect_ready(&broker, "echo");
    assert_ne!(again, id, "a new connection has a new identity");

    // A context shutdown ends its blocking recv, as Ctrl-C ends the C one.
    let started = Instant::now();
    ctx.shutdown().unwrap();
    let error = worker.join().unwrap();
    assert!(error.is_terminated(), "{error}");
    // A stop (what a program's loop ends on), but no Ctrl-C: no warning.
    assert!(error.is_stop(), "{error}");
    assert!(!zhelpers::interrupt::interrupted());
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_worker_reconnects_to_a_silent_broker() {
    let (ctx, broker, worker, first) = broker_with_worker(100, 50);
    // The broker says nothing: after three silent heartbeat intervals the
    // worker drops its socket and registers again from a new one.
    let started = Instant::now();
    let second = expect_ready(&broker, "echo");
    assert_ne!(second, first);
    assert!(started.elapsed() >= Duration::from_millis(250));
    ctx.shutdown().unwrap();
    assert!(worker.join().unwrap().is_terminated());
}

#[test]
fn a_worker_skips_what_is_not_mdp_and_refuses_a_reply_to_nothing() {
    let ctx = Context::new();
    let (broker, endpoint) = router(&ctx);
    let mut worker = mdwrkapi::Worker::new(&ctx, &endpoint, "echo", false).unwrap();
    let id = expect_ready(&broker, "echo");

    // No request was received: a reply has nobody to go to.
    let refused = worker.recv(Some(Multipart::from_iter(["stray"])));
    assert!(matches!(refused, Err(mdp::Error::Protocol(_))));
    assert!(
        !refused.unwrap_err().is_stop(),
        "a refusal does not end a loop"
    );

    // Garbage, a wrong header, an unknown command, a request without an
    // envelope: all skipped; the next good request is returned.
    for bad in [
        vec![&b"garbage"[..]],
        vec![b"", b"MDPX01", mdp::MDPW_REQUEST, b"c", b"", b"x"],
        vec![b"", b"MDPW01", b"\x09"],
        vec![b"", b"MDPW01", mdp::MDPW_REQUEST],
    ] {
        let mut msg = vec![&id[..]];
        msg.extend(bad);
        broker.send_multipart(msg).unwrap();
    }
    broker
        .send_multipart([
            &id[..],
            b"",
            b"MDPW01",
            mdp::MDPW_REQUEST,
            b"c",
            b"",
            b"body",
        ])
        .unwrap();
    let request = worker.recv(None).unwrap();
    assert_eq!(texts(&request), v(&[b"body"]));

    // And the reply goes to that request's client.
    broker
        .send_multipart([
            &id[..],
            b"",
            b"MDPW01",
            mdp::MDPW_REQUEST,
            b"d",
            b"",
            b"next",
        ])
        .unwrap();
    let request = worker.recv(Some(Multipart::from_iter(["done"]))).unwrap();
    assert_eq!(texts(&request), v(&[b"next"]));
    let mut reply = next(&broker);
    reply.pop_front();
    assert_eq!(
        texts(&reply),
        v(&[b"", b"MDPW01", mdp::MDPW_REPLY, b"c", b"", b"done"])
    );
}

/// The broker side of one client request: `(client identity, frames)`.
fn client_request(broker: &Socket) -> (Message, Multipart) {
    let mut msg = next(broker);
    let id = msg.pop_front().unwrap();
    (id, msg)
}

#[test]
fn a_client_retries_on_new_connections_then_gets_its_reply() {
    let ctx = Context::new();
    let (broker, endpoint) = router(&ctx);
    let mut client = mdcliapi::Client::new(&ctx, &endpoint, false).unwrap();
    client.set_timeout(Duration::from_millis(300));
    client.set_retries(3);
    let answering = thread::spawn(move || {
        // Two tries go unanswered; the third is answered.
        let mut ids = Vec::new();
        for _ in 0..2 {
            let (id, msg) = client_request(&broker);
            assert_eq!(texts(&msg), v(&[b"", b"MDPC01", b"echo", b"ping"]));
            ids.push(id);
        }
        let (id, msg) = client_request(&broker);
        assert_eq!(texts(&msg), v(&[b"", b"MDPC01", b"echo", b"ping"]));
        ids.push(id.clone());
        broker
            .send_multipart([&id[..], b"", b"MDPC01", b"echo", b"pong"])
            .unwrap();
        ids
    });
    let started = Instant::now();
    let reply = client.send("echo", Multipart::from_iter(["ping"])).unwrap();
    assert_eq!(texts(&reply.unwrap()), v(&[b"pong"]));
    assert!(started.elapsed() >= Duration::from_millis(600));
    let ids = answering.join().unwrap();
    assert!(
        ids[0] != ids[1] && ids[1] != ids[2],
        "each try on a new socket"
    );
}

#[test]
fn a_client_abandons_after_its_retries_and_stays_usable() {
    let ctx = Context::new();
    let (broker, endpoint) = router(&ctx);
    let mut client = mdcliapi::Client::new(&ctx, &endpoint, false).unwrap();
    client.set_timeout(Duration::from_millis(200));
    client.set_retries(2);
    let started = Instant::now();
    assert!(client
        .send("echo", Multipart::from_iter(["lost"]))
        .unwrap()
        .is_none());
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(400) && took < Duration::from_secs(5),
        "{took:?}"
    );
    for _ in 0..2 {
        client_request(&broker);
    }

    // The next request goes out (a REQ socket left waiting could not send).
    let answering = thread::spawn(move || {
        let (id, msg) = client_request(&broker);
        assert_eq!(texts(&msg), v(&[b"", b"MDPC01", b"echo", b"again"]));
        broker
            .send_multipart([&id[..], b"", b"MDPC01", b"echo", b"ok"])
            .unwrap();
        broker
    });
    let reply = client
        .send("echo", Multipart::from_iter(["again"]))
        .unwrap();
    assert_eq!(texts(&reply.unwrap()), v(&[b"ok"]));
    let broker = answering.join().unwrap();

    // A reply that is not MDP is an error, not a panic; the client goes on.
    let answering = thread::spawn(move || {
        let (id, _) = client_request(&broker);
        broker
            .send_multipart([&id[..], b"", b"HTTP/1.1", b"echo", b"x"])
            .unwrap();
        let (id, _) = client_request(&broker);
        broker
            .send_multipart([&id[..], b"", b"MDPC01", b"other", b"x"])
            .unwrap();
        let (id, _) = client_request(&broker);
        broker
            .send_multipart([&id[..], b"", b"MDPC01", b"echo", b"fine"])
            .unwrap();
    });
    for _ in 0..2 {
        let refused = client.send("echo", Multipart::from_iter(["q"]));
        assert!(matches!(refused, Err(mdp::Error::Protocol(_))));
    }
    let reply = client.send("echo", Multipart::from_iter(["q"])).unwrap();
    assert_eq!(texts(&reply.unwrap()), v(&[b"fine"]));
    answering.join().unwrap();
}

#[test]
fn an_asynchronous_client_sends_all_then_receives_all() {
    let ctx = Context::new();
    let (broker, endpoint) = router(&ctx);
    let mut client = mdcliapi2::Client::new(&ctx, &endpoint, false).unwrap();
    client.set_timeout(Duration::from_millis(200));
    for n in 0..5 {
        client
            .send("echo", Multipart::from_iter([format!("r{n}")]))
            .unwrap();
    }
    // The broker sees them all on one connection, before any reply.
    let mut requests = Vec::new();
    for n in 0..5 {
        let (id, msg) = client_request(&broker);
        assert_eq!(
            texts(&msg),
            v(&[b"", b"MDPC01", b"echo", format!("r{n}").as_bytes()])
        );
        requests.push((id, msg));
    }
    assert!(requests.iter().all(|(id, _)| *id == requests[0].0));
    // Replies in reverse order come back in that order.
    for (id, msg) in requests.iter().rev() {
        let body = msg.last().unwrap();
        broker
            .send_multipart([&id[..], b"", b"MDPC01", b"echo", &body[..]])
            .unwrap();
    }
    for n in (0..5).rev() {
        let reply = client.recv().unwrap().unwrap();
        assert_eq!(texts(&reply), v(&[format!("r{n}").as_bytes()]));
    }
    // Nothing more: a timeout is None, bounded.
    let started = Instant::now();
    assert!(client.recv().unwrap().is_none());
    assert!(started.elapsed() < Duration::from_secs(5));
    // A malformed reply is an error, and the next good one still arrives.
    let id = &requests[0].0;
    broker.send_multipart([&id[..], b"", b"XX"]).unwrap();
    broker
        .send_multipart([&id[..], b"x", b"MDPC01", b"echo", b"y"])
        .unwrap();
    broker
        .send_multipart([&id[..], b"", b"MDPC01", b"echo", b"z"])
        .unwrap();
    assert!(matches!(client.recv(), Err(mdp::Error::Protocol(_))));
    assert!(matches!(client.recv(), Err(mdp::Error::Protocol(_))));
    assert_eq!(texts(&client.recv().unwrap().unwrap()), v(&[b"z"]));
}

#[test]
fn the_protocol_constants_are_the_specs() {
    assert_eq!(mdp::MDPC_CLIENT, "MDPC01");
    assert_eq!(mdp::MDPW_WORKER, "MDPW01");
    let commands = [
        mdp::MDPW_READY,
        mdp::MDPW_REQUEST,
        mdp::MDPW_REPLY,
        mdp::MDPW_HEARTBEAT,
        mdp::MDPW_DISCONNECT,
    ];
    let names: Vec<&str> = commands.iter().map(|c| mdp::command_name(c)).collect();
    assert_eq!(
        names,
        ["READY", "REQUEST", "REPLY", "HEARTBEAT", "DISCONNECT"]
    );
    assert_eq!(commands.concat(), b"\x01\x02\x03\x04\x05");
    assert_eq!(mdp::command_name(b"\x06"), "UNKNOWN");
}
