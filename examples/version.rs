//! Prints the version of the linked libzmq (the guide's `version.c`), and
//! which capabilities it was built with.

fn main() {
    let (major, minor, patch) = zmq::version();
    println!("Current 0MQ version is {major}.{minor}.{patch}");
    let caps: Vec<&str> = ["ipc", "pgm", "tipc", "norm", "curve", "gssapi", "draft"]
        .into_iter()
        .filter(|c| zmq::has(c))
        .collect();
    println!("Capabilities: {}", caps.join(", "));
}
