//! Hands the build metadata zmq-sys reports about the libzmq it linked
//! (`DEP_ZMQ_*`) to the program, for `zmq info`.

fn main() {
    for name in ["VERSION", "VENDORED", "CURVE", "DRAFT"] {
        let value = std::env::var(format!("DEP_ZMQ_{name}")).unwrap_or_default();
        println!("cargo::rustc-env=ZMQ_CLI_BUILD_{name}={value}");
        println!("cargo::rerun-if-env-changed=DEP_ZMQ_{name}");
    }
}
