#!/usr/bin/env bash
# Edge benchmarks (docs/BENCHMARKS.md): binary size, start time, RSS, WebSocket push latency against a
# Node.js `ws` server and a minimal C server (floor-server.c, the machine's floor), and POST /api
# throughput against nginx, all on 127.0.0.1 in one run.
#
# Usage: test/bench/run.sh            (after ./publish.sh; takes about 8 minutes)
# Env:   BENCH_RUNS=5  WRK_DURATION=10s  LAT_ROUNDS=300  LAT_INTERVAL_MS=10
#        BENCH_EDGE=path/to/edge (default publish/linux-x64/edge: an A/B runs the script once per binary)
# Prints a markdown table on stdout; raw results and server logs stay in /tmp/edge-bench.*/.
# Every server and the load tools share the machine's cores (2 on the project machines).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs="${BENCH_RUNS:-5}"
wrk_duration="${WRK_DURATION:-10s}"
rounds="${LAT_ROUNDS:-300}"
interval="${LAT_INTERVAL_MS:-10}"
published="${BENCH_EDGE:-$root/publish/linux-x64/edge}"

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

[[ -x "$published" ]] || die "$published not found: run ./publish.sh first (it builds the native binary)."
command -v node >/dev/null || die "node is required (Node.js 20)."
command -v npm >/dev/null || die "npm is required."

# --- tools ---------------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
command -v gcc >/dev/null || missing+=(gcc)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  sudo=(); [[ $(id -u) == 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
if [[ ! -d "$here/node_modules/ws" ]]; then
  log "npm install (ws)"
  (cd "$here" && npm install --no-audit --no-fund --no-package-lock --silent)
fi
ulimit -n 8192 2>/dev/null || true

# --- work dir, processes, cleanup ----------------------------------------------------------------
work="$(mktemp -d /tmp/edge-bench.XXXXXX)"
chmod 755 "$work" # nginx workers run as an unprivileged user and must read the static file
raw="$work/results.txt"
# shellcheck source=test/bench/harness.sh
source "$here/harness.sh"
scratch=("$work/edge" "$work/starttime" "$work/latency" "$work/floor-server")

# The published binary is copied so a concurrent ./publish.sh (which deletes publish/) cannot pull it away.
cp "$published" "$work/edge"
edge="$work/edge"
gcc -O2 -o "$work/starttime" "$here/starttime.c"
gcc -O2 -Wall -Wextra -Werror -o "$work/latency" "$here/latency.c" # the WebSocket load tool, for every server alike
gcc -O2 -Wall -Wextra -Werror -pthread -o "$work/floor-server" "$here/floor-server.c" # the latency floor anchor

# jfield FILE LABEL CLIENTS FIELD: FIELD of every latency result line with that label and client count.
jfield() {
  node -e '
    const [file, label, clients, field] = process.argv.slice(1);
    for (const line of require("fs").readFileSync(file, "utf8").split("\n")) {
      if (!line.startsWith("{")) continue;
      const r = JSON.parse(line);
      if (r.label === label && String(r.clients) === clients) console.log(r[field]);
    }' "$@"
}
sum() { awk '{ s += $1 } END { print s + 0 }'; }

wait_http() { # URL: waits up to 10 s for a 200
  for _ in $(seq 200); do curl -sf -o /dev/null "$1" && return 0; sleep 0.05; done
  die "no answer from $1 within 10 s"
}
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
wrk_problems=()

edge_config="$work/edge.json"
echo '{"Auth":{"Enabled":false},"WebSocket":{"MaxClients":1000}}' >"$edge_config"
edge_args() { # PORT [extra config args]
  local port="$1"; shift
  # HTTPS, RTSP and WS-Discovery on free ports: two Edges run side by side in the wrk step.
  echo "--urls http://127.0.0.1:$port --Https:Port 0 --Rtsp:Port 0 --Onvif:DiscoveryPort 0 --data-dir $work/data --config $edge_config $*"
}
start_edge() { # NAME PORT [extra args]; sets $started_pid. stdout (per-request info logs) goes to /dev/null.
  local name="$1" port="$2"; shift 2
  # shellcheck disable=SC2046
  "$edge" $(edge_args "$port" "$@") >/dev/null 2>>"$work/$name.stderr" &
  started_pid=$!; pids+=("$started_pid")
  wait_http "http://127.0.0.1:$port/healthz"
}
start_node() { # NAME PORT
  node "$here/node-server.js" "$2" >/dev/null 2>>"$work/$1.stderr" &
  started_pid=$!; pids+=("$started_pid")
  for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0; sleep 0.05; done
  die "node-server.js did not listen on $2"
}
start_floor() { # NAME PORT SENDERS (1 or 2 sending threads)
  "$work/floor-server" "$2" "$3" >/dev/null 2>>"$work/$1.stderr" &
  started_pid=$!; pids+=("$started_pid")
  for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0; sleep 0.05; done
  die "floor-server did not listen on $2"
}
nginx_conf() { # NAME PORT WORKERS: writes $work/NAME/nginx.conf
  local dir="$work/$1"
  mkdir -p "$dir/www"
  printf '{"id":1,"result":"pong"}' >"$dir/www/ping.json"
  cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes $3;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  default_type application/json;
  server {
    listen 127.0.0.1:$2;
    root $dir/www;
    location = /healthz { return 200 "ok\n"; }
  }
}
EOF
}
start_nginx() { # NAME PORT WORKERS
  nginx_conf "$@"
  "$nginx_bin" -p "$work/$1" -c "$work/$1/nginx.conf" >/dev/null 2>>"$work/$1.stderr" &
  started_pid=$!; pids+=("$started_pid")
  wait_http "http://127.0.0.1:$2/healthz"
}

# --- machine ------------------------------------------------------------------------------------
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
versions="edge $("$edge" --version | awk '{print $2}'); node $(node --version); ws $(node -p 'require(process.argv[1]).version' "$here/node_modules/ws/package.json"); $(wrk --version 2>&1 | head -1 | awk '{print "wrk " $2}'); $("$nginx_bin" -v 2>&1 | sed 's|.*/|nginx |'); gcc $(gcc -dumpfullversion)"
{
  echo "# Edge benchmark raw results, $(date -u +%FT%TZ)"
  echo "machine: $(nproc) cores, $cpu, kernel $(uname -r), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  echo "versions: $versions"
  echo "binary: $published sha256 $(sha256sum "$edge" | cut -c1-16)"
  echo "settings: runs=$runs wrk_duration=$wrk_duration rounds=$rounds interval_ms=$interval"
  echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$raw"
log "raw results: $raw"

# --- 1. binary size ------------------------------------------------------------------------------
size_bytes=$(stat -c %s "$edge")
raw "size_bytes $size_bytes"

# --- 2./3. start to first 200 on /healthz, idle RSS 2 s later, exit on SIGTERM ----------------------
log "start time + idle RSS ($runs runs, plus one warm-up start)"
port=$(free_port)
for i in $(seq 0 "$runs"); do
  # shellcheck disable=SC2046
  line=$("$work/starttime" "$port" /healthz 2000 -- "$edge" $(edge_args "$port") 2>>"$work/edge-start.stderr") \
    || die "starttime failed for Edge: $(tail -3 "$work/edge-start.stderr")"
  raw "edge-start run=$i $line"
  ((i == 0)) && continue # warm-up: first start creates the data dir and warms the page cache
  echo "$line" | sed 's/.*start_ms=\([0-9.]*\).*/\1/' >>"$work/start_ms"
  echo "$line" | sed 's/.*rss_kb=\([0-9-]*\).*/\1/' >>"$work/idle_rss_kb"
  code=$(echo "$line" | sed 's/.*exit=\(-*[0-9]*\).*/\1/')
  [[ $code == 0 ]] || exit_problems+=("Edge exited $code after SIGTERM (start run $i)")
done
nginx_conf nginx-start "$port" 1
for i in $(seq 0 "$runs"); do
  line=$("$work/starttime" "$port" /healthz 0 -- "$nginx_bin" -p "$work/nginx-start" -c "$work/nginx-start/nginx.conf" 2>>"$work/nginx-start.stderr") \
    || die "starttime failed for nginx: $(tail -3 "$work/nginx-start.stderr")"
  raw "nginx-start run=$i $line"
  ((i == 0)) || echo "$line" | sed 's/.*start_ms=\([0-9.]*\).*/\1/' >>"$work/nginx_start_ms"
done

# --- 4. RSS with 100 subscribed WebSocket clients (fresh server per run) ------------------------
log "RSS with 100 subscribed clients ($runs runs each, Edge and Node ws)"
for i in $(seq "$runs"); do
  for server in edge node; do
    port=$(free_port)
    if [[ $server == edge ]]; then start_edge edge-rss "$port"; else start_node node-rss "$port"; fi
    pid=$started_pid
    "$work/latency" --url "ws://127.0.0.1:$port/api" --clients 100 --rounds 50 --interval "$interval" \
      --label "$server-rss100" --rss-pid "$pid" --settle 1000 >>"$work/rss100.jsonl" 2>>"$work/latency.stderr" \
      || die "latency failed against $server (RSS run $i): $(tail -3 "$work/latency.stderr")"
    stop "$pid" "$server-rss100 run=$i"
  done
done
cat "$work/rss100.jsonl" >>"$raw"

# --- 5. push latency, 25/100/500 clients, Edge, Node ws and the C floor server in turns -------------
log "push latency ($runs runs x 25/100/500 clients x Edge, Node ws, C floor with 1 and 2 sender threads, $rounds rounds $interval ms apart)"
declare -A lat_port lat_pid
lat_port[edge]=$(free_port); start_edge edge-latency "${lat_port[edge]}"; lat_pid[edge]=$started_pid
lat_port[node]=$(free_port); start_node node-latency "${lat_port[node]}"; lat_pid[node]=$started_pid
lat_port[floor1]=$(free_port); start_floor floor1-latency "${lat_port[floor1]}" 1; lat_pid[floor1]=$started_pid
lat_port[floor2]=$(free_port); start_floor floor2-latency "${lat_port[floor2]}" 2; lat_pid[floor2]=$started_pid
lat_servers=(edge node floor1 floor2)
for i in $(seq "$runs"); do
  for n in 25 100 500; do
    # A different server goes first in each run: the list rotated by i - 1.
    order=()
    for k in 0 1 2 3; do order+=("${lat_servers[(i - 1 + k) % 4]}"); done
    for server in "${order[@]}"; do
      "$work/latency" --url "ws://127.0.0.1:${lat_port[$server]}/api" --clients "$n" --rounds "$rounds" --interval "$interval" \
        --label "$server" --rss-pid "${lat_pid[$server]}" --settle 0 >>"$work/latency.jsonl" 2>>"$work/latency.stderr" \
        || die "latency failed against $server ($n clients, run $i): $(tail -3 "$work/latency.stderr")"
    done
  done
done
cat "$work/latency.jsonl" >>"$raw"
for server in "${lat_servers[@]}"; do stop "${lat_pid[$server]}" "$server-latency"; done

# --- 6. POST /api ping with wrk, against nginx serving a static file --------------------------------
log "wrk -t2 -c50 -d$wrk_duration ($runs runs each: Edge, Edge with request logs off, nginx 2 workers, nginx 1 worker)"
declare -A wrk_port wrk_pid
wrk_port[edge]=$(free_port); start_edge edge-wrk "${wrk_port[edge]}"; wrk_pid[edge]=$started_pid
wrk_port[edge_quiet]=$(free_port)
start_edge edge-wrk-quiet "${wrk_port[edge_quiet]}" --Logging:LogLevel:Microsoft.AspNetCore Warning; wrk_pid[edge_quiet]=$started_pid
wrk_port[nginx2]=$(free_port); start_nginx nginx2 "${wrk_port[nginx2]}" 2; wrk_pid[nginx2]=$started_pid
wrk_port[nginx1]=$(free_port); start_nginx nginx1 "${wrk_port[nginx1]}" 1; wrk_pid[nginx1]=$started_pid
wrk_url() { case $1 in edge*) echo "http://127.0.0.1:${wrk_port[$1]}/api" ;; *) echo "http://127.0.0.1:${wrk_port[$1]}/ping.json" ;; esac; }
wrk_run() { # TARGET DURATION [check]
  local script=()
  [[ $1 == edge* ]] && script=(-s "$here/wrk-post.lua")
  WRK_CHECK="${3:-0}" wrk -t2 -c50 -d"$2" "${script[@]}" "$(wrk_url "$1")"
}
# Warm-up and correctness: every Edge reply must be 200 {"id":1,"result":"pong"}.
for t in edge edge_quiet nginx2 nginx1; do
  out=$(wrk_run "$t" 2s 1 2>&1)
  raw "wrk warm-up/check $t:"; raw "$out"
  if [[ $t == edge* ]]; then
    bad=$(echo "$out" | awk '/^bad_replies/ {print $2}')
    [[ "$bad" == 0 ]] || wrk_problems+=("$t: ${bad:-?} bad replies in the check run")
  fi
done
for i in $(seq "$runs"); do
  for t in edge edge_quiet nginx2 nginx1; do
    out=$(wrk_run "$t" "$wrk_duration" 2>&1)
    raw "wrk $t run=$i:"; raw "$out"
    echo "$out" | awk '/^Requests\/sec/ {print $2}' >>"$work/rps_$t"
    if echo "$out" | grep -qE 'Socket errors|Non-2xx'; then
      wrk_problems+=("$t run $i: $(echo "$out" | grep -E 'Socket errors|Non-2xx' | tr '\n' ' ')")
    fi
  done
done
edge_rss_after_wrk=$(awk '/VmRSS/ {print $2}' "/proc/${wrk_pid[edge]}/status")
raw "edge RSS after wrk runs: $edge_rss_after_wrk kB"
for t in edge edge_quiet nginx2 nginx1; do stop "${wrk_pid[$t]}" "wrk-$t"; done
raw "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- results ---------------------------------------------------------------------------------------
fmt() { awk -v v="$1" -v d="${2:-2}" 'BEGIN { printf("%." d "f", v) }'; }

start_ms=$(median <"$work/start_ms")
nginx_start_ms=$(median <"$work/nginx_start_ms")
idle_kb=$(median <"$work/idle_rss_kb")
rss100_edge=$(jfield "$work/rss100.jsonl" edge-rss100 100 rss_kb | median)
rss100_node=$(jfield "$work/rss100.jsonl" node-rss100 100 rss_kb | median)
declare -A p50 p99 lost expected probs rss
for s in edge node floor1 floor2; do
  for n in 25 100 500; do
    p50[$s$n]=$(jfield "$work/latency.jsonl" "$s" "$n" p50_ms | median)
    p99[$s$n]=$(jfield "$work/latency.jsonl" "$s" "$n" p99_ms | median)
    lost[$s$n]=$(( $(jfield "$work/latency.jsonl" "$s" "$n" coalesced | sum) + $(jfield "$work/latency.jsonl" "$s" "$n" missing | sum) ))
    expected[$s$n]=$(jfield "$work/latency.jsonl" "$s" "$n" expected | sum)
    probs[$s$n]=$(( $(jfield "$work/latency.jsonl" "$s" "$n" problems | sum) + $(jfield "$work/latency.jsonl" "$s" "$n" set_errors | sum) ))
    rss[$s$n]=$(jfield "$work/latency.jsonl" "$s" "$n" rss_kb | median)
  done
done
declare -A rps
for t in edge edge_quiet nginx2 nginx1; do rps[$t]=$(median <"$work/rps_$t"); done

size_mb=$(awk -v b="$size_bytes" 'BEGIN { print b / 1e6 }')
lat_cell() { # SERVER N: "p50 / p99 ms (lost x of y)"
  printf '%s / %s ms (lost %s of %s)' "$(fmt "${p50[$1$2]}" 3)" "$(fmt "${p99[$1$2]}" 3)" "${lost[$1$2]}" "${expected[$1$2]}"
}
lat_row() { # N: the latency cells for N clients
  printf '%s | Node ws: %s' "$(lat_cell edge "$1")" "$(lat_cell node "$1")"
}
floor_row() { # N: the floor row for N clients (not a target)
  local n=$1
  echo "| Push latency p50 / p99, $n clients: C floor server (floor-server.c) | Edge p99 $(ratio "${p99[edge$n]}" "${p99[floor1$n]}")× the 1-thread floor, $(ratio "${p99[edge$n]}" "${p99[floor2$n]}")× the 2-thread floor; Node ws $(ratio "${p99[node$n]}" "${p99[floor2$n]}")× the 2-thread floor | 1 sender thread: $(lat_cell floor1 "$n"); 2 sender threads: $(lat_cell floor2 "$n") |"
}

table="$work/table.md"
{
  echo "Machine: $(nproc) cores ($cpu), kernel $(uname -r); $versions."
  echo "Medians of $runs runs. Server and load tools share the $(nproc) cores. Auth disabled (Auth:Enabled=false)."
  echo
  echo "| Measure | Edge | Anchor, same run | Target | Result |"
  echo "| --- | --- | --- | --- | --- |"
  echo "| Binary size | $size_bytes B = $(fmt "$(awk -v b="$size_bytes" 'BEGIN { print b / 1048576 }')") MiB ($(fmt "$size_mb") MB) | — | ≤ 15 MB | $(passfail "$(awk -v m="$size_mb" 'BEGIN { print (m <= 15) }')") |"
  echo "| Start → first 200 on /healthz | $(fmt "$start_ms") ms | nginx (1 worker): $(fmt "$nginx_start_ms") ms; empty native-AOT ASP.NET app: ~37 ms (given reference, not measured here) | ≤ 40 ms | $(passfail "$(awk -v v="$start_ms" 'BEGIN { print (v <= 40) }')") |"
  echo "| Idle RSS, 2 s after start | $(mib "$idle_kb") | — | ≤ 24 MB | $(passfail "$(awk -v kb="$idle_kb" 'BEGIN { print (kb * 1024 <= 24e6) }')") |"
  echo "| RSS, 100 WebSocket clients subscribed | $(mib "$rss100_edge") | Node ws: $(mib "$rss100_node") | ≤ 40 MB | $(passfail "$(awk -v kb="$rss100_edge" 'BEGIN { print (kb * 1024 <= 40e6) }')") |"
  echo "| Push latency p50 / p99, 25 clients | $(lat_row 25) | p99 ≤ 2 ms | $(passfail "$(awk -v v="${p99[edge25]}" 'BEGIN { print (v <= 2) }')") |"
  echo "| Push latency p50 / p99, 100 clients | $(lat_row 100) | p99 ≤ ½ Node's ($(ratio "${p99[edge100]}" "${p99[node100]}")× now) | $(passfail "$(awk -v e="${p99[edge100]}" -v n="${p99[node100]}" 'BEGIN { print (e <= n / 2) }')") |"
  echo "| Push latency p50 / p99, 500 clients | $(lat_row 500) | p99 ≤ ½ Node's ($(ratio "${p99[edge500]}" "${p99[node500]}")× now) | $(passfail "$(awk -v e="${p99[edge500]}" -v n="${p99[node500]}" 'BEGIN { print (e <= n / 2) }')") |"
  echo "| POST /api ping, wrk -t2 -c50 -d$wrk_duration | $(fmt "${rps[edge]}" 0) req/s | nginx static file, 2 workers: $(fmt "${rps[nginx2]}" 0) req/s | ≥ 0.7× nginx ($(ratio "${rps[edge]}" "${rps[nginx2]}")× now) | $(passfail "$(awk -v e="${rps[edge]}" -v n="${rps[nginx2]}" 'BEGIN { print (e >= 0.7 * n) }')") |"
  echo
  echo "Not targets, for context (same run):"
  echo
  echo "| Measure | Edge | Anchor, same run |"
  echo "| --- | --- | --- |"
  echo "| POST /api ping with request logging off (--Logging:LogLevel:Microsoft.AspNetCore Warning) | $(fmt "${rps[edge_quiet]}" 0) req/s ($(ratio "${rps[edge_quiet]}" "${rps[nginx2]}")× nginx 2 workers) | nginx static file, 1 worker: $(fmt "${rps[nginx1]}" 0) req/s |"
  floor_row 25
  floor_row 100
  floor_row 500
  echo "| RSS right after the 500-client latency rounds | $(mib "${rss[edge500]}") | Node ws: $(mib "${rss[node500]}") |"
  echo "| RSS after all wrk runs | $(mib "$edge_rss_after_wrk") | — |"
  echo "| Exit code on SIGTERM | $( ((${#exit_problems[@]})) && echo "non-zero: ${exit_problems[*]}" || echo "0 in every run") | — |"
} >"$table"

notes=()
for s in edge node floor1 floor2; do for n in 25 100 500; do
  ((${probs[$s$n]} == 0)) || notes+=("$s, $n clients: ${probs[$s$n]} problems reported by the latency tool (see $work/latency.stderr)")
done; done
((${#wrk_problems[@]} == 0)) || notes+=("${wrk_problems[@]}")
# Edge's own warnings and errors (the auth-disabled warning is expected), by file and message.
for f in "$work"/edge*.stderr; do
  while read -r count message; do
    notes+=("Edge ($(basename "$f" .stderr)) logged $count× \`$message\` (see $f)")
  done < <(grep -E '^<[0-4]>[^ ]+ (warn|error|crit) ' "$f" | grep -v 'Authentication is disabled' \
    | sed -E 's/^<[0-4]>[^ ]+ //; s/(Connection|Request) id "[^"]*"/\1 id "…"/g' | cut -c1-160 | sort | uniq -c)
done
finish_table
