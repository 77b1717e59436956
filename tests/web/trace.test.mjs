// Unit tests of web/views/trace.js: plainTrace(), the one conversion from the JS API's trace
// (per-head accessors) to the plain trace every view reads (per-head arrays), and transferables().
// DOM-free; the last test runs the WebAssembly core in Node, as the page's worker and the widget do.
//
// Run: node --test tests/web/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainTrace, transferables } from '../../web/views/trace.js';
import { matrix } from '../../web/views/figures.js';
import { attentionMasks, seededInputs } from '../../web/views/seeded.js';
import { loadAttention } from '../../web/lib/attention.js';

// An API-shaped trace: every matrix a view of one buffer, per-head matrices through accessors.
function apiTrace({ n = 2, nKv = 3, heads = 2, dHead = 2, unmasked = true } = {}) {
  const dModel = heads * dHead;
  const sizes = {
    x: n * dModel,
    concat: n * dModel,
    output: n * dModel,
    q: heads * n * dHead,
    k: heads * nKv * dHead,
    v: heads * nKv * dHead,
    scores: heads * n * nKv,
    rawScores: heads * n * nKv,
    scaledScores: heads * n * nKv,
    unmaskedScores: heads * n * nKv,
    weights: heads * n * nKv,
    entropy: heads * n,
    headOutput: heads * n * dHead,
  };
  const block = new Float32Array(Object.values(sizes).reduce((a, b) => a + b, 0)).map((_, i) => i);
  const parts = {};
  let at = 0;
  for (const [name, size] of Object.entries(sizes)) {
    parts[name] = block.subarray(at, at + size);
    at += size;
  }
  const perHead = (name) => (h) => parts[name].subarray((h * sizes[name]) / heads, ((h + 1) * sizes[name]) / heads);
  return {
    n,
    nKv,
    dModel,
    heads,
    dHead,
    x: parts.x,
    xKv: null,
    concat: parts.concat,
    output: parts.output,
    q: perHead('q'),
    k: perHead('k'),
    v: perHead('v'),
    scores: perHead('scores'),
    weights: perHead('weights'),
    rawScores: unmasked ? perHead('rawScores') : null,
    scaledScores: unmasked ? perHead('scaledScores') : null,
    unmaskedScores: unmasked ? perHead('unmaskedScores') : null,
    entropy: perHead('entropy'),
    headOutput: perHead('headOutput'),
  };
}

const EXTRA = {
  tokens: ['a', 'b'],
  tokensKv: ['x', 'y', 'z'],
  temperature: 0.5,
  causal: false,
  positional: 'rope',
  seed: 3,
  scale: true,
  padding: [2],
  painted: [[0, 1]],
  embeddings: new Float32Array(8),
  embeddingsKv: new Float32Array(12),
  wq: new Float32Array(16),
  wk: new Float32Array(16),
  wv: new Float32Array(16),
  wo: new Float32Array(16),
  mask: Uint8Array.from([1, 0, 0, 1, 1, 0]),
};

test('trace: per-head accessors become arrays indexed by head, the same views', () => {
  const api = apiTrace();
  const tr = plainTrace(api, EXTRA);
  for (const name of [
    'q',
    'k',
    'v',
    'scores',
    'rawScores',
    'scaledScores',
    'unmaskedScores',
    'weights',
    'entropy',
    'headOutput',
  ]) {
    assert.equal(tr[name].length, 2, `${name}: one entry per head`);
    for (let h = 0; h < 2; h++) assert.deepEqual(tr[name][h], api[name](h), `${name}[${h}]`);
  }
  assert.equal(tr.weights[1].buffer, api.output.buffer, "no copy: views of the API's one buffer");
  for (const name of ['x', 'xKv', 'concat', 'output', 'n', 'nKv', 'dModel', 'heads', 'dHead']) {
    assert.equal(tr[name], api[name], name);
  }
});

test('trace: the settings and inputs ride along; keyTokens and cross from tokensKv', () => {
  const tr = plainTrace(apiTrace(), EXTRA);
  assert.deepEqual(tr.tokens, ['a', 'b']);
  assert.deepEqual(tr.keyTokens, ['x', 'y', 'z']);
  assert.equal(tr.cross, true);
  for (const name of [
    'temperature',
    'causal',
    'positional',
    'seed',
    'scale',
    'padding',
    'painted',
    'embeddings',
    'embeddingsKv',
    'wq',
    'wk',
    'wv',
    'wo',
    'mask',
  ]) {
    assert.equal(tr[name], EXTRA[name], name);
  }
  const self = plainTrace(apiTrace({ nKv: 2 }), { ...EXTRA, tokensKv: null, embeddingsKv: undefined });
  assert.deepEqual(self.keyTokens, self.tokens, 'self-attention: the keys are the queries');
  assert.equal(self.cross, false);
  assert.equal(self.embeddingsKv, null);
});

test('trace: a pass without unmaskedScores has null rawScores and unmaskedScores', () => {
  const tr = plainTrace(apiTrace({ unmasked: false }), EXTRA);
  assert.equal(tr.rawScores, null);
  assert.equal(tr.unmaskedScores, null);
});

test('trace: transferables lists every buffer once', () => {
  const tr = plainTrace(apiTrace(), EXTRA);
  const buffers = transferables(tr);
  assert.equal(new Set(buffers).size, buffers.length, 'no buffer twice (postMessage refuses duplicates)');
  const expected = new Set([
    tr.output.buffer,
    ...['embeddings', 'embeddingsKv', 'wq', 'wk', 'wv', 'wo', 'mask'].map((name) => EXTRA[name].buffer),
  ]);
  assert.deepEqual(new Set(buffers), expected);
  // A plain trace survives structured cloning with those buffers transferred.
  const copy = structuredClone(tr, { transfer: buffers });
  assert.equal(copy.weights[1][0], plainTrace(apiTrace(), EXTRA).weights[1][0]);
});

test('trace: from the core, as the worker and the widget build it, matrix() draws it', async () => {
  const core = await loadAttention();
  const inputs = seededInputs(core);
  const tokens = ['The', 'cat', 'sat'];
  const [n, nKv, dModel, heads, seed] = [3, 3, 8, 2, 1];
  const masks = attentionMasks({ n, nKv, causal: true, painted: [], padding: [] });
  const x = inputs.embeddings(tokens, dModel, seed);
  const w = inputs.weights(dModel, seed);
  const api = core.attention({ x, n, dModel, heads, ...w, causal: true, unmaskedScores: true, ...masks.core });
  const tr = plainTrace(api, {
    tokens,
    tokensKv: null,
    temperature: 1,
    causal: true,
    positional: 'none',
    seed,
    scale: true,
    padding: [],
    painted: [],
    embeddings: x,
    embeddingsKv: null,
    ...w,
    mask: masks.allowed,
  });
  assert.deepEqual(tr.weights[1], api.weights(1));
  const weights = matrix(tr, 'weights', { head: 1 });
  assert.deepEqual(weights.masked, Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0]), 'causal: keys after the query');
  assert.equal(weights.range[0], 0);
  assert.ok(weights.range[1] > 0 && weights.range[1] <= 1);
  const q = matrix(tr, 'q');
  assert.deepEqual([q.rows, q.cols], [n, dModel]);
});
