// The Train view's mirror score (web/page/train/probe-scores.js) on hand-made attention: a perfect
// anti-diagonal scores 1, uniform causal rows their share, masked queries are left out, bad shapes throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mirrorScores } from '../../web/page/train/probe-scores.js';

// (layers = 1, heads = 2, n = 6): head 0 puts all weight on key 5 − i for queries i ≥ 3 (key 0 else),
// head 1 is uniform over the keys a causal query sees.
function probe() {
  const n = 6;
  const weights = new Float32Array(2 * n * n);
  for (let i = 0; i < n; i++) {
    weights[i * n + (i >= n / 2 ? n - 1 - i : 0)] = 1;
    for (let j = 0; j <= i; j++) weights[(n + i) * n + j] = 1 / (i + 1);
  }
  return { layers: 1, heads: 2, n, mask: Float32Array.of(0, 0, 0, 1, 1, 1), weights };
}

test('a perfect anti-diagonal scores 1; uniform causal rows score their mean share', () => {
  const s = mirrorScores(probe());
  assert.equal(s[0], 1);
  assert.ok(Math.abs(s[1] - (1 / 4 + 1 / 5 + 1 / 6) / 3) < 1e-7, String(s[1]));
});

test('only queries whose target counts enter the mean', () => {
  const p = probe();
  p.mask[3] = 0; // query 3 of head 1 (1/4 on its mirror) no longer counts
  const s = mirrorScores(p);
  assert.ok(Math.abs(s[1] - (1 / 5 + 1 / 6) / 2) < 1e-7, String(s[1]));
  p.mask.fill(0);
  assert.deepEqual(Array.from(mirrorScores(p)), [0, 0]);
});

test('shapes that do not match throw', () => {
  assert.throws(() => mirrorScores({ ...probe(), heads: 3 }), /weights must be \(layers, heads, n, n\)/);
  assert.throws(() => mirrorScores({ ...probe(), mask: new Float32Array(5) }), /mask \(n\)/);
  assert.throws(
    () => mirrorScores({ layers: 1, heads: 1, n: 3, mask: new Float32Array(3), weights: new Float32Array(9) }),
    /even length/,
  );
});
