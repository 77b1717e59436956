// What a drawing of one matrix of a trace shows: its data, shape, labels, colormap, colour range
// and masked cells. Every view that draws a matrix (the overview, the walkthrough, the widget, an
// export) takes it from matrix() here, so the same matrix is coloured the same everywhere.
// No DOM: a figure model is plain data for draw/heatmap.js and draw/export.js.
//
// The trace is the page's plain trace (views/trace.js): per-head arrays indexed [head], e.g.
// trace.weights[h] (n, nKv) row-major; trace.mask (n, nKv) 1 = query i may attend to key j.
//
// Mask vocabulary, one meaning per word:
//   mask    1 = may attend (the core's and the trace's);
//   masked  1 = this cell is masked out, drawn hatched (the heatmap's model field).
//
// Colour ranges, one rule per kind:
//   weights   [0, m], m the largest weight in any row that has two or more keys to attend to
//             (a row with one key left is 1 there by construction and says nothing), over every
//             head so heads compare, or over the one head drawn when heads are on their own
//             scales (independent); [0, 1] when no row qualifies.
//   entropy   [0, ln max(2, nKv)]: from a one-hot row to a uniform one.
//   others    signed: [−m, m], m the largest finite |value| of the matrix (or of the matrix
//             named by rangeFrom, when figures drawn side by side share one scale).

import { symmetricRange } from '../draw/colormap.js';

// Matrices by name → where they live in the trace and their shape.
//   per: 'head' for per-head arrays trace[key][h]; joined: the per-head blocks side by side.
//   rows/cols: 'n' queries, 'nKv' keys, 'dModel', 'dHead', or 1.
//   labels: which token list labels the rows ('tokens' | 'keyTokens' | null) and the columns.
const MATRICES = Object.freeze({
  embeddings: { key: 'embeddings', rows: 'n', cols: 'dModel', rowLabels: 'tokens' },
  embeddingsKv: { key: 'embeddingsKv', rows: 'nKv', cols: 'dModel', rowLabels: 'keyTokens' },
  x: { key: 'x', rows: 'n', cols: 'dModel', rowLabels: 'tokens' },
  xKv: { key: 'xKv', rows: 'nKv', cols: 'dModel', rowLabels: 'keyTokens' },
  wq: { key: 'wq', rows: 'dModel', cols: 'dModel', rowLabels: null },
  wk: { key: 'wk', rows: 'dModel', cols: 'dModel', rowLabels: null },
  wv: { key: 'wv', rows: 'dModel', cols: 'dModel', rowLabels: null },
  wo: { key: 'wo', rows: 'dModel', cols: 'dModel', rowLabels: null },
  q: { key: 'q', joined: true, rows: 'n', cols: 'dModel', rowLabels: 'tokens' },
  k: { key: 'k', joined: true, rows: 'nKv', cols: 'dModel', rowLabels: 'keyTokens' },
  v: { key: 'v', joined: true, rows: 'nKv', cols: 'dModel', rowLabels: 'keyTokens' },
  qHead: { key: 'q', per: 'head', rows: 'n', cols: 'dHead', rowLabels: 'tokens' },
  kHead: { key: 'k', per: 'head', rows: 'nKv', cols: 'dHead', rowLabels: 'keyTokens' },
  vHead: { key: 'v', per: 'head', rows: 'nKv', cols: 'dHead', rowLabels: 'keyTokens' },
  rawScores: { key: 'rawScores', per: 'head', rows: 'n', cols: 'nKv', rowLabels: 'tokens', colLabels: 'keyTokens' },
  scaledScores: {
    key: 'unmaskedScores',
    per: 'head',
    rows: 'n',
    cols: 'nKv',
    rowLabels: 'tokens',
    colLabels: 'keyTokens',
  },
  scores: { key: 'scores', per: 'head', rows: 'n', cols: 'nKv', rowLabels: 'tokens', colLabels: 'keyTokens' },
  weights: { key: 'weights', per: 'head', rows: 'n', cols: 'nKv', rowLabels: 'tokens', colLabels: 'keyTokens' },
  entropy: { key: 'entropy', per: 'head', rows: 'n', cols: 1, rowLabels: 'tokens' },
  headOutput: { key: 'headOutput', per: 'head', rows: 'n', cols: 'dHead', rowLabels: 'tokens' },
  concat: { key: 'concat', rows: 'n', cols: 'dModel', rowLabels: 'tokens' },
  output: { key: 'output', rows: 'n', cols: 'dModel', rowLabels: 'tokens' },
});

export const MATRIX_NAMES = Object.freeze(Object.keys(MATRICES));

const size = (trace, dim) => (typeof dim === 'number' ? dim : trace[dim]);

// Q, K or V as one (rows, d_model) matrix from its per-head (rows, d_head) blocks.
export function joinHeads(blocks, rows, dHead) {
  const out = new Float32Array(rows * dHead * blocks.length);
  const dModel = dHead * blocks.length;
  blocks.forEach((b, h) => {
    for (let i = 0; i < rows; i++) out.set(b.subarray(i * dHead, (i + 1) * dHead), i * dModel + h * dHead);
  });
  return out;
}

// The data of matrix `name` (head h for per-head ones), row-major.
export function matrixData(trace, name, head = 0) {
  const spec = MATRICES[name];
  if (!spec) throw new Error(`no matrix named ${name}`);
  const value = trace[spec.key];
  if (spec.per === 'head') return value[head];
  if (spec.joined) return joinHeads(value, size(trace, spec.rows), trace.dHead);
  return value;
}

// What is derived from a trace once and read by every figure of it (the overview draws the
// weights of every head, each with the mask and the range over all heads): trace → { masked,
// ranges: Map(heads key → range) }. The arrays are shared: a figure reads them, never edits them.
const derived = new WeakMap();
function derivedOf(trace) {
  let d = derived.get(trace);
  if (!d) derived.set(trace, (d = { masked: null, ranges: new Map() }));
  return d;
}

// (n, nKv) 1 = masked out, from the trace's mask (1 = may attend). Shared by the trace's figures.
export function maskedCells(trace) {
  const d = derivedOf(trace);
  if (!d.masked) {
    const { mask } = trace;
    d.masked = new Uint8Array(mask.length);
    for (let k = 0; k < mask.length; k++) d.masked[k] = mask[k] ? 0 : 1;
  }
  return d.masked;
}

// The weights' colour range (see the rule above). heads: the head indices it spans.
export function weightsRange(trace, heads) {
  const d = derivedOf(trace);
  const key = heads.join(',');
  let range = d.ranges.get(key);
  if (!range) d.ranges.set(key, (range = computeWeightsRange(trace, heads)));
  return [...range];
}

function computeWeightsRange(trace, heads) {
  const { n, nKv } = trace;
  let m = 0;
  for (const h of heads) {
    const w = trace.weights[h];
    for (let i = 0; i < n; i++) {
      let open = 0;
      let rowMax = 0;
      for (let j = 0; j < nKv; j++) {
        if (trace.mask[i * nKv + j]) open++;
        if (w[i * nKv + j] > rowMax) rowMax = w[i * nKv + j];
      }
      if (open > 1 && rowMax > m) m = rowMax;
    }
  }
  return [0, m > 0 ? m : 1];
}

export const entropyRange = (nKv) => [0, Math.log(Math.max(2, nKv))];

// The figure model of matrix `name`:
//   { name, head, rows, cols, data, colormap, range, masked?, rowLabels?, colLabels? }
// options: head (per-head matrices), independent (weights on the head's own scale),
//          rangeFrom (a signed matrix's name whose range this one shares).
export function matrix(trace, name, { head = 0, independent = false, rangeFrom = null } = {}) {
  const spec = MATRICES[name];
  if (!spec) throw new Error(`no matrix named ${name}`);
  const data = matrixData(trace, name, head);
  const model = {
    name,
    head: spec.per === 'head' ? head : null,
    rows: size(trace, spec.rows),
    cols: size(trace, spec.cols),
    data,
    colormap: name === 'weights' || name === 'entropy' ? 'viridis' : 'diverging',
  };
  if (name === 'weights') {
    const heads = independent ? [head] : Array.from({ length: trace.heads }, (_, h) => h);
    model.range = weightsRange(trace, heads);
    model.masked = maskedCells(trace);
  } else if (name === 'entropy') {
    model.range = entropyRange(trace.nKv);
  } else {
    model.range = symmetricRange(rangeFrom ? matrixData(trace, rangeFrom, head) : data);
  }
  if (spec.rowLabels) model.rowLabels = trace[spec.rowLabels];
  if (spec.colLabels) model.colLabels = trace[spec.colLabels];
  return model;
}

// The mask drawn as a figure (the walkthrough's mask step): every cell 0, the middle of the
// diverging scale (white), and masked (hatched) where the key is hidden; values is the trace's
// mask itself, (n, nKv) row-major, 1 = may attend, for what a hovered cell reads out.
//   { name, head, rows, cols, data, values, colormap, range, masked, rowLabels, colLabels }
export function maskFigure(trace) {
  const { n, nKv } = trace;
  return {
    name: 'mask',
    head: null,
    rows: n,
    cols: nKv,
    data: new Float32Array(n * nKv),
    values: trace.mask,
    colormap: 'diverging',
    range: [-12, 12],
    masked: maskedCells(trace),
    rowLabels: trace.tokens,
    colLabels: trace.keyTokens,
  };
}
