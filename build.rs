//! Turns what `zmq-sys` reports about the libzmq it linked (`DEP_ZMQ_*`) into
//! `cfg`s of the safe crate, each declared with `rustc-check-cfg`:
//!
//! - `zmq_vendored`: libzmq 4.3.5 was compiled from source by zmq-sys;
//! - `zmq_curve`: the linked library has CURVE (libsodium);
//! - `zmq_draft`: the DRAFT API is compiled in *and* the library provides it;
//! - `zmq_4_3_5`: the linked library is 4.3.5 or later (e.g. ZMQ_RECONNECT_STOP).
//!
//! The version is also given to the crate as `ZMQ_LINKED_VERSION`.

fn main() {
    for cfg in ["zmq_vendored", "zmq_curve", "zmq_draft", "zmq_4_3_5"] {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
    }
    let dep = |name: &str| std::env::var(format!("DEP_ZMQ_{name}")).unwrap_or_default();
    for (key, cfg) in [
        ("VENDORED", "zmq_vendored"),
        ("CURVE", "zmq_curve"),
        ("DRAFT", "zmq_draft"),
    ] {
        if dep(key) == "1" {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
    let number: u32 = dep("VERSION_NUMBER").parse().unwrap_or(0);
    if number >= 40305 {
        println!("cargo::rustc-cfg=zmq_4_3_5");
    }
    println!("cargo::rustc-env=ZMQ_LINKED_VERSION={}", dep("VERSION"));
}
