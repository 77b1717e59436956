// The page's Train mode: pick a task and a model size, then Start, Pause, Step or Reset a small
// transformer trained in ./worker.js; the loss and accuracy curves (./curves.js) and the probe
// example's attention for every layer × head (./maps.js) redraw at most once per frame as reports
// arrive, with steps per second. Each map carries a badge for every pattern its head is named for:
// the worker scores every head on the head detector's templates (trainer.headScores(), the core's
// src/analysis, the same scores as Model mode's) each time it sends the maps, so names appear and
// disappear as the model trains; a legend under the maps says how. Download GGUF writes the trained
// model as a llama file.
//
// Hooks into the page: index.html's #mode-train button and #train-view section; main.js calls
// setUpTrainMode(). The other modes' buttons leave this mode. The t* fields of the state are the
// form; the same link trains the same model (same seed, same steps, same bits).

import { el } from '../../draw/dom.js';
import { download } from '../../draw/export.js';
import { TRAIN_TASKS } from '../state.js';
import { Curves, CURVE_COLOURS } from './curves.js';
import { AttentionMaps } from './maps.js';
import { formatNumber } from '../../draw/format.js';
import { t } from '../i18n/i18n.js';

// The form: state key, label (its i18n key), input kind and its range (web/lib/train.js checks them again).
const FIELDS = [
  { key: 'tTask', option: 'task', label: 'train.task', choices: TRAIN_TASKS },
  { key: 'tLayers', option: 'layers', label: 'train.layers', min: 1, max: 4 },
  { key: 'tHeads', option: 'heads', label: 'train.heads', min: 1, max: 8 },
  { key: 'tDModel', option: 'dModel', label: 'train.dModel', min: 2, max: 256, step: 2 },
  { key: 'tMlp', option: 'mlp', label: 'train.mlp', choices: ['none', 'swiglu', 'gelu'] },
  { key: 'tPos', option: 'positions', label: 'train.positions', choices: ['rope', 'learned'] },
  { key: 'tLr', option: 'learningRate', label: 'train.learningRate', min: 0.0001, max: 0.1, step: 'any' },
  { key: 'tSeed', option: 'seed', label: 'train.seed', min: 0, max: 999999 },
];

export function trainOptionsOf(state) {
  return Object.fromEntries(FIELDS.map((f) => [f.option, state[f.key]]));
}

class TrainMode {
  constructor(root, { state, onView }) {
    this.root = root;
    this.onView = onView;
    this.values = Object.fromEntries(FIELDS.map((f) => [f.key, state[f.key]]));
    this.latest = null; // the reports not drawn yet, merged (newer fields win)
    this.snapshot = null; // what is drawn: { attention, heads, at, evaluation, evaluatedAt }
    this.shown = { steps: 0, running: false, attention: null, heads: null, evaluation: null, at: 0, error: '' };
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
      el('span', '', label, t(f.label));
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
    this.startButton = button('train-start', t('train.start'), () => this.post({ type: 'start' }));
    this.pauseButton = button('train-pause', t('train.pause'), () => this.post({ type: 'pause' }));
    this.pauseButton.disabled = true; // until a report says the model trains
    button('train-step', t('train.step'), () => this.post({ type: 'step', n: 1 }));
    button('train-reset', t('train.reset'), () => this.reset());
    button('train-download', t('train.download'), () => this.post({ type: 'export' }));
    this.status = el('p', { class: 'train-status', 'aria-live': 'polite' }, this.root);
    this.error = el('p', { class: 'train-error', role: 'alert' }, this.root);
    this.error.hidden = true;
    const plot = el('figure', 'train-curves', this.root);
    this.canvas = el('canvas', 'train-curves-canvas', plot);
    const key = el('figcaption', '', plot);
    el('span', { class: 'train-key', style: `color: ${CURVE_COLOURS.loss}` }, key, t('train.keyLoss') + '  ');
    el('span', { class: 'train-key', style: `color: ${CURVE_COLOURS.accuracy}` }, key, t('train.keyAccuracy'));
    this.curves = new Curves(this.canvas);
    const maps = el('section', 'train-maps', this.root);
    el('h3', '', maps, t('train.mapsHeading'));
    el('p', 'train-probe', maps);
    el('div', 'train-grid', maps);
    this.headsLegend = el('p', 'train-heads-legend', maps);
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
    this.snapshot = null;
    this.creating = true; // reports of the trainer being replaced, still queued, are dropped
    this.shown = { ...this.shown, steps: 0, running: false, attention: null, heads: null, evaluation: null, at: 0 };
    this.headsLegend.textContent = '';
    this.status.textContent = t('train.creating');
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
    if (this.creating && data.type !== 'created') return;
    if (data.type === 'created') {
      this.creating = false;
      this.shown.error = '';
      data = { ...data, steps: 0, loss: [], accuracy: [], stepsPerSecond: 0, running: false };
    }
    // Curves take every step; the maps and the status only the newest fields, once per frame.
    this.curves.add(data.loss, data.accuracy);
    this.latest = { ...this.latest, ...data };
    if (!this.frame) this.frame = requestAnimationFrame(() => this.draw());
  }

  draw() {
    this.frame = 0;
    const data = this.latest;
    if (!data) return;
    this.latest = null;
    const snap = (this.snapshot ??= { attention: null, heads: null, at: 0, evaluation: null, evaluatedAt: 0 });
    if (data.attention) {
      Object.assign(snap, { attention: data.attention, heads: data.heads, at: data.at });
      this.maps.draw(data.attention, data.heads?.error ? null : data.heads);
      this.showHeadsLegend(data.heads);
    }
    if (data.evaluation) Object.assign(snap, { evaluation: data.evaluation, evaluatedAt: data.evaluatedAt });
    this.shown = { ...snap, steps: data.steps, running: data.running, error: this.shown.error };
    this.startButton.disabled = Boolean(data.running);
    this.pauseButton.disabled = !data.running;
    this.curves.draw();
    const ev = snap.evaluation;
    if (!ev) return;
    // The held-out numbers are of the last evaluation, which may be a few steps behind: it says so.
    const rate = data.stepsPerSecond ? t('train.rate', { rate: data.stepsPerSecond.toFixed(1) }) : '';
    const when = snap.evaluatedAt === data.steps ? '' : t('train.evaluatedAt', { at: snap.evaluatedAt });
    this.status.textContent = t('train.status', {
      steps: data.steps,
      loss: ev.loss.toFixed(3),
      accuracy: (100 * ev.accuracy).toFixed(1),
      counted: ev.counted,
      when,
      rate,
    });
  }

  // How the badges' scores are computed, from the report itself (probes, lengths, thresholds).
  showHeadsLegend(r) {
    if (!r) return;
    if (r.error) {
      this.headsLegend.textContent = t('train.headsFailed', { message: r.error });
      return;
    }
    const threshold = [...new Set(r.thresholds)].map((x) => formatNumber(x, 2)).join(' / ');
    let text = t('train.headsLegend', { count: r.count, half: r.half, length: r.length, threshold });
    if (r.kinds.includes('mirror')) text += ' ' + t('train.headsMirror');
    if (!r.heads.some((h) => h.names.length)) text += ' ' + t('train.headsNone');
    this.headsLegend.textContent = text;
  }

  showError(message) {
    this.shown.error = message;
    this.startButton.disabled = false; // the worker stopped: it can be started again
    this.pauseButton.disabled = true;
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
