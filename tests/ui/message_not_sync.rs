// `Message::clone` updates libzmq's flags of the source through `&self`, so a
// message must not be shared between threads: `Message` is `Send`, not `Sync`.
fn assert_sync<T: Sync>() {}

fn main() {
    assert_sync::<zmq::Message>();
}
