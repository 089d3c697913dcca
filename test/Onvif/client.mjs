// Connects to an ONVIF device the way NVR software does and prints what it learned as JSON.
// Usage: node client.mjs HOST PORT USER PASSWORD. Exits non-zero, with the error on stderr, on any failure.
import { promisify } from 'node:util';
import onvif from 'onvif';

const [hostname, port, username, password] = process.argv.slice(2);
const cam = new onvif.Cam({ hostname, port: Number(port), username, password, timeout: 10000, autoconnect: false });
const call = (name, ...args) => promisify(cam[name]).call(cam, ...args);

try {
  await call('connect');
  const info = await call('getDeviceInformation');
  const profiles = await call('getProfiles');
  const stream = await call('getStreamUri', { protocol: 'RTSP' });
  const snapshot = await call('getSnapshotUri');
  console.log(JSON.stringify({
    info,
    profiles: profiles.map(p => ({
      token: p.$.token, name: p.name, encoding: p.videoEncoderConfiguration?.encoding,
      resolution: p.videoEncoderConfiguration?.resolution, rateControl: p.videoEncoderConfiguration?.rateControl,
      h264: p.videoEncoderConfiguration?.H264,
    })),
    streamUri: stream.uri,
    snapshotUri: snapshot.uri,
  }));
} catch (e) {
  console.error(`onvif client: ${e?.message ?? e}`);
  process.exit(1);
}
