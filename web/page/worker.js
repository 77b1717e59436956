// The computation worker: loads the WebAssembly core and runs every forward pass, so the
// page never freezes while a slider is dragged.
//
// Protocol (structured-clone messages):
//   worker → page  { type: 'ready', buildInfo }            once the core has loaded
//   worker → page  { type: 'loadError', message }          the core could not be loaded
//   page → worker  { type: 'compute', id, params }         params from params.js checkParams()
//   worker → page  { type: 'result', id, trace, ms }       trace: see toMessage() below
//   worker → page  { type: 'error', id, message }          the core rejected params
//
// Newest request wins: requests that arrive while one is running replace each other, and
// only the last one is computed. The page also keeps at most one request in flight.
//
// Inputs: the seeded X and W of seeded.js (the widget uses the same recipe), plus hand edits.

import { loadAttention } from '../lib/attention.js';
import { attentionMasks, seededInputs } from '../views/seeded.js';

let core = null;
let pending = null;   // the newest request not yet computed
let running = false;

let inputs = null;     // seededInputs(core): cached X and W for (sentence, d_model, seed)

// The message for the page; returns [message, transferables]. The trace's arrays are views of one
// ArrayBuffer made for this call: it is transferred to the page (no copy), the views with it.
// Inputs that live on in the caches here (embeddings, weights) are copied.
function toMessage(trace, params, extra) {
  const buffers = [trace.output.buffer];
  const own = (a) => {
    const copy = Float32Array.from(a);
    buffers.push(copy.buffer);
    return copy;
  };
  const perHead = (get) => Array.from({ length: trace.heads }, (_, h) => get(h));
  const fresh = (a) => {  // made for this call (not cached): transferred as it is
    buffers.push(a.buffer);
    return a;
  };
  const weight = (name) => (extra.w[name] === extra.seeded[name] ? own(extra.w[name]) : fresh(extra.w[name]));
  const message = {
    tokens: params.tokens,
    n: trace.n, dModel: trace.dModel, heads: trace.heads, dHead: trace.dHead,
    temperature: params.temperature, causal: params.causal,
    positional: params.positional, seed: params.seed,
    scale: params.scale, padding: params.padding, painted: params.painted,
    embeddings: fresh(extra.x),                // (n, d_model) token embeddings, before position
    nKv: trace.nKv,                            // keys: nKv = n for self-attention
    keyTokens: params.tokensKv ?? params.tokens,
    cross: Boolean(params.tokensKv),
    embeddingsKv: extra.xKv ? fresh(extra.xKv) : null, // (nKv, d_model) or null
    xKv: trace.xKv,                            // (nKv, d_model) after positional encoding, or null
    wq: weight('wq'), wk: weight('wk'), wv: weight('wv'), wo: weight('wo'), // (d_model, d_model)
    mask: extra.mask,                          // (n_query, n_key) 1 = may attend, after every mask kind
    // The scores without scaling, temperature or any mask, and with scaling but no mask (the
    // same pass, unmaskedScores: true): the walkthrough shows the scores before each step.
    rawScores: perHead((h) => trace.rawScores(h)),             // [head] (n, nKv) q_i·k_j (+ ALiBi)
    unmaskedScores: perHead((h) => trace.unmaskedScores(h)),   // [head] (n, nKv)
    entropy: perHead((h) => trace.entropy(h)), // [head] (n) nats, per query row
    x: trace.x,                                // (n, d_model) after positional encoding
    q: perHead((h) => trace.q(h)),             // [head] (n, d_head), after RoPE
    k: perHead((h) => trace.k(h)),             // [head] (nKv, d_head), after RoPE
    v: perHead((h) => trace.v(h)),             // [head] (nKv, d_head)
    scores: perHead((h) => trace.scores(h)),   // [head] (n_query, n_key), −∞ where masked
    weights: perHead((h) => trace.weights(h)), // [head] (n_query, n_key), softmax over keys
    headOutput: perHead((h) => trace.headOutput(h)), // [head] (n, d_head)
    concat: trace.concat,                      // (n, d_model)
    output: trace.output,                      // (n, d_model)
  };
  return [message, buffers];
}

function compute({ id, params }) {
  const started = performance.now();
  try {
    const { tokens, dModel, heads, seed } = params;
    const n = tokens.length;
    const x = inputs.embeddings(tokens, dModel, seed); // a fresh array: edits below never reach the caches
    // Hand edits: an embedding entry (row = token index) or an entry of W_Q, W_K, W_V. Edited
    // matrices are copies, so the seeded ones in the cache stay as they are.
    const seeded = inputs.weights(dModel, seed);
    const w = { ...seeded };
    const names = { q: 'wq', k: 'wk', v: 'wv' };
    for (const e of params.edits ?? []) {
      if (e.m === 'e') { x[e.row * dModel + e.col] = e.value; continue; }
      const name = names[e.m];
      if (w[name] === seeded[name]) w[name] = Float32Array.from(seeded[name]);
      w[name][e.row * dModel + e.col] = e.value;
    }
    const base = { x, n, dModel, heads, wq: w.wq, wk: w.wk, wv: w.wv, wo: w.wo, positional: params.positional };
    // Cross-attention: K and V from a second sentence, maps n × nKv.
    const tokensKv = params.tokensKv ?? null;
    const nKv = tokensKv ? tokensKv.length : n;
    const xKv = tokensKv ? inputs.embeddings(tokensKv, dModel, seed) : null;
    if (tokensKv) Object.assign(base, { xKv, nKv });
    // The masks: the core combines painted cells with causal and padding; the page draws the
    // combination (allowed).
    const masks = attentionMasks({ n, nKv, causal: params.causal, painted: params.painted, padding: params.padding });
    const trace = core.attention({
      ...base, causal: params.causal, temperature: params.temperature, scale: params.scale, unmaskedScores: true,
      ...masks.core,
    });
    const [message, transfer] = toMessage(trace, params, { x, xKv, w, seeded, mask: masks.allowed });
    self.postMessage({ type: 'result', id, trace: message, ms: performance.now() - started }, transfer);
  } catch (err) {
    self.postMessage({ type: 'error', id, message: String(err?.message ?? err) });
  }
}

function drain() {
  if (running || !core || !pending) return;
  running = true;
  const request = pending;
  pending = null;
  compute(request);
  running = false;
  // Yield so messages that arrived meanwhile can replace each other before the next run.
  if (pending) setTimeout(drain, 0);
}

self.onmessage = (event) => {
  if (event.data?.type !== 'compute') return;
  pending = event.data;
  drain();
};

loadAttention().then(
  (loaded) => {
    core = loaded;
    inputs = seededInputs(loaded);
    self.postMessage({ type: 'ready', buildInfo: { ...loaded.buildInfo } });
    drain();
  },
  (err) => self.postMessage({ type: 'loadError', message: String(err?.message ?? err) }),
);
