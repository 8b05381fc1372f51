//! Generates the two sides of the ABI check from the committed bindings:
//! a C file compiled against the very `zmq.h` that zmq-sys links (reported as
//! `DEP_ZMQ_INCLUDE`), and a Rust table of the same names read from zmq-sys.

use std::env;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Struct layouts compared field by field: (C type, Rust type, fields, draft only).
const LAYOUTS: &[(&str, &[&str], bool)] = &[
    ("zmq_msg_t", &[], false),
    (
        "zmq_pollitem_t",
        &["socket", "fd", "events", "revents"],
        false,
    ),
    (
        "zmq_poller_event_t",
        &["socket", "fd", "user_data", "events"],
        true,
    ),
];

fn main() {
    let dep = |name: &str| {
        env::var(format!("DEP_ZMQ_{name}"))
            .unwrap_or_else(|_| panic!("zmq-sys did not report {name}"))
    };
    let include = dep("INCLUDE");
    let variant = dep("BINDINGS");
    let draft = variant == "draft";
    println!("cargo:rustc-env=ZMQ_SYSTEST_INCLUDE={include}");
    println!("cargo:rustc-env=ZMQ_SYSTEST_VENDORED={}", dep("VENDORED"));
    println!("cargo:rustc-env=ZMQ_SYSTEST_VERSION={}", dep("VERSION"));

    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let bindings_path = manifest.join(format!("../src/bindings/{variant}.rs"));
    println!("cargo:rerun-if-changed={}", bindings_path.display());
    let bindings = std::fs::read_to_string(&bindings_path).expect("committed bindings");

    let mut consts = Vec::new();
    let mut functions = Vec::new();
    for line in bindings.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("pub const ") {
            let name = rest.split(':').next().unwrap().trim();
            let ty = rest
                .split(':')
                .nth(1)
                .unwrap()
                .split('=')
                .next()
                .unwrap()
                .trim();
            if ty.starts_with('i') || ty.starts_with('u') {
                consts.push(name.to_owned());
            }
        } else if let Some(rest) = line.strip_prefix("pub fn ") {
            functions.push(rest.split('(').next().unwrap().trim().to_owned());
        }
    }

    let mut c = String::from("#include <stddef.h>\n");
    if draft {
        c.push_str("#define ZMQ_BUILD_DRAFT_API 1\n");
    }
    c.push_str("#include <zmq.h>\n\nint zmqabi_const(size_t i, const char **name, long long *value) {\n    switch (i) {\n");
    for (i, name) in consts.iter().enumerate() {
        writeln!(
            c,
            "#ifdef {name}\n    case {i}: *name = \"{name}\"; *value = (long long)({name}); return 1;\n#else\n    case {i}: *name = \"{name}\"; return 0;\n#endif"
        )
        .unwrap();
    }
    c.push_str("    default: return -1;\n    }\n}\n\n");
    c.push_str(
        "int zmqabi_layout(size_t i, const char **name, size_t *value) {\n    switch (i) {\n",
    );
    let mut rust_layouts = String::from("pub static RUST_LAYOUTS: &[(&str, usize)] = &[\n");
    let mut i = 0;
    let mut push = |c: &mut String, label: String, c_expr: String, rust_expr: String| {
        writeln!(
            c,
            "    case {i}: *name = \"{label}\"; *value = {c_expr}; return 1;"
        )
        .unwrap();
        writeln!(rust_layouts, "    (\"{label}\", {rust_expr}),").unwrap();
        i += 1;
    };
    for (ty, fields, draft_only) in LAYOUTS {
        if *draft_only && !draft {
            continue;
        }
        push(
            &mut c,
            format!("sizeof({ty})"),
            format!("sizeof({ty})"),
            format!("core::mem::size_of::<zmq_sys::{ty}>()"),
        );
        push(
            &mut c,
            format!("alignof({ty})"),
            format!("_Alignof({ty})"),
            format!("core::mem::align_of::<zmq_sys::{ty}>()"),
        );
        for field in *fields {
            push(
                &mut c,
                format!("offsetof({ty}, {field})"),
                format!("offsetof({ty}, {field})"),
                format!("core::mem::offset_of!(zmq_sys::{ty}, {field})"),
            );
        }
    }
    rust_layouts.push_str("];\n");
    c.push_str("    default: return -1;\n    }\n}\n");

    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    std::fs::write(out.join("abi.c"), c).unwrap();
    let mut rust = String::from("pub static RUST_CONSTS: &[(&str, i64)] = &[\n");
    for name in &consts {
        writeln!(rust, "    (\"{name}\", zmq_sys::{name} as i64),").unwrap();
    }
    rust.push_str("];\n\n/// Taking each function's address makes the linker resolve it.\npub fn rust_functions() -> Vec<(&'static str, *const ())> { vec![\n");
    for name in &functions {
        writeln!(rust, "    (\"{name}\", zmq_sys::{name} as *const ()),").unwrap();
    }
    rust.push_str("]}\n\n");
    rust.push_str(&rust_layouts);
    std::fs::write(out.join("abi.rs"), rust).unwrap();

    cc::Build::new()
        .file(out.join("abi.c"))
        .include(&include)
        .std("gnu11")
        .compile("zmqabi");
}
