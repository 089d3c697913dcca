// The camera panel: settings from camera.get, choices from camera.list, changes through camera.set.
// The server's refusal is shown next to the field it names.
import { call, watch } from './api.js';
import { $, el } from './dom.js';

const fields = ['source', 'device', 'format', 'width', 'height', 'fps', 'quality', 'subsampling'];
const numbers = new Set(['width', 'height', 'fps', 'quality']);
const formats = ['mjpeg', 'yuyv', 'nv12', 'i420', 'h264'];
let current = null;
let devices = [];
let sources = ['testpattern', 'v4l2', 'pipe'];
let dirty = false;

const input = (field) => $('cam-' + field);

function options(select, values, chosen) {
  select.replaceChildren(...values.map((v) => el('option', { value: v }, v)));
  if (chosen != null && !values.includes(chosen)) select.append(el('option', { value: chosen }, chosen));
  select.value = chosen ?? values[0] ?? '';
}

// Device, format and size lists follow the chosen source and device.
function refreshChoices() {
  const source = input('source').value;
  const v4l2 = source === 'v4l2';
  $('cam-device-row').hidden = !v4l2;
  $('cam-format-row').hidden = source === 'testpattern';
  const device = devices.find((d) => d.path === input('device').value);
  const format = device?.formats.find((f) => f.format === input('format').value);
  const sizes = v4l2 && format ? format.sizes.map((s) => `${s.width}x${s.height}`) : [];
  $('cam-size-row').hidden = sizes.length === 0;
  options($('cam-size'), ['', ...sizes], sizes.includes(`${input('width').value}x${input('height').value}`) ? `${input('width').value}x${input('height').value}` : '');
}

function fill(settings) {
  current = settings;
  dirty = false;
  options(input('source'), sources, settings.source);
  options(input('device'), devices.map((d) => d.path), settings.device);
  const device = devices.find((d) => d.path === settings.device);
  options(input('format'), settings.source === 'v4l2' && device ? device.formats.map((f) => f.format) : formats, settings.format);
  for (const field of ['width', 'height', 'fps', 'quality']) input(field).value = settings[field];
  input('subsampling').value = settings.subsampling;
  refreshChoices();
}

export async function load() {
  try {
    const [settings, list] = await Promise.all([call('camera.get'), call('camera.list')]);
    devices = list.devices;
    sources = list.sources;
    fill(settings);
  } catch (error) {
    $('camera-error').textContent = error.message;
  }
}

function clearErrors() {
  for (const field of fields) $('cam-' + field + '-error').textContent = '';
  $('camera-error').textContent = '';
  $('camera-done').textContent = '';
}

// "Fps must be…", "params.width must be…", "Width and Height must…": the first word names the field.
function fieldOf(message) {
  const match = /^(?:params\.)?(\w+)/.exec(message);
  const field = match && match[1].toLowerCase();
  return fields.includes(field) ? field : null;
}

$('camera-form').addEventListener('input', (event) => {
  dirty = true;
  if (event.target === $('cam-size') && event.target.value) {
    const [width, height] = event.target.value.split('x');
    input('width').value = width;
    input('height').value = height;
  }
  if (['cam-source', 'cam-device', 'cam-format', 'cam-width', 'cam-height'].includes(event.target.id)) {
    if (event.target.id === 'cam-device') {
      const device = devices.find((d) => d.path === input('device').value);
      if (device) options(input('format'), device.formats.map((f) => f.format), input('format').value);
    }
    refreshChoices();
  }
});

$('camera-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors();
  const changes = {};
  for (const field of fields) {
    const raw = input(field).value;
    const next = numbers.has(field) ? Number(raw) : raw;
    if (raw !== '' && next !== current?.[field]) changes[field] = next;
  }
  if (Object.keys(changes).length === 0) { $('camera-done').textContent = 'Nothing changed.'; return; }
  $('camera-apply').disabled = true;
  try {
    fill(await call('camera.set', changes));
    $('camera-done').textContent = 'Applied.';
  } catch (error) {
    const field = fieldOf(error.message);
    $(field ? 'cam-' + field + '-error' : 'camera-error').textContent = error.message;
    if (field) input(field).focus();
  } finally {
    $('camera-apply').disabled = false;
  }
});

// Another client's change restarts the camera: follow it unless this form holds unsent edits.
watch('camera.status', () => { if (current && !dirty) call('camera.get').then(fill, () => {}); });
