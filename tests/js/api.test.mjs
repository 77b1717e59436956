// Tests of the JS API (web/lib/attention.js) under Node, for the SIMD and the scalar build.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { loadAttention, simdSupported, POSITIONAL } from '../../web/lib/attention.js';
import { referenceAttention, randomArray } from './reference.mjs';

function makeParams(n, dModel, heads, seed, extra = {}) {
  const ws = 1 / Math.sqrt(dModel);
  return {
    n,
    dModel,
    heads,
    x: randomArray(n * dModel, seed),
    wq: randomArray(dModel * dModel, seed + 1, ws),
    wk: randomArray(dModel * dModel, seed + 2, ws),
    wv: randomArray(dModel * dModel, seed + 3, ws),
    wo: randomArray(dModel * dModel, seed + 4, ws),
    ...extra,
  };
}

// |got − want| ≤ 1e-4·(|want| + rms(want)) everywhere, and −∞ exactly where −∞. The rms term
// makes the bound relative to the matrix's scale, so an entry that float32 computes by
// cancellation (a dot product near 0) is judged by the size of its terms. Reports the first mismatch.
function assertClose(got, want, what) {
  assert.equal(got.length, want.length, `${what}: length`);
  let squares = 0,
    finite = 0;
  for (const w of want)
    if (Number.isFinite(w)) {
      squares += w * w;
      finite++;
    }
  const rms = Math.sqrt(squares / Math.max(finite, 1));
  for (let i = 0; i < want.length; i++) {
    const ok =
      want[i] === -Infinity ? got[i] === -Infinity : Math.abs(got[i] - want[i]) <= 1e-4 * (Math.abs(want[i]) + rms);
    if (!ok) assert.fail(`${what}[${i}]: got ${got[i]}, want ${want[i]}`);
  }
}

for (const simd of [true, false]) {
  describe(
    `JS API, ${simd ? 'SIMD' : 'scalar'} build`,
    { skip: simd && !simdSupported() ? 'no wasm SIMD in this Node' : false },
    () => {
      let core;
      before(async () => {
        core = await loadAttention({ simd });
        console.log(
          `# core ${core.buildInfo.version}, SIMD ${core.buildInfo.simd ? 'on' : 'off'} (${core.buildInfo.simdKind})`,
        );
      });

      test('reports its build', () => {
        assert.equal(core.buildInfo.simd, simd);
        assert.match(core.buildInfo.version, /^\d+\.\d+\.\d+$/);
      });

      test('the same URL loads one shared instance', async () => {
        assert.equal(await loadAttention({ simd }), core);
      });

      test('trace shapes', () => {
        const t = core.attention(makeParams(5, 12, 3, 1));
        assert.deepEqual([t.n, t.dModel, t.heads, t.dHead], [5, 12, 3, 4]);
        assert.equal(t.output.length, 5 * 12);
        assert.equal(t.concat.length, 5 * 12);
        assert.equal(t.x.length, 5 * 12);
        for (let h = 0; h < 3; h++) {
          for (const name of ['q', 'k', 'v', 'headOutput']) assert.equal(t[name](h).length, 5 * 4, name);
          for (const name of ['scores', 'weights']) assert.equal(t[name](h).length, 25, name);
          assert.ok(t.weights(h) instanceof Float32Array);
        }
        assert.throws(() => t.q(3), RangeError);
        assert.throws(() => t.weights(-1), /from 0 to 2/);
        assert.throws(() => t.scores(0.5), RangeError);
      });

      test('matches a float64 reference within 1e-4 relative, every option', () => {
        let seed = 100;
        for (const [n, dModel, heads] of [
          [1, 4, 1],
          [4, 8, 2],
          [9, 24, 3],
          [17, 32, 4],
          [31, 64, 8],
        ]) {
          for (const positional of POSITIONAL) {
            for (const causal of [false, true]) {
              for (const temperature of [1, 0.35, 4]) {
                const p = makeParams(n, dModel, heads, seed++, { positional, causal, temperature });
                const what = `n=${n} d=${dModel} h=${heads} ${positional} causal=${causal} T=${temperature}`;
                const t = core.attention(p);
                const r = referenceAttention(p);
                assertClose(t.x, r.x, `${what} x`);
                for (let h = 0; h < heads; h++) {
                  for (const name of ['q', 'k', 'v', 'scores', 'weights', 'headOutput']) {
                    assertClose(t[name](h), r[name][h], `${what} ${name}(${h})`);
                  }
                }
                assertClose(t.concat, r.concat, `${what} concat`);
                assertClose(t.output, r.output, `${what} output`);
              }
            }
          }
        }
      });

      test('causal rows sum to 1 with the upper triangle exactly 0', () => {
        const t = core.attention(makeParams(12, 16, 2, 7, { causal: true, positional: 'alibi' }));
        for (let h = 0; h < 2; h++) {
          const w = t.weights(h);
          for (let i = 0; i < 12; i++) {
            let sum = 0;
            for (let j = 0; j < 12; j++) {
              sum += w[i * 12 + j];
              if (j > i) assert.equal(w[i * 12 + j], 0);
            }
            assert.ok(Math.abs(sum - 1) < 1e-6, `row ${i} sums to ${sum}`);
          }
        }
      });

      test('arrays stay valid after later calls and memory growth', () => {
        const p = makeParams(6, 16, 2, 3);
        const first = core.attention(p);
        const weights = first.weights(1).slice(),
          output = first.output.slice();
        const heapBefore = core.memoryStats().heapBytes;
        // A large trace forces the wasm memory to grow (4 heads × 1024² scores and weights = 32 MB).
        core.attention(makeParams(1024, 64, 4, 9));
        assert.ok(core.memoryStats().heapBytes > heapBefore, 'memory grew');
        assert.deepEqual(first.weights(1), weights);
        assert.deepEqual(first.output, output);
      });

      test('a trace is one buffer of its own: later calls and edits of another trace do not touch it', () => {
        const p = makeParams(7, 16, 2, 21, { causal: true });
        const a = core.attention(p);
        const parts = [
          a.x,
          a.concat,
          a.output,
          a.entropy(0),
          ...['q', 'k', 'v', 'scores', 'weights', 'headOutput'].map((m) => a[m](1)),
        ];
        assert.ok(
          parts.every((part) => part.buffer === a.output.buffer),
          'one ArrayBuffer per trace',
        );
        const copies = parts.map((part) => part.slice());
        const b = core.attention({ ...p, causal: false, temperature: 3 });
        assert.notEqual(b.output.buffer, a.output.buffer);
        b.output.fill(7);
        b.weights(1).fill(7);
        parts.forEach((part, i) => assert.deepEqual(part, copies[i]));
        // Parts do not overlap: writing one leaves the others as they were.
        a.scores(1).fill(-1);
        assert.deepEqual(a.weights(1), copies[8]);
        assert.deepEqual(a.headOutput(1), copies[9]);
      });

      test('non-finite inputs are found wherever they are, in every kind of array', () => {
        const good = makeParams(3, 5, 1, 8); // 15 and 25 values: the checks' 4-wide loop has a tail
        for (const at of [0, 3, 4, 13, 14]) {
          for (const bad of [NaN, Infinity, -Infinity]) {
            const x = Float64Array.from(good.x);
            x[at] = bad;
            assert.throws(
              () => core.attention({ ...good, x }),
              new RegExp(
                `x holds a non-finite value \\(${bad}\\) at index ${at} \\(row ${Math.floor(at / 5)}, column ${at % 5}\\)$`,
              ),
            );
            const wq = Array.from(good.wq);
            wq[at + 10] = bad;
            assert.throws(
              () => core.attention({ ...good, wq }),
              new RegExp(`at index ${at + 10} \\(row ${Math.floor((at + 10) / 5)}, column ${(at + 10) % 5}\\)$`),
            );
          }
        }
        assert.throws(
          () => core.attention({ ...good, wk: Object.assign(Array.from(good.wk), { 24: '1' }) }),
          /wk must hold numbers, got "1" at index 24 \(row 4, column 4\)/,
        );
        assertClose(
          core.attention({ ...good, x: Array.from(good.x) }).output,
          referenceAttention(good).output,
          'Array input',
        );
        // Finite in float64 but past the bound that keeps every product finite in float32.
        const huge = Float64Array.from(good.x);
        huge[6] = 1e300;
        const bound = /x holds 1e\+300 at index 6 \(row 1, column 1\): values must be within ±1000000/;
        assert.throws(() => core.attention({ ...good, x: huge }), bound);
        assert.throws(() => core.attention({ ...good, x: huge, trace: false }), bound);
      });

      test('errors name what is wrong', () => {
        const good = makeParams(3, 8, 2, 5);
        const cases = [
          [{ ...good, n: 0 }, /n must be between 1 and 4096, got 0/],
          [{ ...good, n: 2.5 }, /n must be an integer, got 2.5/],
          [{ ...good, n: '3' }, /n must be an integer/],
          [{ ...good, n: 5000 }, /n must be between 1 and 4096/],
          [{ ...good, dModel: 0 }, /dModel must be between/],
          [{ ...good, heads: 3 }, /dModel \(8\) must be divisible by heads \(3\)/],
          [{ ...good, heads: undefined }, /heads must be an integer/],
          [{ ...good, x: new Float32Array(23) }, /x must hold n·dModel = 3·8 = 24 values, got 23/],
          [{ ...good, x: 'hello' }, /x must be a Float32Array, a Float64Array or an Array of numbers, got "hello"/],
          [{ ...good, x: undefined }, /x must be a Float32Array, a Float64Array or an Array of numbers, got undefined/],
          [{ ...good, wk: new Float32Array(63) }, /wk must hold dModel² = 8² = 64 values, got 63/],
          [{ ...good, wo: null }, /wo must be a Float32Array, a Float64Array or an Array of numbers, got null/],
          [
            { ...good, x: Object.assign(good.x.slice(), { 5: NaN }) },
            /x holds a non-finite value \(NaN\) at row 0, column 5/,
          ],
          [
            { ...good, wv: Object.assign(good.wv.slice(), { 2: Infinity }) },
            /wv holds a non-finite value \(Infinity\) at row 0, column 2/,
          ],
          [{ ...good, temperature: 0 }, /temperature must be between 0.001 and 1000000, got 0/],
          [{ ...good, temperature: NaN }, /temperature must be/],
          [{ ...good, temperature: -1 }, /temperature must be/],
          [{ ...good, causal: 'yes' }, /causal must be true or false/],
          [
            { ...good, positional: 'RoPE' },
            /positional must be one of 'none', 'sinusoidal', 'rope', 'alibi', got "RoPE"/,
          ],
          [
            { ...good, heads: 8, positional: 'rope' },
            /RoPE rotates pairs of dimensions, so dModel \/ heads must be even; it is 1/,
          ],
          [{ ...makeParams(2048, 64, 16, 1) }, /too large/],
        ];
        for (const [params, message] of cases) assert.throws(() => core.attention(params), message);
        assert.throws(() => core.attention(), /parameter object/);
        assert.throws(() => core.attention(null), /parameter object/);
        // A failed call leaves the core working.
        assert.equal(core.attention(good).output.length, 24);
      });

      test('seeded data: deterministic, and the same values as the native build', () => {
        const e = core.tokenEmbedding('the', 4, 0);
        // Pinned in tests/core/attention_test.cpp too: native and wasm agree.
        assertClose(e, [-0.0185996741, -0.23432067, 1.09632003, -0.862693071], 'embedding of "the"');
        assert.deepEqual(core.tokenEmbeddings(['the', 'cat'], 4, 0).subarray(0, 4), e);
        assert.notDeepEqual(core.tokenEmbedding('the', 4, 1), e);
        assert.deepEqual(core.randomMatrix(3, 5, 9, 0.5), core.randomMatrix(3, 5, 9, 0.5));
        assert.equal(core.randomMatrix(3, 5, 9, 0.5).length, 15);
        assert.equal(core.tokenEmbedding('🦊', 8, 2).length, 8);
        assert.throws(() => core.tokenEmbeddings('the', 4), /tokens must be an Array of strings, got "the"/);
        assert.throws(() => core.randomMatrix(-1, 3), /rows must be between/);
        assert.throws(() => core.randomMatrix(3, 3, 0, NaN), /stddev/);
      });

      test('no heap growth across 10,000 calls', () => {
        const p = makeParams(8, 16, 2, 11, { causal: true, positional: 'rope' });
        const bad = { ...p, x: Object.assign(p.x.slice(), { 3: NaN }) };
        core.attention(p);
        const before = core.memoryStats();
        for (let i = 0; i < 10000; i++) {
          core.attention(p);
          if (i % 100 === 0) assert.throws(() => core.attention({ ...bad, x: bad.x, n: 8 }));
        }
        const after = core.memoryStats();
        assert.equal(after.allocatedBytes, before.allocatedBytes, 'bytes held by malloc');
        assert.equal(after.heapBytes, before.heapBytes, 'wasm memory size');
      });
    },
  );
}

for (const simd of [true, false]) {
  describe(`JS API output only (trace: false), ${simd ? 'SIMD' : 'scalar'} build`, () => {
    let core;
    before(async () => {
      core = await loadAttention({ simd });
    });

    test('equals the float64 reference for every option', () => {
      let seed = 500;
      for (const [n, dModel, heads] of [
        [1, 8, 1],
        [13, 32, 4],
        [65, 64, 2],
      ]) {
        for (const positional of POSITIONAL) {
          for (const causal of [false, true]) {
            const p = makeParams(n, dModel, heads, seed++, { positional, causal, temperature: 0.7 });
            const t = core.attention({ ...p, trace: false });
            assert.deepEqual(Object.keys(t).sort(), ['dHead', 'dModel', 'heads', 'n', 'output']);
            assertClose(t.output, referenceAttention(p).output, `n=${n} ${positional} causal=${causal}`);
          }
        }
      }
    });

    test('runs where a trace is refused, in O(n·d) memory', () => {
      const p = makeParams(6000, 64, 4, 1, { causal: true, trace: false });
      assert.throws(() => core.attention({ ...p, trace: true }), /n must be between 1 and 4096/);
      const before = core.memoryStats().heapBytes;
      const { output } = core.attention(p);
      assert.equal(output.length, 6000 * 64);
      assert.ok(output.every(Number.isFinite));
      // Inputs and scratch are a few n·dModel buffers (1.5 MB each); an n×n buffer would be 144 MB.
      assert.ok(core.memoryStats().heapBytes - before < 32 << 20, 'no n×n allocation');
      assert.throws(() => core.attention({ ...p, trace: 'no' }), /trace must be true or false/);
    });
  });
}

describe('JS API masks, padding, cross-attention, entropy and the scaling switch', () => {
  let core;
  before(async () => {
    core = await loadAttention();
  });

  test('custom masks and key padding match the reference; fully masked rows are 0, never NaN', () => {
    const n = 9;
    const mask = new Uint8Array(n * n).map((_, c) => ((c * 7) % 5 !== 0 ? 1 : 0));
    mask.fill(0, 4 * n, 5 * n); // row 4: nothing left
    const keyPadding = Uint8Array.from({ length: n }, (_, j) => (j >= 7 ? 1 : 0));
    for (const causal of [false, true]) {
      const p = makeParams(n, 16, 2, 900, { causal, mask, keyPadding, positional: 'alibi' });
      const t = core.attention(p);
      const r = referenceAttention(p);
      for (let h = 0; h < 2; h++) {
        assertClose(t.weights(h), r.weights[h], `weights(${h}) causal=${causal}`);
        assertClose(t.entropy(h), r.entropy[h], `entropy(${h})`);
        assert.ok(
          t
            .weights(h)
            .subarray(4 * n, 5 * n)
            .every((w) => w === 0),
          'fully masked row is 0',
        );
        assert.equal(t.entropy(h)[4], 0);
      }
      assertClose(t.output, r.output, 'output');
      assert.ok(t.output.every(Number.isFinite));
    }
    const p = makeParams(n, 16, 2, 1);
    assert.throws(
      () => core.attention({ ...p, mask: new Uint8Array(80) }),
      /mask must hold n·nKv = 9·9 = 81 values, got 80/,
    );
    assert.throws(() => core.attention({ ...p, mask: new Uint8Array(81).fill(2) }), /only 0 and 1, got 2 at index 0/);
    assert.throws(() => core.attention({ ...p, keyPadding: 'none' }), /keyPadding must be a Uint8Array/);
    assert.throws(() => core.attention({ ...p, mask, trace: false }), /needs a full trace/);
  });

  test('cross-attention gives n × nKv maps that match the reference', () => {
    const q = makeParams(4, 16, 2, 70);
    const xKv = randomArray(11 * 16, 71);
    for (const positional of POSITIONAL) {
      const p = { ...q, xKv, nKv: 11, positional };
      const t = core.attention(p);
      const r = referenceAttention(p);
      assert.equal(t.nKv, 11);
      assert.equal(t.xKv.length, 11 * 16);
      assert.equal(t.weights(1).length, 4 * 11);
      assert.equal(t.k(0).length, 11 * 8);
      for (let h = 0; h < 2; h++) assertClose(t.weights(h), r.weights[h], `${positional} weights(${h})`);
      assertClose(t.output, r.output, `${positional} output`);
    }
    assert.equal(core.attention(q).xKv, null);
    assert.throws(
      () => core.attention({ ...q, xKv, nKv: 10 }),
      /xKv must hold nKv·dModel = 10·16 = 160 values, got 176/,
    );
    assert.throws(() => core.attention({ ...q, xKv }), /nKv must be an integer/);
  });

  test('without √d_head scaling, rows collapse toward one-hot', () => {
    const p = makeParams(16, 256, 2, 5);
    const mean = (t) => [0, 1].reduce((s, h) => s + t.entropy(h).reduce((a, b) => a + b, 0), 0) / 32;
    const scaled = core.attention(p),
      unscaled = core.attention({ ...p, scale: false });
    assertClose(unscaled.weights(0), referenceAttention({ ...p, scale: false }).weights[0], 'unscaled weights');
    assert.ok(mean(unscaled) < mean(scaled) * 0.5, `entropy ${mean(unscaled)} vs ${mean(scaled)}`);
    assert.throws(() => core.attention({ ...p, scale: 0 }), /scale must be true or false/);
  });
});

describe('JS API positional tables', () => {
  let core;
  before(async () => {
    core = await loadAttention();
  });
  test('positionalTable: PE is what a sinusoidal pass adds to X; bad arguments are refused', () => {
    const p = makeParams(5, 8, 2, 3, { positional: 'sinusoidal' });
    const t = core.attention(p);
    const pe = core.positionalTable('sinusoidal', 5, 8);
    assert.deepEqual(
      t.x,
      p.x.map((v, i) => v + pe[i]),
    );
    const angles = core.positionalTable('rope', 5, 4);
    assert.equal(angles.length, 5 * 2);
    assert.equal(angles[2 * 3], 3, 'pair 0 of position 3 turns by 3 radians');
    assert.throws(() => core.positionalTable('alibi', 5, 8), /'sinusoidal' or 'rope'/);
    assert.throws(() => core.positionalTable('rope', 5, 3), /even/);
    assert.throws(() => core.positionalTable('sinusoidal', 0, 8), /rows/);
    assert.throws(() => core.alibiSlopes(0), /heads/);
    assert.deepEqual([...core.alibiSlopes(2)], [2 ** -4, 2 ** -8]);
  });
});

describe('JS API unmaskedScores and into (one pass for the page, reused memory)', () => {
  let core;
  before(async () => {
    core = await loadAttention();
  });

  test('unmaskedScores: the same values as separate passes without scaling or masks', () => {
    for (const positional of POSITIONAL) {
      for (const causal of [false, true]) {
        const p = makeParams(7, 16, 2, 80, { positional, temperature: 0.7 });
        const mask = new Uint8Array(49).fill(1);
        mask[3] = 0;
        const t = core.attention({ ...p, causal, mask, unmaskedScores: true });
        // ALiBi only biases the scores: without the bias, the products are those of no encoding.
        const unbiased = positional === 'alibi' ? 'none' : positional;
        const raw = core.attention({ ...p, positional: unbiased, scale: false, temperature: 1 });
        const scaled = core.attention({ ...p, positional: unbiased });
        const unmasked = core.attention(p);
        const plain = core.attention({ ...p, causal, mask });
        const slopes = core.alibiSlopes(2);
        for (let h = 0; h < 2; h++) {
          const what = `${positional} causal=${causal} head ${h}`;
          assert.deepEqual(t.rawScores(h), raw.scores(h), `${what}: rawScores`);
          assert.deepEqual(t.scaledScores(h), scaled.scores(h), `${what}: scaledScores`);
          assert.deepEqual(t.unmaskedScores(h), unmasked.scores(h), `${what}: unmaskedScores`);
          if (positional === 'alibi') {
            // unmasked = scaled − m_h·|i − j| in float32, as the pass computes it.
            const want = t
              .scaledScores(h)
              .map((s, c) => s - Math.fround(slopes[h] * Math.abs(Math.floor(c / 7) - (c % 7))));
            assert.deepEqual(t.unmaskedScores(h), want, `${what}: the ALiBi bias is the only difference`);
          }
          assert.deepEqual(t.scores(h), plain.scores(h), `${what}: scores unchanged`);
          assert.deepEqual(t.weights(h), plain.weights(h), `${what}: weights unchanged`);
        }
        assert.deepEqual(t.output, plain.output);
        assert.equal(plain.rawScores, null);
        assert.equal(plain.scaledScores, null);
        assert.equal(plain.unmaskedScores, null);
        if (positional === 'rope') {
          assert.equal(t.qUnrotated.length, 7 * 16);
          assert.equal(t.kUnrotated.length, 7 * 16);
        } else assert.equal(t.qUnrotated, null);
      }
    }
    const p = makeParams(3, 8, 2, 1);
    assert.throws(() => core.attention({ ...p, unmaskedScores: 1 }), /unmaskedScores must be true or false/);
    assert.throws(() => core.attention({ ...p, trace: false, unmaskedScores: true }), /needs a full trace/);
  });

  test("into: a later call fills an earlier trace's memory; a smaller or detached one is replaced", () => {
    const a = makeParams(9, 16, 2, 90),
      b = makeParams(9, 16, 2, 91);
    const first = core.attention(a);
    const wantB = core.attention(b);
    const buffer = first.output.buffer;
    const second = core.attention(b, { into: first });
    assert.equal(second.output.buffer, buffer, 'the same memory');
    assert.deepEqual(second.output, wantB.output);
    assert.deepEqual(first.weights(1), wantB.weights(1), 'the earlier trace now shows the new values');
    assert.deepEqual(core.attention(a, { into: second }).weights(0), core.attention(a).weights(0));
    // Larger than the earlier trace: a new buffer; the earlier one is untouched.
    const big = core.attention(makeParams(12, 16, 2, 92), { into: wantB });
    assert.notEqual(big.output.buffer, wantB.output.buffer);
    assert.deepEqual(wantB.output, core.attention(b).output);
    // Detached (transferred to another thread): a new buffer.
    structuredClone(wantB.output.buffer, { transfer: [wantB.output.buffer] });
    assert.deepEqual(core.attention(b, { into: wantB }).output, core.attention(b).output);
    assert.throws(() => core.attention(a, { into: {} }), /into must be a trace returned by attention\(\)/);
    assert.throws(() => core.attention(a, { into: core.attention({ ...a, trace: false }) }), /into must be a trace/);
  });
});

test('loads from a given factory and wasm bytes (what a single-file bundle does)', async () => {
  const { readFile } = await import('node:fs/promises');
  const wasmUrl = new URL('../../web/lib/wasm/attention_core_scalar.wasm', import.meta.url);
  const { default: factory } = await import(new URL('../../web/lib/wasm/attention_core_scalar.js', import.meta.url));
  const core = await loadAttention({ simd: false, factory, wasmBinary: await readFile(wasmUrl) });
  assert.equal(core.buildInfo.simd, false);
  assert.notEqual(core, await loadAttention({ simd: false }), 'a bundle gets its own instance');
  const p = makeParams(3, 8, 2, 1);
  assertClose(core.attention(p).output, referenceAttention(p).output, 'output');
  await assert.rejects(
    loadAttention({ simd: false, factory, wasmBinary: new Uint8Array([0, 97, 115, 109, 9, 9]) }),
    /WebAssembly|magic|version/i,
  );
});
