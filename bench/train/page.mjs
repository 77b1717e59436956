// The training benchmark's page script: our engine's bench module and tfjs (wasm backend, one
// thread) in Chromium, driven step by step from bench/train/run.mjs through window.trainBench:
//   await trainBench.setUp('a')    → { versions, agreement } and two runners for that size
//   trainBench.run('ours' | 'tfjs', n) → the ms n steps took
//   trainBench.profile(reps)       → our op profile of one step
import { loadEngine } from './engine.mjs';
import { SIZES } from './sizes.mjs';
import { agreement, oursRunner, setUpTf, tfRunner } from './suite.mjs';

const { tf } = globalThis; // the UMD bundles in index.html

const logElement = document.getElementById('log');
function log(line) {
  logElement.textContent += `${line}\n`;
  globalThis.benchLog?.(line); // exposed by the driver
}

let versions = null;
let runners = {};
// Two instances of the module: one trains (ours), one feeds the TF.js twin its weights and batches.
let engines = null;

globalThis.trainBench = {
  async setUp(id) {
    const size = SIZES.find((s) => s.id === id);
    if (!size) throw new Error(`unknown size ${id}`);
    versions ??= {
      ...(await setUpTf(tf, tf.wasm, '/node_modules/@tensorflow/tfjs-backend-wasm/dist/')),
      userAgent: navigator.userAgent,
    };
    engines ??= [await loadEngine(), await loadEngine()];
    for (const r of Object.values(runners)) r.dispose();
    const agree = agreement({ tf, engine: engines[0], size });
    log(`  Chromium: ${agree.parameters} parameters; ${agree.ok ? 'agree' : `DISAGREE: ${agree.problems.join('; ')}`}`);
    runners = agree.ok
      ? { ours: oursRunner({ engine: engines[0], size }), tfjs: tfRunner({ tf, engine: engines[1], size }) }
      : {};
    return { versions, agreement: agree };
  },
  run: (part, n) => runners[part].run(n),
  profile: (reps) => runners.ours.profile(reps),
};
globalThis.benchReady = true;
