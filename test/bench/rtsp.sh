#!/usr/bin/env bash
# Edge RTSP benchmark (docs/BENCHMARKS.md, "RTSP"), on the published binary: SESSIONS concurrent RTSP
# sessions over TCP (interleaved) of a 720p/30 fps camera (a pipe source replaying raw YUYV frames,
# encoded by Edge), the frame rate each session gets, Edge's CPU and RSS, and Edge's own measure of
# the time from capture to the end of each frame's send (state rtsp.latency_ms, sampled every second).
# STREAM=h264 measures the same for /h264 (OpenH264 on Edge's worker pool) at H264_SESSIONS sessions,
# with the encode times and drops of state camera.h264 and the bit rate one session receives over
# BITRATE_SECONDS against the Bitrate setting (issue 20: within ±15 %).
#
# Usage: test/bench/rtsp.sh                  (after ./publish.sh; about 1 minute)
#        STREAM=h264 test/bench/rtsp.sh      (about 4 minutes; STREAM="jpeg h264" runs both)
# Env:   BENCH_RUNS=3  SESSIONS=20  WARMUP_SECONDS=3  MEASURE_SECONDS=10
#        STREAM=jpeg  H264_SESSIONS="1 10"  BITRATE_KBPS=2000  BITRATE_SECONDS=30
# Prints a markdown table per stream on stdout; raw results and logs stay in /tmp/edge-rtsp-bench.*/.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs="${BENCH_RUNS:-3}"
sessions="${SESSIONS:-20}"
warmup="${WARMUP_SECONDS:-3}"
measure="${MEASURE_SECONDS:-10}"
streams="${STREAM:-jpeg}"
h264_sessions="${H264_SESSIONS:-1 10}"
bitrate="${BITRATE_KBPS:-2000}"
bitrate_seconds="${BITRATE_SECONDS:-30}"
published="$root/publish/linux-x64/edge"

log() { printf '[rtsp-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { printf 'rtsp.sh: %s\n' "$*" >&2; exit 1; }
[[ -x "$published" ]] || die "$published not found: run ./publish.sh first."
command -v node >/dev/null || die "node is required (Node.js 20)."
for stream in $streams; do [[ $stream == jpeg || $stream == h264 ]] || die "STREAM must be jpeg, h264 or \"jpeg h264\" (got $stream)"; done
work="$(mktemp -d /tmp/edge-rtsp-bench.XXXXXX)"
raw="$work/results.txt"
# shellcheck source=test/bench/harness.sh
source "$here/harness.sh"
missing=()
for tool in ffmpeg curl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
# For /h264 Edge loads OpenH264 at run time.
[[ " $streams " != *" h264 "* ]] || dpkg -s "$(openh264_package)" >/dev/null 2>&1 || missing+=("$(openh264_package)")
install_missing "${missing[@]}"
scratch=("$work/edge" "$work/frames.yuyv")
edge_pid=""
cp "$published" "$work/edge"

log "frames: 60 x 1280x720 YUYV (ffmpeg testsrc2)"
yuyv_frames "$work/frames.yuyv"
echo "binary sha256 $(sha256sum "$work/edge" | cut -c1-16); $(nproc) cores; sessions $sessions;" \
  "warm-up $warmup s; measured $measure s" >"$raw"
[[ " $streams " != *" h264 "* ]] ||
  echo "h264: sessions $h264_sessions; bit rate $bitrate kbit/s; bit rate measured over $bitrate_seconds s" >>"$raw"

# bench RUN STREAM SESSIONS: one Edge, SESSIONS sessions of STREAM (jpeg: /stream, h264: /h264), one line in runs.jsonl.
bench() {
  local run=$1 stream=$2 count=$3 http rtsp h264="" path=stream bytes_window=$measure
  if [[ $stream == h264 ]]; then
    path=h264 bytes_window=$bitrate_seconds
    # The key-frame period and profile are the defaults, written out so the table says what was measured.
    h264="\"H264\":{\"Encoder\":\"openh264\",\"Bitrate\":$bitrate,\"KeyframeSeconds\":2,\"Profile\":\"baseline\"},"
  fi
  http=$(free_port); rtsp=$(free_port)
  cat >"$work/edge.json" <<JSON
{"Auth":{"Enabled":false},"Rtsp":{"Port":$rtsp,"MaxSessions":$((count + 5))},$h264
 "Camera":{"Source":"pipe","Format":"yuyv","Width":1280,"Height":720,"Fps":30,
  "Command":"$(yuyv_feeder "$work/frames.yuyv")"}}
JSON
  launch_edge "$work/edge" "$work/edge.json" "$work/data" "$http" "$work/edge.stderr"
  log "run $run: $count $stream sessions"
  node "$here/rtsp-sessions.mjs" "$rtsp" "$count" "$warmup" "$measure" "$path" "$bytes_window" >"$work/sessions.json" &
  client=$!
  sleep "$warmup"
  before=$(cpu_ticks "$edge_pid"); start=$(date +%s.%N)
  : >"$work/latency.jsonl"; : >"$work/h264.jsonl"
  # camera.h264's drops count from Edge's start: this first sample is the window's zero.
  [[ $stream != h264 ]] || state "$http" camera.h264 >"$work/h264-start.json"
  for _ in $(seq "$measure"); do
    sleep 1
    state "$http" rtsp.latency_ms >>"$work/latency.jsonl"
    [[ $stream != h264 ]] || state "$http" camera.h264 >>"$work/h264.jsonl"
  done
  after=$(cpu_ticks "$edge_pid"); end=$(date +%s.%N)
  rss=$(awk '/VmRSS/ { print $2 }' "/proc/$edge_pid/status")
  # For H.264 the client goes on to the end of the bit-rate window (if longer than the measured one).
  wait "$client"
  cpu=$(awk -v a="$before" -v b="$after" -v s="$start" -v e="$end" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.1f", (b - a) / hz / (e - s) * 100 }')
  p50=$(field p50Ms <"$work/latency.jsonl" | median); p99=$(field p99Ms <"$work/latency.jsonl" | median)
  line="{\"run\":$run,\"stream\":\"$stream\",$(sed 's/^{//; s/}$//' "$work/sessions.json")"
  line+=",\"cpu\":$cpu,\"rss_kb\":$rss,\"p50_ms\":$p50,\"p99_ms\":$p99"
  if [[ $stream == h264 ]]; then
    # camera.h264 names the encoder and its version ("OpenH264 2.3.1"); null if it could not load it.
    encoder=$(sed -n 's/.*"encoder":"\([^"]*\)".*/\1/p' "$work/h264.jsonl" | tail -n 1)
    [[ $encoder == OpenH264* ]] || die "Edge did not encode with OpenH264: $(tail -n 1 "$work/h264.jsonl")"
    # Drops from the window's start to the client's end: the measured window and the rest of the bit-rate one.
    drops=$(($(state "$http" camera.h264 | field drops) - $(field drops <"$work/h264-start.json")))
    # The encoder's own kbit/s and fps (medians of its per-second figures) tell rate control from transport.
    line+=",\"encode_p50_ms\":$(field p50Ms <"$work/h264.jsonl" | median)"
    line+=",\"encode_p99_ms\":$(field p99Ms <"$work/h264.jsonl" | median),\"drops\":$drops"
    line+=",\"encoder_kbps\":$(field kbps <"$work/h264.jsonl" | median),\"encoder_fps\":$(field fps <"$work/h264.jsonl" | median)"
    line+=",\"bitrate_kbps\":$bitrate,\"encoder\":\"$encoder\""
  fi
  line+="}"
  echo "$line" >>"$raw"
  echo "$line" >>"$work/runs.jsonl"
  kill -TERM "$edge_pid"; wait "$edge_pid" || true; edge_pid=""
}

for run in $(seq "$runs"); do
  for stream in $streams; do
    if [[ $stream == jpeg ]]; then bench "$run" jpeg "$sessions"; continue; fi
    # Session counts alternate within a run, so a slow stretch of the machine does not land on one count only.
    for count in $h264_sessions; do bench "$run" h264 "$count"; done
  done
done

# m STREAM SESSIONS FIELD: the median over the runs.
m() { grep -F "\"stream\":\"$1\"," "$work/runs.jsonl" | grep -F "\"sessions\":$2," | field "$3" | median; }
mib() { awk -v kb="$1" 'BEGIN { printf "%.1f MiB", kb / 1024 }'; }
tables=0
for stream in $streams; do
  ((tables++ == 0)) || echo # a blank line between tables
  if [[ $stream == jpeg ]]; then
    echo "| RTSP sessions (TCP), 720p/30 fps pipe source, Edge encodes | Edge CPU (% of one core) | Edge RSS |" \
      "fps per session, min / median | capture → sent, p50 / p99 | problems |"
    echo "| --- | --- | --- | --- | --- | --- |"
    n=$sessions
    echo "| $n | $(m jpeg "$n" cpu)% | $(mib "$(m jpeg "$n" rss_kb)") | $(m jpeg "$n" fps_min) / $(m jpeg "$n" fps_median) |" \
      "$(m jpeg "$n" p50_ms) / $(m jpeg "$n" p99_ms) ms | $(m jpeg "$n" problems) |"
    continue
  fi
  echo "| RTSP sessions (TCP) of /h264, 720p/30 fps pipe source, OpenH264 baseline, $bitrate kbit/s, key frame every 2 s" \
    "| Edge CPU (% of one core) | Edge RSS | fps per session, min / median | capture → sent, p50 / p99 | encode, p50 / p99" \
    "| drops | received bit rate, one session, $bitrate_seconds s (target ±15 %) | problems |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  for n in $h264_sessions; do
    # The bit rate one session received: its RTP payload bytes ÷ the window (rtsp-sessions.mjs), the median
    # session's, median over the runs. It passes only if every run's is within ±15 % of the setting.
    verdict=$(grep -F '"stream":"h264",' "$work/runs.jsonl" | grep -F "\"sessions\":$n," | field kbps_median |
      awk -v t="$bitrate" '{ all++; ok += $1 >= t * 0.85 && $1 <= t * 1.15 } END { print (all && ok == all ? "**pass**" : "**FAIL**") }')
    received=$(awk -v k="$(m h264 "$n" kbps_median)" -v t="$bitrate" 'BEGIN { printf "%.0f kbit/s (%+.1f %%)", k, (k / t - 1) * 100 }')
    echo "| $n | $(m h264 "$n" cpu)% | $(mib "$(m h264 "$n" rss_kb)") | $(m h264 "$n" fps_min) / $(m h264 "$n" fps_median)" \
      "| $(m h264 "$n" p50_ms) / $(m h264 "$n" p99_ms) ms | $(m h264 "$n" encode_p50_ms) / $(m h264 "$n" encode_p99_ms) ms" \
      "| $(m h264 "$n" drops) | $received $verdict | $(m h264 "$n" problems) |"
  done
done
log "raw results: $raw"
