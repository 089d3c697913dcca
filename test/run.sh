#!/usr/bin/env bash
# The whole test suite: unit tests, real-server tests on 127.0.0.1, and tests of the published
# native binary (publish.sh runs inside them, installing missing build packages), the camera with
# ffmpeg as source and client, GStreamer as another RTSP client, the web UI in Chromium and Firefox
# (and hls.js from npm as a third-party HLS player), and ONVIF with the npm 'onvif' client (WS-Discovery
# on a virtual LAN of two network namespaces, which needs root and iproute2).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use: Chromium and Firefox ESR for the browser tests (Chromium driven by
# playwright-core, Firefox over WebDriver BiDi; no browser download), ffmpeg/ffprobe as camera and viewer, libturbojpeg for the
# encoder under the JIT, gcc and
# the kernel headers for the V4L2 struct-layout check, iproute2 for the network namespaces,
# systemd-analyze to verify the unit file, promtool (Debian's prometheus) to check /metrics, e2fsprogs
# for the small ext4 file system the storage-fault test fills and breaks, mosquitto (a real MQTT broker)
# and its command-line clients for the MQTT tests, aiortc (Python's WebRTC, a viewer that is no browser).
need=()
[[ -x /usr/bin/chromium ]] || need+=(chromium)
[[ -x /usr/bin/firefox-esr ]] || need+=(firefox-esr)
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v gst-launch-1.0 >/dev/null 2>&1 || need+=(gstreamer1.0-tools gstreamer1.0-plugins-good)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v mkfs.ext4 >/dev/null 2>&1 || need+=(e2fsprogs)
{ [[ -x /usr/sbin/mosquitto ]] && command -v mosquitto_sub >/dev/null 2>&1; } || need+=(mosquitto mosquitto-clients)
[[ -f /usr/lib/python3/dist-packages/aiortc/__init__.py ]] || need+=(python3-aiortc)
# OpenH264 (Cisco's, BSD) is Edge's software H.264 encoder, loaded at run time; its headers are for the struct-layout check.
# Named with the machine's architecture: once arm64 is added for cross-publishing, a bare name is ambiguous.
arch=$(dpkg --print-architecture)
for pkg in libturbojpeg0 linux-libc-dev libopenh264-7 libopenh264-dev; do
  dpkg -s "$pkg:$arch" >/dev/null 2>&1 || need+=("$pkg:$arch")
done
if ((${#need[@]})); then
  sudo=(); [[ $(id -u) == 0 ]] || sudo=(sudo)
  echo "test/run.sh: installing ${need[*]}" >&2
  "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [[ ! -d test/ui/node_modules/playwright-core || ! -d test/ui/node_modules/hls.js ]]; then
  (cd test/ui && npm install --no-package-lock --no-audit --no-fund --silent)
fi
if [[ ! -d test/Onvif/node_modules/onvif ]]; then
  (cd test/Onvif && npm install --no-package-lock --no-audit --no-fund --silent)
fi
exec dotnet test Edge.Tests.csproj --logger "console;verbosity=normal" "$@"
