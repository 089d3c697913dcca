// The live picture. WebRTC first (POST /whep: H.264 with no buffering delay) when the browser has it and
// Edge has an encoder; then H.264 when the browser has MediaSource (ManagedMediaSource on iOS):
// fragmented MP4 over the WebSocket /live into a <video>, kept near the live edge. Otherwise, or when
// those fail, MJPEG: /stream.mjpg in an <img>; when the stream is refused or breaks, /snapshot.jpg once
// a second, trying the stream again every 30 s. The choice is the user's ("Stream").
import { watch, value } from './api.js';
import { $ } from './dom.js';

const Media = window.ManagedMediaSource || window.MediaSource;
const retryMs = 30000;
const maxQueued = 90; // fragments the page has not appended yet: 3 s at 30 fps, then it starts again on a key frame
const keptSeconds = 10;

let active = false;
let mode = 'off';
let timer = 0;
let picture = null;
let socket = null;
let peer = null;
let session = null;
let h264RetryAt = 0;
let webrtcRetryAt = 0;
// Capture-to-display delays (ms) of the last frames shown, for the facts line and for tests.
const delays = [];
window.edgeLive = { delays, mode: () => mode };

export function start() {
  active = true;
  if (!document.hidden) play();
}

export function stop() {
  active = false;
  halt();
}

const choice = () => localStorage.getItem('edge.stream') || 'auto';

function play() {
  const want = choice();
  const h264 = value('camera.h264');
  const offered = !(h264 && h264.error);
  const mse = Media && Media.isTypeSupported('video/mp4; codecs="avc1.42E01E"');
  const rtc = window.RTCPeerConnection && offered;
  if (rtc && (want === 'webrtc' || (want === 'auto' && Date.now() >= webrtcRetryAt))) playWebRtc();
  else if ((want === 'auto' || want === 'h264') && mse && offered && (want === 'h264' || Date.now() >= h264RetryAt)) playH264();
  else stream();
}

function halt() {
  mode = 'off';
  clearTimeout(timer);
  if (socket) { const s = socket; socket = null; s.close(); }
  if (peer) {
    const p = peer;
    peer = null;
    p.close();
    // The session ends now rather than when Edge stops hearing from it.
    if (session) fetch(session, { method: 'DELETE', keepalive: true }).catch(() => {});
    session = null;
  }
  const video = $('video');
  video.onerror = null;
  video.removeAttribute('src');
  const player = $('player');
  if (player.getAttribute('src')) { player.removeAttribute('src'); player.load(); }
  player.srcObject = null;
  player.hidden = true;
  video.hidden = false;
  delays.length = 0;
  render();
}

// WebRTC through WHEP. No picture within 5 s (UDP blocked between browser and board, no H.264 in this
// browser) or a connection that fails: the next choice, and WebRTC again after 30 s.
function playWebRtc() {
  halt();
  mode = 'webrtc';
  const player = $('player');
  const pc = new RTCPeerConnection();
  peer = pc;
  const fail = () => {
    if (peer !== pc) return;
    webrtcRetryAt = Date.now() + retryMs;
    if (choice() === 'auto') play(); else stream();
  };
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.ontrack = (event) => {
    if (peer !== pc) return;
    player.srcObject = new MediaStream([event.track]);
    player.play().catch(() => {});
    player.hidden = false;
    $('video').hidden = true;
    watchRtcFrames(player, pc);
    render();
  };
  pc.onconnectionstatechange = () => { if (pc.connectionState === 'failed' || pc.connectionState === 'closed') fail(); };
  (async () => {
    try {
      await pc.setLocalDescription(await pc.createOffer());
      const reply = await fetch('/whep', { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
      if (peer !== pc) return;
      if (reply.status !== 201) { fail(); return; }
      session = reply.headers.get('Location');
      await pc.setRemoteDescription({ type: 'answer', sdp: await reply.text() });
    } catch { fail(); }
  })();
  timer = setTimeout(() => { if (peer === pc && !(player.currentTime > 0)) fail(); }, 5000);
  render();
}

// WebRTC's frames carry their capture time in their RTP timestamps: Edge's RTP clock is the wall clock at 90 kHz.
function watchRtcFrames(player, pc) {
  if (!player.requestVideoFrameCallback) return;
  const frame = (now, meta) => {
    if (peer !== pc) return;
    if (meta.rtpTimestamp !== undefined) {
      const shown = (performance.timeOrigin + meta.expectedDisplayTime) * 90;
      // Signed: a browser's clock a little behind the camera's gives a small negative delay, not 13 hours.
      let behind = (((shown - meta.rtpTimestamp) % 2 ** 32) + 2 ** 32) % 2 ** 32;
      if (behind >= 2 ** 31) behind -= 2 ** 32;
      delays.push(behind / 90);
      if (delays.length > 600) delays.splice(0, delays.length - 600);
    }
    player.requestVideoFrameCallback(frame);
  };
  player.requestVideoFrameCallback(frame);
}

function playH264() {
  halt();
  mode = 'h264';
  const player = $('player');
  const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/live');
  ws.binaryType = 'arraybuffer';
  socket = ws;
  const queue = [];
  let hello = null;
  let buffer = null;
  // No stream (no encoder, the camera down) or a player that cannot: MJPEG now, H.264 again later.
  const fail = () => {
    if (socket !== ws) return;
    h264RetryAt = Date.now() + retryMs;
    stream();
  };
  ws.onclose = () => {
    if (socket !== ws) return;
    // A stream that played and ended (new size, a restart) starts again; one that never came (refused) falls back.
    if (!hello) { fail(); return; }
    socket = null;
    timer = setTimeout(() => { if (active && mode === 'h264') playH264(); }, 500);
  };
  ws.onmessage = (event) => {
    if (socket !== ws) return;
    if (typeof event.data === 'string') {
      hello = JSON.parse(event.data);
      const media = new Media();
      player.disableRemotePlayback = true;
      player.src = URL.createObjectURL(media);
      media.addEventListener('sourceopen', () => {
        URL.revokeObjectURL(player.src);
        try {
          buffer = media.addSourceBuffer(`video/mp4; codecs="${hello.codec}"`);
        } catch { fail(); return; }
        buffer.mode = 'segments';
        buffer.addEventListener('updateend', append);
        buffer.addEventListener('error', fail);
        append();
      }, { once: true });
      player.onerror = fail;
      player.hidden = false;
      $('video').hidden = true;
      watchFrames(player, hello.epoch);
      render();
      return;
    }
    if (queue.length >= maxQueued) { ws.close(); return; }
    queue.push(event.data);
    append();
  };

  function append() {
    if (!buffer || buffer.updating || socket !== ws) return;
    const ranges = player.buffered;
    if (ranges.length) {
      const start = ranges.start(0), end = ranges.end(ranges.length - 1);
      // Bounded memory: what is long past goes.
      if (end - start > 2 * keptSeconds) { buffer.remove(start, end - keptSeconds); return; }
      const lag = end - player.currentTime;
      if (player.currentTime < ranges.start(ranges.length - 1) || lag > 1) player.currentTime = Math.max(ranges.start(ranges.length - 1), end - 0.05);
      else player.playbackRate = lag > 0.25 ? 1.1 : 1;
      if (player.paused) player.play().catch(() => {});
    }
    if (!queue.length) return;
    const next = queue.length === 1 ? queue.shift() : join(queue.splice(0));
    try { buffer.appendBuffer(next); } catch { fail(); }
  }
}

function join(parts) {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of parts) { all.set(new Uint8Array(part), at); at += part.byteLength; }
  return all;
}

// Each frame shown: when it was captured (the stream's epoch + its media time) against when it shows.
function watchFrames(player, epoch) {
  if (!player.requestVideoFrameCallback) return;
  const frame = (now, meta) => {
    if (mode !== 'h264' || player.hidden) return;
    delays.push(performance.timeOrigin + meta.expectedDisplayTime - (epoch + meta.mediaTime * 1000));
    if (delays.length > 600) delays.splice(0, delays.length - 600);
    player.requestVideoFrameCallback(frame);
  };
  player.requestVideoFrameCallback(frame);
}

function stream() {
  halt();
  mode = 'stream';
  const video = $('video');
  video.onerror = () => { if (mode === 'stream') poll(); };
  video.src = '/stream.mjpg?ui=' + Date.now();
  render();
}

function poll() {
  halt();
  mode = 'poll';
  const until = Date.now() + retryMs;
  const next = async () => {
    if (mode !== 'poll') return;
    if (Date.now() > until) { play(); return; }
    const abort = new AbortController();
    const slow = setTimeout(() => abort.abort(), 5000);
    try {
      const reply = await fetch('/snapshot.jpg', { cache: 'no-store', signal: abort.signal });
      if (reply.ok && mode === 'poll') {
        const url = URL.createObjectURL(await reply.blob());
        $('video').src = url;
        if (picture) URL.revokeObjectURL(picture);
        picture = url;
      }
    } catch { /* the next try says more */ }
    clearTimeout(slow);
    if (mode === 'poll') timer = setTimeout(next, 1000);
  };
  render();
  next();
}

document.addEventListener('visibilitychange', () => {
  if (!active) return;
  if (document.hidden) halt(); else play();
});

$('stream-kind').value = choice();
$('stream-kind').addEventListener('change', () => {
  localStorage.setItem('edge.stream', $('stream-kind').value);
  h264RetryAt = webrtcRetryAt = 0;
  if (active && !document.hidden) play();
});

function render() {
  const video = value('camera.video') || {};
  const status = value('camera.status') || {};
  const fps = value('camera.fps');
  const viewers = value('camera.viewers');
  $('resolution').textContent = video.width ? `${video.width}×${video.height}` : '–';
  // H.264: the camera's rate; MJPEG: frames delivered to all viewers, per viewer.
  $('fps').textContent = !fps ? '0' : mode === 'h264' || mode === 'webrtc' ? fps.capture.toFixed(1)
    : viewers ? (fps.delivered / viewers).toFixed(1) : '0';
  $('source').textContent = status.description || status.source || '';
  $('mode').textContent = { webrtc: 'WebRTC', h264: 'H.264', stream: 'MJPEG', poll: 'snapshots' }[mode] || '';
  const down = video.signal === 'down' || video.signal === 'none';
  $('nosignal').hidden = !down;
  $('nosignal').textContent = video.signal === 'none' ? 'No signal' : `Camera ${status.state || 'down'}${status.error ? ': ' + status.error : ''}`;
}

// The delay shown is the median of the last second's frames.
setInterval(() => {
  const recent = delays.slice(-30).sort((a, b) => a - b);
  $('delay').textContent = (mode === 'h264' || mode === 'webrtc') && recent.length
    ? ` · ${Math.round(recent[recent.length >> 1])} ms behind` : '';
}, 1000);

watch('camera.', (key) => { if (key !== 'camera.drops' && key !== 'camera.encode_ms') render(); });
