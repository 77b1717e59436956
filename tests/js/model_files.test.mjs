// Tests of the tests' own GGUF writer (tests/js/model_files.mjs) where it encodes stored types: the F16
// conversion at known values and ties, the Q8_0 quantizer's blocks, and files of F16 and Q8_0 matrices
// that our runtime reads to the float64 reference over the values the file stores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel } from '../../web/lib/model.js';
import { toHalf, fromHalf, encodeTensor, writeModel, referenceForward, vocabFromSpec } from './model_files.mjs';

test('toHalf: known values, ties to even, subnormals, overflow', () => {
  const cases = [
    [1, 0x3c00],
    [-2, 0xc000],
    [0.1, 0x2e66],
    [65504, 0x7bff],
    [65520, 0x7c00], // halfway to the next step past the largest half: rounds to infinity
    [1e6, 0x7c00],
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // half of it: a tie, to even (0)
    [3 * 2 ** -25, 0x0002], // 1.5 steps: a tie, to even (2)
    [2 ** -14, 0x0400], // smallest normal
    [1 + 2 ** -11, 0x3c00], // a tie between 1 and 1 + 2^-10: to even
    [1 + 3 * 2 ** -11, 0x3c02], // a tie between 1 + 2^-10 and 1 + 2^-9: to even
    [0, 0],
    [-0, 0x8000],
    [Infinity, 0x7c00],
  ];
  for (const [v, bits] of cases) assert.equal(toHalf(v), bits, `toHalf(${v})`);
  assert.ok(Number.isNaN(fromHalf(toHalf(NaN))));
  // Every finite half survives the round trip.
  for (let h = 0; h < 0x10000; h++) if ((h & 0x7c00) !== 0x7c00) assert.equal(toHalf(fromHalf(h)), h);
});

test('encodeTensor q8_0: one scale per 32 values, the largest at ±127, round to nearest', () => {
  const data = new Float32Array(64);
  for (let i = 0; i < 32; i++) data[i] = (i - 16) / 16; // amax 1: d = 1/127
  data[40] = -3; // the second block's amax, negative
  data[41] = 1.5 * (3 / 127); // 1.5 steps: ties away from zero → 2
  const { bytes, values } = encodeTensor(data, 'q8_0');
  assert.equal(bytes.length, 2 * 34);
  const view = new DataView(bytes.buffer);
  assert.equal(view.getUint16(0, true), toHalf(1 / 127));
  assert.equal(view.getInt8(2 + 0), -127);
  assert.equal(view.getInt8(2 + 8), -64); // −0.5 · 127 = −63.5: away from zero
  assert.equal(view.getInt8(34 + 2 + 8), -127);
  assert.equal(view.getInt8(34 + 2 + 9), 2);
  assert.equal(view.getInt8(34 + 2 + 10), 0);
  // values: what the file holds, the f16 scale times q.
  assert.equal(values[40], fromHalf(toHalf(3 / 127)) * -127);
  for (let i = 0; i < 64; i++) assert.ok(Math.abs(values[i] - data[i]) <= (i < 32 ? 1 : 3) / 127 / 2 + 1e-3);
  assert.throws(() => encodeTensor(new Float32Array(33), 'q8_0'), /multiple of 32/);
});

for (const type of ['f16', 'q8_0']) {
  test(`a ${type} file: our runtime reads it to the reference over the stored values`, async () => {
    const spec = { arch: 'llama', d: 64, ff: 64, heads: 4, kvHeads: 2, type, seed: 5 };
    const { bytes, ref } = writeModel(spec);
    const f32 = writeModel({ ...spec, type: 'f32' });
    assert.ok(bytes.length < f32.bytes.length * (type === 'f16' ? 0.6 : 0.35), 'the matrices are stored small');
    const model = await loadModel(bytes);
    try {
      assert.match(model.info.tensorTypes, type === 'f16' ? /F16/ : /Q8_0/);
      const ids = model.tokenize('Once upon a time');
      const got = model.forward(ids).logits(ids.length - 1);
      const want = referenceForward(ref, Array.from(ids)).logits[ids.length - 1];
      const exact = referenceForward(f32.ref, Array.from(ids)).logits[ids.length - 1];
      let err = 0,
        quantErr = 0;
      for (let i = 0; i < want.length; i++) {
        err = Math.max(err, Math.abs(got[i] - want[i]));
        quantErr = Math.max(quantErr, Math.abs(want[i] - exact[i]));
      }
      assert.ok(err < 1e-4, `ours vs the reference on the stored values: ${err}`);
      // The stored type did round the weights (the reference of the F32 file is elsewhere).
      assert.ok(quantErr > 10 * err, `rounding moved the logits by ${quantErr}`);
    } finally {
      model.dispose();
    }
  });
}

test('vocabFromSpec letters: exactly the size asked, byte tokens 0x00–0x7F only', () => {
  const v = vocabFromSpec({ kind: 'letters', size: 4096 });
  assert.equal(v.tokens.length, 4096);
  assert.equal(new Set(v.tokens).size, 4096);
  assert.ok(v.tokens.includes('<0x7F>') && !v.tokens.includes('<0x80>'));
  assert.throws(() => vocabFromSpec({ kind: 'letters', size: 100 }), /holds/);
});
