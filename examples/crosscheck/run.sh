#!/usr/bin/env bash
# Cross-check of the chapter 4 ports against the guide's C originals:
# Majordomo (C broker with Rust worker and clients, Rust broker with C
# worker and clients), Lazy Pirate (C server with Rust client, Rust
# server with C client), Binary Star (pairs of each, mixed pairs that fail
# over from one language's primary to the other's backup, clients of both)
# and Freelance models one and two (servers of one, clients of the other). The C side is built here from a zguide checkout
# with Debian's libzmq and libczmq plus czmq3_shim.h (the czmq v3 calls the
# guide uses); nothing of the guide is copied into this repository.
#
#   examples/crosscheck/run.sh ZGUIDE_DIR
#
# Needs: cc, pkg-config, libzmq3-dev, libczmq-dev
#   (apt-get update && apt-get install -y libzmq3-dev libczmq-dev pkg-config)
# Environment: PORT (default 5555) replaces the guide's 5555 in the C
# sources, so that a run does not collide with other programs; COUNT
# (default 1000) replaces the 100,000 requests of mdclient/mdclient2. The
# Binary Star servers' ports 5001-5004 become PORT+11 to PORT+14.
# Exit status 0 when every scenario gave the expected output.
set -u

zguide=${1:?usage: run.sh ZGUIDE_DIR}
csrc="$zguide/examples/C"
[ -f "$csrc/mdbroker.c" ] || { echo "no $csrc/mdbroker.c: not a zguide checkout" >&2; exit 2; }
for tool in cc pkg-config timeout; do
    command -v $tool >/dev/null || { echo "missing $tool" >&2; exit 2; }
done
pkg-config --exists libczmq libzmq || {
    echo "missing libczmq/libzmq: apt-get update && apt-get install -y libzmq3-dev libczmq-dev pkg-config" >&2
    exit 2
}
port=${PORT:-5555}
count=${COUNT:-1000}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# ---- the C side ----------------------------------------------------------------
progs="lpclient lpserver mdbroker mdworker mdclient mdclient2 mmiecho
    bstarsrv bstarsrv2 bstarcli flserver1 flclient1 flserver2 flclient2"
for f in zhelpers.h mdp.h mdwrkapi.h mdwrkapi.c mdcliapi.h mdcliapi.c mdcliapi2.h mdcliapi2.c bstar.h bstar.c; do
    cp "$csrc/$f" "$work/"
done
b1=$((port + 11)) b2=$((port + 12)) b3=$((port + 13)) b4=$((port + 14))
for p in $progs; do
    sed -e "s/:5555/:$port/g" -e "s/100000/$count/g" \
        -e "s/:5001/:$b1/g" -e "s/:5002/:$b2/g" -e "s/:5003/:$b3/g" -e "s/:5004/:$b4/g" \
        "$csrc/$p.c" > "$work/$p.c"
done
sed -i -e "s/:5555/:$port/g" "$work"/md*.c
for p in $progs; do
    cc -w -O1 -include "$here/czmq3_shim.h" -I"$work" "$work/$p.c" -o "$work/c-$p" \
        $(pkg-config --cflags --libs libczmq libzmq) || { echo "cannot build C $p" >&2; exit 1; }
done
echo "C side built with libzmq $(pkg-config --modversion libzmq), czmq $(pkg-config --modversion libczmq)"

# ---- the Rust side ---------------------------------------------------------------
(cd "$repo" && cargo build -q $(for p in $progs; do echo --example $p; done)) || exit 1
rust="$repo/target/debug/examples"
connect="tcp://localhost:$port"
bind="tcp://*:$port"

failures=0
check() { # name, file, expected line (grep -x)
    if grep -qx -- "$3" "$2"; then
        echo "PASS $1: $3"
    else
        echo "FAIL $1: no line \"$3\" in:"; sed 's/^/    /' "$2"
        failures=$((failures + 1))
    fi
}
check_re() { # name, file, expected line (grep -xE)
    if grep -qxE -- "$3" "$2"; then
        echo "PASS $1: $(grep -xE -- "$3" "$2" | head -n 1)"
    else
        echo "FAIL $1: no line matching \"$3\" in:"; sed 's/^/    /' "$2"
        failures=$((failures + 1))
    fi
}
wait_line() { # file, line: up to 20 s
    for _ in $(seq 200); do grep -qx -- "$2" "$1" && return 0; sleep 0.1; done
    echo "FAIL no line \"$2\" in $1 within 20 s"; failures=$((failures + 1))
}
wait_check() { # name, file, expected line: within 20 s
    wait_line "$2" "$3" && echo "PASS $1: $3"
}
start() { # log file, command...
    local log=$1; shift
    "$@" > "$log" 2>&1 &
    pids+=($!)
    sleep 0.5
}
stop_all() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    wait 2>/dev/null
    pids=()
}

echo "== Majordomo: C mdbroker, Rust mdworker, mdclient, mdclient2, mmiecho"
start "$work/1-broker" "$work/c-mdbroker"
timeout 30 "$rust/mmiecho" "$connect" > "$work/1-mmi404"
check "C broker, no worker: Rust mmiecho" "$work/1-mmi404" "Lookup echo service: 404"
start "$work/1-worker" "$rust/mdworker" 0 "$connect"
timeout 30 "$rust/mmiecho" "$connect" > "$work/1-mmi200"
check "C broker, Rust worker: Rust mmiecho" "$work/1-mmi200" "Lookup echo service: 200"
timeout 60 "$rust/mdclient" "$count" "$connect" > "$work/1-client"
check "C broker, Rust worker: Rust mdclient" "$work/1-client" "$count requests/replies processed"
timeout 60 "$rust/mdclient2" "$count" "$connect" > "$work/1-client2"
check "C broker, Rust worker: Rust mdclient2" "$work/1-client2" "$count replies received"
stop_all

echo "== Majordomo: Rust mdbroker, C mdworker, mdclient, mdclient2, mmiecho"
start "$work/2-broker" "$rust/mdbroker" 0 "$bind"
timeout 30 "$work/c-mmiecho" > "$work/2-mmi404"
check "Rust broker, no worker: C mmiecho" "$work/2-mmi404" "Lookup echo service: 404"
start "$work/2-worker" "$work/c-mdworker"
timeout 30 "$work/c-mmiecho" > "$work/2-mmi200"
check "Rust broker, C worker: C mmiecho" "$work/2-mmi200" "Lookup echo service: 200"
timeout 60 "$work/c-mdclient" > "$work/2-client"
check "Rust broker, C worker: C mdclient" "$work/2-client" "$count requests/replies processed"
timeout 60 "$work/c-mdclient2" > "$work/2-client2"
check "Rust broker, C worker: C mdclient2" "$work/2-client2" "$count replies received"
# and the mixed pair: Rust worker and C worker behind the Rust broker
start "$work/2-worker-rs" "$rust/mdworker" 0 "$connect"
timeout 60 "$work/c-mdclient" > "$work/2-client-mixed"
check "Rust broker, C + Rust workers: C mdclient" "$work/2-client-mixed" "$count requests/replies processed"
stop_all

echo "== Lazy Pirate: C lpserver (its own random chaos), Rust lpclient"
start "$work/3-server" "$work/c-lpserver"
timeout 60 "$rust/lpclient" 10 "$connect" > "$work/3-client"
check "C lpserver, Rust lpclient: first reply" "$work/3-client" "I: server replied OK (1)"
check "C lpserver, Rust lpclient: third reply" "$work/3-client" "I: server replied OK (3)"
echo "   Rust lpclient said:"; sed 's/^/     /' "$work/3-client"
echo "   C lpserver said:"; sed 's/^/     /' "$work/3-server"
stop_all

echo "== Lazy Pirate: Rust lpserver (no chaos), C lpclient"
start "$work/4-server" "$rust/lpserver" 0 "$bind"
timeout 60 "$work/c-lpclient" > "$work/4-client"
check "Rust lpserver, C lpclient" "$work/4-client" "I: server replied OK (1)"
echo "   C lpclient said:"; sed 's/^/     /' "$work/4-client"
stop_all

echo "== Lazy Pirate: nobody listening, C and Rust lpclient give up alike"
timeout 30 "$work/c-lpclient" > "$work/5-c" 2>&1
timeout 30 "$rust/lpclient" 1 "$connect" > "$work/5-rust" 2>&1
echo "   C:";    sed 's/^/     /' "$work/5-c"
echo "   Rust:"; sed 's/^/     /' "$work/5-rust"
check "Rust lpclient, no server" "$work/5-rust" "E: server seems to be offline, abandoning"

# Binary Star: the servers' state messages are the FSM state as a decimal
# string; a pair of mixed languages must agree on them.
rp=("tcp://*:$b1" "tcp://*:$b3" "tcp://localhost:$b4")   # Rust primary
rb=("tcp://*:$b2" "tcp://*:$b4" "tcp://localhost:$b3")   # Rust backup
cli=("tcp://localhost:$b1" "tcp://localhost:$b2")

echo "== Binary Star: C bstarsrv pair, Rust bstarcli"
start "$work/6-primary" stdbuf -oL "$work/c-bstarsrv" -p
start "$work/6-backup" stdbuf -oL "$work/c-bstarsrv" -b
timeout 30 "$rust/bstarcli" 3 "${cli[@]}" > "$work/6-client"
check "C pair, Rust bstarcli" "$work/6-client" "I: server replied OK (3)"
stop_all

echo "== Binary Star: C primary + Rust backup; the primary dies, the Rust client fails over"
start "$work/7-primary" stdbuf -oL "$work/c-bstarsrv" -p
start "$work/7-backup" "$rust/bstarsrv" -b "${rb[@]}"
wait_line "$work/7-backup" "I: connected to primary (active), ready passive"
"$rust/bstarcli" 6 "${cli[@]}" > "$work/7-client" 2>&1 &
client=$!
wait_line "$work/7-client" "I: server replied OK (2)"
kill -9 "${pids[0]}" && wait "${pids[0]}" 2>/dev/null
timeout 30 tail --pid=$client -f /dev/null
check "mixed pair, Rust bstarcli: failed over" "$work/7-client" "W: no response from server, failing over"
check "mixed pair, Rust bstarcli: served by the Rust backup" "$work/7-client" "I: server replied OK (6)"
check "mixed pair: the Rust backup took over" "$work/7-backup" "I: failover successful, ready active"
stop_all

echo "== Binary Star (reactor): Rust primary + C backup; the primary dies, the C client fails over"
start "$work/8-primary" "$rust/bstarsrv2" -p "${rp[@]}"
start "$work/8-backup" stdbuf -oL "$work/c-bstarsrv2" -b
sleep 1
start "$work/8-client" stdbuf -oL "$work/c-bstarcli"
wait_line "$work/8-client" "I: server replied OK (2)"
kill -9 "${pids[0]}" && wait "${pids[0]}" 2>/dev/null
wait_check "mixed pair, C bstarcli: served by the C backup" "$work/8-client" "I: server replied OK (5)"
check "mixed pair, C bstarcli: failed over" "$work/8-client" "W: no response from server, failing over"
stop_all

echo "== Binary Star: Rust bstarsrv pair, C bstarcli"
start "$work/9-primary" "$rust/bstarsrv" -p "${rp[@]}"
start "$work/9-backup" "$rust/bstarsrv" -b "${rb[@]}"
start "$work/9-client" stdbuf -oL "$work/c-bstarcli"
wait_check "Rust pair, C bstarcli" "$work/9-client" "I: server replied OK (3)"
stop_all

echo "== Freelance model one: C flserver1, Rust flclient1, and back"
start "$work/10-server" "$work/c-flserver1" "tcp://*:$port"
timeout 30 "$rust/flclient1" "$connect" > "$work/10-client"
check "C flserver1, Rust flclient1" "$work/10-client" "Service is running OK"
stop_all
start "$work/11-server" "$rust/flserver1" "tcp://*:$port"
timeout 30 "$work/c-flclient1" "$connect" > "$work/11-client"
check "Rust flserver1, C flclient1" "$work/11-client" "Service is running OK"
stop_all

echo "== Freelance model two: two C flserver2, Rust flclient2, and back"
start "$work/12-server-a" "$work/c-flserver2" "tcp://*:$port"
start "$work/12-server-b" "$work/c-flserver2" "tcp://*:$((port + 1))"
timeout 60 "$rust/flclient2" "$connect" "tcp://localhost:$((port + 1))" > "$work/12-client"
check_re "C flserver2 x2, Rust flclient2" "$work/12-client" "Average round trip cost: [0-9]+ usec"
stop_all
start "$work/13-server-a" "$rust/flserver2" "tcp://*:$port"
start "$work/13-server-b" "$rust/flserver2" "tcp://*:$((port + 1))"
timeout 60 "$work/c-flclient2" "$connect" "tcp://localhost:$((port + 1))" > "$work/13-client"
check_re "Rust flserver2 x2, C flclient2" "$work/13-client" "Average round trip cost: [0-9]+ usec"
stop_all

if [ $failures -eq 0 ]; then echo "crosscheck: all passed"; else echo "crosscheck: $failures failed"; fi
[ $failures -eq 0 ]
