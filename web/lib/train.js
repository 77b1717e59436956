// The JavaScript API of the training engine (src/train through src/bindings/train_bindings.cpp, in the
// model_core module): a small transformer trained on a toy task, one call at a time.
//
//   import { createTrainer } from './lib/train.js';
//   const trainer = await createTrainer({ task: 'reverse', layers: 1, heads: 2, dModel: 32, seed: 1 });
//   const { loss, accuracy } = trainer.step(10);   // Float32Array (10) each, one value per step
//   trainer.evaluate(64);                          // { loss, accuracy, counted } on held-out sequences
//   trainer.attention();                           // the probe example: { layers, heads, n, ids, labels,
//                                                  //   weights: Float32Array (layers, heads, n, n) }
//   trainer.headScores();                          // every head's template scores and names, as
//                                                  //   model.headScores() (+ "mirror" for reverse)
//   trainer.exportGguf();                          // Uint8Array: a llama GGUF v3 file (loadModel opens it)
//   trainer.dispose();
//
// The calls are synchronous and run where they are called: the page calls them in its Train worker
// (web/page/train/worker.js), Node tests call them directly. Bad options throw an Error saying which
// option is wrong; every array returned is a copy.

import { modelCoreModule, unwrap } from './model.js';

/** The training options, their defaults and ranges (what the page's Train view offers). */
export const TRAIN_OPTIONS = Object.freeze({
  task: { choices: ['copy', 'reverse', 'sort', 'induction', 'brackets'], default: 'copy' },
  length: { min: 2, max: 16, default: 6 },
  symbols: { min: 2, max: 64, default: 8 },
  layers: { min: 1, max: 4, default: 1 },
  heads: { min: 1, max: 8, default: 2 },
  dModel: { min: 2, max: 256, default: 32 },
  mlp: { choices: ['none', 'swiglu', 'gelu'], default: 'none' },
  positions: { choices: ['rope', 'learned'], default: 'rope' },
  learningRate: { above: 0, below: 1, default: 3e-3 },
  seed: { min: 0, max: 999999, default: 1 },
  batch: { min: 1, max: 64, default: 16 },
  warmup: { min: 0, max: 100000, default: 20 },
  totalSteps: { min: 1, max: 1000000, default: 500 },
});

const LOADER_OPTIONS = new Set(['simd', 'baseUrl', 'wasmBinary', 'factory']);

/** The options with defaults filled in; throws an Error naming the first bad or unknown option. */
export function trainOptions(options = {}) {
  if (options === null || typeof options !== 'object') throw new Error('createTrainer() takes an options object');
  for (const key of Object.keys(options)) {
    if (!(key in TRAIN_OPTIONS) && !LOADER_OPTIONS.has(key)) throw new Error(`unknown training option "${key}"`);
  }
  const out = {};
  for (const [key, spec] of Object.entries(TRAIN_OPTIONS)) {
    const value = options[key] === undefined ? spec.default : options[key];
    if (spec.choices) {
      if (!spec.choices.includes(value)) throw new Error(`${key} must be one of ${spec.choices.join(', ')}`);
    } else if (spec.above !== undefined) {
      if (typeof value !== 'number' || !(value > spec.above && value < spec.below))
        throw new Error(`${key} must be a number in (${spec.above}, ${spec.below}), got ${String(value)}`);
    } else if (!Number.isInteger(value) || value < spec.min || value > spec.max) {
      throw new Error(`${key} must be an integer in ${spec.min} … ${spec.max}, got ${String(value)}`);
    }
    out[key] = value;
  }
  if (out.dModel % out.heads !== 0) throw new Error(`dModel (${out.dModel}) must be divisible by heads (${out.heads})`);
  if (out.positions === 'rope' && (out.dModel / out.heads) % 2 !== 0)
    throw new Error(`RoPE needs an even head size (dModel / heads), not ${out.dModel / out.heads}`);
  return out;
}

function readInteger(value, what, min, max) {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${what} must be an integer in ${min} … ${max}, got ${String(value)}`);
  }
  return value;
}

function readCount(value, what, max) {
  return readInteger(value, what, 1, max);
}

/**
 * A fresh trainer: seeded initial weights, the task's training stream and a fixed probe example (the
 * first held-out sequence of the seed). The same options train the same model, bit for bit.
 */
export async function createTrainer(options = {}) {
  const checked = trainOptions(options);
  const loader = {};
  for (const key of LOADER_OPTIONS) if (options[key] !== undefined) loader[key] = options[key];
  const m = await modelCoreModule(loader);
  const runtime = new m.TrainRuntime();
  const message = runtime.create(checked);
  if (message) {
    runtime.delete();
    throw new Error(message);
  }
  return new Trainer(runtime, checked);
}

class Trainer {
  #r;

  constructor(runtime, options) {
    this.#r = runtime;
    this.options = Object.freeze(options);
  }

  #runtime() {
    if (!this.#r) throw new Error('this trainer was disposed');
    return this.#r;
  }

  /** { steps, vocab, context, layers, heads, dModel, parameters, digest } */
  info() {
    return unwrap(this.#runtime().info());
  }

  /** n optimiser steps: { steps (done in all), loss, accuracy (Float32Array (n) each), lr, gradNorm }. */
  step(n = 1) {
    return unwrap(this.#runtime().step(readCount(n, 'steps', 1000)));
  }

  /** Loss and token accuracy on the first `sequences` held-out sequences (the same ones every call). */
  evaluate(sequences = 64) {
    return unwrap(this.#runtime().evaluate(readCount(sequences, 'sequences', 4096)));
  }

  /** The probe example's attention: weights (layers, heads, n, n), rows queries, each summing to 1. */
  attention() {
    return unwrap(this.#runtime().attention());
  }

  /**
   * Names the heads of the model being trained from what they attend to, with the same scores as
   * model.headScores() (src/analysis: Σ(A ⊙ P) / ΣA over the rows a template P marks, averaged over
   * the probes): previous-token, duplicate-token, induction and first-token on `probes` sequences,
   * each a random run of `half` ids of the task's vocabulary repeated once (drawn with `seed`; half
   * is cut to ⌈context / 2⌉ and the probe to the context, so on the induction task a probe has its
   * layout), and for reverse "mirror" (query i on key n − 1 − i, the answer rows)
   * on the probe example attention() shows. The exported GGUF file opened with loadModel gives the
   * same four scores for the same arguments. Returns
   *   { kinds: [name …], thresholds: [number …], half, length (a probe's), count, taskProbes (1 when
   *     mirror is scored),
   *     heads: [{ layer, head, scores: { kind: number | NaN }, names: [kind …] }] }, heads layer-major.
   */
  headScores({ seed = 1, probes = 8, half = 16 } = {}) {
    readInteger(seed, 'seed', 0, Number.MAX_SAFE_INTEGER);
    readInteger(probes, 'probes', 1, 64);
    readInteger(half, 'half', 1, 1 << 20);
    const r = unwrap(this.#runtime().headScores(seed, probes, half));
    return {
      kinds: r.kinds,
      thresholds: r.thresholds,
      half: r.half,
      length: r.length,
      count: r.count,
      taskProbes: r.taskProbes,
      heads: r.heads.map((h) => ({
        layer: h.layer,
        head: h.head,
        scores: Object.fromEntries(r.kinds.map((kind, k) => [kind, h.scores[k]])),
        names: h.names,
      })),
    };
  }

  /** The model as a llama GGUF v3 file (RoPE and no MLP or SwiGLU only; else throws why not). */
  exportGguf(name = `${this.options.task} (attention playground)`) {
    if (typeof name !== 'string') throw new Error('the model name must be a string');
    return unwrap(this.#runtime().exportGguf(name)).bytes;
  }

  dispose() {
    if (!this.#r) return;
    this.#r.dispose();
    this.#r.delete();
    this.#r = null;
  }
}
