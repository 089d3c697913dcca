// Soak test (docs/RELIABILITY.md, "Soak"): the published binary under churn for a given time, its
// resources sampled every second from GET /debug/runtime. Fails on growth after warm-up (RSS more than
// 2 MB, open files or threads rising), an unexpected error (a loop item, an API handler, a crash), a
// loop-lag p99 above 5 ms, a pipe-source kill not healed or not logged exactly once, or a client that
// stopped being served. Writes soak.csv, soak.svg and summary.json into the output directory.
//
// Usage: node --experimental-websocket soak.mjs --binary PATH --seconds N --out DIR
// The load: 100 WebSocket clients coming and going (subscribed, pinging), 20 MJPEG viewers and 10 RTSP
// sessions (one of each replaced every 20 s), 10 API calls a second, camera.set every 10 s, a GPIO
// input toggled 4 times a second through the in-memory driver and an output once a second, and the
// pipe source's ffmpeg killed every 20 s.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const seconds = Number(args.seconds ?? 240);
const out = args.out ?? mkdtempSync(join(tmpdir(), 'edge-soak-'));
// Until RSS has settled on its steady sawtooth (it still climbs a megabyte or two until about 90 s under this load).
const warmup = Math.max(90, Math.round(seconds * 0.2));
// RSS follows the GC's sawtooth (a full collection about once a minute under this load, swinging RSS by
// a few MB), so a window must span whole collection cycles to measure a trend rather than where in a
// cycle it fell: a fifth of the time after warm-up (about 10 minutes in the hour run), 60 s at least.
const window = Math.max(60, Math.round((seconds - warmup) / 5));
mkdirSync(out, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'edge-soak-run-'));
const marker = `edge-soak-${process.pid}`;
const log = (...m) => console.error(`[soak ${new Date().toISOString().slice(11, 19)}]`, ...m);

writeFileSync(join(work, 'edge.json'), JSON.stringify({
  Auth: { Enabled: false },
  Camera: {
    Source: 'pipe', Format: 'mjpeg', Width: 640, Height: 480, Fps: 15,
    Command: `exec ffmpeg -nostdin -v error -re -f lavfi -i testsrc=size=640x480:rate=15 -metadata comment=${marker} -f mjpeg -pix_fmt yuvj420p -q:v 5 -huffman default -flush_packets 1 -`,
  },
  Gpio: { Driver: 'memory', Pins: [
    { name: 'door', line: 5, direction: 'input', edge: 'both' },
    { name: 'relay', line: 6, direction: 'output' },
  ] },
  WebSocket: { MaxClients: 200 },
  Https: { Enabled: false },
}));

// --- the server ---------------------------------------------------------------------------------
const edge = spawn(args.binary, ['--config', join(work, 'edge.json'), '--data-dir', join(work, 'data'), '--urls', 'http://127.0.0.1:0',
  '--Rtsp:Port', '0', '--Onvif:DiscoveryPort', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
const lines = [];
let exited = null;
for (const stream of [edge.stdout, edge.stderr]) {
  let rest = '';
  stream.on('data', (chunk) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop();
    lines.push(...parts);
  });
}
edge.on('exit', (code, signal) => { exited = { code, signal }; });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitForLine(pattern) {
  for (let i = 0; i < 200; i++) {
    const line = lines.find((l) => pattern.test(l));
    if (line) return line.match(pattern);
    if (exited) break;
    await sleep(50);
  }
  throw new Error(`edge did not log ${pattern}:\n${lines.join('\n')}`);
}
const [, base] = await waitForLine(/listening on (http:\/\/[^\s,]+)/);
const [, rtspPort] = await waitForLine(/RTSP listening on port (\d+)/);
const { hostname, port } = new URL(base);
log(`edge ${args.binary} on ${base}, RTSP ${rtspPort}; ${seconds} s, warm-up ${warmup} s, windows of ${window} s; output ${out}`);

function request(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, method, path, headers: body ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.setTimeout(10000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.end(body);
  });
}
const problems = [];
const problem = (what) => { if (problems.length < 50) problems.push(what); log('problem:', what); };
let running = true;
async function call(method, params) {
  const reply = await request('POST', '/api', JSON.stringify({ id: 1, method, params }));
  const parsed = JSON.parse(reply.body);
  if (reply.status !== 200 || parsed.error) problem(`${method}: ${reply.status} ${reply.body}`);
  return parsed.result;
}

// --- the load -----------------------------------------------------------------------------------
const stats = { wsConnects: 0, wsErrors: 0, apiCalls: 0, kills: 0, cameraSets: 0, gpioEdges: 0, mjpegParts: 0, rtspFrames: 0 };

function webSocketClient() {
  if (!running) return;
  const socket = new WebSocket(`ws://${hostname}:${port}/api`);
  let timer = null, id = 0;
  socket.onopen = () => {
    stats.wsConnects++;
    socket.send(JSON.stringify({ id: ++id, method: 'state.subscribe', params: { prefixes: ['camera.', 'gpio.', 'events.'] } }));
    timer = setInterval(() => socket.send(JSON.stringify({ id: ++id, method: 'ping' })), 1000);
    setTimeout(() => socket.close(), 2000 + Math.random() * 13000);
  };
  socket.onerror = () => { if (running) stats.wsErrors++; };
  socket.onclose = () => {
    clearInterval(timer);
    setTimeout(webSocketClient, Math.random() * 500);
  };
}

const viewers = [];
function mjpegViewer(slot) {
  const viewer = { parts: 0, last: Date.now(), request: null };
  viewers[slot] = viewer;
  viewer.request = http.get({ host: hostname, port, path: '/stream.mjpg' }, (res) => {
    const boundary = Buffer.from('--' + /boundary=([^;]+)/.exec(res.headers['content-type'])[1]);
    let tail = Buffer.alloc(0);
    res.on('data', (chunk) => {
      const data = Buffer.concat([tail, chunk]);
      for (let at = data.indexOf(boundary); at >= 0; at = data.indexOf(boundary, at + 1)) { viewer.parts++; stats.mjpegParts++; viewer.last = Date.now(); }
      tail = data.subarray(Math.max(0, data.length - boundary.length));
    });
    res.on('error', () => {});
  });
  viewer.request.on('error', () => { if (running && viewers[slot] === viewer) problem(`MJPEG viewer ${slot} failed`); });
}

const sessions = [];
function rtspSession(slot) {
  const session = { frames: 0, last: Date.now(), socket: net.connect(Number(rtspPort), '127.0.0.1') };
  sessions[slot] = session;
  const url = `rtsp://127.0.0.1:${rtspPort}/stream`;
  let buffer = Buffer.alloc(0), step = 0;
  const send = (text) => session.socket.write(text + '\r\n\r\n');
  session.socket.on('connect', () => send(`SETUP ${url}/track1 RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1`));
  session.socket.on('error', () => { if (running && sessions[slot] === session) problem(`RTSP session ${slot} failed`); });
  session.socket.on('data', (chunk) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    while (buffer.length > 0) {
      if (buffer[0] === 0x24) {
        if (buffer.length < 4 || buffer.length < 4 + buffer.readUInt16BE(2)) return;
        if (buffer[1] === 0 && (buffer[5] & 0x80)) { session.frames++; stats.rtspFrames++; session.last = Date.now(); }
        buffer = buffer.subarray(4 + buffer.readUInt16BE(2));
        continue;
      }
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffer.subarray(0, end).toString();
      buffer = buffer.subarray(end + 4);
      if (!head.startsWith('RTSP/1.0 200')) { problem(`RTSP ${slot}: ${head.split('\r\n')[0]}`); return; }
      if (step++ === 0) send(`PLAY ${url} RTSP/1.0\r\nCSeq: 2\r\nSession: ${/Session: ([^;\r]+)/.exec(head)[1]}`);
    }
  });
}

for (let i = 0; i < 100; i++) setTimeout(webSocketClient, i * 20);
for (let i = 0; i < 20; i++) mjpegViewer(i);
for (let i = 0; i < 10; i++) rtspSession(i);

const timers = [];
// Runs fn every ms, the first time after ms + offset (so the source kill and camera.set never meet).
const every = (ms, fn, offset = 0) => setTimeout(() => timers.push(setInterval(() => { if (running) fn().catch((e) => problem(`${fn.name}: ${e.message}`)); }, ms)), offset);
let replaced = 0;
every(20000, async function replaceClients() {
  const v = replaced % 20, s = replaced % 10;
  replaced++;
  viewers[v].request.destroy();
  mjpegViewer(v);
  sessions[s].socket.destroy();
  rtspSession(s);
});
every(100, async function apiCall() { stats.apiCalls++; await call(stats.apiCalls % 2 ? 'ping' : 'system.info'); });
every(10000, async function cameraSet() { stats.cameraSets++; await call('camera.set', { quality: 70 + (stats.cameraSets % 2) }); }, 5000);
let door = 0;
every(250, async function gpioInput() { door ^= 1; stats.gpioEdges++; await call('gpio.simulate', { line: 5, level: door }); });
every(1000, async function gpioOutput() { await call('gpio.set', { name: 'relay', value: stats.gpioEdges % 2 }); });
every(20000, async function killSource() {
  try { execFileSync('pkill', ['-KILL', '-f', marker]); stats.kills++; }
  catch { problem('no pipe source process to kill'); }
});

// --- sampling ------------------------------------------------------------------------------------
const samples = [];
const started = Date.now();
let previous = null;
while (Date.now() - started < seconds * 1000 && !exited) {
  await sleep(1000 - ((Date.now() - started) % 1000));
  let report;
  try { report = JSON.parse((await request('GET', '/debug/runtime')).body); }
  catch (e) { problem(`GET /debug/runtime: ${e.message}`); continue; }
  const h = report.loop.lagHistogram;
  const kinds = {};
  for (const c of report.connections) kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
  const sample = {
    t: Math.round((Date.now() - started) / 1000), rssMb: report.process.residentBytes / 1048576, gcHeapMb: report.process.gcHeapBytes / 1048576,
    gcCommittedMb: report.process.gcCommittedBytes == null ? null : report.process.gcCommittedBytes / 1048576,
    fds: report.process.openFiles, threads: report.process.threads, itemsPerSecond: report.loop.itemsPerSecond,
    gen0: report.process.gen0Collections, gen1: report.process.gen1Collections, gen2: report.process.gen2Collections,
    ws: kinds.websocket ?? 0, mjpeg: kinds.mjpeg ?? 0, rtsp: kinds.rtsp ?? 0, failures: report.loop.failures, histogram: h,
    cameraRestarts: report.services.find((s) => s.name === 'camera')?.restarts ?? 0,
  };
  // This second's lag p99: the upper bound of the bucket holding it, from the cumulative counts' growth.
  sample.lagP99Ms = previous ? p99(previous.histogram, h) : null;
  samples.push(sample);
  previous = sample;
}
running = false;
timers.forEach(clearInterval);

function p99(before, after) {
  const total = after[after.length - 1].count - before[before.length - 1].count;
  if (total <= 0) return 0;
  for (let i = 0; i < after.length; i++) {
    if ((after[i].count - before[i].count) >= 0.99 * total) return after[i].leMs ?? Infinity;
  }
  return Infinity;
}

// --- verdict -------------------------------------------------------------------------------------
const median = (values) => { const v = [...values].sort((a, b) => a - b); return v.length ? (v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2) : NaN; };
const settled = samples.filter((s) => s.t > warmup);
const first = settled.filter((s) => s.t <= warmup + window), last = settled.filter((s) => s.t > seconds - window);
const checks = [];
const check = (name, ok, detail) => { checks.push({ name, ok, detail }); log(`${ok ? 'PASS' : 'FAIL'} ${name}: ${detail}`); };
// The least-squares slope of a series times its duration: the growth a straight line through it shows.
const trend = (points, key) => {
  if (points.length < 2) return 0;
  const mt = points.reduce((a, p) => a + p.t, 0) / points.length, mv = points.reduce((a, p) => a + p[key], 0) / points.length;
  const slope = points.reduce((a, p) => a + (p.t - mt) * (p[key] - mv), 0) / points.reduce((a, p) => a + (p.t - mt) ** 2, 0);
  return slope * (points.at(-1).t - points[0].t);
};
const growth = (key) => median(last.map((s) => s[key])) - median(first.map((s) => s[key]));
check('the server ran to the end', !exited, exited ? `exited ${JSON.stringify(exited)}` : `${samples.length} samples`);
const fullCollections = (w) => (w.length ? w.at(-1).gen2 - w[0].gen2 : 0);
check('RSS after warm-up grows at most 2 MB', growth('rssMb') <= 2, `median ${median(first.map((s) => s.rssMb)).toFixed(2)} MiB in the first ${window} s after warm-up, ${median(last.map((s) => s.rssMb)).toFixed(2)} MiB in the last ${window} s (${fullCollections(first)} and ${fullCollections(last)} full collections in them); least-squares trend after warm-up ${trend(settled, 'rssMb').toFixed(2)} MiB`);
check('open files stay flat', growth('fds') <= 5, `median ${median(first.map((s) => s.fds))} then ${median(last.map((s) => s.fds))}`);
check('threads stay flat', growth('threads') <= 2, `median ${median(first.map((s) => s.threads))} then ${median(last.map((s) => s.threads))}`);
const lagBefore = samples.find((s) => s.t > warmup)?.histogram, lagAfter = samples[samples.length - 1]?.histogram;
const overall = lagBefore && lagAfter ? p99(lagBefore, lagAfter) : Infinity;
check('loop-lag p99 after warm-up at most 5 ms', overall <= 5, `p99 ≤ ${overall} ms over ${lagAfter ? lagAfter[lagAfter.length - 1].count - lagBefore[lagBefore.length - 1].count : 0} items; worst second ≤ ${Math.max(...settled.map((s) => s.lagP99Ms ?? 0))} ms`);
const errors = lines.filter((l) => /Unhandled|Event loop work item failed|API method .* failed|<2>|critical/i.test(l));
check('no unhandled exception or failed loop item', errors.length === 0 && (samples.at(-1)?.failures ?? 1) === 0, errors.slice(0, 5).join(' | ') || 'none');
const cameraFailures = lines.filter((l) => l.includes('Service camera failed'));
const restarts = samples.at(-1)?.cameraRestarts ?? 0;
check('each source kill is logged once with its cause and healed', stats.kills > 0 && cameraFailures.length === stats.kills && restarts === stats.kills,
  `${stats.kills} kills, ${cameraFailures.length} "Service camera failed" lines (${(cameraFailures[0] ?? '').replace(/^.*failed: /, '')}), ${restarts} restarts`);
const now = Date.now();
const stalled = [...viewers.map((v, i) => ['MJPEG viewer', i, v.last]), ...sessions.map((s, i) => ['RTSP session', i, s.last])].filter(([, , lastAt]) => now - lastAt > 10000);
check('every viewer and session is served to the end', stalled.length === 0, stalled.map(([k, i]) => `${k} ${i}`).join(', ') || `${stats.mjpegParts} MJPEG parts, ${stats.rtspFrames} RTSP frames`);
check('no client saw an error', problems.length === 0 && stats.wsErrors === 0, problems.slice(0, 5).join(' | ') || `${stats.wsConnects} WebSocket sessions, ${stats.apiCalls} API calls, ${stats.cameraSets} camera.set, ${stats.gpioEdges} GPIO edges`);

edge.kill('SIGTERM');
await new Promise((r) => (exited ? r() : edge.on('exit', r)));
for (const v of viewers) v.request.destroy();
for (const s of sessions) s.socket.destroy();

// --- output --------------------------------------------------------------------------------------
const columns = ['t', 'rssMb', 'gcHeapMb', 'gcCommittedMb', 'gen0', 'gen1', 'gen2', 'fds', 'threads', 'lagP99Ms', 'itemsPerSecond', 'ws', 'mjpeg', 'rtsp'];
writeFileSync(join(out, 'soak.csv'), [columns.join(','), ...samples.map((s) => columns.map((c) => (typeof s[c] === 'number' ? +s[c].toFixed(3) : '')).join(','))].join('\n') + '\n');
writeFileSync(join(out, 'soak.svg'), plot(samples));
writeFileSync(join(out, 'summary.json'), JSON.stringify({ seconds, warmup, window, stats, checks }, null, 2));
const passed = checks.filter((c) => c.ok).length;
console.log(`${passed} passed, ${checks.length - passed} failed`);
process.exit(passed === checks.length ? 0 : 1);

// Four panels (memory, open files and threads, loop lag, clients) over time; the warm-up shaded.
function plot(rows) {
  const width = 900, panel = 150, left = 60, right = 20, top = 30;
  const panels = [
    { title: 'Memory (MiB)', series: [['rssMb', 'RSS', '#2563eb'], ['gcCommittedMb', 'GC committed', '#db2777'], ['gcHeapMb', 'GC heap', '#16a34a']] },
    { title: 'Open files, threads', series: [['fds', 'open files', '#9333ea'], ['threads', 'threads', '#ea580c']] },
    { title: 'Event-loop lag p99 per second (ms, bucket bound)', series: [['lagP99Ms', 'lag p99', '#dc2626']] },
    { title: 'Clients', series: [['ws', 'WebSocket', '#0891b2'], ['mjpeg', 'MJPEG', '#65a30d'], ['rtsp', 'RTSP', '#a16207']] },
  ];
  const tMax = Math.max(1, ...rows.map((r) => r.t));
  const x = (t) => left + (t / tMax) * (width - left - right);
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + panels.length * (panel + 40)}" font-family="sans-serif" font-size="12">`;
  svg += `<text x="${left}" y="18" font-size="14">Edge soak: ${seconds} s, warm-up ${warmup} s (shaded)</text>`;
  panels.forEach((p, i) => {
    const y0 = top + i * (panel + 40) + 20;
    const values = p.series.flatMap(([k]) => rows.map((r) => r[k]).filter((v) => Number.isFinite(v)));
    const yMax = Math.max(1, ...values) * 1.1;
    const y = (v) => y0 + panel - (v / yMax) * panel;
    svg += `<rect x="${left}" y="${y0}" width="${x(warmup) - left}" height="${panel}" fill="#f3f4f6"/>`;
    svg += `<rect x="${left}" y="${y0}" width="${width - left - right}" height="${panel}" fill="none" stroke="#9ca3af"/>`;
    svg += `<text x="${left}" y="${y0 - 6}">${p.title}</text><text x="${left - 6}" y="${y0 + 10}" text-anchor="end">${yMax.toFixed(yMax < 10 ? 1 : 0)}</text><text x="${left - 6}" y="${y0 + panel}" text-anchor="end">0</text>`;
    p.series.forEach(([key, label, color], j) => {
      const points = rows.filter((r) => Number.isFinite(r[key])).map((r) => `${x(r.t).toFixed(1)},${y(r[key]).toFixed(1)}`).join(' ');
      svg += `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${points}"/>`;
      svg += `<text x="${width - right - 10 - j * 110}" y="${y0 - 6}" text-anchor="end" fill="${color}">${label}</text>`;
    });
  });
  svg += `<text x="${width - right}" y="${top + panels.length * (panel + 40)}" text-anchor="end">seconds → ${tMax}</text></svg>\n`;
  return svg;
}
