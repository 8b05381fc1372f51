#!/usr/bin/env bash
# The second table of BENCHMARKS.md: the registry `zmq` 0.10 crate against C,
# both on the very libzmq.a (and libsodium.a) that our zmq-sys built.
#
# zmq-sys 0.12 (under `zmq` 0.10) always compiles its own libzmq 4.3.4 from
# zeromq-src 0.2 and has no switch for a prebuilt library; but it declares
# `links = "zmq"`, so Cargo's build-script override
# (`target.<triple>.zmq.rustc-link-*`) replaces its build script with ours.
#
# Usage (from anywhere): perf/vs-zmq010/run.sh [compare options, e.g. --runs 9]
#                        perf/vs-zmq010/run.sh --build-only   (builds, runs nothing)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
cargo build --release -p zmq-perf --bin compare
zmq_a=$(ls -t target/release/build/zmq4-sys-*/out/lib/libzmq.a | head -1)
sodium_a=$(ls -t target/release/build/libsodium-sys-stable-*/out/installed/lib/libsodium.a | head -1)
triple=$(rustc -vV | sed -n 's/^host: //p')
cd "$here"
CARGO_TARGET_DIR="$root/target/vs-zmq010" cargo build --release \
    --config "target.$triple.zmq.rustc-link-search=[\"native=$(dirname "$root/$zmq_a")\", \"native=$(dirname "$root/$sodium_a")\"]" \
    --config "target.$triple.zmq.rustc-link-lib=[\"static=zmq\", \"static=sodium\", \"stdc++\"]"
if [ "${1:-}" = --build-only ]; then exit 0; fi
exec "$root/target/release/compare" --against "$root/target/vs-zmq010/release/vs-zmq010" "$@"
