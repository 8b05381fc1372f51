//! Linking the libzmq of the system: `ZMQ_LIB_DIR`/`ZMQ_INCLUDE_DIR`/`ZMQ_STATIC`
//! when set, pkg-config otherwise. Only 4.3.2 and later are accepted: earlier
//! releases have published CVEs (e.g. CVE-2019-13132, fixed in 4.3.2).

use std::path::PathBuf;

use crate::{env_var, probe, Linked};

const MIN_VERSION: (u32, u32, u32) = (4, 3, 2);
const INSTALL_HINT: &str = "install the libzmq development package \
    (Debian/Ubuntu: `apt-get install libzmq3-dev pkg-config`, Fedora: `dnf install zeromq-devel`, \
    macOS: `brew install zeromq`), or set ZMQ_LIB_DIR and ZMQ_INCLUDE_DIR, \
    or build the vendored copy (unset ZMQ_NO_VENDOR and keep the default `vendored` feature)";

pub fn find(draft_feature: bool) -> Linked {
    let lib_dir = env_var("ZMQ_LIB_DIR").map(PathBuf::from);
    let include_dir = env_var("ZMQ_INCLUDE_DIR").map(PathBuf::from);
    let static_link = env_var("ZMQ_STATIC").is_some_and(|v| v != "0");

    let (lib_dirs, include_dir) = if let Some(lib_dir) = lib_dir {
        let kind = if static_link { "static" } else { "dylib" };
        println!("cargo:rustc-link-search=native={}", lib_dir.display());
        println!("cargo:rustc-link-lib={kind}=zmq");
        if static_link {
            // A static libzmq needs its own dependencies spelled out.
            println!("cargo:rustc-link-lib=dylib=stdc++");
            println!("cargo:rustc-link-lib=dylib=sodium");
        }
        let include_dir = include_dir.unwrap_or_else(|| lib_dir.join("../include"));
        (vec![lib_dir], include_dir)
    } else {
        let library = pkg_config::Config::new()
            .atleast_version(&format!("{}.{}.{}", MIN_VERSION.0, MIN_VERSION.1, MIN_VERSION.2))
            .statik(static_link)
            .probe("libzmq")
            .unwrap_or_else(|e| panic!("zmq-sys: no usable system libzmq (>= 4.3.2) found: {e}\n\nTo fix: {INSTALL_HINT}"));
        let include_dir = include_dir
            .or_else(|| library.include_paths.first().cloned())
            .unwrap_or_else(|| PathBuf::from("/usr/include"));
        (library.link_paths, include_dir)
    };

    let header = include_dir.join("zmq.h");
    let header_version = probe::header_version(&header)
        .unwrap_or_else(|e| panic!("zmq-sys: cannot read zmq.h ({e}).\n\nTo fix: {INSTALL_HINT}"));
    let runtime = probe::runtime(&include_dir, &lib_dirs);
    let version = runtime.as_ref().map_or(header_version, |r| r.version);
    if version < MIN_VERSION {
        panic!(
            "zmq-sys: the system libzmq is {}.{}.{}, older than 4.3.2 (earlier releases have \
             published CVEs).\n\nTo fix: {INSTALL_HINT}",
            version.0, version.1, version.2
        );
    }
    Linked {
        include_dir,
        version,
        vendored: false,
        // The DRAFT API is usable only when the library was built with it.
        draft: draft_feature && runtime.as_ref().is_some_and(|r| r.draft),
        // Without a runtime probe (cross builds) CURVE is reported as unknown = off.
        curve: runtime.as_ref().is_some_and(|r| r.curve),
    }
}
