//! Async sockets (feature `tokio`, which `interop` turns on) against pyzmq:
//! volume each way, whole multipart messages echoed through a split
//! Stream/Sink, and an async REP serving a pyzmq REQ. The async side runs
//! on a multi-threaded runtime while the test thread drives the peer.

use futures_util::{SinkExt, StreamExt};
use zmq::{AsyncSocket, Context, Message, Multipart, SocketType};

use crate::peers::{Kind, Peer};
use crate::DEADLINE;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn async_socket(rt: &tokio::runtime::Runtime, ctx: &Context, kind: SocketType) -> AsyncSocket {
    let _guard = rt.enter();
    AsyncSocket::new(ctx.socket(kind).unwrap()).unwrap()
}

/// Runs `f` on the runtime, at most [`DEADLINE`].
fn within<F: std::future::Future>(
    rt: &tokio::runtime::Runtime,
    f: F,
) -> Result<F::Output, tokio::time::error::Elapsed> {
    rt.block_on(async { tokio::time::timeout(DEADLINE, f).await })
}

const N: u32 = 20_000;

#[test]
fn async_push_to_pyzmq_pull() {
    let (rt, ctx) = (runtime(), Context::new());
    let mut push = async_socket(&rt, &ctx, SocketType::Push);
    push.get_ref().bind("tcp://127.0.0.1:*").unwrap();
    let mut peer = Peer::with_socket(Kind::Pyzmq, "async-pull", "PULL");
    peer.connect(&push.get_ref().last_endpoint().unwrap());
    peer.write(&format!("recvseq {N}"));
    within(&rt, async {
        for i in 0..N {
            push.send(i.to_string()).await.unwrap();
        }
    })
    .expect("sent within the deadline");
    assert_eq!(peer.line(), format!("ok {N}"));
    peer.exit();
}

#[test]
fn pyzmq_push_to_async_pull() {
    let (rt, ctx) = (runtime(), Context::new());
    let mut peer = Peer::with_socket(Kind::Pyzmq, "async-push", "PUSH");
    let endpoint = peer.bind("tcp://127.0.0.1:*");
    let mut pull = async_socket(&rt, &ctx, SocketType::Pull);
    pull.get_ref().connect(&endpoint).unwrap();
    peer.write(&format!("sendseq {N}"));
    within(&rt, async {
        let mut msg = Message::new();
        for i in 0..N {
            pull.recv(&mut msg).await.unwrap();
            assert_eq!(msg, i.to_string().as_str(), "lost or reordered");
        }
    })
    .expect("received within the deadline");
    assert_eq!(peer.line(), format!("ok {N}"));
    peer.exit();
}

/// A pyzmq PAIR echoes; the Rust PAIR's Sink (one task) and Stream
/// (another) run at once. Frames include empty ones.
#[test]
fn multipart_echo_through_a_split_async_pair() {
    const M: usize = 2_000;
    let (rt, ctx) = (runtime(), Context::new());
    let mut peer = Peer::with_socket(Kind::Pyzmq, "async-echo", "PAIR");
    let endpoint = peer.bind("tcp://127.0.0.1:*");
    peer.write("echo");
    let pair = async_socket(&rt, &ctx, SocketType::Pair);
    pair.get_ref().connect(&endpoint).unwrap();
    let message = |i: usize| -> Multipart {
        [
            Message::new(),
            Message::from(i.to_string()),
            Message::from(vec![0u8, 255, (i % 251) as u8]),
            Message::new(),
        ]
        .into_iter()
        .collect()
    };
    within(&rt, async {
        let (mut sink, mut stream) = pair.split();
        let writer = tokio::spawn(async move {
            for i in 0..M {
                sink.send(message(i)).await.unwrap();
            }
        });
        for i in 0..M {
            let back = stream.next().await.unwrap().unwrap();
            assert_eq!(back, message(i));
        }
        writer.await.unwrap();
    })
    .expect("echoed within the deadline");
    drop(peer); // echo runs forever: killed
}

#[test]
fn async_rep_serves_a_pyzmq_req() {
    let (rt, ctx) = (runtime(), Context::new());
    let mut rep = async_socket(&rt, &ctx, SocketType::Rep);
    rep.get_ref().bind("tcp://127.0.0.1:*").unwrap();
    let mut peer = Peer::with_socket(Kind::Pyzmq, "async-req", "REQ");
    peer.connect(&rep.get_ref().last_endpoint().unwrap());
    let server = rt.spawn(async move {
        for _ in 0..3 {
            let request = rep.recv_multipart().await.unwrap();
            let mut reply: Vec<Message> = request.into_vec();
            reply.push(Message::from("world"));
            rep.send_multipart(reply).await.unwrap();
        }
    });
    for i in 0..3 {
        peer.send(&[b"hello", i.to_string().as_bytes()]);
        let reply = peer.recv();
        assert_eq!(
            reply,
            [
                b"hello".to_vec(),
                i.to_string().into_bytes(),
                b"world".to_vec()
            ]
        );
    }
    within(&rt, server).expect("the server ended").unwrap();
    peer.exit();
}
