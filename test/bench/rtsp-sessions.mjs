// N RTSP sessions over TCP (interleaved), as NVRs open them: SETUP + PLAY, then count whole frames
// (RTP packets with the marker bit) per session over a window. Prints one JSON line.
// Usage: node rtsp-sessions.mjs PORT SESSIONS WARMUP_SECONDS MEASURE_SECONDS
import net from 'node:net';

const [port, sessions, warmup, measure] = process.argv.slice(2).map(Number);
const url = `rtsp://127.0.0.1:${port}/stream`;
const counts = new Array(sessions).fill(0);
let counting = false, problems = 0;

function open(index) {
  const socket = net.connect(port, '127.0.0.1');
  let buffer = Buffer.alloc(0), step = 0, session = '';
  const send = (text) => socket.write(text + '\r\n\r\n');
  socket.on('connect', () => send(`SETUP ${url}/track1 RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1`));
  socket.on('error', () => problems++);
  socket.on('close', () => { if (counting) problems++; });
  socket.on('data', (chunk) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    while (buffer.length > 0) {
      if (buffer[0] === 0x24) { // '$': interleaved packet
        if (buffer.length < 4) return;
        const length = buffer.readUInt16BE(2);
        if (buffer.length < 4 + length) return;
        if (buffer[1] === 0 && (buffer[5] & 0x80) && counting) counts[index]++;
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

const sockets = Array.from({ length: sessions }, (_, i) => open(i));
setTimeout(() => {
  counting = true;
  setTimeout(() => {
    counting = false;
    const fps = counts.map((c) => c / measure).sort((a, b) => a - b);
    const median = fps.length % 2 ? fps[(fps.length - 1) / 2] : (fps[fps.length / 2 - 1] + fps[fps.length / 2]) / 2;
    console.log(JSON.stringify({ sessions, fps_min: fps[0], fps_median: median, problems }));
    sockets.forEach((s) => s.destroy());
    process.exit(0);
  }, measure * 1000);
}, warmup * 1000);
