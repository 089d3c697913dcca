#!/usr/bin/env bash
# Edge camera benchmarks (docs/BENCHMARKS.md, "Camera"), on the published binary:
#  1. 1280×720 YUYV → JPEG encode rate through Edge's worker pool (`edge bench-encode`, 1 and 2 workers)
#     against TurboJPEG called in a tight loop on the same frames (encode-anchor.c);
#  2. CPU and RSS of Edge serving 1, 10 and 50 MJPEG viewers at 720p/30 fps from a pipe source (ffmpeg
#     replaying raw frames), and the frame rate each viewer gets (mjpeg-viewers.c).
#
# Usage: test/bench/camera.sh            (after ./publish.sh; takes about 3½ minutes)
# Env:   BENCH_RUNS=5 (encode runs)  ENCODE_SECONDS=5  VIEWER_RUNS=3  WARMUP_SECONDS=3  MEASURE_SECONDS=10
#        (BENCH_RUNS=0 or VIEWER_RUNS=0 skips that part)
# Prints markdown tables on stdout; raw results and logs stay in /tmp/edge-camera-bench.*/.
# Everything shares the machine's cores (2 on the project machines).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs="${BENCH_RUNS:-5}"
encode_seconds="${ENCODE_SECONDS:-5}"
viewer_runs="${VIEWER_RUNS:-3}"
warmup="${WARMUP_SECONDS:-3}"
measure="${MEASURE_SECONDS:-10}"
viewer_counts=(1 10 50)
size=1280x720
published="$root/publish/linux-x64/edge"

log() { printf '[camera-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { printf 'camera.sh: %s\n' "$*" >&2; exit 1; }

[[ -x "$published" ]] || die "$published not found: run ./publish.sh first (it builds the native binary)."

# --- tools ---------------------------------------------------------------------------------------
missing=()
for tool in ffmpeg gcc curl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
# The machine's own architecture: with arm64 added for cross-publishing, the bare name is ambiguous.
turbojpeg_dev="libturbojpeg0-dev:$(dpkg --print-architecture)"
dpkg -s "$turbojpeg_dev" >/dev/null 2>&1 || missing+=("$turbojpeg_dev")
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  sudo=(); [[ $(id -u) == 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- work dir, processes, cleanup ----------------------------------------------------------------
work="$(mktemp -d /tmp/edge-camera-bench.XXXXXX)"
raw="$work/results.txt"
# shellcheck source=test/bench/harness.sh
source "$here/harness.sh"
scratch=("$work/edge" "$work/encode-anchor" "$work/mjpeg-viewers" "$work/frames.yuyv")

# The published binary is copied so a concurrent ./publish.sh (which replaces it) cannot pull it away.
cp "$published" "$work/edge"
edge="$work/edge"
# Static libturbojpeg, as Edge links it (Edge.csproj): the same code on both sides of the ratio.
gcc -O2 -Wall -Wextra -Werror -o "$work/encode-anchor" "$here/encode-anchor.c" -Wl,-Bstatic -lturbojpeg -Wl,-Bdynamic
gcc -O2 -Wall -Wextra -Werror -o "$work/mjpeg-viewers" "$here/mjpeg-viewers.c"

sum() { awk '{ s += $1 } END { print s + 0 }'; }
# lines FILE KEY VALUE: the JSON lines of FILE where KEY is VALUE.
lines() { grep -F "\"$2\":$3," "$1" || true; }
fmt() { awk -v v="$1" -v d="${2:-1}" 'BEGIN { printf("%." d "f", v) }'; }

stop() { # PID NAME: SIGTERM, wait up to 10 s, record the exit code
  local pid="$1" name="$2" rc
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then raw "$name: still running 10 s after SIGTERM, killed"; kill -KILL "$pid"; fi
  set +e; wait "$pid"; rc=$?; set -e
  local keep=() p
  for p in "${pids[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
  pids=("${keep[@]}")
  raw "$name: exit code after SIGTERM $rc"
  [[ $rc == 0 ]] || exit_problems+=("$name exited $rc after SIGTERM")
}
exit_problems=()

# --- frames -----------------------------------------------------------------------------------------
# testsrc2 has gradients, text and moving shapes: JPEG sizes like a real scene's, unlike a flat pattern.
frames="$work/frames.yuyv"
ffmpeg -nostdin -v error -f lavfi -i "testsrc2=size=$size:rate=30" -frames:v 16 -f rawvideo -pix_fmt yuyv422 "$frames"

# --- machine ------------------------------------------------------------------------------------
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
versions="edge $("$edge" --version | awk '{print $2}'); libjpeg-turbo $(dpkg-query -W -f '${Version}' "$turbojpeg_dev"); $(ffmpeg -version | head -1 | awk '{print "ffmpeg " $3}'); gcc $(gcc -dumpfullversion)"
{
  echo "# Edge camera benchmark raw results, $(date -u +%FT%TZ)"
  echo "machine: $(nproc) cores, $cpu, kernel $(uname -r), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  echo "versions: $versions"
  echo "binary: $published sha256 $(sha256sum "$edge" | cut -c1-16)"
  echo "settings: runs=$runs encode_seconds=$encode_seconds viewer_runs=$viewer_runs warmup=$warmup measure=$measure"
  echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$raw"
log "raw results: $raw"

# --- 1. encode rate: anchor, Edge with 1 worker, Edge with 2 workers, interleaved ----------------------
# Each result line gets others_cpu: what the rest of the machine used meanwhile (% of one core), since
# on 2 shared cores anything else running takes directly from the 2-worker rate.
encode_run() { # COMMAND...: runs one encoder, appends its JSON line with others_cpu to encode.jsonl
  local busy start others
  times >"$work/times.before"
  busy=$(machine_busy); start=$EPOCHREALTIME
  "$@" >"$work/line" 2>>"$work/encode.stderr" || die "$1 failed: $(tail -3 "$work/encode.stderr")"
  times >"$work/times.after"
  others=$(awk -v b0="$busy" -v b1="$(machine_busy)" -v c0="$(children_cpu "$work/times.before")" -v c1="$(children_cpu "$work/times.after")" \
    -v t0="$start" -v t1="$EPOCHREALTIME" 'BEGIN { o = ((b1 - b0) - (c1 - c0)) / (t1 - t0) * 100; printf "%.1f", o < 0 ? 0 : o }')
  sed "s/}\$/,\"others_cpu\":$others}/" "$work/line" >>"$work/encode.jsonl"
}
if ((runs > 0)); then
  log "encode rate ($runs runs x anchor, edge 1 worker, edge 2 workers, $encode_seconds s each)"
  for i in $(seq "$runs"); do
    encode_run "$work/encode-anchor" "$frames" "$size" "$encode_seconds" 80
    for workers in 1 2; do
      encode_run "$edge" bench-encode --input "$frames" --size "$size" --workers "$workers" --seconds "$encode_seconds" --quality 80
    done
  done
  sed 's/^/encode /' "$work/encode.jsonl" >>"$raw"
fi

# --- 2. MJPEG viewers: a fresh Edge per measurement, camera = ffmpeg replaying the frames at 30 fps ------
edge_config="$work/edge.json"
cat >"$edge_config" <<EOF
{"Camera":{"Source":"pipe","Format":"yuyv","Width":1280,"Height":720,"Fps":30,"Command":"exec ffmpeg -nostdin -v error -re -stream_loop -1 -f rawvideo -pix_fmt yuyv422 -s 1280x720 -framerate 30 -i $frames -f rawvideo -"}, "WebSocket":{}}
EOF
if ((viewer_runs > 0)); then
  log "MJPEG viewers ($viewer_runs runs x ${viewer_counts[*]} viewers, ${warmup} s warm-up + ${measure} s measured)"
  for i in $(seq "$viewer_runs"); do
    for n in "${viewer_counts[@]}"; do
      port=$(free_port)
      EDGE_Auth__Enabled=false "$edge" --urls "http://127.0.0.1:$port" --data-dir "$work/data" --config "$edge_config" \
        >/dev/null 2>>"$work/edge-viewers.stderr" &
      pid=$!; pids+=("$pid")
      # Up when a snapshot comes back: the camera delivers and the encoder runs.
      up=0
      for _ in $(seq 200); do curl -sf -o /dev/null "http://127.0.0.1:$port/snapshot.jpg" && { up=1; break; }; sleep 0.05; done
      ((up)) || die "no snapshot from Edge within 10 s: $(tail -3 "$work/edge-viewers.stderr")"
      feeder=$(pgrep -P "$pid" ffmpeg) || die "no ffmpeg feeder under Edge ($pid): $(tail -3 "$work/edge-viewers.stderr")"
      "$work/mjpeg-viewers" --port "$port" --viewers "$n" --warmup "$warmup" --seconds "$measure" --pid "edge=$pid" --pid "feeder=$feeder" \
        >>"$work/viewers.jsonl" 2>>"$work/viewers.stderr" || die "mjpeg-viewers failed ($n viewers): $(tail -3 "$work/viewers.stderr")"
      stop "$pid" "edge-viewers$n run=$i"
    done
  done
  sed 's/^/viewers /' "$work/viewers.jsonl" >>"$raw"
fi
raw "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- results ---------------------------------------------------------------------------------------
emed() { lines "$work/encode.jsonl" workers "$1" | field "$2" | median; } # WORKERS FIELD: median over the runs
vmed() { lines "$work/viewers.jsonl" viewers "$1" | field "$2" | median; } # VIEWERS FIELD: median over the runs
# Each 2-worker run as "N fps with X%" (other processes' CPU): a busy second core shows up there.
two_worker_runs() {
  lines "$work/encode.jsonl" workers 2 | awk '{
    f = $0; sub(/.*"fps":/, "", f); sub(/,.*/, "", f)
    o = $0; sub(/.*"others_cpu":/, "", o); sub(/}.*/, "", o)
    printf "%s%.0f fps with %.0f%%", (NR > 1 ? ", " : ""), f, o }'
}
encode_cell() { printf '%s fps (%s B per JPEG)' "$(fmt "$(emed "$1" fps)")" "$(fmt "$(emed "$1" bytes_per_frame)" 0)"; }

table="$work/table.md"
{
  echo "Machine: $(nproc) cores ($cpu), kernel $(uname -r); $versions. Everything shares the $(nproc) cores."
  if ((runs > 0)); then
    r1=$(ratio "$(emed 1 fps)" "$(emed 0 fps)")
    r2=$(ratio "$(emed 2 fps)" "$(emed 0 fps)")
    echo
    echo "Encode rate: medians of $runs runs of $encode_seconds s each, interleaved."
    echo
    echo "| Measure | Edge | Anchor, same run | Target | Result |"
    echo "| --- | --- | --- | --- | --- |"
    echo "| 1280×720 YUYV → JPEG (q80, 4:2:0) encode rate, 1 worker | $(encode_cell 1) | TurboJPEG tight loop, 1 thread: $(encode_cell 0) | ≥ 0.95× anchor ($r1× now) | $(passfail "$(awk -v r="$r1" 'BEGIN { print (r >= 0.95) }')") |"
    echo "| same, 2 workers | $(encode_cell 2) | same anchor | ≥ 1.8× anchor ($r2× now) | $(passfail "$(awk -v r="$r2" 'BEGIN { print (r >= 1.8) }')") |"
    echo
    echo "Other processes used $(fmt "$(emed 0 others_cpu)")% / $(fmt "$(emed 1 others_cpu)")% / $(fmt "$(emed 2 others_cpu)")% of one core (median) during the anchor / 1-worker / 2-worker runs; per 2-worker run: $(two_worker_runs)."
  fi
  if ((viewer_runs > 0)); then
    echo
    echo "MJPEG viewers: medians of $viewer_runs runs, ${measure} s measured after ${warmup} s, a fresh Edge for each."
    echo
    echo "| MJPEG viewers, 720p/30 fps pipe source | Edge CPU (% of one core) | Edge RSS at the end | Delivered fps per viewer, min / median | ffmpeg feeder CPU | Viewer tool CPU | Sent to all viewers |"
    echo "| --- | --- | --- | --- | --- | --- | --- |"
    for n in "${viewer_counts[@]}"; do
      echo "| $n | $(fmt "$(vmed "$n" edge_cpu)")% | $(mib "$(vmed "$n" edge_rss_kb)") | $(fmt "$(vmed "$n" fps_min)") / $(fmt "$(vmed "$n" fps_median)") | $(fmt "$(vmed "$n" feeder_cpu)")% | $(fmt "$(vmed "$n" tool_cpu)")% | $(fmt "$(vmed "$n" mbit_per_s)" 0) Mbit/s |"
    done
  fi
} >"$table"

notes=()
if ((viewer_runs > 0)); then
  for n in "${viewer_counts[@]}"; do
    bad=$(lines "$work/viewers.jsonl" viewers "$n" | field bad_parts | sum)
    probs=$(lines "$work/viewers.jsonl" viewers "$n" | field problems | sum)
    ((bad == 0)) || notes+=("$n viewers: $bad parts that were not JPEGs")
    ((probs == 0)) || notes+=("$n viewers: $probs problems reported by mjpeg-viewers (see $work/viewers.stderr)")
  done
fi
((${#exit_problems[@]} == 0)) || notes+=("${exit_problems[@]}")
[[ ! -s "$work/encode.stderr" ]] || notes+=("the encoders wrote to stderr (see $work/encode.stderr)")
# Edge's own warnings and errors (the auth-disabled warning is expected), by message.
while read -r count message; do
  notes+=("Edge logged $count× \`$message\` (see $work/edge-viewers.stderr)")
done < <(grep -sE '^<[0-4]>[^ ]+ (warn|error|crit) ' "$work/edge-viewers.stderr" | grep -v 'Authentication is disabled' \
  | sed -E 's/^<[0-4]>[^ ]+ //' | cut -c1-160 | sort | uniq -c)
finish_table
