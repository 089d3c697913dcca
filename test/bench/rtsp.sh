#!/usr/bin/env bash
# Edge RTSP benchmark (docs/BENCHMARKS.md, "RTSP"), on the published binary: SESSIONS concurrent RTSP
# sessions over TCP (interleaved) of a 720p/30 fps camera (a pipe source replaying raw YUYV frames,
# encoded by Edge), the frame rate each session gets, Edge's CPU and RSS, and Edge's own measure of
# the time from capture to the end of each frame's send (state rtsp.latency_ms, sampled every second).
#
# Usage: test/bench/rtsp.sh      (after ./publish.sh; about 1 minute)
# Env:   BENCH_RUNS=3  SESSIONS=20  WARMUP_SECONDS=3  MEASURE_SECONDS=10
# Prints a markdown table on stdout; raw results and logs stay in /tmp/edge-rtsp-bench.*/.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs="${BENCH_RUNS:-3}"
sessions="${SESSIONS:-20}"
warmup="${WARMUP_SECONDS:-3}"
measure="${MEASURE_SECONDS:-10}"
published="$root/publish/linux-x64/edge"

log() { printf '[rtsp-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { printf 'rtsp.sh: %s\n' "$*" >&2; exit 1; }
[[ -x "$published" ]] || die "$published not found: run ./publish.sh first."
command -v node >/dev/null || die "node is required (Node.js 20)."
missing=()
for tool in ffmpeg curl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  sudo=(); [[ $(id -u) == 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

work="$(mktemp -d /tmp/edge-rtsp-bench.XXXXXX)"
raw="$work/results.txt"
# shellcheck source=test/bench/harness.sh
source "$here/harness.sh"
scratch=("$work/edge" "$work/frames.yuyv")
edge_pid=""
cp "$published" "$work/edge"
field() { sed -n "s/.*\"$1\":\(-\{0,1\}[0-9.]*\).*/\1/p"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
api() { curl -fs -X POST -H 'Content-Type: application/json' -d "$2" "http://127.0.0.1:$1/api"; }

log "frames: 60 x 1280x720 YUYV (ffmpeg testsrc2)"
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=1280x720:rate=30 -frames:v 60 -f rawvideo -pix_fmt yuyv422 "$work/frames.yuyv"
echo "binary sha256 $(sha256sum "$work/edge" | cut -c1-16); $(nproc) cores; sessions $sessions; warm-up $warmup s; measured $measure s" >"$raw"

for run in $(seq "$runs"); do
  http=$(free_port); rtsp=$(free_port)
  cat >"$work/edge.json" <<JSON
{"Auth":{"Enabled":false},"Rtsp":{"Port":$rtsp,"MaxSessions":$((sessions + 5))},
 "Camera":{"Source":"pipe","Format":"yuyv","Width":1280,"Height":720,"Fps":30,
  "Command":"exec ffmpeg -nostdin -v error -re -stream_loop -1 -f rawvideo -pix_fmt yuyv422 -s 1280x720 -framerate 30 -i $work/frames.yuyv -f rawvideo -"}}
JSON
  "$work/edge" --config "$work/edge.json" --data-dir "$work/data" --urls "http://127.0.0.1:$http" >/dev/null 2>"$work/edge.stderr" &
  edge_pid=$!
  pids+=("$edge_pid")
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$http/healthz" >/dev/null && break; sleep 0.05; done
  log "run $run: $sessions sessions"
  node "$here/rtsp-sessions.mjs" "$rtsp" "$sessions" "$warmup" "$measure" >"$work/sessions.json" &
  client=$!
  sleep "$warmup"
  before=$(cpu_ticks "$edge_pid"); start=$(date +%s.%N)
  : >"$work/latency.jsonl"
  for _ in $(seq "$measure"); do
    sleep 1
    api "$http" '{"id":1,"method":"state.get","params":{"keys":["rtsp.latency_ms"]}}' >>"$work/latency.jsonl" && echo >>"$work/latency.jsonl"
  done
  after=$(cpu_ticks "$edge_pid"); end=$(date +%s.%N)
  rss=$(awk '/VmRSS/ { print $2 }' "/proc/$edge_pid/status")
  wait "$client"
  cpu=$(awk -v a="$before" -v b="$after" -v s="$start" -v e="$end" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", (b - a) / hz / (e - s) * 100 }')
  p50=$(field p50Ms <"$work/latency.jsonl" | median); p99=$(field p99Ms <"$work/latency.jsonl" | median)
  line="{\"run\":$run,$(sed 's/^{//; s/}$//' "$work/sessions.json"),\"cpu\":$cpu,\"rss_kb\":$rss,\"p50_ms\":$p50,\"p99_ms\":$p99}"
  echo "$line" >>"$raw"
  echo "$line" >>"$work/runs.jsonl"
  kill -TERM "$edge_pid"; wait "$edge_pid" || true; edge_pid=""
done

m() { field "$1" <"$work/runs.jsonl" | median; }
echo "| RTSP sessions (TCP), 720p/30 fps pipe source, Edge encodes | Edge CPU (% of one core) | Edge RSS | fps per session, min / median | capture → sent, p50 / p99 | problems |"
echo "| --- | --- | --- | --- | --- | --- |"
echo "| $sessions | $(m cpu)% | $(awk -v kb="$(m rss_kb)" 'BEGIN { printf "%.1f MiB", kb / 1024 }') | $(m fps_min) / $(m fps_median) | $(m p50_ms) / $(m p99_ms) ms | $(m problems) |"
log "raw results: $raw"
