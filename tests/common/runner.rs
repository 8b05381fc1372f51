//! Running a target binary, natively or through a runner (cross tests).

use std::path::Path;
use std::process::Command;

/// The command that runs the target binary `bin`: the binary itself, or,
/// when `ZMQ_TEST_RUNNER` is set (cross tests: `qemu-aarch64 -L
/// /usr/aarch64-linux-gnu`, `wine`), that runner with `bin` as its first
/// argument, as Cargo's `target.<triple>.runner` runs the test binary.
pub fn runner_command(bin: &Path) -> Command {
    let runner = std::env::var("ZMQ_TEST_RUNNER").unwrap_or_default();
    let mut words = runner.split_whitespace();
    match words.next() {
        Some(program) => {
            let mut cmd = Command::new(program);
            cmd.args(words).arg(bin);
            cmd
        }
        None => Command::new(bin),
    }
}
