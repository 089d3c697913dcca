// HLS as a third-party player takes it: hls.js (the player most web pages and smart-TV apps embed) plays
// /hls/index.m3u8 in Chromium. The page is Edge's own, for its login cookie; hls.js is served to it from
// the page's origin (Playwright answers that one URL), so Edge's Content-Security-Policy stays in force.
// Usage: node hls.mjs BASE_URL USER PASSWORD SECONDS
// Prints "PLAYED SECONDS_OF_VIDEO LONGEST_STILL_MS", "SIZE WIDTHxHEIGHT", "BEHIND SECONDS", then "ok".
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launchChromium, desktopPage, logIn, check } from './chromium.mjs';

const [base, user, password, secondsText] = process.argv.slice(2);
const seconds = Number(secondsText);
const hlsScript = readFileSync(createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js'));

const browser = await launchChromium({ autoplay: true });
try {
  const { page, errors } = await desktopPage(browser, 20000);
  const scriptUrl = new URL('/test-hls.min.js', base).href;
  await page.route(scriptUrl, (route) => route.fulfill({ body: hlsScript, contentType: 'text/javascript' }));
  await page.goto(base);
  await logIn(page, user, password);
  await page.addScriptTag({ url: scriptUrl });

  const played = await page.evaluate(async (ms) => {
    const video = document.createElement('video');
    video.muted = true;
    document.body.append(video);
    // Web workers would come from blob: URLs, which the page's policy does not allow; fMP4 needs no transmuxing.
    const hls = new Hls({ enableWorker: false });
    const fatal = [];
    hls.on(Hls.Events.ERROR, (_, data) => { if (data.fatal) fatal.push(`${data.type} ${data.details}`); });
    hls.loadSource('/hls/index.m3u8');
    hls.attachMedia(video);
    await video.play();
    const began = performance.now();
    while (video.currentTime === 0 && performance.now() - began < 15000 && fatal.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const start = video.currentTime;
    let last = start, lastMoved = performance.now(), longestStill = 0;
    const until = performance.now() + ms;
    while (performance.now() < until && fatal.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const now = performance.now();
      if (video.currentTime !== last) { last = video.currentTime; lastMoved = now; }
      longestStill = Math.max(longestStill, now - lastMoved);
    }
    return { started: start > 0, video: video.currentTime - start, longestStill, fatal, width: video.videoWidth,
      height: video.videoHeight, behind: hls.latency };
  }, seconds * 1000);
  check(played.fatal.length === 0, 'hls.js failed: ' + played.fatal.join(', '));
  check(played.started, 'the video did not start within 15 s');
  console.log(`PLAYED ${played.video.toFixed(2)} ${Math.round(played.longestStill)}`);
  console.log(`SIZE ${played.width}x${played.height}`);
  console.log(`BEHIND ${played.behind.toFixed(2)}`);
  check(errors.length === 0, 'page errors: ' + errors.join(', '));
  console.log('ok');
} finally {
  await browser.close();
}
