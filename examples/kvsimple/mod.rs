//! The guide's `kvsimple` class (chapter 5, "Working with Clone"): a
//! key-value message of three frames, used by the Clone models one to four.
//!
//! On the wire:
//!
//! ```text
//! frame 0: key (a string, at most 255 bytes kept)
//! frame 1: sequence (8 bytes, network order)
//! frame 2: body (blob)
//! ```
//!
//! Include it in an example with:
//!
//! ```ignore
//! #[path = "kvsimple/mod.rs"]
//! mod kvsimple;
//! ```
#![allow(dead_code)]

use std::collections::HashMap;

use zmq::{Message, Socket};

/// Keys are short strings: longer keys are cut here (`KVMSG_KEY_MAX`).
pub const KEY_MAX: usize = 255;

/// The key-value store of a Clone server or client (`zhash_t` of kvmsgs).
pub type KvMap = HashMap<String, KvMsg>;

/// One key-value message. A frame that is absent is sent empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KvMsg {
    key: Option<String>,
    sequence: i64,
    body: Option<Message>,
}

/// The key as a string, cut at [`KEY_MAX`] bytes (as the C class copies it).
pub fn key_text(frame: &[u8]) -> String {
    let cut = frame.get(..KEY_MAX).unwrap_or(frame);
    String::from_utf8_lossy(cut).into_owned()
}

/// The sequence frame: 8 bytes, big-endian; `None` when it is not 8 bytes.
pub fn decode_sequence(frame: &[u8]) -> Option<i64> {
    Some(i64::from_be_bytes(frame.try_into().ok()?))
}

impl KvMsg {
    /// A message with this sequence number and no key or body (`kvmsg_new`).
    pub fn new(sequence: i64) -> KvMsg {
        KvMsg {
            sequence,
            ..KvMsg::default()
        }
    }

    /// Reads one key-value message (`kvmsg_recv`). `Ok(None)` when the
    /// message is not three frames or its sequence frame is not 8 bytes:
    /// the C class returns NULL then.
    pub fn recv(socket: &Socket) -> zmq::Result<Option<KvMsg>> {
        let frames = socket.recv_multipart()?;
        Ok(KvMsg::from_frames(frames.into_vec()))
    }

    /// The message of three frames, if they are one.
    pub fn from_frames(frames: Vec<Message>) -> Option<KvMsg> {
        let [key, seq, body]: [Message; 3] = frames.try_into().ok()?;
        Some(KvMsg {
            key: Some(key_text(&key)),
            sequence: decode_sequence(&seq)?,
            body: Some(body),
        })
    }

    /// The three frames (`kvmsg_send` sends these).
    pub fn frames(&self) -> [Message; 3] {
        [
            Message::from(self.key.as_deref().unwrap_or("").as_bytes()),
            Message::from(&self.sequence.to_be_bytes()[..]),
            self.body.clone().unwrap_or_default(),
        ]
    }

    /// Sends the message as three frames (`kvmsg_send`).
    pub fn send(&self, socket: &Socket) -> zmq::Result<()> {
        socket.send_multipart(self.frames())
    }

    /// The key, if set.
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// Sets the key (cut at [`KEY_MAX`] bytes).
    pub fn set_key(&mut self, key: &str) {
        self.key = Some(key_text(key.as_bytes()));
    }

    /// The sequence number.
    pub fn sequence(&self) -> i64 {
        self.sequence
    }

    /// Sets the sequence number.
    pub fn set_sequence(&mut self, sequence: i64) {
        self.sequence = sequence;
    }

    /// The body, if set.
    pub fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }

    /// Sets the body.
    pub fn set_body(&mut self, body: &[u8]) {
        self.body = Some(Message::from(body));
    }

    /// The body's size, 0 when absent (`kvmsg_size`).
    pub fn size(&self) -> usize {
        self.body.as_ref().map_or(0, |b| b.len())
    }

    /// Stores the message in `map` under its key, when it has a key and a
    /// body (`kvmsg_store`).
    pub fn store(self, map: &mut KvMap) {
        if let (Some(key), Some(_)) = (&self.key, &self.body) {
            map.insert(key.clone(), self);
        }
    }

    /// The `kvmsg_dump` line: `[seq:N][key:K][size:S] HEX`.
    pub fn dump_line(&self) -> String {
        let hex: String = self
            .body()
            .unwrap_or_default()
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect();
        format!(
            "[seq:{}][key:{}][size:{}] {hex}",
            self.sequence,
            self.key().unwrap_or("(null)"),
            self.size()
        )
    }

    /// Prints the message to stderr (`kvmsg_dump`).
    pub fn dump(&self) {
        eprintln!("{}", self.dump_line());
    }
}

/// Sends the entries of `kvmap` whose key starts with `subtree` (all of
/// them for an empty one) to the peer `identity` on the ROUTER `socket`,
/// then `KTHXBAI` with the snapshot's `sequence`: a Clone server's answer
/// to `ICANHAZ?`.
pub fn send_snapshot(
    socket: &Socket,
    identity: &Message,
    subtree: &[u8],
    kvmap: &KvMap,
    sequence: i64,
) -> zmq::Result<()> {
    //  For each entry in kvmap, send kvmsg to client
    let entries = kvmap
        .iter()
        .filter(|(key, _)| key.as_bytes().starts_with(subtree));
    for (_, kvmsg) in entries {
        //  Send identity of recipient first
        socket.send_more(identity)?;
        kvmsg.send(socket)?;
    }
    //  Now send END message with sequence number
    socket.send_more(identity)?;
    let mut kvmsg = KvMsg::new(sequence);
    kvmsg.set_key("KTHXBAI");
    kvmsg.set_body(b"");
    kvmsg.send(socket)
}

/// Reads a state snapshot from `socket` into `kvmap` up to its `KTHXBAI`,
/// whose sequence number it returns: a Clone client's side of `ICANHAZ?`.
/// Malformed messages are skipped.
pub fn recv_snapshot(socket: &Socket, kvmap: &mut KvMap) -> zmq::Result<i64> {
    loop {
        let Some(kvmsg) = KvMsg::recv(socket)? else {
            continue;
        };
        if kvmsg.key() == Some("KTHXBAI") {
            return Ok(kvmsg.sequence()); //  Done
        }
        kvmsg.store(kvmap);
    }
}
