// Scores of the probe example's attention that say what a head learned, computed from the weights
// the core returned (never assumed from the task).
//
//   mirrorScore: for reverse (x_1 … x_n SEP x_n … x_1), the mean weight a query of the answer puts
//   on the position it must copy: query i (n ≤ i < 2n, the input token before target x_{2n−i}) on
//   key 2n − 1 − i, the mirrored position. 1 means the head reads exactly the mirrored token.

/**
 * attention: { layers, heads, n, mask, weights: Float32Array (layers, heads, n, n) } as train.js's
 * attention() returns it. Returns Float64Array (layers · heads): each head's mirror score, over the
 * queries whose target counts (mask 1); throws on a shape that does not match.
 */
export function mirrorScores({ layers, heads, n, mask, weights }) {
  if (!(weights?.length === layers * heads * n * n) || mask?.length !== n)
    throw new Error('mirrorScores: weights must be (layers, heads, n, n) and mask (n)');
  if (n % 2 !== 0) throw new Error(`mirrorScores: a reverse probe has an even length, not ${n}`);
  const out = new Float64Array(layers * heads);
  for (let lh = 0; lh < layers * heads; lh++) {
    let sum = 0;
    let count = 0;
    for (let i = n / 2; i < n; i++) {
      if (!mask[i]) continue;
      sum += weights[(lh * n + i) * n + (n - 1 - i)];
      count += 1;
    }
    out[lh] = count ? sum / count : 0;
  }
  return out;
}
