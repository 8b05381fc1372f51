//! `FrameWriter`: the bytes of a frame being built in place
//! ([`Message::from_writer`](crate::Message::from_writer),
//! [`Socket::send_from_writer`](crate::Socket::send_from_writer)).
//!
//! libzmq's `zmq_msg_init_size` hands out uninitialised memory, which a safe
//! `&mut [u8]` must never show. [`Message::from_fn`](crate::Message::from_fn)
//! zeroes it first (one `memset` C does not do); a `FrameWriter` instead
//! tracks how much has been written from the front, and only the part left
//! unwritten when the builder returns is zeroed. A frame written whole costs
//! one copy, as C's `zmq_msg_init_size` + `memcpy`.

use std::io;
use std::mem::MaybeUninit;

/// The bytes of a frame under construction, written from the front.
///
/// Whatever the builder leaves unwritten is zeroed when it returns, so every
/// byte of the message is initialised.
///
/// ```
/// use std::io::Write;
/// let msg = zmq::Message::from_writer(8, |w| {
///     w.put(b"id:");
///     write!(w, "{}", 42).expect("fits");
///     assert_eq!(w.remaining(), 3);
/// })?;
/// assert_eq!(&msg[..], b"id:42\0\0\0");
/// # Ok::<(), zmq::Error>(())
/// ```
pub struct FrameWriter<'a> {
    buf: &'a mut [MaybeUninit<u8>],
    /// `buf[..written]` is initialised.
    written: usize,
}

impl<'a> FrameWriter<'a> {
    #[inline]
    pub(crate) fn new(buf: &'a mut [MaybeUninit<u8>]) -> Self {
        FrameWriter { buf, written: 0 }
    }

    /// The frame's size in bytes.
    #[inline]
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// How many bytes have been written (or zeroed) so far.
    #[inline]
    pub fn written(&self) -> usize {
        self.written
    }

    /// How many bytes are left to write.
    #[inline]
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.written
    }

    /// Appends as much of `bytes` as fits and returns how many bytes that
    /// was (all of them unless the frame is full).
    #[inline]
    pub fn put(&mut self, bytes: &[u8]) -> usize {
        let n = bytes.len().min(self.remaining());
        if let Some(rest) = self.buf.get_mut(self.written..self.written + n) {
            // SAFETY: `rest` is `n` writable bytes of the frame and `bytes`
            // at least `n` readable ones; a `&[u8]` and a `&mut` slice never
            // overlap. Afterwards `buf[..written + n]` is initialised.
            unsafe {
                std::ptr::copy_nonoverlapping(bytes.as_ptr(), rest.as_mut_ptr().cast::<u8>(), n);
            }
            self.written += n;
        }
        n
    }

    /// Appends `byte` `n` times (as many as fit) and returns how many bytes
    /// were written.
    #[inline]
    pub fn put_repeated(&mut self, byte: u8, n: usize) -> usize {
        let n = n.min(self.remaining());
        if let Some(rest) = self.buf.get_mut(self.written..self.written + n) {
            rest.fill(MaybeUninit::new(byte));
            self.written += n;
        }
        n
    }

    /// The bytes written so far, for changes in place (a length prefix
    /// patched after the body, say).
    #[inline]
    pub fn written_mut(&mut self) -> &mut [u8] {
        let written = self.written;
        match self.buf.get_mut(..written) {
            // SAFETY: `buf[..written]` is initialised (the field's
            // invariant), so it may be seen as `[u8]`.
            Some(done) => unsafe { &mut *(done as *mut [MaybeUninit<u8>] as *mut [u8]) },
            None => &mut [],
        }
    }

    /// Zeroes the bytes not written yet, counts them as written, and
    /// returns them as a plain slice to fill in any order.
    #[inline]
    pub fn rest_zeroed(&mut self) -> &mut [u8] {
        let start = self.written;
        self.written = self.buf.len();
        match self.buf.get_mut(start..) {
            Some(rest) => {
                rest.fill(MaybeUninit::new(0));
                // SAFETY: every byte of `rest` was just written.
                unsafe { &mut *(rest as *mut [MaybeUninit<u8>] as *mut [u8]) }
            }
            None => &mut [],
        }
    }

    /// Zeroes what is left unwritten: the end of every build.
    #[inline]
    pub(crate) fn finish(mut self) {
        if self.written < self.buf.len() {
            self.rest_zeroed();
        }
    }
}

/// Writes as much as fits; a full frame accepts nothing more
/// (`write_all` then fails with [`io::ErrorKind::WriteZero`]).
impl io::Write for FrameWriter<'_> {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(self.put(buf))
    }

    #[inline]
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl std::fmt::Debug for FrameWriter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameWriter")
            .field("capacity", &self.capacity())
            .field("written", &self.written)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn build(len: usize, f: impl FnOnce(&mut FrameWriter<'_>)) -> Vec<u8> {
        let mut storage = vec![MaybeUninit::new(0xAAu8); len];
        let mut w = FrameWriter::new(&mut storage);
        f(&mut w);
        w.finish();
        storage
            .into_iter()
            // SAFETY: `finish` initialised every byte.
            .map(|b| unsafe { b.assume_init() })
            .collect()
    }

    #[test]
    fn put_stops_at_capacity_and_the_rest_is_zeroed() {
        let out = build(6, |w| {
            assert_eq!(w.put(b"abcd"), 4);
            assert_eq!(w.put(b"efgh"), 2);
            assert_eq!(w.put(b"x"), 0);
            assert_eq!((w.written(), w.remaining(), w.capacity()), (6, 0, 6));
        });
        assert_eq!(out, b"abcdef");
        assert_eq!(build(5, |w| assert_eq!(w.put(b"ab"), 2)), b"ab\0\0\0");
        assert_eq!(build(3, |_| ()), b"\0\0\0");
        assert_eq!(build(0, |w| assert_eq!(w.put(b"ab"), 0)), b"");
    }

    #[test]
    fn repeated_written_mut_and_rest_zeroed() {
        let out = build(7, |w| {
            assert_eq!(w.put_repeated(b'-', 2), 2);
            w.put(b"xy");
            w.written_mut()[0] = b'+';
            assert_eq!(w.written_mut(), b"+-xy");
            let rest = w.rest_zeroed();
            assert_eq!(rest, [0, 0, 0]);
            rest[2] = b'!';
            assert_eq!(w.remaining(), 0);
            assert_eq!(w.put_repeated(b'z', 9), 0);
        });
        assert_eq!(out, b"+-xy\0\0!");
    }

    #[test]
    fn io_write_reports_a_full_frame() {
        let out = build(4, |w| {
            write!(w, "{}", 12).expect("fits");
            let err = w.write_all(b"345").expect_err("does not fit");
            assert_eq!(err.kind(), io::ErrorKind::WriteZero);
            w.flush().expect("no-op");
        });
        assert_eq!(out, b"1234");
    }
}
