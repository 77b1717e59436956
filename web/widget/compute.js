// The widget's computation, with no DOM: the same recipe as the page's worker.js, so a widget and
// the page show identical numbers for the same settings. Run in the widget's shared worker
// (compute-worker.js) or, where no worker can be made, on the main thread (core.js); both call
// computeTrace() below over the same core build and seeded inputs, so both give the same bits.
//
// Inputs: the seeded X and W of ../views/seeded.js, shared with the page's worker.

import { attentionMasks, seededInputs } from '../views/seeded.js';
import { plainTrace } from '../views/trace.js';

const inputsByCore = new WeakMap(); // core → seededInputs(core), shared by every widget

export function inputsFor(core) {
  let inputs = inputsByCore.get(core);
  if (!inputs) inputsByCore.set(core, (inputs = seededInputs(core)));
  return inputs;
}

// Fills the seeded caches a call of computeTrace(core, params) reads (X's token embeddings, the
// four weight matrices), so the main-thread path can do this part in a task of its own.
export function warmInputs(core, params) {
  const inputs = inputsFor(core);
  inputs.weights(params.dModel, params.seed);
  inputs.embeddings(params.tokens, params.dModel, params.seed);
  if (params.tokensKv) inputs.embeddings(params.tokensKv, params.dModel, params.seed);
}

// params: { tokens, heads, dModel, temperature, causal, positional, seed, scale = true,
//          tokensKv = null, padding = [], painted = [] } → the plain trace (views/trace.js), the
// shape the page's views read too. tokensKv: cross-attention, K and V from this second sentence
// (maps n × nKv); padding: key indices hidden as keys; painted: [i, j] cells where query i may not
// attend to key j. The masks are ../views/seeded.js's attentionMasks(), as the page's worker builds
// them, so the numbers are the page's; the trace's mask (n, nKv) is 1 where query i may attend.
// The weights in the trace are the seeded cache's own arrays: read them, never edit them (the
// worker leaves them out of what it posts; the widget draws no weight matrix).
export function computeTrace(core, params) {
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
