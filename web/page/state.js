// All UI state and its URL hash, from one table: any state is a link.
//
// FIELDS below has one line per field: the state key, its key in the hash (URLSearchParams), its
// kind (how the text reads and writes, KINDS), its default, and when toHash writes it:
//   always   every time, so a link keeps meaning the same thing if the defaults change;
//   set      only when set (true, non-empty), so a plain share link stays short;
//   with: x  only when the field x is set ({ with: x, set: true }: and only when this one is set too).
// toHash writes the fields in the table's order. Parsing never throws: a value that is missing
// or not a number falls back to its default; a number out of range is kept, so the page can say
// what is wrong with it.

import { POSITIONAL_ENCODINGS } from '../views/limits.js';

// Names of the controls that hide= and lock= take: the widget's own names (its `controls` and
// `locked` attributes, attention-playground.js) and then the page's, plus 'all'.
//   view: the Step by step / All steps switch and the walkthrough's step navigation
//   head: which head is focused (thumbnails, head view);  share, embed: the two buttons
export const CONTROL_NAMES = Object.freeze([
  'sentence',
  'heads',
  'd-model',
  'temperature',
  'causal',
  'positional',
  'seed',
  'view',
  'head',
  'export',
  'scale',
  'independent',
  'cross',
  'share',
  'embed',
  'lang',
]);

export const LANGS = Object.freeze(['en', 'zh']);

export const STEPS = 12;

const SENTENCE = "The animal didn't cross the street because it was too tired";
const KV = "L'animal n'a pas traversé la rue";
export const MODEL_TEXT = 'Once upon a time';
// The built-in models (web/models/<name>.gguf and its training log <name>.json, written by
// scripts/train): the small English-like language first, then the toy tasks.
export const BUILTIN_MODELS = Object.freeze(['language', 'copy', 'reverse', 'sort', 'induction', 'brackets']);
// The built-in language's text when a link gives none: the page's default sentence in the language's
// lower case (every word of it is one token of its vocabulary: tests/web/builtin-text.test.mjs).
export const BUILTIN_TEXT = SENTENCE.toLowerCase();
// Train mode's choices: web/lib/train.js's TRAIN_OPTIONS (not imported: the state stays DOM- and wasm-free).
export const TRAIN_TASKS = Object.freeze(['copy', 'reverse', 'sort', 'induction', 'brackets']);
const TRAIN_MLPS = Object.freeze(['none', 'swiglu', 'gelu']);
const TRAIN_POSITIONS = Object.freeze(['rope', 'learned']);

export const FIELDS = Object.freeze([
  { key: 'sentence', url: 's', kind: 'text', default: SENTENCE, when: 'always' }, // the sentence (queries)
  { key: 'heads', url: 'h', kind: 'number', default: 4, when: 'always' }, // number of heads
  { key: 'dModel', url: 'd', kind: 'number', default: 64, when: 'always' }, // d_model
  { key: 'temperature', url: 't', kind: 'number', default: 1, digits: 4, when: 'always' }, // softmax temperature T
  { key: 'causal', url: 'c', kind: 'flag', default: false, when: 'always' }, // causal mask
  { key: 'positional', url: 'p', kind: 'choice', values: POSITIONAL_ENCODINGS, default: 'none', when: 'always' },
  { key: 'seed', url: 'seed', kind: 'number', default: 42, when: 'always' }, // seed of the inputs
  { key: 'focus', url: 'f', kind: 'integer', min: 0, default: 0, when: 'always' }, // the focused head
  { key: 'step', url: 'step', kind: 'integer', min: 0, max: STEPS, default: 0, when: 'always' }, // 1 … STEPS; 0: all
  { key: 'scale', url: 'sc', kind: 'flag', default: true, when: 'always' }, // divide scores by √d_head
  { key: 'padding', url: 'pad', kind: 'index list', default: [], when: 'set' }, // padding tokens, hidden as keys
  { key: 'painted', url: 'pm', kind: 'cell list', default: [], when: 'set' }, // [i, j]: query i may not see key j
  { key: 'pair', url: 'pair', kind: 'cell', default: [0, 0], when: 'always' }, // (query i, key j) of the neuron view
  { key: 'independent', url: 'ind', kind: 'flag', default: false, when: 'set' }, // each head its own colour scale
  { key: 'edits', url: 'ed', kind: 'edit list', default: [], when: 'set' }, // hand-edited inputs (below)
  { key: 'cross', url: 'x', kind: 'flag', default: false, when: 'set' }, // cross-attention: K and V from kv
  { key: 'kv', url: 'kv', kind: 'text', default: KV, when: { with: 'cross' } }, // the sentence K and V come from
  { key: 'hide', url: 'hide', kind: 'name list', default: [], when: 'set' }, // teacher mode: controls not shown
  { key: 'lock', url: 'lock', kind: 'name list', default: [], when: 'set' }, // teacher mode: shown but disabled
  { key: 'embed', url: 'embed', kind: 'flag', default: false, when: 'set' }, // compact page for an iframe
  { key: 'lang', url: 'lang', kind: 'choice', values: LANGS, default: '', when: 'set' }, // UI language; '': browser's
  // Model mode (page/model/): the view of a real model file, written only while it is shown.
  { key: 'model', url: 'm', kind: 'flag', default: false, when: 'set' }, // Model mode is shown
  {
    key: 'mBuiltin',
    url: 'mb',
    kind: 'choice',
    values: BUILTIN_MODELS,
    default: '',
    when: { with: 'model', set: true },
  }, // a built-in model, by name; '': a file
  { key: 'mFile', url: 'mf', kind: 'text', default: '', when: { with: 'model' } }, // the file's name …
  { key: 'mSize', url: 'mz', kind: 'integer', min: 0, default: 0, when: { with: 'model' } }, // … and size in bytes
  { key: 'mText', url: 'mt', kind: 'text', default: MODEL_TEXT, when: { with: 'model' } }, // the text run
  { key: 'mLayer', url: 'ml', kind: 'integer', min: 0, default: 0, when: { with: 'model' } }, // the chosen layer
  { key: 'mHead', url: 'mh', kind: 'integer', min: 0, default: 0, when: { with: 'model' } }, // the chosen head
  { key: 'mPos', url: 'mp', kind: 'integer', min: -1, default: -1, when: { with: 'model' } }, // predictions after; −1: the last
  { key: 'mStep', url: 'ms', kind: 'integer', min: 0, default: 0, when: { with: 'model' } }, // its walkthrough's stage; 0: closed
  // Train mode (page/train/): a model trained live on a toy task; the same link trains the same model.
  { key: 'train', url: 'tr', kind: 'flag', default: false, when: 'set' }, // Train mode is shown
  { key: 'tTask', url: 'tt', kind: 'choice', values: TRAIN_TASKS, default: 'reverse', when: { with: 'train' } }, // the task
  { key: 'tLayers', url: 'tl', kind: 'integer', min: 1, default: 1, when: { with: 'train' } }, // layers
  { key: 'tHeads', url: 'th', kind: 'integer', min: 1, default: 2, when: { with: 'train' } }, // heads per layer
  { key: 'tDModel', url: 'td', kind: 'integer', min: 2, default: 32, when: { with: 'train' } }, // d_model
  { key: 'tMlp', url: 'tm', kind: 'choice', values: TRAIN_MLPS, default: 'none', when: { with: 'train' } }, // MLP or none
  { key: 'tPos', url: 'tp', kind: 'choice', values: TRAIN_POSITIONS, default: 'rope', when: { with: 'train' } }, // positions
  { key: 'tLr', url: 'tlr', kind: 'number', digits: 4, default: 0.01, when: { with: 'train' } }, // peak learning rate
  { key: 'tSeed', url: 'ts', kind: 'integer', min: 0, default: 1, when: { with: 'train' } }, // weights and data seed
]);

// The fields only Model mode reads: a patch of these rewrites the URL and nothing else.
export const MODEL_FIELDS = Object.freeze([
  'model',
  'mBuiltin',
  'mFile',
  'mSize',
  'mText',
  'mLayer',
  'mHead',
  'mPos',
  'mStep',
]);
// The fields only Train mode reads (the same: a patch of these only rewrites the URL).
export const TRAIN_FIELDS = Object.freeze([
  'train',
  'tTask',
  'tLayers',
  'tHeads',
  'tDModel',
  'tMlp',
  'tPos',
  'tLr',
  'tSeed',
]);

// An edit { m, row, col, value } names a cell of: e the embeddings (row = token index), q, k, v
// the entries of W_Q, W_K, W_V. In the hash: m.row.col.value, e.g. e.3.5.0.25.

// A fresh copy of a field's default (the array ones are not shared between states).
const initial = (field) => (Array.isArray(field.default) ? structuredClone(field.default) : field.default);

export const DEFAULT_STATE = Object.freeze(Object.fromEntries(FIELDS.map((f) => [f.key, initial(f)])));

function number(text, fallback) {
  if (text === null || text.trim() === '') return fallback;
  const v = Number(text);
  return Number.isFinite(v) ? v : fallback;
}

// "1.2,3.0" → [[1, 2], [3, 0]]: cells i.j, no repeats, garbage dropped.
function cells(text) {
  if (!text) return [];
  const seen = new Set();
  const out = [];
  for (const part of text.split(',')) {
    const m = /^(\d{1,4})\.(\d{1,4})$/.exec(part.trim());
    if (m && !seen.has(m[0])) {
      seen.add(m[0]);
      out.push([Number(m[1]), Number(m[2])]);
    }
  }
  return out;
}

const cellText = ([i, j]) => `${i}.${j}`;

// Each kind: read(text or null when absent, field) → value; write(value, field) → text;
// set(value): whether a 'set' field is written.
const KINDS = {
  text: {
    read: (text, f) => (text === null ? initial(f) : text),
    write: (v) => v,
    set: (v) => Boolean(v),
  },
  // Any finite number, in range or not.
  number: {
    read: (text, f) => number(text, f.default),
    write: (v, f) => String(f.digits ? Number(v.toPrecision(f.digits)) : v),
    set: (v) => Boolean(v),
  },
  // A whole number, truncated and clamped to [min, max].
  integer: {
    read: (text, f) => Math.max(f.min ?? -Infinity, Math.min(f.max ?? Infinity, Math.trunc(number(text, f.default)))),
    write: (v) => String(v),
    set: (v) => Boolean(v),
  },
  // '1' or 'true' is true, anything else given false.
  flag: {
    read: (text, f) => (text === null ? f.default : text === '1' || text === 'true'),
    write: (v) => (v ? '1' : '0'),
    set: (v) => Boolean(v),
  },
  // One of field.values, else the default.
  choice: {
    read: (text, f) => (f.values.includes(text) ? text : f.default),
    write: (v) => v,
    set: (v) => Boolean(v),
  },
  // "3,5,7" → [3, 5, 7]: whole numbers in [0, 4096), sorted, no repeats; garbage is dropped.
  'index list': {
    read(text) {
      if (!text) return [];
      const out = new Set();
      for (const part of text.split(',')) {
        const v = Number(part);
        if (part.trim() !== '' && Number.isInteger(v) && v >= 0 && v < 4096) out.add(v);
      }
      return [...out].sort((a, b) => a - b);
    },
    write: (v) => v.join(','),
    set: (v) => Boolean(v?.length),
  },
  'cell list': {
    read: (text) => cells(text),
    write: (v) => v.map(cellText).join(','),
    set: (v) => Boolean(v?.length),
  },
  // The first cell of the text, else the default.
  cell: {
    read: (text, f) => cells(text)[0] ?? initial(f),
    write: cellText,
    set: (v) => Boolean(v),
  },
  // "e.3.5.0.25,q.0.1.-2" → [{ m: 'e', row: 3, col: 5, value: 0.25 }, …]; the last edit of a cell
  // wins; values are written to 6 significant digits.
  'edit list': {
    read(text) {
      if (!text) return [];
      const edits = new Map();
      for (const part of text.split(',')) {
        const m = /^([eqkv])\.(\d{1,4})\.(\d{1,4})\.(-?\d+(?:\.\d+)?(?:e-?\d+)?)$/.exec(part.trim());
        if (!m) continue;
        const value = Number(m[4]);
        if (!Number.isFinite(value)) continue;
        edits.set(`${m[1]}.${m[2]}.${m[3]}`, { m: m[1], row: Number(m[2]), col: Number(m[3]), value });
      }
      return [...edits.values()];
    },
    write: (v) => v.map((e) => `${e.m}.${e.row}.${e.col}.${Number(e.value.toPrecision(6))}`).join(','),
    set: (v) => Boolean(v?.length),
  },
  // "Causal, temperature,bogus" → ['causal', 'temperature']: CONTROL_NAMES, lower case, no
  // repeats; 'all' stands for every control.
  'name list': {
    read(text) {
      if (!text) return [];
      const out = [];
      for (const part of text.split(/[\s,]+/)) {
        const name = part.trim().toLowerCase();
        if ((CONTROL_NAMES.includes(name) || name === 'all') && !out.includes(name)) out.push(name);
      }
      return out.includes('all') ? ['all'] : out;
    },
    write: (v) => v.join(','),
    set: (v) => Boolean(v?.length),
  },
};

// Whether a hash names no view at all (empty, or only the language): the page then opens Model mode
// on the built-in language model. Any other field (a random-weights link writes s=, h=, step= …
// every time; Model and Train links write m= and tr=) keeps the view the link names.
export function namesNoView(hash) {
  const q = new URLSearchParams(String(hash ?? '').replace(/^#/, ''));
  return [...q.keys()].every((key) => key === 'lang');
}

// Parses a location hash ("#s=...&h=4" or "s=...") into a complete state object.
export function parseHash(hash) {
  const q = new URLSearchParams(String(hash ?? '').replace(/^#/, ''));
  return Object.fromEntries(FIELDS.map((f) => [f.key, KINDS[f.kind].read(q.get(f.url), f)]));
}

// Serialises a state into a hash string starting with '#'.
export function toHash(state) {
  const q = new URLSearchParams();
  for (const f of FIELDS) {
    const kind = KINDS[f.kind];
    const value = state[f.key];
    const written =
      f.when === 'always' ||
      (f.when === 'set' ? kind.set(value) : Boolean(state[f.when.with]) && (!f.when.set || kind.set(value)));
    if (written) q.set(f.url, kind.write(value, f));
  }
  return '#' + q.toString().replace(/%2C/g, ',');
}
