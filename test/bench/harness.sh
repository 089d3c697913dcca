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

# The median of the numbers on standard input, one a line ("nan" for none).
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# Appends one raw result line to $raw (set by the sourcing script).
# shellcheck disable=SC2154
raw() { printf '%s\n' "$*" >>"$raw"; }
