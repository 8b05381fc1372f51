// An async socket belongs to one task at a time, as a blocking one belongs to
// one thread: `AsyncSocket` is `Send` but not `Sync`, so sharing it between
// threads behind an `Arc` must not compile (move it, or give each task its
// own socket and connect them over inproc).
use std::sync::Arc;

fn main() {
    let ctx = zmq::Context::new();
    let pull = ctx.socket(zmq::SocketType::Pull).unwrap();
    let shared = Arc::new(zmq::AsyncSocket::new(pull).unwrap());
    let other = Arc::clone(&shared);
    std::thread::spawn(move || drop(other));
}
