// Using one socket from two threads at once must not compile.
fn main() {
    let ctx = zmq::Context::new();
    let socket = ctx.socket(zmq::SocketType::Pair).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| socket.bind("inproc://a"));
        s.spawn(|| socket.bind("inproc://b"));
    });
}
