//! The guide's `kvmsg` class (chapter 5, "Working with Clone"): `kvsimple`
//! with a UUID and properties, used by the Clone models five and six and the
//! `clone` library.
//!
//! On the wire:
//!
//! ```text
//! frame 0: key (a string, at most 255 bytes kept)
//! frame 1: sequence (8 bytes, network order)
//! frame 2: uuid (blob, 16 bytes)
//! frame 3: properties ("name=value\n" lines)
//! frame 4: body (blob)
//! ```
//!
//! Include it in an example with:
//!
//! ```ignore
//! #[path = "zhelpers/mod.rs"]
//! mod zhelpers;
//! #[path = "kvmsg/mod.rs"]
//! mod kvmsg;
//! ```
#![allow(dead_code)]

use std::collections::HashMap;

use zmq::{Message, Socket};

#[path = "../kvsimple/mod.rs"]
pub mod kvsimple;
#[allow(unused_imports)] // each program uses a part
pub use crate::zhelpers::log;
#[allow(unused_imports)] // each program uses a part
pub use kvsimple::KEY_MAX;

/// The key-value store of a Clone server or client.
pub type KvMap = HashMap<String, KvMsg>;

/// A UUID: 16 random bytes (the C class uses libuuid's `uuid_generate`).
pub type Uuid = [u8; 16];

/// 16 random bytes from the operating system (`/dev/urandom`), or from
/// the clock and a counter if that cannot be read.
pub fn new_uuid() -> Uuid {
    use std::io::Read;
    let mut uuid = [0u8; 16];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut uuid));
    if read.is_err() {
        static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        uuid[..8].copy_from_slice(&nanos.to_be_bytes());
        uuid[8..].copy_from_slice(&(n ^ u64::from(std::process::id())).to_be_bytes());
    }
    uuid
}

/// One key-value message with properties: a [`kvsimple::KvMsg`] (key,
/// sequence, body; reached through `Deref`) with a UUID and properties. A
/// frame that is absent is sent empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KvMsg {
    base: kvsimple::KvMsg,
    uuid: Option<Message>,
    props: Vec<(String, String)>,
}

impl std::ops::Deref for KvMsg {
    type Target = kvsimple::KvMsg;
    fn deref(&self) -> &kvsimple::KvMsg {
        &self.base
    }
}

impl std::ops::DerefMut for KvMsg {
    fn deref_mut(&mut self) -> &mut kvsimple::KvMsg {
        &mut self.base
    }
}

impl KvMsg {
    /// A message with this sequence number and nothing else (`kvmsg_new`).
    pub fn new(sequence: i64) -> KvMsg {
        KvMsg {
            base: kvsimple::KvMsg::new(sequence),
            ..KvMsg::default()
        }
    }

    /// Reads one key-value message (`kvmsg_recv`). `Ok(None)` when the
    /// message is not five frames or its sequence frame is not 8 bytes.
    pub fn recv(socket: &Socket) -> zmq::Result<Option<KvMsg>> {
        let frames = socket.recv_multipart()?;
        Ok(KvMsg::from_frames(frames.into_vec()))
    }

    /// The message of five frames, if they are one.
    pub fn from_frames(frames: Vec<Message>) -> Option<KvMsg> {
        let [key, seq, uuid, props, body]: [Message; 5] = frames.try_into().ok()?;
        Some(KvMsg {
            base: kvsimple::KvMsg::from_frames(vec![key, seq, body])?,
            uuid: Some(uuid),
            props: decode_props(&props),
        })
    }

    /// The five frames (`kvmsg_send` sends these).
    pub fn frames(&self) -> [Message; 5] {
        let [key, seq, body] = self.base.frames();
        let props = Message::from(encode_props(&self.props));
        [key, seq, self.uuid.clone().unwrap_or_default(), props, body]
    }

    /// Sends the message as five frames (`kvmsg_send`).
    pub fn send(&self, socket: &Socket) -> zmq::Result<()> {
        socket.send_multipart(self.frames())
    }

    /// The UUID, when the frame holds 16 bytes (`kvmsg_uuid`).
    pub fn uuid(&self) -> Option<Uuid> {
        self.uuid.as_deref()?.try_into().ok()
    }

    /// Gives the message a new random UUID (`kvmsg_set_uuid`).
    pub fn set_uuid(&mut self) {
        self.uuid = Some(Message::from(&new_uuid()[..]));
    }

    /// A property's value, `""` when it is not set (`kvmsg_get_prop`).
    pub fn prop(&self, name: &str) -> &str {
        self.props
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Sets a property, replacing its previous value (`kvmsg_set_prop`).
    /// Names holding `=` or a newline, and values holding a newline, would
    /// not survive the wire format: those characters are replaced by `_`.
    pub fn set_prop(&mut self, name: &str, value: &str) {
        let name = name.replace(['=', '\n'], "_");
        let value = value.replace('\n', "_");
        self.props.retain(|(n, _)| *n != name);
        self.props.push((name, value));
    }

    /// Stores the message in `map` under its key: a message with a body
    /// replaces the key's value, one with an empty body deletes the key
    /// (`kvmsg_store`).
    pub fn store(self, map: &mut KvMap) {
        let Some(key) = self.key().map(str::to_owned) else {
            return;
        };
        if self.size() > 0 {
            map.insert(key, self);
        } else {
            map.remove(&key);
        }
    }

    /// The `kvmsg_dump` line: `[seq:N][key:K][size:S] [p=v;...]HEX`.
    pub fn dump_line(&self) -> String {
        let mut line = format!(
            "[seq:{}][key:{}][size:{}] ",
            self.sequence(),
            self.key().unwrap_or("(null)"),
            self.size()
        );
        if !self.props.is_empty() {
            line.push('[');
            for (name, value) in &self.props {
                line.push_str(&format!("{name}={value};"));
            }
            line.push(']');
        }
        for b in self.body().unwrap_or_default() {
            line.push_str(&format!("{b:02X}"));
        }
        line
    }

    /// Prints the message to stderr (`kvmsg_dump`).
    pub fn dump(&self) {
        eprintln!("{}", self.dump_line());
    }
}

/// `name=value\n` per property.
fn encode_props(props: &[(String, String)]) -> String {
    props.iter().map(|(n, v)| format!("{n}={v}\n")).collect()
}

/// The properties of a frame: each line up to a newline that holds a `=`
/// (a line without one, or text after the last newline, is ignored).
fn decode_props(frame: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(frame);
    let mut lines: Vec<&str> = text.split('\n').collect();
    lines.pop(); // after the last newline
    lines
        .into_iter()
        .filter_map(|line| line.split_once('='))
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}
