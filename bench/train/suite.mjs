// The training benchmark's pieces that run the same in Node and in Chromium: tfjs's set-up, the
// agreement of the TF.js model with ours (parameter count, first losses and gradient norms from our
// initial weights on our batches), and runners that time n steps of ours (wasm) or of TF.js.
// bench/train/run.mjs calls the runners in turns with the native one (see there).
import { createTfModel } from './tf-model.mjs';

/** tfjs on its wasm backend, single-threaded (ours is), the SIMD build. */
export async function setUpTf(tf, tfWasm, wasmPaths) {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  tfWasm.setThreadsCount(1);
  tfWasm.setWasmPaths(wasmPaths);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not initialise');
  await tf.ready();
  return {
    tfjs: tf.version_core,
    tfjsWasm: tfWasm.version_wasm,
    tfjsSimd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
    tfjsThreads: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
  };
}

// How far apart the two models may be (float32, different summation orders): the loss of the first
// batch at our initial weights, the gradient norm of that step (relative), and the losses of the
// next two steps, after an AdamW update of each. Measured: ≤ 5e-7 on every loss, ≤ 3e-5 on the
// norm (both sizes); leaving out the weight decay moves the later losses by 6e-6, ε 1e-6 instead of
// 1e-8 by 6e-5, RoPE base 5000 instead of 10000 the first loss by 8e-4, RMSNorm's ε 1e-3 by 3e-4.
export const TOLERANCE = Object.freeze({ firstLoss: 1e-4, gradNorm: 1e-3, laterLoss: 2e-6 });

/**
 * Ours and TF.js from the same initial weights on the same batches, `steps` steps: the losses and
 * gradient norms side by side and whether they agree (TOLERANCE). Throws if the models' parameter
 * counts differ.
 */
export function agreement({ tf, engine, size, steps = 3 }) {
  engine.create(size);
  const layout = engine.layout();
  const model = createTfModel(tf, layout, engine.params());
  try {
    if (model.parameterCount !== engine.parameterCount())
      throw new Error(`parameter counts differ: ours ${engine.parameterCount()}, tfjs ${model.parameterCount}`);
    const rows = [];
    for (let s = 0; s < steps; s++) {
      const batch = engine.nextBatch();
      const tfStep = model.step(batch);
      const loss = engine.step(1);
      rows.push({ step: s, ours: { loss, gradNorm: engine.gradNorm() }, tfjs: tfStep });
    }
    const problems = [];
    rows.forEach(({ step, ours, tfjs }) => {
      const dl = Math.abs(ours.loss - tfjs.loss);
      const limit = step === 0 ? TOLERANCE.firstLoss : TOLERANCE.laterLoss;
      if (!(dl <= limit))
        problems.push(`step ${step}: loss ours ${ours.loss} vs tfjs ${tfjs.loss} (|Δ| ${dl} > ${limit})`);
      const dg = Math.abs(ours.gradNorm - tfjs.gradNorm) / ours.gradNorm;
      if (step === 0 && !(dg <= TOLERANCE.gradNorm))
        problems.push(`step 0: gradient norm ours ${ours.gradNorm} vs tfjs ${tfjs.gradNorm} (relative ${dg})`);
    });
    return { size: size.id, parameters: model.parameterCount, rows, problems, ok: problems.length === 0 };
  } finally {
    model.dispose();
  }
}

const now = () => performance.now();

/** Our trainer (wasm) for timing: run(n) does n steps and returns the milliseconds they took. */
export function oursRunner({ engine, size }) {
  engine.create(size);
  return {
    run(n) {
      const t0 = now();
      engine.step(n);
      return now() - t0;
    },
    profile: (reps) => engine.profile(reps),
    dispose() {},
  };
}

/**
 * The TF.js twin for timing, from our initial weights: run(n) does n steps on the next n batches of
 * our training stream (taken out of our engine before the clock starts) and returns the ms.
 */
export function tfRunner({ tf, engine, size }) {
  engine.create(size);
  const model = createTfModel(tf, engine.layout(), engine.params());
  return {
    run(n) {
      const batches = Array.from({ length: n }, () => engine.nextBatch());
      const t0 = now();
      for (const b of batches) model.step(b);
      return now() - t0;
    },
    dispose: () => model.dispose(),
  };
}
