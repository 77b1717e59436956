// Unit tests of web/views/describe.js: the description of a pass that every caption and formula
// is built from says what the pass did, in every mode. DOM-free.
//
// Run: node --test tests/web/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describe,
  scoresClaim,
  scoresNotation,
  scoresPlain,
  headFormula,
  inputFormula,
  projectionFormula,
  scoresShape,
} from '../../web/views/describe.js';

// A plain trace's settings: only what describe() reads.
const trace = (over = {}) => ({
  cross: false,
  n: 3,
  nKv: 3,
  dModel: 8,
  heads: 2,
  dHead: 4,
  scale: true,
  temperature: 1,
  positional: 'none',
  causal: false,
  padding: [],
  painted: [],
  mask: new Uint8Array(9).fill(1),
  ...over,
});

test('describe: the terms of the scores follow the pass — √d_head, T, B_h, M', () => {
  const plain = describe(trace());
  assert.equal(scoresNotation(scoresClaim(plain, 'raw'), 0), 'S_0');
  assert.equal(scoresNotation(scoresClaim(plain, 'scaled'), 0), '\\frac{S_0}{√d_head}');
  assert.equal(scoresNotation(scoresClaim(plain, 'weights'), 1), 'P_1 = softmax ( \\frac{S_1}{√d_head} )');
  const unscaled = describe(trace({ scale: false }));
  assert.equal(scoresNotation(scoresClaim(unscaled, 'weights'), 0), 'P_0 = softmax ( S_0 )');
  const hot = describe(trace({ scale: false, temperature: 2 }));
  assert.equal(scoresNotation(scoresClaim(hot, 'scaled'), 0), '\\frac{S_0}{T}');
  assert.equal(scoresClaim(hot, 'scaled').temperature, 2);
  const mask = new Uint8Array(9).fill(1);
  mask[1] = 0;
  const alibi = describe(trace({ positional: 'alibi', mask }));
  assert.equal(alibi.masked, true);
  assert.equal(alibi.hidden, 1);
  assert.equal(scoresNotation(scoresClaim(alibi, 'biased'), 0), '\\frac{S_0}{√d_head} + B_0');
  assert.equal(scoresNotation(scoresClaim(alibi, 'masked'), 0), '\\frac{S_0}{√d_head} + B_0 + M');
  assert.equal(scoresPlain(scoresClaim(alibi, 'weights'), 0), 'P_0 = softmax(Q_0K_0ᵀ / √d_head + B_0 + M)');
  // A causal mask over one token hides nothing: no + M.
  assert.equal(describe(trace({ causal: true, n: 1, nKv: 1, mask: new Uint8Array([1]) })).masked, false);
});

test('describe: header, input and projection formulas and the map shape in every mode', () => {
  assert.equal(headFormula(describe(trace())), 'P_h = softmax ( \\frac{Q_h K_h^T}{√d_head} ) ,   out_h = P_h V_h');
  assert.match(headFormula(describe(trace({ temperature: 0.5 }))), /√d_head · T/);
  assert.equal(inputFormula(describe(trace())), 'X = E');
  assert.equal(inputFormula(describe(trace({ positional: 'sinusoidal' }))), 'X = E + PE');
  const cross = describe(trace({ cross: true, nKv: 5, mask: new Uint8Array(15).fill(1) }));
  assert.equal(projectionFormula(cross), 'Q = X W_Q ,   K = X_kv W_K ,   V = X_kv W_V');
  assert.deepEqual(scoresShape(cross), { symbols: 'n_q × n_k', rows: 3, cols: 5 });
  assert.deepEqual(scoresShape(describe(trace())), { symbols: 'n × n', rows: 3, cols: 3 });
  assert.equal(
    projectionFormula(describe(trace({ positional: 'rope' }))),
    'Q = RoPE ( X W_Q ) ,   K = RoPE ( X W_K ) ,   V = X W_V',
  );
});
