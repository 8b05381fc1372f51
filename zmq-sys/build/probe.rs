//! Asking the library what it is: from its header (always possible) and, for a
//! system library on a native build, by running a tiny C program linked to it.

use std::path::Path;
use std::process::Command;

/// `ZMQ_VERSION_MAJOR/MINOR/PATCH` of a `zmq.h`.
pub fn header_version(header: &Path) -> Result<(u32, u32, u32), String> {
    let text = std::fs::read_to_string(header).map_err(|e| format!("{}: {e}", header.display()))?;
    let field = |name: &str| -> Result<u32, String> {
        text.lines()
            .filter_map(|l| l.trim().strip_prefix("#define"))
            .filter_map(|l| l.trim().strip_prefix(name))
            .find_map(|rest| rest.trim().parse().ok())
            .ok_or_else(|| format!("{name} not found in {}", header.display()))
    };
    Ok((
        field("ZMQ_VERSION_MAJOR")?,
        field("ZMQ_VERSION_MINOR")?,
        field("ZMQ_VERSION_PATCH")?,
    ))
}

/// What a running libzmq says of itself.
pub struct Runtime {
    pub version: (u32, u32, u32),
    pub curve: bool,
    pub draft: bool,
}

const PROBE_C: &str = r#"
#include <stdio.h>
#include <zmq.h>
int main(void) {
    int major, minor, patch;
    zmq_version(&major, &minor, &patch);
    printf("%d %d %d %d %d\n", major, minor, patch, zmq_has("curve"), zmq_has("draft"));
    return 0;
}
"#;

/// Compiles and runs a program against the library; `None` when cross-compiling
/// or when the program cannot be built or run (the caller falls back to the header).
pub fn runtime(include_dir: &Path, lib_dirs: &[std::path::PathBuf]) -> Option<Runtime> {
    let host = std::env::var("HOST").ok()?;
    let target = std::env::var("TARGET").ok()?;
    if host != target {
        return None;
    }
    let out_dir = std::path::PathBuf::from(std::env::var_os("OUT_DIR")?);
    let src = out_dir.join("zmq_probe.c");
    let exe = out_dir.join("zmq_probe");
    std::fs::write(&src, PROBE_C).ok()?;
    let compiler = cc::Build::new().cargo_metadata(false).get_compiler();
    let mut cmd = compiler.to_command();
    cmd.arg(&src).arg("-o").arg(&exe).arg("-I").arg(include_dir);
    for dir in lib_dirs {
        cmd.arg("-L").arg(dir);
    }
    cmd.arg("-lzmq");
    if !cmd.status().ok()?.success() {
        return None;
    }
    let mut run = Command::new(&exe);
    let joined = std::env::join_paths(lib_dirs).ok()?;
    run.env("LD_LIBRARY_PATH", joined);
    let output = run.output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let n: Vec<u32> = text
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect();
    match n[..] {
        [major, minor, patch, curve, draft] => Some(Runtime {
            version: (major, minor, patch),
            curve: curve != 0,
            draft: draft != 0,
        }),
        _ => None,
    }
}
