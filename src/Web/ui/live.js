// The live picture: /stream.mjpg in an <img>; when the stream is refused or breaks, /snapshot.jpg once a
// second, trying the stream again every 30 s. Size, fps and "no signal" come from the server's state.
import { watch, value } from './api.js';
import { $ } from './dom.js';

let active = false;
let mode = 'off';
let timer = 0;
let picture = null;

export function start() {
  active = true;
  if (!document.hidden) stream();
}

export function stop() {
  active = false;
  halt();
}

function halt() {
  mode = 'off';
  clearTimeout(timer);
  const video = $('video');
  video.onerror = null;
  video.removeAttribute('src');
}

function stream() {
  halt();
  mode = 'stream';
  const video = $('video');
  video.onerror = () => { if (mode === 'stream') poll(); };
  video.src = '/stream.mjpg?ui=' + Date.now();
}

function poll() {
  halt();
  mode = 'poll';
  const until = Date.now() + 30000;
  const next = async () => {
    if (mode !== 'poll') return;
    if (Date.now() > until) { stream(); return; }
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
  next();
}

document.addEventListener('visibilitychange', () => {
  if (!active) return;
  if (document.hidden) halt(); else stream();
});

function render() {
  const video = value('camera.video') || {};
  const status = value('camera.status') || {};
  const fps = value('camera.fps');
  const viewers = value('camera.viewers');
  $('resolution').textContent = video.width ? `${video.width}×${video.height}` : '–';
  // Frames delivered to all viewers, per viewer.
  $('fps').textContent = fps && viewers ? (fps.delivered / viewers).toFixed(1) : '0';
  $('source').textContent = status.description || status.source || '';
  const down = video.signal === 'down' || video.signal === 'none';
  $('nosignal').hidden = !down;
  $('nosignal').textContent = video.signal === 'none' ? 'No signal' : `Camera ${status.state || 'down'}${status.error ? ': ' + status.error : ''}`;
}

watch('camera.', (key) => { if (key !== 'camera.drops' && key !== 'camera.encode_ms') render(); });
