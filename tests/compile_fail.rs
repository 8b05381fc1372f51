//! What must not compile (trybuild): sharing sockets and messages between
//! threads, options used the wrong way round, an ignored authenticator, and
//! with the `tokio` feature sharing an async socket.

#[test]
fn compile_fail() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    #[cfg(feature = "tokio")]
    t.compile_fail("tests/ui-tokio/*.rs");
}
