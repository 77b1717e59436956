// The model worker: opens a model (the user's file, or a built-in's bytes the page fetched; through
// web/lib/model.js) and runs every heavy call off the page's thread. Messages in:
// { type: 'load', loadId, file, tokenizer }, { type: 'run', id, text, position, ablate, probe },
// { type: 'generate', id, steps, temperature, seed }, { type: 'stop' }, { type: 'trace', id, layer, head }.
// Out: 'progress', 'loaded' (with the load's loadId), 'ran', 'token', 'done', 'traced', 'error' (with the
// core's message). One model at a time; loading another disposes it. Messages are handled one after
// another (a load that arrives while another reads waits for it), except 'stop', read at once.
// A run with probe: true also scores the probe set (./probe-set.js, the built-in language's
// sentences), without the heads switched off and intact.
// Generation runs through one KV-cache session (model.session()): the prompt once, then each new
// token appended alone; after each token the worker yields, so a 'stop' message is read between
// tokens.

import { loadModel, tokenLabels } from '../../lib/model.js';
import { PROBE_SENTENCES } from './probe-set.js';

// The most positions the grid draws maps for (each is n × n per head): longer texts are cut.
const MAX_POSITIONS = 128;
const TOP = 10; // predictions shown

let model = null;
let ids = null; // the last run's token ids
let pass = null; // the forward of `ids`, or null when ids grew past it (generation)
let session = null; // the generation's KV cache
let stopping = false; // a 'stop' arrived: generation ends before its next token
let ablate = []; // the heads the last run switched off, [[layer, head], …]
let probeIntact = null; // the open model's probe-set loss with every head on, once computed

// Mean −log p(next token) over positions 0 … n−2 of a pass (NaN for one token): the text's loss.
function textLoss(p, list) {
  if (list.length < 2) return NaN;
  let sum = 0;
  for (let i = 0; i + 1 < list.length; i++) {
    const logits = p.logits(i);
    let max = -Infinity;
    for (const v of logits) if (v > max) max = v;
    let z = 0;
    for (const v of logits) z += Math.exp(v - max);
    sum += Math.log(z) + max - logits[list[i + 1]];
  }
  return sum / (list.length - 1);
}

// The mean next-token loss over every prediction of the probe sentences (each tokenized with its
// BOS), with the heads in `off` switched off: { loss, predictions, sentences }.
function probeLoss(off) {
  let sum = 0;
  let count = 0;
  for (const sentence of PROBE_SENTENCES) {
    const list = model.tokenize(sentence);
    const p = model.forward(list, { ablate: off });
    sum += textLoss(p, list) * (list.length - 1);
    count += list.length - 1;
  }
  return { loss: sum / count, predictions: count, sentences: PROBE_SENTENCES.length };
}

function softmaxTop(logits, k) {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  let z = 0;
  for (const v of logits) z += Math.exp(v - max);
  const order = Array.from(logits.keys())
    .sort((a, b) => logits[b] - logits[a] || a - b)
    .slice(0, k);
  return order.map((id) => ({ id, p: Math.exp(logits[id] - max) / z }));
}

function pieceTexts(list) {
  return model.info.tokenizer ? model.tokenPieces(list).map((p) => p.text) : Array.from(list, (id) => `#${id}`);
}

// The top predictions after a position's logits, with their token texts.
function predictions(logits) {
  const top = softmaxTop(logits, TOP);
  const texts = pieceTexts(top.map((t) => t.id));
  return top.map((t, i) => ({ ...t, text: texts[i] }));
}

// ids: the sequence itself (after a generation), else the text tokenized (or read as ids).
function run({ id, text, position, ids: given, ablate: off, probe }) {
  let list = given
    ? Int32Array.from(given)
    : model.info.tokenizer
      ? model.tokenize(text)
      : Int32Array.from(text.split(/[\s,]+/).filter(Boolean), Number);
  const truncated = list.length > Math.min(MAX_POSITIONS, model.info.context);
  if (truncated) list = list.subarray(0, Math.min(MAX_POSITIONS, model.info.context));
  ids = list;
  ablate = Array.isArray(off) ? off : [];
  // The probe set first: each forward replaces the one before, and `pass` must stay this text's.
  let probed = null;
  if (probe && model.info.tokenizer) {
    if (!probeIntact) probeIntact = probeLoss([]);
    probed = { ...(ablate.length ? probeLoss(ablate) : probeIntact), intact: probeIntact.loss };
  }
  pass = model.forward(list, { ablate });
  const maps = [];
  for (let l = 0; l < model.info.layers; l++)
    for (let h = 0; h < model.info.heads; h++) maps.push(pass.attention(l, h));
  const pos = Number.isInteger(position) && position >= 0 && position < list.length ? position : list.length - 1;
  const top = predictions(pass.logits(pos));
  postMessage(
    {
      type: 'ran',
      id,
      ids: list,
      tokens: pieceTexts(list),
      // (n) each token's bytes, to find the words it spells (vocab-marks.js); none without a vocabulary
      bytes: model.info.tokenizer ? model.tokenPieces(list).map((p) => p.bytes) : null,
      maps,
      position: pos,
      top,
      truncated,
      ablate,
      loss: textLoss(pass, list),
      lossTokens: list.length, // the loss is over these tokens (a generation grows the run past them)
      probe: probed,
    },
    maps.map((m) => m.buffer),
  );
}

// Token by token through the session: each new token is appended at once, so its own query row
// (every layer and head: session.attention()) goes out with it, with the predictions after it.
async function generate({ id, steps, temperature, seed }) {
  session?.dispose();
  session = model.session({ seed, ablate });
  stopping = false;
  const seq = Array.from(ids ?? []);
  const limit = Math.min(model.info.context, MAX_POSITIONS);
  let logits = session.append(seq);
  for (let s = 0; s < steps && seq.length < limit && !stopping; s++) {
    const next = session.sample({ temperature, topK: temperature > 0 ? 40 : 0 });
    seq.push(next);
    logits = session.append([next]);
    const rows = session.attention(); // (layers·heads, positions)
    postMessage({ type: 'token', id, token: next, text: pieceTexts([next])[0], rows, top: predictions(logits) }, [
      rows.buffer,
    ]);
    // A task boundary: a 'stop' posted meanwhile is handled before the next token.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  session.dispose();
  session = null;
  ids = Int32Array.from(seq);
  pass = null;
  postMessage({ type: 'done', id, ids: seq, stopped: stopping });
}

// One head's full trace for the walkthrough (model.forward(ids).trace(layer, head)), with
// S = q·kᵀ before the division (rawScores, each q_i·k_j summed in float64 and rounded to float32):
// the core's trace gives the scores after ÷√head_dim and the mask.
function trace({ id, layer, head }) {
  if (!pass) pass = model.forward(ids, { ablate });
  const tr = pass.trace(layer, head);
  const { n, headDim: hd } = tr;
  const raw = new Float32Array(n * n); // (n, n) q_i·k_j, every pair
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let e = 0; e < hd; e++) dot += tr.q[i * hd + e] * tr.k[j * hd + e];
      raw[i * n + j] = dot;
    }
  postMessage({ type: 'traced', id, layer, head, trace: { ...tr, rawScores: raw } });
}

async function handle(data) {
  try {
    if (data.type === 'load') {
      session = null;
      model?.dispose();
      model = null;
      ids = null;
      ablate = [];
      probeIntact = null;
      const { loadId } = data;
      model = await loadModel(data.file, {
        tokenizer: data.tokenizer ?? undefined,
        onProgress: (read, total) => postMessage({ type: 'progress', loadId, read, total }),
      });
      postMessage({ type: 'loaded', loadId, info: { ...model.info, labels: tokenLabels(model) } });
    } else if (!model) {
      throw new Error('no model is open');
    } else if (data.type === 'run') {
      run(data);
    } else if (data.type === 'trace') {
      trace(data);
    } else if (data.type === 'heads') {
      postMessage({ type: 'heads', id: data.id, report: model.headScores({ seed: 1, probes: 8 }) });
    } else if (data.type === 'generate') {
      await generate(data);
    }
  } catch (err) {
    postMessage({
      type: 'error',
      id: data.id,
      loadId: data.loadId,
      stage: data.type,
      message: err?.message ?? String(err),
    });
  }
}

let queue = Promise.resolve(); // the message being handled, then the ones that arrived meanwhile
self.onmessage = ({ data }) => {
  if (data.type === 'stop') stopping = true;
  else queue = queue.then(() => handle(data));
};
