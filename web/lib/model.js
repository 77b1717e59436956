// The JavaScript API of the model runtime: a real model file (GGUF llama / qwen2 / gpt2, or a llama2.c
// checkpoint with an optional tokenizer.bin) run by the wasm core, one step at a time.
//
//   import { loadModel } from './lib/model.js';
//   const model = await loadModel(file, { onProgress: (read, total) => {} });
//   const ids = model.tokenize('Once upon a time');     // Int32Array
//   const pass = model.forward(ids);
//   pass.logits(ids.length - 1);                        // Float32Array (vocab)
//   pass.attention(0, 1);                                // Float32Array (n, n), row-major
//   model.forward(ids, { ablate: [[0, 1]] });            // the same with layer 0's head 1 switched off
//   model.headScores({ seed: 1, probes: 8 });            // every head's template scores and names
//   model.generate(ids, 8, { temperature: 0 });          // Int32Array of the new ids
//   model.dispose();
//
// The file's bytes are copied slice by slice straight into wasm memory (one allocation the size of the
// file, no second copy in JS), so a File is never read whole into a JS ArrayBuffer. Bad files reject with
// an Error saying what is wrong and where (the core's message). Every array returned is a copy.

import { resolveOptions, instantiate } from './load.js';

// Bytes read per slice of a Blob: large enough to be quick, small enough to report progress.
const SLICE_BYTES = 8 << 20;

const modules = new Map(); // wasm URL → Promise of the module, shared by every model and trainer

/** The model_core module (once per wasm URL): the model runtime's, also train.js's. */
export function modelCoreModule(options) {
  const resolved = resolveOptions({ ...options, module: 'model' }, import.meta.url);
  const key = resolved.wasmBinary || resolved.factory ? null : resolved.wasmUrl.href;
  if (key && modules.has(key)) return modules.get(key);
  const promise = instantiate(resolved).then(({ module: loaded }) => loaded);
  if (key) {
    modules.set(key, promise);
    promise.catch(() => modules.delete(key));
  }
  return promise;
}

/** A binding's result, or its { error } thrown as an Error. */
export function unwrap(result) {
  if (result && typeof result.error === 'string') throw new Error(result.error);
  return result;
}

function sizeOf(source, what) {
  if (source instanceof ArrayBuffer) return source.byteLength;
  if (ArrayBuffer.isView(source)) return source.byteLength;
  if (typeof Blob !== 'undefined' && source instanceof Blob) return source.size;
  throw new Error(`${what} must be an ArrayBuffer, a Uint8Array, a Blob or a File`);
}

function bytesOf(source) {
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
}

function checkAborted(signal) {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('loading was aborted');
}

// Copies one part (0 model, 1 tokenizer) into the runtime's memory.
async function copyIn(runtime, part, source, what, progress, signal) {
  const size = sizeOf(source, what);
  const message = runtime.begin(part, size);
  if (message) throw new Error(`${what}: ${message}`);
  const isBlob = typeof Blob !== 'undefined' && source instanceof Blob;
  const bytes = isBlob ? null : bytesOf(source);
  for (let offset = 0; offset < size;) {
    checkAborted(signal);
    const length = Math.min(SLICE_BYTES, size - offset);
    const slice = isBlob
      ? new Uint8Array(await source.slice(offset, offset + length).arrayBuffer())
      : bytes.subarray(offset, offset + length);
    if (slice.length !== length) throw new Error(`${what}: the file changed while it was read (at byte ${offset})`);
    checkAborted(signal);
    // A fresh view per slice: a view of wasm memory detaches when memory grows.
    runtime.window(part, offset, length).set(slice);
    offset += length;
    progress(length);
  }
}

/**
 * Opens a model. source: ArrayBuffer, Uint8Array, Blob or File (GGUF or llama2.c). Options:
 *   tokenizer: a llama2.c tokenizer.bin (same types), for llama2.c checkpoints
 *   onProgress(readBytes, totalBytes): called while the file is copied in
 *   signal: an AbortSignal
 *   simd, baseUrl, wasmBinary, factory: as loadAttention()'s
 * Resolves to a Model; rejects with an Error saying what is wrong with the file.
 */
export async function loadModel(source, options = {}) {
  if (options === null || typeof options !== 'object') throw new Error('loadModel() takes an options object');
  const { tokenizer, onProgress, signal } = options;
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new Error('onProgress must be a function');
  const total = sizeOf(source, 'the model') + (tokenizer ? sizeOf(tokenizer, 'the tokenizer') : 0);
  checkAborted(signal);
  const m = await modelCoreModule(options);
  const runtime = new m.ModelRuntime();
  try {
    let read = 0;
    const progress = (n) => {
      read += n;
      onProgress?.(read, total);
    };
    onProgress?.(0, total);
    await copyIn(runtime, 0, source, 'the model', progress, signal);
    if (tokenizer) await copyIn(runtime, 1, tokenizer, 'the tokenizer', progress, signal);
    checkAborted(signal);
    const message = runtime.finish();
    if (message) throw new Error(message);
    return new Model(m, runtime);
  } catch (err) {
    runtime.dispose();
    runtime.delete();
    throw err;
  }
}

function readInt(value, what, min, max) {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${what} must be an integer in ${min} … ${max}, got ${String(value)}`);
  }
  return value;
}

// [[layer, head], …] checked against the model (undefined / null: none); a clear Error otherwise.
function readAblate(ablate, info) {
  if (ablate === undefined || ablate === null) return null;
  if (!Array.isArray(ablate)) throw new Error('ablate must be an array of [layer, head] pairs');
  return ablate.map((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) throw new Error(`ablate[${i}] must be a [layer, head] pair`);
    return [
      readInt(pair[0], `ablate[${i}]'s layer`, 0, info.layers - 1),
      readInt(pair[1], `ablate[${i}]'s head`, 0, info.heads - 1),
    ];
  });
}

class Model {
  #m;
  #r;

  constructor(m, runtime) {
    this.#m = m;
    this.#r = runtime;
    // { architecture, name, source, layers, heads, kvHeads, dModel, headDim, ffn, vocab, context, rope,
    //   ropeBase, parameters, tensorTypes, memoryBytes, tokenizer, tokenizerNote, bos, eos }
    this.info = Object.freeze(unwrap(runtime.info()));
  }

  #runtime() {
    if (!this.#r) throw new Error('this model was disposed');
    return this.#r;
  }

  /** The ids the model's tokenizer gives `text` (BOS first when the vocabulary adds it). */
  tokenize(text, { addSpecial = true } = {}) {
    if (typeof text !== 'string') throw new Error('tokenize() takes a string');
    return unwrap(this.#runtime().tokenize(text, Boolean(addSpecial))).ids;
  }

  detokenize(ids) {
    return unwrap(this.#runtime().detokenize(ids)).text;
  }

  /** Per id: text (as stored, with ▁ / Ġ / <0x0A>) and bytes (what it writes, a Uint8Array). */
  tokenPieces(ids) {
    const { texts, pieces } = unwrap(this.#runtime().tokenPieces(ids));
    return texts.map((text, i) => ({ text, bytes: pieces[i] }));
  }

  /**
   * Runs ids (Int32Array or integers) through the model; the pass's results on demand. ablate:
   * [[layer, head], …] heads switched off (each one's output zeroed before W_O, as if its columns of
   * W_O were zero); their own attention() is unchanged, what comes after them changes.
   */
  forward(ids, { ablate } = {}) {
    const runtime = this.#runtime();
    const { n } = unwrap(runtime.forward(ids, readAblate(ablate, this.info)));
    // Only the latest pass is kept in the core: an older pass's methods refuse.
    const token = {};
    this.#pass = token;
    const live = () => {
      if (this.#pass !== token) throw new Error('a later forward() replaced this pass');
      return this.#runtime();
    };
    return Object.freeze({
      n,
      logits: (pos) => unwrap(live().logits(readInt(pos, 'position', 0, n - 1))).logits,
      attention: (layer, head) =>
        unwrap(
          live().attention(
            readInt(layer, 'layer', 0, this.info.layers - 1),
            readInt(head, 'head', 0, this.info.heads - 1),
          ),
        ).weights,
      trace: (layer, head) =>
        unwrap(
          live().trace(readInt(layer, 'layer', 0, this.info.layers - 1), readInt(head, 'head', 0, this.info.heads - 1)),
        ),
    });
  }

  #pass = null;

  /**
   * Names the heads from what they attend to (src/analysis/heads.h): `probes` sequences, each [BOS]
   * then a random run of `half` ids from the model's own vocabulary (ordinary tokens) repeated
   * once, drawn with `seed` (half is cut to fit the context). A head's score for a template P is
   * Σ(A ⊙ P) / ΣA over the rows P scores, averaged over the probes. When the model's tokenizer
   * writes the built-in language's words one token each, `probes` annotated sentences of it for each
   * of 'agreement' (the query predicting a verb on its subject) and 'antecedent' (the query
   * predicting a pronoun on its noun) are scored too; `sentences` counts them (0: no such kinds).
   * Resolves to
   *   { kinds: ['previous-token', 'duplicate-token', 'induction', 'first-token'(, 'agreement',
   *     'antecedent')], thresholds: [0.5, …], half, count, sentences,
   *     heads: [{ layer, head, scores: { kind: number | NaN }, names: [kind …] }] }
   * with heads layer-major. The last forward() pass is not touched.
   */
  headScores({ seed = 0, probes = 8, half = 16 } = {}) {
    readInt(seed, 'seed', 0, Number.MAX_SAFE_INTEGER);
    readInt(probes, 'probes', 1, 256);
    readInt(half, 'half', 1, 1 << 20);
    const r = unwrap(this.#runtime().headScores(seed, probes, half));
    return {
      kinds: r.kinds,
      thresholds: r.thresholds,
      half: r.half,
      count: r.count,
      sentences: r.sentences,
      heads: r.heads.map((h) => ({
        layer: h.layer,
        head: h.head,
        scores: Object.fromEntries(r.kinds.map((kind, k) => [kind, h.scores[k]])),
        names: h.names,
      })),
    };
  }

  /** `steps` new ids after `ids`: greedy at temperature 0, else sampled (topK, topP, seed); ablate as forward's. */
  generate(ids, steps, { temperature = 0, topK = 0, topP = 1, seed = 0, ablate } = {}) {
    readInt(steps, 'steps', 0, this.info.context);
    if (typeof temperature !== 'number' || typeof topP !== 'number')
      throw new Error('temperature and topP are numbers');
    readInt(topK, 'topK', 0, this.info.vocab);
    readInt(seed, 'seed', 0, Number.MAX_SAFE_INTEGER);
    const off = readAblate(ablate, this.info);
    return unwrap(this.#runtime().generate(ids, steps, temperature, topK, topP, seed, off)).ids;
  }

  /**
   * A KV-cache generation session (one at a time: a new one replaces, and frees, the last).
   *   append(ids) → Float32Array (vocab): the newest position's logits, after the positions held
   *   attention() → Float32Array (layers·heads, positions): the newest position's weights over
   *                 every key so far, row layer·heads + head (what the page draws per new token)
   *   sample({ temperature, topK, topP }) → the next id from the newest logits (greedy at 0; the
   *                 session's generator, seeded by `seed`, advances by one draw)
   *   positions, memoryBytes(), dispose()
   * Greedy ids from append/sample equal generate()'s. ablate: heads off in every append, as forward's.
   */
  session({ seed = 0, ablate } = {}) {
    readInt(seed, 'seed', 0, Number.MAX_SAFE_INTEGER);
    const off = readAblate(ablate, this.info);
    const runtime = this.#runtime();
    const id = runtime.sessionStart(seed, off);
    if (id < 0) throw new Error('ablate must be an array of [layer, head] pairs within the model');
    if (!id) throw new Error('no model is loaded');
    let positions = 0;
    let disposed = false;
    const live = () => {
      if (disposed) throw new Error('this session was disposed');
      return this.#runtime();
    };
    return {
      get positions() {
        return positions;
      },
      append: (ids) => {
        const r = unwrap(live().sessionAppend(id, ids));
        positions = r.positions;
        return r.logits;
      },
      attention: () => unwrap(live().sessionAttention(id)).rows,
      sample: ({ temperature = 0, topK = 0, topP = 1 } = {}) => {
        if (typeof temperature !== 'number' || typeof topP !== 'number')
          throw new Error('temperature and topP are numbers');
        readInt(topK, 'topK', 0, this.info.vocab);
        return unwrap(live().sessionSample(id, temperature, topK, topP)).id;
      },
      memoryBytes: () => live().sessionMemory(id),
      dispose: () => {
        if (disposed) return;
        disposed = true;
        this.#r?.sessionDispose(id);
      },
    };
  }

  /** Gives the model's memory back to the wasm heap; the model cannot be used afterwards. */
  dispose() {
    if (!this.#r) return;
    this.#r.dispose();
    this.#r.delete();
    this.#r = null;
    this.#pass = null;
  }

  /** The wasm heap's size and the bytes allocated in it (to check that dispose() gives memory back). */
  memoryStats() {
    return this.#m.memoryStats();
  }
}

/** The largest model file the runtime opens, in bytes (wasm32 memory less working room). */
// Largest labels vocabulary whose labels are listed (the toy tasks have 7 to 17).
const MAX_LABELS = 1024;

// A labels tokenizer's labels (a "none" file with token names: the built-in toy tasks), in id
// order, for the texts built from them (widget/builtin-models.js); null for any other tokenizer.
export function tokenLabels(model) {
  const { tokenizer, vocab } = model.info;
  if (!tokenizer.startsWith('labels') || vocab > MAX_LABELS) return null;
  return model.tokenPieces(Int32Array.from({ length: vocab }, (_, i) => i)).map((p) => p.text);
}

export async function maxModelBytes(options = {}) {
  return (await modelCoreModule(options)).ModelRuntime.maxFileBytes();
}

/** The shared module's memory use, for tests. */
export async function memoryStats(options = {}) {
  return (await modelCoreModule(options)).memoryStats();
}
