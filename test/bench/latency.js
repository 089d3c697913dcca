#!/usr/bin/env node
// Load tool: state change -> subscriber arrival latency over WebSocket /api (Edge or node-server.js).
//
// Opens N subscriber connections, each sends state.subscribe {"prefixes":[KEY]} and waits for its
// reply; one more "writer" connection then sends ROUNDS state.set of KEY, INTERVAL ms apart, with the
// value {"run":RUN,"seq":i}. Send time and every arrival are taken with process.hrtime.bigint() in
// this one process (one clock). A sample is one (round, subscriber) pair; p50/p99 are over all of them.
//
// Edge coalesces pushes per key per client: if a newer value replaces an unsent older one, that older
// sample never arrives. Such samples are counted as "coalesced" (a later seq reached that client) or
// "missing" (nothing later arrived before the deadline); neither is in the percentiles.
//
// Usage: node latency.js --url ws://127.0.0.1:PORT/api [--clients 100] [--rounds 300] [--interval 10]
//          [--key user.bench] [--warmup 50] [--label edge] [--rss-pid PID] [--settle 1000]
// Prints one JSON line with the results on stdout; problems go to stderr. Exits 1 on a failed run.
'use strict';

const WebSocket = require('ws');

function args() {
  const o = { url: '', clients: 100, rounds: 300, interval: 10, key: 'user.bench', warmup: 50, label: '', rssPid: 0, settle: 1000, timeout: 10000 };
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i += 2) {
    const name = a[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(name in o)) throw new Error(`unknown option ${a[i]}`);
    o[name] = typeof o[name] === 'number' ? Number(a[i + 1]) : a[i + 1];
  }
  if (!o.url) throw new Error('--url is required');
  return o;
}

const opt = args();
const now = () => process.hrtime.bigint();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const problems = [];
function problem(msg) {
  if (problems.length < 20) process.stderr.write(`latency.js [${opt.label}]: ${msg}\n`);
  problems.push(msg);
}

const RUN = Math.random().toString(36).slice(2, 10);
// Both servers write the push as {"state":KEY,"value":VALUE} with VALUE's members in the order sent.
const FAST_PREFIX = `{"state":${JSON.stringify(opt.key)},"value":{"run":"${RUN}","seq":`;

const N = opt.clients;
const R = opt.rounds;
const sendTimes = new Array(R).fill(0n);
const latencyNs = new Float64Array(R * N).fill(NaN);
const lastSeq = new Int32Array(N).fill(-1);
let outOfOrder = 0;
let duplicates = 0;
let done = 0; // subscribers that have seen the last round

function seqOf(text) {
  if (text.startsWith(FAST_PREFIX)) {
    const seq = parseInt(text.slice(FAST_PREFIX.length), 10);
    if (Number.isInteger(seq)) return seq;
  }
  let msg;
  try { msg = JSON.parse(text); } catch { problem(`unparsable message: ${text.slice(0, 200)}`); return -1; }
  if (msg.state === opt.key) {
    return msg.value && msg.value.run === RUN && Number.isInteger(msg.value.seq) ? msg.value.seq : -1; // earlier runs, warm-up
  }
  if (msg.state !== undefined) { problem(`push for a key not subscribed: ${text.slice(0, 200)}`); return -1; }
  if (msg.error) problem(`error reply: ${text.slice(0, 300)}`);
  return -2; // a reply
}

function open(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
  });
}

function request(ws, id, method, params) {
  return new Promise((resolve, reject) => {
    const onMessage = (data) => {
      const text = data.toString();
      if (!text.startsWith('{"id"') && !text.includes('"id":')) return;
      let msg;
      try { msg = JSON.parse(text); } catch { return; }
      if (msg.id !== id) return;
      ws.off('message', onMessage);
      if (msg.error) reject(new Error(`${method}: error ${JSON.stringify(msg.error)}`));
      else resolve(msg.result);
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, method, params }));
  });
}

async function subscriber(index) {
  const ws = await open(opt.url);
  ws.on('message', (data) => {
    const t = now();
    const seq = seqOf(data.toString());
    if (seq < 0 || seq >= R) return;
    const slot = seq * N + index;
    if (!Number.isNaN(latencyNs[slot])) { duplicates++; return; }
    if (seq < lastSeq[index]) outOfOrder++;
    latencyNs[slot] = Number(t - sendTimes[seq]);
    if (seq > lastSeq[index]) lastSeq[index] = seq;
    if (seq === R - 1) done++;
  });
  ws.on('close', (code) => { if (!closing) problem(`subscriber ${index} closed by the server (code ${code})`); });
  ws.on('error', (e) => problem(`subscriber ${index}: ${e.message}`));
  const result = await request(ws, 1, 'state.subscribe', { prefixes: [opt.key] });
  if (!result || !Array.isArray(result.prefixes) || !result.prefixes.includes(opt.key)) {
    problem(`unexpected subscribe reply: ${JSON.stringify(result)}`);
  }
  return ws;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

function readRssKb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(require('fs').readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

let closing = false;

async function main() {
  const subs = [];
  for (let i = 0; i < N; i += 50) {
    const batch = [];
    for (let j = i; j < Math.min(N, i + 50); j++) batch.push(subscriber(j));
    subs.push(...(await Promise.all(batch)));
  }
  const writer = await open(opt.url);
  writer.on('close', (code) => { if (!closing) problem(`writer closed by the server (code ${code})`); });
  let nextId = 1;

  // Warm-up: values of another run, not recorded (subscribers ignore them).
  for (let i = 0; i < opt.warmup; i++) {
    await request(writer, nextId++, 'state.set', { key: opt.key, value: { run: 'warmup', seq: i } });
    await sleep(2);
  }
  await sleep(200);

  // Measured rounds: sends on a fixed schedule; replies are checked as they come.
  const replyRtt = [];
  const pendingReplies = new Map();
  let setErrors = 0;
  writer.on('message', (data) => {
    const t = now();
    let msg;
    try { msg = JSON.parse(data.toString()); } catch { problem('writer: unparsable reply'); return; }
    const sent = pendingReplies.get(msg.id);
    if (sent === undefined) return;
    pendingReplies.delete(msg.id);
    if (msg.error || !msg.result || typeof msg.result.version !== 'number' || msg.result.key !== opt.key) {
      setErrors++;
      problem(`state.set reply: ${data.toString().slice(0, 300)}`);
      return;
    }
    replyRtt.push(Number(t - sent));
  });
  const start = now();
  for (let seq = 0; seq < R; seq++) {
    const due = start + BigInt(Math.round(seq * opt.interval * 1e6));
    const wait = Number(due - now()) / 1e6;
    if (wait > 0) await sleep(wait);
    const id = nextId++;
    const body = JSON.stringify({ id, method: 'state.set', params: { key: opt.key, value: { run: RUN, seq } } });
    const t = now();
    sendTimes[seq] = t;
    pendingReplies.set(id, t);
    writer.send(body);
  }
  const deadline = Date.now() + opt.timeout;
  while ((done < N || pendingReplies.size > 0) && Date.now() < deadline) await sleep(5);
  const elapsedS = Number(now() - start) / 1e9;

  let rssKb = null;
  if (opt.rssPid) {
    await sleep(opt.settle);
    rssKb = readRssKb(opt.rssPid);
  }

  // Lost samples: coalesced (a later value reached that client) or missing (nothing later arrived).
  let coalesced = 0;
  let missing = 0;
  const samples = [];
  for (let seq = 0; seq < R; seq++) {
    for (let c = 0; c < N; c++) {
      const v = latencyNs[seq * N + c];
      if (!Number.isNaN(v)) samples.push(v);
      else if (lastSeq[c] > seq) coalesced++;
      else missing++;
    }
  }
  samples.sort((a, b) => a - b);
  replyRtt.sort((a, b) => a - b);
  const ms = (ns) => Math.round(ns / 1e3) / 1e3;
  const result = {
    label: opt.label,
    clients: N,
    rounds: R,
    interval_ms: opt.interval,
    expected: R * N,
    samples: samples.length,
    coalesced,
    missing,
    out_of_order: outOfOrder,
    duplicates,
    set_errors: setErrors + pendingReplies.size,
    problems: problems.length,
    p50_ms: ms(percentile(samples, 50)),
    p99_ms: ms(percentile(samples, 99)),
    p999_ms: ms(percentile(samples, 99.9)),
    max_ms: ms(samples.length ? samples[samples.length - 1] : NaN),
    mean_ms: ms(samples.reduce((a, b) => a + b, 0) / (samples.length || 1)),
    set_reply_p50_ms: ms(percentile(replyRtt, 50)),
    elapsed_s: Math.round(elapsedS * 100) / 100,
    rss_kb: rssKb,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);

  closing = true;
  for (const ws of [...subs, writer]) ws.close(1000);
  const closeBy = Date.now() + 2000;
  while ([...subs, writer].some((ws) => ws.readyState !== WebSocket.CLOSED) && Date.now() < closeBy) await sleep(10);
  process.exit(missing > 0 && samples.length === 0 ? 1 : 0);
}

main().catch((e) => {
  process.stderr.write(`latency.js [${opt.label}]: ${e.stack || e.message}\n`);
  process.exit(1);
});
