// WS-Discovery on a LAN as ONVIF clients use it, for tests in a network namespace.
//   node discovery.mjs listen ADDRESS      joins 239.255.255.250:3702 on the interface with ADDRESS, prints
//                                          "ready", then one JSON line per message: {action, address, xaddrs}
//   node discovery.mjs probe USER PASSWORD the onvif package's Discovery.probe, then connects to each device
//                                          found through its first XAddr; prints them as JSON
import dgram from 'node:dgram';
import { promisify } from 'node:util';
import onvif from 'onvif';

const [mode, ...args] = process.argv.slice(2);
const text = (xml, name) => xml.match(new RegExp(`<(?:[\\w-]+:)?${name}(?:\\s[^>]*)?>([^<]*)</`))?.[1] ?? null;

if (mode === 'listen') {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  socket.on('message', message => {
    const xml = message.toString();
    console.log(JSON.stringify({ action: text(xml, 'Action'), address: text(xml, 'Address'), xaddrs: text(xml, 'XAddrs')?.split(' ') ?? [] }));
  });
  socket.bind(3702, () => {
    socket.addMembership('239.255.255.250', args[0]);
    console.log('ready');
  });
} else if (mode === 'probe') {
  const [username, password] = args;
  onvif.Discovery.probe({ timeout: 3000, resolve: false }, async (error, found) => {
    try {
      if (found.length === 0) throw new Error(`nothing found${error ? `: ${error}` : ''}`);
      const devices = [];
      for (const data of found) {
        const match = data.probeMatches.probeMatch;
        const xaddrs = match.XAddrs.split(' ');
        const url = new URL(xaddrs[0]);
        const cam = new onvif.Cam({ hostname: url.hostname, port: Number(url.port), path: url.pathname, username, password, timeout: 10000, autoconnect: false });
        await promisify(cam.connect).call(cam);
        const info = await promisify(cam.getDeviceInformation).call(cam);
        devices.push({ address: match.endpointReference.address, xaddrs, scopes: String(match.scopes).split(' '), manufacturer: info.manufacturer });
      }
      console.log(JSON.stringify(devices));
    } catch (e) {
      console.error(`discovery: ${e?.message ?? e}`);
      process.exit(1);
    }
  });
} else {
  console.error('usage: node discovery.mjs listen ADDRESS | probe USER PASSWORD');
  process.exit(2);
}
