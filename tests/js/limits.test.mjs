// buildInfo carries the core's limits and positional encodings, and they are the numbers the
// core enforces: one past each limit is refused with the limit in the message, the limit passes.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { loadAttention, simdSupported, POSITIONAL } from '../../web/lib/attention.js';

const LIMIT_NAMES = [
  'maxTokens',
  'maxTokensOutputOnly',
  'maxModelDim',
  'maxHeads',
  'maxKernelFloats',
  'maxWork',
  'maxMagnitude',
  'minTemperature',
  'maxTemperature',
];

for (const simd of [true, false]) {
  describe(
    `buildInfo limits, ${simd ? 'SIMD' : 'scalar'} build`,
    { skip: simd && !simdSupported() ? 'no wasm SIMD in this Node' : false },
    () => {
      let core, limits;
      before(async () => {
        core = await loadAttention({ simd });
        ({ limits } = core.buildInfo);
      });

      test('buildInfo.limits and buildInfo.positionalEncodings are there, frozen', () => {
        assert.deepEqual(Object.keys(limits).sort(), [...LIMIT_NAMES].sort());
        for (const name of LIMIT_NAMES) assert.ok(Number.isFinite(limits[name]) && limits[name] > 0, name);
        assert.deepEqual([limits.minTemperature, limits.maxTemperature, limits.maxMagnitude], [1e-3, 1e6, 1e6]);
        assert.ok(limits.maxTokensOutputOnly >= limits.maxTokens);
        assert.deepEqual(core.buildInfo.positionalEncodings, ['none', 'sinusoidal', 'rope', 'alibi']);
        assert.deepEqual(core.buildInfo.positionalEncodings, [...POSITIONAL]);
        assert.ok(Object.isFrozen(core.buildInfo) && Object.isFrozen(limits));
        assert.ok(Object.isFrozen(core.buildInfo.positionalEncodings));
      });

      const params = (n, dModel, heads, extra = {}) => {
        const w = core.randomMatrix(dModel, dModel, 1, 1 / Math.sqrt(dModel));
        return { x: core.randomMatrix(n, dModel, 2, 1), n, dModel, heads, wq: w, wk: w, wv: w, wo: w, ...extra };
      };

      test('heads: maxHeads passes, maxHeads + 1 is refused', () => {
        const { maxHeads } = limits;
        const trace = core.attention(params(2, maxHeads, maxHeads));
        assert.equal(trace.heads, maxHeads);
        assert.throws(
          () => core.attention(params(1, maxHeads + 1, maxHeads + 1)),
          new RegExp(`heads must be between 1 and ${maxHeads}, got ${maxHeads + 1}`),
        );
        assert.throws(
          () => core.scaledDotProductAttention({ n: 1, heads: maxHeads + 1, dHead: 1 }),
          new RegExp(`heads must be between 1 and ${maxHeads}`),
        );
      });

      test('tokens: maxTokens + 1 needs the output-only path; maxTokensOutputOnly + 1 is refused', () => {
        const { maxTokens, maxTokensOutputOnly } = limits;
        assert.throws(
          () => core.attention(params(maxTokens + 1, 1, 1)),
          new RegExp(`n must be between 1 and ${maxTokens}, got ${maxTokens + 1}`),
        );
        const out = core.attention(params(maxTokens + 1, 1, 1, { trace: false, causal: true }));
        assert.equal(out.output.length, maxTokens + 1);
        assert.throws(
          () => core.attention({ ...params(1, 1, 1), n: maxTokensOutputOnly + 1, trace: false }),
          new RegExp(`n must be between 1 and ${maxTokensOutputOnly}, got ${maxTokensOutputOnly + 1}`),
        );
        assert.throws(
          () => core.attention({ ...params(2, 4, 1), nKv: maxTokens + 1, xKv: new Float32Array(4) }),
          new RegExp(`nKv must be between 1 and ${maxTokens}`),
        );
      });

      test('dModel: maxModelDim passes for embeddings, maxModelDim + 1 is refused', () => {
        const { maxModelDim } = limits;
        assert.equal(core.tokenEmbedding('a', maxModelDim).length, maxModelDim);
        assert.throws(
          () => core.tokenEmbedding('a', maxModelDim + 1),
          new RegExp(`dModel must be between 1 and ${maxModelDim}`),
        );
        assert.throws(
          () => core.attention({ ...params(1, 1, 1), dModel: maxModelDim + 1 }),
          new RegExp(`dModel must be between 1 and ${maxModelDim}, got ${maxModelDim + 1}`),
        );
      });

      test('kernel arrays: maxKernelFloats + 1 is refused', () => {
        const { maxKernelFloats } = limits;
        const { maxTokensOutputOnly: n, maxHeads: heads } = limits;
        const dHead = Math.floor(maxKernelFloats / (n * heads)) + 1;
        assert.throws(
          () => core.scaledDotProductAttention({ n, heads, dHead }),
          new RegExp(`n·heads·dHead must be at most ${maxKernelFloats}, got ${n * heads * dHead}`),
        );
        assert.throws(
          () => core.matmul({ m: maxKernelFloats + 1, k: 1, n: 1 }),
          new RegExp(`m must be between 1 and ${maxKernelFloats}`),
        );
        assert.throws(
          () => core.matmul({ m: maxKernelFloats / 2, k: 4, n: 1 }),
          new RegExp(`m·k must be at most ${maxKernelFloats}, got ${2 * maxKernelFloats}`),
        );
        const one = new Float32Array([2]);
        assert.deepEqual([...core.matmul({ a: one, b: one, m: 1, k: 1, n: 1 })], [4]);
      });

      test('positional: only the listed encodings', () => {
        for (const positional of core.buildInfo.positionalEncodings) core.attention(params(2, 4, 2, { positional }));
        assert.throws(
          () => core.attention(params(2, 4, 2, { positional: 'learned' })),
          new RegExp(`positional must be one of ${core.buildInfo.positionalEncodings.map((p) => `'${p}'`).join(', ')}`),
        );
      });
    },
  );
}
