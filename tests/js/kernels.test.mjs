// Tests of the kernel exports of the JS API (issue 3): scaledDotProductAttention and matmul,
// for the SIMD and the scalar build, against a plain JS reference, plus their argument errors.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { loadAttention, simdSupported } from '../../web/lib/attention.js';

// Deterministic values in [-1, 1).
function values(length, seed) {
  let s = seed >>> 0;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2147483648 - 1;
  }
  return out;
}

// Attention written as numbered passes, in float64. q, k, v: (n, heads·dHead) row-major.
function referenceSdpa(q, k, v, n, heads, dHead, causal) {
  const ld = heads * dHead,
    scale = 1 / Math.sqrt(dHead),
    out = new Float64Array(n * ld);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < n; i++) {
      // 1. scores over keys, −∞ where causal hides j > i
      const scores = new Float64Array(n).fill(-Infinity);
      for (let j = 0; j < (causal ? i + 1 : n); j++) {
        let dot = 0;
        for (let x = 0; x < dHead; x++) dot += q[i * ld + h * dHead + x] * k[j * ld + h * dHead + x];
        scores[j] = dot * scale;
      }
      // 2. softmax over keys
      const max = Math.max(...scores);
      const weights = scores.map((s) => (s === -Infinity ? 0 : Math.exp(s - max)));
      const sum = weights.reduce((a, b) => a + b, 0);
      // 3. weighted sum of the values
      for (let j = 0; j < n; j++) {
        for (let x = 0; x < dHead; x++) out[i * ld + h * dHead + x] += (weights[j] / sum) * v[j * ld + h * dHead + x];
      }
    }
  }
  return out;
}

function assertClose(got, want, what, tol = 2e-5, eps = 1e-4) {
  assert.ok(got instanceof Float32Array, `${what}: a Float32Array`);
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol + eps * Math.abs(want[i]))) {
      assert.fail(`${what}[${i}]: got ${got[i]}, want ${want[i]}`);
    }
  }
}

const builds = simdSupported() ? [true, false] : [false];
for (const simd of builds) {
  describe(`kernels, ${simd ? 'SIMD' : 'scalar'} build`, () => {
    let core;
    before(async () => {
      core = await loadAttention({ simd });
    });

    test('scaledDotProductAttention matches the reference', () => {
      for (const [n, heads, dHead] of [
        [1, 1, 5],
        [3, 2, 8],
        [33, 3, 16],
        [70, 2, 7],
        [130, 1, 64],
      ]) {
        for (const causal of [false, true]) {
          const size = n * heads * dHead;
          const q = values(size, 1),
            k = values(size, 2),
            v = values(size, 3);
          const got = core.scaledDotProductAttention({ q, k, v, n, heads, dHead, causal });
          assertClose(
            got,
            referenceSdpa(q, k, v, n, heads, dHead, causal),
            `sdpa n=${n} heads=${heads} dHead=${dHead} causal=${causal}`,
          );
        }
      }
    });

    test('scaledDotProductAttention accepts plain arrays and defaults causal to false', () => {
      const q = [1, 0, 0, 1],
        k = [1, 0, 0, 1],
        v = [1, 2, 3, 4];
      const got = core.scaledDotProductAttention({ q, k, v, n: 2, heads: 1, dHead: 2 });
      assertClose(got, referenceSdpa(q, k, v, 2, 1, 2, false), 'sdpa arrays');
    });

    test('scaledDotProductAttention rejects bad arguments with clear messages', () => {
      const ok = { q: new Float32Array(4), k: new Float32Array(4), v: new Float32Array(4), n: 2, heads: 1, dHead: 2 };
      const call = (patch) => () => core.scaledDotProductAttention({ ...ok, ...patch });
      assert.throws(() => core.scaledDotProductAttention(null), /takes a parameter object/);
      assert.throws(call({ q: new Float32Array(3) }), /q must hold n·heads·dHead = 2·1·2 = 4 values, got 3/);
      assert.throws(call({ v: new Float32Array([0, NaN, 0, 0]) }), /v holds a non-finite value \(NaN\) at index 1/);
      assert.throws(
        call({ q: new Float32Array([0, 0, 0, -Infinity]) }),
        /q holds a non-finite value \(-Infinity\) at index 3/,
      );
      assert.throws(call({ k: [1, 2, Infinity, 0] }), /k holds a non-finite value \(Infinity\) at index 2/);
      // A float64 value beyond the core's bound (which keeps every product finite in float32).
      assert.throws(
        call({ k: new Float64Array([1e300, 0, 0, 0]) }),
        /k holds 1e\+300 at index 0: values must be within ±1000000/,
      );
      assert.throws(call({ k: 'abc' }), /k must be a Float32Array/);
      assert.throws(call({ n: 0 }), /n must be between 1 and 65536/);
      assert.throws(call({ heads: 1.5 }), /heads must be an integer/);
      assert.throws(call({ causal: 'yes' }), /causal must be true or false/);
      assert.throws(call({ n: 65536, heads: 256, dHead: 4 }), /n·heads·dHead must be at most/);
    });

    test('matmul matches the reference around the packet widths', () => {
      for (const [m, k, n] of [
        [1, 1, 1],
        [2, 3, 5],
        [7, 9, 17],
        [33, 300, 15],
      ]) {
        const a = values(m * k, 4),
          b = values(k * n, 5);
        const want = new Float64Array(m * n);
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) want[i * n + j] += a[i * k + p] * b[p * n + j];
        assertClose(core.matmul({ a, b, m, k, n }), want, `matmul ${m}x${k}x${n}`, 1e-5 * k);
      }
      assert.throws(
        () => core.matmul({ a: new Float32Array(2), b: new Float32Array(2), m: 1, k: 2, n: 2 }),
        /b must hold k·n = 2·2 = 4 values, got 2/,
      );
      assert.throws(
        () => core.matmul({ a: new Float32Array([0, NaN]), b: new Float32Array(4), m: 1, k: 2, n: 2 }),
        /a holds a non-finite value \(NaN\) at index 1/,
      );
      assert.throws(() => core.matmul({ a: [], b: [], m: 0, k: 1, n: 1 }), /m must be between 1/);
    });
  });
}
