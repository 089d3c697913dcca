#!/usr/bin/env bash
# The published binary against a real V4L2 driver: Linux's vivid (a virtual capture device) in a qemu
# VM. Builds an initramfs (busybox, edge and the glibc files it needs, v4l2-ctl, vivid and virtio-net
# with their dependencies from the installed kernel package), boots it with user-mode networking and
# Edge's port forwarded to 127.0.0.1, then checks from the host: camera.list, snapshots and streams for
# YUYV and NV12 at two sizes each, camera.set (format, size, fps) at run time, and recovery from
# injected faults (a fatal streaming error; a disconnect followed by reloading the module) with a
# viewer that stays connected.
#
# Usage: test/vm/run.sh [path/to/edge]   (default publish/linux-x64/edge)
# Needs: qemu-system-x86_64, a kernel with modules (linux-image-amd64), busybox-static, v4l-utils,
# ffmpeg, curl, cpio, python3. Uses KVM when /dev/kvm works, TCG otherwise.
# Prints a line per check and ends with "N passed, N failed"; exits 0 only when none failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
edge=$(realpath "${1:-publish/linux-x64/edge}")
[[ -x $edge ]] || { echo "vm: $edge is missing: run ./publish.sh" >&2; exit 2; }
kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1 || true)
[[ -n $kernel ]] || { echo "vm: no kernel in /boot (apt-get install linux-image-amd64)" >&2; exit 2; }
kver=${kernel#/boot/vmlinuz-}
for tool in qemu-system-x86_64 busybox v4l2-ctl ffmpeg ffprobe curl cpio modprobe python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "vm: $tool is missing" >&2; exit 2; }
done
busybox=$(command -v busybox)
# The initramfs has no libraries for busybox: it must be busybox-static's.
if ldd "$busybox" >/dev/null 2>&1; then echo "vm: $busybox is not static (apt-get install busybox-static)" >&2; exit 2; fi

work=$(mktemp -d)
qemu_pid=
cleanup() {
  [[ -n $qemu_pid ]] && kill "$qemu_pid" 2>/dev/null
  [[ -n ${viewer_pid:-} ]] && kill "$viewer_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc,lib/modules}

# --- the initramfs -------------------------------------------------------------------------------
cp "$busybox" "$root/bin/busybox"
cp "$edge" "$root/bin/edge"
cp "$(command -v v4l2-ctl)" "$root/bin/v4l2-ctl"
# Every shared library the programs load, at the same paths (the dynamic loader included); OpenSSL
# too, which Edge loads itself when it needs randomness or certificates.
libs() { ldd "$1" | awk '/=>/ { print $3 } /^[ \t]*\// { print $1 }'; }
for lib in $( (libs "$edge"; libs "$(command -v v4l2-ctl)"; ls /usr/lib/x86_64-linux-gnu/libssl.so.3 /usr/lib/x86_64-linux-gnu/libcrypto.so.3) | sort -u); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
# Modules in load order, decompressed (busybox's insmod takes plain .ko files).
modules() {
  modprobe -S "$kver" --show-depends "$1" | awk '$1 == "insmod" { print $2 }'
}
: >"$root/modules.net"
: >"$root/modules.vivid"
add_module() { # path list
  local name
  name=$(basename "$1"); name=${name%.xz}; name=${name%.zst}; name=${name%.gz}
  case $1 in
    *.xz) xz -dc "$1" >"$root/lib/modules/$name" ;;
    *.zst) zstd -qdc "$1" >"$root/lib/modules/$name" ;;
    *.gz) gzip -dc "$1" >"$root/lib/modules/$name" ;;
    *) cp "$1" "$root/lib/modules/$name" ;;
  esac
  grep -qx "$name" "$root/$2" || echo "$name" >>"$root/$2"
}
for m in virtio_pci virtio_net; do for path in $(modules "$m"); do add_module "$path" modules.net; done; done
for path in $(modules vivid); do add_module "$path" modules.vivid; done
grep -q '^vivid.ko$' "$root/modules.vivid" || { echo "vm: the kernel $kver has no vivid module" >&2; exit 2; }

cat >"$root/edge.json" <<'EOF'
{ "Auth": { "Enabled": false }, "Https": { "Enabled": false }, "Rtsp": { "Enabled": false },
  "Onvif": { "Enabled": false },
  "Camera": { "Source": "v4l2", "Device": "/dev/video0", "Format": "yuyv", "Width": 640, "Height": 480, "Fps": 30 } }
EOF
cat >"$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
for m in $(cat /modules.net); do insmod /lib/modules/$m; done
vivid_params="n_devs=1 node_types=0x1 num_inputs=1 input_types=0"
load_vivid() { for m in $(cat /modules.vivid); do if [ "$m" = vivid.ko ]; then insmod /lib/modules/$m $vivid_params; else insmod /lib/modules/$m 2>/dev/null; fi; done; }
load_vivid
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
# The host's commands arrive on the second serial port; each answers "done <status>".
(
  stty -F /dev/ttyS1 raw -echo
  while read -r command argument; do
    case $command in
      ctl) v4l2-ctl -d /dev/video0 -c "$argument" >/dev/ttyS0 2>&1; echo "done $?" ;;
      reload) i=0; while ! rmmod vivid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
              load_vivid; echo "done $?" ;;
      *) echo "done 127" ;;
    esac
  done </dev/ttyS1 >/dev/ttyS1
) &
echo "vm: starting edge"
/bin/edge --config /edge.json --data-dir /tmp/edge --urls http://0.0.0.0:8080 &
while true; do sleep 3600; done
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

# --- boot ----------------------------------------------------------------------------------------
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
control=$(free_port)
base=http://127.0.0.1:$port
boot() { # ACCELERATOR-ARGS...: starts qemu in the background, sets qemu_pid
  qemu-system-x86_64 "$@" -m 768 -smp 2 -kernel "$kernel" -initrd "$work/initrd.gz" \
    -append "console=ttyS0 panic=-1 quiet" -no-reboot -display none -monitor none \
    -serial "file:$work/console.log" -serial "tcp:127.0.0.1:$control,server=on,wait=off" \
    -nic "user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:$port-:8080" 2>"$work/qemu.err" &
  qemu_pid=$!
}
serving() { # waits up to SECONDS for /healthz while qemu runs
  local deadline=$(($(date +%s) + $1))
  while kill -0 "$qemu_pid" 2>/dev/null && (($(date +%s) < deadline)); do
    curl -fs --max-time 2 "$base/healthz" >/dev/null 2>&1 && return 0
    sleep 1
  done
  return 1
}
started=$(date +%s)
# KVM when it works here (nested virtualization may refuse this CPU's MSRs), else TCG.
accelerator=kvm
boot -accel kvm -cpu host
if ! serving 60; then
  kill "$qemu_pid" 2>/dev/null || true
  wait "$qemu_pid" 2>/dev/null || true
  echo "vm: KVM did not work ($(tail -n 1 "$work/qemu.err")); using TCG"
  accelerator=tcg
  started=$(date +%s)
  boot -accel tcg -cpu max
  serving 240 || true
fi
echo "vm: kernel $kver under $accelerator, Edge on $base"

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "vm: PASS $1"; }
fail() { failed=$((failed + 1)); echo "vm: FAIL $1${2:+: $2}"; }
api() { # METHOD [PARAMS-JSON]
  curl -fsS --max-time 60 "$base/api" -H 'Content-Type: application/json' \
    -d "{\"id\":1,\"method\":\"$1\",\"params\":${2:-null}}"
}
json() { # EXPRESSION over d, the reply read from stdin; a reply without it is printed to stderr
  python3 -c "
import json, sys
raw = sys.stdin.read()
try:
    d = json.loads(raw)
    print($1)
except Exception as e:
    sys.exit(f'vm: {e!r} in reply {raw[:500]}')"
}
until_true() { # SECONDS COMMAND...: retries once a second
  local deadline=$(($(date +%s) + $1)); shift
  until "$@" >/dev/null 2>&1; do (($(date +%s) < deadline)) || return 1; sleep 1; done
}
vm_do() { # a command for the VM's init; waits for its "done"
  exec 3<>"/dev/tcp/127.0.0.1/$control"
  echo "$*" >&3
  local reply
  IFS= read -r -t 60 reply <&3 || reply="no answer"
  exec 3>&-
  [[ $reply == "done 0" ]] || { echo "vm: '$*' answered '$reply'" >&2; return 1; }
}

if curl -fs "$base/healthz" >/dev/null 2>&1; then
  pass "the VM boots and Edge serves /healthz ($(($(date +%s) - started)) s)"
else
  fail "the VM boots and Edge serves /healthz" "$(tail -n 20 "$work/console.log"; cat "$work/qemu.err")"
  echo "$passed passed, $failed failed"
  exit 1
fi
edge_started=$(api system.info | json "d['result']['startedAt']")

# 1. camera.list shows vivid and its formats.
list=$(api camera.list)
if echo "$list" | json "[f['format'] for d in d['result']['devices'] if d['driver'] == 'vivid' for f in d['formats']]" | grep -q "'yuyv'.*'nv12'\|'nv12'.*'yuyv'"; then
  pass "camera.list shows the vivid device with YUYV and NV12"
else
  fail "camera.list shows the vivid device with YUYV and NV12" "$list"
fi

# 2. Each format at two sizes, set at run time: snapshots at the size, streams of 30 decodable frames.
snapshot_size() { curl -fs --max-time 30 "$base/snapshot.jpg" -o "$work/snap.jpg" && ffprobe -v error -show_entries stream=width,height -of csv=p=0 "$work/snap.jpg"; }
for format in yuyv nv12; do
  for size in 640x480 1280x720; do
    width=${size%x*}; height=${size#*x}
    reply=$(api camera.set "{\"source\":\"v4l2\",\"device\":\"/dev/video0\",\"format\":\"$format\",\"width\":$width,\"height\":$height,\"fps\":30}" || true)
    if ! echo "$reply" | grep -q '"result"'; then fail "camera.set $format $size" "$reply"; continue; fi
    if until_true 60 bash -c "[[ \$(curl -fs --max-time 30 '$base/snapshot.jpg' -o '$work/snap.jpg' && ffprobe -v error -show_entries stream=width,height -of csv=p=0 '$work/snap.jpg') == $width,$height ]]"; then
      pass "$format $size: /snapshot.jpg decodes at $width×$height"
    else
      fail "$format $size: /snapshot.jpg decodes at $width×$height" "got $(snapshot_size 2>&1 || true)"
    fi
    frames=$(timeout 120 ffmpeg -nostdin -v error -f mpjpeg -i "$base/stream.mjpg" -frames:v 30 -f framemd5 - 2>"$work/ffmpeg.err" | grep -vc '^#' || true)
    if [[ $frames -ge 30 && ! -s $work/ffmpeg.err ]]; then
      pass "$format $size: /stream.mjpg delivers 30 frames that decode"
    else
      fail "$format $size: /stream.mjpg delivers 30 frames that decode" "$frames frames; $(head -c 300 "$work/ffmpeg.err")"
    fi
  done
done
# The frame rate too: vivid's webcam offers 10 fps at 640×480; Edge's capture rate follows.
capture_fps() { api state.get '{"keys":["camera.fps"]}' | json "d['result']['camera.fps']['capture']"; }
api camera.set '{"format":"yuyv","width":640,"height":480,"fps":10}' >/dev/null
# Read while a viewer watches (capture runs only then), after the restart has settled.
curl -sN --max-time 8 "$base/stream.mjpg" -o /dev/null &
sleep 6
rate=$(capture_fps)
wait $! || true
if python3 -c "import sys; sys.exit(0 if 8 <= float('$rate') <= 12 else 1)"; then
  pass "camera.set fps 10: the capture runs at $rate fps"
else
  fail "camera.set fps 10: the capture runs at about 10 fps" "$rate fps"
fi
if [[ $(api system.info | json "d['result']['startedAt']") == "$edge_started" ]]; then
  pass "five camera.set changes ran in one Edge process"
else
  fail "five camera.set changes ran in one Edge process"
fi

# 3. Faults while a viewer stays connected: it must get frames again each time.
curl -sN "$base/stream.mjpg" -o "$work/viewer.mjpg" &
viewer_pid=$!
grows() { # the viewer's file grows by a frame's worth within 30 s
  local before; before=$(stat -c %s "$work/viewer.mjpg" 2>/dev/null || echo 0)
  until_true 30 bash -c "(( \$(stat -c %s '$work/viewer.mjpg') > $before + 20000 ))"
}
signal_ok() { [[ $(api state.get '{"keys":["camera.video"]}' | json "d['result']['camera.video']['signal']") == ok ]]; }
if grows; then pass "a viewer gets frames"; else fail "a viewer gets frames"; fi

restarts() { api system.info | json "[s['restarts'] for s in d['result']['services'] if s['name'] == 'camera'][0]"; }
before=$(restarts)
if vm_do ctl inject_fatal_streaming_error=1; then
  if until_true 60 bash -c "(( \$(curl -fsS '$base/api' -H 'Content-Type: application/json' -d '{\"id\":1,\"method\":\"system.info\"}' | python3 -c \"import json,sys; print([s['restarts'] for s in json.load(sys.stdin)['result']['services'] if s['name'] == 'camera'][0])\") > $before ))" \
    && until_true 60 signal_ok && grows; then
    pass "after a fatal streaming error the source restarts and the same viewer gets frames again"
  else
    fail "after a fatal streaming error the source restarts and the same viewer gets frames again" "restarts $before -> $(restarts)"
  fi
else
  fail "vivid's fatal streaming error can be injected"
fi

before=$(restarts)
if vm_do ctl disconnect=1 && vm_do reload; then
  if until_true 90 signal_ok && grows && (($(restarts) > before)); then
    pass "after a disconnect and a reload of vivid the source recovers and the same viewer gets frames again"
  else
    fail "after a disconnect and a reload of vivid the source recovers and the same viewer gets frames again" "$(api state.get '{"keys":["camera.status","camera.video"]}')"
  fi
else
  fail "vivid disconnects and reloads" "$(tail -n 5 "$work/console.log")"
fi
if kill -0 "$viewer_pid" 2>/dev/null; then pass "the viewer stayed connected throughout"; else fail "the viewer stayed connected throughout"; fi

# What Edge said about the camera, for the record (its log is the VM's console).
echo "vm: Edge's warnings and errors (fps adjustments left out):"
grep -aE ' (warn|error) ' "$work/console.log" | grep -av 'fps instead of' | cut -c1-220 | head -n 20 | sed 's/^/vm:   /'
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
