// Wiring: controls ⇄ state ⇄ URL hash, state → worker, worker results → pipeline drawing;
// the page's language, teacher mode (hide=, lock=), the compact iframe mode (embed=1), and the
// Embed and Export dialogs. No drawing or maths here; see pipeline.js, heatmap.js, worker.js.

import { t, list, loadLocale, LOCALES } from './i18n/i18n.js';
import { parseHash, toHash } from './state.js';
import { embedSnippets } from './embed-snippets.js';
import { heatmapToSVG, heatmapToPNG, matrixToCSV, matrixToJSON, download } from '../draw/export.js';
import { symmetricRange } from '../draw/colormap.js';
import { weightsRange } from '../views/figures.js';
import { tokenize } from '../views/tokenizer.js';
import { checkParams } from './params.js';
import { PAGE_LIMITS as LIMITS, TEMPERATURE_SLIDER, temperatureToSlider, sliderToTemperature, checkAgainstCore } from '../views/limits.js';
import { ComputeClient } from './worker-client.js';
import { Pipeline } from './overview/overview.js';
import { Tooltip } from '../draw/tooltip.js';
import { Walkthrough } from './walkthrough/walkthrough.js';
import { formula } from '../draw/math.js';
import { setHeatmapText } from '../draw/heatmap.js';
import { STEPS } from './state.js';

const $ = (id) => document.getElementById(id);

// ---- state ----------------------------------------------------------------------
let state = parseHash(location.hash);

// ---- language: lang= in the hash, else the browser's; a missing catalogue means English ----
const locale = await loadLocale(state.lang || navigator.language).catch(() => 'en');
document.documentElement.lang = locale;

// ---- static text --------------------------------------------------------------
for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
// The heatmaps' own word ("masked" in their legends).
setHeatmapText({ masked: t('legend.masked') });
// The header's formulas: one <math> per formula (a wide gap in the source parts them), so a
// narrow screen can wrap between them; MathML itself does not wrap.
for (const node of document.querySelectorAll('.formula [data-i18n]')) {
  const parts = t(node.dataset.i18n).split(/ {3,}/).map((source) => formula(source, { display: 'inline', displaystyle: true }));
  node.replaceChildren(...parts.flatMap((math, k) => (k ? [' ', math] : [math])));
}
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
const langSelect = $('lang');
for (const [code, name] of Object.entries(LOCALES)) {
  const option = document.createElement('option');
  option.value = code;
  option.textContent = name;
  option.lang = code;
  langSelect.appendChild(option);
}
langSelect.value = locale;
// Every module builds its text once; switching language reloads the page in the new one.
langSelect.addEventListener('change', () => {
  state.lang = langSelect.value;
  writeHash();
  location.reload();
});


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
controls.temperatureRange.min = String(TEMPERATURE_SLIDER.min);
controls.temperatureRange.max = String(TEMPERATURE_SLIDER.max);

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
    set(controls.temperatureRange, temperatureToSlider(state.temperature));
  }
  set(controls.positional, state.positional);
  controls.causal.checked = state.causal;
  controls.scale.checked = state.scale;
  controls.independent.checked = state.independent;
  controls.cross.checked = state.cross;
  set(controls.kv, state.kv);
  $('kv-field').hidden = !state.cross;
  set(controls.seed, state.seed);
  // The folded settings' button says what they are set to (narrow screens).
  $('more-summary').textContent = [
    t('controls.moreSummary', { heads: state.heads, dModel: state.dModel, temperature: state.temperature }),
    ...(state.causal ? [t('controls.moreCausal')] : []),
    ...(state.cross ? [t('controls.moreCross')] : []),
  ].join(' · ');
  const dHead = state.dModel / state.heads;
  $('dhead').textContent = Number.isInteger(dHead)
    ? t('controls.dHead', { value: dHead })
    : t('controls.dHeadInvalid');
}

// ---- narrow screens: the settings after the sentence fold behind "More settings" -----------
// style.css shows the button and folds only at ≤ 860 px; wide screens always show the settings.
// Nothing is remembered: a narrow page opens folded (unless a field in the fold is at fault).
// No fold where it would hide the point of the page: in compact mode (embed=1), or when a
// teacher (hide=) leaves the sentence out or fewer than three settings in the fold.
const moreToggle = $('more-toggle');
const moreSettings = $('more-settings');

function setFolded(folded) {
  moreToggle.setAttribute('aria-expanded', String(!folded));
  moreSettings.classList.toggle('is-open', !folded);
}
moreToggle.addEventListener('click', () => setFolded(moreToggle.getAttribute('aria-expanded') === 'true'));

function updateFold() {
  const shown = (node) => !node.closest('[data-teacher-hidden]');
  const inFold = [...moreSettings.querySelectorAll('.field')].filter((node) => node.id !== 'kv-field' && shown(node));
  const fold = !state.embed && shown($('sentence')) && inFold.length >= 3;
  $('controls').classList.toggle('can-fold', fold);
}

// ---- computation ------------------------------------------------------------------
const tooltip = new Tooltip(document.body);
const pipelineRoot = $('pipeline');
const alertBox = $('alert');
const statusLine = $('status');

const pipeline = new Pipeline(pipelineRoot, {
  tooltip,
  onFocus: (h) => {
    if (teacher.fixed('head')) return;
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
  // The invitation to the walkthrough (pipeline.js), unless the view is fixed or embedded.
  onStart: () => { setStep(1); walkthrough.focusStart(); },
  canInvite: () => !teacher.fixed('view') && !state.embed,
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
    // A field at fault must be in sight, also when it sits in the folded settings.
    if (fields.includes(key) && moreSettings.contains(input)) setFolded(false);
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
    for (const problem of checkAgainstCore(buildInfo)) console.warn(`Attention Playground: ${problem}`);
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

// ---- test hook: window.__ap --------------------------------------------------------------
// What tests and debugging may read; nothing here changes the page. Documented in the README
// ("Testing the page"):
//   state, trace, renders, idle, error, buildInfo, copied   what the page shows and its status
//   figures()                   names of the heatmaps now drawn (the overview's, or the step's)
//   figure(name)                one as plain data: { name, rows, cols, data, masked, range,
//                               colormap, caption, cell: [w, h] CSS px, box: { left, top, width,
//                               height } of its cells in the viewport, pixels: FNV-1a digest of
//                               its one-pixel-per-cell canvas }, or null
//   cellCenter(name, row, col)  the viewport point at the centre of a cell
//   cellColor(name, row, col)   [r, g, b] the cell is painted
function shownFigures() {
  return state.step > 0 ? walkthrough.figures() : pipeline.figures();
}
function pixelDigest(canvas) {
  const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let h = 0x811c9dc5;
  for (let i = 0; i < px.length; i++) h = Math.imul(h ^ px[i], 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
function shownFigure(name) {
  const map = shownFigures().get(name);
  if (!map?.model) throw new Error(`no figure named ${name} is drawn (${[...shownFigures().keys()].join(', ')})`);
  return map;
}
debug.figures = () => [...shownFigures().keys()];
debug.figure = (name) => {
  const map = shownFigures().get(name);
  if (!map?.model) return null;
  const { rows, cols, data, masked, range } = map.model;
  const r = map.dataCanvas.getBoundingClientRect();
  return {
    name, rows, cols, data: Array.from(data), masked: masked ? Array.from(masked) : null, range: [...range],
    colormap: map.options.colormap, caption: map.dataCanvas.closest('.figure')?.querySelector('.figure-name')?.textContent ?? '',
    cell: map.layoutBox ? [map.layoutBox.cellW, map.layoutBox.cellH] : null,
    box: { left: r.left, top: r.top, width: r.width, height: r.height },
    pixels: pixelDigest(map.dataCanvas),
  };
};
debug.cellCenter = (name, row, col) => {
  const map = shownFigure(name);
  return map.cellCenter(row, col);
};
debug.cellColor = (name, row, col) => {
  const px = shownFigure(name).dataCanvas.getContext('2d').getImageData(col, row, 1, 1).data;
  return [px[0], px[1], px[2]];
};

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
  teacher.apply();  // also marks the new head thumbnails when the head is locked
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
  if (state.step === 0 || e.altKey || e.ctrlKey || e.metaKey || teacher.fixed('view')) return;
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
  temperatureRange: (input) => { state.temperature = sliderToTemperature(number(input)); },
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
    // The full page's link, also from a compact iframe (embed=1), whose address bar is hidden.
    const link = embedSnippets(state, { baseUrl: location.href }).url;
    await navigator.clipboard.writeText(link);
    statusLine.textContent = t('controls.linkCopied');
    debug.copied = link;
  } catch {
    // Clipboard access can be refused (permissions, an iframe without clipboard-write).
    statusLine.textContent = t(state.embed ? 'controls.linkNotCopiedEmbed' : 'controls.linkNotCopied');
  }
});

window.addEventListener('hashchange', () => {
  const next = parseHash(location.hash);
  if ((next.lang || locale) !== locale) { location.reload(); return; }
  state = next;
  teacher.apply();
  setEmbed();
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

// ---- teacher mode: hide= and lock= ------------------------------------------------------
// Each control name (state.js, CONTROL_NAMES) → the page's elements for it. Hidden: not shown;
// locked: shown but disabled. The walkthrough's own controls are rebuilt at every drawing, so
// apply() runs after each one.
const teacher = {
  parts: {
    sentence: () => [$('sentence').closest('.field')],
    heads: () => [$('heads').closest('.field')],
    'd-model': () => [$('dmodel').closest('.field')],
    temperature: () => [$('temperature').closest('.field')],
    causal: () => [$('causal').closest('.field'), ...walkthrough.controlsFor('causal')],
    positional: () => [$('positional').closest('.field')],
    seed: () => [$('seed').closest('.field')],
    scale: () => [$('scale').closest('.field'), ...walkthrough.controlsFor('scale')],
    independent: () => [$('independent').closest('.field')],
    cross: () => [$('cross').closest('.field'), $('kv-field')],
    view: () => [document.querySelector('.modes'), ...walkthrough.controlsFor('view')],
    head: () => [],
    share: () => [$('copy-link')],
    embed: () => [$('embed-open')],
    lang: () => [langSelect.closest('.lang-switch')],
    export: () => [$('export-open')],
  },
  has: (names, name) => names.includes('all') || names.includes(name),
  hidden(name) { return this.has(state.hide, name); },
  locked(name) { return this.has(state.lock, name); },
  // The reader cannot change this setting (hidden or locked).
  fixed(name) { return this.hidden(name) || this.locked(name); },
  apply() {
    for (const [name, parts] of Object.entries(this.parts)) {
      const hide = this.hidden(name);
      const lock = this.locked(name);
      for (const part of parts()) {
        if (!part) continue;
        if (hide) part.dataset.teacherHidden = '';
        else delete part.dataset.teacherHidden;
        const inputs = part.matches('input, select, textarea, button') ? [part] : part.querySelectorAll('input, select, textarea, button');
        for (const input of inputs) {
          if (lock) { input.disabled = true; input.dataset.teacherLocked = ''; }
          else if ('teacherLocked' in input.dataset) { input.disabled = false; delete input.dataset.teacherLocked; }
        }
      }
    }
    // The Back / Next buttons keep their own disabled state at the first and last step.
    if (!this.locked('view') && state.step > 0) walkthrough.refreshNav();
    // No empty panel: the controls column goes when nothing in it is shown.
    const aside = document.querySelector('.controls');
    const visible = [...aside.querySelectorAll('.field, #copy-link, #export-open, #embed-open')]
      .some((node) => node.id !== 'kv-field' && !node.closest('[data-teacher-hidden]'));
    aside.hidden = !visible;
    document.body.classList.toggle('no-controls', !visible);
    updateFold();
    markHeadLock();
  },
};

// A locked head: the thumbnails stay as pictures, no longer buttons.
function markHeadLock() {
  const fixed = teacher.fixed('head');
  document.body.classList.toggle('head-locked', fixed);
  for (const fig of pipeline.thumbs) fig.wrap.setAttribute('aria-disabled', String(fixed));
}

// ---- compact mode for iframes: embed=1 ---------------------------------------------------
// No header, footer or long hints; the view (step, or every step) first, the controls after
// it, and a link that opens the full page in a new tab.
function setEmbed() {
  document.body.classList.toggle('is-embed', state.embed);
  document.querySelector('.embed-foot').hidden = !state.embed;
  updateFold();
  $('open-full').href = embedSnippets(state, { baseUrl: location.href }).url;
}

// ---- the Embed dialog ----------------------------------------------------------------------
const dialog = $('embed-dialog');
const live = $('embed-live');

$('embed-open').addEventListener('click', () => {
  writeHash();
  const { iframe, element } = embedSnippets({ ...state, embed: false }, { baseUrl: location.href });
  $('snippet-iframe').value = iframe;
  $('snippet-element').value = element;
  live.textContent = '';
  for (const b of dialog.querySelectorAll('.copy')) b.textContent = t('embed.copy');
  dialog.showModal();
});
// Both dialogs: the Close button and a click on the backdrop (outside the dialog's box) close
// them, Escape does natively, and the focus goes back to the button that opened them.
for (const [box, opener] of [[dialog, 'embed-open'], [$('export-dialog'), 'export-open']]) {
  box.querySelector('.dialog-close').addEventListener('click', () => box.close());
  box.addEventListener('click', (e) => {
    if (e.target !== box) return;
    const r = box.getBoundingClientRect();
    if (e.clientX < r.left || e.clientX > r.right || e.clientY < r.top || e.clientY > r.bottom) box.close();
  });
  box.addEventListener('close', () => $(opener).focus());
}

// Copies a snippet; where the clipboard is unavailable or refused, selects the text instead so
// Ctrl+C copies it. Either way the live region says what happened.
for (const button of dialog.querySelectorAll('.copy')) {
  button.addEventListener('click', async () => {
    const box = $(button.dataset.copy);
    const what = t(button.dataset.what).replace(/\s*[（(].*$/, '');
    live.textContent = '';
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
      await navigator.clipboard.writeText(box.value);
      for (const b of dialog.querySelectorAll('.copy')) b.textContent = t('embed.copy');
      button.textContent = t('embed.copied');
      live.textContent = t('embed.copiedAnnounce', { what });
      debug.copied = box.value;
    } catch {
      box.focus();
      box.select();
      live.textContent = t('embed.selected');
    }
  });
}

// ---- the Export dialog: a matrix of the result shown, as PNG, SVG, CSV or JSON ----------------
const exportDialog = $('export-dialog');
const exportPick = $('export-matrix');
const exportLive = $('export-live');
// Each matrix offered, with the message naming it.
const MATRICES = {
  weights: 'export.weights', scores: 'export.scores', q: 'export.q', k: 'export.k', v: 'export.v',
  headOut: 'export.headOut', output: 'export.output',
};

// The head the exports are of: the focused one (a link may name one past the trace's heads).
const exportHead = (trace) => Math.min(state.focus, trace.heads - 1);

// The heatmap model (export.js) of matrix `name` of the trace, for the focused head.
function exportModel(trace, name) {
  const h = exportHead(trace);
  const { n, nKv, dHead, dModel, tokens, keyTokens } = trace;
  const title = t(MATRICES[name], { h });
  if (name === 'weights' || name === 'scores') {
    const data = trace[name][h];
    const scores = trace.scores[h];
    const masked = Uint8Array.from(scores, (v) => (Number.isFinite(v) ? 0 : 1));
    return {
      rows: n, cols: nKv, data, masked, rowLabels: tokens, colLabels: keyTokens, title,
      range: name === 'weights' ? weightsRange(trace, state.independent ? [h] : Array.from({ length: trace.heads }, (_, g) => g)) : symmetricRange(data),
      colormap: name === 'weights' ? 'viridis' : 'diverging',
    };
  }
  const data = name === 'output' ? trace.output : trace[name === 'headOut' ? 'headOutput' : name][h];
  const rows = name === 'k' || name === 'v' ? nKv : n;
  const cols = name === 'output' ? dModel : dHead;
  return {
    rows, cols, data, range: symmetricRange(data), colormap: 'diverging', title,
    rowLabels: name === 'k' || name === 'v' ? keyTokens : tokens,
  };
}

$('export-open').addEventListener('click', () => {
  const trace = debug.trace;
  const h = trace ? exportHead(trace) : 0;
  const chosen = exportPick.value || 'weights';
  exportPick.replaceChildren(...Object.entries(MATRICES).map(([name, key]) => {
    const option = document.createElement('option');
    option.value = name;
    option.textContent = t(key, { h });
    return option;
  }));
  exportPick.value = chosen;
  for (const b of exportDialog.querySelectorAll('[data-format]')) b.disabled = !trace;
  exportLive.textContent = '';
  exportDialog.showModal();
});

for (const button of exportDialog.querySelectorAll('[data-format]')) {
  button.addEventListener('click', async () => {
    const trace = debug.trace;
    if (!trace) return;
    const name = exportPick.value;
    const model = exportModel(trace, name);
    const h = name === 'output' ? null : exportHead(trace);
    const head = h === null ? '' : `-head${h}`;
    const format = button.dataset.format;
    const file = `attention-${name}${head}.${format}`;
    const meta = {
      matrix: name, head: h, sentence: state.sentence,
      heads: trace.heads, dModel: trace.dModel, temperature: trace.temperature, causal: trace.causal,
      positional: trace.positional, seed: trace.seed, link: embedSnippets(state, { baseUrl: location.href }).url,
    };
    if (format === 'png') download(file, await heatmapToPNG(model));
    else if (format === 'svg') download(file, heatmapToSVG(model), 'image/svg+xml');
    else if (format === 'csv') download(file, matrixToCSV(model), 'text/csv');
    else download(file, matrixToJSON(model, meta), 'application/json');
    exportLive.textContent = t('export.done', { file });
  });
}

// ---- start --------------------------------------------------------------------------
setEmbed();
teacher.apply();
pipeline.setFocus(state.focus);
syncControls();
statusLine.textContent = t('status.loading');
placeholder.textContent = t('status.loading');
recompute();
