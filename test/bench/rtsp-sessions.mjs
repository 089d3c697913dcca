// N RTSP sessions over TCP (interleaved), as NVRs open them: SETUP + PLAY, then count whole frames
// (RTP packets with the marker bit) per session over a window, and RTP payload bytes per session over
// a second window starting at the same time (its length is BYTES_SECONDS, MEASURE_SECONDS if not given).
// Prints one JSON line.
// Usage: node rtsp-sessions.mjs PORT SESSIONS WARMUP_SECONDS MEASURE_SECONDS [PATH [BYTES_SECONDS]]
//   PATH: stream (JPEG, the default) or h264.
import net from 'node:net';

const [port, sessions, warmup, measure] = process.argv.slice(2, 6).map(Number);
const path = process.argv[6] ?? 'stream';
const bytesWindow = Number(process.argv[7] ?? measure);
const url = `rtsp://127.0.0.1:${port}/${path}`;
const counts = new Array(sessions).fill(0);
const bytes = new Array(sessions).fill(0);
let counting = false, countingBytes = false, problems = 0;

// The RTP payload's length: the packet less its fixed header, CSRCs, header extension and padding.
// Only the payload is counted, so the bit rate compares with the encoder's setting, which is about the
// coded stream alone: RTP, interleaving and TCP/IP headers are transport. What stays differs from the
// encoder's output by under 0.1 %: no start codes, one byte more per FU-A fragment (of ~1,400).
function payloadLength(packet) {
  if (packet.length < 12) return 0;
  let header = 12 + 4 * (packet[0] & 0x0f);
  if (packet[0] & 0x10 && packet.length >= header + 4) header += 4 + 4 * packet.readUInt16BE(header + 2);
  const padding = packet[0] & 0x20 ? packet[packet.length - 1] : 0;
  return Math.max(0, packet.length - header - padding);
}

function open(index) {
  const socket = net.connect(port, '127.0.0.1');
  let buffer = Buffer.alloc(0), step = 0, session = '';
  const send = (text) => socket.write(text + '\r\n\r\n');
  socket.on('connect', () => send(`SETUP ${url}/track1 RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1`));
  socket.on('error', () => problems++);
  socket.on('close', () => { if (counting || countingBytes) problems++; });
  socket.on('data', (chunk) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    while (buffer.length > 0) {
      if (buffer[0] === 0x24) { // '$': interleaved packet
        if (buffer.length < 4) return;
        const length = buffer.readUInt16BE(2);
        if (buffer.length < 4 + length) return;
        if (buffer[1] === 0 && (buffer[5] & 0x80) && counting) counts[index]++;
        if (buffer[1] === 0 && countingBytes) bytes[index] += payloadLength(buffer.subarray(4, 4 + length));
        buffer = buffer.subarray(4 + length);
        continue;
      }
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffer.subarray(0, end).toString();
      buffer = buffer.subarray(end + 4);
      if (!head.startsWith('RTSP/1.0 200')) { problems++; socket.destroy(); return; }
      if (step++ === 0) {
        session = /Session: ([^;\r\n]+)/.exec(head)[1];
        send(`PLAY ${url} RTSP/1.0\r\nCSeq: 2\r\nSession: ${session}`);
      }
    }
  });
  return socket;
}

const median = (sorted) => sorted.length % 2
  ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
const sockets = Array.from({ length: sessions }, (_, i) => open(i));
let fps, bytesSeconds;
const finish = () => {
  if (counting || countingBytes) return;
  // kbit/s: one session's payload bytes over the time they were counted (timers run a little late,
  // so the measured span rather than the nominal one).
  const kbps = bytes.map((b) => (b * 8) / bytesSeconds / 1000).sort((a, b) => a - b);
  const round = (v) => Math.round(v * 10) / 10;
  console.log(JSON.stringify({
    sessions, fps_min: fps[0], fps_median: median(fps), problems,
    bytes_seconds: round(bytesSeconds), kbps_min: round(kbps[0]), kbps_median: round(median(kbps)),
    kbps_max: round(kbps[kbps.length - 1]),
  }));
  sockets.forEach((s) => s.destroy());
  process.exit(0);
};
setTimeout(() => {
  counting = countingBytes = true;
  const start = process.hrtime.bigint();
  setTimeout(() => {
    counting = false;
    fps = counts.map((c) => c / measure).sort((a, b) => a - b);
    finish();
  }, measure * 1000);
  setTimeout(() => {
    countingBytes = false;
    bytesSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    finish();
  }, bytesWindow * 1000);
}, warmup * 1000);
