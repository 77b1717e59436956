// Loads every implementation under Node (our wasm cores from web/lib/wasm, onnxruntime-web and
// tfjs-backend-wasm from node_modules, all single-threaded) and runs the suite.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadAttention } from '../../web/lib/attention.js';
import { naiveJs, onnxRuntime, ours, tensorflow } from './impls.mjs';
import { nodeCpuClock } from './common.mjs';
import { runSuite } from './suite.mjs';

const ROOT = new URL('../../', import.meta.url);

export async function loadNodeImpls() {
  const [simdCore, scalarCore] = await Promise.all([loadAttention({ simd: true }), loadAttention({ simd: false })]);

  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmPaths = new URL('node_modules/onnxruntime-web/dist/', ROOT).href;
  ort.env.logLevel = 'error';

  const tf = await import('@tensorflow/tfjs-core');
  const tfWasm = await import('@tensorflow/tfjs-backend-wasm');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);  // the single-threaded SIMD build
  tfWasm.setThreadsCount(1);
  tfWasm.setWasmPaths(fileURLToPath(new URL('node_modules/@tensorflow/tfjs-backend-wasm/dist/', ROOT)));
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not initialise');
  await tf.ready();

  const makeOurs = (core) => ours(core, { id: 'simd', label: 'ours (SIMD wasm)' });
  return {
    naiveJs: naiveJs(),
    scalar: ours(scalarCore, { id: 'scalar', label: 'ours (scalar wasm)' }),
    simd: makeOurs(simdCore),
    makeOurs,
    traceCore: simdCore,
    ort: Object.fromEntries(['mha', 'onnx23', 'graph'].map((f) => [f, onnxRuntime(ort, { formulation: f })])),
    tfjs: Object.fromEntries(['per-head', 'batched'].map((f) => [f, tensorflow(tf, { formulation: f })])),
    versions: {
      node: process.versions.node, v8: process.versions.v8,
      ort: ort.env.versions?.web, tfjs: tf.version_core, tfjsWasm: tfWasm.version_wasm,
      ours: simdCore.buildInfo, oursScalar: scalarCore.buildInfo,
      tfjsSimd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
      tfjsThreads: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
    },
  };
}

// A core instantiated anew (not the shared, cached one), for the peak-memory measurement.
export async function loadFreshCore() {
  const wasmBinary = await readFile(new URL('web/lib/wasm/attention_core.wasm', ROOT));
  return loadAttention({ simd: true, wasmBinary });
}

// clock: 'cpu' (process CPU time, for a shared machine) or 'wall'.
export async function runNode({ time = true, quick = false, log = console.log, only, clock = 'cpu' } = {}) {
  const impls = await loadNodeImpls();
  const cpuClock = clock === 'cpu' ? nodeCpuClock() : null;
  const results = await runSuite({ impls, time, quick, loadFreshCore, log, only, cpuClock });
  return { env: 'node', versions: impls.versions, ...results };
}
