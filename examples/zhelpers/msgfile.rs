//! What Titanic needs of czmq beyond messages: `zmsg_save`/`zmsg_load`
//! (a whole message to and from a file) and a UUID (16 random bytes as 32
//! hex digits, as `titanic.c` prints `uuid_generate`'s).
//!
//! The file format is czmq's: per frame, its size as a native-endian
//! `size_t`, then its bytes; so a C Titanic and this one read each other's
//! files on the same machine.

use std::io::{self, Read, Write};

use zmq::{Message, Multipart};

/// The largest frame [`load`] accepts: a corrupt size field gives an
/// error, not a huge allocation.
pub const MAX_FRAME: usize = 64 << 20;

/// Writes the frames of `msg` to `out` (`zmsg_save`).
pub fn save(msg: &[Message], mut out: impl Write) -> io::Result<()> {
    for frame in msg {
        out.write_all(&frame.len().to_ne_bytes())?;
        out.write_all(frame)?;
    }
    out.flush()
}

/// Reads a message written by [`save`] (`zmsg_load`): every frame up to the
/// end of `input`. A truncated frame or one over [`MAX_FRAME`] is an
/// `InvalidData` error.
pub fn load(mut input: impl Read) -> io::Result<Multipart> {
    let mut msg = Multipart::new();
    loop {
        let mut size = [0u8; std::mem::size_of::<usize>()];
        match read_full(&mut input, &mut size)? {
            0 => return Ok(msg),
            n if n < size.len() => return Err(invalid("truncated frame size")),
            _ => {}
        }
        let size = usize::from_ne_bytes(size);
        if size > MAX_FRAME {
            return Err(invalid("frame larger than MAX_FRAME"));
        }
        let mut data = vec![0u8; size];
        if read_full(&mut input, &mut data)? < size {
            return Err(invalid("truncated frame"));
        }
        msg.push_back(data);
    }
}

/// Reads until `buf` is full or the input ends; how many bytes were read.
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match input.read(&mut buf[done..]) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

/// A new UUID as 32 upper-case hex digits: 16 bytes from `/dev/urandom`
/// (or, where there is none, from the examples' random generator).
pub fn new_uuid() -> String {
    let mut bytes = [0u8; 16];
    let from_os = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if from_os.is_err() {
        for b in &mut bytes {
            *b = super::within(256) as u8;
        }
    }
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
