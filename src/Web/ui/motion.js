// The motion panel: settings from motion.get, changes through motion.set, the state keys motion.active and
// motion.level as they come. The zones are drawn as a grid over the live picture; while editing, a click
// on a cell watches or ignores it.
import { call, watch } from './api.js';
import { $, el } from './dom.js';
import { allowed } from './role.js';

const numbers = ['sensitivity', 'minAreaPercent', 'cooldownSeconds'];
const defaultGrid = 8;
let grid = null; // rows of '#' and '.', as motion.set takes them
let editing = false;

function fill(settings) {
  $('motion-enabled').checked = settings.enabled;
  for (const name of numbers) $('motion-' + name).value = settings[name];
  $('motion-action').value = settings.action;
  grid = settings.zones?.length ? [...settings.zones] : null;
  draw();
}

export async function load() {
  try { fill(await call('motion.get')); } catch (error) { $('motion-error').textContent = error.message; }
}

// The grid covers the picture itself: the view letterboxes it, so its box is worked out from the picture's own size.
function place() {
  const overlay = $('zones');
  const view = overlay.parentElement;
  const picture = [$('player'), $('video')].find((node) => !node.hidden);
  const width = picture?.videoWidth || picture?.naturalWidth || 16, height = picture?.videoHeight || picture?.naturalHeight || 9;
  const scale = Math.min(view.clientWidth / width, view.clientHeight / height);
  Object.assign(overlay.style, {
    width: `${width * scale}px`, height: `${height * scale}px`,
    left: `${(view.clientWidth - width * scale) / 2}px`, top: `${(view.clientHeight - height * scale) / 2}px`,
  });
}

function draw() {
  const overlay = $('zones');
  overlay.hidden = !editing && grid == null;
  const rows = grid ?? Array(defaultGrid).fill('#'.repeat(defaultGrid));
  overlay.style.gridTemplateColumns = `repeat(${rows[0].length}, 1fr)`;
  overlay.style.gridTemplateRows = `repeat(${rows.length}, 1fr)`;
  overlay.classList.toggle('editing', editing);
  overlay.replaceChildren(...rows.flatMap((row, y) => [...row].map((cell, x) => el('button', {
    type: 'button', class: cell === '#' ? 'cell watched' : 'cell', 'aria-pressed': String(cell === '#'),
    'aria-label': `zone row ${y + 1} column ${x + 1}`, tabindex: editing ? null : '-1', onclick: () => toggle(y, x),
  }))));
  $('motion-zones-edit').setAttribute('aria-pressed', String(editing));
  place();
}

function toggle(y, x) {
  if (!editing) return;
  const rows = grid ?? Array(defaultGrid).fill('#'.repeat(defaultGrid));
  grid = rows.map((row, i) => i !== y ? row : row.slice(0, x) + (row[x] === '#' ? '.' : '#') + row.slice(x + 1));
  draw();
}

$('motion-zones-edit').addEventListener('click', () => { editing = !editing && allowed('operator'); draw(); });
$('motion-zones-all').addEventListener('click', () => { grid = null; draw(); });
window.addEventListener('resize', place);
for (const picture of ['player', 'video']) $(picture).addEventListener(picture === 'player' ? 'loadedmetadata' : 'load', place);

$('motion-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('motion-error').textContent = '';
  $('motion-done').textContent = '';
  const change = { enabled: $('motion-enabled').checked, action: $('motion-action').value, zones: grid };
  for (const name of numbers) change[name] = Number($('motion-' + name).value);
  try {
    fill(await call('motion.set', change));
    editing = false;
    draw();
    $('motion-done').textContent = 'Saved.';
  } catch (error) {
    $('motion-error').textContent = error.message;
  }
});

watch('motion.', (key, value) => {
  if (key === 'motion.active') {
    $('motion-state').textContent = value ? 'Motion' : 'Still';
    $('zones').classList.toggle('moving', value === true);
  } else if (key === 'motion.level') {
    $('motion-level').textContent = value.toFixed(1);
  }
});
