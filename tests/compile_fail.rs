//! What must not compile, with the compiler's exact messages (trybuild):
//! sharing sockets and messages between threads, options used the wrong way
//! round, an ignored authenticator, and with the `tokio` feature sharing an
//! async socket.
//!
//! Ignored by plain `cargo test`: trybuild checks the cases in a workspace of
//! its own, which builds every dependency again, libzmq's C++ included (minutes
//! on a first `cargo test`). Plain `cargo test` checks the same cases as
//! `compile_fail` doc tests (src/compile_fail.rs), each with a twin that must
//! compile. `.ci/run` runs this test:
//! `cargo test --features tokio --test compile_fail -- --include-ignored`.

#[test]
#[ignore = "builds libzmq a second time (trybuild); src/compile_fail.rs has the same cases as doc tests; CI: cargo test --features tokio --test compile_fail -- --include-ignored"]
fn compile_fail() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    #[cfg(feature = "tokio")]
    t.compile_fail("tests/ui-tokio/*.rs");
}
