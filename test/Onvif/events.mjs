// ONVIF events as NVR software reads them, with the npm 'onvif' client's pull-point API: the event service's
// capabilities and topics, a pull point, its first messages (each property's state), then motion and a
// GPIO input changed through Edge's own API (motion.set moves the zones onto the test pattern's moving box
// and off it again; gpio.simulate drives the memory GPIO line 5 named "door"), Renew and Unsubscribe.
// Usage: node events.mjs HOST PORT USER PASSWORD. Prints one JSON line; exits non-zero, with the error on stderr, on any failure.
import { promisify } from 'node:util';
import onvif from 'onvif';

const [hostname, port, username, password] = process.argv.slice(2);
const cam = new onvif.Cam({ hostname, port: Number(port), username, password, timeout: 90000, autoconnect: false });
const call = (name, ...args) => promisify(cam[name]).call(cam, ...args);
const api = async (method, params) => {
  const reply = await fetch(`http://${hostname}:${port}/api`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64') },
    body: JSON.stringify({ id: 1, method, params }),
  });
  const body = await reply.json();
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
};
// Every message as {topic, operation, source, data}, values as the client converted them.
const messages = (pulled) => [].concat(pulled.notificationMessage ?? []).map((m) => ({
  topic: m.topic._,
  operation: m.message.message.$.PropertyOperation,
  source: Object.fromEntries([].concat(m.message.message.source?.simpleItem ?? []).map((i) => [i.$.Name, i.$.Value])),
  data: Object.fromEntries([].concat(m.message.message.data.simpleItem).map((i) => [i.$.Name, i.$.Value])),
}));
// Pulls until a message matches, at most 30 s; returns it and how long it took.
async function until(match) {
  const started = Date.now();
  const seen = [];
  while (Date.now() - started < 30000) {
    const pulled = messages(await call('pullMessages', { messageLimit: 10 }));
    const found = pulled.find(match);
    if (found) return { ...found, ms: Date.now() - started };
    seen.push(...pulled);
  }
  const state = await api('state.get', { keys: ['motion.active', 'motion.level', 'motion.stats', 'camera.status'] });
  throw new Error(`no matching message within 30 s; seen ${JSON.stringify(seen)}; state ${JSON.stringify(state)}`);
}
const motionRows = ['....', '....', '####', '####', '....', '....', '....', '....'];
const stillRows = ['####', '####', '....', '....', '....', '....', '....', '....'];

try {
  await call('connect');
  const capabilities = await call('getEventServiceCapabilities');
  const properties = await call('getEventProperties');
  const created = await call('createPullPointSubscription');
  const first = messages(await call('pullMessages', { messageLimit: 10 }));
  await api('motion.set', { enabled: true, zones: motionRows, cooldownSeconds: 1 });
  const motion = await until((m) => m.topic === 'tns1:RuleEngine/CellMotionDetector/Motion' && m.data.IsMotion === true);
  await api('motion.set', { zones: stillRows });
  const still = await until((m) => m.topic === 'tns1:RuleEngine/CellMotionDetector/Motion' && m.data.IsMotion === false);
  await api('gpio.simulate', { line: 5, level: 1 });
  const door = await until((m) => m.topic === 'tns1:Device/Trigger/DigitalInput');
  const renewed = await call('renew', {});
  const subscription = cam.events.subscription;
  await call('unsubscribe');
  // The client forgets the subscription; ask the server about it all the same.
  cam.events.subscription = subscription;
  let afterUnsubscribe = 'answered';
  try { await call('pullMessages', { messageLimit: 1 }); } catch (e) { afterUnsubscribe = e.message; }
  console.log(JSON.stringify({
    capabilities,
    topics: {
      cellMotion: !!properties.topicSet?.ruleEngine?.cellMotionDetector?.motion,
      motionAlarm: !!properties.topicSet?.videoSource?.motionAlarm,
      digitalInput: !!properties.topicSet?.device?.trigger?.digitalInput,
    },
    address: created.subscriptionReference.address.href,
    leaseSeconds: (created.terminationTime - created.currentTime) / 1000,
    first, motion, still, door,
    renewedSeconds: (renewed.terminationTime - renewed.currentTime) / 1000,
    afterUnsubscribe,
  }));
  process.exit(0);
} catch (e) {
  console.error(`onvif events: ${e?.stack ?? e}`);
  process.exit(1);
}
