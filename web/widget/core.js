// The widget's computation: the same recipe as the page's worker.js, so a widget and the page
// show identical numbers for the same settings. Runs directly on the main thread (the widget's
// sentences are short: a pass over 10 tokens takes well under a millisecond), which keeps the
// widget one module graph with no Worker — a single file works under a strict CSP.
//
// Inputs: the seeded X and W of ../views/seeded.js, shared with the page's worker.

import { loadAttention } from '../lib/attention.js';
import { attentionMasks, seededInputs } from '../views/seeded.js';
import { plainTrace } from '../views/trace.js';

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
    corePromise.catch(() => {
      corePromise = null;
    });
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
//          tokensKv = null, padding = [], painted = [] } → the plain trace (views/trace.js), the
// shape the page's views read too. tokensKv: cross-attention, K and V from this second sentence
// (maps n × nKv); padding: key indices hidden as keys; painted: [i, j] cells where query i may not
// attend to key j. The masks are ../views/seeded.js's attentionMasks(), as the page's worker builds
// them, so the numbers are the page's; the trace's mask (n, nKv) is 1 where query i may attend.
// The weights in the trace are the seeded cache's own arrays: read them, never edit them.
export function runAttention(core, params) {
  const { tokens, heads, dModel, temperature, causal, positional, seed } = params;
  const inputs = inputsFor(core);
  const n = tokens.length;
  const x = inputs.embeddings(tokens, dModel, seed);
  const w = inputs.weights(dModel, seed);
  const tokensKv = params.tokensKv ?? null;
  const nKv = tokensKv ? tokensKv.length : n;
  const xKv = tokensKv ? inputs.embeddings(tokensKv, dModel, seed) : null;
  const scale = params.scale ?? true;
  const masks = attentionMasks({ n, nKv, causal, painted: params.painted, padding: params.padding });
  const trace = core.attention({
    x,
    n,
    dModel,
    heads,
    ...w,
    causal,
    temperature,
    positional,
    scale,
    ...(tokensKv ? { xKv, nKv } : {}),
    ...masks.core,
  });
  return plainTrace(trace, {
    tokens,
    tokensKv,
    temperature,
    causal,
    positional,
    seed,
    scale,
    padding: params.padding ?? [],
    painted: params.painted ?? [],
    embeddings: x,
    embeddingsKv: xKv,
    ...w,
    mask: masks.allowed,
  });
}
