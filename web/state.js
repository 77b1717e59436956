// All UI state, and its serialisation to and from the URL hash, in one place: any state is a link.
//
// Hash format (URLSearchParams): #s=<sentence>&h=<heads>&d=<d_model>&t=<temperature>
//                                &c=<0|1>&p=<none|sinusoidal|rope|alibi>&seed=<int>&f=<focused head>
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
});

const KEYS = {
  sentence: 's', heads: 'h', dModel: 'd', temperature: 't',
  causal: 'c', positional: 'p', seed: 'seed', focus: 'f',
};

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
  return '#' + q.toString();
}
