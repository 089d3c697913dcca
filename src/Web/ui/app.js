// The page: login and logout, the connection's status, and the panels, each in its own module.
import { headers, call, connect, disconnect, onStatus, setAccessCheck, watch } from './api.js';
import { $, el } from './dom.js';
import { allowed, setRole } from './role.js';
import * as live from './live.js';
import * as camera from './camera.js';
import * as motion from './motion.js';
import * as gpio from './gpio.js';
import * as system from './system.js';
import * as events from './events.js';
import * as recordings from './recordings.js';
import * as files from './files.js';
import './runtime.js';

function basic(user, password) {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  return 'Basic ' + btoa(String.fromCharCode(...bytes));
}

// True when the session cookie (or disabled auth) lets us in; learns the user's role on the way.
async function loggedIn() {
  const reply = await fetch('/api', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ id: 0, method: 'auth.whoami' }),
  });
  if (reply.status === 401) return false;
  setRole((await reply.json()).result?.role);
  return true;
}

function show(signedIn) {
  $('login').hidden = signedIn;
  $('app').hidden = !signedIn;
  $('logout').hidden = !signedIn;
  if (signedIn) {
    connect();
    live.start();
    if (allowed('operator')) files.refresh();
  } else {
    disconnect();
    live.stop();
    $('user').focus();
  }
}

let dropped = false;
onStatus((state, detail) => {
  $('status').textContent = { connecting: 'connecting…', connected: 'live', retrying: `${detail}, retrying…`, closed: 'logged out' }[state];
  $('status').className = 'status ' + state;
  if (state === 'retrying') dropped = true;
  if (state !== 'connected') return;
  camera.load();
  motion.load();
  system.load();
  events.load();
  recordings.load();
  // After a drop (a restart, say) the picture's connection may have died with it.
  if (dropped) { dropped = false; live.start(); if (allowed('operator')) files.refresh(); }
});

setAccessCheck(async () => {
  if (await loggedIn()) return true;
  show(false);
  $('status').textContent = 'session ended, log in again';
  return false;
});

$('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('login-error').textContent = '';
  const reply = await fetch('/login', { method: 'POST', headers: { Authorization: basic($('user').value, $('password').value), ...headers } });
  if (reply.ok) { $('password').value = ''; show(await loggedIn()); return; }
  $('login-error').textContent = reply.status === 429
    ? `Too many failed attempts; wait ${reply.headers.get('Retry-After') || 'a few'} s.`
    : reply.status === 401 ? 'Wrong user or password.' : `Login failed (${reply.status}).`;
});

$('logout').addEventListener('click', async () => {
  show(false);
  await fetch('/logout', { method: 'POST', headers });
  $('status').textContent = 'logged out';
});

// Every state value, for whoever wants to see or set the raw ones.
watch('', (key, value) => {
  const id = 'state-' + key;
  let row = document.getElementById(id);
  if (!row) {
    row = el('tr', { id }, el('td', {}, key), el('td'));
    const after = [...$('state').rows].find((r) => r.cells[0].textContent > key);
    $('state').insertBefore(row, after || null);
  }
  row.cells[1].textContent = JSON.stringify(value);
});

$('set').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('set-error').textContent = '';
  let value;
  try { value = JSON.parse($('set-value').value); } catch { $('set-error').textContent = 'The value is not valid JSON.'; return; }
  try { await call('state.set', { key: $('set-key').value, value }); } catch (error) { $('set-error').textContent = error.message; }
});

loggedIn().then(show, () => { $('status').textContent = 'Edge does not answer; reload to try again.'; });
