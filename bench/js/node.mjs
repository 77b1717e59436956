// Loads every implementation under Node (our wasm cores from web/lib/wasm, onnxruntime-web and
// tfjs-backend-wasm from node_modules, all single-threaded) and runs the suite.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadAttention } from '../../web/lib/attention.js';
import { setUpImpls } from './impls.mjs';
import { nodeCpuClock } from './common.mjs';
import { runSuite } from './suite.mjs';

const ROOT = new URL('../../', import.meta.url);

export async function loadNodeImpls() {
  const [simd, scalar] = await Promise.all([loadAttention({ simd: true }), loadAttention({ simd: false })]);
  return setUpImpls({
    cores: { simd, scalar },
    ort: await import('onnxruntime-web'),
    ortWasmPaths: new URL('node_modules/onnxruntime-web/dist/', ROOT).href,
    tf: await import('@tensorflow/tfjs-core'),
    tfWasm: await import('@tensorflow/tfjs-backend-wasm'),
    tfWasmPaths: fileURLToPath(new URL('node_modules/@tensorflow/tfjs-backend-wasm/dist/', ROOT)),
    versions: { node: process.versions.node, v8: process.versions.v8, execArgv: process.execArgv },
  });
}

// A core instantiated anew (not the shared, cached one), for the peak-memory measurement.
export async function loadFreshCore() {
  const wasmBinary = await readFile(new URL('web/lib/wasm/attention_core.wasm', ROOT));
  return loadAttention({ simd: true, wasmBinary });
}

// clock: 'wall' (performance.now(), the default) or 'cpu' (process CPU time; it also counts V8's
// background threads, e.g. the optimising wasm compiler, so it is not the default).
export async function runNode({ time = true, quick = false, log = console.log, only, clock = 'wall' } = {}) {
  const impls = await loadNodeImpls();
  const cpuClock = clock === 'cpu' ? nodeCpuClock() : null;
  const results = await runSuite({ impls, time, quick, loadFreshCore, log, only, cpuClock });
  return { env: 'node', versions: impls.versions, ...results };
}
