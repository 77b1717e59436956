// The page that runs llama.cpp (@wllama/wllama 3.x: llama.cpp's server context compiled to wasm, in its
// own worker) beside our model runtime (web/lib/model.js, on this page's main thread) on the same GGUF
// files, for tests/browser/llama-cpp.test.mjs and bench/model/run.mjs. Everything comes from this origin:
// the model files are written here (tests/js/model_files.mjs), wllama's wasm is served from node_modules.
//
// globalThis.peers: write(key, spec) makes a file; llama.* and ours.* open it and answer in plain data
// (ids, top-k probabilities, times), so the driver only passes JSON through page.evaluate.
import { Wllama } from '/node_modules/@wllama/wllama/esm/index.js';
import { loadModel } from '/web/lib/model.js';
import { writeModel, vocabFromSpec } from '/tests/js/model_files.mjs';
import { mulberry32 } from '/bench/js/common.mjs';

const WLLAMA_WASM = '/node_modules/@wllama/wllama/esm/wasm/wllama.wasm';

// wllama's worker is a module script made from a Blob, so its wasm memory is out of reach of the
// driver. This wraps Worker to append one line to that script (read synchronously from its blob: URL),
// a getter of the memory's size, which the driver calls through Playwright's worker.evaluate.
const NativeWorker = globalThis.Worker;
globalThis.Worker = class extends NativeWorker {
  constructor(url, options) {
    if (String(url).startsWith('blob:')) {
      const request = new XMLHttpRequest();
      request.open('GET', url, false);
      request.send();
      const probe = '\nglobalThis.__wasmMemoryBytes = () => Number(Module?.wasmMemory?.buffer.byteLength ?? 0);\n';
      url = URL.createObjectURL(new Blob([request.responseText + probe], { type: 'text/javascript' }));
    }
    super(url, options);
  }
};

const files = new Map(); // key → Uint8Array of a GGUF file

// The k largest of a distribution, as { id, p } (float64 softmax of float32 logits).
function topK(logits, k) {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  let z = 0;
  for (const v of logits) z += Math.exp(v - max);
  const ids = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a] || a - b);
  return ids.slice(0, k).map((id) => ({ id, p: Math.exp(logits[id] - max) / z }));
}

let wllama = null;
let model = null;

globalThis.peers = {
  /** Writes a model file (writeModel's spec; spec.vocab a vocabFromSpec description); its size and vocab. */
  write(key, spec) {
    const { bytes, vocab } = writeModel({ ...spec, vocab: spec.vocab && vocabFromSpec(spec.vocab) });
    files.set(key, bytes);
    return { bytes: bytes.length, vocab: vocab.tokens.length };
  },

  /** Fetches a file of this origin (a committed model, /web/models/language.gguf) as file `key`; its size. */
  async fetch(key, url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    files.set(key, bytes);
    return { bytes: bytes.length };
  },

  llama: {
    /** Opens file `key` in llama.cpp: one thread, no GPU, F32 KV cache, no flash attention. */
    async open(key, { nCtx, nBatch = 512 } = {}) {
      await globalThis.peers.llama.close();
      wllama = new Wllama({ default: WLLAMA_WASM }, { suppressNativeLog: true });
      await wllama.loadModel([new Blob([files.get(key)])], {
        n_ctx: nCtx,
        n_batch: nBatch,
        n_ubatch: nBatch,
        n_threads: 1,
        n_parallel: 1,
        n_gpu_layers: 0,
        cache_type_k: 'f32',
        cache_type_v: 'f32',
        flash_attn: false,
      });
      const info = wllama.getLoadedContextInfo();
      return {
        nVocab: info.n_vocab,
        nCtx: info.n_ctx,
        threads: wllama.getNumThreads(),
        multithread: wllama.isMultithread(),
      };
    },

    /**
     * Greedy continuation of `text` (llama.cpp tokenizes it): the new ids, the top-k probabilities of
     * each step's distribution (softmax of the raw logits, before sampling), the prompt's token count
     * and llama.cpp's own timings. The prompt is processed afresh (no prompt cache).
     */
    async complete(text, { steps, k = 10, ignoreEos = false }) {
      const started = performance.now();
      const r = await wllama.createCompletion({
        prompt: text,
        max_tokens: steps,
        temperature: 0,
        n_probs: k,
        cache_prompt: false,
        ignore_eos: ignoreEos,
      });
      const wallMs = performance.now() - started;
      const content = r.choices[0].logprobs?.content ?? [];
      return {
        ids: content.map((c) => c.id),
        top: content.map((c) => c.top_logprobs.map((t) => ({ id: t.id, p: Math.exp(t.logprob) }))),
        finish: r.choices[0].finish_reason,
        promptTokens: r.usage.prompt_tokens,
        timings: r.timings,
        wallMs,
      };
    },

    async close() {
      if (wllama) await wllama.exit();
      wllama = null;
    },
  },

  ours: {
    async open(key) {
      globalThis.peers.ours.close();
      model = await loadModel(files.get(key));
      return { ...model.info, memory: model.memoryStats() };
    },
    tokenize: (text) => Array.from(model.tokenize(text)),
    generate: (ids, steps) => Array.from(model.generate(Int32Array.from(ids), steps, { temperature: 0 })),
    /** The top-k probabilities at each of `positions` of one forward pass over ids. */
    top(ids, positions, k = 10) {
      const pass = model.forward(Int32Array.from(ids));
      return positions.map((pos) => topK(pass.logits(pos), k));
    },
    /** The whole distribution (float64 softmax, plain arrays) at each of `positions` of one pass. */
    probs(ids, positions) {
      const pass = model.forward(Int32Array.from(ids));
      return positions.map((pos) => {
        const logits = pass.logits(pos);
        let max = -Infinity;
        for (const v of logits) max = Math.max(max, v);
        let z = 0;
        for (const v of logits) z += Math.exp(v - max);
        return Array.from(logits, (v) => Math.exp(v - max) / z);
      });
    },
    memory: () => model.memoryStats(),
    close() {
      model?.dispose();
      model = null;
    },
  },

  /**
   * A text that ours cuts into exactly n tokens (BOS included): seeded words of a–z (the letters
   * vocabulary merges them), then digits, one byte token each, to make up the count.
   */
  promptOf(n, seed = 7) {
    const rng = mulberry32(seed);
    const word = () => {
      let w = '';
      for (let i = 0, len = 2 + Math.floor(rng() * 5); i < len; i++)
        w += String.fromCharCode(97 + Math.floor(rng() * 26));
      return w;
    };
    let text = '';
    for (;;) {
      const next = text ? `${text} ${word()}` : word();
      if (model.tokenize(next).length > n) break;
      text = next;
    }
    for (let d = 0; model.tokenize(text).length < n; d++) text += String(d % 10);
    const got = model.tokenize(text).length;
    if (got !== n) throw new Error(`the prompt has ${got} tokens, not ${n}`);
    return text;
  },

  /**
   * One timed sample of ours' prompt pass on the main thread: forward(ids), which keeps every layer's Q
   * and K for the attention maps, then the last position's logits.
   */
  timePrompt(ids) {
    const input = Int32Array.from(ids);
    const t = performance.now();
    model.forward(input).logits(ids.length - 1);
    return performance.now() - t;
  },

  /**
   * One timed sample of ours' generation as the page generates: a KV-cache session (model.session(),
   * which also keeps the newest position's attention row of every layer and head) runs the prompt
   * untimed, then `steps` decoding steps are timed, each one sample + one append. Returns the ms and
   * the first new id.
   */
  timeGenerate(ids, steps) {
    const session = model.session();
    try {
      session.append(Int32Array.from(ids));
      let id = session.sample();
      const first = id;
      const t = performance.now();
      for (let i = 0; i < steps; i++) {
        session.append(Int32Array.of(id));
        id = session.sample();
      }
      return { ms: performance.now() - t, first };
    } finally {
      session.dispose();
    }
  },
};

globalThis.peersReady = true;
