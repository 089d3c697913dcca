// The shell UI: log in, open WebSocket /api, show every state value live.
'use strict';
const $ = (id) => document.getElementById(id);
// Marks our requests so a 401 carries no Basic challenge (no browser password pop-up).
const ui = { 'X-Requested-With': 'edge-ui' };
let socket = null;
let retryMs = 500;
let nextId = 1;
const pending = new Map();

function show(which) {
  $('login').hidden = which !== 'login';
  $('live').hidden = which !== 'live';
  $('logout').hidden = which !== 'live';
}

function status(text) { $('status').textContent = text; }

function basic(user, password) {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  return 'Basic ' + btoa(String.fromCharCode(...bytes));
}

async function start() {
  const reply = await fetch('/api', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...ui },
    body: JSON.stringify({ id: 0, method: 'ping' }),
  });
  if (reply.status === 401) { status('not logged in'); show('login'); return; }
  connect();
}

function call(method, params) {
  const id = nextId++;
  socket.send(JSON.stringify({ id, method, params }));
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

function connect() {
  show('live');
  status('connecting…');
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  socket = new WebSocket(`${scheme}://${location.host}/api`);
  socket.onopen = () => {
    retryMs = 500;
    status('live');
    call('state.subscribe', { prefixes: [''] });
  };
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if ('state' in message) { render(message.state, message.value); return; }
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(message.error.message)); else waiter.resolve(message.result);
  };
  socket.onclose = (event) => {
    for (const waiter of pending.values()) waiter.reject(new Error('connection closed'));
    pending.clear();
    if ($('live').hidden) return;
    status(event.code === 1001 ? 'server restarting…' : 'disconnected, retrying…');
    setTimeout(start, retryMs);
    retryMs = Math.min(retryMs * 2, 10000);
  };
}

function render(key, value) {
  const id = 'state-' + key;
  let row = document.getElementById(id);
  if (!row) {
    row = document.createElement('tr');
    row.id = id;
    row.append(document.createElement('td'), document.createElement('td'));
    row.cells[0].textContent = key;
    const rows = [...$('state').rows];
    const after = rows.find((r) => r.cells[0].textContent > key);
    $('state').insertBefore(row, after || null);
  }
  row.cells[1].textContent = JSON.stringify(value);
}

$('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('login-error').textContent = '';
  const reply = await fetch('/login', {
    method: 'POST',
    headers: { Authorization: basic($('user').value, $('password').value), ...ui },
  });
  if (reply.ok) { $('password').value = ''; connect(); return; }
  $('login-error').textContent = reply.status === 429
    ? `Too many failed attempts; wait ${reply.headers.get('Retry-After') || 'a few'} s.`
    : reply.status === 401 ? 'Wrong user or password.' : `Login failed (${reply.status}).`;
});

$('set').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('set-error').textContent = '';
  let value;
  try { value = JSON.parse($('set-value').value); } catch { $('set-error').textContent = 'The value is not valid JSON.'; return; }
  try { await call('state.set', { key: $('set-key').value, value }); } catch (error) { $('set-error').textContent = error.message; }
});

$('logout').addEventListener('click', async () => {
  show('login');
  await fetch('/logout', { method: 'POST', headers: ui });
  if (socket) socket.close();
  status('logged out');
});

start().catch((error) => status('error: ' + error.message));
