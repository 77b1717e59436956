// The widget's attributes: their names, defaults and how each is read into the widget's state,
// and the checks that turn a bad value into a sentence for the reader (t(key, params) gives the
// widget's messages in its language). No DOM beyond reading attributes.

import { POSITIONAL_ENCODINGS, WIDGET_LIMITS, textProblem } from '../views/limits.js';

export const OBSERVED_ATTRIBUTES = Object.freeze([
  'sentence',
  'kv',
  'heads',
  'd-model',
  'temperature',
  'scale',
  'causal',
  'positional',
  'seed',
  'padding',
  'mask',
  'view',
  'head',
  'controls',
  'locked',
  'theme',
  'lang',
]);

// The model's attributes, observed too (element.js); listed apart so that the list above, which
// tests/browser/fuzz.test.mjs draws its hostile attributes from, stays that of random weights.
export const MODEL_ATTRIBUTES = Object.freeze(['model', 'layer']);

// The views, in the order the view control offers them, and the views/figures.js matrix each draws.
export const VIEW_MATRICES = Object.freeze({
  weights: 'weights',
  scores: 'scores',
  q: 'qHead',
  k: 'kHead',
  v: 'vHead',
  'head-output': 'headOutput',
  concat: 'concat',
  output: 'output',
});
export const VIEWS = Object.freeze(Object.keys(VIEW_MATRICES));
// The views a model widget draws: one head of one layer (the runtime's trace), so not concat
// and output, which would need every head and the layer's W_O.
export const MODEL_VIEWS = Object.freeze(['weights', 'scores', 'q', 'k', 'v', 'head-output']);
export const WHOLE_LAYER = Object.freeze(['concat', 'output']); // views of every head at once: no head to choose

// Control names, in display order; `controls` and `locked` take comma-separated lists of these.
export const CONTROLS = Object.freeze([
  'sentence',
  'kv',
  'heads',
  'd-model',
  'temperature',
  'scale',
  'causal',
  'positional',
  'seed',
  'view',
  'head',
  'export',
]);

// With a model (the model attribute), the controls that still apply: the rest set the random
// weights' recipe, which a model file replaces.
export const MODEL_CONTROLS = Object.freeze(['sentence', 'view', 'layer', 'head', 'export']);

const DEFAULTS = Object.freeze({
  sentence: 'The cat sat on the mat',
  heads: 2,
  dModel: 16,
  temperature: 1,
  positional: 'none',
  seed: 42,
  view: 'weights',
  head: 0,
  layer: 0,
});

// An absent or blank attribute is its default; anything else is read as it is written (NaN for
// words), so checkSizes() can say what is wrong with it rather than replace it.
const num = (text, fallback) => (text === null || text.trim() === '' ? fallback : Number(text));
const off = (text) => text === 'false' || text === '0';
const list = (text) =>
  (text ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);

// The state an element's attributes describe. Numbers are read as numbers (checked by checkSizes);
// padding and mask stay text (parsed, with messages, by parsePadding and parseMask).
export function readState(element) {
  const a = (name) => element.getAttribute(name);
  const causal = a('causal');
  const positional = a('positional');
  const view = a('view');
  return {
    sentence: a('sentence') ?? DEFAULTS.sentence,
    heads: num(a('heads'), DEFAULTS.heads),
    dModel: num(a('d-model'), DEFAULTS.dModel),
    temperature: num(a('temperature'), DEFAULTS.temperature),
    causal: causal !== null && !off(causal),
    scale: !off(a('scale')),
    kv: a('kv') ?? '', // blank: self-attention
    padding: a('padding') ?? '',
    mask: a('mask') ?? '',
    positional: positional === null || positional.trim() === '' ? DEFAULTS.positional : positional.trim(),
    seed: num(a('seed'), DEFAULTS.seed),
    view: view === null || view.trim() === '' ? DEFAULTS.view : view.trim(),
    head: num(a('head'), DEFAULTS.head),
    model: a('model') ?? '', // blank: random weights
    layer: num(a('layer'), DEFAULTS.layer), // only with a model
    // The numeric attributes as written, so a message quotes heads="abc" rather than its NaN.
    written: {
      heads: a('heads'),
      'd-model': a('d-model'),
      temperature: a('temperature'),
      seed: a('seed'),
      head: a('head'),
      layer: a('layer'),
    },
  };
}

// The widget's language: its lang attribute, else the nearest ancestor's, else the document's.
export function readLang(element) {
  const own =
    element.getAttribute('lang') ??
    element.closest('[lang]')?.getAttribute('lang') ??
    document.documentElement.lang ??
    'en';
  return own.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

// True when the widget draws a model file's attention (a non-blank model attribute).
export const hasModel = (element) => (element.getAttribute('model') ?? '').trim() !== '';

// The controls shown, in the order the `controls` attribute lists them: with a model, those of
// MODEL_CONTROLS (layer only there).
export function shownControls(element) {
  const allowed = hasModel(element) ? MODEL_CONTROLS : CONTROLS;
  return list(element.getAttribute('controls')).filter((c) => allowed.includes(c));
}

// The controls locked (teacher mode): `locked` alone, or "all", locks every one.
export function lockedControls(element) {
  if (!element.hasAttribute('locked')) return new Set();
  const names = list(element.getAttribute('locked'));
  return new Set(names.length === 0 || names.includes('all') ? [...CONTROLS, ...MODEL_CONTROLS] : names);
}

// The problem with the sizes (heads, d-model, seed within WIDGET_LIMITS), in words, or null. tokensKv: the key sentence's tokens (null for
// self-attention).
export function checkSizes(s, tokens, tokensKv, t) {
  const L = WIDGET_LIMITS;
  const max = L.maxTokens;
  for (const [attr, text, list] of [
    ['sentence', s.sentence, tokens],
    ['kv', s.kv, tokensKv ?? []],
  ]) {
    const problem = textProblem(text, list, L);
    if (problem?.kind === 'textTooLong') return t('error.textTooLong', { attr, n: problem.chars, max: problem.max });
    if (problem) return t('error.tokenTooLong', { attr, index: problem.index, n: problem.chars, max: problem.max });
  }
  const whole = (v, lo, hi) => Number.isInteger(v) && v >= lo && v <= hi;
  // The value as the attribute is written (trimmed), else the number read.
  const shown = (attr, v) => s.written?.[attr]?.trim() ?? v;
  const range = (attr, v, min, max) => t('error.attrRange', { attr, value: shown(attr, v), min, max });
  if (!whole(s.heads, 1, L.maxHeads)) return range('heads', s.heads, 1, L.maxHeads);
  if (!whole(s.dModel, 1, L.maxModelDim)) return range('d-model', s.dModel, 1, L.maxModelDim);
  if (!whole(s.seed, 0, L.maxSeed)) return range('seed', s.seed, 0, L.maxSeed);
  if (!(s.temperature >= L.minTemperature && s.temperature <= L.maxTemperature)) {
    const value = shown('temperature', s.temperature);
    return t('error.temperature', { value, min: L.minTemperature, max: L.maxTemperature });
  }
  if (!POSITIONAL_ENCODINGS.includes(s.positional)) {
    return t('error.choice', { attr: 'positional', value: s.positional, list: POSITIONAL_ENCODINGS.join(', ') });
  }
  if (!VIEWS.includes(s.view)) return t('error.choice', { attr: 'view', value: s.view, list: VIEWS.join(', ') });
  // head names one of the heads (a whole-layer view draws every head, so any head is fine there).
  if (!Number.isInteger(s.head) || s.head < 0 || (!WHOLE_LAYER.includes(s.view) && s.head >= s.heads)) {
    return range('head', s.head, 0, s.heads - 1);
  }
  if (tokens.length === 0) return t('error.empty');
  if (tokens.length > max) return t('error.tooMany', { n: tokens.length, max });
  if (tokensKv && tokensKv.length > max) return t('error.tooManyKv', { n: tokensKv.length, max });
  if (s.dModel % s.heads !== 0) return t('error.divisible', { dModel: s.dModel, heads: s.heads });
  const dHead = s.dModel / s.heads;
  if (s.positional === 'rope' && dHead % 2 !== 0) {
    return t('error.ropeOdd', { dModel: s.dModel, heads: s.heads, dHead });
  }
  return null;
}

// padding="1, 3" → { list: [1, 3] }, or { error } naming what is wrong; nKv: the keys' count.
export function parsePadding(text, nKv, keyTokens, t) {
  const indices = [];
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    if (!/^\d{1,6}$/.test(part)) return { error: t('error.padding', { value: text }) };
    const j = Number(part);
    if (j >= nKv) {
      return { error: t('error.paddingRange', { index: j, n: nKv, max: nKv - 1, tokens: keyTokens.join(' ') }) };
    }
    if (!indices.includes(j)) indices.push(j);
  }
  return { list: indices };
}

// mask="0.1, 2.0" → { list: [[0, 1], [2, 0]] } (query.key), or { error }.
export function parseMask(text, n, nKv, t) {
  const cells = [];
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(\d{1,6})\.(\d{1,6})$/.exec(part);
    if (!m) return { error: t('error.mask', { value: text, part }) };
    const [i, j] = [Number(m[1]), Number(m[2])];
    if (i >= n || j >= nKv) return { error: t('error.maskRange', { cell: part, rows: n, cols: nKv }) };
    cells.push([i, j]);
  }
  return { list: cells };
}
