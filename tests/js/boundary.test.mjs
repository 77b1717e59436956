// The JS API's boundary, case by case: each input that once corrupted the module, aborted it,
// ran for minutes or gave a silent NaN, and each message that misled. tests/js/fuzz.test.mjs
// covers the same classes at random; these are the cases as they were found.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { loadAttention, simdSupported } from '../../web/lib/attention.js';
import { randomArray } from './reference.mjs';

function params(n, dModel, heads, extra = {}) {
  return {
    n,
    dModel,
    heads,
    x: randomArray(n * dModel, 1),
    wq: randomArray(dModel * dModel, 2, 0.3),
    wk: randomArray(dModel * dModel, 3, 0.3),
    wv: randomArray(dModel * dModel, 4, 0.3),
    wo: randomArray(dModel * dModel, 5, 0.3),
    ...extra,
  };
}

const finite = (a) => Array.prototype.every.call(a, Number.isFinite);

test('loadAttention rejects bad options instead of throwing', async () => {
  let promise;
  assert.doesNotThrow(() => {
    promise = loadAttention({ simd: 'yes' });
  });
  await assert.rejects(promise, /simd must be 'auto', true or false, got yes/);
  await assert.rejects(loadAttention(null), /options object/);
});

const cores = {};
before(async () => {
  cores.simd = simdSupported() ? await loadAttention({ simd: true }) : null;
  cores.scalar = await loadAttention({ simd: false });
});

for (const build of ['simd', 'scalar']) {
  describe(`the boundary, ${build} build`, { skip: build === 'simd' && !simdSupported() && 'no wasm SIMD' }, () => {
    test('inputs that lie or throw are refused before the core sees them, and the module stays intact', () => {
      const core = cores[build];
      const good = params(4, 8, 2);
      const want = core.attention(good).output;
      const getter = Array.from(good.x);
      let reads = 0;
      Object.defineProperty(getter, 3, {
        get() {
          if (++reads > 1) throw new Error('second read');
          return 0.5;
        },
      });
      const shorter = Float32Array.from(good.x);
      Object.defineProperty(shorter, 'length', { value: 31 });
      const longer = new Float32Array(20);
      Object.defineProperty(longer, 'length', { value: 32 });
      for (let i = 0; i < 6000; i++) {
        // Each entry is read once: a getter that throws on its second read never gets one.
        reads = 0;
        assert.ok(finite(core.attention({ ...good, x: getter }).output));
        assert.equal(reads, 1);
        assert.throws(() => core.tokenEmbeddings(['a', 'b', , 'c'], 8), /tokens\[2\] must be a string, got a hole/); // eslint-disable-line no-sparse-arrays
      }
      let calls = 0;
      const throwing = Array.from(good.x);
      Object.defineProperty(throwing, 5, {
        get() {
          calls++;
          throw new Error('no entry 5');
        },
      });
      for (let i = 0; i < 6000; i++) {
        assert.throws(() => core.attention({ ...good, x: throwing }), /x could not be read at index 5: no entry 5/);
      }
      assert.equal(calls, 6000);
      // The typed array's own length is read, not a redefined property.
      assert.deepEqual(core.attention({ ...good, x: shorter }).output, want);
      assert.throws(() => core.attention({ ...good, x: longer }), /x must hold n·dModel = 4·8 = 32 values, got 20/);
      assert.deepEqual(core.attention(good).output, want);
    });

    test('arrays from another realm are accepted; odd values get messages that say what they are', () => {
      const core = cores[build];
      const good = params(3, 4, 1);
      const x = vm.runInNewContext(`new Float32Array(${JSON.stringify(Array.from(good.x))})`);
      assert.deepEqual(core.attention({ ...good, x }).output, core.attention(good).output);
      const cases = [
        [{ n: 3n }, /n must be an integer, got 3n \(a BigInt\)/],
        [
          { x: new DataView(new ArrayBuffer(48)) },
          /x must be a Float32Array, a Float64Array or an Array of numbers, got a DataView/,
        ],
        [{ x: new Int32Array(12) }, /got a Int32Array of 12/],
        [{ x: new Proxy({}, {}) }, /got an object/],
        [{ temperature: 1e-300 }, /temperature must be between 0.001 and 1000000, got 1e-300/],
      ];
      for (const [patch, message] of cases) assert.throws(() => core.attention({ ...good, ...patch }), message);
      const trap = new Proxy(good, {
        get(t, k) {
          if (k === 'wq') throw new Error('no wq here');
          return t[k];
        },
      });
      assert.throws(() => core.attention(trap), /attention\(\)'s wq could not be read: no wq here/);
      const detached = Float32Array.from(good.x);
      structuredClone(detached.buffer, { transfer: [detached.buffer] });
      assert.throws(
        () => core.attention({ ...good, x: detached }),
        /x must hold n·dModel = 3·4 = 12 values, got 0 \(an empty or detached buffer\)/,
      );
    });

    test('no silent NaN: out-of-range values are refused, and values at the bounds give finite results', () => {
      const core = cores[build];
      const { limits } = core.buildInfo;
      const good = params(4, 8, 2);
      assert.throws(() => core.attention({ ...good, temperature: 1e-40 }), /temperature must be between/);
      assert.throws(() => core.attention({ ...good, x: good.x.map((v, i) => (i === 0 ? 1e30 : v)) }), /x holds 1e\+30/);
      assert.throws(() => core.randomMatrix(3, 3, 0, 1e39), /stddev must be a number from 0 to 125000/);
      const big = new Float32Array(4 * 8).fill(3e38);
      assert.throws(
        () => core.scaledDotProductAttention({ q: big, k: big, v: big, n: 4, heads: 1, dHead: 8 }),
        /q holds/,
      );
      // At the bounds: ±maxMagnitude in x and every W, the smallest temperature, every encoding.
      const m = limits.maxMagnitude;
      const edge = (len, seed) => Float32Array.from(randomArray(len, seed), (v) => (v > 0 ? m : -m));
      for (const positional of ['none', 'sinusoidal', 'rope', 'alibi']) {
        for (const trace of [true, false]) {
          const p = {
            n: 6,
            dModel: 16,
            heads: 2,
            x: edge(96, 7),
            wq: edge(256, 8),
            wk: edge(256, 9),
            wv: edge(256, 10),
            wo: edge(256, 11),
            temperature: limits.minTemperature,
            positional,
            causal: !trace,
            trace,
          };
          const got = core.attention(p);
          assert.ok(finite(got.output), `${positional}, trace ${trace}: output`);
          if (trace) for (let h = 0; h < 2; h++) assert.ok(finite(got.weights(h)), `${positional}: weights(${h})`);
        }
      }
      const q = Float32Array.from(randomArray(8 * 64, 12), (v) => Math.max(-1, Math.min(1, v)) * m);
      const out = core.scaledDotProductAttention({ q, k: q, v: q, n: 8, heads: 1, dHead: 64, causal: true });
      assert.ok(finite(out), 'the fused kernel at the bound');
    });

    test('bounded work: calls past a few seconds of work are refused at once', () => {
      const core = cores[build];
      const started = Date.now();
      const n = 65536;
      const huge = { n, dModel: 1024, heads: 16, trace: false, x: [], wq: [], wk: [], wv: [], wo: [] };
      assert.throws(
        () => core.attention(huge),
        /n·nKv·dModel = 65536·65536·1024 is over the limit of 34359738368 \(a few seconds of work\)/,
      );
      assert.throws(() => core.tokenEmbeddings(Array(150000).fill('a'), 4096), /tokens must hold at most 4096 strings/);
      assert.throws(() => core.tokenEmbeddings(['x'.repeat(5000)], 8), /tokens\[0\] has 5000 characters; at most 1000/);
      assert.throws(() => core.randomMatrix(65536, 65536), /rows·cols must be at most/);
      assert.ok(Date.now() - started < 5000);
      assert.ok(finite(core.attention(params(4, 8, 2)).output));
    });
  });
}

test('the SIMD and the scalar build agree at the bounds', { skip: !simdSupported() && 'no wasm SIMD' }, () => {
  const m = cores.scalar.buildInfo.limits.maxMagnitude;
  const edge = (len, seed) => Float32Array.from(randomArray(len, seed), (v) => Math.max(-1, Math.min(1, v)) * m);
  const p = {
    n: 9,
    dModel: 16,
    heads: 4,
    x: edge(144, 1),
    wq: edge(256, 2),
    wk: edge(256, 3),
    wv: edge(256, 4),
    wo: edge(256, 5),
    temperature: 0.01,
    positional: 'rope',
  };
  const a = cores.simd.attention(p);
  const b = cores.scalar.attention(p);
  for (let h = 0; h < 4; h++) {
    const wa = a.weights(h);
    const wb = b.weights(h);
    for (let i = 0; i < wa.length; i++)
      assert.ok(Math.abs(wa[i] - wb[i]) <= 1e-4, `weights(${h})[${i}]: ${wa[i]} vs ${wb[i]}`);
  }
});
