// One WebSocket to /api carries every panel's calls and state. When it drops, it comes back after
// 0.5 s, 1 s, 2 s … 10 s (with jitter), subscribes again and gets every current value.

// Marks our requests so a 401 carries no Basic challenge (no browser password pop-up).
export const headers = { 'X-Requested-With': 'edge-ui' };

const watchers = [];
const values = new Map();
const pending = new Map();
const statusWatchers = [];
let socket = null;
let nextId = 1;
let retryMs = 500;
let retryTimer = 0;
let wanted = false;
let checkAccess = async () => true;

/// Calls fn(key, value) for every key starting with prefix: now for the values known, then on each change.
export function watch(prefix, fn) {
  watchers.push([prefix, fn]);
  for (const [key, value] of values) if (key.startsWith(prefix)) fn(key, value);
}

export function value(key) { return values.get(key); }

/// fn(state, detail) with state 'connecting', 'connected', 'retrying' or 'closed'.
export function onStatus(fn) { statusWatchers.push(fn); }

function status(state, detail) { for (const fn of statusWatchers) fn(state, detail); }

/// Before each reconnection: false when the session is gone (the caller shows the login).
export function setAccessCheck(fn) { checkAccess = fn; }

export function call(method, params) {
  if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.reject(new Error('Not connected to Edge.'));
  const id = nextId++;
  socket.send(JSON.stringify({ id, method, params }));
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

export function connect() {
  wanted = true;
  clearTimeout(retryTimer);
  if (socket) return;
  status('connecting');
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = new WebSocket(`${scheme}://${location.host}/api`);
  socket = ws;
  ws.onopen = () => {
    // The back-off restarts only once the server has answered: one that accepts and drops is retried slowly.
    call('state.subscribe', { prefixes: [''] }).then(() => { retryMs = 500; status('connected'); }, () => {});
  };
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if ('state' in message) {
      values.set(message.state, message.value);
      for (const [prefix, fn] of watchers) if (message.state.startsWith(prefix)) fn(message.state, message.value);
      return;
    }
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(Object.assign(new Error(message.error.message), { code: message.error.code }));
    else waiter.resolve(message.result);
  };
  ws.onclose = (event) => {
    if (socket === ws) socket = null;
    for (const waiter of pending.values()) waiter.reject(new Error('The connection to Edge closed.'));
    pending.clear();
    if (!wanted) { status('closed'); return; }
    status('retrying', event.code === 1001 ? 'Edge is restarting' : 'connection lost');
    const delay = retryMs * (0.75 + Math.random() / 2);
    retryMs = Math.min(retryMs * 2, 10000);
    retryTimer = setTimeout(async () => {
      try { if (await checkAccess()) connect(); } catch { ws.onclose(event); }
    }, delay);
  };
}

export function disconnect() {
  wanted = false;
  clearTimeout(retryTimer);
  if (socket) socket.close(1000);
  socket = null;
}
