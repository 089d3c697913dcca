// The files panel: GET /files, upload with PUT /files/{name} (XMLHttpRequest, for its progress events),
// download links, DELETE. New events may have saved snapshots: the list follows them, at most every 2 s.
import { headers, watch } from './api.js';
import { $, el, bytes, time } from './dom.js';
import { allowed } from './role.js';

let refreshing = null;
let lastRefresh = 0;

function error(text) { $('files-error').textContent = text; }

async function failure(reply) {
  const text = (await reply.text()).trim();
  return text || `${reply.status} ${reply.statusText}`;
}

export async function refresh() {
  if (!allowed('operator')) return;
  lastRefresh = Date.now();
  try {
    const reply = await fetch('/files', { headers, cache: 'no-store' });
    if (!reply.ok) { error(await failure(reply)); return; }
    render(await reply.json());
  } catch (e) {
    error(e.message);
  }
}

function render(files) {
  files.sort((a, b) => b.modified.localeCompare(a.modified));
  $('files-empty').hidden = files.length > 0;
  $('file-rows').replaceChildren(...files.map((file) => {
    const href = '/files/' + encodeURIComponent(file.name);
    return el('tr', {},
      el('td', {}, el('a', { href, download: file.name }, file.name)),
      el('td', { class: 'number' }, bytes(file.size)),
      el('td', {}, time(file.modified)),
      el('td', {}, el('button', { type: 'button', class: 'small', 'aria-label': 'Delete ' + file.name, onclick: () => remove(file.name) }, 'Delete')));
  }));
}

async function remove(name) {
  if (!confirm(`Delete ${name}?`)) return;
  error('');
  const reply = await fetch('/files/' + encodeURIComponent(name), { method: 'DELETE', headers });
  if (!reply.ok && reply.status !== 404) error(await failure(reply));
  refresh();
}

function upload(file) {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open('PUT', '/files/' + encodeURIComponent(file.name));
    request.setRequestHeader('X-Requested-With', headers['X-Requested-With']);
    const progress = $('upload-progress');
    progress.hidden = false;
    progress.value = 0;
    request.upload.onprogress = (event) => {
      if (!event.lengthComputable) return;
      progress.value = event.loaded / event.total;
      $('upload-state').textContent = `${file.name}: ${Math.round(100 * progress.value)}%`;
    };
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) $('upload-state').textContent = `${file.name}: uploaded`;
      else error(`${file.name}: ${request.responseText.trim() || request.status}`);
      resolve();
    };
    request.onerror = () => { error(`${file.name}: the upload broke off`); resolve(); };
    request.send(file);
  });
}

$('upload').addEventListener('submit', async (event) => {
  event.preventDefault();
  error('');
  const chosen = [...$('upload-file').files];
  if (!chosen.length) { error('Choose a file first.'); return; }
  $('upload-button').disabled = true;
  for (const file of chosen) await upload(file);
  $('upload-button').disabled = false;
  $('upload-progress').hidden = true;
  $('upload-file').value = '';
  refresh();
});

watch('events.last', () => {
  if (refreshing) return;
  refreshing = setTimeout(() => { refreshing = null; refresh(); }, Math.max(0, 2000 - (Date.now() - lastRefresh)));
});
