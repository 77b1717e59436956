// Our training engine in wasm for the benchmark: build/train-bench/train_bench.{mjs,wasm} (made by
// bench/train/build.sh from bench/native/bench_train_speed.cpp and the SIMD128 core), wrapped in a
// small JS API. The same code loads in Node (the wasm bytes read from disk) and in Chromium
// (fetched from the benchmark's static server).
//
//   const engine = await loadEngine();
//   engine.create(size);           // a fresh Trainer (bench/train/sizes.mjs); throws what is wrong
//   engine.layout();               // { vocab, context, …, tensors: [{ name, offset, rows, cols, decay }] }
//   engine.params();               // Float32Array (parameter count): a copy of the current weights
//   engine.nextBatch();            // { ids, targets: Int32Array, mask: Float32Array } (batch·context),
//                                  //   the k-th call gives the batch of the trainer's step k
//   engine.step(n);                // n Trainer steps; the last loss
//   engine.gradNorm();             // the last step's gradient norm, before clipping
//   engine.profile(reps);          // { stepMs, ops: { gemmForward, … } } one step's ops timed alone
import { LEARNING_RATE, SEED } from './sizes.mjs';

const isNode = typeof process === 'object' && process.versions?.node !== undefined;

export async function loadEngine() {
  const url = new URL('../../build/train-bench/train_bench.mjs', import.meta.url);
  const { default: factory } = await import(url.href);
  const options = {};
  if (isNode) {
    const { readFile } = await import('node:fs/promises');
    options.wasmBinary = await readFile(new URL('train_bench.wasm', url));
  }
  const m = await factory(options);
  // Views are taken after each call (memory growth detaches the old ones) and copied.
  const text = (ptr) => {
    const bytes = m.HEAPU8;
    let end = ptr;
    while (bytes[end] !== 0) end++;
    return new TextDecoder().decode(bytes.slice(ptr, end));
  };
  const floats = (ptr, n) => m.HEAPF32.slice(ptr >> 2, (ptr >> 2) + n);
  const ints = (ptr, n) => m.HEAP32.slice(ptr >> 2, (ptr >> 2) + n);
  let size = null;
  return {
    create(s) {
      const error = text(m._tb_create(s.layers, s.heads, s.dModel, s.context, s.batch, 1, SEED, LEARNING_RATE));
      if (error) throw new Error(`our trainer: ${error}`);
      size = s;
    },
    layout: () => JSON.parse(text(m._tb_layout_json())),
    parameterCount: () => m._tb_param_count(),
    params: () => floats(m._tb_params(), m._tb_param_count()),
    nextBatch() {
      m._tb_next_batch();
      const n = size.batch * size.context;
      return {
        ids: ints(m._tb_batch_ids(), n),
        targets: ints(m._tb_batch_targets(), n),
        mask: floats(m._tb_batch_mask(), n),
      };
    },
    step: (n = 1) => m._tb_step(n),
    gradNorm: () => m._tb_grad_norm(),
    profile: (reps = 5) => JSON.parse(text(m._tb_profile(reps))),
  };
}
