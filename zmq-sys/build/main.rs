//! Build script of `zmq-sys`: decides where libzmq comes from, links it and
//! reports what was linked to dependents as `DEP_ZMQ_*` metadata.
//!
//! One file per concern, as in openssl-sys:
//! - `vendored.rs`: compile libzmq 4.3.5 from `zeromq-src` with libsodium (CURVE on);
//! - `system.rs`: find the system libzmq (pkg-config, or `ZMQ_LIB_DIR`/`ZMQ_INCLUDE_DIR`);
//! - `probe.rs`: ask the linked library its version and capabilities.

use std::env;
use std::path::PathBuf;

mod probe;
mod system;
#[cfg(feature = "vendored")]
mod vendored;

/// What the build found out about the libzmq it links.
pub struct Linked {
    pub include_dir: PathBuf,
    pub version: (u32, u32, u32),
    pub vendored: bool,
    pub draft: bool,
    pub curve: bool,
}

/// Reads an env var and tells Cargo to rerun the build script when it changes.
pub fn env_var(name: &str) -> Option<String> {
    println!("cargo:rerun-if-env-changed={name}");
    env::var(name).ok().filter(|v| !v.is_empty())
}

fn truthy(value: Option<String>) -> bool {
    matches!(value.as_deref(), Some(v) if v != "0" && !v.eq_ignore_ascii_case("false"))
}

fn main() {
    println!("cargo:rerun-if-changed=build");
    let draft = env::var_os("CARGO_FEATURE_DRAFT").is_some();

    // Cargo features are additive: once any crate in the graph turns on
    // `vendored` (it is a default feature), no downstream crate can turn it off.
    // A distribution packager who must link the system library therefore needs a
    // switch that beats every feature: ZMQ_NO_VENDOR=1 (libgit2-sys does the same
    // with LIBGIT2_NO_VENDOR, for the same reason). The `system` feature also wins
    // over `vendored`, so that `features = ["system"]` works without
    // `default-features = false`.
    let no_vendor = truthy(env_var("ZMQ_NO_VENDOR"));
    let want_system = no_vendor
        || env::var_os("CARGO_FEATURE_SYSTEM").is_some()
        || env::var_os("CARGO_FEATURE_VENDORED").is_none();

    let linked = if want_system {
        system::find(draft)
    } else {
        vendored_build(draft)
    };

    let (major, minor, patch) = linked.version;
    println!("cargo:include={}", linked.include_dir.display());
    println!("cargo:version={major}.{minor}.{patch}");
    println!(
        "cargo:version_number={}",
        major * 10000 + minor * 100 + patch
    );
    println!("cargo:vendored={}", u8::from(linked.vendored));
    println!("cargo:draft={}", u8::from(linked.draft));
    println!("cargo:curve={}", u8::from(linked.curve));
    // Which committed bindings file the crate compiled in (the ABI check needs it).
    // zmq.h's types differ on Windows (zmq_fd_t is a 64-bit SOCKET, no zmq_ppoll).
    let windows = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "windows");
    println!(
        "cargo:bindings={}{}",
        if windows { "windows-" } else { "" },
        if draft { "draft" } else { "stable" }
    );
}

#[cfg(feature = "vendored")]
fn vendored_build(draft: bool) -> Linked {
    vendored::build(draft)
}

#[cfg(not(feature = "vendored"))]
fn vendored_build(_draft: bool) -> Linked {
    unreachable!("without the `vendored` feature the system library is always used")
}
