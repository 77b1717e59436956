// The model worker: opens the user's model file (web/lib/model.js) and runs every heavy call off the
// page's thread. Messages in: { type: 'load', file, tokenizer }, { type: 'run', id, text, position },
// { type: 'generate', id, steps, temperature, seed }, { type: 'stop' }, { type: 'trace', id, layer, head }.
// Out: 'progress', 'loaded', 'ran', 'token', 'done', 'traced', 'error' (with the core's message). One model at a time; loading another disposes it.
// Generation runs through one KV-cache session (model.session()): the prompt once, then each new
// token appended alone; after each token the worker yields, so a 'stop' message is read between
// tokens.

import { loadModel } from '../../lib/model.js';

// The most positions the grid draws maps for (each is n × n per head): longer texts are cut.
const MAX_POSITIONS = 128;
const TOP = 10; // predictions shown

let model = null;
let ids = null; // the last run's token ids
let pass = null; // the forward of `ids`, or null when ids grew past it (generation)
let session = null; // the generation's KV cache
let stopping = false; // a 'stop' arrived: generation ends before its next token
let ablate = []; // the heads the last run switched off, [[layer, head], …]

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
function run({ id, text, position, ids: given, ablate: off }) {
  let list = given
    ? Int32Array.from(given)
    : model.info.tokenizer
      ? model.tokenize(text)
      : Int32Array.from(text.split(/[\s,]+/).filter(Boolean), Number);
  const truncated = list.length > Math.min(MAX_POSITIONS, model.info.context);
  if (truncated) list = list.subarray(0, Math.min(MAX_POSITIONS, model.info.context));
  ids = list;
  ablate = Array.isArray(off) ? off : [];
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
      maps,
      position: pos,
      top,
      truncated,
      ablate,
      loss: textLoss(pass, list),
      lossTokens: list.length, // the loss is over these tokens (a generation grows the run past them)
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

self.onmessage = async ({ data }) => {
  try {
    if (data.type === 'load') {
      session = null;
      model?.dispose();
      model = null;
      ids = null;
      ablate = [];
      model = await loadModel(data.file, {
        tokenizer: data.tokenizer ?? undefined,
        onProgress: (read, total) => postMessage({ type: 'progress', read, total }),
      });
      postMessage({ type: 'loaded', info: model.info });
    } else if (data.type === 'stop') {
      stopping = true;
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
    postMessage({ type: 'error', id: data.id, stage: data.type, message: err?.message ?? String(err) });
  }
};
