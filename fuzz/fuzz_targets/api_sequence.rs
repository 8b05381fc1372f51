//! Random sequences of safe calls on a connected pair of sockets (inproc,
//! ipc, tcp), checked against a model: bytes received equal bytes sent,
//! read-only and shared bytes never change, a failed call leaves every
//! message intact, nothing reads freed memory (cargo fuzz builds with
//! AddressSanitizer). The model is tests/model/api_sequence.rs, which plain
//! `cargo test` also runs over seeded sequences (tests/api_sequence.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/model/api_sequence.rs"]
mod model;

fuzz_target!(|data: &[u8]| {
    model::run(data);
});
