// ZMQ_SUBSCRIBE and ZMQ_ROUTER_MANDATORY are set-only: no getters exist.
fn main() {
    let ctx = zmq::Context::new();
    let socket = ctx.socket(zmq::SocketType::Router).unwrap();
    let _ = socket.subscribe();
    let _ = socket.router_mandatory();
}
