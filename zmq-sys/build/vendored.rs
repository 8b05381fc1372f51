//! The default: libzmq 4.3.5 compiled from the pinned `zeromq-src` crate with
//! `cc` (no cmake, no system libzmq), CURVE on through libsodium built by the
//! pinned `libsodium-sys-stable` crate. The recipe is documented in `vendor/`.

use std::path::PathBuf;

use crate::Linked;

pub fn build(draft: bool) -> Linked {
    let sodium_include = std::env::var_os("DEP_SODIUM_INCLUDE").map(PathBuf::from);
    let sodium_lib = std::env::var_os("DEP_SODIUM_LIB").map(PathBuf::from);
    let (Some(sodium_include), Some(sodium_lib)) = (sodium_include, sodium_lib) else {
        panic!(
            "zmq-sys: libsodium-sys-stable did not report DEP_SODIUM_INCLUDE/DEP_SODIUM_LIB; \
             CURVE cannot be enabled. Unset SODIUM_USE_PKG_CONFIG/SODIUM_LIB_DIR or install \
             libsodium-dev."
        )
    };

    // libzmq's sources print hundreds of harmless compiler warnings, which Cargo
    // would show to every user of this crate; `cc` reads CXXFLAGS, so silence them.
    let mut flags = crate::env_var("CXXFLAGS").unwrap_or_default();
    // zeromq-src does not run libzmq's configure checks: without these
    // defines the I/O threads' epoll descriptors are made without
    // EPOLL_CLOEXEC and leak into every program a process execs, and sockets
    // (socketpairs, accepted connections) get FD_CLOEXEC only by a later
    // fcntl, which a fork on another thread can beat
    // (tests/reliability_limits.rs). Linux has had all three since 2.6.28.
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        flags.push_str(
            " -DZMQ_IOTHREAD_POLLER_USE_EPOLL_CLOEXEC=1 -DZMQ_HAVE_SOCK_CLOEXEC=1 -DHAVE_ACCEPT4=1",
        );
    }
    std::env::set_var("CXXFLAGS", format!("{flags} -w"));

    zeromq_src::Build::new()
        .enable_draft(draft)
        .with_libsodium(Some(zeromq_src::LibLocation::new(
            sodium_lib,
            sodium_include,
        )))
        .build();

    // `zeromq_src` reports where it copied the headers as `cargo:include=`, which
    // only Cargo sees; the same path is derivable from OUT_DIR.
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let include_dir = out_dir.join("source").join("include");
    let version = crate::probe::header_version(&include_dir.join("zmq.h"))
        .unwrap_or_else(|e| panic!("zmq-sys: cannot read the vendored zmq.h: {e}"));
    Linked {
        include_dir,
        version,
        vendored: true,
        draft,
        curve: true,
    }
}
