// The recordings panel: one day's recordings (recordings.list from local midnight to midnight) on a
// timeline and in a table; a click plays one (/recordings/NAME, which seeks with Range; a timelapse,
// .avi, is downloaded: browsers do not play MJPEG AVI); operators
// start and stop a recording and delete files. The list follows the `recording` state (a new file, a
// file closed) at most every 2 s.
import { call, headers, watch } from './api.js';
import { $, el, bytes, duration } from './dom.js';
import { allowed } from './role.js';

let lastSegments = -1;
let timer = 0;

function error(text) { $('rec-error').textContent = text; }

function dayRange() {
  const day = $('rec-day').value ? new Date($('rec-day').value + 'T00:00') : new Date(new Date().toDateString());
  return [day, new Date(day.getTime() + 86400000)];
}

export async function load() {
  if (!$('rec-day').value) $('rec-day').valueAsDate = new Date(Date.now() - new Date().getTimezoneOffset() * 60000);
  const [from, to] = dayRange();
  const found = [];
  try {
    let after = null;
    do {
      const page = await call('recordings.list', { from: from.toISOString(), to: to.toISOString(), limit: 1000, after });
      found.push(...page.recordings);
      after = page.next;
    } while (after && found.length < 5000);
    error('');
  } catch (e) {
    error(e.message);
    return;
  }
  render(found, from);
}

function render(recordings, from) {
  const dayMs = 86400000;
  $('rec-empty').hidden = recordings.length > 0;
  $('rec-timeline').replaceChildren(...recordings.map((r) => {
    const start = Math.max(0, new Date(r.start) - from);
    const left = Math.min(100, start / dayMs * 100);
    const width = Math.min(100 - left, r.seconds * 1000 / dayMs * 100);
    const block = el('button', { type: 'button', role: 'listitem', class: r.open ? 'open' : '',
      title: `${new Date(r.start).toLocaleTimeString()} · ${duration(r.seconds)}`, 'aria-label': 'Play ' + r.name,
      onclick: () => open(r.name) });
    // Through the CSSOM: the page's Content-Security-Policy refuses style attributes.
    block.style.left = `${left}%`;
    block.style.width = `${width}%`;
    return block;
  }));
  $('rec-rows').replaceChildren(...recordings.slice().reverse().map((r) => {
    const href = '/recordings/' + encodeURIComponent(r.name);
    return el('tr', {},
      el('td', {}, el('a', { href, onclick: (event) => { event.preventDefault(); open(r.name); } }, new Date(r.start).toLocaleTimeString()),
        r.name.endsWith('.avi') ? ' (timelapse)' : '', r.open ? ' (recording)' : ''),
      el('td', { class: 'number' }, duration(r.seconds)),
      el('td', { class: 'number' }, bytes(r.bytes)),
      el('td', {},
        el('a', { href, download: r.name }, 'Download'), ' ',
        allowed('operator') && !r.open
          ? el('button', { type: 'button', class: 'small', 'aria-label': 'Delete ' + r.name, onclick: () => remove(r.name) }, 'Delete')
          : ''));
  }));
}

function open(name) {
  if (!name.endsWith('.mp4')) { location.href = '/recordings/' + encodeURIComponent(name); return; }
  const player = $('rec-player');
  player.hidden = false;
  player.src = '/recordings/' + encodeURIComponent(name);
  player.play().catch(() => { /* the user presses play */ });
}

async function remove(name) {
  if (!confirm(`Delete ${name}?`)) return;
  error('');
  const reply = await fetch('/recordings/' + encodeURIComponent(name), { method: 'DELETE', headers });
  if (!reply.ok && reply.status !== 404) error((await reply.text()).trim() || `${reply.status} ${reply.statusText}`);
  load();
}

async function command(method) {
  try { await call(method); error(''); } catch (e) { error(e.message); }
}

$('rec-day').addEventListener('change', load);
$('rec-start').addEventListener('click', () => command('recording.start'));
$('rec-stop').addEventListener('click', () => command('recording.stop'));

watch('recording', (key, value) => {
  if (key !== 'recording' || !value) return;
  $('rec-state').textContent = value.recording ? `recording${value.reason ? ' (' + value.reason + ')' : ''}` : `mode ${value.mode}, not recording`;
  // A file began or ended: the list changes (at most every 2 s).
  const mark = value.segments * 2 + (value.file ? 1 : 0);
  if (mark !== lastSegments && !timer) {
    lastSegments = mark;
    timer = setTimeout(() => { timer = 0; load(); }, 2000);
  }
});
