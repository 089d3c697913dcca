// The web UI in Debian's Firefox ESR at phone width, driven over WebDriver BiDi directly (Playwright's
// Firefox needs its own patched build). Logs in, sees live H.264, a recording and then MJPEG play, every panel fill, flips a GPIO
// switch, checks the page fits 360 px and loads nothing from elsewhere, saves a screenshot, logs out.
// Usage: node --experimental-websocket firefox-flow.mjs BASE_URL USER PASSWORD SCREENSHOT_DIR
// Prints "RELAY 1" when the switch shows on, waits for "go" on stdin; prints "ok" at the end.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const [base, user, password, shots] = process.argv.slice(2);
const origin = new URL(base).origin;
const check = (condition, message) => { if (!condition) throw new Error(message); };
mkdirSync(shots, { recursive: true });
const replies = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

const profile = mkdtempSync(join(tmpdir(), 'edge-firefox-'));
const firefox = spawn(process.env.FIREFOX ?? '/usr/bin/firefox-esr',
  ['--headless', '--no-remote', '--profile', profile, '--remote-debugging-port', '0', 'about:blank'],
  { stdio: ['ignore', 'ignore', 'pipe'] });
const endpoint = await new Promise((resolve, reject) => {
  let text = '';
  const timer = setTimeout(() => reject(new Error('Firefox did not start its WebDriver BiDi server: ' + text)), 30000);
  firefox.stderr.on('data', (chunk) => {
    text += chunk;
    const match = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(text);
    if (match) { clearTimeout(timer); resolve(match[1]); }
  });
  firefox.on('exit', (code) => reject(new Error(`Firefox exited with ${code}: ${text}`)));
});

const socket = new WebSocket(endpoint + '/session');
await new Promise((resolve, reject) => { socket.onopen = resolve; socket.onerror = () => reject(new Error('no BiDi session socket')); });
let nextId = 1;
const pending = new Map();
const outside = [];
socket.onmessage = (event) => {
  const message = JSON.parse(event.data);
  if (message.id && pending.has(message.id)) {
    const { resolve, reject } = pending.get(message.id);
    pending.delete(message.id);
    if (message.type === 'error') reject(new Error(`${message.error}: ${message.message}`)); else resolve(message.result);
  } else if (message.method === 'network.beforeRequestSent') {
    const url = message.params.request.url;
    if (!url.startsWith('blob:') && !url.startsWith('data:') && !url.startsWith('about:') && new URL(url).origin !== origin
      && new URL(url).origin !== origin.replace(/^http/, 'ws')) outside.push(url);
  } else if (message.method === 'log.entryAdded' && message.params.level === 'error' && message.params.type === 'javascript') {
    outside.push('page error: ' + message.params.text);
  }
};
const send = (method, params = {}) => new Promise((resolve, reject) => {
  const id = nextId++;
  pending.set(id, { resolve, reject });
  socket.send(JSON.stringify({ id, method, params }));
});

let context;
async function evaluate(expression) {
  const reply = await send('script.evaluate', { expression, target: { context }, awaitPromise: true, resultOwnership: 'none' });
  if (reply.type === 'exception') throw new Error(`${expression}: ${reply.exceptionDetails.text}`);
  return reply.result.value;
}
async function until(expression, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await evaluate(expression) === true) return Date.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Firefox: ${what} (${expression})`);
}

try {
  await send('session.new', { capabilities: {} });
  await send('session.subscribe', { events: ['network.beforeRequestSent', 'log.entryAdded'] });
  context = (await send('browsingContext.getTree')).contexts[0].context;
  await send('browsingContext.setViewport', { context, viewport: { width: 360, height: 740 } });
  await send('browsingContext.navigate', { context, url: base, wait: 'complete' });

  await until("!document.getElementById('login').hidden", 'the login form shows');
  await evaluate(`document.getElementById('user').value = ${JSON.stringify(user)};
    document.getElementById('password').value = ${JSON.stringify(password)};
    document.querySelector('#login button[type=submit]').click(); true`);
  await until("document.getElementById('status').textContent === 'live'", 'the page connects');
  await until("window.edgeLive.mode() === 'h264' && document.getElementById('player').currentTime > 1", 'live H.264 plays (MediaSource)');
  await until("document.getElementById('delay').textContent.includes('ms behind')", 'the delay shows');
  // 10 s of live H.264 without a stall: the player's time keeps up with the clock and never stands still for a second.
  {
    const began = Date.now(), first = await evaluate("document.getElementById('player').currentTime");
    let last = first, lastMoved = began, longestStill = 0;
    while (Date.now() - began < 10000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const now = await evaluate("document.getElementById('player').currentTime");
      if (now !== last) { longestStill = Math.max(longestStill, Date.now() - lastMoved); lastMoved = Date.now(); last = now; }
    }
    longestStill = Math.max(longestStill, Date.now() - lastMoved);
    if (last - first < 8) throw new Error(`Firefox: live H.264 played ${(last - first).toFixed(1)} s in 10 s`);
    if (longestStill > 1000) throw new Error(`Firefox: live H.264 stood still for ${longestStill} ms`);
  }
  // A recording plays too: the first closed file in the recordings table.
  await until("[...document.querySelectorAll('#rec-rows tr')].some((row) => !row.textContent.includes('(recording)'))",
    'a closed recording is listed', 30000);
  await evaluate("[...document.querySelectorAll('#rec-rows tr')].find((row) => !row.textContent.includes('(recording)')).querySelector('a').click(); true");
  await until("document.getElementById('rec-player').currentTime > 1 && document.getElementById('rec-player').videoWidth === 160",
    'the recording plays', 20000);
  await evaluate("document.getElementById('rec-player').pause(); true");
  await evaluate("const kind = document.getElementById('stream-kind'); kind.value = 'mjpeg'; kind.dispatchEvent(new Event('change')); true");
  await until("document.getElementById('video').naturalWidth > 0", 'the MJPEG picture shows');
  await until("document.getElementById('resolution').textContent === '160×120'", 'the size shows');
  await until("document.getElementById('cam-fps').value !== ''", 'the camera panel fills');
  await until("(document.getElementById('g-cpu-v').getAttribute('d') || '').includes('L')", 'the CPU graph draws');
  await until("[...document.querySelectorAll('#event-list li')].some((li) => li.textContent.includes('edge.started'))", 'the events list fills');

  await evaluate("document.getElementById('pin-ir_cut').click(); true");
  await until("document.getElementById('pin-ir_cut').getAttribute('aria-checked') === 'true'", 'the switch turns on');
  console.log('RELAY 1');
  check((await replies.next()).value === 'go', 'the caller checked the relay');

  const [scrollWidth, innerWidth] = await evaluate('[document.documentElement.scrollWidth, innerWidth]').then((v) => v.map((n) => n.value));
  check(scrollWidth <= innerWidth, `the page is ${scrollWidth} px wide for ${innerWidth}`);
  const shot = await send('browsingContext.captureScreenshot', { context, origin: 'document' });
  writeFileSync(join(shots, 'firefox-phone.png'), Buffer.from(shot.data, 'base64'));

  await evaluate("document.getElementById('logout').click(); true");
  await until("!document.getElementById('login').hidden", 'logout shows the login');
  check(outside.length === 0, 'requests outside the origin or page errors: ' + outside.join(', '));
  console.log('ok');
} finally {
  try { await send('browser.close'); } catch { /* Firefox may already be gone */ }
  firefox.kill();
  rmSync(profile, { recursive: true, force: true });
  process.stdin.destroy();
}
