//! The smallest safe surface proves which libzmq was built and linked.

mod common;

/// The longest the example run here may take (required by `common`).
#[allow(dead_code)]
const DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);

#[test]
fn version_is_the_linked_library() {
    let (major, minor, patch) = zmq::version();
    assert_eq!(
        format!("{major}.{minor}.{patch}"),
        env!("ZMQ_LINKED_VERSION")
    );
    assert!(
        (major, minor, patch) >= (4, 3, 2),
        "libzmq older than 4.3.2 linked"
    );
}

#[cfg(zmq_vendored)]
#[test]
fn vendored_build_is_4_3_5_with_curve_and_ipc() {
    assert_eq!(zmq::version(), (4, 3, 5));
    assert!(zmq::has("curve"), "CURVE must be on in the default build");
    assert!(zmq::has("ipc"));
}

#[cfg(not(zmq_vendored))]
#[test]
fn system_build_reports_the_system_version() {
    // Debian bookworm's libzmq3-dev is 4.3.4; whatever it is, it is what
    // pkg-config found and zmq-sys probed.
    let expected = std::env::var("ZMQ_EXPECT_SYSTEM_VERSION")
        .unwrap_or_else(|_| env!("ZMQ_LINKED_VERSION").to_owned());
    let (major, minor, patch) = zmq::version();
    assert_eq!(format!("{major}.{minor}.{patch}"), expected);
    assert_eq!(zmq::has("curve"), cfg!(zmq_curve));
}

#[cfg(feature = "draft")]
#[test]
fn draft_build_has_draft() {
    assert_eq!(zmq::has("draft"), cfg!(zmq_draft));
    #[cfg(zmq_vendored)]
    assert!(zmq::has("draft"));
}

#[test]
fn has_never_panics_on_odd_names() {
    assert!(!zmq::has("curve\0"));
    assert!(!zmq::has("\0"));
    assert!(!zmq::has(""));
    assert!(!zmq::has("no-such-capability"));
}

#[cfg(target_os = "linux")]
#[test]
fn vendored_library_is_linked_statically() {
    // A dynamically linked libzmq would show up in the process's maps.
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap_or_default();
    let dynamic = maps.contains("libzmq.so");
    assert_eq!(dynamic, !cfg!(zmq_vendored), "libzmq.so mapped: {dynamic}");
}

#[test]
fn version_example_prints_the_linked_version() {
    let out = common::example("version", &[])
        .output()
        .expect("run the version example");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let (major, minor, patch) = zmq::version();
    assert!(
        text.contains(&format!("Current 0MQ version is {major}.{minor}.{patch}")),
        "{text}"
    );
    if cfg!(zmq_curve) {
        assert!(text.contains("curve"), "{text}");
    }
}
