#!/usr/bin/env bash
# Idle memory of a published binary on this machine (docs/BENCHMARKS.md, "Idle memory"): a first start
# makes the data directory (admin password, TLS certificate), then a second start with Edge's defaults
# (the test pattern camera, auth, HTTPS, RTSP, ONVIF) serves no client at all while its RSS, anonymous
# and file-backed parts are read from /proc every 10 s. The arm64 figures come from the VM instead
# (test/vm/run.sh --idle 900 --csv FILE).
#
# Usage: test/bench/idle.sh [SECONDS] [path/to/edge] > idle.csv   (default 900 s, publish/linux-x64/edge)
# Prints "seconds,rss_kb,anon_kb,file_kb" lines, then a summary on stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-900}
edge=$(realpath "${2:-publish/linux-x64/edge}")
[[ -x $edge ]] || { echo "idle.sh: $edge is missing: run ./publish.sh" >&2; exit 2; }
work=$(mktemp -d /tmp/edge-idle.XXXXXX)
pid=
cleanup() {
  [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  echo "idle.sh: logs in $work" >&2
}
trap cleanup EXIT
ports=(--urls http://127.0.0.1:0 --Rtsp:Port 0 --Https:Port 0 --Onvif:DiscoveryPort 0)

"$edge" --data-dir "$work/data" "${ports[@]}" >"$work/first.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q 'listening on' "$work/first.log" && break; sleep 0.1; done
sleep 3 # the certificate is made on the pool after start
kill -TERM "$pid"
wait "$pid" || true

"$edge" --data-dir "$work/data" "${ports[@]}" >"$work/edge.log" 2>&1 &
pid=$!
# smaps_rollup's Rss is exact (VmRSS sums per-thread counters that lag); RssAnon/RssFile split it.
sample() {
  awk '/^Rss:/ { rss = $2 } END { printf "%d", rss }' "/proc/$pid/smaps_rollup"
  awk '/^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 } END { printf ",%d,%d\n", a, f }' "/proc/$pid/status"
}
echo "seconds,rss_kb,anon_kb,file_kb"
start=$(date +%s)
rows=()
for ((t = 0; t <= seconds; t += 10)); do
  sleep "$((start + t - $(date +%s)))" 2>/dev/null || true
  row="$t,$(sample)"
  rows+=("$row")
  echo "$row"
done
printf '%s\n' "${rows[@]}" | awk -F, '
  $1 == 60 { at60 = $2 } $1 >= 60 { if ($2 > max) max = $2; last = $2 }
  END { printf "idle.sh: RSS %d kB at 60 s, at most %d kB after it (+%d kB), %d kB at the end\n", at60, max, max - at60, last > "/dev/stderr" }'
