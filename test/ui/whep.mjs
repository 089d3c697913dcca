// WebRTC through WHEP in Chromium: the logged-in page offers to receive video, POSTs the offer to /whep,
// plays the answer's stream, and reads getStats() while it plays; then DELETEs the session.
// Usage: node whep.mjs BASE_URL USER PASSWORD SECONDS
// Prints "PLAYED SECONDS_OF_VIDEO LONGEST_STILL_MS", "CODEC mime", "FRAMES decoded", "SIZE WIDTHxHEIGHT",
// "JITTER_BUFFER_MS first last", "DELAY_MS p50 p95 frames" (capture to display: each frame's RTP timestamp, which
// Edge takes from the wall clock at 90 kHz, against the frame's expected display time from requestVideoFrameCallback;
// one clock, one machine), "DELETE status", then "ok".
import { launchChromium, desktopPage, logIn, check } from './chromium.mjs';

const [base, user, password, secondsText] = process.argv.slice(2);
const seconds = Number(secondsText);

const browser = await launchChromium({ autoplay: true });
try {
  const { page, errors } = await desktopPage(browser, 20000);
  await page.goto(base);
  await logIn(page, user, password);
  const played = await page.evaluate(async (ms) => {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('video', { direction: 'recvonly' });
    const video = document.createElement('video');
    video.muted = true;
    document.body.append(video);
    pc.ontrack = (event) => { video.srcObject = new MediaStream([event.track]); video.play(); };
    await pc.setLocalDescription(await pc.createOffer());
    const response = await fetch('/whep', { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
    if (response.status !== 201) return { failed: `POST /whep: ${response.status} ${await response.text()}` };
    const location = response.headers.get('Location');
    await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
    const began = performance.now();
    while (video.currentTime === 0 && performance.now() - began < 15000) await new Promise((resolve) => setTimeout(resolve, 50));
    if (video.currentTime === 0) return { failed: `no picture within 15 s (ICE ${pc.iceConnectionState}, connection ${pc.connectionState})` };
    const stats = async () => {
      const report = await pc.getStats();
      const inbound = [...report.values()].find((s) => s.type === 'inbound-rtp' && s.kind === 'video');
      const codec = inbound && report.get(inbound.codecId);
      return { frames: inbound?.framesDecoded ?? 0, codec: codec?.mimeType,
        bufferMs: inbound && inbound.jitterBufferEmittedCount ? 1000 * inbound.jitterBufferDelay / inbound.jitterBufferEmittedCount : 0 };
    };
    const delays = [];
    const frame = (now, meta) => {
      if (meta.rtpTimestamp !== undefined) {
        const shown = (performance.timeOrigin + meta.expectedDisplayTime) * 90;
        // Signed: a browser's clock a little behind the camera's gives a small negative delay, not 13 hours.
        let behind = (((shown - meta.rtpTimestamp) % 2 ** 32) + 2 ** 32) % 2 ** 32;
        if (behind >= 2 ** 31) behind -= 2 ** 32;
        delays.push(behind / 90);
      }
      video.requestVideoFrameCallback(frame);
    };
    video.requestVideoFrameCallback(frame);
    const first = await stats();
    const start = video.currentTime;
    let last = start, lastMoved = performance.now(), longestStill = 0;
    const until = performance.now() + ms;
    while (performance.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const now = performance.now();
      if (video.currentTime !== last) { last = video.currentTime; lastMoved = now; }
      longestStill = Math.max(longestStill, now - lastMoved);
    }
    const end = await stats();
    const deleted = await fetch(location, { method: 'DELETE' });
    pc.close();
    delays.sort((a, b) => a - b);
    const at = (q) => delays.length ? delays[Math.min(delays.length - 1, Math.floor(q * delays.length))] : NaN;
    return { video: video.currentTime - start, longestStill, codec: end.codec, frames: end.frames, width: video.videoWidth,
      height: video.videoHeight, firstBuffer: first.bufferMs, lastBuffer: end.bufferMs, deleted: deleted.status,
      delay: [at(0.5), at(0.95), delays.length] };
  }, seconds * 1000);
  check(!played.failed, played.failed);
  console.log(`PLAYED ${played.video.toFixed(2)} ${Math.round(played.longestStill)}`);
  console.log(`CODEC ${played.codec}`);
  console.log(`FRAMES ${played.frames}`);
  console.log(`SIZE ${played.width}x${played.height}`);
  console.log(`JITTER_BUFFER_MS ${played.firstBuffer.toFixed(1)} ${played.lastBuffer.toFixed(1)}`);
  console.log(`DELAY_MS ${played.delay[0].toFixed(0)} ${played.delay[1].toFixed(0)} ${played.delay[2]}`);
  console.log(`DELETE ${played.deleted}`);
  check(errors.length === 0, 'page errors: ' + errors.join(', '));
  console.log('ok');
} finally {
  await browser.close();
}
