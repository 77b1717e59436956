// The training benchmark's suite, the same in Node and in Chromium: for each size, the agreement
// of the TF.js model with ours (parameter count, first losses and gradient norms from our initial
// weights on our batches), then steps per second of ours (wasm) and of TF.js, and our op profile.
import { createTfModel } from './tf-model.mjs';
import { sizeLabel } from './sizes.mjs';

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

// How far apart the two models may be after the first step (float32, different summation orders):
// the loss of the first batch at our initial weights, the gradient norm of that step (relative),
// and the losses of the next steps (after AdamW updates of both).
export const TOLERANCE = Object.freeze({ firstLoss: 1e-4, gradNorm: 1e-3, laterLoss: 2e-3 });

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

// Steps per second of run(n) (n steps): two warm-up steps, then chunks (doubling while a chunk
// takes < 300 ms) until minMs have passed and at least 3 chunks ran; the median chunk's rate and
// the best. prepare(n), when given, runs outside the clock before each chunk.
function measure(run, { minMs, prepare = () => {} }) {
  prepare(2);
  run(2);
  const rates = [];
  let spent = 0,
    steps = 0,
    chunk = 1;
  while (spent < minMs || rates.length < 3) {
    prepare(chunk);
    const t0 = now();
    run(chunk);
    const dt = now() - t0;
    spent += dt;
    steps += chunk;
    rates.push((chunk * 1000) / dt);
    if (dt < 300) chunk *= 2;
  }
  rates.sort((a, b) => a - b);
  return { stepsPerSecond: rates[rates.length >> 1], best: rates[rates.length - 1], steps, ms: spent };
}

export function timeOurs({ engine, size, minMs }) {
  engine.create(size);
  return measure((n) => engine.step(n), { minMs });
}

export function timeTf({ tf, engine, size, minMs }) {
  engine.create(size);
  const model = createTfModel(tf, engine.layout(), engine.params());
  let queue = [];
  try {
    return measure(
      (n) => {
        for (let i = 0; i < n; i++) model.step(queue[i]);
      },
      // The batches come out of our engine (its training stream) before the clock starts.
      { minMs, prepare: (n) => (queue = Array.from({ length: n }, () => engine.nextBatch())) },
    );
  } finally {
    model.dispose();
  }
}

/**
 * Every size: agreement, then ours and TF.js timed (time: false skips timing), and our op profile
 * (profileReps > 0). Returns { sizes: [{ size, agreement, ours, tfjs, profile }] }.
 */
export function runTrainSuite({ tf, engine, sizes, minMs = 4000, time = true, profileReps = 3, log = () => {} }) {
  const out = [];
  for (const size of sizes) {
    log(`## ${sizeLabel(size)}`);
    const agree = agreement({ tf, engine, size });
    for (const r of agree.rows)
      log(
        `  step ${r.step}: loss ours ${r.ours.loss.toFixed(6)} tfjs ${r.tfjs.loss.toFixed(6)}, ` +
          `|g| ours ${r.ours.gradNorm.toFixed(5)} tfjs ${r.tfjs.gradNorm.toFixed(5)}`,
      );
    log(`  ${agree.parameters} parameters; ${agree.ok ? 'agree' : `DISAGREE: ${agree.problems.join('; ')}`}`);
    const entry = { size, agreement: agree };
    if (time && agree.ok) {
      entry.ours = timeOurs({ engine, size, minMs });
      log(`  ours (wasm): ${entry.ours.stepsPerSecond.toFixed(3)} steps/s (${entry.ours.steps} steps)`);
      entry.tfjs = timeTf({ tf, engine, size, minMs });
      log(`  tfjs-wasm:   ${entry.tfjs.stepsPerSecond.toFixed(3)} steps/s (${entry.tfjs.steps} steps)`);
      if (profileReps > 0) {
        engine.create(size);
        entry.profile = engine.profile(profileReps);
      }
    }
    out.push(entry);
  }
  return { sizes: out };
}
