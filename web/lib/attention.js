// The JavaScript API of the attention core: the contract the page, embedders and tests use.
//
//   import { loadAttention } from './lib/attention.js';
//   const core = await loadAttention();
//   const trace = core.attention({ x, n, dModel, heads, wq, wk, wv, wo,
//                                  causal: true, temperature: 1, positional: 'rope' });
//   trace.weights(0);  // Float32Array (n, n), row-major, softmax over keys
//
// Works in browsers (window or worker) and in Node >= 18. The .wasm is found relative to this
// file's URL, so web/ can be served from any static path. Every array a call returns is a copy
// the caller owns: it stays valid across later calls and wasm memory growth. Bad parameters throw
// an Error whose message says what is wrong. Bound C++ objects never reach the caller, so there
// is nothing to delete().

import { simdSupported, resolveOptions, instantiate } from './load.js';
import {
  describe,
  fail,
  readBoolean,
  readFloats,
  readInteger,
  readMask,
  readObject,
  readStrings,
  readTemperature,
} from './inputs.js';

export { simdSupported };

// The longest token tokenEmbeddings() takes, in UTF-16 units: a word, not a document.
const MAX_TOKEN_LENGTH = 1000;

// The positional encodings, for importers that need them before a core is loaded; a loaded core
// reports its own list as buildInfo.positionalEncodings (the JS tests check they are the same).
const POSITIONAL = Object.freeze(['none', 'sinusoidal', 'rope', 'alibi']);

// Loaded modules by wasm URL: several widgets on one page share one instance.
const modules = new Map();

/**
 * Loads the core; a Promise of it (every failure, bad options included, rejects it). Options:
 *   simd: 'auto' (default: SIMD build where the engine supports it), true, or false (scalar build)
 *   baseUrl: where attention_core*.js/.wasm live (default: ./wasm/ next to this file)
 *   wasmBinary: the .wasm bytes, to skip fetching (for a single-file build)
 *   factory: the Emscripten module factory itself (default: imported from baseUrl), so a bundle
 *            can import it statically; use with wasmBinary
 *   wasmModule: a compiled WebAssembly.Module of this build (core.wasmModule of a core loaded
 *            elsewhere, posted to a worker): instantiated without fetching or compiling
 */
export function loadAttention(options = {}) {
  let resolved;
  try {
    resolved = resolveOptions(options, import.meta.url);
  } catch (err) {
    return Promise.reject(err);
  }
  const key = resolved.wasmBinary || resolved.wasmModule || resolved.factory ? null : resolved.wasmUrl.href;
  if (key && modules.has(key)) return modules.get(key);
  const promise = instantiate(resolved).then(({ module, wasmModule }) => {
    const core = new AttentionCore(module, wasmModule);
    core.warmUpWhenIdle();
    return core;
  });
  if (key) {
    modules.set(key, promise);
    promise.catch(() => modules.delete(key)); // a failed load may be retried
  }
  return promise;
}

// The fields of a parameter object, each read once (a getter or proxy trap that throws is
// reported as what it is, not passed on).
function fields(name, params, keys) {
  readObject(name, params);
  const out = {};
  for (const key of keys) {
    try {
      out[key] = params[key];
    } catch (err) {
      fail(`${name}'s ${key} could not be read: ${err?.message ?? describe(err)}`);
    }
  }
  return out;
}

function unwrap(result) {
  if (result && typeof result.error === 'string') throw new Error(result.error);
  return result;
}

// ---------------------------------------------------------------------------
// The core object loadAttention() resolves to.
// ---------------------------------------------------------------------------

class AttentionCore {
  #m;

  constructor(module, wasmModule) {
    this.#m = module;
    // The compiled WebAssembly.Module: structured-cloneable, so a worker can hand it to the one
    // that replaces it (loadAttention({ wasmModule })), which then loads without compiling.
    Object.defineProperty(this, 'wasmModule', { value: wasmModule, enumerable: false });
    // { version, simd, simdKind, buildType, limits, positionalEncodings }: limits are the core's
    // (maxTokens, maxTokensOutputOnly, maxModelDim, maxHeads, maxKernelFloats), the numbers every
    // check below uses.
    const info = module.buildInfo();
    this.buildInfo = Object.freeze({
      ...info,
      limits: Object.freeze({ ...info.limits }),
      positionalEncodings: Object.freeze([...info.positionalEncodings]),
    });
  }

  #used = false; // set by the first real call

  // The first calls of each export run slower: the engine compiles hot wasm functions a second
  // time, optimised, only after they have run a while (in the background; a running call keeps
  // its baseline code until it returns), and the first large call also grows memory. warmUp() runs
  // the trace and the output-only path twice on a small shape, which brings the first real call
  // much closer to a warm one. It costs up to tens of ms, so loading does not run it: it runs
  // when the thread is next idle, and only if no real call came first (a page's first call is its
  // own warm-up, and its first paint should not wait for ours).
  warmUp() {
    const dModel = 64,
      n = 48;
    const w = this.randomMatrix(dModel, dModel, 1, 1 / 8);
    const x = this.randomMatrix(n, dModel, 2, 1);
    const params = { x, n, dModel, heads: 2, wq: w, wk: w, wv: w, wo: w, positional: 'rope' };
    for (let i = 0; i < 2; i++) {
      this.#attention({ ...params, causal: i === 1 });
      this.#attention({ ...params, trace: false });
    }
  }

  warmUpWhenIdle() {
    const run = () => {
      if (!this.#used) this.warmUp();
    };
    if (typeof requestIdleCallback === 'function') requestIdleCallback(run, { timeout: 1000 });
    else setTimeout(run, 0);
  }

  /**
   * Multi-head attention with every intermediate.
   * params: { x, n, dModel, heads, wq, wk, wv, wo, causal = false, temperature = 1, positional = 'none',
   *           scale = true, trace = true,
   *           xKv, nKv,      // optional: cross-attention, K and V from xKv (nKv, dModel)
   *           mask,          // optional: Uint8Array (n, nKv), 1 = query i may attend to key j
   *           keyPadding }   // optional: Uint8Array (nKv), 1 = the token is padding (masked as a key)
   * Returns { n, nKv, dModel, heads, dHead, x, xKv, concat, output, q(h), k(h), v(h), scores(h),
   *           weights(h), entropy(h), headOutput(h) }: x is the input after positional encoding.
   * With trace: false, returns { n, dModel, heads, dHead, output } computed by the fused kernels,
   * with no n×n buffer, for sequences up to 65,536 tokens.
   * With unmaskedScores: true, the trace also has every stage of the scores before any mask, all
   * (n, nKv): rawScores(h) = q·k (no √dHead, no temperature, no bias), scaledScores(h) =
   * rawScores(h)·scale (scale = 1/(√dHead·temperature), or 1/temperature with scale: false) and
   * unmaskedScores(h) = scaledScores(h) − m_h·|i − j| under ALiBi (alibiSlopes() gives m_h; without
   * ALiBi it equals scaledScores(h)); under RoPE also qUnrotated and kUnrotated, (n, dModel) and
   * (nKv, dModel): x·W_Q and x·W_K before the rotation. Otherwise all of these are null.
   * options.into: a trace an earlier call returned, whose memory this one reuses (no new
   * allocation when it is large enough): that earlier trace's arrays then hold this call's values.
   */
  attention(params, options = {}) {
    this.#used = true;
    return this.#attention(params, options);
  }

  #attention(params, options = {}) {
    const p = fields('attention()', params, [
      'x',
      'n',
      'dModel',
      'heads',
      'wq',
      'wk',
      'wv',
      'wo',
      'causal',
      'temperature',
      'positional',
      'scale',
      'trace',
      'unmaskedScores',
      'xKv',
      'nKv',
      'mask',
      'keyPadding',
    ]);
    const { into: givenInto } = fields("attention()'s options", options, ['into']);
    const trace = p.trace === undefined ? true : readBoolean('trace', p.trace);
    const scale = p.scale === undefined ? true : readBoolean('scale', p.scale);
    const unmaskedScores = p.unmaskedScores === undefined ? false : readBoolean('unmaskedScores', p.unmaskedScores);
    const causal = p.causal === undefined ? false : readBoolean('causal', p.causal);
    if (unmaskedScores && !trace) fail('unmaskedScores needs a full trace');
    let into;
    if (givenInto !== undefined) {
      into = blocks.get(givenInto);
      if (!into) fail('into must be a trace returned by attention()');
    }
    const { limits, positionalEncodings } = this.buildInfo;
    const n = readInteger('n', p.n, 1, trace ? limits.maxTokens : limits.maxTokensOutputOnly);
    const dModel = readInteger('dModel', p.dModel, 1, limits.maxModelDim);
    const heads = readInteger('heads', p.heads, 1, limits.maxHeads);
    if (dModel % heads !== 0) fail(`dModel (${dModel}) must be divisible by heads (${heads})`);
    const temperature = p.temperature === undefined ? 1 : readTemperature(p.temperature, limits);
    const positional = p.positional === undefined ? 'none' : p.positional;
    if (!positionalEncodings.includes(positional)) {
      const names = positionalEncodings.map((name) => `'${name}'`).join(', ');
      fail(`positional must be one of ${names}, got ${describe(positional)}`);
    }
    let nKv = n;
    const cross = p.xKv !== undefined || p.nKv !== undefined;
    if (cross) {
      if (!trace) fail('cross-attention (xKv) needs a full trace');
      nKv = readInteger('nKv', p.nKv, 1, limits.maxTokens);
    }
    if (n * nKv * dModel > limits.maxWork) {
      fail(
        `n·nKv·dModel = ${n}·${nKv}·${dModel} is over the limit of ${limits.maxWork} (a few seconds of work); ` +
          'use fewer tokens or a smaller dModel',
      );
    }
    // Every array is read and copied here, before the core sees any of it.
    const bound = { maxMagnitude: limits.maxMagnitude };
    const args = {
      n,
      dModel,
      heads,
      causal,
      temperature,
      positional,
      scale,
      unmaskedScores,
      into,
      x: readFloats('x', p.x, n * dModel, `n·dModel = ${n}·${dModel}`, { ...bound, cols: dModel }),
    };
    for (const w of ['wq', 'wk', 'wv', 'wo']) {
      args[w] = readFloats(w, p[w], dModel * dModel, `dModel² = ${dModel}²`, { ...bound, cols: dModel });
    }
    if (cross) {
      args.nKv = nKv;
      args.xKv = readFloats('xKv', p.xKv, nKv * dModel, `nKv·dModel = ${nKv}·${dModel}`, { ...bound, cols: dModel });
    }
    for (const [name, length, shape] of [
      ['mask', n * nKv, `n·nKv = ${n}·${nKv}`],
      ['keyPadding', nKv, 'nKv'],
    ]) {
      if (p[name] === undefined) continue;
      if (!trace) fail(`${name} needs a full trace; the output-only path knows only the causal mask`);
      args[name] = readMask(name, p[name], length, shape);
    }
    const result = unwrap(trace ? this.#m.runAttention(args) : this.#m.runAttentionOutput(args));
    if (!trace) return Object.freeze({ n, dModel, heads, dHead: dModel / heads, output: result.output });
    const made = makeTrace(result);
    blocks.set(made, result.block);
    return made;
  }

  /** Deterministic N(0, 1) embeddings, one row per token: Float32Array (tokens.length, dModel). */
  tokenEmbeddings(tokens, dModel, seed = 0) {
    const { limits } = this.buildInfo;
    const d = readInteger('dModel', dModel, 1, limits.maxModelDim);
    const list = readStrings('tokens', tokens, {
      maxCount: Math.floor(limits.maxKernelFloats / d),
      maxLength: MAX_TOKEN_LENGTH,
    });
    readInteger('seed', seed, 0, Number.MAX_SAFE_INTEGER);
    return unwrap(this.#m.tokenEmbeddings(list, d, seed));
  }

  /** The embedding of one token: Float32Array (dModel). */
  tokenEmbedding(token, dModel, seed = 0) {
    if (typeof token !== 'string') fail(`token must be a string, got ${describe(token)}`);
    return this.tokenEmbeddings([token], dModel, seed);
  }

  /** A deterministic (rows, cols) matrix of N(0, stddev²) values, stddev at most maxMagnitude / 8. */
  randomMatrix(rows, cols, seed = 0, stddev = 1) {
    const { limits } = this.buildInfo;
    readInteger('rows', rows, 0, limits.maxKernelFloats);
    readInteger('cols', cols, 0, limits.maxKernelFloats);
    if (rows * cols > limits.maxKernelFloats)
      fail(`rows·cols must be at most ${limits.maxKernelFloats}, got ${rows * cols}`);
    readInteger('seed', seed, 0, Number.MAX_SAFE_INTEGER);
    const maxStddev = limits.maxMagnitude / 8;
    if (typeof stddev !== 'number' || !(stddev >= 0 && stddev <= maxStddev)) {
      fail(`stddev must be a number from 0 to ${maxStddev}, got ${describe(stddev)}`);
    }
    return unwrap(this.#m.randomMatrix(rows, cols, seed, stddev));
  }

  /**
   * A positional encoding's table as the pass uses it: 'sinusoidal' → PE, Float32Array (rows,
   * width = dModel), the values added to X; 'rope' → the rotation angles in radians, Float32Array
   * (rows, width / 2), width = dHead (even): pair i of position pos turns by pos / 10000^(2i/dHead).
   */
  positionalTable(name, rows, width) {
    const { limits } = this.buildInfo;
    if (name !== 'sinusoidal' && name !== 'rope')
      fail(`positionalTable: name must be 'sinusoidal' or 'rope', got ${describe(name)}`);
    readInteger('rows', rows, 1, limits.maxKernelFloats);
    readInteger('width', width, 1, limits.maxKernelFloats);
    if (rows * width > limits.maxKernelFloats)
      fail(`rows·width must be at most ${limits.maxKernelFloats}, got ${rows * width}`);
    if (name === 'rope' && width % 2 !== 0) fail(`RoPE rotates pairs: width (dHead) must be even, got ${width}`);
    return unwrap(this.#m.positionalTable(name, rows, width));
  }

  /** ALiBi's slope m_h = 2^(−8(h+1)/heads) of every head: Float32Array (heads), as the pass uses it. */
  alibiSlopes(heads) {
    readInteger('heads', heads, 1, this.buildInfo.limits.maxHeads);
    return unwrap(this.#m.alibiSlopes(heads));
  }

  /** { heapBytes, allocatedBytes }: the wasm memory size and what malloc holds now. */
  memoryStats() {
    return { ...this.#m.memoryStats() };
  }

  // ---- the kernels on their own ----
  /**
   * The fused attention kernel alone (FlashAttention-style tiles, online softmax, no n×n buffer).
   * params: { q, k, v, n, heads, dHead, causal = false }; q, k, v: Float32Array (n, heads·dHead),
   * row-major ([1, N, H·d]; head h is columns h·dHead … (h+1)·dHead−1). Scale 1/√dHead, softmax
   * over keys, causal hides key j > i. Returns a new Float32Array (n, heads·dHead).
   */
  scaledDotProductAttention(params) {
    this.#used = true;
    const p = fields('scaledDotProductAttention()', params, ['q', 'k', 'v', 'n', 'heads', 'dHead', 'causal']);
    const { limits } = this.buildInfo;
    const n = readInteger('n', p.n, 1, limits.maxTokensOutputOnly);
    const heads = readInteger('heads', p.heads, 1, limits.maxHeads);
    const dHead = readInteger('dHead', p.dHead, 1, limits.maxModelDim);
    const causal = p.causal === undefined ? false : readBoolean('causal', p.causal);
    const size = n * heads * dHead;
    if (size > limits.maxKernelFloats) fail(`n·heads·dHead must be at most ${limits.maxKernelFloats}, got ${size}`);
    if (n * size > limits.maxWork) {
      fail(`n·n·heads·dHead must be at most ${limits.maxWork} (a few seconds of work), got ${n * size}`);
    }
    const shape = `n·heads·dHead = ${n}·${heads}·${dHead}`;
    const args = { n, heads, dHead, causal };
    for (const name of ['q', 'k', 'v']) {
      args[name] = readFloats(name, p[name], size, shape, { maxMagnitude: limits.maxMagnitude });
    }
    return unwrap(this.#m.scaledDotProductAttention(args)).output;
  }

  /** C = A·B with the packed SIMD GEMM: params { a, b, m, k, n }, a (m, k), b (k, n) row-major. */
  matmul(params) {
    this.#used = true;
    const p = fields('matmul()', params, ['a', 'b', 'm', 'k', 'n']);
    const { limits } = this.buildInfo;
    const max = limits.maxKernelFloats;
    const m = readInteger('m', p.m, 1, max);
    const k = readInteger('k', p.k, 1, max);
    const n = readInteger('n', p.n, 1, max);
    for (const [name, size] of [
      ['m·k', m * k],
      ['k·n', k * n],
      ['m·n', m * n],
    ]) {
      if (size > max) fail(`${name} must be at most ${max}, got ${size}`);
    }
    if (m * k * n > limits.maxWork)
      fail(`m·k·n must be at most ${limits.maxWork} (a few seconds of work), got ${m * k * n}`);
    const a = readFloats('a', p.a, m * k, `m·k = ${m}·${k}`, { maxMagnitude: limits.maxMagnitude, cols: k });
    const b = readFloats('b', p.b, k * n, `k·n = ${k}·${n}`, { maxMagnitude: limits.maxMagnitude, cols: n });
    return unwrap(this.#m.matmul({ a, b, m, k, n })).output;
  }
}

// The block (one Float32Array) behind each trace attention() returned, for options.into.
const blocks = new WeakMap();

// Wraps the flat, head-stacked arrays from C++ in the per-head accessors of the contract. All of
// them are views of one ArrayBuffer, a copy of the whole trace made for this call (one copy, no
// per-part allocation; the buffer of options.into when given), so every part stays valid across
// later calls and memory growth (except a later call given this trace as its into).
function makeTrace(raw) {
  const { n, nKv, dModel, heads, dHead } = raw;
  const perHead = (name, stacked, size) => (h) => {
    if (!Number.isInteger(h) || h < 0 || h >= heads) {
      throw new RangeError(`${name}(h): h must be an integer from 0 to ${heads - 1}, got ${describe(h)}`);
    }
    return stacked.subarray(h * size, (h + 1) * size);
  };
  return Object.freeze({
    n,
    nKv,
    dModel,
    heads,
    dHead,
    x: raw.x,
    xKv: raw.xKv.length ? raw.xKv : null, // null for self-attention
    concat: raw.concat,
    output: raw.output,
    q: perHead('q', raw.q, n * dHead),
    k: perHead('k', raw.k, nKv * dHead),
    v: perHead('v', raw.v, nKv * dHead),
    scores: perHead('scores', raw.scores, n * nKv),
    rawScores: raw.rawScores ? perHead('rawScores', raw.rawScores, n * nKv) : null,
    scaledScores: raw.scaledScores ? perHead('scaledScores', raw.scaledScores, n * nKv) : null,
    unmaskedScores: raw.unmaskedScores ? perHead('unmaskedScores', raw.unmaskedScores, n * nKv) : null,
    qUnrotated: raw.qUnrotated ?? null, // (n, dModel) under RoPE with unmaskedScores, else null
    kUnrotated: raw.kUnrotated ?? null, // (nKv, dModel)
    weights: perHead('weights', raw.weights, n * nKv),
    entropy: perHead('entropy', raw.entropy, n),
    headOutput: perHead('headOutput', raw.headOutput, n * dHead),
  });
}

export { POSITIONAL };
