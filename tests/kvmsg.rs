//! The guide's `tstkvsimple` and `tstkvmsg` (chapter 5): the key-value
//! message classes of the Clone examples, sent and received over real
//! sockets, plus what the C tests leave out (malformed messages, deletes,
//! property encoding).

use std::time::Duration;

#[path = "../examples/kvmsg/mod.rs"]
mod kvmsg;
#[path = "../examples/zhelpers/mod.rs"]
mod zhelpers;
// kvmsg builds on kvsimple (a file is loaded as one module only once).
use kvmsg::kvsimple;

use zmq::{Context, Message, Socket, SocketType};

const WAIT: Duration = Duration::from_secs(5);

/// A connected DEALER pair (the C tests use `ipc://kvmsg_selftest.ipc`).
fn pair(ctx: &Context, name: &str) -> (Socket, Socket) {
    let output = ctx.socket(SocketType::Dealer).unwrap();
    output.bind(&format!("inproc://kvmsg-{name}")).unwrap();
    let input = ctx.socket(SocketType::Dealer).unwrap();
    input.connect(&format!("inproc://kvmsg-{name}")).unwrap();
    for s in [&output, &input] {
        s.set_rcvtimeo(Some(WAIT)).unwrap();
    }
    (output, input)
}

#[test]
fn tstkvsimple_sends_receives_and_stores() {
    let ctx = Context::new();
    let (output, input) = pair(&ctx, "simple");
    let mut map = kvsimple::KvMap::new();

    let mut msg = kvsimple::KvMsg::new(1);
    msg.set_key("key");
    msg.set_body(b"body");
    assert_eq!(msg.dump_line(), "[seq:1][key:key][size:4] 626F6479");
    msg.send(&output).unwrap();
    msg.store(&mut map);

    let got = kvsimple::KvMsg::recv(&input)
        .unwrap()
        .expect("three frames");
    assert_eq!(got.key(), Some("key"));
    assert_eq!(got.sequence(), 1);
    assert_eq!(got.body(), Some(&b"body"[..]));
    got.store(&mut map);
    assert_eq!(map.len(), 1);
    assert_eq!(map["key"].body(), Some(&b"body"[..]));
}

#[test]
fn kvsimple_wire_format_and_refusals() {
    let ctx = Context::new();
    let (output, input) = pair(&ctx, "simple-wire");
    let mut msg = kvsimple::KvMsg::new(0x0102_0304_0506_0708);
    msg.set_key("k");
    msg.send(&output).unwrap();
    let frames = input.recv_multipart().unwrap();
    assert_eq!(frames, [&b"k"[..], &[1, 2, 3, 4, 5, 6, 7, 8], b""]);

    // Two frames, or a 4-byte sequence: not a kvmsg (NULL in C).
    output.send_multipart(["k", "12345678"]).unwrap();
    assert_eq!(kvsimple::KvMsg::recv(&input).unwrap(), None);
    output.send_multipart(["k", "1234", "body"]).unwrap();
    assert_eq!(kvsimple::KvMsg::recv(&input).unwrap(), None);
    // The socket is still usable after a refused message.
    msg.send(&output).unwrap();
    assert!(kvsimple::KvMsg::recv(&input).unwrap().is_some());

    // Keys are cut at 255 bytes; a message without a body is not stored.
    let mut long = kvsimple::KvMsg::new(2);
    long.set_key(&"x".repeat(300));
    assert_eq!(long.key().unwrap().len(), kvsimple::KEY_MAX);
    let mut map = kvsimple::KvMap::new();
    long.store(&mut map);
    assert!(map.is_empty());
}

#[test]
fn tstkvmsg_sends_receives_with_uuid_and_properties() {
    let ctx = Context::new();
    let (output, input) = pair(&ctx, "kvmsg");
    let mut map = kvmsg::KvMap::new();

    //  Test send and receive of simple message
    let mut msg = kvmsg::KvMsg::new(1);
    msg.set_key("key");
    msg.set_uuid();
    msg.set_body(b"body");
    let uuid = msg.uuid().expect("16-byte uuid");
    msg.send(&output).unwrap();
    msg.store(&mut map);
    let got = kvmsg::KvMsg::recv(&input).unwrap().expect("five frames");
    assert_eq!(got.key(), Some("key"));
    assert_eq!(got.uuid(), Some(uuid));
    got.store(&mut map);
    assert_eq!(map.len(), 1);

    //  Test send and receive of message with properties
    let mut msg = kvmsg::KvMsg::new(2);
    msg.set_prop("prop1", "value1");
    msg.set_prop("prop2", "value1");
    msg.set_prop("prop2", "value2");
    msg.set_key("key");
    msg.set_uuid();
    msg.set_body(b"body");
    assert_eq!(msg.prop("prop2"), "value2");
    assert_eq!(
        msg.dump_line(),
        "[seq:2][key:key][size:4] [prop1=value1;prop2=value2;]626F6479"
    );
    msg.send(&output).unwrap();
    let got = kvmsg::KvMsg::recv(&input).unwrap().expect("five frames");
    assert_eq!(got.key(), Some("key"));
    assert_eq!(got.prop("prop2"), "value2");
    assert_eq!(got.prop("prop1"), "value1");
    assert_eq!(got.prop("missing"), "");
    assert_eq!(got, msg);
}

#[test]
fn kvmsg_wire_format_deletes_and_refusals() {
    let ctx = Context::new();
    let (output, input) = pair(&ctx, "kvmsg-wire");
    let mut msg = kvmsg::KvMsg::new(7);
    msg.set_key("k");
    msg.set_prop("ttl", "30");
    msg.set_body(b"v");
    msg.send(&output).unwrap();
    let frames: Vec<Message> = input.recv_multipart().unwrap().into_vec();
    assert_eq!(frames.len(), 5);
    assert_eq!(frames[1], [0, 0, 0, 0, 0, 0, 0, 7]);
    assert_eq!(frames[2], b"" as &[u8]); // no uuid set: sent empty
    assert_eq!(frames[3], "ttl=30\n");

    // Property frames from other writers: lines without '=' and text
    // after the last newline are ignored.
    output
        .send_multipart(["k", "\0\0\0\0\0\0\0\x01", "", "a=1\njunk\nb=x=y\ntail", "v"])
        .unwrap();
    let got = kvmsg::KvMsg::recv(&input).unwrap().unwrap();
    assert_eq!(
        (got.prop("a"), got.prop("b"), got.prop("tail")),
        ("1", "x=y", "")
    );
    assert_eq!(got.uuid(), None);

    // A newline or '=' in a name cannot break the encoding.
    let mut odd = kvmsg::KvMsg::new(1);
    odd.set_prop("a=b", "line\nbreak");
    assert_eq!(odd.prop("a_b"), "line_break");

    // Three frames are not a kvmsg; the socket stays usable.
    output
        .send_multipart(["k", "\0\0\0\0\0\0\0\x01", "v"])
        .unwrap();
    assert_eq!(kvmsg::KvMsg::recv(&input).unwrap(), None);

    // An empty body deletes the key.
    let mut map = kvmsg::KvMap::new();
    msg.store(&mut map);
    assert!(map.contains_key("k"));
    let mut delete = kvmsg::KvMsg::new(8);
    delete.set_key("k");
    delete.set_body(b"");
    delete.store(&mut map);
    assert!(map.is_empty());
    assert_ne!(kvmsg::new_uuid(), kvmsg::new_uuid());
}
