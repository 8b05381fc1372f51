//! Fails when the committed bindings differ from what bindgen makes of the
//! vendored `zmq.h` today. `UPDATE_BINDINGS=1` rewrites them instead.
//!
//! Run: `cargo test -p zmq-systest --features fresh --test bindings_fresh`
//! (needs libclang: `apt-get install libclang-dev`; the Windows bindings
//! need `gcc-mingw-w64-x86-64` too).
#![cfg(feature = "fresh")]

use std::path::PathBuf;

use zmq_systest::Family;

fn vendored_header() -> PathBuf {
    assert_eq!(
        env!("ZMQ_SYSTEST_VENDORED"),
        "1",
        "the bindings are generated from the vendored libzmq 4.3.5 header; \
         run this test without ZMQ_NO_VENDOR / the `system` feature"
    );
    PathBuf::from(env!("ZMQ_SYSTEST_INCLUDE")).join("zmq.h")
}

fn check(draft: bool, family: Family) {
    let fresh = zmq_systest::generate(&vendored_header(), draft, family).unwrap_or_else(|e| {
        let hint = match family {
            Family::Windows => {
                " (the Windows bindings are generated against the mingw-w64 headers, \
                 which libclang finds through x86_64-w64-mingw32-gcc on PATH: on Debian, \
                 apt-get install gcc-mingw-w64-x86-64)"
            }
            Family::Unix => "",
        };
        panic!("bindgen failed for {family:?}{hint}: {e}")
    });
    let path = zmq_systest::committed_bindings(draft, family);
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &fresh).expect("cannot write bindings");
        return;
    }
    let committed = std::fs::read_to_string(&path).expect("cannot read committed bindings");
    if committed != fresh {
        let first_diff = committed
            .lines()
            .zip(fresh.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .map(|(i, (a, b))| format!("line {}:\n  committed: {a}\n  fresh:     {b}", i + 1))
            .unwrap_or_else(|| "files differ in length".to_owned());
        panic!(
            "{} is stale ({first_diff}).\nRegenerate with: UPDATE_BINDINGS=1 cargo test -p \
             zmq-systest --features fresh --test bindings_fresh",
            path.display()
        );
    }
}

#[test]
fn stable_bindings_are_fresh() {
    for family in Family::ALL {
        check(false, family);
    }
}

#[test]
fn draft_bindings_are_fresh() {
    for family in Family::ALL {
        check(true, family);
    }
}
