// Wiring: controls ⇄ state ⇄ URL hash, state → worker, worker results → pipeline drawing.
// No drawing or maths here; see pipeline.js, heatmap.js, worker.js.

import { t, list } from './i18n.js';
import { parseHash, toHash } from './state.js';
import { tokenize } from './tokenizer.js';
import { checkParams, LIMITS } from './params.js';
import { ComputeClient } from './compute.js';
import { Pipeline } from './pipeline.js';
import { Tooltip } from './tooltip.js';
import { Walkthrough } from './walkthrough.js';
import { STEPS } from './state.js';

const $ = (id) => document.getElementById(id);

// ---- static text --------------------------------------------------------------
for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
for (const node of document.querySelectorAll('[data-i18n-label]')) node.setAttribute('aria-label', t(node.dataset.i18nLabel));
$('sentence-hint').textContent = t('controls.sentenceHint', { max: LIMITS.maxTokens });
$('build-info').textContent = t('footer.loading');
const examples = $('examples');
examples.setAttribute('aria-label', t('controls.examples'));
for (const sentence of list('examples')) {
  const option = document.createElement('option');
  option.value = sentence;
  option.textContent = sentence;
  examples.appendChild(option);
}

// ---- state ----------------------------------------------------------------------
let state = parseHash(location.hash);

// Temperature slider: position u in [−100, 100] ↔ T = 10^(u/50), i.e. 0.01 … 100.
const tempToSlider = (T) => Math.round(50 * Math.log10(T));
const sliderToTemp = (u) => Number((10 ** (u / 50)).toPrecision(3));

const controls = {
  sentence: $('sentence'),
  heads: $('heads'), headsRange: $('heads-range'),
  dModel: $('dmodel'), dModelRange: $('dmodel-range'),
  temperature: $('temperature'), temperatureRange: $('temperature-range'),
  positional: $('positional'), causal: $('causal'), seed: $('seed'),
  scale: $('scale'), independent: $('independent'), cross: $('cross'), kv: $('kv'),
};
for (const input of [controls.heads, controls.headsRange]) input.max = String(LIMITS.maxHeads);
controls.dModel.max = String(LIMITS.maxModelDim);
controls.seed.max = String(LIMITS.maxSeed);

// Writes state into every control except the one the user is editing.
function syncControls(except = null) {
  const set = (input, value) => { if (input !== except) input.value = String(value); };
  set(controls.sentence, state.sentence);
  set(controls.heads, state.heads);
  set(controls.headsRange, state.heads);
  set(controls.dModel, state.dModel);
  set(controls.dModelRange, state.dModel);
  set(controls.temperature, state.temperature);
  if (Number.isFinite(state.temperature) && state.temperature > 0) {
    set(controls.temperatureRange, tempToSlider(state.temperature));
  }
  set(controls.positional, state.positional);
  controls.causal.checked = state.causal;
  controls.scale.checked = state.scale;
  controls.independent.checked = state.independent;
  controls.cross.checked = state.cross;
  set(controls.kv, state.kv);
  $('kv-field').hidden = !state.cross;
  set(controls.seed, state.seed);
  const dHead = state.dModel / state.heads;
  $('dhead').textContent = Number.isInteger(dHead)
    ? t('controls.dHead', { value: dHead })
    : t('controls.dHeadInvalid');
}

// ---- computation ------------------------------------------------------------------
const tooltip = new Tooltip(document.body);
const pipelineRoot = $('pipeline');
const alertBox = $('alert');
const statusLine = $('status');

const pipeline = new Pipeline(pipelineRoot, {
  tooltip,
  onFocus: (h) => {
    state.focus = h;
    writeHash();
    pipeline.setFocus(h);
  },
  onHoverTokens: (i, j) => {
    for (const [k, li] of Array.from(pipeline.tokenList.children).entries()) {
      li.classList.toggle('is-query', k === i);
      li.classList.toggle('is-key', j !== null && k === j);
    }
  },
});

// Test and debugging handle: the state and the trace currently drawn.
const debug = { get state() { return state; }, trace: null, renders: 0, buildInfo: null, error: null, idle: false };
window.__ap = debug;

const placeholder = $('placeholder');

function showError(message, field = null) {
  alertBox.textContent = message;
  alertBox.hidden = false;
  placeholder.textContent = '';
  pipelineRoot.classList.toggle('is-stale', pipeline.trace !== null);
  statusLine.textContent = pipeline.trace ? t('status.stale') : '';
  const fields = [field].flat();
  for (const [key, input] of Object.entries(controls)) {
    if (input.type !== 'range') input.toggleAttribute('aria-invalid', fields.includes(key));
  }
  debug.error = message;
}

function clearError() {
  alertBox.hidden = true;
  alertBox.textContent = '';
  pipelineRoot.classList.remove('is-stale');
  for (const input of Object.values(controls)) input.removeAttribute('aria-invalid');
  debug.error = null;
}

const client = new ComputeClient(new URL('./worker.js', import.meta.url), {
  onReady(buildInfo) {
    debug.buildInfo = buildInfo;
    $('build-info').textContent = t('footer.build', {
      version: buildInfo.version,
      buildType: buildInfo.buildType,
      simd: buildInfo.simd ? t('footer.simdOn', { kind: buildInfo.simdKind }) : t('footer.simdOff'),
    });
  },
  onLoadError(message) {
    showError(t('error.load', { message }));
    $('build-info').textContent = '';
    debug.idle = true;
  },
  onResult(trace, ms) {
    clearError();
    try {
      placeholder.hidden = true;
      debug.trace = trace;
      showView();
    } catch (err) {
      // A drawing bug must not leave a blank page: say so where the user looks.
      showError(t('error.draw', { message: err.message }));
      return;
    }
    statusLine.textContent = t('status.done', { ms: ms < 10 ? ms.toFixed(1) : String(Math.round(ms)) });
    debug.renders += 1;
  },
  onError(message) {
    showError(t('error.core', { message }));
  },
  onBusy(busy) {
    debug.idle = !busy;
    document.body.classList.toggle('is-busy', busy);
    if (busy && !alertBox.textContent) statusLine.textContent = t('status.computing');
  },
});

function recompute() {
  const check = checkParams(state, tokenize(state.sentence), state.cross ? tokenize(state.kv) : []);
  if (!check.ok) {
    client.cancel();
    showError(check.message, check.field);
    return;
  }
  client.request(check.params);
}

// ---- the two views: the walkthrough (state.step 1 … STEPS) or every step at once (step 0) ----
const walkRoot = $('walkthrough');
const walkthrough = new Walkthrough(walkRoot, {
  tooltip,
  onStep: (k) => setStep(k),
  onChange: (patch) => {
    Object.assign(state, patch);
    syncControls();
    writeHash();
    // The neuron view's pair needs no new computation.
    if (Object.keys(patch).every((key) => key === 'pair')) showView();
    else recompute();
  },
});

debug.walkthrough = walkthrough;

function showView() {
  const trace = debug.trace;
  const walking = state.step > 0;
  $('mode-walk').setAttribute('aria-pressed', String(walking));
  $('mode-all').setAttribute('aria-pressed', String(!walking));
  if (!trace) return;
  walkRoot.hidden = !walking;
  pipelineRoot.hidden = walking;
  tooltip.hide();
  if (walking) {
    walkthrough.render(trace, state);
  } else {
    pipeline.setIndependent(state.independent);
    pipeline.render(trace);
    pipeline.relayout();
  }
}

let lastStep = state.step || 1; // where "Step by step" resumes

function setStep(k) {
  state.step = Math.max(0, Math.min(STEPS, k));
  if (state.step > 0) lastStep = state.step;
  writeHash();
  try {
    showView();
  } catch (err) {
    showError(t('error.draw', { message: err.message }));
  }
}

$('mode-walk').addEventListener('click', () => setStep(state.step || lastStep));
$('mode-all').addEventListener('click', () => setStep(0));

// ← and → move through the walkthrough, unless a text field, a select or a heatmap (whose
// arrow keys move the highlighted cell) has the focus.
document.addEventListener('keydown', (e) => {
  if (state.step === 0 || e.altKey || e.ctrlKey || e.metaKey) return;
  const target = e.target;
  if (target.closest?.('input, textarea, select, .hm-overlay')) return;
  if (e.key === 'ArrowRight' && state.step < STEPS) { e.preventDefault(); setStep(state.step + 1); }
  if (e.key === 'ArrowLeft' && state.step > 1) { e.preventDefault(); setStep(state.step - 1); }
});

function writeHash() {
  history.replaceState(null, '', toHash(state));
}

// ---- events -----------------------------------------------------------------------
const number = (input) => (input.value.trim() === '' ? NaN : Number(input.value));

const readers = {
  sentence: (input) => { state.sentence = input.value; },
  heads: (input) => { state.heads = number(input); },
  headsRange: (input) => { state.heads = number(input); },
  dModel: (input) => { state.dModel = number(input); },
  dModelRange: (input) => { state.dModel = number(input); },
  temperature: (input) => { state.temperature = number(input); },
  temperatureRange: (input) => { state.temperature = sliderToTemp(number(input)); },
  positional: (input) => { state.positional = input.value; },
  causal: (input) => { state.causal = input.checked; },
  scale: (input) => { state.scale = input.checked; },
  independent: (input) => { state.independent = input.checked; },
  cross: (input) => { state.cross = input.checked; },
  kv: (input) => { state.kv = input.value; },
  seed: (input) => { state.seed = number(input); },
};

for (const [key, input] of Object.entries(controls)) {
  const onChange = () => {
    readers[key](input);
    syncControls(input);
    writeHash();
    recompute();
  };
  input.addEventListener('input', onChange);
}

$('controls').addEventListener('submit', (e) => e.preventDefault());

examples.addEventListener('change', () => {
  if (!examples.value) return;
  state.sentence = examples.value;
  examples.value = '';
  syncControls();
  writeHash();
  recompute();
});

$('reseed').addEventListener('click', () => {
  state.seed = Math.floor(Math.random() * (LIMITS.maxSeed + 1));
  syncControls();
  writeHash();
  recompute();
});

$('copy-link').addEventListener('click', async () => {
  writeHash();
  try {
    await navigator.clipboard.writeText(location.href);
    statusLine.textContent = t('controls.linkCopied');
  } catch {
    // Clipboard access can be refused; the address bar already holds the link.
  }
});

window.addEventListener('hashchange', () => {
  state = parseHash(location.hash);
  if (state.step > 0) lastStep = state.step;
  syncControls();
  pipeline.setFocus(state.focus);
  recompute();
});

// Re-lay out the maps when the pipeline's width changes (window resize, zoom); its height
// changes with every drawing and needs nothing.
let resizeFrame = 0;
let lastWidth = 0;
new ResizeObserver((entries) => {
  const width = Math.round(entries[0].contentRect.width);
  if (width === lastWidth) return;
  lastWidth = width;
  cancelAnimationFrame(resizeFrame);
  resizeFrame = requestAnimationFrame(() => (state.step > 0 ? walkthrough.relayout() : pipeline.relayout()));
}).observe(document.querySelector('.main-col'));

// Moving the window to a screen with another pixel density changes devicePixelRatio without
// a resize; redraw the label overlays at the new density.
function watchPixelRatio() {
  const query = matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`);
  query.addEventListener('change', () => {
    pipeline.relayout();
    watchPixelRatio();
  }, { once: true });
}
watchPixelRatio();

// ---- start --------------------------------------------------------------------------
pipeline.setFocus(state.focus);
syncControls();
statusLine.textContent = t('status.loading');
placeholder.textContent = t('status.loading');
recompute();
