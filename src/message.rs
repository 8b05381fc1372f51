//! `Message`: RAII over `zmq_msg_t`, with zero-copy construction from owned
//! Rust buffers and copy-on-write mutation.
//!
//! # Sharing and mutation
//! libzmq shares message content by reference count (`zmq_msg_copy`, and a PUB
//! socket handing one message to several inproc subscribers), and a message
//! built from `&'static [u8]` or from a foreign owner (e.g. `bytes::Bytes`)
//! points at bytes that must never be written. So [`Message`] only hands out
//! `&mut [u8]` after making sure no one else can see the bytes: `DerefMut`
//! copies the content first when libzmq reports it shared (`ZMQ_SHARED`) or
//! when it is read-only. `Clone` is then the cheap `zmq_msg_copy`.
//!
//! The read-only mark travels with the content wherever libzmq moves it: a
//! message over borrowed bytes is created *shared* in libzmq's own flags
//! (see `Message::init_data`), so the message an `inproc://` peer receives
//! (the very same `zmq_msg_t`, bytes not copied) reports `is_shared()` too,
//! and writing to it copies first.
//!
//! # Failed calls
//! A failed send (`Again`, `Terminated`, `HostUnreachable`...) leaves the
//! message as it was (libzmq does not touch it). A failed receive leaves it
//! as it was too: libzmq *empties* the message it is given when nothing is
//! there (its fair queue closes the old content first), so a receive into a
//! message that holds content goes through a fresh one, which replaces the
//! old content only on success.

use std::cell::{Cell, UnsafeCell};
use std::ffi::{c_void, CStr, CString};
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::Result;
#[cfg(feature = "draft")]
use crate::error::{check, Error};
use crate::frame_writer::FrameWriter;

/// Payloads up to this size are copied into the message instead of being
/// handed over zero-copy: libzmq stores up to 33 bytes (`max_vsm_size` on
/// 64-bit targets; 29 on 32-bit ones) inside the `zmq_msg_t` without any
/// allocation. The smaller figure is used so that the copy never allocates.
const SMALL_COPY_MAX: usize = 29;

/// A ZeroMQ message frame.
///
/// ```
/// let msg = zmq::Message::from("hello");
/// assert_eq!(&msg[..], b"hello");
/// let zero_copy = zmq::Message::from(vec![1u8, 2, 3]); // no copy: the Vec is moved in
/// assert_eq!(zero_copy.len(), 3);
/// ```
pub struct Message {
    /// In an `UnsafeCell` because `Clone` (`zmq_msg_copy`) writes the
    /// source's flags through `&self`.
    msg: UnsafeCell<zmq_sys::zmq_msg_t>,
    /// The bytes belong to a foreign owner that only allows reading. Only
    /// libzmq replacing the content (a successful send or receive) clears it.
    read_only: bool,
    /// The boxed `Vec` whose buffer is the content, for a message made from
    /// a `Vec` (zero-copy) whose content has not been replaced since: lets
    /// [`Message::into_vec`] hand it back without a copy. Cleared whenever
    /// the content may have changed hands (send, receive, raw access).
    vec: Option<std::ptr::NonNull<Vec<u8>>>,
    /// The message is exactly what `zmq_msg_init` makes: empty, owning no
    /// content, no metadata, routing id or group. `Message::new` makes one,
    /// and so does a successful `zmq_msg_send` (libzmq re-initialises the
    /// message). `Drop` skips the no-op `zmq_msg_close`, and a receive goes
    /// straight into it (a failure cannot lose anything). Cleared by
    /// anything that may give it content again (receive, clone, raw access,
    /// routing id, group).
    pristine: bool,
    /// Unless [`NOT_PRIVATE`], the content is known to be this message's
    /// alone and writable, and this is its size: it was allocated for it
    /// (`with_size`, `from_fn`, `from_writer`, `copy_from`), or `DerefMut`
    /// found it unshared and not read-only. Lets `DerefMut` skip the
    /// `ZMQ_SHARED` and size queries (two libzmq calls per write). Content
    /// that is not shared can only become shared again through a
    /// `zmq_msg_copy` of this very message: `Clone` clears the mark (through
    /// `&self`, hence the `Cell`), and so does everything that replaces the
    /// content or hands out the raw message for writing (send, receive,
    /// `as_raw_mut`). [`NOT_PRIVATE`] (also for content of 4 GiB or more)
    /// only costs the queries. A `u32` fits in the struct's padding.
    private_len: Cell<u32>,
}

/// `Message::private_len` when the content is not known to be private.
const NOT_PRIVATE: u32 = u32::MAX;

/// The `Message::private_len` of private content of `len` bytes.
#[inline(always)]
fn private_len(len: usize) -> u32 {
    match u32::try_from(len) {
        Ok(len) => len,
        Err(_) => NOT_PRIVATE,
    }
}

// SAFETY: a zmq_msg_t may be used from any thread as long as one thread at a
// time does. Content it owns through zero-copy is `Send` (required by
// every constructor), and libzmq's reference counts are atomic.
unsafe impl Send for Message {}
// `Message` is deliberately not `Sync` (the `UnsafeCell` makes sure of it):
// `Clone` (`zmq_msg_copy`) writes the source's flags through `&self`, and a
// reader (`Deref`, `is_shared`) reads them, which two threads must not do at
// once without synchronisation.

impl Message {
    /// An empty message.
    #[doc(alias = "zmq_msg_init")]
    #[inline]
    pub fn new() -> Message {
        let mut msg = std::mem::MaybeUninit::<Message>::uninit();
        // SAFETY: zmq_msg_init initialises the struct and cannot fail; the
        // other fields are written by `init_fields` (and `pristine`, which
        // is what zmq_msg_init makes), so all is initialised.
        unsafe {
            let raw = Message::init_fields(msg.as_mut_ptr(), NOT_PRIVATE);
            zmq_sys::zmq_msg_init(raw);
            std::ptr::addr_of_mut!((*msg.as_mut_ptr()).pristine).write(true);
            msg.assume_init()
        }
    }

    /// Writes the Rust fields of a message under construction (a fresh
    /// content, not read-only; `private_len` is [`private_len`] of its size
    /// when it is allocated for this message alone, else [`NOT_PRIVATE`])
    /// and returns its `zmq_msg_t` for a `zmq_msg_init*`
    /// call to initialise in place: the 64 bytes are written once, where the
    /// message is returned, instead of being built aside and moved.
    ///
    /// # Safety
    /// `this` must be valid for writes; the message is initialised only once
    /// the caller has initialised the returned `zmq_msg_t` too.
    #[inline(always)]
    unsafe fn init_fields(this: *mut Message, private_len: u32) -> *mut zmq_sys::zmq_msg_t {
        // SAFETY: per the contract, `this` is valid for writes; raw field
        // pointers never read the uninitialised memory.
        unsafe {
            std::ptr::addr_of_mut!((*this).read_only).write(false);
            std::ptr::addr_of_mut!((*this).vec).write(None);
            std::ptr::addr_of_mut!((*this).pristine).write(false);
            std::ptr::addr_of_mut!((*this).private_len).write(Cell::new(private_len));
            UnsafeCell::raw_get(std::ptr::addr_of!((*this).msg))
        }
    }

    /// A message of `len` zeroed bytes (libzmq allocates them).
    ///
    /// The content is known to be this message's alone, so filling it
    /// through `DerefMut` (`msg.copy_from_slice(..)`) asks libzmq nothing
    /// about sharing. [`Message::from_writer`] also skips the zeroing.
    #[doc(alias = "zmq_msg_init_size")]
    #[inline]
    pub fn with_size(len: usize) -> Result<Message> {
        Message::from_fn(len, |_| ())
    }

    /// A message of `len` bytes, filled by `fill` (they start zeroed):
    /// the C-shaped `zmq_msg_init_size` + write + send, without the
    /// sharing check and the extra libzmq calls of `with_size` followed by
    /// `DerefMut`. [`Message::from_writer`] skips the zeroing too.
    ///
    /// ```
    /// let msg = zmq::Message::from_fn(4, |buf| buf.copy_from_slice(b"ping"))?;
    /// assert_eq!(msg, "ping");
    /// # Ok::<(), zmq::Error>(())
    /// ```
    #[doc(alias = "zmq_msg_init_size")]
    #[inline]
    pub fn from_fn(len: usize, fill: impl FnOnce(&mut [u8])) -> Result<Message> {
        Message::from_writer(len, |w| fill(w.rest_zeroed()))
    }

    /// A message of `len` bytes written by `write` from the front, exactly
    /// as C builds one with `zmq_msg_init_size` + `memcpy`: each byte is
    /// written once; only what `write` leaves unwritten is zeroed.
    /// [`Socket::send_from_writer`](crate::Socket::send_from_writer) builds
    /// the frame where it is sent.
    ///
    /// ```
    /// let header = [1u8, 0];
    /// let msg = zmq::Message::from_writer(6, |w| {
    ///     w.put(&header);
    ///     w.put(b"body");
    /// })?;
    /// assert_eq!(&msg[..], b"\x01\x00body");
    /// # Ok::<(), zmq::Error>(())
    /// ```
    #[doc(alias = "zmq_msg_init_size")]
    #[inline]
    pub fn from_writer(len: usize, write: impl FnOnce(&mut FrameWriter<'_>)) -> Result<Message> {
        let mut msg = std::mem::MaybeUninit::<Message>::uninit();
        // SAFETY: the MaybeUninit is valid for writes, and it is read only
        // after `build_at` succeeded, which initialised all of it.
        unsafe {
            Message::build_at(msg.as_mut_ptr(), len, write)?;
            Ok(msg.assume_init())
        }
    }

    /// Builds a message of `len` bytes written by `write` at `out`, in
    /// place (no moves). Fails with `NoMemory` (nothing initialised, no
    /// content to close) when libzmq could not allocate it, or when `len`
    /// is more than a slice may hold (`isize::MAX`).
    ///
    /// # Safety
    /// `out` must be valid for writes; on `Ok` it holds an initialised
    /// `Message` that the caller owns (and must drop or send).
    #[inline(always)]
    pub(crate) unsafe fn build_at(
        out: *mut Message,
        len: usize,
        write: impl FnOnce(&mut FrameWriter<'_>),
    ) -> Result<()> {
        /// Closes the half-built message if `write` panics.
        struct CloseOnUnwind(*mut zmq_sys::zmq_msg_t);
        impl Drop for CloseOnUnwind {
            fn drop(&mut self) {
                // SAFETY: armed only between a successful zmq_msg_init_size
                // and the end of `write`: the zmq_msg_t is initialised, and
                // the unwinding drops nothing else that owns it.
                unsafe { zmq_sys::zmq_msg_close(self.0) };
            }
        }
        if len > isize::MAX as usize {
            return Err(crate::Error::from_errno(zmq_sys::errno::ENOMEM));
        }
        // SAFETY: `init_fields` writes the Rust fields (`out` is valid for
        // writes) and zmq_msg_init_size the zmq_msg_t; when it fails
        // (ENOMEM) nothing was allocated. On success the content was
        // allocated for this message alone (not shared, not read-only) and
        // is exactly `len` bytes long, seen only as `MaybeUninit` bytes
        // until written: the writer hands out only what it initialised, and
        // `finish` zeroes what it did not, so no uninitialised byte is ever
        // read. Nothing else refers to the content while `write` runs.
        unsafe {
            let raw = Message::init_fields(out, private_len(len));
            if zmq_sys::zmq_msg_init_size(raw, len) != 0 {
                return Err(crate::error::last_error());
            }
            let data = zmq_sys::zmq_msg_data(raw).cast::<std::mem::MaybeUninit<u8>>();
            let guard = CloseOnUnwind(raw);
            let mut writer = FrameWriter::new(std::slice::from_raw_parts_mut(data, len));
            write(&mut writer);
            writer.finish();
            std::mem::forget(guard);
            Ok(())
        }
    }

    /// A message holding a copy of `data`.
    #[inline]
    pub fn copy_from(data: &[u8]) -> Message {
        let mut msg = std::mem::MaybeUninit::<Message>::uninit();
        // SAFETY: `init_fields` writes the Rust fields and zmq_msg_init_size
        // the zmq_msg_t, with room for `data.len()` bytes (it fails only when
        // out of memory, which aborts, reporting the `data.len()` bytes that
        // could not be allocated). The fresh content is private, writable and
        // exactly `data.len()` bytes long, and the regions cannot overlap:
        // after the copy every byte is initialised.
        unsafe {
            let raw = Message::init_fields(msg.as_mut_ptr(), private_len(data.len()));
            if zmq_sys::zmq_msg_init_size(raw, data.len()) != 0 {
                // A slice's length always fits a byte array layout.
                let layout = std::alloc::Layout::array::<u8>(data.len())
                    .unwrap_or(std::alloc::Layout::new::<zmq_sys::zmq_msg_t>());
                std::alloc::handle_alloc_error(layout);
            }
            if !data.is_empty() {
                let dst = zmq_sys::zmq_msg_data(raw).cast::<u8>();
                std::ptr::copy_nonoverlapping(data.as_ptr(), dst, data.len());
            }
            msg.assume_init()
        }
    }

    /// The size of the content in bytes: one libzmq call (`Deref` needs two).
    #[doc(alias = "zmq_msg_size")]
    #[inline]
    pub fn len(&self) -> usize {
        // SAFETY: the message is initialised; zmq_msg_size only reads.
        unsafe { zmq_sys::zmq_msg_size(self.as_raw()) }
    }

    /// Whether the content is empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A message over static bytes: no copy and no free at all.
    /// Writing to it (`DerefMut`) copies first.
    pub fn from_static(data: &'static [u8]) -> Message {
        // SAFETY: the bytes live forever and are never written (the message is
        // marked read-only); a NULL free function tells libzmq not to free.
        unsafe {
            Message::init_data(
                data.as_ptr() as *mut u8,
                data.len(),
                None,
                std::ptr::null_mut(),
                true,
            )
        }
    }

    /// A zero-copy message over any owner of bytes (for example a
    /// `bytes::Bytes`, an `Arc<[u8]>` or a memory map). The owner is dropped by
    /// libzmq, possibly on one of its I/O threads, when the last reference to
    /// the content is gone — after the send, or on a failed send when the
    /// `Message` is dropped. The bytes are read-only, here and wherever
    /// libzmq delivers them (an `inproc://` receiver gets the same bytes,
    /// marked shared): `DerefMut` copies first.
    pub fn from_owner<T>(owner: T) -> Message
    where
        T: AsRef<[u8]> + Send + 'static,
    {
        if owner.as_ref().is_empty() {
            return Message::new();
        }
        let boxed = Box::new(owner);
        let (ptr, len) = {
            let bytes = (*boxed).as_ref();
            (bytes.as_ptr() as *mut u8, bytes.len())
        };
        let hint = Box::into_raw(boxed) as *mut c_void;
        // SAFETY: `ptr`/`len` point into memory owned by the box, which stays
        // put (only the Box pointer is handed around) until `drop_box::<T>`
        // runs. The message is read-only and shared in libzmq's flags
        // (`init_data`), so no holder of the content, here or in another
        // thread after an inproc transfer, writes the bytes without copying.
        unsafe { Message::init_data(ptr, len, Some(drop_box::<T>), hint, true) }
    }

    /// A zero-copy message over a `Vec`, keeping its capacity: the Vec is
    /// rebuilt whole and dropped by libzmq when the content is released.
    fn from_vec(mut vec: Vec<u8>) -> Message {
        // A small payload fits inside the `zmq_msg_t` itself (libzmq's
        // "very small message", up to 33 bytes on 64-bit targets): copying
        // it costs no allocation at all, where handing the Vec over costs a
        // Box and libzmq's reference count.
        if vec.len() <= SMALL_COPY_MAX {
            return Message::copy_from(&vec);
        }
        let (ptr, len) = (vec.as_mut_ptr(), vec.len());
        let boxed = Box::into_raw(Box::new(vec));
        // SAFETY: the heap buffer of the boxed Vec does not move while the box
        // lives; we own it exclusively, so the bytes may be written.
        let mut msg =
            unsafe { Message::init_data(ptr, len, Some(drop_box::<Vec<u8>>), boxed.cast(), false) };
        msg.vec = std::ptr::NonNull::new(boxed);
        msg
    }

    /// With `read_only`, the content is also made *shared* in libzmq's own
    /// flags (a `zmq_msg_copy` into a scratch message, closed at once: the
    /// reference count goes back to one, the `shared` flag stays). The flag
    /// is part of the `zmq_msg_t`, so it travels with the content through
    /// an inproc pipe, where the Rust-side mark cannot: the receiver's
    /// `is_shared()` is true and its `DerefMut` copies. (A NULL `ffn` makes
    /// a constant message, which libzmq already reports shared.)
    ///
    /// # Safety
    /// `data..data+len` must stay valid until `ffn(data, hint)` is called (or
    /// forever when `ffn` is None), and must not be written when `read_only`.
    unsafe fn init_data(
        data: *mut u8,
        len: usize,
        ffn: zmq_sys::zmq_free_fn,
        hint: *mut c_void,
        read_only: bool,
    ) -> Message {
        let mut msg = std::mem::MaybeUninit::<Message>::uninit();
        // SAFETY: per this function's contract. `init_fields` writes the Rust
        // fields, zmq_msg_init_data the zmq_msg_t; it fails only on
        // allocation failure of the reference count, which aborts. The
        // scratch message is initialised before the copy and closed right
        // after it: it only ever holds a second reference to the content,
        // which its close gives back (the content is freed only when the
        // original, holding the last reference, is closed).
        unsafe {
            let raw = Message::init_fields(msg.as_mut_ptr(), NOT_PRIVATE);
            std::ptr::addr_of_mut!((*msg.as_mut_ptr()).read_only).write(read_only);
            if zmq_sys::zmq_msg_init_data(raw, data.cast(), len, ffn, hint) != 0 {
                std::alloc::handle_alloc_error(std::alloc::Layout::new::<zmq_sys::zmq_msg_t>());
            }
            if read_only && ffn.is_some() {
                // The copy sets `shared` on the source and a count of two;
                // closing the copy brings the count back to one and leaves
                // the flag (libzmq frees shared content when the count
                // reaches zero, whatever the flag). zmq_msg_copy of an
                // initialised message cannot fail.
                let mut scratch = std::mem::MaybeUninit::<zmq_sys::zmq_msg_t>::uninit();
                zmq_sys::zmq_msg_init(scratch.as_mut_ptr());
                zmq_sys::zmq_msg_copy(scratch.as_mut_ptr(), raw);
                zmq_sys::zmq_msg_close(scratch.as_mut_ptr());
            }
            msg.assume_init()
        }
    }

    /// Whether more frames of the same multipart message follow this one.
    #[doc(alias = "zmq_msg_more", alias = "get_more")]
    #[inline]
    pub fn more(&self) -> bool {
        // SAFETY: the message is initialised; zmq_msg_more only reads flags.
        unsafe { zmq_sys::zmq_msg_more(self.as_raw()) == 1 }
    }

    /// A metadata property of a received message: "Socket-Type", "Routing-Id",
    /// "User-Id", "Peer-Address", or an application "X-..." property set with
    /// `ZMQ_METADATA`. `None` when absent, not UTF-8, or `name` has a NUL byte.
    ///
    /// Every property but "Peer-Address" can come from the **peer's own
    /// handshake**: when no ZAP handler answered for the connection (a NULL
    /// socket without a ZAP domain, a CURVE server with no handler bound),
    /// "User-Id" is whatever the client claimed (`root`). Use
    /// [`Message::zap_user_id`], which is `None` unless the crate's
    /// [`Authenticator`](crate::auth::Authenticator) admitted the connection
    /// (docs/SECURITY.md).
    #[doc(alias = "zmq_msg_gets")]
    pub fn gets(&self, name: &str) -> Option<&str> {
        let name = CString::new(name).ok()?;
        // SAFETY: the message is initialised and `name` is NUL-terminated.
        // zmq_msg_gets takes a non-const pointer but only reads the metadata.
        let value = unsafe { zmq_sys::zmq_msg_gets(self.as_raw() as *mut _, name.as_ptr()) };
        if value.is_null() {
            return None;
        }
        // SAFETY: the value lives in the metadata owned by the message, which
        // lives (unchanged) as long as `&self`.
        unsafe { CStr::from_ptr(value) }.to_str().ok()
    }

    /// Whether libzmq shares the content with another message (`ZMQ_SHARED`).
    pub fn is_shared(&self) -> bool {
        // SAFETY: the message is initialised; zmq_msg_get reads flags only.
        unsafe { zmq_sys::zmq_msg_get(self.as_raw(), zmq_sys::ZMQ_SHARED) == 1 }
    }

    /// The raw `zmq_msg_t`, for calling libzmq directly (reading only: in
    /// particular not as the source of `zmq_msg_copy`, which writes the
    /// source's flags and shares its content; use
    /// [`Message::as_raw_mut`] for that).
    #[inline]
    pub fn as_raw(&self) -> *const zmq_sys::zmq_msg_t {
        self.msg.get()
    }

    /// The raw `zmq_msg_t`, mutable. Anything written through it must leave a
    /// valid, initialised message behind.
    ///
    /// A message over read-only bytes ([`Message::from_static`],
    /// [`Message::from_owner`]) stays marked read-only whatever is done
    /// through this pointer, so a later `DerefMut` copies first: replacing
    /// the content through the raw pointer costs at most one extra copy, and
    /// can never make read-only bytes writable.
    pub fn as_raw_mut(&mut self) -> *mut zmq_sys::zmq_msg_t {
        // Whatever is done through the pointer, the Vec is no longer known
        // to be the content, nor is the message known to be empty.
        self.vec = None;
        self.pristine = false;
        self.private_len.set(NOT_PRIVATE);
        self.msg.get_mut()
    }

    /// The raw message for this crate's send and receive calls, which keep
    /// the content's bookkeeping themselves: [`Message::content_sent`] or
    /// [`Message::content_replaced`] after a success. A failed
    /// `zmq_msg_send` leaves the message untouched. A failed
    /// `zmq_msg_recv` may have emptied it (closed its content and
    /// re-initialised it), so a receive uses this only on a message that
    /// [`Message::is_pristine`] (nothing to lose, and empty either way).
    #[inline]
    pub(crate) fn raw_for_io(&mut self) -> *mut zmq_sys::zmq_msg_t {
        self.msg.get_mut()
    }

    /// Whether the message is exactly what `zmq_msg_init` makes (see the
    /// field): a receive may go straight into it.
    #[inline]
    pub(crate) fn is_pristine(&self) -> bool {
        self.pristine
    }

    /// Releases the current content and takes over `received`, a frame
    /// `zmq_msg_recv` stored in a separate `zmq_msg_t`; then as
    /// [`Message::content_replaced`].
    ///
    /// # Safety
    /// `received` must be an initialised `zmq_msg_t` that nobody else
    /// closes (this message owns it now).
    #[inline]
    pub(crate) unsafe fn replace_content(&mut self, received: zmq_sys::zmq_msg_t) {
        if !self.pristine {
            // SAFETY: the message is initialised and its content is
            // released only here; zmq_msg_close fails only for an invalid
            // message (EFAULT), which cannot happen.
            unsafe { zmq_sys::zmq_msg_close(self.msg.get_mut()) };
        }
        // SAFETY: the old content was released (or there was none: a
        // pristine message owns nothing), so overwriting the struct leaks
        // nothing; `received` is initialised, per the contract.
        unsafe { std::ptr::write(self.msg.get_mut(), received) };
        self.content_replaced();
    }

    /// Records that `zmq_msg_recv` stored a received frame: the new content
    /// is libzmq's own, so it is not read-only. Called only after a success.
    #[inline]
    pub(crate) fn content_replaced(&mut self) {
        self.read_only = false;
        self.vec = None;
        self.pristine = false;
        self.private_len.set(NOT_PRIVATE);
    }

    /// Records that a successful `zmq_msg_send` took the content and left
    /// the message empty (re-initialised by libzmq): it owns nothing now.
    #[inline]
    pub(crate) fn content_sent(&mut self) {
        self.read_only = false;
        self.vec = None;
        self.pristine = true;
        self.private_len.set(NOT_PRIVATE);
    }

    /// The bytes as a `Vec`: without a copy when the message was made from
    /// a `Vec` (or `String`, `Box<[u8]>`) and its content is still that
    /// buffer, not shared with a clone or a socket; a copy otherwise.
    ///
    /// ```
    /// let v = vec![1u8; 1 << 20];
    /// let ptr = v.as_ptr();
    /// let msg = zmq::Message::from(v);
    /// let back = msg.into_vec();
    /// assert_eq!(back.as_ptr(), ptr); // the very same buffer
    /// ```
    pub fn into_vec(mut self) -> Vec<u8> {
        if let Some(boxed) = self.vec.take() {
            if !self.read_only && !self.is_shared() {
                let (data, len) = (self.as_ptr(), self.len());
                // SAFETY: `boxed` is the Vec handed to libzmq as the free
                // hint of this content (from_vec), and `vec` is cleared by
                // everything that can release or replace that content: a
                // successful send or receive (`content_sent`,
                // `content_replaced`) and raw access. A failed send leaves
                // the message untouched, and a failed receive never reaches
                // a message that holds content (it goes through a fresh one:
                // `Socket::recv_raw`), so the content, and with it the box,
                // is alive while this message holds it. The content is not
                // shared (ZMQ_SHARED is clear), so nobody else reads the
                // bytes: taking the Vec out leaves an empty one for the free
                // function to drop, and the message is closed right after
                // without reading its bytes again.
                let vec = unsafe { &mut *boxed.as_ptr() };
                if vec.as_ptr() == data && vec.len() == len {
                    return std::mem::take(vec);
                }
            }
        }
        self.to_vec()
    }

    /// Takes over an initialised `zmq_msg_t`.
    ///
    /// # Safety
    /// `msg` must have been initialised by a `zmq_msg_init*` call and not
    /// closed; it must not be closed by anyone else afterwards. Its content
    /// must be writable by whoever owns the message (not constant data).
    pub unsafe fn from_raw(msg: zmq_sys::zmq_msg_t) -> Message {
        Message {
            msg: UnsafeCell::new(msg),
            read_only: false,
            vec: None,
            pristine: false,
            private_len: Cell::new(NOT_PRIVATE),
        }
    }

    /// Gives up the `zmq_msg_t` without closing it; the caller must close it.
    pub fn into_raw(self) -> zmq_sys::zmq_msg_t {
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped, so the struct is moved out once.
        unsafe { std::ptr::read(this.msg.get()) }
    }

    /// Makes the content private and writable, copying it if it is shared or
    /// read-only; returns its size.
    #[inline]
    fn make_unique(&mut self) -> usize {
        let known = self.private_len.get();
        if known != NOT_PRIVATE {
            return known as usize;
        }
        if self.read_only || self.is_shared() {
            // A fresh copy, private (`copy_from` marks it so).
            *self = Message::copy_from(self);
        } else {
            // Writable and not shared: only a `zmq_msg_copy` of this
            // message can share it again, and that clears the mark.
            self.private_len.set(private_len(self.len()));
        }
        self.len()
    }

    #[cfg(feature = "draft")]
    /// The routing id of a message received on a SERVER or PEER socket (DRAFT).
    #[doc(alias = "zmq_msg_routing_id")]
    pub fn routing_id(&self) -> Option<u32> {
        // SAFETY: the message is initialised; the call only reads.
        let id = unsafe { zmq_sys::zmq_msg_routing_id(self.as_raw() as *mut _) };
        (id != 0).then_some(id)
    }

    #[cfg(feature = "draft")]
    /// Sets the routing id a SERVER socket sends this message to (DRAFT).
    /// Zero is invalid.
    #[doc(alias = "zmq_msg_set_routing_id")]
    pub fn set_routing_id(&mut self, id: u32) -> Result<()> {
        self.pristine = false;
        // SAFETY: the message is initialised and exclusively borrowed.
        check(unsafe { zmq_sys::zmq_msg_set_routing_id(self.msg.get_mut(), id) }).map(drop)
    }

    #[cfg(feature = "draft")]
    /// The group of a message received on a DISH socket (DRAFT).
    #[doc(alias = "zmq_msg_group")]
    pub fn group(&self) -> Option<&str> {
        // SAFETY: the message is initialised; the group is a NUL-terminated
        // string stored in (or owned by) the message.
        let group = unsafe { zmq_sys::zmq_msg_group(self.as_raw() as *mut _) };
        if group.is_null() {
            return None;
        }
        // SAFETY: see above; it lives as long as `&self`.
        let group = unsafe { CStr::from_ptr(group) }.to_str().ok()?;
        (!group.is_empty()).then_some(group)
    }

    #[cfg(feature = "draft")]
    /// Sets the group a RADIO socket publishes this message to (DRAFT); at
    /// most 255 bytes, no NUL byte.
    #[doc(alias = "zmq_msg_set_group")]
    pub fn set_group(&mut self, group: &str) -> Result<()> {
        // libzmq would silently truncate a longer group (strnlen).
        if group.len() > zmq_sys::ZMQ_GROUP_MAX_LENGTH as usize {
            return Err(Error::from(crate::ErrorKind::InvalidArgument));
        }
        let c = CString::new(group).map_err(|_| Error::nul_byte("group name"))?;
        // A long group is allocated by libzmq: the message owns it.
        self.pristine = false;
        // SAFETY: the message is initialised; libzmq copies the string.
        check(unsafe { zmq_sys::zmq_msg_set_group(self.msg.get_mut(), c.as_ptr()) }).map(drop)
    }
}

/// The free function of zero-copy messages: drops the boxed owner. libzmq
/// calls it from whichever thread releases the content (often an I/O
/// thread); a panic must not unwind into C, so it is caught and the process
/// aborts rather than leaking silently into undefined behaviour.
unsafe extern "C" fn drop_box<T>(_data: *mut c_void, hint: *mut c_void) {
    let result = catch_unwind(AssertUnwindSafe(|| {
        // The owner may hold the last handle of a context: marked so that
        // the context does not terminate on libzmq's own thread.
        crate::context::in_free_callback(|| {
            // SAFETY: `hint` came from Box::<T>::into_raw in a constructor of
            // this module, and libzmq calls the free function exactly once.
            drop(unsafe { Box::from_raw(hint as *mut T) });
        })
    }));
    if result.is_err() {
        std::process::abort();
    }
}

impl Drop for Message {
    #[inline]
    fn drop(&mut self) {
        if self.pristine {
            // What zmq_msg_init makes: nothing to release.
            return;
        }
        // SAFETY: the message is initialised and closed only here. zmq_msg_close
        // fails only for an invalid message (EFAULT), which cannot happen.
        unsafe { zmq_sys::zmq_msg_close(self.msg.get_mut()) };
    }
}

impl Default for Message {
    fn default() -> Self {
        Message::new()
    }
}

impl Deref for Message {
    type Target = [u8];

    #[inline]
    fn deref(&self) -> &[u8] {
        // SAFETY: the message is initialised. zmq_msg_data takes *mut but does
        // not write; the bytes stay valid and unchanged while `&self` lives.
        unsafe {
            let len = zmq_sys::zmq_msg_size(self.as_raw());
            if len == 0 {
                return &[];
            }
            let data = zmq_sys::zmq_msg_data(self.as_raw() as *mut _);
            std::slice::from_raw_parts(data as *const u8, len)
        }
    }
}

impl DerefMut for Message {
    /// Copies the content first if it is shared or read-only (see the module docs).
    #[inline]
    fn deref_mut(&mut self) -> &mut [u8] {
        let len = self.make_unique();
        // SAFETY: the content is now owned by this message alone and
        // writable, and `len` is its size (`private_len` is cleared whenever
        // the content may change); `&mut self` guarantees no other borrow.
        unsafe {
            if len == 0 {
                return &mut [];
            }
            let data = zmq_sys::zmq_msg_data(self.msg.get_mut());
            std::slice::from_raw_parts_mut(data as *mut u8, len)
        }
    }
}

impl AsRef<[u8]> for Message {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl Clone for Message {
    /// Shares the content (`zmq_msg_copy`, a reference count); writing to
    /// either copy later copies the bytes first.
    fn clone(&self) -> Message {
        let mut copy = Message::new();
        // SAFETY: both messages are initialised; zmq_msg_copy does not modify
        // the source's content, only its reference count (atomically) and its
        // flags (the `shared` mark), which is why the source lives in an
        // `UnsafeCell`; `Message` is not `Sync`, so no other thread can read
        // or write those flags meanwhile.
        let rc = unsafe { zmq_sys::zmq_msg_copy(copy.msg.get_mut(), self.msg.get()) };
        // The content may be shared now (even if the copy failed, nothing
        // is lost by asking libzmq again).
        self.private_len.set(NOT_PRIVATE);
        if rc != 0 {
            return Message::copy_from(self);
        }
        // The copy holds (a reference to) the content now: it must be closed.
        copy.pristine = false;
        copy.read_only = self.read_only;
        copy
    }
}

impl PartialEq for Message {
    fn eq(&self, other: &Message) -> bool {
        self[..] == other[..]
    }
}

impl Eq for Message {}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match std::str::from_utf8(self) {
            Ok(s) => write!(f, "Message({s:?}")?,
            Err(_) => write!(f, "Message({:02x?}", &self[..])?,
        }
        if self.more() {
            f.write_str(", more")?;
        }
        f.write_str(")")
    }
}

impl From<Vec<u8>> for Message {
    /// Zero-copy: the Vec (with its capacity) is handed to libzmq.
    #[inline]
    fn from(vec: Vec<u8>) -> Message {
        Message::from_vec(vec)
    }
}

impl From<Box<[u8]>> for Message {
    /// Zero-copy.
    #[inline]
    fn from(data: Box<[u8]>) -> Message {
        Message::from_vec(data.into_vec())
    }
}

impl From<String> for Message {
    /// Zero-copy.
    #[inline]
    fn from(s: String) -> Message {
        Message::from_vec(s.into_bytes())
    }
}

impl From<&[u8]> for Message {
    /// Copies the bytes.
    #[inline]
    fn from(data: &[u8]) -> Message {
        Message::copy_from(data)
    }
}

impl From<&Vec<u8>> for Message {
    /// Copies the bytes (the registry `zmq` 0.10 crate converted any `&T`
    /// whose `T` converts; `Message::from(vec)` takes the `Vec` without a copy).
    ///
    /// ```
    /// let payload: Vec<u8> = vec![1, 2, 3];
    /// let msg = zmq::Message::from(&payload);
    /// assert_eq!(msg, payload[..]);
    /// assert_eq!(zmq::Message::from(&Box::<[u8]>::from(&b"ab"[..])), b"ab");
    /// ```
    #[inline]
    fn from(data: &Vec<u8>) -> Message {
        Message::copy_from(data)
    }
}

impl From<&Box<[u8]>> for Message {
    /// Copies the bytes.
    #[inline]
    fn from(data: &Box<[u8]>) -> Message {
        Message::copy_from(data)
    }
}

impl<const N: usize> From<&[u8; N]> for Message {
    /// Copies the bytes.
    #[inline]
    fn from(data: &[u8; N]) -> Message {
        Message::copy_from(data)
    }
}

impl From<&str> for Message {
    /// Copies the string.
    #[inline]
    fn from(s: &str) -> Message {
        Message::copy_from(s.as_bytes())
    }
}

impl From<&String> for Message {
    /// Copies the string.
    #[inline]
    fn from(s: &String) -> Message {
        Message::copy_from(s.as_bytes())
    }
}

impl From<&Message> for Message {
    /// Shares the content, as [`Clone`].
    #[inline]
    fn from(msg: &Message) -> Message {
        msg.clone()
    }
}

#[cfg(feature = "bytes")]
impl From<bytes::Bytes> for Message {
    /// Zero-copy: the `Bytes` handle is kept until libzmq releases the content.
    #[inline]
    fn from(data: bytes::Bytes) -> Message {
        Message::from_owner(data)
    }
}

impl From<Message> for Vec<u8> {
    /// [`Message::into_vec`]: without a copy when the message owns a `Vec`.
    fn from(msg: Message) -> Vec<u8> {
        msg.into_vec()
    }
}

impl std::hash::Hash for Message {
    /// The hash of the bytes, as `[u8]`'s (so a `HashMap<Message, _>` can be
    /// looked up with a `&[u8]`). The bytes never change through `&Message`,
    /// so a message is a sound key; clippy's `mutable_key_type` lint sees the
    /// `UnsafeCell` inside (for `Clone`'s flags) and fires anyway: add
    /// `ignore-interior-mutability = ["zmq::Message"]` to `clippy.toml`.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self[..].hash(state)
    }
}

impl std::borrow::Borrow<[u8]> for Message {
    fn borrow(&self) -> &[u8] {
        self
    }
}

impl PartialEq<[u8]> for Message {
    fn eq(&self, other: &[u8]) -> bool {
        self[..] == *other
    }
}

impl PartialEq<&[u8]> for Message {
    fn eq(&self, other: &&[u8]) -> bool {
        self[..] == **other
    }
}

impl<const N: usize> PartialEq<[u8; N]> for Message {
    fn eq(&self, other: &[u8; N]) -> bool {
        self[..] == other[..]
    }
}

impl<const N: usize> PartialEq<&[u8; N]> for Message {
    fn eq(&self, other: &&[u8; N]) -> bool {
        self[..] == other[..]
    }
}

impl PartialEq<str> for Message {
    fn eq(&self, other: &str) -> bool {
        self[..] == *other.as_bytes()
    }
}

impl PartialEq<&str> for Message {
    fn eq(&self, other: &&str) -> bool {
        self[..] == *other.as_bytes()
    }
}

impl PartialEq<Vec<u8>> for Message {
    fn eq(&self, other: &Vec<u8>) -> bool {
        self[..] == other[..]
    }
}
