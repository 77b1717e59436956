// The page's Train mode: pick a task and a model size, then Start, Pause, Step or Reset a small
// transformer trained in ./worker.js; the loss and accuracy curves (./curves.js) and the probe
// example's attention for every layer × head (./maps.js) redraw at most once per frame as reports
// arrive, with steps per second and, for reverse, each head's mirror score (./probe-scores.js).
// Download GGUF writes the trained model as a llama file.
//
// Hooks into the page: index.html's #mode-train button and #train-view section; main.js calls
// setUpTrainMode(). The other modes' buttons leave this mode. The t* fields of the state are the
// form; the same link trains the same model (same seed, same steps, same bits).

import { el } from '../../draw/dom.js';
import { download } from '../../draw/export.js';
import { TRAIN_TASKS } from '../state.js';
import { Curves, CURVE_COLOURS } from './curves.js';
import { AttentionMaps } from './maps.js';
import { mirrorScores } from './probe-scores.js';

// The form: state key, label, input kind and its range (web/lib/train.js checks them again).
const FIELDS = [
  { key: 'tTask', option: 'task', label: 'Task', choices: TRAIN_TASKS },
  { key: 'tLayers', option: 'layers', label: 'Layers', min: 1, max: 4 },
  { key: 'tHeads', option: 'heads', label: 'Heads', min: 1, max: 8 },
  { key: 'tDModel', option: 'dModel', label: 'd_model', min: 2, max: 256, step: 2 },
  { key: 'tMlp', option: 'mlp', label: 'MLP', choices: ['none', 'swiglu', 'gelu'] },
  { key: 'tPos', option: 'positions', label: 'Positions', choices: ['rope', 'learned'] },
  { key: 'tLr', option: 'learningRate', label: 'Learning rate', min: 0.0001, max: 0.1, step: 'any' },
  { key: 'tSeed', option: 'seed', label: 'Seed', min: 0, max: 999999 },
];

export function trainOptionsOf(state) {
  return Object.fromEntries(FIELDS.map((f) => [f.option, state[f.key]]));
}

class TrainMode {
  constructor(root, { state, onView }) {
    this.root = root;
    this.onView = onView;
    this.values = Object.fromEntries(FIELDS.map((f) => [f.key, state[f.key]]));
    this.latest = null; // the newest report not drawn yet
    this.shown = { steps: 0, running: false, attention: null, scores: null, evaluation: null, error: '' };
    this.frame = 0;
    this.build();
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.worker.onmessage = ({ data }) => this.receive(data);
    this.worker.onerror = (e) => this.showError(e.message || 'the training worker failed to start');
    this.reset();
  }

  build() {
    const form = el('form', 'train-form', this.root);
    form.addEventListener('submit', (e) => e.preventDefault());
    this.inputs = {};
    for (const f of FIELDS) {
      const label = el('label', 'train-field', form);
      el('span', '', label, f.label);
      let input;
      if (f.choices) {
        input = el('select', { name: f.key }, label);
        for (const c of f.choices) el('option', { value: c }, input, c);
      } else {
        input = el('input', { type: 'number', name: f.key, min: f.min, max: f.max, step: f.step ?? 1 }, label);
      }
      input.value = String(this.values[f.key]);
      input.addEventListener('change', () => {
        const value = f.choices ? input.value : Number(input.value);
        this.values[f.key] = value;
        this.onView({ [f.key]: value });
        this.reset();
      });
      this.inputs[f.key] = input;
    }
    const buttons = el('div', 'train-buttons', this.root);
    const button = (id, text, action) => {
      const b = el('button', { type: 'button', class: 'button', id }, buttons, text);
      b.addEventListener('click', action);
      return b;
    };
    this.startButton = button('train-start', 'Start', () => this.post({ type: 'start' }));
    this.pauseButton = button('train-pause', 'Pause', () => this.post({ type: 'pause' }));
    button('train-step', 'Step', () => this.post({ type: 'step', n: 1 }));
    button('train-reset', 'Reset', () => this.reset());
    button('train-download', 'Download GGUF', () => this.post({ type: 'export' }));
    this.status = el('p', { class: 'train-status', 'aria-live': 'polite' }, this.root);
    this.error = el('p', { class: 'train-error', role: 'alert' }, this.root);
    this.error.hidden = true;
    const plot = el('figure', 'train-curves', this.root);
    this.canvas = el('canvas', 'train-curves-canvas', plot);
    const key = el('figcaption', '', plot);
    el('span', { class: 'train-key', style: `color: ${CURVE_COLOURS.loss}` }, key, '— loss (left scale)  ');
    el(
      'span',
      { class: 'train-key', style: `color: ${CURVE_COLOURS.accuracy}` },
      key,
      '— batch accuracy (right, 0 … 1)',
    );
    this.curves = new Curves(this.canvas);
    const maps = el('section', 'train-maps', this.root);
    el('h3', '', maps, 'Attention on the probe example (queries down, keys across)');
    el('p', 'train-probe', maps);
    el('div', 'train-grid', maps);
    this.maps = new AttentionMaps(maps);
  }

  post(message) {
    this.error.hidden = true;
    this.worker.postMessage(message);
  }

  // A fresh trainer of the form's options: step 0, the curves cleared.
  reset() {
    this.curves.reset();
    this.latest = null;
    this.shown = { ...this.shown, steps: 0, running: false, attention: null, scores: null, evaluation: null };
    this.status.textContent = 'Creating the model…';
    this.post({ type: 'create', options: trainOptionsOf(this.values) });
  }

  apply(state) {
    const changed = FIELDS.some((f) => state[f.key] !== this.values[f.key]);
    if (!changed) return;
    for (const f of FIELDS) {
      this.values[f.key] = state[f.key];
      this.inputs[f.key].value = String(state[f.key]);
    }
    this.reset();
  }

  receive(data) {
    if (data.type === 'error') return this.showError(data.message);
    if (data.type === 'exported') {
      download(data.name, new Blob([data.bytes], { type: 'application/octet-stream' }));
      return;
    }
    if (data.type === 'created') {
      this.shown.error = '';
      data = { ...data, steps: 0, loss: [], accuracy: [], stepsPerSecond: 0, running: false };
    }
    // Curves take every step; the maps and the status only the newest report, once per frame.
    this.curves.add(data.loss, data.accuracy);
    this.latest = data;
    if (!this.frame) this.frame = requestAnimationFrame(() => this.draw());
  }

  draw() {
    this.frame = 0;
    const data = this.latest;
    if (!data) return;
    this.latest = null;
    const reverse = this.values.tTask === 'reverse';
    const scores = reverse ? mirrorScores(data.attention) : null;
    this.shown = {
      steps: data.steps,
      running: data.running,
      attention: data.attention,
      scores,
      evaluation: data.evaluation,
      error: this.shown.error,
    };
    this.curves.draw();
    this.maps.draw(data.attention, scores);
    const ev = data.evaluation;
    const rate = data.stepsPerSecond ? ` · ${data.stepsPerSecond.toFixed(1)} steps/s` : '';
    this.status.textContent =
      `Step ${data.steps} · held-out loss ${ev.loss.toFixed(3)} · held-out accuracy ` +
      `${(100 * ev.accuracy).toFixed(1)} % (${ev.counted} tokens)${rate}`;
  }

  showError(message) {
    this.shown.error = message;
    this.error.textContent = message;
    this.error.hidden = false;
  }

  dispose() {
    this.worker.terminate();
  }
}

/**
 * Wires the Train button and view. state: the page's state at start-up (tr=1 opens Train mode at
 * once); onView(patch) writes the t* fields (the URL); onEnter() leaves the other modes. Returns
 * { enter, apply }.
 */
export function setUpTrainMode({ state, onView = () => {}, onEnter = () => {} }) {
  const view = document.getElementById('train-view');
  const button = document.getElementById('mode-train');
  if (!view || !button) return null;
  let mode = null;
  const enter = (on, from = state) => {
    document.body.classList.toggle('train-mode', on);
    view.hidden = !on;
    button.setAttribute('aria-pressed', String(on));
    if (on) {
      onEnter();
      for (const id of ['mode-walk', 'mode-all', 'mode-model'])
        document.getElementById(id)?.setAttribute('aria-pressed', 'false');
    }
    if (on && !mode) {
      mode = new TrainMode(view, { state: from, onView });
      window.__apTrain = {
        shown: () => mode.shown,
        post: (message) => mode.post(message),
        reset: () => mode.reset(),
      };
    }
    if (!on) mode?.post({ type: 'pause' });
    onView({ train: on });
  };
  button.addEventListener('click', () => enter(true));
  for (const id of ['mode-walk', 'mode-all', 'mode-model'])
    document.getElementById(id)?.addEventListener('click', () => enter(false));
  if (state.train) enter(true);
  const apply = (next) => {
    if (!next.train) {
      if (!view.hidden) enter(false);
      return;
    }
    const fresh = !mode;
    enter(true, next);
    if (!fresh) mode.apply(next);
  };
  return { enter, apply };
}
