// The widget's computation: the same recipe as the page's worker.js, so a widget and the page
// show identical numbers for the same settings. Runs directly on the main thread (the widget's
// sentences are short: a pass over 10 tokens takes well under a millisecond), which keeps the
// widget one module graph with no Worker — a single file works under a strict CSP.
//
// Inputs: X (n, d_model), row i = core.tokenEmbedding(token_i, d_model, seed);
// W_Q, W_K, W_V, W_O = core.randomMatrix(d_model, d_model, 4·seed + 0…3, 1/√d_model).

import { loadAttention } from '../lib/attention.js';

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

const weightCache = new Map(); // `${dModel}:${seed}` → { wq, wk, wv, wo }

function weightsFor(core, dModel, seed) {
  const key = `${dModel}:${seed}`;
  let w = weightCache.get(key);
  if (!w) {
    const std = 1 / Math.sqrt(dModel);
    w = {
      wq: core.randomMatrix(dModel, dModel, seed * 4 + 0, std),
      wk: core.randomMatrix(dModel, dModel, seed * 4 + 1, std),
      wv: core.randomMatrix(dModel, dModel, seed * 4 + 2, std),
      wo: core.randomMatrix(dModel, dModel, seed * 4 + 3, std),
    };
    if (weightCache.size >= 8) weightCache.delete(weightCache.keys().next().value);
    weightCache.set(key, w);
  }
  return w;
}

// params: { tokens, heads, dModel, temperature, causal, positional, seed } → the core's trace.
export function runAttention(core, { tokens, heads, dModel, temperature, causal, positional, seed }) {
  const x = new Float32Array(tokens.length * dModel);
  tokens.forEach((token, i) => x.set(core.tokenEmbedding(token, dModel, seed), i * dModel));
  const w = weightsFor(core, dModel, seed);
  return core.attention({ x, n: tokens.length, dModel, heads, ...w, causal, temperature, positional });
}
