// How the walkthrough draws each matrix, by its views/figures.js name: the caption, the cells'
// shape, what a hovered cell explains, and the editor that edits it. figure() turns a stage's
// figure (stages.js) into everything the figure grid needs; the data, colour range and masked
// cells come from views/figures.js, so a matrix here is coloured as in every other view.

import { matrix, maskFigure } from '../../views/figures.js';
import { t } from '../i18n/i18n.js';
import { EDITED } from './cell-editor.js';

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
  rawScores: { caption: (tr, h) => t('wt.name.raw', { h }), math: () => true, square: true },
  scaledScores: {
    caption: (tr, h) => t(tr.scale ? 'wt.name.scaled' : 'wt.name.unscaled', { h }),
    math: (tr) => tr.scale,
    square: true,
  },
  scores: { caption: (tr, h) => t('wt.name.masked', { h }), kind: 'scores', square: true },
  // Drawn white where a key may be attended to, grey where it is hidden; read out as 1 / 0.
  mask: {
    caption: () => t('wt.name.mask'),
    kind: 'mask',
    square: true,
    grid: true,
    legend: false,
    note: 'mask.paintHint',
  },
  weights: { caption: (tr, h) => t('wt.name.weights', { h }), kind: 'weights', square: true },
  // Per-row entropy beside the weights: one narrow column, its rows lined up with theirs.
  entropy: { caption: () => t('wt.name.entropy'), kind: 'entropy', rowLabels: false, maxCell: 16 },
  headOutput: { caption: (tr, h) => `out_${h}`, kind: 'headOutput' },
  concat: { caption: () => 'concat', kind: 'concat' },
  output: { caption: () => 'output', kind: 'output' },
});

// A figure of a stage, resolved for the trace: { id, name, head, caption, math, model, kind,
// colOffset, edit, click, square, rowLabels, legend, maxCell, grid, note, groups, cellHeight,
// labelsAtLineStart }. model is views/figures.js's figure model (values: what a hovered cell
// reads out, when the colours come from other data, as for the mask). state: the page's state
// (independent: the weights on their head's own scale). h: the focused head.
export function figure(spec, tr, state, h) {
  const look = LOOK[spec.name];
  if (!look) throw new Error(`the walkthrough draws no matrix named ${spec.name}`);
  const head = spec.head ?? h;
  const model =
    spec.name === 'mask'
      ? maskFigure(tr)
      : matrix(tr, spec.name, { head, independent: state.independent, rangeFrom: spec.rangeFrom ?? null });
  const { dModel, heads, dHead } = tr;
  return {
    id: spec.id ?? spec.name,
    name: spec.name,
    head,
    model,
    caption: look.caption(tr, head),
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
