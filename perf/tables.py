#!/usr/bin/env python3
"""Regenerates every table of BENCHMARKS.md in place.

    perf/tables.py [--runs N] [--only NAME,...]

Each table sits between `<!-- generated: NAME -->` and `<!-- end: NAME -->`
in BENCHMARKS.md; everything outside the markers is left alone. The tables:

- `instructions`: instructions per message (callgrind) of this crate and of
  C, (Ir(60,000 messages) - Ir(20,000)) / 40,000, so setup cancels out
  (latency rows: per round trip, 6,000 and 2,000 round trips);
- `instructions-zmq010`: the same for the registry `zmq` 0.10 crate;
- `table1`: `compare --runs N` (wall clock, this crate vs C);
- `table2`: `perf/vs-zmq010/run.sh --runs N` (wall clock, zmq 0.10 vs C).

Every workload runs in a process of its own (`target/release/workload`, and
the vs-zmq010 binary for zmq 0.10). It takes about 20 minutes on the 2-core
development machine with the default 9 runs (22 on 2026-12-07).
"""

import argparse
import datetime
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "BENCHMARKS.md")
WORKLOAD = os.path.join(ROOT, "target", "release", "workload")
ZMQ010 = os.path.join(ROOT, "target", "vs-zmq010", "release", "vs-zmq010")

SIZE_NAMES = {1: "1 B", 64: "64 B", 1024: "1 KiB"}

# (label, C side, this crate's side, transport, size)
INSTRUCTION_ROWS = (
    [
        (f"thr {transport} {SIZE_NAMES[size]}", "c", "rust", transport, size)
        for transport, size in [("inproc", 1), ("inproc", 64), ("inproc", 1024), ("tcp", 1), ("tcp", 1024)]
    ]
    + [
        (f"thr inproc C-shaped {SIZE_NAMES[size]} (`{how}`)", "c-shaped", side, "inproc", size)
        for side, how in [
            ("rust-c-shaped", "send_from_writer"),
            ("rust-from-fn", "from_fn` + `send_msg"),
            ("rust-with-size", "with_size` + `DerefMut` + `send_msg"),
        ]
        for size in (1, 64)
    ]
    + [(f"lat {t} 1 B (per round trip)", "c", "rust", t, 1) for t in ("inproc", "tcp")]
)

# The idiomatic throughput rows: (label, transport, size)
ZMQ010_ROWS = [(label, transport, size) for label, _, _, transport, size in INSTRUCTION_ROWS[:5]]


def run(cmd, **kw):
    print("+", " ".join(cmd), file=sys.stderr, flush=True)
    return subprocess.run(cmd, check=True, cwd=ROOT, **kw)


def endpoint(transport):
    return "inproc://tables" if transport == "inproc" else "tcp://127.0.0.1:*"


def instructions(command, kind, transport, size, count):
    """Instructions callgrind counts for one workload of `count`."""
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
        + command
        + [kind, endpoint(transport), str(size), str(count), "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    m = re.search(r"(?:Collected|I\s+refs)\s*:\s*([\d,]+)", out.stderr)
    if not m:
        sys.exit(f"no instruction count from {command}: {out.stderr[-500:]}")
    return int(m.group(1).replace(",", ""))


def per_message(command, label, transport, size):
    kind = label.split()[0]
    big, small = (6000, 2000) if kind == "lat" else (60000, 20000)
    hi = instructions(command, kind, transport, size, big)
    lo = instructions(command, kind, transport, size, small)
    return (hi - lo) / (big - small)


def instruction_table():
    rows = ["| row | C instr | Rust instr | Rust / C |", "|---|---:|---:|---:|"]
    cache = {}
    for label, c, rust, transport, size in INSTRUCTION_ROWS:
        key = (c, label.split()[0], transport, size)
        if key not in cache:
            cache[key] = per_message([WORKLOAD, c], label, transport, size)
        ci = cache[key]
        ri = per_message([WORKLOAD, rust], label, transport, size)
        rows.append(f"| {label} | {ci:.0f} | {ri:.0f} | {ri / ci:.3f} |")
    return "\n".join(rows)


def zmq010_instruction_table():
    rows = ["| row | C instr | zmq 0.10 instr | zmq 0.10 / C |", "|---|---:|---:|---:|"]
    for label, transport, size in ZMQ010_ROWS:
        ci = per_message([WORKLOAD, "c"], label, transport, size)
        zi = per_message([ZMQ010], label, transport, size)
        rows.append(f"| {label} | {ci:.0f} | {zi:.0f} | {zi / ci:.3f} |")
    return "\n".join(rows)


def wall_clock(command, shown):
    started = datetime.datetime.now(datetime.timezone.utc)
    out = run(command, capture_output=True, text=True).stdout
    table = [l for l in out.splitlines() if l.startswith("|")]
    notes = [l for l in out.splitlines() if l.startswith("load average") or l.startswith("C vs")]
    when = started.strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join([f"`{shown}`, {when}. " + "; ".join(notes) + ".", ""] + table)


def replace(doc, name, body):
    pattern = re.compile(
        rf"(<!-- generated: {re.escape(name)} -->\n).*?(\n<!-- end: {re.escape(name)} -->)", re.S
    )
    if not pattern.search(doc):
        sys.exit(f"BENCHMARKS.md has no markers for {name}")
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), doc)


def main():
    p = argparse.ArgumentParser(description="Regenerates the tables of BENCHMARKS.md.")
    p.add_argument("--runs", type=int, default=9)
    p.add_argument("--only", default="instructions,instructions-zmq010,table1,table2")
    args = p.parse_args()
    only = args.only.split(",")
    run(["cargo", "build", "--release", "-p", "zmq-perf", "--bins"])
    if "table2" in only or "instructions-zmq010" in only:
        # Builds the zmq 0.10 side on our libzmq.a (and runs nothing yet).
        run([os.path.join(ROOT, "perf", "vs-zmq010", "run.sh"), "--build-only"])
    tables = {
        "instructions": instruction_table,
        "instructions-zmq010": zmq010_instruction_table,
        "table1": lambda: wall_clock(
            [os.path.join(ROOT, "target", "release", "compare"), "--runs", str(args.runs)],
            f"compare --runs {args.runs}",
        ),
        "table2": lambda: wall_clock(
            [os.path.join(ROOT, "perf", "vs-zmq010", "run.sh"), "--runs", str(args.runs)],
            f"perf/vs-zmq010/run.sh --runs {args.runs}",
        ),
    }
    for name in only:
        body = tables[name]()
        # Read again: the document may have been edited meanwhile.
        doc = replace(open(DOC).read(), name, body)
        # Written after each table, so an interrupted run keeps what it made.
        with open(DOC, "w") as f:
            f.write(doc)
        print(f"{name}: done", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
