// All UI state, and its serialisation to and from the URL hash, in one place: any state is a link.
//
// Hash format (URLSearchParams): #s=<sentence>&h=<heads>&d=<d_model>&t=<temperature>
//                                &c=<0|1>&p=<none|sinusoidal|rope|alibi>&seed=<int>&f=<focused head>
//                                &step=<walkthrough step 1…12, 0 = every step at once>
//                                &sc=<0|1: divide scores by √d_head>&pad=<token indices, comma-separated>
//                                &pm=<hand-masked cells i.j, comma-separated>&pair=<i.j for the neuron view>
//                                &ind=<0|1: each head its own colour scale>
//                                &x=<0|1: cross-attention>&kv=<the sentence K and V come from>
//                                &ed=<edits m.row.col.value, comma-separated; m: e (embedding row =
//                                     token index), q, k, v (entries of W_Q, W_K, W_V)>
//                                &hide=<control names, comma-separated, or all>
//                                &lock=<control names, comma-separated, or all> (teacher mode:
//                                     hidden controls are gone, locked ones shown but disabled)
//                                &embed=<0|1: compact page for an iframe>&lang=<en|zh>
// Parsing never throws. A value that is missing or not a number falls back to its default;
// a number that is out of range is kept, so the page can say what is wrong with it.

export const POSITIONAL = Object.freeze(['none', 'sinusoidal', 'rope', 'alibi']);

export const DEFAULT_STATE = Object.freeze({
  sentence: "The animal didn't cross the street because it was too tired",
  heads: 4,
  dModel: 64,
  temperature: 1,
  causal: false,
  positional: 'none',
  seed: 42,
  focus: 0,
  step: 0,          // walkthrough step, 1 … STEPS; 0 shows every step at once
  scale: true,      // divide scores by √d_head
  padding: [],      // token indices marked as padding (hidden as keys)
  painted: [],      // [i, j] cells masked by hand: query i may not attend to key j
  pair: [0, 0],     // (query i, key j) of the neuron view
  independent: false, // heads' weights each on their own colour scale
  cross: false,     // cross-attention: K and V from a second sentence (kv)
  kv: "L'animal n'a pas traversé la rue",
  edits: [],        // hand-edited inputs: { m: 'e' | 'q' | 'k' | 'v', row, col, value }
  hide: [],         // teacher mode: controls not shown (names from CONTROL_NAMES, or 'all')
  lock: [],         // teacher mode: controls shown but disabled
  embed: false,     // compact page for an iframe: no header or footer, the view first
  lang: '',         // UI language ('en', 'zh'); '' = the browser's
});

// Names of the controls that hide= and lock= take: the widget's own names (its `controls` and
// `locked` attributes, attention-playground.js) and then the page's, plus 'all'.
//   view: the Step by step / All steps switch and the walkthrough's step navigation
//   head: which head is focused (thumbnails, head view);  share, embed: the two buttons
export const CONTROL_NAMES = Object.freeze([
  'sentence', 'heads', 'd-model', 'temperature', 'causal', 'positional', 'seed', 'view', 'head', 'export',
  'scale', 'independent', 'cross', 'share', 'embed', 'lang',
]);

export const LANGS = Object.freeze(['en', 'zh']);

export const EDITABLE = Object.freeze(['e', 'q', 'k', 'v']);

export const STEPS = 12;

const KEYS = {
  sentence: 's', heads: 'h', dModel: 'd', temperature: 't',
  causal: 'c', positional: 'p', seed: 'seed', focus: 'f',
  step: 'step', scale: 'sc', padding: 'pad', painted: 'pm', pair: 'pair', independent: 'ind',
  cross: 'x', kv: 'kv', edits: 'ed', hide: 'hide', lock: 'lock', embed: 'embed', lang: 'lang',
};

// "Causal, temperature,bogus" → ['causal', 'temperature']: known names, lower case, no repeats;
// 'all' stands for every control.
function nameList(text) {
  if (!text) return [];
  const out = [];
  for (const part of text.split(/[\s,]+/)) {
    const name = part.trim().toLowerCase();
    if ((CONTROL_NAMES.includes(name) || name === 'all') && !out.includes(name)) out.push(name);
  }
  return out.includes('all') ? ['all'] : out;
}

// "3,5,7" → [3, 5, 7]: non-negative whole numbers, sorted, no repeats; garbage is dropped.
function indexList(text) {
  if (!text) return [];
  const out = new Set();
  for (const part of text.split(',')) {
    const v = Number(part);
    if (part.trim() !== '' && Number.isInteger(v) && v >= 0 && v < 4096) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

// "1.2,3.0" → [[1, 2], [3, 0]].
function pairList(text) {
  if (!text) return [];
  const seen = new Set();
  const out = [];
  for (const part of text.split(',')) {
    const m = /^(\d{1,4})\.(\d{1,4})$/.exec(part.trim());
    if (m && !seen.has(m[0])) { seen.add(m[0]); out.push([Number(m[1]), Number(m[2])]); }
  }
  return out;
}

// "e.3.5.0.25,q.0.1.-2" → [{ m: 'e', row: 3, col: 5, value: 0.25 }, …]; the last edit of a cell wins.
function editList(text) {
  if (!text) return [];
  const cells = new Map();
  for (const part of text.split(',')) {
    const m = /^([eqkv])\.(\d{1,4})\.(\d{1,4})\.(-?\d+(?:\.\d+)?(?:e-?\d+)?)$/.exec(part.trim());
    if (!m) continue;
    const value = Number(m[4]);
    if (!Number.isFinite(value)) continue;
    cells.set(`${m[1]}.${m[2]}.${m[3]}`, { m: m[1], row: Number(m[2]), col: Number(m[3]), value });
  }
  return [...cells.values()];
}

const flag = (text, fallback) => (text === null ? fallback : text === '1' || text === 'true');

function number(text, fallback) {
  if (text === null || text.trim() === '') return fallback;
  const v = Number(text);
  return Number.isFinite(v) ? v : fallback;
}

// Parses a location hash ("#s=...&h=4" or "s=...") into a complete state object.
export function parseHash(hash) {
  const q = new URLSearchParams(String(hash ?? '').replace(/^#/, ''));
  const d = DEFAULT_STATE;
  const positional = q.get(KEYS.positional);
  const causal = q.get(KEYS.causal);
  return {
    sentence: q.has(KEYS.sentence) ? q.get(KEYS.sentence) : d.sentence,
    heads: number(q.get(KEYS.heads), d.heads),
    dModel: number(q.get(KEYS.dModel), d.dModel),
    temperature: number(q.get(KEYS.temperature), d.temperature),
    causal: causal === null ? d.causal : causal === '1' || causal === 'true',
    positional: POSITIONAL.includes(positional) ? positional : d.positional,
    seed: number(q.get(KEYS.seed), d.seed),
    focus: Math.max(0, Math.trunc(number(q.get(KEYS.focus), d.focus))),
    step: Math.max(0, Math.min(STEPS, Math.trunc(number(q.get(KEYS.step), d.step)))),
    scale: flag(q.get(KEYS.scale), d.scale),
    padding: indexList(q.get(KEYS.padding)),
    painted: pairList(q.get(KEYS.painted)),
    pair: pairList(q.get(KEYS.pair))[0] ?? [0, 0],
    independent: flag(q.get(KEYS.independent), d.independent),
    cross: flag(q.get(KEYS.cross), d.cross),
    kv: q.has(KEYS.kv) ? q.get(KEYS.kv) : d.kv,
    edits: editList(q.get(KEYS.edits)),
    hide: nameList(q.get(KEYS.hide)),
    lock: nameList(q.get(KEYS.lock)),
    embed: flag(q.get(KEYS.embed), d.embed),
    lang: LANGS.includes(q.get(KEYS.lang)) ? q.get(KEYS.lang) : d.lang,
  };
}

// Serialises a state into a hash string starting with '#'. Every field is written,
// so a link keeps meaning the same thing if the defaults change.
export function toHash(state) {
  const q = new URLSearchParams();
  q.set(KEYS.sentence, state.sentence);
  q.set(KEYS.heads, String(state.heads));
  q.set(KEYS.dModel, String(state.dModel));
  q.set(KEYS.temperature, String(Number(state.temperature.toPrecision(4))));
  q.set(KEYS.causal, state.causal ? '1' : '0');
  q.set(KEYS.positional, state.positional);
  q.set(KEYS.seed, String(state.seed));
  q.set(KEYS.focus, String(state.focus));
  q.set(KEYS.step, String(state.step));
  q.set(KEYS.scale, state.scale ? '1' : '0');
  if (state.padding.length) q.set(KEYS.padding, state.padding.join(','));
  if (state.painted.length) q.set(KEYS.painted, state.painted.map(([i, j]) => `${i}.${j}`).join(','));
  q.set(KEYS.pair, `${state.pair[0]}.${state.pair[1]}`);
  if (state.independent) q.set(KEYS.independent, '1');
  if (state.edits.length) {
    q.set(KEYS.edits, state.edits.map((e) => `${e.m}.${e.row}.${e.col}.${Number(e.value.toPrecision(6))}`).join(','));
  }
  if (state.cross) {
    q.set(KEYS.cross, '1');
    q.set(KEYS.kv, state.kv);
  }
  // The page's presentation: written only when set, so a plain share link stays short.
  if (state.hide?.length) q.set(KEYS.hide, state.hide.join(','));
  if (state.lock?.length) q.set(KEYS.lock, state.lock.join(','));
  if (state.embed) q.set(KEYS.embed, '1');
  if (state.lang) q.set(KEYS.lang, state.lang);
  return '#' + q.toString().replace(/%2C/g, ',');
}
