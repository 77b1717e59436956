// The benchmark page's script: loads every implementation in the browser (our wasm cores from
// /web/lib, onnxruntime-web and tfjs-backend-wasm from /node_modules, all single-threaded) and
// exposes window.runBench(options) → results, which bench/js/browser-run.mjs calls.
import * as ort from '/node_modules/onnxruntime-web/dist/ort.wasm.min.mjs';
import { loadAttention } from '/web/lib/attention.js';
import { setUpImpls } from './impls.mjs';
import { runSuite } from './suite.mjs';

const { tf } = globalThis; // the UMD bundles in index.html

async function loadImpls() {
  const [simd, scalar] = await Promise.all([loadAttention({ simd: true }), loadAttention({ simd: false })]);
  return setUpImpls({
    cores: { simd, scalar },
    ort,
    ortWasmPaths: '/node_modules/onnxruntime-web/dist/',
    tf,
    tfWasm: tf.wasm,
    tfWasmPaths: '/node_modules/@tensorflow/tfjs-backend-wasm/dist/',
    versions: { userAgent: navigator.userAgent, crossOriginIsolated: globalThis.crossOriginIsolated },
  });
}

async function loadFreshCore() {
  const wasmBinary = await (await fetch('/web/lib/wasm/attention_core.wasm')).arrayBuffer();
  return loadAttention({ simd: true, wasmBinary });
}

const logElement = document.getElementById('log');
function log(line) {
  logElement.textContent += `${line}\n`;
  globalThis.benchLog?.(line); // exposed by the driver
}

// The CPU time of this (main) thread, read by the driver over the DevTools protocol
// (globalThis.benchCpuNow, exposed by bench/js/browser-run.mjs). A read costs about a millisecond
// of this thread's time; that overhead is measured here and subtracted from every sample.
async function cpuClock() {
  if (typeof globalThis.benchCpuNow !== 'function') return null;
  const now = () => globalThis.benchCpuNow();
  const overheads = [];
  for (let i = 0; i < 15; i++) {
    const a = await now();
    overheads.push((await now()) - a);
  }
  overheads.sort((a, b) => a - b);
  return { now, overheadMs: overheads[7] };
}

globalThis.runBench = async ({ time = true, quick = false, only = null, clock = 'wall' } = {}) => {
  const impls = await loadImpls();
  const filter = only ? (s) => only.some((o) => o.n === s.n && o.heads === s.heads) : undefined;
  const clockInfo = clock === 'cpu' ? await cpuClock() : null;
  // Samples of ≥ 30 ms, so the clock reads' cost (≈ 1 ms, subtracted) stays small beside them.
  const results = await runSuite({
    impls,
    time,
    quick,
    loadFreshCore,
    log,
    only: filter,
    cpuClock: clockInfo,
    minSampleMs: clockInfo ? 30 : 5,
  });
  impls.versions.cpuClockOverheadMs = clockInfo?.overheadMs ?? null;
  return { env: 'chromium', versions: impls.versions, ...results };
};
globalThis.benchReady = true;
