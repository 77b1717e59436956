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

// params: { tokens, heads, dModel, temperature, causal, positional, seed } → the core's trace.
export function runAttention(core, { tokens, heads, dModel, temperature, causal, positional, seed }) {
  const inputs = inputsFor(core);
  const x = inputs.embeddings(tokens, dModel, seed);
  const w = inputs.weights(dModel, seed);
  return core.attention({ x, n: tokens.length, dModel, heads, ...w, causal, temperature, positional });
}
