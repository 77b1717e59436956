// The computation worker: loads the WebAssembly core and runs every forward pass, so the
// page never freezes while a slider is dragged.
//
// Protocol (structured-clone messages):
//   page → worker  { type: 'init', wasmModule }            first; wasmModule: the compiled core of
//                                                          the worker this one replaces, or none
//   worker → page  { type: 'ready', buildInfo, wasmModule } once the core has loaded
//   worker → page  { type: 'loadError', message }          the core could not be loaded
//   page → worker  { type: 'compute', id, params }         params from params.js checkParams()
//   worker → page  { type: 'result', id, trace, ms, passes } trace: views/trace.js plainTrace()
//   worker → page  { type: 'error', id, message, passes }  the core rejected params
// passes: how many passes this worker has started, its own included (for the tests).
//
// Newest request wins: requests that arrive while one is running replace each other, and
// only the last one is computed. The page also keeps at most one request in flight, and ends a
// worker whose pass runs past a deadline while a newer request waits (worker-client.js): a pass
// is one call into the core, which cannot be interrupted from inside.
//
// Inputs: the seeded X and W of seeded.js (the widget uses the same recipe), plus hand edits.

import { loadAttention } from '../lib/attention.js';
import { attentionMasks, seededInputs } from '../views/seeded.js';
import { plainTrace, positionalTables, transferables } from '../views/trace.js';

let core = null;
let pending = null; // the newest request not yet computed
let running = false;

let inputs = null; // seededInputs(core): cached X and W for (sentence, d_model, seed)
let passes = 0;

function compute({ id, params }) {
  const started = performance.now();
  passes++;
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
      if (e.m === 'e') {
        x[e.row * dModel + e.col] = e.value;
        continue;
      }
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
      ...base,
      causal: params.causal,
      temperature: params.temperature,
      scale: params.scale,
      unmaskedScores: true,
      ...masks.core,
    });
    // The plain trace goes to the page without a copy (its buffers are transferred); weights that
    // live on in the cache are copied first, so the cache keeps its own.
    const own = (name) => (w[name] === seeded[name] ? Float32Array.from(w[name]) : w[name]);
    // The tables the positional encoding used, from the core, so the page draws what was added
    // or rotated (views/figures.js: pe, ropeAngles, bias).
    const tables = positionalTables(core, {
      positional: params.positional,
      n,
      nKv,
      dModel,
      heads,
      cross: Boolean(tokensKv),
    });
    const plain = plainTrace(trace, {
      ...params,
      ...tables,
      embeddings: x,
      embeddingsKv: xKv,
      mask: masks.allowed,
      wq: own('wq'),
      wk: own('wk'),
      wv: own('wv'),
      wo: own('wo'),
    });
    const ms = performance.now() - started;
    self.postMessage({ type: 'result', id, trace: plain, ms, passes }, transferables(plain));
  } catch (err) {
    self.postMessage({ type: 'error', id, message: String(err?.message ?? err), passes });
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

function load(wasmModule) {
  loadAttention(wasmModule ? { wasmModule } : {}).then(
    (loaded) => {
      core = loaded;
      inputs = seededInputs(loaded);
      self.postMessage({ type: 'ready', buildInfo: { ...loaded.buildInfo }, wasmModule: loaded.wasmModule });
      drain();
    },
    (err) => self.postMessage({ type: 'loadError', message: String(err?.message ?? err) }),
  );
}

self.onmessage = (event) => {
  if (event.data?.type === 'init') load(event.data.wasmModule);
  if (event.data?.type !== 'compute') return;
  pending = event.data;
  drain();
};
