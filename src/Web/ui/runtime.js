// The runtime inspector: runtime.inspect every 2 s while the panel is open (nothing while it is shut):
// the event loop's lag and busiest work, task groups, services, the worker pool, every connection
// and the process's resources.
import { call } from './api.js';
import { $, el, bytes, duration } from './dom.js';

const every = 2000;
let timer = null;

const ms = (v) => v == null ? '–' : `${v < 1 ? v.toFixed(3) : v.toFixed(1)} ms`;
const row = (...cells) => el('tr', {}, ...cells.map((c) => el('td', {}, String(c ?? '–'))));

function render(r) {
  const loop = r.loop;
  $('rt-loop').textContent = `${loop.itemsPerSecond.toFixed(1)} items/s · queue ${loop.queueDepth} · busy ${(100 * loop.busyRatio).toFixed(1)} % · ` +
    `lag p50 ${ms(loop.lag.p50Ms)}, p99 ${ms(loop.lag.p99Ms)}, max ${ms(loop.lag.maxMs)} · ${loop.itemsRun} items run, ${loop.failures} failed · up ${duration(r.uptimeSeconds)}`;
  // The histogram is cumulative: each bar is its own bucket's share.
  const total = loop.lagHistogram[loop.lagHistogram.length - 1].count || 1;
  let below = 0;
  $('rt-lag').replaceChildren(...loop.lagHistogram.map((b) => {
    const count = b.count - below;
    below = b.count;
    const share = count / total;
    // Through the CSSOM: the page's CSP forbids style attributes.
    const bar = el('span', { class: 'bar' });
    bar.style.width = `${Math.max(share * 100, count ? 0.5 : 0)}%`;
    return el('li', { title: `${count} items` }, el('span', {}, b.leMs == null ? 'more' : `≤ ${ms(b.leMs)}`),
      bar, el('span', {}, `${(100 * share).toFixed(share < 0.01 ? 2 : 0)} %`));
  }));
  $('rt-busiest').replaceChildren(...loop.busiest.map((k) => row(k.name, k.count, ms(k.totalMs), ms(k.maxMs), bytes(k.allocatedBytes))));
  $('rt-groups').replaceChildren(...r.taskGroups.map((g) => el('li', {}, `${g.name} (${g.policy}${g.cancelled ? ', cancelled' : ''}): `,
    g.children.length ? g.children.map((c) => `${c.name} ${duration(c.ageSeconds)}`).join(', ') : 'no live children')));
  $('rt-services').replaceChildren(...r.services.map((s) => row(s.name, s.status, s.restarts, s.lastError)));
  const p = r.pool;
  $('rt-pool').textContent = `${p.workers} workers · ${p.running} running · queue ${p.queued} of ${p.capacity} · ${p.completed} done, ${p.failed} failed, ` +
    `${p.rejected} rejected, ${p.dropped} dropped · wait p99 ${ms(p.waitTime.p99Ms)} · run p50 ${ms(p.runTime.p50Ms)}, p99 ${ms(p.runTime.p99Ms)}`;
  $('rt-connections').replaceChildren(...r.connections.map((c) => row(c.kind, c.peer, duration(c.ageSeconds), bytes(c.bytesIn), bytes(c.bytesOut), c.pending, c.detail)));
  const pr = r.process;
  $('rt-process').textContent = `RSS ${bytes(pr.residentBytes)} · GC heap ${bytes(pr.gcHeapBytes)}, committed ${bytes(pr.gcCommittedBytes)} · collections ${pr.gen0Collections}/${pr.gen1Collections}/${pr.gen2Collections} · ` +
    `${pr.threads} threads · ${pr.openFiles} open files`;
}

async function refresh() {
  try {
    render(await call('runtime.inspect'));
    $('rt-error').textContent = '';
  } catch (e) {
    $('rt-error').textContent = `Cannot inspect the runtime: ${e.message}`;
  }
}

$('runtime').addEventListener('toggle', () => {
  clearInterval(timer);
  timer = null;
  if (!$('runtime').open) return;
  refresh();
  timer = setInterval(refresh, every);
});
