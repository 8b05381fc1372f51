//! A ZMTP 3.0 peer written by hand over a raw TCP stream (RFC 23), for the
//! security tests: it sends what a libzmq peer never would (handshake
//! metadata of its choosing, a frame header claiming gigabytes).
//! Loopback only; every read has a timeout.

#![allow(dead_code)] // each test crate uses a part of it

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// The 64-byte greeting of a ZMTP 3.0 client with `mechanism`.
pub fn greeting(mechanism: &str) -> [u8; 64] {
    let mut g = [0u8; 64];
    g[0] = 0xff;
    g[9] = 0x7f;
    g[10] = 3; // version 3.0
    g[11] = 0;
    g[12..12 + mechanism.len()].copy_from_slice(mechanism.as_bytes());
    // as-server 0, filler zeros.
    g
}

/// Connects to a `tcp://127.0.0.1:PORT` endpoint, exchanges greetings as a
/// client of `mechanism`, and gives back the stream.
pub fn connect(endpoint: &str, mechanism: &str) -> TcpStream {
    let address = endpoint.trim_start_matches("tcp://");
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(&greeting(mechanism)).unwrap();
    let mut theirs = [0u8; 64];
    stream.read_exact(&mut theirs).unwrap();
    assert_eq!((theirs[0], theirs[9], theirs[10]), (0xff, 0x7f, 3));
    stream
}

/// ZMTP metadata: name length, name, value length (4 bytes), value.
pub fn metadata(properties: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, value) in properties {
        out.push(name.len() as u8);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&(value.len() as u32).to_be_bytes());
        out.extend_from_slice(value);
    }
    out
}

/// The header of a frame of `len` bytes: `flags` (1 more, 4 command) and
/// the size, long (8 bytes) when it needs to be.
pub fn header(flags: u8, len: u64) -> Vec<u8> {
    if len < 256 {
        vec![flags, len as u8]
    } else {
        let mut h = vec![flags | 0x02];
        h.extend_from_slice(&len.to_be_bytes());
        h
    }
}

/// A command frame: `name` and its body.
pub fn command(name: &str, body: &[u8]) -> Vec<u8> {
    let mut payload = vec![name.len() as u8];
    payload.extend_from_slice(name.as_bytes());
    payload.extend_from_slice(body);
    let mut out = header(0x04, payload.len() as u64);
    out.extend_from_slice(&payload);
    out
}

/// A message frame.
pub fn frame(more: bool, body: &[u8]) -> Vec<u8> {
    let mut out = header(u8::from(more), body.len() as u64);
    out.extend_from_slice(body);
    out
}
