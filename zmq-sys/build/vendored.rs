//! The default: libzmq 4.3.5 compiled from the pinned `zeromq-src` crate with
//! `cc` (no cmake, no system libzmq), CURVE on through libsodium built by the
//! pinned `libsodium-sys-stable` crate, with the platform defines of
//! `build/platform.defines`. The recipe is documented in `vendor/`.

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
    // zeromq-src skips libzmq's configure step and compiles against an empty
    // platform.hpp: every platform define libzmq's own build would set comes
    // from build/platform.defines (the target's OS, never the host's).
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    for define in platform_defines(&target_os) {
        flags.push_str(" -D");
        flags.push_str(define);
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

/// The defines of `build/platform.defines` whose OS column names `target_os`
/// (`NAME` or `NAME=VALUE`). The file's format: `os[,os...] NAME[=VALUE] reason`,
/// `#` comments; `.ci/platform-drift` reads the same file.
fn platform_defines(target_os: &str) -> Vec<&'static str> {
    const LIST: &str = include_str!("platform.defines");
    let mut defines = Vec::new();
    for (n, line) in LIST.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cols = line.split_whitespace();
        let (Some(oses), Some(define), Some(_reason)) = (cols.next(), cols.next(), cols.next())
        else {
            panic!(
                "zmq-sys: build/platform.defines:{}: want `os NAME[=VALUE] reason`, got {line:?}",
                n + 1
            )
        };
        if oses.split(',').any(|os| os == target_os) {
            defines.push(define);
        }
    }
    defines
}
