#!/usr/bin/env bash
# Cost of the runtime inspector (docs/BENCHMARKS.md, "Runtime inspector"). Its counters are always
# on (every loop item timed and counted by kind, every connection's bytes counted), so the cost is
# measured as an A/B against the binary of the commit before it, alternating the two in each round:
#   1. POST /api ping throughput (wrk, 10 connections): several loop items and pipe reads per request;
#   2. 20 MJPEG viewers of the test pattern at 1280x720, 30 fps: Edge's CPU (% of one core);
# and, for the new binary only, what one report costs: GET /debug/runtime latency (wrk, 1 connection)
# with the 20 viewers and 100 more idle keep-alive connections open, and the report's size.
#
# Usage: test/bench/inspector.sh [BASE_REV]   (after ./publish.sh; BASE_REV defaults to 184c485, the
#        commit before the inspector; its binary is published once into /tmp/edge-inspector-base/)
# Env:   BENCH_RUNS=5  WRK_DURATION=5s
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=test/bench/harness.sh
source "$here/harness.sh"
root="$(cd "$here/../.." && pwd)"
base_rev="${1:-184c485}"
runs="${BENCH_RUNS:-5}"
duration="${WRK_DURATION:-5s}"
new="$root/publish/linux-x64/edge"
work="$(mktemp -d /tmp/edge-inspector.XXXXXX)"
log() { printf '[inspector %s] %s\n' "$(date +%T)" "$*" >&2; }

[[ -x "$new" ]] || { echo "inspector.sh: run ./publish.sh first" >&2; exit 1; }
for tool in wrk gcc curl python3; do command -v "$tool" >/dev/null || { echo "inspector.sh: $tool is required" >&2; exit 1; }; done
gcc -O2 -Wall -Wextra -Werror -o "$work/mjpeg-viewers" "$here/mjpeg-viewers.c"

base_dir=/tmp/edge-inspector-base
base="$base_dir/publish/linux-x64/edge"
if [[ ! -x "$base" || "$(cat "$base_dir/.rev" 2>/dev/null)" != "$base_rev" ]]; then
  log "publishing the base binary of $base_rev"
  git -C "$root" worktree remove --force "$base_dir" 2>/dev/null || rm -rf "$base_dir"
  git -C "$root" worktree add --detach "$base_dir" "$base_rev" >/dev/null
  (cd "$base_dir" && ./publish.sh >/dev/null)
  echo "$base_rev" >"$base_dir/.rev"
fi
cp "$new" "$work/edge-new"
cp "$base" "$work/edge-base"

port=18090
pid=
start() { # BINARY: starts it with auth off and waits until it answers
  rm -rf "$work/data" && mkdir "$work/data"
  "$1" --data-dir "$work/data" --urls "http://127.0.0.1:$port" --Auth:Enabled false --Rtsp:Enabled false \
    --Https:Enabled false --Onvif:Enabled false --WebSocket:MaxClients 500 >"$work/edge.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.05; done
  echo "inspector.sh: edge did not start" >&2; cat "$work/edge.log" >&2; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; }
rps() { wrk -t1 -c10 -d"$duration" -s "$here/wrk-post.lua" "http://127.0.0.1:$port/api" | awk '/Requests\/sec/ { print $2 }'; }
viewers_cpu() { "$work/mjpeg-viewers" --port "$port" --viewers 20 --warmup 3 --seconds 10 --pid "edge=$pid" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["edge_cpu"], r["fps_min"])'; }

: >"$work/ab.txt"
for round in $(seq "$runs"); do
  for which in base new; do
    start "$work/edge-$which"
    r=$(rps)
    read -r cpu fps < <(viewers_cpu)
    stop
    echo "$which $r $cpu $fps" >>"$work/ab.txt"
    log "round $round $which: $r req/s, 20 viewers $cpu % CPU (slowest $fps fps)"
  done
done

# One report's cost, beside 20 viewers and 100 idle keep-alive connections.
start "$work/edge-new"
python3 - "$port" <<'PY' &
import socket, sys, time
held = []
for _ in range(100):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    s.recv(1024)
    held.append(s)
time.sleep(40)
PY
holder=$!
"$work/mjpeg-viewers" --port "$port" --viewers 20 --warmup 1 --seconds 30 >/dev/null &
viewers=$!
sleep 3
bytes=$(curl -s "http://127.0.0.1:$port/debug/runtime" | wc -c)
connections=$(curl -s "http://127.0.0.1:$port/debug/runtime" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["connections"]))')
: >"$work/report.txt"
for round in $(seq "$runs"); do
  wrk -t1 -c1 -d"$duration" --latency "http://127.0.0.1:$port/debug/runtime" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; return v * 1000 }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /Requests\/sec/ { print p50, p99, $2 }' >>"$work/report.txt"
done
kill "$viewers" "$holder" 2>/dev/null || true
wait "$viewers" "$holder" 2>/dev/null || true
stop

col() { awk -v w="$1" -v c="$2" '$1 == w { print $c }' "$work/ab.txt" | median; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r)"
echo "base $base_rev sha256 $(sha256sum "$work/edge-base" | cut -c1-16), new $(git -C "$root" rev-parse --short HEAD) sha256 $(sha256sum "$work/edge-new" | cut -c1-16); $runs rounds, medians"
echo
echo "| Measure | Before the inspector | With it | Change |"
echo "| --- | --- | --- | --- |"
b=$(col base 2); n=$(col new 2)
echo "| POST /api ping, 10 connections | $b req/s | $n req/s | $(awk -v b="$b" -v n="$n" 'BEGIN { printf "%+.1f %%", 100 * (n - b) / b }') |"
b=$(col base 3); n=$(col new 3)
echo "| 20 MJPEG viewers 720p30, Edge CPU | $b % | $n % | $(awk -v b="$b" -v n="$n" 'BEGIN { printf "%+.1f points", n - b }') |"
echo
echo "GET /debug/runtime with $connections connections listed ($bytes bytes): p50 $(awk '{ print $1 }' "$work/report.txt" | median) ms, p99 $(awk '{ print $2 }' "$work/report.txt" | median) ms, $(awk '{ print $3 }' "$work/report.txt" | median) reports/s"
echo "raw: $work"
