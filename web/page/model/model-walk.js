// The walkthrough on a real model's layer and head: the stages of the random-weights walkthrough
// that a model head has (X, Q/K/V, scores, scale, mask, softmax, weights · V), drawn with the same
// figures (walkthrough/figure-specs.js, views/figures.js) from model.forward(ids).trace(layer, head).
// Left out: tokens and embeddings E (the model's embeddings are not what the layer reads), E + PE
// (no sinusoid is added: RoPE rotates q and k, gpt2 adds learned positions before layer 0), the
// weight matrices W_Q, W_K, W_V (the file's, not exported), concat, W_O and the output (one head).
// Every formula, shape and note comes from views/describe.js describeModel() of this model.

import { el } from '../../draw/dom.js';
import { formula, mixed } from '../../draw/math.js';
import { formatNumber } from '../../draw/format.js';
import { t } from '../i18n/i18n.js';
import { figure } from '../walkthrough/figure-specs.js';
import { FigureGrid } from '../walkthrough/figure-grid.js';
import { fitFormulas } from '../walkthrough/fit-formula.js';
import { causalAllowed, rescored } from '../../views/figures.js';
import { modelStageFormula } from '../../views/describe.js';

// The stages, in order (stage k is MODEL_STAGES[k − 1]). title, text: catalogue keys; stage:
// modelStageFormula's name.
// body(d): rows of figures (figure-specs.js specs; captionParams fill the caption's catalogue key).
const kvParams = (d) => ({ g: d.kvHead });
export const MODEL_STAGES = Object.freeze([
  {
    key: 'x',
    title: 'model.wt.x',
    text: 'model.wt.x.desc',
    stage: 'x',
    shape: (d) => t('model.wt.shape.x', { n: d.n, dModel: d.dModel }),
    body: () => [[{ name: 'x', caption: 'model.wt.name.x' }]],
  },
  {
    key: 'qkv',
    title: 'model.wt.qkv',
    text: 'model.wt.qkv.desc',
    stage: 'qkv',
    shape: (d) => t('model.wt.shape.qkv', { n: d.n, dHead: d.dHead, h: d.head, g: d.kvHead }),
    body: (d) => [
      [
        { name: 'qHead', caption: 'model.wt.name.q' },
        { name: 'kHead', caption: 'model.wt.name.k', captionParams: kvParams(d) },
        { name: 'vHead', caption: 'model.wt.name.v', captionParams: kvParams(d) },
      ],
    ],
  },
  {
    key: 'scores',
    title: 'model.wt.scores',
    text: 'model.wt.scores.desc',
    stage: 'raw',
    shape: (d) => t('model.wt.shape.map', { n: d.n, dHead: d.dHead }),
    body: (d) => [
      [
        { name: 'qHead', caption: 'model.wt.name.q' },
        { name: 'kHead', caption: 'model.wt.name.k', captionParams: kvParams(d) },
      ],
      [{ name: 'rawScores', caption: 'model.wt.name.raw', captionParams: kvParams(d) }],
    ],
  },
  {
    key: 'scale',
    title: 'model.wt.scale',
    text: 'model.wt.scale.desc',
    stage: 'scaled',
    shape: (d) => t('model.wt.shape.map', { n: d.n, dHead: d.dHead }),
    body: (d) => [
      [
        { name: 'rawScores', caption: 'model.wt.name.raw', captionParams: kvParams(d) },
        { name: 'scaledScores', rangeFrom: 'rawScores' },
      ],
      [{ name: 'softmaxWithSqrt' }, { name: 'softmaxWithoutSqrt' }],
    ],
    rowMax: true,
  },
  {
    key: 'mask',
    title: 'model.wt.mask',
    text: 'model.wt.mask.desc',
    stage: 'masked',
    shape: (d) => t('model.wt.shape.map', { n: d.n, dHead: d.dHead }),
    body: () => [[{ name: 'mask' }, { name: 'biasedScores' }, { name: 'scores', rangeFrom: 'biasedScores' }]],
  },
  {
    key: 'softmax',
    title: 'model.wt.softmax',
    text: 'model.wt.softmax.desc',
    stage: 'weights',
    shape: (d) => t('model.wt.shape.map', { n: d.n, dHead: d.dHead }),
    body: () => [[{ name: 'scores' }, { name: 'weights', note: 'wt.softmax.rows' }, { name: 'entropy' }]],
  },
  {
    key: 'sum',
    title: 'model.wt.sum',
    text: 'model.wt.sum.desc',
    stage: 'sum',
    shape: (d) => t('model.wt.shape.sum', { n: d.n, dHead: d.dHead, h: d.head, g: d.kvHead }),
    body: (d) => [
      [
        { name: 'weights' },
        { name: 'vHead', caption: 'model.wt.name.v', captionParams: kvParams(d) },
        { name: 'headOutput' },
      ],
    ],
  },
]);

// The model head's trace in the plain trace's shape (views/trace.js) that views/figures.js reads:
// per-head arrays hold only head h (index h, so every label says the real head), K and V are the
// K/V head's. Nothing is recomputed here but each row's entropy (nats, from the core's weights) and
// the scaled scores before the mask, rawScores / √head_dim (the core's trace gives them masked).
export function modelTrace(tr, { tokens, d }) {
  const { n, headDim } = tr;
  const h = d.head;
  const at = (value) => {
    const list = new Array(d.heads).fill(null);
    list[h] = value;
    return list;
  };
  const scale = 1 / Math.sqrt(headDim);
  const scaled = Float32Array.from(tr.rawScores, (s) => s * scale); // (n, n)
  const entropy = new Float32Array(n); // (n)
  for (let i = 0; i < n; i++) {
    let e = 0;
    for (let j = 0; j < n; j++) {
      const w = tr.weights[i * n + j];
      if (w > 0) e -= w * Math.log(w);
    }
    entropy[i] = e;
  }
  return {
    tokens,
    keyTokens: tokens,
    n,
    nKv: n,
    dModel: tr.dModel,
    heads: d.heads,
    dHead: headDim,
    temperature: 1,
    causal: true,
    positional: d.positional,
    scale: true,
    padding: [],
    painted: [],
    edits: [],
    cross: false,
    mask: causalAllowed(n), // (n, n) 1 = may attend: keys j ≤ i
    x: tr.x, // (n, d_model) the layer's normalised input
    q: at(tr.q), // [head] (n, d_head) after RoPE
    k: at(tr.k), // [head] (n, d_head) K/V head g's, after RoPE
    v: at(tr.v),
    rawScores: at(tr.rawScores), // [head] (n, n) q_i·k_j
    scaledScores: at(scaled),
    unmaskedScores: at(scaled), // no ALiBi: the scaled scores are the unmasked ones
    scores: at(tr.scores), // [head] (n, n) ÷√d_head, −∞ where j > i (the core's)
    weights: at(tr.weights),
    entropy: at(entropy),
    headOutput: at(tr.headOutput),
    alibiSlopes: null,
    qUnrotated: null,
    kUnrotated: null,
  };
}

export class ModelWalk {
  // root: an element to fill; onStep(k): Back, Next or a dot asked for stage k (1 …).
  constructor(root, { tooltip, onStep }) {
    this.root = root;
    this.tooltip = tooltip;
    this.onStep = onStep;
    this.grid = new FigureGrid({ onHover: (fig, cell) => this.hover(fig, cell), onClick: () => {} });
    const top = el('div', 'wt-top', root);
    this.back = el('button', { type: 'button', class: 'button', id: 'model-walk-back' }, top, t('wt.back'));
    this.dots = el('ol', 'wt-progress', top);
    this.next = el(
      'button',
      { type: 'button', class: 'button button-primary', id: 'model-walk-next' },
      top,
      t('wt.next'),
    );
    this.back.addEventListener('click', () => this.onStep(Math.max(1, this.k - 1)));
    this.next.addEventListener('click', () => this.onStep(Math.min(MODEL_STAGES.length, this.k + 1)));
    MODEL_STAGES.forEach((stage, i) => {
      const b = el('button', { type: 'button', class: 'wt-dot' }, el('li', '', this.dots), String(i + 1));
      b.title = t(stage.title);
      b.addEventListener('click', () => this.onStep(i + 1));
    });
    this.card = el('section', 'step wt-card', root);
    const head = el('header', 'step-head', this.card);
    this.counter = el('span', 'wt-counter', head);
    this.title = el('h3', 'step-title', head);
    this.shape = el('span', { class: 'shape', id: 'model-walk-shape' }, head);
    this.desc = el('p', 'step-desc wt-desc', this.card);
    this.formula = el('div', { class: 'wt-formula', id: 'model-walk-formula' }, this.card);
    this.notes = el('div', 'wt-extra', this.card);
    this.body = el('div', 'wt-body', this.card);
  }

  figures() {
    return this.grid.maps();
  }

  // Draws stage k of the plain trace tr for the model description d.
  render(tr, d, k, { layer }) {
    this.tr = tr;
    this.k = Math.max(1, Math.min(MODEL_STAGES.length, k));
    const stage = MODEL_STAGES[this.k - 1];
    const h = d.head;
    this.root.dataset.step = String(this.k);
    this.back.disabled = this.k === 1;
    this.next.disabled = this.k === MODEL_STAGES.length;
    [...this.dots.querySelectorAll('.wt-dot')].forEach((b, i) => b.classList.toggle('is-current', i + 1 === this.k));
    this.counter.textContent = t('model.wt.counter', { k: this.k, total: MODEL_STAGES.length, l: layer, h });
    this.title.textContent = t(stage.title, { h });
    this.desc.textContent = t(stage.text, {
      n: d.n,
      dModel: d.dModel,
      dHead: d.dHead,
      h,
      g: d.kvHead,
      l: layer,
    });
    this.formula.replaceChildren(formula(modelStageFormula(d, stage.stage, h)));
    this.shape.textContent = stage.shape(d);
    this.notes.replaceChildren();
    for (const text of notes(stage, d, tr)) el('p', 'wt-note', this.notes).appendChild(mixed(text));
    this.body.replaceChildren();
    this.grid.clear();
    for (const items of stage.body(d)) {
      const row = el('div', items.length === 3 ? 'wt-row wt-row-3' : 'wt-row', this.body);
      for (const spec of items) this.grid.add(row, figure(spec, tr, { independent: true }, h));
    }
    this.grid.flush(tr.n);
    fitFormulas([this.formula]);
  }

  hover(fig, cell) {
    if (!cell) {
      this.tooltip.hide();
      return;
    }
    const m = fig.model;
    const value = m.values ? m.values[cell.row * m.cols + cell.col] : cell.value;
    const row = m.rowLabels ? `${cell.row} ${m.rowLabels[cell.row]}` : String(cell.row);
    const col = m.colLabels ? `${cell.col} ${m.colLabels[cell.col]}` : String(cell.col);
    this.tooltip.show(
      { title: fig.caption, lines: [t('model.wt.cell', { row, col, value: formatNumber(value, 4) })] },
      cell.clientX,
      cell.clientY,
    );
  }
}

// A stage's notes, from the description: how positions enter (RoPE's style and base, or none),
// which K/V head is read, and at the scale step the mean row maximum with and without √d_head.
function notes(stage, d, tr) {
  const out = [];
  if (stage.key === 'x') out.push(t('model.wt.x.pos', { arch: d.arch }));
  if (stage.key === 'qkv') {
    out.push(
      d.positional === 'rope'
        ? t(d.rope === 'neox' ? 'model.wt.rope.neox' : 'model.wt.rope.norm', {
            base: formatNumber(d.ropeBase, 6),
            nRot: d.nRot,
            dHead: d.dHead,
          })
        : t('model.wt.rope.none', { arch: d.arch }),
    );
    if (d.qkvBias) out.push(t('model.wt.bias'));
  }
  if (stage.key === 'qkv' || stage.key === 'scores' || stage.key === 'sum')
    out.push(
      d.kvHeads < d.heads
        ? t('model.wt.gqa', { h: d.head, g: d.kvHead, from: d.kvHead * d.group, to: (d.kvHead + 1) * d.group - 1 })
        : t('model.wt.mha', { h: d.head }),
    );
  if (stage.rowMax)
    out.push(
      t('wt.scale.rowMax', {
        with: formatNumber(rescored(tr, d.head, { sqrtD: true }).rowMaxMean, 2),
        without: formatNumber(rescored(tr, d.head, { sqrtD: false }).rowMaxMean, 2),
      }),
    );
  return out;
}
