#!/usr/bin/env bash
# Edge motion detection benchmark (docs/BENCHMARKS.md, "Motion detection"), on the published binary:
# what analysing a picture costs, per camera kind, at 1280x720/30 fps. Per scenario a fresh Edge with
# "Motion":{"Enabled":true,"Fps":FPS} and nobody watching: Edge's CPU over MEASURE_SECONDS, and Edge's
# own per-picture analysis time (state motion.stats, each second's p50/p99 from its histogram; the
# table gives the medians over the window). Scenarios: the test pattern (planar I420, averaged to
# 160x90) at 5 and 30 analysed pictures a second, and an MJPEG pipe camera (ffmpeg testsrc2, decoded
# to grey at 1/8 by TurboJPEG) at 5. Edge's CPU includes capturing all 30 frames a second (the test
# pattern drawing them, or the MJPEG pipe read and split); motion's own share is fps × the time per picture.
#
# Usage: test/bench/motion.sh             (after ./publish.sh; about 2 minutes a run)
# Env:   BENCH_RUNS=3  WARMUP_SECONDS=5  MEASURE_SECONDS=30  BIN=path/to/edge (default publish/linux-x64/edge)
# Prints a markdown table on stdout; raw results and logs stay in /tmp/edge-motion-bench.*/.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs="${BENCH_RUNS:-3}"
warmup="${WARMUP_SECONDS:-5}"
measure="${MEASURE_SECONDS:-30}"
published="${BIN:-${BENCH_EDGE:-$root/publish/linux-x64/edge}}"

log() { printf '[motion-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { printf 'motion.sh: %s\n' "$*" >&2; exit 1; }
[[ -x "$published" ]] || die "$published not found: run ./publish.sh first."
for tool in ffmpeg curl; do command -v "$tool" >/dev/null || die "$tool is required"; done

work="$(mktemp -d /tmp/edge-motion-bench.XXXXXX)"
raw="$work/results.txt"
table="$work/table.md"
# shellcheck source=test/bench/harness.sh
source "$here/harness.sh"
scratch=("$work/edge")
notes=()
edge_pid=""
cp "$published" "$work/edge"
echo "binary sha256 $(sha256sum "$work/edge" | cut -c1-16); $(nproc) cores; warm-up $warmup s; measured $measure s" >"$raw"

# bench RUN SCENARIO: one Edge, one line in runs.jsonl.
bench() {
  local run=$1 scenario=$2 http camera motion='"Enabled":true,"Fps":5'
  camera='"Source":"testpattern"'
  case $scenario in
    pattern30) motion='"Enabled":true,"Fps":30' ;;
    mjpeg5) camera="\"Source\":\"pipe\",\"Format\":\"mjpeg\",\"Command\":\"exec ffmpeg -nostdin -v error -re -f lavfi -i testsrc2=size=1280x720:rate=30 -f mjpeg -q:v 5 -\"" ;;
  esac
  http=$(free_port)
  cat >"$work/edge.json" <<JSON
{"Auth":{"Enabled":false},"Rtsp":{"Enabled":false},"Motion":{$motion},
 "Camera":{$camera,"Width":1280,"Height":720,"Fps":30}}
JSON
  launch_edge "$work/edge" "$work/edge.json" "$work/data-$run-$scenario" "$http" "$work/edge-$run-$scenario.stderr"
  log "run $run: $scenario"
  sleep "$warmup"
  local before start
  before=$(cpu_ticks "$edge_pid"); start=$(date +%s.%N)
  : >"$work/stats.jsonl"
  for _ in $(seq "$measure"); do
    sleep 1
    state "$http" motion.stats >>"$work/stats.jsonl"
  done
  local after end cpu
  after=$(cpu_ticks "$edge_pid"); end=$(date +%s.%N)
  cpu=$(awk -v a="$before" -v b="$after" -v s="$start" -v e="$end" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", (b - a) / hz / (e - s) * 100 }')
  local line="{\"run\":$run,\"scenario\":\"$scenario\",\"cpu\":$cpu"
  line+=",\"fps\":$(field fps <"$work/stats.jsonl" | median),\"p50_ms\":$(field p50Ms <"$work/stats.jsonl" | median)"
  line+=",\"p99_ms\":$(field p99Ms <"$work/stats.jsonl" | median)}"
  echo "$line" >>"$raw"
  echo "$line" >>"$work/runs.jsonl"
  kill -TERM "$edge_pid"
  wait "$edge_pid" || notes+=("run $run, $scenario: Edge exited $? on SIGTERM")
  edge_pid=""
  if grep -q . "$work/edge-$run-$scenario.stderr" 2>/dev/null && grep -v -i 'authentication is disabled' "$work/edge-$run-$scenario.stderr" | grep -q .; then
    notes+=("run $run, $scenario: Edge wrote to stderr: $(grep -v -i 'authentication is disabled' "$work/edge-$run-$scenario.stderr" | head -n 2 | tr '\n' ' ')")
  fi
}

for run in $(seq "$runs"); do
  for scenario in pattern5 pattern30 mjpeg5; do bench "$run" "$scenario"; done
done

m() { grep -F "\"scenario\":\"$1\"," "$work/runs.jsonl" | field "$2" | median; }
{
  echo "| Scenario, 1280×720 at 30 fps, medians of $runs runs | Edge CPU (% of one core) | pictures analysed per second | analysis per picture, p50 / p99 |"
  echo "| --- | --- | --- | --- |"
  echo "| test pattern (I420 averaged to 160×90), Fps 5 | $(m pattern5 cpu)% | $(m pattern5 fps) | $(m pattern5 p50_ms) / $(m pattern5 p99_ms) ms |"
  echo "| test pattern, Fps 30 | $(m pattern30 cpu)% | $(m pattern30 fps) | $(m pattern30 p50_ms) / $(m pattern30 p99_ms) ms |"
  echo "| MJPEG pipe (testsrc2; grey decode at 1/8), Fps 5 | $(m mjpeg5 cpu)% | $(m mjpeg5 fps) | $(m mjpeg5 p50_ms) / $(m mjpeg5 p99_ms) ms |"
} >"$table"
finish_table
