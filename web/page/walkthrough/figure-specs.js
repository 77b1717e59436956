// How the walkthrough draws each matrix, by its views/figures.js name: the caption, the cells'
// shape, what a hovered cell explains, and the editor that edits it. figure() turns a stage's
// figure (stages.js) into everything the figure grid needs; the data, colour range and masked
// cells come from views/figures.js, so a matrix here is coloured as in every other view.

import { causalPreview, matrix, maskFigure, rescored } from '../../views/figures.js';
import { describe, scoresClaim, scoresNotation } from '../../views/describe.js';
import { t } from '../i18n/i18n.js';
import { EDITED } from './cell-editor.js';

// The score maps are named by what they hold in this pass (views/describe.js): S_h / √d_head only
// when the pass divided by it, + B_h only under ALiBi, + M only when the mask hides something.
const stage = (name) => ({
  caption: (tr, h) => scoresNotation(scoresClaim(describe(tr), name), h),
  claim: (tr) => scoresClaim(describe(tr), name),
  math: () => true,
  square: true,
});

const rescoredLook = (sqrtD) => {
  const claim = (tr) => ({ ...scoresClaim(describe(tr), 'weights'), sqrtD });
  return { caption: (tr, h) => scoresNotation(claim(tr), h), claim, math: () => true, square: true };
};

// caption(tr, h): the figure's name above it; math(tr): typeset it as notation (so is any caption
// that is pure notation, see figure-grid.js). kind: explain.js's kind for the tooltip (none: the
// value alone). slice: a head's columns of Q, K or V, explained as the d_model columns they are.
// square: n_q × n_k maps with square cells. projection: W_Q, W_K, W_V or W_O, d_model × d_model,
// with short rows and no row labels. note: the catalogue key of the line under the figure.
// grid, legend, maxCell, rowLabels: the heatmap's options (defaults: no grid, a legend, 30 px
// cells when square and 12 px otherwise, row labels).
const projection = (caption, kind) => ({ caption: () => caption, kind, projection: true, note: 'wt.weights.note' });
const LOOK = Object.freeze({
  embeddings: { caption: () => t('wt.name.E') },
  embeddingsKv: { caption: () => t('wt.name.Ekv') },
  pe: { caption: () => t('wt.name.PE') },
  peKv: { caption: () => t('wt.name.PEkv') },
  ropeAngles: { caption: () => t('wt.name.angles'), rowLabels: false },
  x: { caption: () => t('wt.name.X'), kind: 'x' },
  xKv: { caption: () => t('wt.name.Xkv') },
  wq: projection('W_Q', 'wq'),
  wk: projection('W_K', 'wk'),
  wv: projection('W_V', 'wv'),
  wo: projection('W_O', 'wo'),
  q: { caption: () => 'Q', kind: 'q' },
  k: { caption: () => 'K', kind: 'k' },
  v: { caption: () => 'V', kind: 'v' },
  qHead: { caption: (tr, h) => `Q_${h}`, kind: 'q', slice: true },
  kHead: { caption: (tr, h) => `K_${h}`, kind: 'k', slice: true },
  vHead: { caption: (tr, h) => `V_${h}`, kind: 'v', slice: true },
  qUnrotatedHead: { caption: (tr, h) => t('wt.name.qUnrot', { h }), slice: true },
  kUnrotatedHead: { caption: (tr, h) => t('wt.name.kUnrot', { h }), slice: true },
  rawScores: { ...stage('raw'), caption: (tr, h) => t('wt.name.raw', { h }) },
  scaledScores: stage('scaled'),
  bias: { caption: (tr, h) => t('wt.name.bias', { h }), math: () => true, square: true },
  biasedScores: stage('biased'),
  scores: { ...stage('masked'), kind: 'scores' },
  // The weights with and without √d_head, all else as in the pass: captions from their claims.
  softmaxWithSqrt: rescoredLook(true),
  softmaxWithoutSqrt: rescoredLook(false),
  causalMask: { caption: () => t('wt.name.causalMask'), square: true, grid: true, legend: false },
  causalScores: { caption: () => t('wt.name.causalScores'), square: true },
  // Drawn white where a key may be attended to, grey where it is hidden; read out as 1 / 0.
  mask: {
    caption: () => t('wt.name.mask'),
    kind: 'mask',
    square: true,
    grid: true,
    legend: false,
    note: 'mask.paintHint',
  },
  weights: { ...stage('weights'), kind: 'weights' },
  // Per-row entropy beside the weights: one narrow column, its rows lined up with theirs.
  entropy: { caption: () => t('wt.name.entropy'), kind: 'entropy', rowLabels: false, maxCell: 16 },
  headOutput: { caption: (tr, h) => `out_${h}`, kind: 'headOutput' },
  concat: { caption: () => t('wt.name.C'), kind: 'concat' },
  output: { caption: () => t('wt.name.Y'), kind: 'output' },
});

// A figure of a stage, resolved for the trace (spec.caption: a catalogue key, filled with h and
// spec.captionParams): { id, name, head, caption, math, model, kind,
// colOffset, edit, click, square, rowLabels, legend, maxCell, grid, note, groups, cellHeight,
// labelsAtLineStart }. model is views/figures.js's figure model (values: what a hovered cell
// reads out, when the colours come from other data, as for the mask). state: the page's state
// (independent: the weights on their head's own scale). h: the focused head.
export function figure(spec, tr, state, h) {
  const look = LOOK[spec.name];
  if (!look) throw new Error(`the walkthrough draws no matrix named ${spec.name}`);
  const head = spec.head ?? h;
  let model;
  if (spec.name === 'mask') model = maskFigure(tr);
  else if (spec.name === 'causalMask' || spec.name === 'causalScores') model = causalPreview(tr, head)[spec.name];
  else if (spec.name === 'softmaxWithSqrt' || spec.name === 'softmaxWithoutSqrt')
    model = rescored(tr, head, { sqrtD: spec.name === 'softmaxWithSqrt' });
  else model = matrix(tr, spec.name, { head, independent: state.independent, rangeFrom: spec.rangeFrom ?? null });
  // What a score map holds (views/describe.js scoresClaim), for tests that recompute it.
  if (look.claim) model.claim = look.claim(tr);
  const { dModel, heads, dHead } = tr;
  return {
    id: spec.id ?? spec.name,
    name: spec.name,
    head,
    model,
    caption: spec.caption ? t(spec.caption, { h: head, ...spec.captionParams }) : look.caption(tr, head),

    math: Boolean(look.math?.(tr)),
    kind: spec.kind === undefined ? (look.kind ?? null) : spec.kind,
    colOffset: look.slice ? head * dHead : 0,
    edit: EDITED[spec.name] ?? null,
    click: spec.click ?? null,
    square: look.square ?? false,
    rowLabels: !look.projection && look.rowLabels !== false,
    legend: spec.legend ?? look.legend ?? true,
    maxCell: look.maxCell,
    grid: Boolean(look.grid),
    note: spec.note ?? look.note ?? null,
    groups:
      spec.groups && heads > 1
        ? { size: dHead, labels: Array.from({ length: heads }, (_, g) => t('axis.head', { h: g })) }
        : undefined,
    cellHeight: look.projection ? Math.max(1, Math.min(6, Math.floor(240 / dModel))) : undefined,
    labelsAtLineStart: Boolean(spec.labelsAtLineStart),
  };
}
