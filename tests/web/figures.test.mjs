// Unit tests of web/views/figures.js, the one rule for what a drawing of a matrix shows: its data,
// shape, labels, colormap, colour range and masked cells. DOM-free: plain traces made by hand.
//
// Run: node --test tests/web/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  matrix,
  matrixData,
  maskedCells,
  weightsRange,
  entropyRange,
  joinHeads,
  MATRIX_NAMES,
} from '../../web/views/figures.js';

const f32 = (a) => Float32Array.from(a);

// A plain trace (views/trace.js) of 2 queries, 3 keys, 2 heads of d_head 2 (d_model 4).
//   mask (2, 3): query 0 may attend to key 0 only; query 1 to keys 0 and 1.
function smallTrace() {
  const n = 2,
    nKv = 3,
    heads = 2,
    dHead = 2,
    dModel = 4;
  return {
    tokens: ['a', 'b'],
    keyTokens: ['x', 'y', 'z'],
    n,
    nKv,
    heads,
    dHead,
    dModel,
    mask: Uint8Array.from([1, 0, 0, 1, 1, 0]),
    weights: [f32([1, 0, 0, 0.6, 0.4, 0]), f32([1, 0, 0, 0.9, 0.1, 0])], // [head] (n, nKv)
    scores: [f32([2, -Infinity, -Infinity, 0.5, -3, -Infinity]), f32([1, -Infinity, -Infinity, 4, -1, -Infinity])],
    entropy: [f32([0, 0.67]), f32([0, 0.33])], // [head] (n)
    q: [f32([1, 2, 3, 4]), f32([5, 6, 7, 8])], // [head] (n, d_head)
    k: [f32([1, 1, 2, 2, 3, 3]), f32([-1, -1, -2, -2, -3, -3])], // [head] (nKv, d_head)
    v: [f32([0, 1, 0, 1, 0, 1]), f32([1, 0, 1, 0, 1, 0])], // [head] (nKv, d_head)
    headOutput: [f32([0.5, -0.5, 1, -1]), f32([-8, 2, 0, 0])], // [head] (n, d_head)
    x: f32([1, -2, 3, -4, 0, 0, 0, 0.5]), // (n, d_model)
    concat: f32([0.5, -0.5, -8, 2, 1, -1, 0, 0]), // (n, d_model)
    output: f32([0, 0, 0, 0, 0, 0, 0, 0]), // (n, d_model)
  };
}

test('figures: weights range over every head, ignoring rows with one key to attend to', () => {
  const tr = smallTrace();
  // Row 0 has one open key (weight 1 by construction): left out. Row 1: 0.6 (head 0), 0.9 (head 1).
  assert.deepEqual(weightsRange(tr, [0, 1]), [0, f32([0.9])[0]]);
  assert.deepEqual(matrix(tr, 'weights', { head: 0 }).range, [0, f32([0.9])[0]], 'heads share one scale');
  assert.deepEqual(matrix(tr, 'weights', { head: 1 }).range, matrix(tr, 'weights', { head: 0 }).range);
});

test("figures: independent weights are on the drawn head's own scale", () => {
  const tr = smallTrace();
  assert.deepEqual(matrix(tr, 'weights', { head: 0, independent: true }).range, [0, f32([0.6])[0]]);
  assert.deepEqual(matrix(tr, 'weights', { head: 1, independent: true }).range, [0, f32([0.9])[0]]);
});

test('figures: weights range is [0, 1] when no row has two keys to attend to', () => {
  const tr = smallTrace();
  tr.mask = Uint8Array.from([1, 0, 0, 1, 0, 0]);
  tr.weights = [f32([1, 0, 0, 1, 0, 0]), f32([1, 0, 0, 1, 0, 0])];
  assert.deepEqual(weightsRange(tr, [0, 1]), [0, 1]);
});

test("figures: the weights' masked cells come from the trace's mask (1 = may attend → masked 0)", () => {
  const tr = smallTrace();
  const expected = Uint8Array.from([0, 1, 1, 0, 0, 1]);
  assert.deepEqual(maskedCells(tr), expected);
  const m = matrix(tr, 'weights', { head: 1 });
  assert.deepEqual(m.masked, expected);
  assert.equal(m.data, tr.weights[1], "the data is the trace's own array");
  assert.equal(m.colormap, 'viridis');
  assert.deepEqual([m.rows, m.cols, m.head, m.name], [2, 3, 1, 'weights']);
  assert.deepEqual(m.rowLabels, ['a', 'b']);
  assert.deepEqual(m.colLabels, ['x', 'y', 'z']);
  assert.ok(!('mask' in m), 'a model has masked, never mask');
  // No other matrix carries masked cells: scores are −∞ there already.
  for (const name of ['scores', 'entropy', 'qHead', 'x', 'concat']) {
    assert.ok(!('masked' in matrix(tr, name)), `${name} has no masked field`);
  }
});

test('figures: entropy range is [0, ln max(2, nKv)]', () => {
  assert.deepEqual(entropyRange(3), [0, Math.log(3)]);
  assert.deepEqual(entropyRange(1), [0, Math.log(2)]);
  const m = matrix(smallTrace(), 'entropy', { head: 1 });
  assert.deepEqual(m.range, [0, Math.log(3)]);
  assert.deepEqual([m.rows, m.cols, m.colormap], [2, 1, 'viridis']);
});

test("figures: other matrices are signed, [−m, m] over their finite values, or rangeFrom's", () => {
  const tr = smallTrace();
  const scores = matrix(tr, 'scores', { head: 0 });
  assert.deepEqual(scores.range, [-3, 3], '−∞ is not a value');
  assert.equal(scores.colormap, 'diverging');
  assert.deepEqual(matrix(tr, 'x').range, [-4, 4]);
  assert.deepEqual(matrix(tr, 'output').range, [-1, 1], 'an all-zero matrix still has a range');
  // rangeFrom: the range of another matrix, read at the same head (figures drawn on one scale).
  assert.deepEqual(matrix(tr, 'headOutput', { head: 0 }).range, [-1, 1]);
  assert.deepEqual(matrix(tr, 'headOutput', { head: 0, rangeFrom: 'qHead' }).range, [-4, 4]);
  assert.deepEqual(matrix(tr, 'headOutput', { head: 1, rangeFrom: 'qHead' }).range, [-8, 8]);
});

test('figures: joinHeads lays the per-head blocks side by side, (rows, d_model)', () => {
  const joined = joinHeads([f32([1, 2, 3, 4]), f32([5, 6, 7, 8])], 2, 2);
  assert.deepEqual(joined, f32([1, 2, 5, 6, 3, 4, 7, 8]));
  const tr = smallTrace();
  const k = matrix(tr, 'k');
  assert.deepEqual([k.rows, k.cols, k.head], [3, 4, null]);
  assert.deepEqual(k.data, f32([1, 1, -1, -1, 2, 2, -2, -2, 3, 3, -3, -3]));
  assert.deepEqual(k.rowLabels, ['x', 'y', 'z'], 'K has a row per key token');
  assert.ok(!('colLabels' in k));
  assert.deepEqual(matrixData(tr, 'q'), f32([1, 2, 5, 6, 3, 4, 7, 8]));
});

test("figures: per-head matrices are the head's block, with its shape", () => {
  const tr = smallTrace();
  for (const [name, rows, cols] of [
    ['qHead', 2, 2],
    ['kHead', 3, 2],
    ['vHead', 3, 2],
    ['headOutput', 2, 2],
  ]) {
    const m = matrix(tr, name, { head: 1 });
    assert.deepEqual([m.rows, m.cols, m.head], [rows, cols, 1], name);
    assert.equal(m.data.length, rows * cols, name);
  }
  assert.throws(() => matrix(tr, 'nope'), /no matrix named nope/);
  assert.ok(MATRIX_NAMES.includes('weights') && MATRIX_NAMES.includes('scaledScores'));
});
