#!/usr/bin/env node
// Reference server for the benchmark: the same job as Edge's WebSocket /api state fan-out,
// written the ordinary way with Node.js and the `ws` package.
//
// Speaks Edge's envelope: requests {"id":N,"method":"…","params":{…}}, replies {"id":N,"result":…}
// or {"id":N,"error":{"code":…,"message":"…"}}, pushes {"state":key,"value":…}.
// Methods: ping, state.get, state.set (only "user." keys), state.subscribe, state.unsubscribe.
// Like Edge, a subscriber first gets the current values of matching keys, then every change;
// setting a key to the JSON it already holds is not a change.
//
// Usage: node node-server.js PORT   (listens on 127.0.0.1:PORT, path /api; SIGTERM stops it)
'use strict';

const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] || 8090);
const USER_PREFIX = 'user.';
const MAX_USER_VALUE_BYTES = 4096;

/** key -> { json: string, version: number, push: Buffer } */
const entries = new Map();
/** socket -> array of prefixes */
const subscribers = new Map();

function wants(prefixes, key) {
  for (const p of prefixes) if (key.startsWith(p)) return true;
  return false;
}

function pushOf(key, json) {
  // Encoded once and shared by every subscriber (ws frames a Buffer without re-encoding it).
  return Buffer.from(`{"state":${JSON.stringify(key)},"value":${json}}`);
}

function reply(ws, id, result) {
  ws.send(JSON.stringify({ id, result }));
}

function fail(ws, id, code, message) {
  ws.send(JSON.stringify({ id, error: { code, message } }));
}

function set(key, value) {
  const json = JSON.stringify(value);
  const current = entries.get(key);
  if (current && current.json === json) return current;
  const entry = { json, version: (current ? current.version : 0) + 1, push: pushOf(key, json) };
  entries.set(key, entry);
  for (const [client, prefixes] of subscribers) {
    if (wants(prefixes, key)) client.send(entry.push, { binary: false });
  }
  return entry;
}

function handle(ws, text) {
  let req;
  try {
    req = JSON.parse(text);
  } catch (e) {
    return fail(ws, null, -32700, `Malformed JSON: ${e.message}`);
  }
  if (req === null || typeof req !== 'object' || typeof req.method !== 'string') {
    return fail(ws, req && req.id !== undefined ? req.id : null, -32600, 'A request is a JSON object with "method".');
  }
  const id = req.id === undefined ? null : req.id;
  const params = req.params || {};
  switch (req.method) {
    case 'ping':
      return reply(ws, id, 'pong');
    case 'state.get': {
      const out = {};
      const keys = Array.isArray(params.keys) ? params.keys : [...entries.keys()];
      for (const k of keys) if (entries.has(k)) out[k] = JSON.parse(entries.get(k).json);
      return reply(ws, id, out);
    }
    case 'state.set': {
      const { key, value } = params;
      if (typeof key !== 'string' || !/^[A-Za-z0-9._-]{1,128}$/.test(key)) return fail(ws, id, -32602, 'Invalid key.');
      if (value === undefined) return fail(ws, id, -32602, 'params.value is required.');
      if (!key.startsWith(USER_PREFIX) || key.length === USER_PREFIX.length) {
        return fail(ws, id, -32001, `'${key}' does not exist and only '${USER_PREFIX}*' keys can be created.`);
      }
      if (Buffer.byteLength(JSON.stringify(value)) > MAX_USER_VALUE_BYTES) return fail(ws, id, -32002, 'Value too large.');
      const entry = set(key, value);
      return reply(ws, id, { key, version: entry.version });
    }
    case 'state.subscribe':
    case 'state.unsubscribe': {
      if (!Array.isArray(params.prefixes) || !params.prefixes.every((p) => typeof p === 'string')) {
        return fail(ws, id, -32602, 'params.prefixes must be an array of strings.');
      }
      const prefixes = subscribers.get(ws) || [];
      if (req.method === 'state.unsubscribe') {
        const left = prefixes.filter((p) => !params.prefixes.includes(p));
        if (left.length) subscribers.set(ws, left); else subscribers.delete(ws);
        return reply(ws, id, { prefixes: left });
      }
      const added = params.prefixes.filter((p) => !prefixes.includes(p));
      prefixes.push(...added);
      subscribers.set(ws, prefixes);
      reply(ws, id, { prefixes });
      for (const [key, entry] of entries) {
        if (wants(added, key)) ws.send(entry.push, { binary: false });
      }
      return undefined;
    }
    default:
      return fail(ws, id, -32601, `Unknown method '${req.method}'.`);
  }
}

const wss = new WebSocketServer({ host: '127.0.0.1', port, path: '/api', maxPayload: 1 << 20 });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    if (isBinary) return fail(ws, null, -32600, 'Requests are text messages holding JSON.');
    return handle(ws, data.toString());
  });
  ws.on('close', () => subscribers.delete(ws));
  ws.on('error', () => subscribers.delete(ws));
});
wss.on('listening', () => console.log(`node-server listening on ws://127.0.0.1:${port}/api`));

function stop() {
  for (const client of wss.clients) client.terminate();
  wss.close(() => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
