// Drives the web UI in Chromium, as two users would: a desktop and a 360 px phone.
// Usage: node ui-flow.mjs BASE_URL USER PASSWORD SCREENSHOT_DIR
// Lines on stdout ask the caller to act or check ("BUTTON 1", "FPS 12", "RELAY 1") and wait for its "go"
// on stdin; "ok" ends a run in which every check held.
import { launchChromium, logIn, check } from './chromium.mjs';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const [base, user, password, shots] = process.argv.slice(2);
const origin = new URL(base).origin;
const wsOrigin = origin.replace(/^http/, 'ws');
const outside = [];
mkdirSync(shots, { recursive: true });
const say = (line) => console.log(line);
// Asks the caller to act or check, and waits for its "go".
const replies = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
async function ask(line) {
  say(line);
  const reply = await replies.next();
  check(!reply.done && reply.value === 'go', `the caller answered ${JSON.stringify(reply.value)} to ${line}`);
}

const browser = await launchChromium();

async function open(viewport) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  // Everything the page loads must come from Edge itself.
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith('blob:') && !url.startsWith('data:') && new URL(url).origin !== origin) outside.push(url);
  });
  page.on('websocket', (socket) => { if (!socket.url().startsWith(wsOrigin + '/')) outside.push(socket.url()); });
  page.on('pageerror', (error) => outside.push('page error: ' + error.message));
  return page;
}

// Two pictures of the live view a moment apart must differ: the test pattern moves.
async function pictureMoves(page, what) {
  const video = page.locator('#video');
  await page.waitForFunction(() => document.getElementById('video').naturalWidth > 0);
  for (let attempt = 0; attempt < 10; attempt++) {
    const first = await video.screenshot();
    await page.waitForTimeout(500);
    if (Buffer.compare(first, await video.screenshot()) !== 0) return;
  }
  throw new Error(`${what}: the live picture does not change`);
}

try {
  const desk = await open({ width: 1280, height: 900 });

  // First load: everything the login page needs, compressed, within 100 KB.
  let bytes = 0;
  const count = async (request) => { const sizes = await request.sizes(); bytes += sizes.responseBodySize + sizes.responseHeadersSize; };
  desk.on('requestfinished', count);
  const first = await desk.goto(base);
  check(first.headers()['content-security-policy']?.includes("default-src 'self'"), 'index.html carries a same-origin CSP');
  await desk.waitForLoadState('networkidle');
  desk.off('requestfinished', count);
  check(bytes > 0 && bytes <= 100 * 1024, `first load is ${bytes} bytes`);
  say(`FIRST-LOAD ${bytes}`);

  await desk.locator('#login').waitFor({ state: 'visible' });
  await desk.fill('#user', user);
  await desk.fill('#password', 'wrong');
  await desk.click('#login button[type=submit]');
  await desk.locator('#login-error', { hasText: 'Wrong user or password.' }).waitFor();
  // Every WebSocket of the desktop page passes through here, so the test can cut it and refuse retries.
  const attempts = [];
  let refuse = 0;
  let api = null;
  await desk.routeWebSocket(/\/api$/, (socket) => {
    attempts.push(Date.now());
    if (refuse > 0) { refuse--; socket.close({ code: 1011, reason: 'refused by the test' }); return; }
    api = socket;
    socket.connectToServer();
  });
  await logIn(desk, user, password);

  // Auto: WebRTC; the user picks H.264 through MediaSource, then MJPEG, and the page remembers it.
  await desk.waitForFunction(() => window.edgeLive.mode() === 'webrtc' && document.getElementById('player').currentTime > 0.5);
  await desk.locator('#mode', { hasText: 'WebRTC' }).waitFor();
  check(await desk.locator('#video').isHidden(), 'the MJPEG picture is hidden while WebRTC plays');
  await desk.selectOption('#stream-kind', 'h264');
  await desk.waitForFunction(() => window.edgeLive.mode() === 'h264' && document.getElementById('player').currentTime > 0.5);
  await desk.locator('#mode', { hasText: 'H.264' }).waitFor();
  await desk.selectOption('#stream-kind', 'mjpeg');
  await desk.locator('#mode', { hasText: 'MJPEG' }).waitFor();
  check(await desk.locator('#player').isHidden(), 'the H.264 player is hidden while MJPEG shows');
  await pictureMoves(desk, 'desktop (MJPEG stream)');
  await desk.locator('#resolution', { hasText: '160×120' }).waitFor();
  check(await desk.locator('#nosignal').isHidden(), '"no signal" is hidden while frames arrive');

  // Camera panel: a refused value is explained next to its field; a good one reaches the server.
  await desk.locator('#cam-fps').fill('500');
  await desk.click('#camera-apply');
  await desk.locator('#cam-fps-error', { hasText: 'Fps must be between 1 and 120' }).waitFor();
  await desk.locator('#cam-fps').fill('12');
  await desk.click('#camera-apply');
  await desk.locator('#camera-done', { hasText: 'Applied.' }).waitFor();
  check(await desk.locator('#cam-fps-error').textContent() === '', 'the fps error is cleared');
  await ask('FPS 12');

  // A phone logs in too. The camera allows one MJPEG viewer (the desktop): the phone falls back to snapshots.
  const phone = await open({ width: 360, height: 740 });
  await phone.goto(base);
  await logIn(phone, user, password);
  await phone.selectOption('#stream-kind', 'mjpeg');
  await pictureMoves(phone, 'phone (snapshot polling)');
  check(!(await phone.locator('#video').getAttribute('src')).startsWith('/stream.mjpg'), 'the phone polls snapshots');

  // GPIO: a switch flipped on the desktop shows on the phone within a second.
  const relayOnPhone = phone.locator('#pin-ir_cut[aria-checked="true"]');
  await desk.locator('#pin-ir_cut[aria-checked="false"]').waitFor();
  const flipped = Date.now();
  await desk.click('#pin-ir_cut');
  await relayOnPhone.waitFor({ timeout: 1000 });
  await ask(`RELAY 1 ${Date.now() - flipped}`);
  // The keyboard works the switch as well.
  await phone.focus('#pin-ir_cut');
  await phone.keyboard.press('Space');
  await desk.locator('#pin-ir_cut[aria-checked="false"]').waitFor({ timeout: 1000 });

  // The connection drops and the next two tries are cut at once: the page waits longer each time,
  // subscribes again, and shows a change made while it was away.
  refuse = 2;
  const before = attempts.length;
  api.close({ code: 1006, reason: 'cut by the test' });
  await desk.locator('#status', { hasText: 'retrying' }).waitFor();
  await ask('SET ir_cut 1');
  await desk.locator('#status', { hasText: 'live' }).waitFor();
  await desk.locator('#pin-ir_cut[aria-checked="true"]').waitFor();
  const tries = attempts.slice(before);
  check(tries.length === 3, `${tries.length} reconnection attempts`);
  const gaps = [tries[1] - tries[0], tries[2] - tries[1]];
  check(gaps[0] >= 300 && gaps[1] > gaps[0], `the gaps between tries grow: ${gaps.join(' ms, ')} ms`);
  await desk.click('#pin-ir_cut');
  await desk.locator('#pin-ir_cut[aria-checked="false"]').waitFor();

  // Inputs: the door opens (its light goes on) and closes with the button, whose falling edge saves a
  // snapshot; the event links to the file.
  await ask('BUTTON 1');
  await desk.locator('#pin-door.on').waitFor();
  await ask('BUTTON 0');
  await desk.locator('#pin-door:not(.on)').waitFor();
  const link = desk.locator('#event-list a[href^="/files/snapshot-"]').first();
  await link.waitFor();
  const snapshot = await desk.request.get(origin + await link.getAttribute('href'));
  check(snapshot.ok() && snapshot.headers()['content-type'] === 'image/jpeg', 'the event links to the saved JPEG');
  await desk.locator('#events li', { hasText: 'edge.started' }).waitFor();

  // System panel: graphs drawn from the history and live samples, version, services.
  await desk.locator('#version', { hasText: /\d+\.\d+\.\d+/ }).waitFor();
  await desk.locator('#services li', { hasText: 'camera: running' }).waitFor();
  await desk.waitForFunction(() => (document.getElementById('g-cpu-v').getAttribute('d') || '').includes('L'));

  // Files: upload with progress, download, delete.
  const content = 'uploaded from the browser test\n'.repeat(20000);
  await desk.setInputFiles('#upload-file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from(content) });
  await desk.click('#upload-button');
  await desk.locator('#upload-state', { hasText: 'notes.txt: uploaded' }).waitFor();
  const row = desk.locator('#file-rows tr', { hasText: 'notes.txt' });
  await row.waitFor();
  const [download] = await Promise.all([desk.waitForEvent('download'), row.locator('a').click()]);
  check(readFileSync(await download.path(), 'utf8') === content, 'the download is the upload');
  desk.once('dialog', (dialog) => dialog.accept());
  await row.locator('button', { hasText: 'Delete' }).click();
  await row.waitFor({ state: 'detached' });

  // The runtime inspector, opened on both: the loop's lag and busiest work, the supervisor's
  // children, and the connections (this page's WebSocket and picture among them) fill in.
  for (const p of [desk, phone]) {
    await p.click('#runtime summary');
    await p.locator('#rt-connections tr', { hasText: 'websocket' }).first().waitFor();
    await p.locator('#rt-groups li', { hasText: 'supervisor' }).waitFor();
    await p.locator('#rt-busiest tr', { hasText: '(async)' }).first().waitFor();
    await p.locator('#rt-process', { hasText: 'threads' }).waitFor();
    // One bar per bucket the server reports (its bounds and the +Inf bucket).
    const buckets = await p.evaluate(async () => {
      const reply = await fetch('/debug/runtime', { headers: { 'X-Requested-With': 'edge-ui' } });
      return reply.ok ? (await reply.json()).loop.lagHistogram.length : `GET /debug/runtime: ${reply.status}`;
    });
    const bars = await p.locator('#rt-lag li').count();
    check(buckets > 1 && bars === buckets, `the lag histogram shows ${bars} of the server's ${buckets} buckets`);
  }
  // Both pages' WebSockets are in the one server-wide table.
  await desk.waitForFunction(() => [...document.querySelectorAll('#rt-connections tr')].filter((r) => r.textContent.includes('websocket')).length >= 2);
  await desk.locator('#runtime').screenshot({ path: join(shots, 'runtime.png') });

  // With every panel filled, nothing on the phone is wider than its screen.
  const wide = await phone.evaluate(() => [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5 && !e.closest('.scroll'))
    .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`));
  const page = await phone.evaluate(() => [document.documentElement.scrollWidth, innerWidth]);
  check(wide.length === 0 && page[0] <= page[1], `the phone page is ${page[0]} px wide for ${page[1]}: ${wide.join(', ')}`);
  await desk.screenshot({ path: join(shots, 'desktop.png'), fullPage: true });
  await phone.screenshot({ path: join(shots, 'phone.png'), fullPage: true });

  // Logout ends the session: a reload shows the login again.
  await desk.click('#logout');
  await desk.locator('#login').waitFor({ state: 'visible' });
  await desk.reload();
  await desk.locator('#login').waitFor({ state: 'visible' });

  check(outside.length === 0, 'requests outside the origin or page errors: ' + outside.join(', '));
  say('ok');
} finally {
  await browser.close();
  process.stdin.destroy();
}
