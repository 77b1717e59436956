// The built-in models (web/models/, trained by scripts/train): fetched from the page's own origin
// (models/<name>.gguf beside index.html; scripts/build-site ships them), each with its training log
// models/<name>.json (task, seed, steps, held-out accuracy and loss, the loss curve), and the text a
// model opens on when a link gives none.

import { BUILTIN_MODELS, BUILTIN_TEXT } from '../state.js';
import { defaultText } from '../../widget/builtin-models.js';
import { declaredLength, readBody } from '../../lib/download.js';

export { BUILTIN_MODELS };

// The address of a built-in's file, relative to the page (never another origin).
export function builtinUrl(name, ext = 'gguf') {
  if (!BUILTIN_MODELS.includes(name)) throw new Error(`there is no built-in model named "${name}"`);
  return new URL(`models/${name}.${ext}`, document.baseURI);
}

// Fetches a built-in model's file: resolves to its bytes (a Blob); onProgress(read, total)
// while it arrives (total 0 when the server does not say). Rejects with an Error naming the address
// and what went wrong (no network, HTTP status, a cut-off transfer).
export async function fetchBuiltin(name, { onProgress = () => {}, signal } = {}) {
  const url = builtinUrl(name);
  const where = `models/${name}.gguf`;
  let response;
  try {
    response = await fetch(url, { signal });
  } catch (err) {
    throw new Error(`${where} could not be fetched (${err.message})`);
  }
  if (!response.ok) throw new Error(`${where}: the server answered ${response.status} ${response.statusText}`.trim());
  const total = declaredLength(response);
  const blob = await readBody(response, {
    onProgress,
    broken: (err) => new Error(`${where} stopped arriving (${err.message})`),
  });
  if (total && blob.size !== total) throw new Error(`${where} arrived cut off: ${blob.size} of ${total} bytes`);
  return blob;
}

// The training log of a built-in (scripts/train's <name>.json): { task, seed, steps, heldout_accuracy,
// heldout_loss, heldout_sequences, … }. Rejects with an Error saying why it could not be read.
export async function fetchTrainingLog(name, { signal } = {}) {
  const where = `models/${name}.json`;
  let response;
  try {
    response = await fetch(builtinUrl(name, 'json'), { signal });
  } catch (err) {
    throw new Error(`${where} could not be fetched (${err.message})`);
  }
  if (!response.ok) throw new Error(`${where}: the server answered ${response.status} ${response.statusText}`.trim());
  const log = await response.json().catch(() => {
    throw new Error(`${where} is not JSON`);
  });
  for (const key of ['task', 'seed', 'steps', 'heldout_accuracy'])
    if (log[key] === undefined) throw new Error(`${where} has no "${key}"`);
  return log;
}

// The text a built-in opens on. The language: the page's default sentence in lower case (its
// vocabulary is lower case). A toy task: the widget's default for it, built from the labels the file
// names (info.labels, from the worker), e.g. reverse's symbols, SEP, then their mirror.
export function builtinText(name, info) {
  if (name === 'language') return BUILTIN_TEXT;
  const text = defaultText(name, info.labels, info.context);
  if (text === null) throw new Error(`the built-in model "${name}" has no labels to write a text with`);
  return text;
}
