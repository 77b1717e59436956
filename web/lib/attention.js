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

// The positional encodings, for importers that need them before a core is loaded; a loaded core
// reports its own list as buildInfo.positionalEncodings (the JS tests check they are the same).
const POSITIONAL = Object.freeze(['none', 'sinusoidal', 'rope', 'alibi']);

// The smallest module that uses a SIMD128 instruction (i32x4.splat in a function body);
// WebAssembly.validate() says whether this engine can run the SIMD build.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

export function simdSupported() {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

// Loaded modules by wasm URL: several widgets on one page share one instance.
const modules = new Map();

async function wasmBytes(url) {
  if (url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return readFile(url);
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url.href}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

// Compiles the wasm ourselves: streaming where the host serves application/wasm, bytes otherwise
// (a host with a wrong MIME type still works), and file reads in Node.
async function compile(url, wasmBinary) {
  if (wasmBinary) return WebAssembly.compile(wasmBinary);
  if (url.protocol !== 'file:' && typeof WebAssembly.compileStreaming === 'function') {
    try {
      return await WebAssembly.compileStreaming(fetch(url));
    } catch (error) {
      if (!(error instanceof TypeError)) throw error; // TypeError: wrong MIME type; retry below
    }
  }
  return WebAssembly.compile(await wasmBytes(url));
}

/**
 * Loads the core. Options:
 *   simd: 'auto' (default: SIMD build where the engine supports it), true, or false (scalar build)
 *   baseUrl: where attention_core*.js/.wasm live (default: ./wasm/ next to this file)
 *   wasmBinary: the .wasm bytes, to skip fetching (for a single-file build)
 *   factory: the Emscripten module factory itself (default: imported from baseUrl), so a bundle
 *            can import it statically; use with wasmBinary
 */
export function loadAttention(options = {}) {
  const simd = options.simd ?? 'auto';
  if (!['auto', true, false].includes(simd)) throw new Error("simd must be 'auto', true or false");
  const useSimd = simd === 'auto' ? simdSupported() : simd;
  if (useSimd && !simdSupported()) throw new Error('this engine has no WebAssembly SIMD; load with { simd: false }');
  const base = new URL(options.baseUrl ?? './wasm/', import.meta.url);
  const name = useSimd ? 'attention_core' : 'attention_core_scalar';
  const wasmUrl = new URL(`${name}.wasm`, base);
  const key = options.wasmBinary || options.factory ? null : wasmUrl.href;
  if (key && modules.has(key)) return modules.get(key);
  const promise = (async () => {
    // The wasm is fetched and compiled while the glue module is imported, not after it.
    const compiled = compile(wasmUrl, options.wasmBinary);
    compiled.catch(() => {}); // a failure is reported through instantiateWasm below
    const createModule = options.factory ?? (await import(new URL(`${name}.js`, base).href)).default;
    let failed;
    const failure = new Promise((resolve, reject) => {
      failed = reject;
    });
    const module = await Promise.race([
      failure,
      createModule({
        instantiateWasm(imports, receive) {
          compiled
            .then(async (wasmModule) => receive(await WebAssembly.instantiate(wasmModule, imports), wasmModule))
            .catch(failed);
          return {};
        },
        print: () => {},
        printErr: (text) => console.warn(`[attention core] ${text}`),
      }),
    ]);
    const core = new AttentionCore(module);
    core.warmUpWhenIdle();
    return core;
  })();
  if (key) {
    modules.set(key, promise);
    promise.catch(() => modules.delete(key)); // a failed load may be retried
  }
  return promise;
}

// ---------------------------------------------------------------------------
// Argument checks: each names the parameter and what it should be.
// ---------------------------------------------------------------------------

function checkInteger(name, value, min, max) {
  if (!Number.isInteger(value)) throw new Error(`${name} must be an integer, got ${describe(value)}`);
  if (value < min || value > max) throw new Error(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

// The type and length of an array input. A plain Array's entries are checked here too (the copy
// into the core would turn '1' into 1); a typed array's finiteness is checked by the core (vectorised).
function checkShape(name, value, length, shape) {
  if (!(value instanceof Float32Array || value instanceof Float64Array || Array.isArray(value))) {
    throw new Error(`${name} must be a Float32Array, got ${describe(value)}`);
  }
  if (value.length !== length) {
    throw new Error(`${name} must hold ${shape} = ${length} values, got ${value.length}`);
  }
  return Array.isArray(value) ? checkEntries(name, value) : value;
}

// Throws for the first entry that is not a finite number, naming its index.
function checkEntries(name, value) {
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`${name} holds a non-finite value (${describe(v)}) at index ${i}`);
    }
  }
  return value;
}

function checkMask(name, value, length, shape) {
  if (!(value instanceof Uint8Array || Array.isArray(value))) {
    throw new Error(`${name} must be a Uint8Array of 0 and 1, got ${describe(value)}`);
  }
  if (value.length !== length) throw new Error(`${name} must hold ${shape} = ${length} values, got ${value.length}`);
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (v !== 0 && v !== 1 && v !== true && v !== false) {
      throw new Error(`${name} must hold only 0 and 1, got ${describe(v)} at index ${i}`);
    }
  }
  return Uint8Array.from(value, Number);
}

function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an Array of ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of ${value.length}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === 'object' ? 'an object' : String(value);
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

  constructor(module) {
    this.#m = module;
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
   * With unmaskedScores: true, the trace also has rawScores(h) (q·k plus any ALiBi bias: no
   * √dHead, no temperature, no mask) and unmaskedScores(h) (scaled like scores(h), no mask);
   * otherwise both are null.
   * options.into: a trace an earlier call returned, whose memory this one reuses (no new
   * allocation when it is large enough): that earlier trace's arrays then hold this call's values.
   */
  attention(params, options = {}) {
    this.#used = true;
    return this.#attention(params, options);
  }

  #attention(params, options = {}) {
    if (params === null || typeof params !== 'object') throw new Error('attention() takes a parameter object');
    const {
      causal = false,
      temperature = 1,
      positional = 'none',
      trace = true,
      scale = true,
      unmaskedScores = false,
    } = params;
    if (typeof trace !== 'boolean') throw new Error(`trace must be true or false, got ${describe(trace)}`);
    if (typeof scale !== 'boolean') throw new Error(`scale must be true or false, got ${describe(scale)}`);
    if (typeof unmaskedScores !== 'boolean') {
      throw new Error(`unmaskedScores must be true or false, got ${describe(unmaskedScores)}`);
    }
    if (unmaskedScores && !trace) throw new Error('unmaskedScores needs a full trace');
    if (options === null || typeof options !== 'object') throw new Error("attention()'s options must be an object");
    let into;
    if (options.into !== undefined) {
      into = blocks.get(options.into);
      if (!into) throw new Error('into must be a trace returned by attention()');
    }
    const { limits, positionalEncodings } = this.buildInfo;
    const n = checkInteger('n', params.n, 1, trace ? limits.maxTokens : limits.maxTokensOutputOnly);
    const dModel = checkInteger('dModel', params.dModel, 1, limits.maxModelDim);
    const heads = checkInteger('heads', params.heads, 1, limits.maxHeads);
    if (dModel % heads !== 0) throw new Error(`dModel (${dModel}) must be divisible by heads (${heads})`);
    if (typeof causal !== 'boolean') throw new Error(`causal must be true or false, got ${describe(causal)}`);
    if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature <= 0) {
      throw new Error(`temperature must be a finite number greater than 0, got ${describe(temperature)}`);
    }
    if (!positionalEncodings.includes(positional)) {
      const names = positionalEncodings.map((p) => `'${p}'`).join(', ');
      throw new Error(`positional must be one of ${names}, got ${describe(positional)}`);
    }
    // Arrays are checked for type and size here. The core checks every value for finiteness
    // itself (vectorised, several times faster than a JS loop); only when it refuses a call are
    // they searched here, for a message with the index.
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
      x: checkShape('x', params.x, n * dModel, `n·dModel = ${n}·${dModel}`),
    };
    for (const w of ['wq', 'wk', 'wv', 'wo']) {
      args[w] = checkShape(w, params[w], dModel * dModel, `dModel² = ${dModel}²`);
    }
    let nKv = n;
    if (params.xKv !== undefined || params.nKv !== undefined) {
      if (!trace) throw new Error('cross-attention (xKv) needs a full trace');
      nKv = checkInteger('nKv', params.nKv, 1, limits.maxTokens);
      args.nKv = nKv;
      args.xKv = checkShape('xKv', params.xKv, nKv * dModel, `nKv·dModel = ${nKv}·${dModel}`);
    }
    for (const [name, length, shape] of [
      ['mask', n * nKv, `n·nKv = ${n}·${nKv}`],
      ['keyPadding', nKv, 'nKv'],
    ]) {
      if (params[name] === undefined) continue;
      if (!trace) throw new Error(`${name} needs a full trace; the output-only path knows only the causal mask`);
      args[name] = checkMask(name, params[name], length, shape);
    }
    const result = trace ? this.#m.runAttention(args) : this.#m.runAttentionOutput(args);
    if (result?.error) {
      for (const name of ['x', 'wq', 'wk', 'wv', 'wo', 'xKv']) if (args[name]) checkEntries(name, args[name]);
      unwrap(result);
    }
    if (!trace) return Object.freeze({ n, dModel, heads, dHead: dModel / heads, output: result.output });
    const made = makeTrace(result);
    blocks.set(made, result.block);
    return made;
  }

  /** Deterministic N(0, 1) embeddings, one row per token: Float32Array (tokens.length, dModel). */
  tokenEmbeddings(tokens, dModel, seed = 0) {
    if (!Array.isArray(tokens) || tokens.some((t) => typeof t !== 'string')) {
      throw new Error('tokens must be an array of strings');
    }
    checkInteger('dModel', dModel, 1, this.buildInfo.limits.maxModelDim);
    checkInteger('seed', seed, 0, Number.MAX_SAFE_INTEGER);
    return unwrap(this.#m.tokenEmbeddings(tokens, dModel, seed));
  }

  /** The embedding of one token: Float32Array (dModel). */
  tokenEmbedding(token, dModel, seed = 0) {
    if (typeof token !== 'string') throw new Error(`token must be a string, got ${describe(token)}`);
    return this.tokenEmbeddings([token], dModel, seed);
  }

  /** A deterministic (rows, cols) matrix of N(0, stddev²) values. */
  randomMatrix(rows, cols, seed = 0, stddev = 1) {
    checkInteger('rows', rows, 0, 1 << 16);
    checkInteger('cols', cols, 0, 1 << 16);
    checkInteger('seed', seed, 0, Number.MAX_SAFE_INTEGER);
    if (typeof stddev !== 'number' || !Number.isFinite(stddev) || stddev < 0) {
      throw new Error(`stddev must be a finite number ≥ 0, got ${describe(stddev)}`);
    }
    return unwrap(this.#m.randomMatrix(rows, cols, seed, stddev));
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
    if (params === null || typeof params !== 'object') {
      throw new Error('scaledDotProductAttention() takes a parameter object');
    }
    const { causal = false } = params;
    const { limits } = this.buildInfo;
    const n = checkInteger('n', params.n, 1, limits.maxTokensOutputOnly);
    const heads = checkInteger('heads', params.heads, 1, limits.maxHeads);
    const dHead = checkInteger('dHead', params.dHead, 1, limits.maxModelDim);
    if (typeof causal !== 'boolean') throw new Error(`causal must be true or false, got ${describe(causal)}`);
    const size = n * heads * dHead;
    if (size > limits.maxKernelFloats) {
      throw new Error(`n·heads·dHead must be at most ${limits.maxKernelFloats}, got ${size}`);
    }
    const shape = `n·heads·dHead = ${n}·${heads}·${dHead}`;
    const args = { n, heads, dHead, causal };
    for (const name of ['q', 'k', 'v']) args[name] = checkShape(name, params[name], size, shape);
    return unwrap(this.#m.scaledDotProductAttention(args)).output;
  }

  /** C = A·B with the packed SIMD GEMM: params { a, b, m, k, n }, a (m, k), b (k, n) row-major. */
  matmul(params) {
    this.#used = true;
    if (params === null || typeof params !== 'object') throw new Error('matmul() takes a parameter object');
    const max = this.buildInfo.limits.maxKernelFloats;
    const m = checkInteger('m', params.m, 1, max);
    const k = checkInteger('k', params.k, 1, max);
    const n = checkInteger('n', params.n, 1, max);
    for (const [name, size] of [
      ['m·k', m * k],
      ['k·n', k * n],
      ['m·n', m * n],
    ]) {
      if (size > max) throw new Error(`${name} must be at most ${max}, got ${size}`);
    }
    const a = checkShape('a', params.a, m * k, `m·k = ${m}·${k}`);
    const b = checkShape('b', params.b, k * n, `k·n = ${k}·${n}`);
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
    unmaskedScores: raw.unmaskedScores ? perHead('unmaskedScores', raw.unmaskedScores, n * nKv) : null,
    weights: perHead('weights', raw.weights, n * nKv),
    entropy: perHead('entropy', raw.entropy, n),
    headOutput: perHead('headOutput', raw.headOutput, n * dHead),
  });
}

export { POSITIONAL };
