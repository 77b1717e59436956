// The widget's computation: the same recipe as the page's worker.js, so a widget and the page
// show identical numbers for the same settings. Runs directly on the main thread (the widget's
// sentences are short: a pass over 10 tokens takes well under a millisecond), which keeps the
// widget one module graph with no Worker — a single file works under a strict CSP.
//
// Inputs: the seeded X and W of ../seeded.js, shared with the page's worker.

import { loadAttention } from '../lib/attention.js';
import { seededInputs } from '../seeded.js';

let coreOptions = {};
let corePromise = null;

// Set before the first widget loads, e.g. by the single-file build: { factory, wasmBinary }.
export function configureCore(options) {
  coreOptions = options;
  corePromise = null;
}

// One loaded module for every widget on the page.
export function getCore() {
  if (!corePromise) {
    corePromise = loadAttention(coreOptions);
    corePromise.catch(() => { corePromise = null; });
  }
  return corePromise;
}

const inputsByCore = new WeakMap(); // core → seededInputs(core), shared by every widget

function inputsFor(core) {
  let inputs = inputsByCore.get(core);
  if (!inputs) inputsByCore.set(core, (inputs = seededInputs(core)));
  return inputs;
}

// params: { tokens, heads, dModel, temperature, causal, positional, seed, scale = true,
//          tokensKv = null, padding = [], painted = [] } → { trace, mask }.
// tokensKv: cross-attention, K and V from this second sentence (maps n × nKv); padding: key
// indices hidden as keys; painted: [i, j] cells where query i may not attend to key j. Built like
// worker.js builds them (the mask and keyPadding passed only when there are any), so the numbers
// are the page's. mask: Uint8Array (n, nKv), 1 = masked by any kind (causal, padding, painted),
// for drawing.
export function runAttention(core, params) {
  const { tokens, heads, dModel, temperature, causal, positional, seed } = params;
  const inputs = inputsFor(core);
  const n = tokens.length;
  const x = inputs.embeddings(tokens, dModel, seed);
  const w = inputs.weights(dModel, seed);
  const tokensKv = params.tokensKv ?? null;
  const nKv = tokensKv ? tokensKv.length : n;
  const padding = params.padding ?? [];
  const painted = params.painted ?? [];
  const mask = new Uint8Array(n * nKv).fill(1);              // (n, nKv) 1 = may attend
  for (const [i, j] of painted) mask[i * nKv + j] = 0;
  const keyPadding = new Uint8Array(nKv);                     // (nKv) 1 = padding
  for (const j of padding) keyPadding[j] = 1;
  const trace = core.attention({
    x, n, dModel, heads, ...w, causal, temperature, positional, scale: params.scale ?? true,
    ...(tokensKv ? { xKv: inputs.embeddings(tokensKv, dModel, seed), nKv } : {}),
    ...(painted.length ? { mask } : {}),
    ...(padding.length ? { keyPadding } : {}),
  });
  const masked = Uint8Array.from(mask, (m, k) => {
    const i = Math.floor(k / nKv);
    const j = k % nKv;
    return m && !keyPadding[j] && !(causal && j > i) ? 0 : 1;
  });
  return { trace, mask: masked };
}
