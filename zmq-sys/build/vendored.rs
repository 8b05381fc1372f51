//! The default: libzmq 4.3.5 compiled from the pinned `zeromq-src` crate with
//! `cc` (no cmake, no system libzmq), CURVE on through libsodium built by the
//! pinned `libsodium-sys-stable` crate, with the platform defines of
//! `build/platform.defines`. The recipe is documented in `vendor/`.

use std::path::PathBuf;

use crate::Linked;

pub fn build(draft: bool) -> Linked {
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    // Windows: no libsodium (see Cargo.toml), hence no CURVE, for now.
    let sodium = (target_os != "windows").then(|| {
        let sodium_include = std::env::var_os("DEP_SODIUM_INCLUDE").map(PathBuf::from);
        let sodium_lib = std::env::var_os("DEP_SODIUM_LIB").map(PathBuf::from);
        let (Some(sodium_include), Some(sodium_lib)) = (sodium_include, sodium_lib) else {
            panic!(
                "zmq-sys: libsodium-sys-stable did not report DEP_SODIUM_INCLUDE/DEP_SODIUM_LIB; \
                 CURVE cannot be enabled. Unset SODIUM_USE_PKG_CONFIG/SODIUM_LIB_DIR or install \
                 libsodium-dev."
            )
        };
        zeromq_src::LibLocation::new(sodium_lib, sodium_include)
    });
    let curve = sodium.is_some();

    // libzmq's sources print hundreds of harmless compiler warnings, which Cargo
    // would show to every user of this crate; `cc` reads CXXFLAGS, so silence them.
    let mut flags = crate::env_var("CXXFLAGS").unwrap_or_default();
    // zeromq-src skips libzmq's configure step and compiles against an empty
    // platform.hpp: every platform define libzmq's own build would set comes
    // from build/platform.defines (the target's OS, never the host's).
    for define in platform_defines(&target_os) {
        flags.push_str(" -D");
        flags.push_str(define);
    }
    let mingw = target_os == "windows"
        && std::env::var("CARGO_CFG_TARGET_ENV").is_ok_and(|env| env == "gnu");
    if mingw {
        flags.push_str(MINGW_FLAGS);
    }
    std::env::set_var("CXXFLAGS", format!("{flags} -w"));

    zeromq_src::Build::new()
        .enable_draft(draft)
        .with_libsodium(sodium)
        .build();

    // `zeromq_src` reports where it copied the headers as `cargo:include=`, which
    // only Cargo sees; the same path is derivable from OUT_DIR.
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    if mingw {
        // zeromq-src selects the epoll poller on Windows (libzmq's CMake does
        // too, through the bundled wepoll) but compiles wepoll only for MSVC.
        cc::Build::new()
            .warnings(false)
            .file(out_dir.join("source/external/wepoll/wepoll.c"))
            .compile("zmq_wepoll");
        // ip.cpp's ipc-free socket pair uses the security descriptor calls.
        println!("cargo:rustc-link-lib=advapi32");
        println!("cargo:rustc-link-lib=ws2_32");
    }
    let include_dir = out_dir.join("source").join("include");
    let version = crate::probe::header_version(&include_dir.join("zmq.h"))
        .unwrap_or_else(|e| panic!("zmq-sys: cannot read the vendored zmq.h: {e}"));
    Linked {
        include_dir,
        version,
        vendored: true,
        draft,
        curve,
    }
}

/// zeromq-src's Windows choices that do not build with mingw-w64, replaced
/// by what libzmq's own CMake picks on Windows:
/// - no ipc transport: zeromq-src enables it when `afunix.h` exists, but
///   libzmq's `ipc_address.hpp` includes `<sys/un.h>` unless the compiler is
///   MSVC;
/// - condition variables from the Win32 API (CMake's default from Vista on):
///   Debian's default mingw-w64 (win32 threads) has no `std::condition_variable`.
///
/// CXXFLAGS come after zeromq-src's own defines, so these win.
const MINGW_FLAGS: &str = " -UZMQ_HAVE_IPC -UZMQ_USE_CV_IMPL_STL11 -DZMQ_USE_CV_IMPL_WIN32API=1";

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
