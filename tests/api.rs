//! The API a porter reaches for (issue 13): errors with context, flag-less
//! calls, multipart envelopes, per-call timeouts, one name per thing, a
//! monitor that stops. Every test runs against real sockets.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use zmq::{Context, Error, ErrorKind, SocketType};

/// Counts the Rust allocations of the current thread, so a test can prove a
/// call allocates nothing (tests run in parallel: the count is per thread).
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; the thread-local counter is a
// `const`-initialised `Cell`, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_in<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATIONS.with(Cell::get);
    let value = f();
    (value, ALLOCATIONS.with(Cell::get) - before)
}

// ---- 1. errors with context --------------------------------------------------

#[test]
fn errors_name_the_operation_and_endpoint_and_match_by_kind() {
    let ctx = Context::new();
    let a = ctx.socket(SocketType::Pull).unwrap();
    a.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = a.last_endpoint().unwrap();
    let b = ctx.socket(SocketType::Pull).unwrap();

    let err = b.bind(&endpoint).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AddrInUse);
    assert_eq!(err, ErrorKind::AddrInUse);
    assert_eq!(err.errno(), Some(libc_eaddrinuse()));
    assert_eq!(err.operation(), Some("bind"));
    assert_eq!(err.target(), Some(endpoint.as_str()));
    assert_eq!(
        err.to_string(),
        format!("bind {endpoint}: Address already in use")
    );
    // Clone, and comparable by kind (the context is not compared).
    let copy = err.clone();
    assert_eq!(copy, err);
    assert_eq!(copy, Error::from(ErrorKind::AddrInUse));
    assert_ne!(copy, Error::from(ErrorKind::InvalidArgument));
    // io::Error keeps the kind and the message.
    let io: std::io::Error = err.into();
    assert_eq!(io.kind(), std::io::ErrorKind::AddrInUse);
    assert!(io.to_string().starts_with("bind tcp://127.0.0.1:"));

    // The socket is still usable after the failed call.
    b.bind("tcp://127.0.0.1:*").unwrap();

    let err = b.connect("nonsense").unwrap_err();
    assert_eq!(err.to_string(), "connect nonsense: Invalid argument");
    let err = b.connect("tcp://127.0.0.1:99999").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        err.to_string(),
        "connect tcp://127.0.0.1:99999: Invalid argument"
    );
    let err = b.unbind("tcp://127.0.0.1:1").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoSuchEndpoint);
    assert!(err.to_string().starts_with("unbind tcp://127.0.0.1:1: "));
    let err = b.disconnect("inproc://nowhere").unwrap_err();
    assert!(err.to_string().starts_with("disconnect inproc://nowhere: "));

    // Options are named, values never.
    let err = b.set_sndhwm(-5).unwrap_err();
    assert_eq!(err.to_string(), "set ZMQ_SNDHWM: Invalid argument");
    let err = b.set_plain_password("hunter2\0secret").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NulByte);
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("ZMQ_PLAIN_PASSWORD"), "{shown}");
    let err = b.bind("tcp://secret\0host:1").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NulByte);
    assert!(!format!("{err} {err:?}").contains("secret"));

    // Unknown errno is a value too.
    let other = Error::from_errno(123_456);
    assert_eq!(other.kind(), ErrorKind::Other);
    assert_eq!(other.errno(), Some(123_456));
}

fn libc_eaddrinuse() -> i32 {
    Error::from(ErrorKind::AddrInUse).errno().unwrap()
}

#[test]
fn would_block_errors_are_small_and_never_allocate() {
    assert!(std::mem::size_of::<Error>() <= 16);
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).unwrap();
    pull.bind("inproc://api-would-block").unwrap();
    let mut msg = zmq::Message::new();
    // Warm up (thread-locals, lazy statics).
    let _ = pull.recv(&mut msg, zmq::RecvFlags::DONTWAIT);
    let (result, n) = allocations_in(|| pull.recv(&mut msg, zmq::RecvFlags::DONTWAIT));
    assert_eq!(result, Err(ErrorKind::Again.into()));
    assert_eq!(n, 0, "a would-block receive allocated");

    let push = ctx.socket(SocketType::Push).unwrap();
    let mut frame = zmq::Message::new();
    let _ = push.send_msg(&mut frame, zmq::SendFlags::DONTWAIT);
    let (result, n) = allocations_in(|| push.send_msg(&mut frame, zmq::SendFlags::DONTWAIT));
    assert!(result.unwrap_err().is_would_block());
    assert_eq!(n, 0, "a would-block send allocated");
}
