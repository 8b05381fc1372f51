// ZMQ_RCVMORE (`more`) is get-only: the table generates no setter for it.
fn main() {
    let ctx = zmq::Context::new();
    let socket = ctx.socket(zmq::SocketType::Sub).unwrap();
    socket.set_more(true).unwrap();
}
