# shellcheck shell=bash
# Sourced by the bench scripts: the processes they start, their cleanup, and the statistics they
# share. Set `work` first; add started processes to `pids`; put files to delete on exit in
# `scratch`.
pids=()
scratch=()

# Stops every started process (TERM, up to 5 s, then KILL) and deletes the scratch files.
stop_all() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 50); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  ((${#scratch[@]} == 0)) || rm -f "${scratch[@]}"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# install_missing PACKAGE...: installs what is named (apt-get; sudo unless root), saying so on stderr.
install_missing() {
  (($#)) || return 0
  printf 'installing %s\n' "$*" >&2
  local sudo=(); [[ $(id -u) == 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@" >/dev/null
}
# The OpenH264 package Edge loads at run time, named with the machine's architecture (arm64 may be added).
openh264_package() { echo "libopenh264-7:$(dpkg --print-architecture)"; }
# yuyv_frames FILE: 60 frames of ffmpeg's testsrc2, 1280x720 YUYV; yuyv_feeder FILE: a pipe camera's command
# replaying them at 30 fps.
yuyv_frames() { ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=1280x720:rate=30 -frames:v 60 -f rawvideo -pix_fmt yuyv422 "$1"; }
yuyv_feeder() { echo "exec ffmpeg -nostdin -v error -re -stream_loop -1 -f rawvideo -pix_fmt yuyv422 -s 1280x720 -framerate 30 -i $1 -f rawvideo -"; }

# The median of the numbers on standard input, one a line ("nan" for none).
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# Appends one raw result line to $raw (set by the sourcing script).
# shellcheck disable=SC2154
raw() { printf '%s\n' "$*" >>"$raw"; }

# field NAME: NAME's number from each flat JSON line on stdin (the tools here print nothing nested).
field() { sed -n "s/.*\"$1\":\(-\{0,1\}[0-9.]*\).*/\1/p"; }
# CPU seconds the machine has been busy, all cores, steal included (time this VM wanted and did not get).
machine_busy() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / { printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat; }
# CPU seconds of this shell's finished children, from the times builtin's output in FILE.
children_cpu() { awk 'NR == 2 { gsub(/s/, ""); split($1, u, "m"); split($2, s, "m"); print u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
passfail() { awk -v c="$1" 'BEGIN { print (c ? "**pass**" : "**FAIL**") }'; }
mib() { awk -v kb="$1" 'BEGIN { printf "%.1f MiB (%.1f MB)", kb / 1024, kb * 1.024 / 1000 }'; }

# A TCP port on 127.0.0.1 nothing listens on, below Linux's ephemeral range (32768+), where a client
# socket could hold it.
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 12000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}
# CPU ticks (user + system) of process PID so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# api PORT JSON: one JSON-RPC request to an Edge without authentication.
api() { curl -fs -X POST -H 'Content-Type: application/json' -d "$2" "http://127.0.0.1:$1/api"; }
# state PORT KEY: one state.get of KEY as a line of JSON (nothing if the request fails: one sample fewer).
state() { if api "$1" "{\"id\":1,\"method\":\"state.get\",\"params\":{\"keys\":[\"$2\"]}}"; then echo; fi; }
# launch_edge BINARY CONFIG DATA_DIR PORT STDERR: starts an Edge on 127.0.0.1:PORT, sets edge_pid, adds it
# to `pids` and waits (up to 5 s) until /healthz answers.
launch_edge() {
  "$1" --config "$2" --data-dir "$3" --urls "http://127.0.0.1:$4" >/dev/null 2>"$5" &
  edge_pid=$!
  pids+=("$edge_pid")
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$4/healthz" >/dev/null && return; sleep 0.05; done
}

# Ends a run: the problems in `notes` go under the markdown table in $table, which is appended to $raw
# and printed; then where the raw results are.
# shellcheck disable=SC2154
finish_table() {
  if ((${#notes[@]})); then
    echo
    echo "Problems seen in this run:"
    echo
    for n in "${notes[@]}"; do echo "- $n"; done
  fi >>"$table"
  { echo; echo "## Table"; cat "$table"; } >>"$raw"
  cat "$table"
  log "raw results and logs: $work (results.txt)"
}
