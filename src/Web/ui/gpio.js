// The GPIO panel: every named pin from gpio.status; outputs as switches (gpio.set), inputs as lights.
// Values come from the gpio.<name> state keys, so another client's change shows as soon as it is made.
import { call, watch, value } from './api.js';
import { $, el } from './dom.js';
import { allowed } from './role.js';

function render(status) {
  const pins = status?.pins || [];
  $('gpio-empty').hidden = pins.length > 0;
  $('pins').replaceChildren(...pins.map((pin) => {
    const control = pin.direction === 'output'
      ? el('button', { type: 'button', role: 'switch', class: 'switch', id: 'pin-' + pin.name, 'aria-checked': 'false', 'aria-label': pin.name, disabled: !pin.open || !allowed('operator'), onclick: () => toggle(pin.name) })
      : el('span', { class: 'light', id: 'pin-' + pin.name, role: 'img', 'aria-label': pin.name + ' off' });
    return el('li', {},
      el('span', { class: 'pin-name' }, pin.name),
      el('span', { class: 'muted' }, `${pin.direction} · ${pin.chip} line ${pin.line}`),
      control,
      pin.error ? el('span', { class: 'error' }, pin.error) : '');
  }));
  for (const pin of pins) show(pin.name, value('gpio.' + pin.name));
}

function show(name, level) {
  const node = $('pin-' + name);
  if (!node) return;
  const on = level === 1;
  if (node.tagName === 'BUTTON') node.setAttribute('aria-checked', String(on));
  else { node.classList.toggle('on', on); node.setAttribute('aria-label', `${name} ${on ? 'on' : 'off'}`); }
}

async function toggle(name) {
  $('gpio-error').textContent = '';
  const next = value('gpio.' + name) === 1 ? 0 : 1;
  try { await call('gpio.set', { name, value: next }); } catch (error) { $('gpio-error').textContent = `${name}: ${error.message}`; }
}

watch('gpio.', (key, v) => {
  if (key === 'gpio.status') render(v);
  else show(key.slice(5), v);
});
