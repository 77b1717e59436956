// The training benchmark's page script: our engine's bench module and tfjs (wasm backend, one
// thread) in Chromium; window.runTrainBench(options) runs bench/train/suite.mjs and returns its
// results to bench/train/run.mjs.
import { loadEngine } from './engine.mjs';
import { SIZES } from './sizes.mjs';
import { runTrainSuite, setUpTf } from './suite.mjs';

const { tf } = globalThis; // the UMD bundles in index.html

const logElement = document.getElementById('log');
function log(line) {
  logElement.textContent += `${line}\n`;
  globalThis.benchLog?.(line); // exposed by the driver
}

globalThis.runTrainBench = async ({ sizes = ['a', 'b'], minMs = 4000, time = true, profileReps = 3 } = {}) => {
  const versions = await setUpTf(tf, tf.wasm, '/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  const engine = await loadEngine();
  const results = runTrainSuite({
    tf,
    engine,
    sizes: SIZES.filter((s) => sizes.includes(s.id)),
    minMs,
    time,
    profileReps,
    log,
  });
  return { env: 'chromium', versions: { ...versions, userAgent: navigator.userAgent }, ...results };
};
globalThis.benchReady = true;
