// The latest journal events, newest first. events.last (state) says when more are on disk; the panel
// then asks events.list for the newest again. Saved snapshots link to their files.
import { call, watch } from './api.js';
import { $, el, time } from './dom.js';

const shown = 30;
let events = [];
let fetching = false;
let again = false;

function describe(event) {
  const data = event.data;
  if (event.kind === 'camera.snapshot' && data?.file) {
    return [`${data.pin}: `, el('a', { href: '/files/' + encodeURIComponent(data.file), target: '_blank', rel: 'noopener' }, data.file)];
  }
  if (event.kind === 'gpio.edge' && data) return [`${data.pin} ${data.edge}, now ${data.value}`];
  if (event.kind.startsWith('service.') && data) return [`${data.name}${data.lastError ? ': ' + data.lastError : ''}`];
  const text = data == null ? '' : typeof data === 'string' ? data : JSON.stringify(data);
  return [text.length > 160 ? text.slice(0, 160) + '…' : text];
}

function render() {
  $('event-list').replaceChildren(...events.map((e) => el('li', {},
    el('time', { datetime: e.time }, time(e.time)), ' ',
    el('b', {}, e.kind), ' ', ...describe(e))));
  $('events-empty').hidden = events.length > 0;
}

export async function load() {
  if (fetching) { again = true; return; }
  fetching = true;
  try {
    events = (await call('events.list', { limit: shown })).events;
    render();
    $('events-error').textContent = '';
  } catch (error) {
    $('events-error').textContent = error.message;
  } finally {
    fetching = false;
  }
  if (again) { again = false; load(); }
}

watch('events.last', (key, seq) => { if (!events.length || seq > events[0].seq) load(); });
