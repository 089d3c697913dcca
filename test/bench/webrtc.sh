#!/usr/bin/env bash
# Edge WebRTC benchmark (docs/BENCHMARKS.md, "WebRTC"), on the published binary: Edge's CPU and RSS with
# 1 and VIEWERS WebRTC viewers (WHEP; aiortc in one process, not decoding) against the same numbers of
# RTSP /h264 sessions (rtsp-sessions.mjs over TCP), of a 720p/30 fps camera (a pipe source replaying raw
# YUYV frames) that Edge encodes with OpenH264 at 2000 kbit/s; the cost of one more viewer is the
# difference between the two counts, divided. Each run takes both kinds and both counts in turn.
#
# Usage: test/bench/webrtc.sh      (after ./publish.sh; about 4 minutes)
# Env:   BENCH_RUNS=3  VIEWERS=5  WARMUP_SECONDS=5  MEASURE_SECONDS=10
# Prints a markdown table on stdout; raw results and logs stay in /tmp/edge-webrtc-bench.*/.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs="${BENCH_RUNS:-3}"
viewers="${VIEWERS:-5}"
warmup="${WARMUP_SECONDS:-5}"
measure="${MEASURE_SECONDS:-10}"
published="$root/publish/linux-x64/edge"

log() { printf '[webrtc-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { printf 'webrtc.sh: %s\n' "$*" >&2; exit 1; }
[[ -x "$published" ]] || die "$published not found: run ./publish.sh first."
command -v node >/dev/null || die "node is required (Node.js 20)."
((viewers > 1)) || die "VIEWERS must be more than 1 (got $viewers)"
work="$(mktemp -d /tmp/edge-webrtc-bench.XXXXXX)"
raw="$work/results.txt"
table="$work/table.md"
notes=()
# shellcheck source=test/bench/harness.sh
source "$here/harness.sh"
missing=()
for tool in ffmpeg curl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
[[ -f /usr/lib/python3/dist-packages/aiortc/__init__.py ]] || missing+=(python3-aiortc)
dpkg -s "$(openh264_package)" >/dev/null 2>&1 || missing+=("$(openh264_package)")
install_missing "${missing[@]}"
scratch=("$work/edge" "$work/frames.yuyv")
edge_pid=""
cp "$published" "$work/edge"

log "frames: 60 x 1280x720 YUYV (ffmpeg testsrc2)"
yuyv_frames "$work/frames.yuyv"
echo "binary sha256 $(sha256sum "$work/edge" | cut -c1-16); $(nproc) cores; viewers 1 and $viewers;" \
  "warm-up $warmup s; measured $measure s" >"$raw"

# bench RUN KIND COUNT: one Edge, COUNT viewers of KIND (webrtc or rtsp), one line in runs.jsonl.
bench() {
  local run=$1 kind=$2 count=$3 http rtsp
  http=$(free_port); rtsp=$(free_port)
  cat >"$work/edge.json" <<JSON
{"Auth":{"Enabled":false},"Rtsp":{"Port":$rtsp},"WebRtc":{"Port":0},
 "H264":{"Encoder":"openh264","Bitrate":2000,"KeyframeSeconds":2,"Profile":"baseline"},
 "Camera":{"Source":"pipe","Format":"yuyv","Width":1280,"Height":720,"Fps":30,
  "Command":"$(yuyv_feeder "$work/frames.yuyv")"}}
JSON
  launch_edge "$work/edge" "$work/edge.json" "$work/data" "$http" "$work/edge.stderr"
  log "run $run: $count $kind viewers"
  if [[ $kind == webrtc ]]; then
    /usr/bin/python3 "$here/whep-viewers.py" "http://127.0.0.1:$http/" "$count" "$warmup" "$measure" >"$work/viewers.json" &
  else
    node "$here/rtsp-sessions.mjs" "$rtsp" "$count" "$warmup" "$measure" h264 >"$work/viewers.json" &
  fi
  client=$!
  sleep "$warmup"
  before=$(cpu_ticks "$edge_pid"); start=$(date +%s.%N)
  sleep "$measure"
  after=$(cpu_ticks "$edge_pid"); end=$(date +%s.%N)
  rss=$(awk '/VmRSS/ { print $2 }' "/proc/$edge_pid/status")
  wait "$client" || notes+=("run $run, $count $kind viewers: the client failed")
  cpu=$(awk -v a="$before" -v b="$after" -v s="$start" -v e="$end" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.1f", (b - a) / hz / (e - s) * 100 }')
  line="{\"run\":$run,\"kind\":\"$kind\",\"count\":$count,\"cpu\":$cpu,\"rss_kb\":$rss,\"client\":$(cat "$work/viewers.json")}"
  echo "$line" >>"$raw"
  echo "$line" >>"$work/runs.jsonl"
  kill -TERM "$edge_pid"; wait "$edge_pid" || true; edge_pid=""
}

for run in $(seq "$runs"); do
  for kind in webrtc rtsp; do
    for count in 1 "$viewers"; do bench "$run" "$kind" "$count"; done
  done
done

# m KIND COUNT FIELD: the median over the runs.
m() { grep -F "\"kind\":\"$1\",\"count\":$2," "$work/runs.jsonl" | field "$3" | median; }
{
  echo "| 720p/30 fps, OpenH264 2000 kbit/s | Edge CPU, 1 viewer | Edge CPU, $viewers viewers | CPU per more viewer" \
    "| Edge RSS, 1 viewer | Edge RSS, $viewers viewers | RSS per more viewer |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  for kind in webrtc rtsp; do
    c1=$(m "$kind" 1 cpu); cn=$(m "$kind" "$viewers" cpu); r1=$(m "$kind" 1 rss_kb); rn=$(m "$kind" "$viewers" rss_kb)
    per_cpu=$(awk -v a="$c1" -v b="$cn" -v n="$viewers" 'BEGIN { printf "%.2f", (b - a) / (n - 1) }')
    per_rss=$(awk -v a="$r1" -v b="$rn" -v n="$viewers" 'BEGIN { printf "%.0f", (b - a) / (n - 1) }')
    name=$([[ $kind == webrtc ]] && echo "WebRTC (WHEP, SRTP over UDP)" || echo "RTSP /h264 (TCP interleaved)")
    echo "| $name | $c1% | $cn% | $per_cpu% | $(mib "$r1") | $(mib "$rn") | $per_rss KiB |"
  done
} >"$table"
finish_table
