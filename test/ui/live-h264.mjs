// Live H.264 in Chromium: the Live panel plays through MediaSource without a stall, and every frame's
// delay from capture to display is measured (the page stamps each frame shown by the stream's epoch and
// the frame's media time: performance.timeOrigin + expectedDisplayTime against epoch + mediaTime).
// MJPEG's delay beside it: the page reads /stream.mjpg itself, decodes each part and compares its
// X-Timestamp with the time the picture was ready. Both clocks are this machine's (loopback).
// Usage: node live-h264.mjs BASE_URL USER PASSWORD SECONDS
// Prints "LATENCY mse|mjpeg P50 P95 N" (milliseconds), "PLAYED SECONDS_OF_VIDEO LONGEST_STILL_MS", then "ok".
import { launchChromium, desktopPage, logIn, check } from './chromium.mjs';

const [base, user, password, secondsText] = process.argv.slice(2);
const seconds = Number(secondsText);
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
};

const browser = await launchChromium({ autoplay: true });
try {
  const { page, errors } = await desktopPage(browser);
  await page.goto(base);
  await logIn(page, user, password);
  // MediaSource's H.264 (Auto would play WebRTC, which whep.mjs checks).
  await page.selectOption('#stream-kind', 'h264');
  await page.waitForFunction(() => window.edgeLive.mode() === 'h264' && document.getElementById('player').currentTime > 0);
  await page.locator('#mode', { hasText: 'H.264' }).waitFor();

  // Watch the video's clock: it must keep up with the wall clock and never stand still for long.
  const played = await page.evaluate(async (ms) => {
    const player = document.getElementById('player');
    window.edgeLive.delays.length = 0;
    const start = player.currentTime;
    let last = player.currentTime, lastMoved = performance.now(), longestStill = 0;
    const until = performance.now() + ms;
    while (performance.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const now = performance.now();
      if (player.currentTime !== last) { last = player.currentTime; lastMoved = now; }
      longestStill = Math.max(longestStill, now - lastMoved);
    }
    return { video: player.currentTime - start, longestStill, delays: [...window.edgeLive.delays] };
  }, seconds * 1000);
  console.log(`PLAYED ${played.video.toFixed(2)} ${Math.round(played.longestStill)}`);
  check(played.delays.length > seconds * 10, `only ${played.delays.length} frames were stamped`);
  console.log(`LATENCY mse ${percentile(played.delays, 0.5).toFixed(0)} ${percentile(played.delays, 0.95).toFixed(0)} ${played.delays.length}`);
  check(await page.locator('#delay', { hasText: 'ms behind' }).count() === 1, 'the page shows the delay');

  // MJPEG in the same page, read and decoded by hand so each picture's time is known.
  await page.selectOption('#stream-kind', 'mjpeg');
  const mjpeg = await page.evaluate(async (ms) => {
    const reply = await fetch('/stream.mjpg', { cache: 'no-store' });
    const reader = reply.body.getReader();
    const delays = [];
    let buffer = new Uint8Array(0);
    const until = performance.now() + ms;
    const text = new TextDecoder();
    while (performance.now() < until) {
      const { value, done } = await reader.read();
      if (done) break;
      const joined = new Uint8Array(buffer.length + value.length);
      joined.set(buffer);
      joined.set(value, buffer.length);
      buffer = joined;
      while (true) {
        let end = -1;
        for (let i = 0; i + 3 < buffer.length; i++) {
          if (buffer[i] === 13 && buffer[i + 1] === 10 && buffer[i + 2] === 13 && buffer[i + 3] === 10) { end = i; break; }
        }
        if (end < 0) break;
        const head = text.decode(buffer.subarray(0, end));
        const length = Number(/Content-Length: (\d+)/i.exec(head)[1]);
        const stamp = Number(/X-Timestamp: ([\d.]+)/i.exec(head)[1]) * 1000;
        if (buffer.length < end + 4 + length) break;
        const jpeg = buffer.slice(end + 4, end + 4 + length);
        buffer = buffer.slice(end + 4 + length);
        await createImageBitmap(new Blob([jpeg], { type: 'image/jpeg' }));
        delays.push(Date.now() - stamp);
      }
    }
    reader.cancel();
    return delays;
  }, Math.min(seconds, 10) * 1000);
  check(mjpeg.length > 20, `only ${mjpeg.length} MJPEG pictures`);
  console.log(`LATENCY mjpeg ${percentile(mjpeg, 0.5).toFixed(0)} ${percentile(mjpeg, 0.95).toFixed(0)} ${mjpeg.length}`);
  await page.waitForFunction(() => window.edgeLive.mode() === 'stream');
  check(errors.length === 0, 'page errors: ' + errors.join(', '));
  console.log('ok');
} finally {
  await browser.close();
}
