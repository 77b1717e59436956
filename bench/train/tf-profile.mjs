// Where TF.js's training step goes (bench/NOTES.md cites it): tf.profile of one step of the TF.js
// twin (after three warm-up steps) in Node, kernel times summed by kernel and, for BatchMatMul, by
// input shapes. No timing target; a look, not a benchmark.
//   node bench/train/tf-profile.mjs [a|b]
import * as tf from '@tensorflow/tfjs';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import { fileURLToPath } from 'node:url';
import { loadEngine } from './engine.mjs';
import { SIZES } from './sizes.mjs';
import { setUpTf } from './suite.mjs';
import { createTfModel } from './tf-model.mjs';

const size = SIZES.find((s) => s.id === (process.argv[2] ?? 'a'));
if (!size) throw new Error('the size is a or b');
await setUpTf(
  tf,
  tfWasm,
  fileURLToPath(new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url)),
);
const engine = await loadEngine();
engine.create(size);
const model = createTfModel(tf, engine.layout(), engine.params());
for (let i = 0; i < 3; i++) model.step(engine.nextBatch());
const batch = engine.nextBatch();
const info = await tf.profile(() => {
  model.step(batch);
});
const byKernel = new Map();
for (const k of info.kernels) {
  const key = k.name === 'BatchMatMul' ? `BatchMatMul ${JSON.stringify(k.inputShapes)}` : k.name;
  byKernel.set(key, (byKernel.get(key) ?? 0) + (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0));
}
const total = [...byKernel.values()].reduce((a, b) => a + b, 0);
console.log(`one step, ${size.id}: ${total.toFixed(1)} ms in kernels`);
for (const [k, ms] of [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 16))
  console.log(`${ms.toFixed(1).padStart(8)} ms ${((100 * ms) / total).toFixed(0).padStart(3)} %  ${k}`);
model.dispose();
