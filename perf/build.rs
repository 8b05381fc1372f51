//! Compiles the C side of `compare` (csrc/workloads.c) against the very
//! `zmq.h` that zmq-sys linked (`DEP_ZMQ_INCLUDE`); the functions land in
//! the same binary as the Rust workloads and call the same libzmq.

use std::env;

fn main() {
    let include = env::var("DEP_ZMQ_INCLUDE").expect("zmq-sys reports DEP_ZMQ_INCLUDE");
    println!("cargo:rerun-if-changed=csrc/workloads.c");
    println!(
        "cargo:rustc-env=ZMQ_PERF_LIBZMQ={} libzmq {}",
        if env::var("DEP_ZMQ_VENDORED").as_deref() == Ok("1") {
            "vendored"
        } else {
            "system"
        },
        env::var("DEP_ZMQ_VERSION").unwrap_or_default()
    );
    cc::Build::new()
        .file("csrc/workloads.c")
        .include(&include)
        .opt_level(2)
        .std("gnu11")
        .compile("zmqperf_c");
    println!("cargo:rustc-link-lib=pthread");
}
