//! The hot paths make no Rust allocation per message, proven with a
//! counting global allocator (per thread, so that tests running in parallel
//! do not count each other's allocations). libzmq's own `malloc`s are not
//! counted: they are the same for C. And a 1 MiB `Vec` sent zero-copy
//! arrives as the very same buffer, where a copying send does not.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use zmq::{Context, Message, Multipart, SendFlags, Socket, SocketType};

struct Counting;

thread_local! {
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
    static BYTES: Cell<usize> = const { Cell::new(0) };
}

fn count(size: usize) {
    // `try_with`: the thread-local may be gone while a thread exits.
    let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
    let _ = BYTES.try_with(|c| c.set(c.get() + size));
}

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counters are const-initialised thread-locals, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Rust allocations (count, bytes) made by `f` on this thread.
fn allocations<T>(f: impl FnOnce() -> T) -> (T, usize, usize) {
    let (a0, b0) = (ALLOCS.with(Cell::get), BYTES.with(Cell::get));
    let out = f();
    let (a1, b1) = (ALLOCS.with(Cell::get), BYTES.with(Cell::get));
    (out, a1 - a0, b1 - b0)
}

/// A PUSH/PULL pair over inproc, connected, in this thread.
fn pair(ctx: &Context, name: &str) -> (Socket, Socket) {
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind(&format!("inproc://alloc-{name}")).unwrap();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.connect(&format!("inproc://alloc-{name}")).unwrap();
    (push, pull)
}

const ROUNDS: usize = 1000;
const SIZES: [usize; 5] = [1, 33, 64, 1024, 65536];

#[test]
fn send_from_a_slice_and_recv_into_a_reused_message_allocate_nothing() {
    let ctx = Context::new();
    let (push, pull) = pair(&ctx, "slice");
    for size in SIZES {
        let payload = vec![3u8; size];
        let mut msg = Message::new();
        // Warm up (libzmq's pipes, the message's first content).
        push.send(&payload[..]).unwrap();
        pull.recv(&mut msg).unwrap();
        let ((), n, _) = allocations(|| {
            for _ in 0..ROUNDS {
                push.send(&payload[..]).unwrap();
                pull.recv(&mut msg).unwrap();
                assert_eq!(msg.len(), size);
            }
        });
        assert_eq!(n, 0, "{size} B: {n} Rust allocations in {ROUNDS} messages");
    }
}

#[test]
fn send_of_a_message_allocates_nothing() {
    let ctx = Context::new();
    let (push, pull) = pair(&ctx, "message");
    for size in SIZES {
        let mut received = Message::new();
        let ((), n, _) = allocations(|| {
            for i in 0..ROUNDS {
                // The C-shaped path, an owned Message, and a copy of &str.
                let mut msg = Message::from_fn(size, |b| b.fill(i as u8)).unwrap();
                push.send_msg(&mut msg).unwrap();
                assert!(msg.is_empty());
                push.send(Message::copy_from(&[1u8; 8][..])).unwrap();
                push.send("str").unwrap();
                // Built where it is sent, and built as a Message.
                push.send_from_writer(size, SendFlags::empty(), |w| {
                    w.put_repeated(i as u8, size);
                })
                .unwrap();
                let mut msg = Message::from_writer(size, |w| {
                    w.put(&[i as u8; 16]);
                })
                .unwrap();
                push.send_msg(&mut msg).unwrap();
                for expected in [size, 8, 3, size, size] {
                    pull.recv(&mut received).unwrap();
                    assert_eq!(received.len(), expected);
                }
            }
        });
        assert_eq!(n, 0, "{size} B: {n} Rust allocations");
    }
}

#[test]
fn small_vecs_are_copied_without_allocating_more() {
    let ctx = Context::new();
    let (push, pull) = pair(&ctx, "small-vec");
    let mut received = Message::new();
    let vecs: Vec<Vec<u8>> = (0..ROUNDS).map(|i| vec![i as u8; 29]).collect();
    let ((), n, _) = allocations(|| {
        for v in vecs {
            // Up to 29 bytes a Vec is copied into the message itself: no
            // Box, no reference count; the Vec is freed right away.
            push.send(v).unwrap();
            pull.recv(&mut received).unwrap();
            assert_eq!(received.len(), 29);
        }
    });
    assert_eq!(n, 0);
}

#[test]
fn multipart_into_a_reused_container_allocates_nothing() {
    let ctx = Context::new();
    let (push, pull) = pair(&ctx, "multipart");
    let mut frames = Multipart::new();
    let parts: [&[u8]; 3] = [b"envelope", b"", &[9u8; 512]];
    push.send_multipart(parts).unwrap();
    pull.recv_multipart_into(&mut frames).unwrap();
    let ((), n, _) = allocations(|| {
        for _ in 0..ROUNDS {
            push.send_multipart(parts).unwrap();
            pull.recv_multipart_into(&mut frames).unwrap();
            assert_eq!(frames.len(), 3);
            // Forward the received frames without copying; the container's
            // capacity stays for the next receive.
            push.send_multipart(frames.as_mut_vec().drain(..)).unwrap();
            pull.recv_multipart_into(&mut frames).unwrap();
            assert_eq!(frames[2].len(), 512);
        }
    });
    assert_eq!(n, 0, "{n} Rust allocations");
}

#[test]
fn one_mebibyte_zero_copy_against_a_copying_send() {
    const MIB: usize = 1 << 20;
    let ctx = Context::new();
    let (push, pull) = pair(&ctx, "mib");
    let mut received = Message::new();

    // Zero-copy: the Vec's own buffer travels (inproc passes the content
    // by reference) and the receiver sees the very same bytes. The only
    // Rust allocation is the box that keeps the Vec for libzmq's free
    // function (a Vec header, not the payload).
    let data = vec![5u8; MIB];
    let ptr = data.as_ptr();
    let ((), n, bytes) = allocations(|| {
        push.send(data).unwrap();
        pull.recv(&mut received).unwrap();
    });
    assert_eq!(received.as_ptr(), ptr, "zero-copy send copied the payload");
    assert_eq!(n, 1);
    assert_eq!(bytes, std::mem::size_of::<Vec<u8>>());

    // Copying send from a slice: no Rust allocation, but libzmq allocates
    // and copies the megabyte, so the receiver sees other memory.
    let data = vec![6u8; MIB];
    let ((), n, _) = allocations(|| {
        push.send(&data[..]).unwrap();
        pull.recv(&mut received).unwrap();
    });
    assert_ne!(received.as_ptr(), data.as_ptr());
    assert_eq!(received.len(), MIB);
    assert_eq!(n, 0);
}
