// The implementations the benchmark compares, each behind one small interface, so the same suite
// runs them in Node and in the browser:
//
//   impl.attention(shape, inputs) → { run: async () => Float32Array, dispose() }
//   impl.gemm(shape, inputs)      → the same, for C = A·B
//
// run() is what is timed: inputs in, output back as a Float32Array in JS. The libraries (our
// loaded cores, the onnxruntime-web module, the tfjs namespace) are passed in by the caller,
// which knows how to load them in its environment.
import { naiveAttention } from './common.mjs';
import { ATTENTION_MODELS, gemmModel } from './onnx.mjs';

// ---------------------------------------------------------------------------
// Set-up, the same in Node and in the browser: the caller loads the libraries (their paths
// differ) and passes them in; this runs the peers single-threaded and assembles the columns.
//   cores: { simd, scalar } loaded by web/lib/attention.js
//   ort: the onnxruntime-web module, ortWasmPaths: where its .wasm files are served from
//   tf: the tfjs-core namespace, tfWasm: the tfjs-backend-wasm namespace, tfWasmPaths: its .wasm
//   versions: what the environment adds to the versions record (Node's, the user agent, ...)
// ---------------------------------------------------------------------------

export async function setUpImpls({ cores, ort, ortWasmPaths, tf, tfWasm, tfWasmPaths, versions = {} }) {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmPaths = ortWasmPaths;
  ort.env.logLevel = 'error';

  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // the single-threaded SIMD build
  tfWasm.setThreadsCount(1);
  tfWasm.setWasmPaths(tfWasmPaths);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not initialise');
  await tf.ready();

  const makeOurs = (core) => ours(core, { id: 'simd', label: 'ours (SIMD wasm)' });
  return {
    naiveJs: naiveJs(),
    scalar: ours(cores.scalar, { id: 'scalar', label: 'ours (scalar wasm)' }),
    simd: makeOurs(cores.simd),
    makeOurs,
    traceCore: cores.simd,
    ort: Object.fromEntries(['mha', 'onnx23', 'graph'].map((f) => [f, onnxRuntime(ort, { formulation: f })])),
    tfjs: Object.fromEntries(['per-head', 'batched'].map((f) => [f, tensorflow(tf, { formulation: f })])),
    versions: {
      ...versions,
      ort: ort.env.versions?.web,
      tfjs: tf.version_core,
      tfjsWasm: tfWasm.version_wasm,
      ours: cores.simd.buildInfo,
      oursScalar: cores.scalar.buildInfo,
      tfjsSimd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
      tfjsThreads: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
    },
  };
}

// ---------------------------------------------------------------------------
// Naive JS.
// ---------------------------------------------------------------------------

export function naiveJs() {
  return {
    id: 'naiveJs',
    label: 'naive JS',
    attention: (shape, inputs) => ({ run: async () => naiveAttention({ ...shape, ...inputs }), dispose() {} }),
  };
}

// ---------------------------------------------------------------------------
// Ours: web/lib/attention.js (a loaded core, SIMD or scalar build).
// ---------------------------------------------------------------------------

export function ours(core, { id, label }) {
  const impl = {
    id,
    label,
    buildInfo: core.buildInfo,
    attention: ({ n, heads, dHead, causal }, { q, k, v }) => ({
      run: async () => core.scaledDotProductAttention({ q, k, v, n, heads, dHead, causal }),
      dispose() {},
    }),
  };
  if (typeof core.matmul === 'function') {
    // The JS API's GEMM, if the core exports one: matmul({ a, b, m, k, n }) → C.
    impl.gemm = ({ m, k, n }, { a, b }) => ({ run: async () => core.matmul({ a, b, m, k, n }), dispose() {} });
  }
  return impl;
}

// ---------------------------------------------------------------------------
// onnxruntime-web, wasm backend, one thread. One session per (formulation, heads, causal), with N
// a dynamic dim; sessions are created outside the timing (as an app would, once).
// ---------------------------------------------------------------------------

export function onnxRuntime(ort, { formulation = 'mha' } = {}) {
  const sessions = new Map();
  const options = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
  const session = async (key, bytes) => {
    if (!sessions.has(key)) sessions.set(key, await ort.InferenceSession.create(bytes(), options));
    return sessions.get(key);
  };
  return {
    id: formulation === 'mha' ? 'ort' : `ort-${formulation}`,
    label: `onnxruntime-web (${formulation})`,
    formulation,
    async attention({ n, heads, dHead, causal }, { q, k, v }) {
      const s = await session(`${heads}/${dHead}/${causal}`, () =>
        ATTENTION_MODELS[formulation]({ heads, dHead, causal }),
      );
      const dims = [1, n, heads * dHead];
      const feeds = {
        q: new ort.Tensor('float32', q, dims),
        k: new ort.Tensor('float32', k, dims),
        v: new ort.Tensor('float32', v, dims),
      };
      return {
        run: async () => {
          const { out } = await s.run(feeds);
          const data = out.data;
          out.dispose?.();
          return data;
        },
        dispose() {},
      };
    },
    async gemm({ m, k, n }, { a, b }) {
      const s = await ort.InferenceSession.create(gemmModel({ k, n }, b), options);
      const feeds = { a: new ort.Tensor('float32', a, [m, k]) };
      return {
        run: async () => (await s.run(feeds)).c.data,
        dispose() {
          s.release?.();
        },
      };
    },
    async release() {
      for (const s of sessions.values()) await s.release?.();
      sessions.clear();
    },
  };
}

// ---------------------------------------------------------------------------
// TensorFlow.js, wasm backend (XNNPACK), threads off. Its fast path is a 2-D matMul per head with
// K transposed first: matMul(q, k, false, true) and batched (3-D) matMul fall to a scalar loop in
// tfjs-backend-wasm 4.22 (10× slower). Inputs live as tensors (uploaded once, outside the timing);
// run() reads the output back. The causal mask is a constant tensor made once per N.
// ---------------------------------------------------------------------------

export function tensorflow(tf, { formulation = 'per-head' } = {}) {
  return {
    id: formulation === 'per-head' ? 'tfjs' : `tfjs-${formulation}`,
    label: `tfjs-backend-wasm (${formulation})`,
    formulation,
    attention({ n, heads, dHead, causal }, { q, k, v }) {
      const D = heads * dHead;
      const [tq, tk, tv] = [q, k, v].map((x) => tf.tensor2d(x, [n, D]));
      const maskTensor = causal ? causalMask(tf, n) : null;
      const forward =
        formulation === 'per-head'
          ? () =>
              tf.tidy(() => {
                const qs = tf.split(tf.mul(tq, 1 / Math.sqrt(dHead)), heads, 1),
                  ks = tf.split(tk, heads, 1),
                  vs = tf.split(tv, heads, 1);
                const outs = [];
                for (let h = 0; h < heads; h++) {
                  let s = tf.matMul(qs[h], tf.transpose(ks[h])); // (n_query, n_key)
                  if (maskTensor) s = tf.add(s, maskTensor);
                  outs.push(tf.matMul(tf.softmax(s), vs[h])); // softmax over keys
                }
                return heads === 1 ? outs[0] : tf.concat(outs, 1);
              })
          : () =>
              tf.tidy(() => {
                // 'batched': the natural call, (H, n, d) tensors
                const split = (x) => tf.transpose(tf.reshape(x, [n, heads, dHead]), [1, 0, 2]);
                let s = tf.matMul(split(tf.mul(tq, 1 / Math.sqrt(dHead))), split(tk), false, true);
                if (maskTensor) s = tf.add(s, maskTensor);
                const o = tf.matMul(tf.softmax(s), split(tv)); // (H, n, d)
                return tf.reshape(tf.transpose(o, [1, 0, 2]), [n, D]);
              });
      return {
        run: async () => {
          const out = forward();
          const data = out.dataSync();
          out.dispose();
          return data;
        },
        dispose() {
          tf.dispose([tq, tk, tv, ...(maskTensor ? [maskTensor] : [])]);
        },
      };
    },
    gemm({ m, k, n }, { a, b }) {
      const ta = tf.tensor2d(a, [m, k]),
        tb = tf.tensor2d(b, [k, n]);
      return {
        run: async () => {
          const c = tf.matMul(ta, tb);
          const data = c.dataSync();
          c.dispose();
          return data;
        },
        dispose() {
          tf.dispose([ta, tb]);
        },
      };
    },
  };
}

// (n, n): −∞ where j > i, else 0, added to the scores.
function causalMask(tf, n) {
  const values = new Float32Array(n * n);
  for (let i = 0; i < n; i++) values.fill(-Infinity, i * n + i + 1, (i + 1) * n);
  return tf.tensor2d(values, [n, n]);
}
