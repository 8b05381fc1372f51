//! ABI check in the spirit of git2-rs/curl-rust `systest`: the C side is
//! compiled against the very `zmq.h` that zmq-sys links, the Rust side reads the
//! committed bindings, and every constant and struct layout must agree.

// The C side is a static library carried by the zmq_systest rlib.
extern crate zmq_systest;

use std::ffi::{c_char, c_int, CStr};

mod rust_side {
    include!(concat!(env!("OUT_DIR"), "/abi.rs"));
}

extern "C" {
    fn zmqabi_const(i: usize, name: *mut *const c_char, value: *mut i64) -> c_int;
    fn zmqabi_layout(i: usize, name: *mut *const c_char, value: *mut usize) -> c_int;
}

/// Constants added to `zmq.h` after 4.3.2, the oldest system libzmq we accept:
/// they may be absent from an older system header, never from the vendored one.
const NEWER_THAN_4_3_2: &[&str] = &[
    "ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED",
    "ZMQ_WSS_KEY_PEM",
    "ZMQ_WSS_CERT_PEM",
    "ZMQ_WSS_TRUST_PEM",
    "ZMQ_WSS_HOSTNAME",
    "ZMQ_WSS_TRUST_SYSTEM",
    "ZMQ_ONLY_FIRST_SUBSCRIBE",
    "ZMQ_RECONNECT_STOP",
    "ZMQ_RECONNECT_STOP_CONN_REFUSED",
    "ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED",
    "ZMQ_RECONNECT_STOP_AFTER_DISCONNECT",
    "ZMQ_HELLO_MSG",
    "ZMQ_DISCONNECT_MSG",
    "ZMQ_PRIORITY",
    "ZMQ_HICCUP_MSG",
    "ZMQ_BUSY_POLL",
    "ZMQ_TOPICS_COUNT",
    "ZMQ_NORM_MODE",
    "ZMQ_NORM_UNICAST_NACK",
    "ZMQ_NORM_BUFFER_SIZE",
    "ZMQ_NORM_SEGMENT_SIZE",
    "ZMQ_NORM_BLOCK_SIZE",
    "ZMQ_NORM_NUM_PARITY",
    "ZMQ_NORM_NUM_AUTOPARITY",
    "ZMQ_NORM_PUSH",
    "ZMQ_NORM_FIXED",
    "ZMQ_NORM_CC",
    "ZMQ_NORM_CCL",
    "ZMQ_NORM_CCE",
    "ZMQ_NORM_CCE_ECNONLY",
    "ZMQ_IN_BATCH_SIZE",
    "ZMQ_OUT_BATCH_SIZE",
    "ZMQ_SOCKS_USERNAME",
    "ZMQ_SOCKS_PASSWORD",
    "ZMQ_CHANNEL",
    "ZMQ_PEER",
    "ZMQ_EVENT_PIPES_STATS",
    "ZMQ_CURRENT_EVENT_VERSION",
    "ZMQ_CURRENT_EVENT_VERSION_DRAFT",
    "ZMQ_EVENT_ALL_V1",
    "ZMQ_EVENT_ALL_V2",
];

fn linked_version() -> [i64; 3] {
    let (mut major, mut minor, mut patch) = (0, 0, 0);
    // SAFETY: zmq_version writes three ints through valid pointers.
    unsafe { zmq_sys::zmq_version(&mut major, &mut minor, &mut patch) };
    [major.into(), minor.into(), patch.into()]
}

fn vendored() -> bool {
    env!("ZMQ_SYSTEST_VENDORED") == "1"
}

#[test]
fn every_constant_matches_the_header() {
    let mut checked = 0;
    let mut absent = Vec::new();
    for (i, &(rust_name, rust_value)) in rust_side::RUST_CONSTS.iter().enumerate() {
        let mut name = std::ptr::null();
        let mut value = 0i64;
        // SAFETY: zmqabi_const writes only through the two valid out-pointers.
        let present = unsafe { zmqabi_const(i, &mut name, &mut value) };
        assert!(
            present >= 0,
            "C table shorter than the Rust table at {rust_name}"
        );
        // SAFETY: the C side stores a pointer to a static NUL-terminated literal.
        let c_name = unsafe { CStr::from_ptr(name) }.to_str().unwrap();
        assert_eq!(c_name, rust_name, "tables out of step");
        if present == 0 {
            absent.push(rust_name);
            continue;
        }
        let expected = match rust_name {
            // The bindings carry 4.3.5's version; a system header carries its own,
            // which must then be the version of the library actually linked.
            "ZMQ_VERSION_MAJOR" | "ZMQ_VERSION_MINOR" | "ZMQ_VERSION_PATCH" if !vendored() => {
                linked_version()[["MAJOR", "MINOR", "PATCH"]
                    .iter()
                    .position(|p| rust_name.ends_with(p))
                    .unwrap()]
            }
            _ => rust_value,
        };
        assert_eq!(
            value, expected,
            "{rust_name}: zmq.h says {value}, zmq-sys says {expected}"
        );
        checked += 1;
    }
    assert!(checked > 100, "only {checked} constants checked");
    if vendored() {
        assert!(
            absent.is_empty(),
            "constants missing from the vendored zmq.h: {absent:?}"
        );
    } else {
        let unexpected: Vec<_> = absent
            .iter()
            .filter(|n| !NEWER_THAN_4_3_2.contains(n))
            .collect();
        assert!(
            unexpected.is_empty(),
            "constants missing from the system zmq.h: {unexpected:?}"
        );
    }
    println!(
        "{checked} constants agree with {}/zmq.h ({} absent there: {absent:?})",
        env!("ZMQ_SYSTEST_INCLUDE"),
        absent.len()
    );
}

#[test]
fn struct_layouts_match_the_header() {
    for (i, &(label, rust_value)) in rust_side::RUST_LAYOUTS.iter().enumerate() {
        let mut name = std::ptr::null();
        let mut value = 0usize;
        // SAFETY: zmqabi_layout writes only through the two valid out-pointers.
        let present = unsafe { zmqabi_layout(i, &mut name, &mut value) };
        assert_eq!(
            present, 1,
            "C layout table shorter than the Rust one at {label}"
        );
        // SAFETY: a pointer to a static NUL-terminated literal.
        let c_label = unsafe { CStr::from_ptr(name) }.to_str().unwrap();
        assert_eq!(c_label, label);
        assert_eq!(
            value, rust_value,
            "{label}: C says {value}, Rust says {rust_value}"
        );
    }
    // SAFETY: as above; index past the end returns -1 without writing.
    let end =
        unsafe { zmqabi_layout(rust_side::RUST_LAYOUTS.len(), &mut std::ptr::null(), &mut 0) };
    assert_eq!(end, -1, "C layout table longer than the Rust one");
}

#[test]
fn every_function_links() {
    let functions = rust_side::rust_functions();
    assert!(functions.len() > 50);
    for (name, address) in functions {
        assert!(!address.is_null(), "{name} did not link");
    }
}

#[test]
fn linked_library_reports_the_header_version() {
    let [major, minor, patch] = linked_version();
    assert_eq!(
        format!("{major}.{minor}.{patch}"),
        env!("ZMQ_SYSTEST_VERSION")
    );
    if vendored() {
        assert_eq!([major, minor, patch], [4, 3, 5]);
    } else {
        assert!(
            [major, minor, patch] >= [4, 3, 2],
            "system libzmq older than 4.3.2"
        );
    }
}
