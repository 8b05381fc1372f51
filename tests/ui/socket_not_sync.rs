// A classic ZeroMQ socket must not be shared between threads: `Socket` is
// `Send` but not `Sync`, so this must not compile.
fn assert_sync<T: Sync>() {}

fn main() {
    assert_sync::<zmq::Socket>();
}
