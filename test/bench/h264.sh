#!/usr/bin/env bash
# Edge H.264 encode benchmark (docs/BENCHMARKS.md, "Camera"), on the published binary: the 1280×720 I420 → H.264
# encode rate of `edge bench-encode --codec h264` (OpenH264 on Edge's worker pool, 1 worker) against OpenH264 called
# in a tight loop on the same frames with the same settings (h264-anchor.c), and, for context only, x264 (ffmpeg's
# libx264, ultrafast, zerolatency) at the same bit rate and key-frame period on one thread.
#
# Usage: test/bench/h264.sh            (after ./publish.sh; takes about 1½ minutes)
# Env:   BENCH_RUNS=5  ENCODE_SECONDS=5  BITRATE_KBPS=2000  FPS=30   (FPS is the rate control's, not a limit)
# Prints markdown tables on stdout; raw results and logs stay in /tmp/edge-h264-bench.*/.
# Everything shares the machine's cores (2 on the project machines); each encoder uses one.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs="${BENCH_RUNS:-5}"
encode_seconds="${ENCODE_SECONDS:-5}"
bitrate="${BITRATE_KBPS:-2000}"
fps="${FPS:-30}"
gop=$((2 * fps)) # edge bench-encode's key-frame period for H.264: every 2 s
size=1280x720
published="$root/publish/linux-x64/edge"

log() { printf '[h264-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { printf 'h264.sh: %s\n' "$*" >&2; exit 1; }

[[ -x "$published" ]] || die "$published not found: run ./publish.sh first (it builds the native binary)."
((runs > 0)) || die "BENCH_RUNS must be at least 1"

# --- tools ---------------------------------------------------------------------------------------
missing=()
for tool in ffmpeg gcc; do command -v "$tool" >/dev/null || missing+=("$tool"); done
# The machine's own architecture: with arm64 added for cross-publishing, the bare names are ambiguous.
# libopenh264-7 is what Edge loads at run time (libopenh264.so.7); -dev gives the anchor its headers and link.
arch="$(dpkg --print-architecture)"
openh264="libopenh264-7:$arch"
for package in "libopenh264-dev:$arch" "$openh264"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  sudo=(); [[ $(id -u) == 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Not `| grep -q`: grep would stop at the first match, ffmpeg die of SIGPIPE, and pipefail fail the test.
[[ $(ffmpeg -hide_banner -encoders 2>/dev/null) == *" libx264 "* ]] || die "this ffmpeg has no libx264 encoder (the context row needs it)"

# --- work dir, processes, cleanup ----------------------------------------------------------------
work="$(mktemp -d /tmp/edge-h264-bench.XXXXXX)"
raw="$work/results.txt"
# shellcheck source=test/bench/harness.sh
source "$here/harness.sh"
scratch=("$work/edge" "$work/h264-anchor" "$work/yuyv-to-i420" "$work/frames.yuyv" "$work/frames.i420" "$work/x264.h264")

# The published binary is copied so a concurrent ./publish.sh (which replaces it) cannot pull it away.
cp "$published" "$work/edge"
edge="$work/edge"
# The shared libopenh264.so.7, the very library Edge loads: the same code on both sides of the ratio.
gcc -O2 -Wall -Wextra -Werror -o "$work/h264-anchor" "$here/h264-anchor.c" -lopenh264
gcc -O2 -Wall -Wextra -Werror -o "$work/yuyv-to-i420" "$here/yuyv-to-i420.c"

# lines ENCODER: the JSON lines of that encoder's runs.
lines() { grep -F "\"encoder\":\"$1\"," "$work/encode.jsonl" || true; }
fmt() { awk -v v="$1" -v d="${2:-1}" 'BEGIN { printf("%." d "f", v) }'; }

# --- frames -----------------------------------------------------------------------------------------
# testsrc2 has gradients, text and moving shapes; 16 frames, the most edge bench-encode loads. x264 reads them as
# I420 converted once the way Edge and the anchor convert them (chroma from the even rows), so all three encode
# the same planes.
frames="$work/frames.yuyv"
i420="$work/frames.i420"
ffmpeg -nostdin -v error -f lavfi -i "testsrc2=size=$size:rate=30" -frames:v 16 -f rawvideo -pix_fmt yuyv422 "$frames"
"$work/yuyv-to-i420" "$frames" "$size" "$i420"

# --- machine ------------------------------------------------------------------------------------
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
x264_version="$(dpkg-query -W -f '${Package}:${Architecture} ${Version}\n' 'libx264-[0-9]*' 2>/dev/null | awk -v a=":$arch" \
  '$1 ~ a "$" { sub(/:.*/, "", $1); print $1 " " $2; exit }')"
versions="edge $("$edge" --version | awk '{print $2}'); OpenH264 $(dpkg-query -W -f '${Version}' "$openh264");\
 $(ffmpeg -version | head -1 | awk '{print "ffmpeg " $3}') with ${x264_version:-libx264 (version unknown)}; gcc $(gcc -dumpfullversion)"
{
  echo "# Edge H.264 encode benchmark raw results, $(date -u +%FT%TZ)"
  echo "machine: $(nproc) cores, $cpu, kernel $(uname -r), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  echo "versions: $versions"
  echo "binary: $published sha256 $(sha256sum "$edge" | cut -c1-16)"
  echo "settings: runs=$runs encode_seconds=$encode_seconds size=$size bitrate_kbps=$bitrate fps=$fps gop=$gop"
  echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$raw"
log "raw results: $raw"

# --- encoders -------------------------------------------------------------------------------------
# Each result line gets others_cpu: what the rest of the machine used meanwhile (% of one core). On 2 shared cores
# a busy neighbour slows a one-thread encoder too (caches, memory bandwidth, the hypervisor's scheduling).
encode_run() { # NAME COMMAND...: runs one encoder, appends its JSON line, tagged NAME and with others_cpu, to encode.jsonl
  local name="$1" busy start others
  shift
  times >"$work/times.before"
  busy=$(machine_busy); start=$EPOCHREALTIME
  "$@" >"$work/line" 2>>"$work/encode.stderr" || die "$name failed: $(tail -3 "$work/encode.stderr")"
  times >"$work/times.after"
  others=$(awk -v b0="$busy" -v b1="$(machine_busy)" -v t0="$start" -v t1="$EPOCHREALTIME" \
    -v c0="$(children_cpu "$work/times.before")" -v c1="$(children_cpu "$work/times.after")" \
    'BEGIN { o = ((b1 - b0) - (c1 - c0)) / (t1 - t0) * 100; printf "%.1f", o < 0 ? 0 : o }')
  sed -e "s/^{/{\"encoder\":\"$name\",/" -e "s/}\$/,\"others_cpu\":$others}/" "$work/line" >>"$work/encode.jsonl"
}

# x264 through ffmpeg on FRAMES frames of the I420 file, looped (-stream_loop), one thread, written as a raw H.264
# stream; prints a JSON line like the others. Its "fps" is FRAMES ÷ the wall time spent in the encoder's calls:
# -benchmark_all logs the time of each (the "encode_video" lines; of each frame's two, the first is sending it and
# receiving its packet, the second also holds writing that packet and one log line, under 1% in all), summed; that
# is the tight loop the anchor measures. "run_fps" is FRAMES ÷ -benchmark's rtime, ffmpeg's whole transcode: reading
# 1.4 MB a frame from the file, the rawvideo "decode", x264's set-up, muxing and the per-call logging included
# (process start and option parsing are not). "cpu_seconds" (user + system) near the rtime shows one busy thread.
x264_encode() {
  local count="$1" log="$work/x264.log"
  ffmpeg -nostdin -hide_banner -nostats -benchmark -benchmark_all \
    -stream_loop -1 -f rawvideo -pix_fmt yuv420p -s "$size" -framerate "$fps" -i "$i420" -frames:v "$count" \
    -c:v libx264 -preset ultrafast -tune zerolatency -profile:v baseline -b:v "${bitrate}k" -g "$gop" -threads 1 \
    -f h264 -y "$work/x264.h264" 2>"$log" || { tail -3 "$log" >&2; return 1; }
  awk -v frames="$count" -v bytes="$(stat -c %s "$work/x264.h264")" '
    / real (encode|flush)_video / { for (i = 2; i < NF; i++) if ($(i + 1) == "real") encode += $i / 1e6 }
    /^bench: utime=/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); sub(/s$/, "", kv[2]); t[kv[1]] = kv[2] } }
    END {
      if (encode <= 0 || t["rtime"] <= 0) { print "x264: no -benchmark times in the log" > "/dev/stderr"; exit 1 }
      printf "{\"frames\":%d,\"seconds\":%.3f,\"fps\":%.2f,", frames, encode, frames / encode
      printf "\"run_seconds\":%.3f,\"run_fps\":%.2f,", t["rtime"], frames / t["rtime"]
      printf "\"cpu_seconds\":%.3f,\"bytes_per_frame\":%d}\n", t["utime"] + t["stime"], bytes / frames
    }' "$log"
}

# ffmpeg stops on a frame count, not a clock: enough frames for about ENCODE_SECONDS of whole run, from a short
# calibration run first (not counted).
x264_encode $((4 * fps)) >"$work/line" 2>>"$work/encode.stderr" || die "x264 calibration failed: $(tail -3 "$work/encode.stderr")"
x264_frames=$(awk -v f="$(field run_fps <"$work/line")" -v s="$encode_seconds" -v min=$((4 * fps)) \
  'BEGIN { n = int(f * s); print (n < min ? min : n) }')
raw "x264 calibration: $(cat "$work/line"); $x264_frames frames a run"

# --- encode rate: anchor, Edge, x264, interleaved -------------------------------------------------------
log "encode rate ($runs runs x anchor, edge 1 worker, x264; about $encode_seconds s each)"
for _ in $(seq "$runs"); do
  encode_run anchor "$work/h264-anchor" "$frames" "$size" "$encode_seconds" "$bitrate" "$fps"
  encode_run edge "$edge" bench-encode --codec h264 --workers 1 --input "$frames" --size "$size" --seconds "$encode_seconds" \
    --bitrate "$bitrate" --fps "$fps"
  encode_run x264 x264_encode "$x264_frames"
done
sed 's/^/encode /' "$work/encode.jsonl" >>"$raw"
raw "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- results ---------------------------------------------------------------------------------------
med() { lines "$1" | field "$2" | median; } # ENCODER FIELD: median over the runs
target_bytes=$(awk -v k="$bitrate" -v f="$fps" 'BEGIN { printf "%.0f", k * 1000 / 8 / f }')
r=$(ratio "$(med edge fps)" "$(med anchor fps)")
table="$work/table.md"
{
  echo "Machine: $(nproc) cores ($cpu), kernel $(uname -r); $versions. Everything shares the $(nproc) cores."
  echo
  echo "H.264 encode rate: medians of $runs runs of about $encode_seconds s each, interleaved. $size, 16 testsrc2 frames looped,"
  echo "I420; $bitrate kbit/s at $fps fps (≈ $target_bytes bytes a frame), a key frame every $gop frames, one thread each."
  echo
  echo "| Encoder | fps | Bytes per frame | Other processes' CPU |"
  echo "| --- | --- | --- | --- |"
  echo "| Edge: \`edge bench-encode --codec h264\`, 1 worker (OpenH264, baseline, on the worker pool) | $(fmt "$(med edge fps)")" \
    "| $(fmt "$(med edge bytes_per_frame)" 0) | $(fmt "$(med edge others_cpu)")% |"
  echo "| Anchor: OpenH264 in a tight loop, same settings (h264-anchor.c) | $(fmt "$(med anchor fps)")" \
    "| $(fmt "$(med anchor bytes_per_frame)" 0) | $(fmt "$(med anchor others_cpu)")% |"
  echo "| Context: x264 ultrafast, zerolatency, baseline (ffmpeg's libx264), in its encode calls (whole ffmpeg run)" \
    "| $(fmt "$(med x264 fps)") ($(fmt "$(med x264 run_fps)")) | $(fmt "$(med x264 bytes_per_frame)" 0)" \
    "| $(fmt "$(med x264 others_cpu)")% |"
  echo
  echo "| Measure | Target | Now | Result |"
  echo "| --- | --- | --- | --- |"
  echo "| Edge ÷ anchor, encode rate | ≥ 0.95× | $r× | $(passfail "$(awk -v r="$r" 'BEGIN { print (r >= 0.95) }')") |"
} >"$table"

notes=()
[[ ! -s "$work/encode.stderr" ]] || notes+=("the encoders wrote to stderr (see $work/encode.stderr)")
# Edge and the anchor run the same library with the same settings on the same frames: their streams should be
# the same size. A gap means the settings have drifted apart (or the rate control is still settling).
gap=$(awk -v e="$(med edge bytes_per_frame)" -v a="$(med anchor bytes_per_frame)" 'BEGIN { printf "%.1f", (e - a) / a * 100 }')
awk -v g="$gap" 'BEGIN { exit !(g > 5 || g < -5) }' \
  && notes+=("Edge's bytes per frame differ from the anchor's by $gap%: are OpenH264Encoder.Configure and h264-anchor.c in step?")
finish_table
