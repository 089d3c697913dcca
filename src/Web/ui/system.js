// The system panel: CPU, memory, temperature, disk and network as SVG graphs of the last 15 minutes
// (system.history on connect, then a point per system.* update), uptime, version and services.
import { call, watch, value } from './api.js';
import { $, el, bytes, duration, time } from './dom.js';

const span = 15 * 60 * 1000;
const graphs = [
  { id: 'cpu', label: 'CPU', unit: '%', max: 100 },
  { id: 'memory', label: 'Memory used', unit: '%', max: 100 },
  { id: 'temperature', label: 'Temperature', unit: '°C' },
  { id: 'disk', label: 'Disk used', unit: '%', max: 100 },
  { id: 'network', label: 'Network in / out', unit: 'B/s', lines: ['rx', 'tx'] },
];
let points = [];
let info = null;
// Board clock minus browser clock, roughly: live points are placed on the board's time line.
let skew = 0;

const percentUsed = (available, total) => available == null || !total ? null : 100 * (1 - available / total);

function point(t, cpu, memoryAvailable, temperature, diskAvailable, rx, tx) {
  return {
    t, cpu, temperature, rx, tx,
    memory: percentUsed(memoryAvailable, value('system.memory')?.totalBytes),
    disk: percentUsed(diskAvailable, value('system.disk')?.totalBytes),
  };
}

function setup() {
  $('graphs').replaceChildren(...graphs.map((g) => el('figure', {},
    el('figcaption', {}, g.label, ' ', el('b', { id: `g-${g.id}-now` }, '–')),
    svg(g))));
}

function svg(g) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  node.setAttribute('viewBox', '0 0 900 100');
  node.setAttribute('preserveAspectRatio', 'none');
  node.setAttribute('role', 'img');
  node.setAttribute('aria-label', `${g.label}, last 15 minutes`);
  for (const line of g.lines || ['v']) {
    const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('class', 'line-' + line);
    path.setAttribute('vector-effect', 'non-scaling-stroke');
    path.id = `g-${g.id}-${line}`;
    node.append(path);
  }
  return node;
}

function format(g, v) {
  if (v == null) return '–';
  if (g.unit === 'B/s') return bytes(v) + '/s';
  return `${v.toFixed(g.unit === '%' ? 0 : 1)} ${g.unit}`;
}

function draw() {
  const now = points.length ? points[points.length - 1].t : Date.now();
  for (const g of graphs) {
    const keys = g.lines || [g.id];
    let max = g.max;
    if (!max) {
      max = 1;
      let min = Infinity;
      for (const p of points) for (const k of keys) if (p[k] != null) { max = Math.max(max, p[k]); min = Math.min(min, p[k]); }
      // Temperatures sit far from zero: scale from just below the lowest one.
      if (g.unit === '°C' && min !== Infinity) { g.min = Math.max(0, Math.floor(min - 5)); max = Math.ceil(max + 5); } else g.min = 0;
    }
    const low = g.min || 0;
    keys.forEach((k, i) => {
      let d = '';
      let gap = true;
      for (const p of points) {
        if (p[k] == null) { gap = true; continue; }
        const x = (900 * (1 - (now - p.t) / span)).toFixed(1);
        const y = (100 - 100 * (p[k] - low) / (max - low || 1)).toFixed(1);
        d += `${gap ? 'M' : 'L'}${x} ${y}`;
        gap = false;
      }
      $(`g-${g.id}-${(g.lines || ['v'])[i]}`).setAttribute('d', d);
    });
    const last = points[points.length - 1];
    $(`g-${g.id}-now`).textContent = keys.map((k) => format(g, last?.[k])).join(' / ');
  }
}

export async function load() {
  try {
    const [history, system] = await Promise.all([call('system.history'), call('system.info')]);
    points = history.time.map((t, i) => point(t, history.cpuPercent[i], history.memoryAvailableBytes[i],
      history.temperatureCelsius[i], history.diskAvailableBytes[i], history.rxBytesPerSecond[i], history.txBytesPerSecond[i]));
    if (history.time.length) skew = Date.now() - history.time[history.time.length - 1];
    info = system;
    draw();
    facts();
  } catch (error) {
    $('system-error').textContent = error.message;
  }
}

function facts() {
  if (info) {
    $('version').textContent = info.version;
    $('edge-uptime').textContent = duration((Date.now() - Date.parse(info.startedAt)) / 1000);
  }
  const uptime = value('system.uptime');
  $('board-uptime').textContent = uptime == null ? '–' : duration(uptime);
  const services = info?.services || [];
  $('services').replaceChildren(...services.map((s) => {
    const status = value('service.' + s.name) || s.status.toLowerCase();
    return el('li', {},
      el('span', { class: 'dot ' + status }), `${s.name}: ${status}`,
      s.restarts ? el('span', { class: 'muted' }, ` · ${s.restarts} restarts`) : '',
      s.lastError ? el('span', { class: 'muted' }, ` · last error ${time(s.since)}: ${s.lastError}`) : '');
  }));
}

// system.network comes last in each sample: one new point per sample.
watch('system.network', (key, network) => {
  if (!info) return;
  const sum = (k) => network ? network.reduce((total, n) => n[k] == null ? total : (total ?? 0) + n[k], null) : null;
  const temperatures = (value('system.temperatures') || []).map((z) => z.celsius);
  const now = Date.now() - skew;
  points.push(point(now, value('system.cpu')?.total ?? null, value('system.memory')?.availableBytes,
    temperatures.length ? Math.max(...temperatures) : null, value('system.disk')?.availableBytes, sum('rxBytesPerSecond'), sum('txBytesPerSecond')));
  while (points.length && points[0].t < now - span) points.shift();
  draw();
  facts();
});

// A service's state changed: its restart count and last error did too.
watch('service.', () => { if (info) call('system.info').then((system) => { info = system; facts(); }, () => {}); });

setup();
