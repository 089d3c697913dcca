// The Live panel on Auto falls back to MJPEG by itself: when the camera has no H.264 (WebRTC and
// MediaSource both refused by the server), or when the browser has neither WebRTC nor MediaSource.
// Usage: node live-fallback.mjs BASE_URL USER PASSWORD [no-browser-h264]; prints "ok" when every check held.
import { launchChromium, desktopPage, logIn, check } from './chromium.mjs';

const [base, user, password, mode] = process.argv.slice(2);
const browser = await launchChromium();
try {
  const { page, errors } = await desktopPage(browser, 20000);
  if (mode === 'no-browser-h264') {
    await page.addInitScript(() => {
      for (const name of ['MediaSource', 'ManagedMediaSource', 'RTCPeerConnection']) delete window[name];
    });
  }
  await page.goto(base);
  await logIn(page, user, password);
  await page.locator('#mode', { hasText: 'MJPEG' }).waitFor();
  check(await page.locator('#player').isHidden(), 'the H.264 player is hidden');
  await page.waitForFunction(() => document.getElementById('video').naturalWidth > 0);
  const video = page.locator('#video');
  let moved = false;
  for (let attempt = 0; attempt < 10 && !moved; attempt++) {
    const first = await video.screenshot();
    await page.waitForTimeout(500);
    moved = Buffer.compare(first, await video.screenshot()) !== 0;
  }
  check(moved, 'the MJPEG picture moves');
  check(errors.length === 0, 'page errors: ' + errors.join('; '));
  console.log('ok');
} finally {
  await browser.close();
}
