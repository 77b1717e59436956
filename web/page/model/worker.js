// The model worker: opens the user's model file (web/lib/model.js) and runs every heavy call off the
// page's thread. Messages in: { type: 'load', file, tokenizer }, { type: 'run', id, text, position },
// { type: 'generate', id, ids, steps, temperature, seed }. Out: 'progress', 'loaded', 'ran', 'token',
// 'done', 'error' (with the core's message). One model at a time; loading another disposes it.

import { loadModel } from '../../lib/model.js';

// The most positions the grid draws maps for (each is n × n per head): longer texts are cut.
const MAX_POSITIONS = 128;
const TOP = 10; // predictions shown

let model = null;
let ids = null; // the last run's token ids

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

function run({ id, text, position }) {
  let list = model.info.tokenizer
    ? model.tokenize(text)
    : Int32Array.from(text.split(/[\s,]+/).filter(Boolean), Number);
  const truncated = list.length > Math.min(MAX_POSITIONS, model.info.context);
  if (truncated) list = list.subarray(0, Math.min(MAX_POSITIONS, model.info.context));
  ids = list;
  const pass = model.forward(list);
  const maps = [];
  for (let l = 0; l < model.info.layers; l++)
    for (let h = 0; h < model.info.heads; h++) maps.push(pass.attention(l, h));
  const pos = Number.isInteger(position) && position >= 0 && position < list.length ? position : list.length - 1;
  const top = softmaxTop(pass.logits(pos), TOP);
  const texts = pieceTexts(top.map((t) => t.id));
  postMessage(
    {
      type: 'ran',
      id,
      ids: list,
      tokens: pieceTexts(list),
      maps,
      position: pos,
      top: top.map((t, i) => ({ ...t, text: texts[i] })),
      truncated,
    },
    maps.map((m) => m.buffer),
  );
}

function generate({ id, steps, temperature, seed }) {
  let seq = Array.from(ids ?? []);
  for (let s = 0; s < steps && seq.length < model.info.context; s++) {
    const [next] = model.generate(seq, 1, { temperature, seed: seed + s, topK: temperature > 0 ? 40 : 0 });
    seq.push(next);
    postMessage({ type: 'token', id, token: next, text: pieceTexts([next])[0] });
  }
  postMessage({ type: 'done', id, ids: seq });
}

self.onmessage = async ({ data }) => {
  try {
    if (data.type === 'load') {
      model?.dispose();
      model = null;
      ids = null;
      model = await loadModel(data.file, {
        tokenizer: data.tokenizer ?? undefined,
        onProgress: (read, total) => postMessage({ type: 'progress', read, total }),
      });
      postMessage({ type: 'loaded', info: model.info });
    } else if (!model) {
      throw new Error('no model is open');
    } else if (data.type === 'run') {
      run(data);
    } else if (data.type === 'generate') {
      generate(data);
    }
  } catch (err) {
    postMessage({ type: 'error', id: data.id, stage: data.type, message: err?.message ?? String(err) });
  }
};
