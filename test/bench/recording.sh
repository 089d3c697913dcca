#!/usr/bin/env bash
# Edge recording benchmark (docs/BENCHMARKS.md, "Recording and live fMP4"), on the published binary:
# the test-pattern camera at 1280x720/30 fps, encoded by OpenH264 (the H264 defaults: 2000 kbit/s, a
# key frame every 2 s), watched by LIVE_VIEWERS MediaSource viewers (WebSocket /live, every message
# read) and RTSP_SESSIONS RTSP sessions of /h264, with Recording Mode "continuous" (60 s segments) and
# with it "off", the same load. Per Edge: its CPU and RSS over MEASURE_SECONDS of steady state, the
# viewers and sessions Edge counts (state camera.live, rtsp.sessions), what each MSE viewer receives.
# With recording on also: the fsyncs (strace -T, attached for FSYNC_SECONDS after the CPU window, so
# its cost is not in the CPU figure), and after SIGTERM each file's size ÷ its video bytes (the sum
# of ffprobe's packet sizes).
#
# SOURCE=testsrc2 feeds a detailed, moving picture instead (60 frames of ffmpeg's testsrc2 looped
# through a YUYV pipe, as rtsp.sh does): the test pattern compresses to about 85 kbit/s, far below
# the bit rate asked for, which makes the file overhead look worse than it is at a real bit rate.
#
# Usage: test/bench/recording.sh             (after ./publish.sh; about 10 minutes)
# Env:   BENCH_RUNS=3  LIVE_VIEWERS=5  RTSP_SESSIONS=5  WARMUP_SECONDS=5  MEASURE_SECONDS=60  SOURCE=testpattern
#        FSYNC_SECONDS=60  DATA_PARENT=/tmp (on a real disk: the fsyncs should reach one)
#        BIN=path/to/edge (or BENCH_EDGE; default publish/linux-x64/edge)
# Prints a markdown table on stdout; raw results and logs stay in /tmp/edge-recording-bench.*/.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs="${BENCH_RUNS:-${RUNS:-3}}"
live_viewers="${LIVE_VIEWERS:-5}"
rtsp_sessions="${RTSP_SESSIONS:-5}"
warmup="${WARMUP_SECONDS:-5}"
measure="${MEASURE_SECONDS:-60}"
fsync_seconds="${FSYNC_SECONDS:-60}"
data_parent="${DATA_PARENT:-/tmp}"
source_kind="${SOURCE:-testpattern}"
published="${BIN:-${BENCH_EDGE:-$root/publish/linux-x64/edge}}"

log() { printf '[recording-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { printf 'recording.sh: %s\n' "$*" >&2; exit 1; }
[[ -x "$published" ]] || die "$published not found: run ./publish.sh first."
command -v node >/dev/null || die "node is required (Node.js 20, for its WebSocket client)."
# A tmpfs makes fsync free: say so rather than measure it.
fstype=$(findmnt -n -o FSTYPE -T "$data_parent")
[[ $fstype != tmpfs && $fstype != ramfs ]] || die "$data_parent is on $fstype: set DATA_PARENT to a directory on a disk."

work="$(mktemp -d /tmp/edge-recording-bench.XXXXXX)"
data_root="$(mktemp -d "$data_parent/edge-recording-data.XXXXXX")"
raw="$work/results.txt"
table="$work/table.md"
# shellcheck source=test/bench/harness.sh
source "$here/harness.sh"
missing=()
for tool in ffprobe:ffmpeg curl:curl strace:strace; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
dpkg -s "$(openh264_package)" >/dev/null 2>&1 || missing+=("$(openh264_package)") # Edge loads it at run time for H.264
install_missing "${missing[@]}"
scratch=("$work/edge")
notes=()
edge_pid=""
cp "$published" "$work/edge"
camera='"Source":"testpattern"'
case $source_kind in
  testpattern) ;;
  testsrc2)
    log "frames: 60 x 1280x720 YUYV (ffmpeg testsrc2)"
    yuyv_frames "$work/frames.yuyv"
    scratch+=("$work/frames.yuyv")
    camera="\"Source\":\"pipe\",\"Format\":\"yuyv\",\"Command\":\"$(yuyv_feeder "$work/frames.yuyv")\""
    ;;
  *) die "SOURCE is testpattern or testsrc2, not $source_kind" ;;
esac

# The MSE viewers: N WebSocket clients of /live, as the UI's MediaSource player reads it (a JSON text
# message with the codec, then the init segment and one fragment per binary message). Each counts the
# bytes and fragments of its binary messages over a window; prints one JSON line at the window's end,
# then stays connected (the load goes on) until STAY_SECONDS after the window's start.
# Usage: node live-viewers.mjs PORT N WARMUP_SECONDS MEASURE_SECONDS STAY_SECONDS
cat >"$work/live-viewers.mjs" <<'JS'
const [port, viewers, warmup, measure, stay] = process.argv.slice(2, 7).map(Number);
const bytes = new Array(viewers).fill(0), fragments = new Array(viewers).fill(0);
let counting = false, problems = 0, headers = 0, codec = '';
const sockets = Array.from({ length: viewers }, (_, i) => {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/live`);
  ws.binaryType = 'arraybuffer';
  ws.onmessage = (event) => {
    if (typeof event.data === 'string') {
      try { codec = JSON.parse(event.data).codec ?? ''; headers++; } catch { problems++; }
      return;
    }
    if (!counting) return;
    bytes[i] += event.data.byteLength;
    fragments[i]++;
  };
  ws.onerror = () => problems++;
  ws.onclose = () => { if (counting) problems++; };
  return ws;
});
const median = (s) => s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
const round = (v) => Math.round(v * 10) / 10;
setTimeout(() => {
  counting = true;
  const start = process.hrtime.bigint();
  setTimeout(() => {
    counting = false;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const kbps = bytes.map((b) => (b * 8) / seconds / 1000).sort((a, b) => a - b);
    const fps = fragments.map((f) => f / seconds).sort((a, b) => a - b);
    const receiving = bytes.filter((b) => b > 0).length;
    console.log(JSON.stringify({ viewers, receiving, headers, codec, problems, seconds: round(seconds),
      kbps_min: round(kbps[0]), kbps_median: round(median(kbps)), fps_min: round(fps[0]), fps_median: round(median(fps)) }));
  }, measure * 1000);
  setTimeout(() => { sockets.forEach((s) => s.close()); process.exit(0); }, stay * 1000);
}, warmup * 1000);
JS

echo "binary sha256 $(sha256sum "$work/edge" | cut -c1-16); $(nproc) cores; source $source_kind; $live_viewers MSE viewers + $rtsp_sessions RTSP" \
  "sessions; warm-up $warmup s; measured $measure s; fsyncs over $fsync_seconds s; data on $fstype" \
  "($(findmnt -n -o SOURCE -T "$data_parent"))" >"$raw"

# bench RUN MODE: one Edge with Recording Mode MODE (continuous or off) under the load, one line in runs.jsonl.
bench() {
  local run=$1 mode=$2 http rtsp data="$data_root/$1-$2" stay=$((measure + 2)) viewers sessions
  # After the warm-up the clients stay 2 s past the window (their CPU is read at its end), with recording on
  # also for the fsync window.
  [[ $mode == off ]] || stay=$((measure + fsync_seconds + 2))
  http=$(free_port); rtsp=$(free_port)
  # The H.264 settings are the defaults, written out so the table says what was measured.
  cat >"$work/edge.json" <<JSON
{"Auth":{"Enabled":false},"Rtsp":{"Port":$rtsp},
 "H264":{"Encoder":"openh264","Bitrate":2000,"KeyframeSeconds":2,"Profile":"baseline"},
 "Recording":{"Mode":"$mode","SegmentSeconds":60},
 "Camera":{$camera,"Width":1280,"Height":720,"Fps":30}}
JSON
  launch_edge "$work/edge" "$work/edge.json" "$data" "$http" "$work/edge-$run-$mode.stderr"
  log "run $run: recording $mode, $live_viewers MSE viewers + $rtsp_sessions RTSP sessions"
  node --experimental-websocket --no-warnings "$work/live-viewers.mjs" "$http" "$live_viewers" "$warmup" "$measure" "$stay" \
    >"$work/viewers.json" 2>"$work/viewers-$run-$mode.stderr" &
  viewers=$!
  # Its bit-rate window runs to the end of the fsync window, so the sessions stay for it too.
  node "$here/rtsp-sessions.mjs" "$rtsp" "$rtsp_sessions" "$warmup" "$measure" h264 "$stay" >"$work/sessions.json" &
  sessions=$!
  sleep "$warmup"
  local before start busy_before load_before
  before=$(cpu_ticks "$edge_pid"); start=$(date +%s.%N); busy_before=$(machine_busy)
  load_before=$(($(cpu_ticks "$viewers") + $(cpu_ticks "$sessions")))
  : >"$work/live.jsonl"; : >"$work/rtsp.jsonl"; : >"$work/h264.jsonl"
  for _ in $(seq "$measure"); do
    sleep 1
    state "$http" camera.live >>"$work/live.jsonl"
    state "$http" rtsp.sessions >>"$work/rtsp.jsonl"
    state "$http" camera.h264 >>"$work/h264.jsonl"
  done
  local after end busy_after load_after rss cpu load others
  after=$(cpu_ticks "$edge_pid"); end=$(date +%s.%N); busy_after=$(machine_busy)
  load_after=$(($(cpu_ticks "$viewers") + $(cpu_ticks "$sessions")))
  rss=$(awk '/VmRSS/ { print $2 }' "/proc/$edge_pid/status")
  read -r cpu load others < <(awk -v a="$before" -v b="$after" -v la="$load_before" -v lb="$load_after" \
    -v ma="$busy_before" -v mb="$busy_after" -v s="$start" -v e="$end" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { w = e - s; edge = (b - a) / hz; tools = (lb - la) / hz
             printf "%.1f %.1f %.1f\n", edge / w * 100, tools / w * 100, (mb - ma - edge - tools) / w * 100 }')
  local line="{\"run\":$run,\"mode\":\"$mode\",\"cpu\":$cpu,\"rss_kb\":$rss,\"load_tools_cpu\":$load,\"others_cpu\":$others"
  # What Edge counted, the fewest over the window's samples (every second).
  line+=",\"edge_live_viewers\":$(field viewers <"$work/live.jsonl" | sort -g | head -n 1)"
  line+=",\"live_skips\":$(field skips <"$work/live.jsonl" | tail -n 1)"
  line+=",\"edge_rtsp_sessions\":$(sed -n 's/.*"rtsp.sessions":\([0-9]*\).*/\1/p' "$work/rtsp.jsonl" | sort -g | head -n 1)"
  line+=",\"encoder_kbps\":$(field kbps <"$work/h264.jsonl" | median),\"encoder_fps\":$(field fps <"$work/h264.jsonl" | median)"
  if [[ $mode != off ]]; then
    # fsync and fdatasync of every thread (-f), each with its time in the call (-T), for FSYNC_SECONDS.
    log "run $run: strace for $fsync_seconds s"
    timeout -s INT "$fsync_seconds" strace -f -T -e trace=fsync,fdatasync -o "$work/strace-$run.txt" -p "$edge_pid" 2>/dev/null || true
    # A call another thread's output split shows its time on the "resumed" line: count lines with a time.
    local fsync per_minute mean_ms max_ms
    fsync=$({ grep -E 'f(data)?sync' "$work/strace-$run.txt" || true; } | sed -n 's/.*= 0 <\([0-9.]*\)>$/\1/p' |
      awk -v s="$fsync_seconds" '{ n++; t += $1; if ($1 > m) m = $1 } END { printf "%.1f %.2f %.2f", n / s * 60, n ? t / n * 1000 : 0, m * 1000 }')
    read -r per_minute mean_ms max_ms <<<"$fsync"
    line+=",\"fsync_per_min\":$per_minute,\"fsync_mean_ms\":$mean_ms,\"fsync_max_ms\":$max_ms"
    line+=",\"recording_drops\":$(state "$http" recording | field drops)"
  fi
  wait "$viewers" "$sessions"
  line+=",$(sed 's/^{//; s/}$//; s/"\([a-z_]*\)":/"live_\1":/g' "$work/viewers.json")"
  line+=",\"rtsp_fps_min\":$(field fps_min <"$work/sessions.json"),\"rtsp_problems\":$(field problems <"$work/sessions.json")"
  kill -TERM "$edge_pid"
  local code=0
  wait "$edge_pid" || code=$?
  edge_pid=""
  line+=",\"exit_code\":$code"
  if [[ $mode != off ]]; then
    # Bytes on disk ÷ the H.264 in them: every file (the last one closed by SIGTERM), summed.
    local file size video files=0 written=0 coded=0 worst=0
    for file in "$data"/recordings/*.mp4; do
      size=$(stat -c %s "$file")
      video=$(ffprobe -v error -show_entries packet=size -of csv=p=0 "$file" | awk '{ s += $1 } END { print s + 0 }')
      raw "file $run $(basename "$file") $size bytes, video $video bytes, ratio $(ratio "$size" "$video")"
      files=$((files + 1)); written=$((written + size)); coded=$((coded + video))
      worst=$(awk -v w="$worst" -v r="$(awk -v a="$size" -v b="$video" 'BEGIN { print a / b }')" 'BEGIN { print (r > w ? r : w) }')
    done
    line+=",\"files\":$files,\"written_bytes\":$written,\"video_bytes\":$coded"
    line+=",\"overhead\":$(awk -v a="$written" -v b="$coded" 'BEGIN { printf "%.4f", a / b }'),\"overhead_worst\":$(awk -v w="$worst" 'BEGIN { printf "%.4f", w }')"
  fi
  line+="}"
  echo "$line" >>"$raw"
  echo "$line" >>"$work/runs.jsonl"
  # What Edge said on stderr besides the expected warning about authentication.
  if grep -v -i 'authentication is disabled' "$work/edge-$run-$mode.stderr" | grep -q .; then
    notes+=("run $run, recording $mode: Edge wrote to stderr: $(grep -v -i 'authentication is disabled' "$work/edge-$run-$mode.stderr" | head -n 2 | tr '\n' ' ')")
  fi
  ((code == 0)) || notes+=("run $run, recording $mode: Edge exited $code on SIGTERM")
  rm -rf "$data"
}

# The two modes alternate which goes first, so a slow stretch of the machine does not land on one only.
for run in $(seq "$runs"); do
  if ((run % 2)); then bench "$run" continuous; bench "$run" off; else bench "$run" off; bench "$run" continuous; fi
done
rmdir "$data_root" 2>/dev/null || true

# m MODE FIELD: the median over the runs; all MODE FIELD: every run's, in run order.
m() { grep -F "\"mode\":\"$1\"," "$work/runs.jsonl" | field "$2" | median; }
all() { grep -F "\"mode\":\"$1\"," "$work/runs.jsonl" | field "$2" | paste -sd ' ' | sed 's/ /, /g'; }
mib() { awk -v kb="$1" 'BEGIN { printf "%.1f MiB", kb / 1024 }'; }
# Recording's cost: each run's difference (the two Edges of a run ran back to back), median over the runs.
delta() { paste <(grep -F '"mode":"continuous",' "$work/runs.jsonl" | field "$1") <(grep -F '"mode":"off",' "$work/runs.jsonl" | field "$1") |
  awk -v d="$2" '{ printf "%.*f\n", d, $1 - $2 }' | median; }
problems() { grep -F "\"mode\":\"$1\"," "$work/runs.jsonl" | awk '{ p = 0; n = split($0, f, /"(live_problems|rtsp_problems|recording_drops|exit_code)":/)
  for (i = 2; i <= n; i++) p += f[i] + 0; s += p } END { print s + 0 }'; }
overhead=$(m continuous overhead)
picture="test pattern"; [[ $source_kind == testpattern ]] || picture="ffmpeg $source_kind"
{
  echo "| Recording, with $live_viewers MSE viewers (/live) + $rtsp_sessions RTSP sessions (/h264); 720p/30 $picture, OpenH264 baseline, 2000 kbit/s, key frame every 2 s" \
    "| Edge CPU (% of one core) | Edge RSS | MSE viewers / RTSP sessions receiving | received per MSE viewer, min / median | fsyncs per minute" \
    "| fsync mean / max | written ÷ video bytes (goal ≤ 1.05) | problems |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  echo "| continuous, 60 s segments | $(m continuous cpu)% | $(mib "$(m continuous rss_kb)")" \
    "| $(m continuous edge_live_viewers) / $(m continuous edge_rtsp_sessions) | $(m continuous live_kbps_min) / $(m continuous live_kbps_median) kbit/s" \
    "| $(m continuous fsync_per_min) | $(m continuous fsync_mean_ms) / $(m continuous fsync_max_ms) ms" \
    "| $overhead $(passfail "$(awk -v r="$overhead" 'BEGIN { print r <= 1.05 }')") | $(problems continuous) |"
  echo "| off | $(m off cpu)% | $(mib "$(m off rss_kb)") | $(m off edge_live_viewers) / $(m off edge_rtsp_sessions)" \
    "| $(m off live_kbps_min) / $(m off live_kbps_median) kbit/s | — | — | — | $(problems off) |"
  echo "| recording's cost (each run's difference, median) | $(delta cpu 1 | xargs printf '%+.1f') points | $(delta rss_kb 0 | xargs -I{} awk -v kb={} 'BEGIN { printf "%+.1f MiB", kb / 1024 }')" \
    "| | | | | | |"
  echo
  echo "Per run (continuous / off): Edge CPU $(all continuous cpu) / $(all off cpu) %;" \
    "RSS $(all continuous rss_kb) / $(all off rss_kb) kB; load tools' CPU $(all continuous load_tools_cpu) / $(all off load_tools_cpu) %;" \
    "other processes $(all continuous others_cpu) / $(all off others_cpu) %; fragments per MSE viewer per second, min" \
    "$(all continuous live_fps_min) / $(all off live_fps_min); RTSP fps, min $(all continuous rtsp_fps_min) / $(all off rtsp_fps_min);" \
    "encoder kbit/s $(all continuous encoder_kbps) / $(all off encoder_kbps); fsyncs per minute $(all continuous fsync_per_min)," \
    "mean $(all continuous fsync_mean_ms) ms, max $(all continuous fsync_max_ms) ms; written ÷ video $(all continuous overhead)" \
    "(worst file $(all continuous overhead_worst)) over $(all continuous files) files."
} >"$table"
finish_table
