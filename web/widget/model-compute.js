// The widget's model work, with no DOM: download a model file the blog hosts (one fetch per
// resolved URL, with progress), open it with lib/model.js, and run a sentence through it for one
// layer and head. Run in the widget's model worker (model-worker.js) or, where no worker can be
// made, on the main thread (model-client.js); both call the same functions, so both draw the
// same numbers.
//
// Only imported when a widget has a `model` attribute: a random-weights widget never loads this
// module, lib/model.js nor the model_core wasm.

import { loadModel, maxModelBytes, tokenLabels } from '../lib/model.js';
import { WIDGET_LIMITS } from '../views/limits.js';
import { declaredLength, readBody } from '../lib/download.js';

// The views a model widget draws (attributes.js MODEL_VIEWS), and the trace array each reads
// (lib/model.js trace(layer, head)).
export const MODEL_TRACE_ARRAYS = Object.freeze({
  weights: 'weights',
  scores: 'scores',
  q: 'q',
  k: 'k',
  v: 'v',
  'head-output': 'headOutput',
});

const MB = 1048576;
const sizeText = (bytes) => `${(bytes / MB).toFixed(bytes < 10 * MB ? 2 : 0)} MB`;

// Why a download stopped, as a code the widget turns into its own sentence, and the numbers it needs.
export class ModelFileError extends Error {
  constructor(kind, details, message) {
    super(message);
    this.kind = kind; // 'http' | 'network' | 'tooLarge' | 'malformed'
    this.details = details;
  }
}

// The file at `url` as a Blob. onProgress(read, total) while it arrives (total 0 when the server
// does not say, or the body is compressed and its length is not the file's). Refuses, before or
// while reading, a file larger than the runtime opens (lib/model.js maxModelBytes()).
export async function fetchModelFile(url, { onProgress, options = {} } = {}) {
  const limit = maxModelBytes(options); // loads the model module while the request goes out
  limit.catch(() => {});
  let response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new ModelFileError('network', { url }, `could not fetch ${url}: ${err?.message ?? err}`);
  }
  if (!response.ok) {
    response.body?.cancel().catch(() => {});
    throw new ModelFileError('http', { url, status: response.status }, `${url}: HTTP ${response.status}`);
  }
  const max = await limit;
  const total = declaredLength(response);
  const tooLarge = (size) =>
    new ModelFileError(
      'tooLarge',
      { url, size: sizeText(size), max: sizeText(max) },
      `${url} is ${sizeText(size)}; at most ${sizeText(max)} can be opened`,
    );
  if (total > max) {
    response.body?.cancel().catch(() => {});
    throw tooLarge(total);
  }
  return readBody(response, {
    max,
    onProgress,
    tooLarge,
    broken: (err) => new ModelFileError('network', { url }, `the download of ${url} stopped: ${err?.message ?? err}`),
  });
}

// url → Promise of { model, info }: every widget that names the same resolved URL shares one
// download and one open model. A failure stays (the page is not asked to download it again).
const opened = new Map();
const listeners = new Map(); // url → Set of onProgress(read, total, phase)

export function openModel(url, onProgress, options = {}) {
  if (onProgress) {
    if (!listeners.has(url)) listeners.set(url, new Set());
    listeners.get(url).add(onProgress);
  }
  if (!opened.has(url)) {
    const tell = (read, total, phase) => {
      for (const f of listeners.get(url) ?? []) f(read, total, phase);
    };
    const promise = (async () => {
      const blob = await fetchModelFile(url, { options, onProgress: (read, total) => tell(read, total, 'download') });
      try {
        const model = await loadModel(blob, { ...options, onProgress: (read, total) => tell(read, total, 'open') });
        return { model, info: { ...model.info, labels: tokenLabels(model) } };
      } catch (err) {
        throw new ModelFileError('malformed', { url, message: err?.message ?? String(err) }, err?.message);
      }
    })();
    promise.finally(() => listeners.delete(url)).catch(() => {});
    opened.set(url, promise);
  }
  return opened.get(url);
}

// A stored token as the model has it, made visible: ▁ and Ġ kept, control bytes escaped.
export function tokenText(text) {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

// The forward each open model last ran: ids as a string → the pass, so a change of layer, head
// or view on the same sentence reads the pass already made (lib/model.js keeps only the latest).
const lastPass = new WeakMap();

// params: { sentence, layer, head }. → { n, ids, tokens, layer, head, kvHead, headDim, trace }
// (trace: { x, q, k, v, scores, weights, headOutput }, x (n, dModel), q/k/v/headOutput
// (n, headDim), scores/weights (n, n) causal) or { problem: { key, params } } for an input the
// widget refuses with its own message.
export function modelPass(model, info, { sentence, layer, head }) {
  if (!info.tokenizer) return { problem: { key: 'error.modelNoTokenizer', params: { note: info.tokenizerNote } } };
  if (!(Number.isInteger(layer) && layer >= 0 && layer < info.layers)) {
    return {
      problem: { key: 'error.attrRange', params: { attr: 'layer', value: layer, min: 0, max: info.layers - 1 } },
    };
  }
  if (!(Number.isInteger(head) && head >= 0 && head < info.heads)) {
    return { problem: { key: 'error.attrRange', params: { attr: 'head', value: head, min: 0, max: info.heads - 1 } } };
  }
  const ids = model.tokenize(sentence);
  const max = Math.min(WIDGET_LIMITS.maxTokens, info.context);
  if (ids.length > max) return { problem: { key: 'error.modelTooMany', params: { n: ids.length, max } } };
  if (ids.length === 0) return { problem: { key: 'error.empty', params: {} } };
  const key = ids.join(',');
  let pass = lastPass.get(model);
  if (pass?.key !== key) {
    pass = { key, run: model.forward(ids) };
    lastPass.set(model, pass);
  }
  const t = pass.run.trace(layer, head);
  const tokens = model.tokenPieces(ids).map((p) => tokenText(p.text));
  return {
    n: t.n,
    ids,
    tokens,
    layer,
    head,
    kvHead: t.kvHead,
    headDim: t.headDim,
    trace: { x: t.x, q: t.q, k: t.k, v: t.v, scores: t.scores, weights: t.weights, headOutput: t.headOutput },
  };
}

// The buffers of a modelPass() result, to transfer rather than copy.
export function passTransferables(result) {
  if (!result.trace) return [];
  return [result.ids.buffer, ...Object.values(result.trace).map((a) => a.buffer)];
}
