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
//   angles    [0, m], m the largest angle (RoPE's rotation angles, radians).
//   others    signed: [−m, m], m the largest finite |value| of the matrix (or of the matrices
//             named by rangeFrom, when figures drawn side by side share one scale).

import { symmetricRange } from '../draw/colormap.js';

// Matrices by name → where they live in the trace and their shape.
//   per: 'head' for per-head arrays trace[key][h]; joined: the per-head blocks side by side.
//   rows/cols: 'n' queries, 'nKv' keys, 'dModel', 'dHead', or 1.
//   labels: which token list labels the rows ('tokens' | 'keyTokens' | null) and the columns.
const MATRICES = Object.freeze({
  embeddings: { key: 'embeddings', rows: 'n', cols: 'dModel', rowLabels: 'tokens' },
  embeddingsKv: { key: 'embeddingsKv', rows: 'nKv', cols: 'dModel', rowLabels: 'keyTokens' },
  pe: { key: 'pe', rows: 'n', cols: 'dModel', rowLabels: 'tokens' },
  peKv: { key: 'peKv', rows: 'nKv', cols: 'dModel', rowLabels: 'keyTokens' },
  ropeAngles: { key: 'ropeAngles', rows: 'nPos', cols: 'dPairs', rowLabels: null },
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
  qUnrotatedHead: { key: 'qUnrotated', slice: true, rows: 'n', cols: 'dHead', rowLabels: 'tokens' },
  kUnrotatedHead: { key: 'kUnrotated', slice: true, rows: 'nKv', cols: 'dHead', rowLabels: 'keyTokens' },
  kHead: { key: 'k', per: 'head', rows: 'nKv', cols: 'dHead', rowLabels: 'keyTokens' },
  vHead: { key: 'v', per: 'head', rows: 'nKv', cols: 'dHead', rowLabels: 'keyTokens' },
  rawScores: { key: 'rawScores', per: 'head', rows: 'n', cols: 'nKv', rowLabels: 'tokens', colLabels: 'keyTokens' },
  scaledScores: {
    key: 'scaledScores',
    per: 'head',
    rows: 'n',
    cols: 'nKv',
    rowLabels: 'tokens',
    colLabels: 'keyTokens',
  },
  // ALiBi's bias B_h (n, nKv) = −m_h·|i − j|, from the core's slopes; and the scaled scores plus it.
  bias: { key: 'alibiSlopes', bias: true, rows: 'n', cols: 'nKv', rowLabels: 'tokens', colLabels: 'keyTokens' },
  biasedScores: {
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

// nPos: positions a table covers (queries and keys both count from 0); dPairs: RoPE's pairs per head.
const DERIVED = { nPos: (tr) => Math.max(tr.n, tr.nKv), dPairs: (tr) => tr.dHead / 2 };
const size = (trace, dim) => (typeof dim === 'number' ? dim : DERIVED[dim] ? DERIVED[dim](trace) : trace[dim]);

// B_h (n, nKv): −m_h·|i − j| in float32, the term the pass adds (kernels: s·scale − m·|i − j|).
export function alibiBias(trace, head) {
  const { n, nKv } = trace;
  const m = trace.alibiSlopes[head];
  const out = new Float32Array(n * nKv);
  for (let i = 0; i < n; i++) for (let j = 0; j < nKv; j++) out[i * nKv + j] = -Math.fround(m * Math.abs(i - j));
  return out;
}

// Columns h·dHead … (h+1)·dHead − 1 of a (rows, dModel) matrix.
function headSlice(all, rows, dModel, dHead, h) {
  const out = new Float32Array(rows * dHead);
  for (let i = 0; i < rows; i++) out.set(all.subarray(i * dModel + h * dHead, i * dModel + (h + 1) * dHead), i * dHead);
  return out;
}

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
  if (value === null || value === undefined) throw new Error(`this trace holds no ${name} (${spec.key})`);
  if (spec.bias) return alibiBias(trace, head);
  if (spec.slice) return headSlice(value, size(trace, spec.rows), trace.dModel, trace.dHead, head);
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
//          rangeFrom (a signed matrix's name, or a list of names, whose joint range this one shares).
export function matrix(trace, name, { head = 0, independent = false, rangeFrom = null } = {}) {
  const spec = MATRICES[name];
  if (!spec) throw new Error(`no matrix named ${name}`);
  const data = matrixData(trace, name, head);
  const model = {
    name,
    head: spec.per === 'head' || spec.slice || spec.bias ? head : null,
    rows: size(trace, spec.rows),
    cols: size(trace, spec.cols),
    data,
    colormap: name === 'weights' || name === 'entropy' || name === 'ropeAngles' ? 'viridis' : 'diverging',
  };
  if (name === 'weights') {
    const heads = independent ? [head] : Array.from({ length: trace.heads }, (_, h) => h);
    model.range = weightsRange(trace, heads);
    model.masked = maskedCells(trace);
  } else if (name === 'entropy') {
    model.range = entropyRange(trace.nKv);
  } else if (name === 'ropeAngles') {
    let m = 0;
    for (const a of data) m = Math.max(m, a);
    model.range = [0, m > 0 ? m : 1];
  } else if (rangeFrom) {
    const names = Array.isArray(rangeFrom) ? rangeFrom : [rangeFrom];
    const ranges = names.map((other) => symmetricRange(matrixData(trace, other, head))[1]);
    const m = Math.max(...ranges);
    model.range = [-m, m];
  } else {
    model.range = symmetricRange(data);
  }
  if (spec.rowLabels) model.rowLabels = trace[spec.rowLabels];
  if (spec.colLabels) model.colLabels = trace[spec.colLabels];
  return model;
}

// The mask drawn as a figure (the walkthrough's mask step): every cell 0, the middle of the
// diverging scale (white), and masked (hatched) where the key is hidden. values is the additive
// mask M itself, (n, nKv) row-major: 0 where query i may attend to key j, −∞ where it is hidden,
// for what a hovered cell reads out. allowed: (n, nKv) 1 = may attend (default: the trace's).
//   { name, head, rows, cols, data, values, colormap, range, masked, rowLabels, colLabels }
export function maskFigure(trace, allowed = trace.mask, name = 'mask') {
  const { n, nKv } = trace;
  return {
    name,
    head: null,
    rows: n,
    cols: nKv,
    data: new Float32Array(n * nKv),
    values: Float32Array.from(allowed, (a) => (a ? 0 : -Infinity)),
    colormap: 'diverging',
    range: [-12, 12],
    masked: Uint8Array.from(allowed, (a) => 1 - a),
    rowLabels: trace.tokens,
    colLabels: trace.keyTokens,
  };
}

// (n, n) 1 where the causal mask lets query i attend to key j (j ≤ i).
export function causalAllowed(n) {
  const allowed = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) allowed.fill(1, i * n, i * n + i + 1);
  return allowed;
}

// What the causal mask would do to the scores before the mask (self-attention): the causal M as a
// mask figure ('causalMask'), and the scores plus it ('causalScores': −∞ where j > i, hatched).
export function causalPreview(trace, head, { rangeFrom = 'biasedScores' } = {}) {
  const allowed = causalAllowed(trace.n);
  const before = matrix(trace, 'biasedScores', { head, rangeFrom });
  const data = Float32Array.from(before.data, (v, c) => (allowed[c] ? v : -Infinity));
  return {
    causalMask: maskFigure(trace, allowed, 'causalMask'),
    causalScores: { ...before, name: 'causalScores', data, masked: Uint8Array.from(allowed, (a) => 1 - a) },
  };
}

// The weights of head `head` as they would be with or without the √d_head division (sqrtD), all
// else as in the pass (T, ALiBi's bias, the mask): softmax over each row of
// S_h / (√d_head · T) + B_h + M, from the core's S_h = Q_h K_hᵀ (rawScores) and its slopes. One of
// the two is the pass's own P_h (up to float rounding); the other is the road not taken.
//   { name: 'softmaxWithSqrt' | 'softmaxWithoutSqrt', head, rows, cols, data, colormap, range,
//     masked, rowLabels, colLabels, rowMaxMean }   rowMaxMean: the mean of each open row's largest
// weight (1 = every row one-hot).
export function rescored(trace, head, { sqrtD }) {
  const { n, nKv, dHead, temperature } = trace;
  const raw = trace.rawScores[head];
  const slope = trace.positional === 'alibi' ? trace.alibiSlopes[head] : 0;
  const scale = 1 / ((sqrtD ? Math.sqrt(dHead) : 1) * temperature);
  const data = new Float32Array(n * nKv);
  let maxSum = 0;
  let rowsOpen = 0;
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    const row = new Float64Array(nKv);
    for (let j = 0; j < nKv; j++) {
      row[j] = trace.mask[i * nKv + j] ? raw[i * nKv + j] * scale - slope * Math.abs(i - j) : -Infinity;
      if (row[j] > max) max = row[j];
    }
    if (max === -Infinity) continue; // every key hidden: weights 0, as in the pass
    let sum = 0;
    for (let j = 0; j < nKv; j++) sum += row[j] === -Infinity ? 0 : Math.exp(row[j] - max);
    let rowMax = 0;
    for (let j = 0; j < nKv; j++) {
      const w = row[j] === -Infinity ? 0 : Math.exp(row[j] - max) / sum;
      data[i * nKv + j] = w;
      rowMax = Math.max(rowMax, w);
    }
    maxSum += rowMax;
    rowsOpen++;
  }
  return {
    name: sqrtD ? 'softmaxWithSqrt' : 'softmaxWithoutSqrt',
    head,
    rows: n,
    cols: nKv,
    data,
    colormap: 'viridis',
    range: [0, 1],
    masked: maskedCells(trace),
    rowLabels: trace.tokens,
    colLabels: trace.keyTokens,
    rowMaxMean: rowsOpen ? maxSum / rowsOpen : 0,
  };
}

// The spread of q·k as more dimensions are summed, from the pass's Q and K (every head, after
// RoPE): for d = 1, 2, 4, … up to d_model, the standard deviation over every pair (i, j) of the sum
// of the first d products q_i[c]·k_j[c] of the joined (n, d_model) Q and K. A sum of d terms of
// similar size spreads like √d: fit is c with std ≈ c·√d (least squares), so the page can draw both.
//   { points: [{ d, std }], fit }
export function dotSpread(trace) {
  const { n, nKv, dModel, dHead } = trace;
  const q = joinHeads(trace.q, n, dHead); // (n, d_model)
  const k = joinHeads(trace.k, nKv, dHead); // (nKv, d_model)
  const sizes = [];
  for (let d = 1; d < dModel; d *= 2) sizes.push(d);
  sizes.push(dModel);
  const partial = new Float64Array(n * nKv); // running q_i·k_j over the first d dimensions
  const points = [];
  let c = 0;
  for (const d of sizes) {
    for (let i = 0; i < n; i++)
      for (let j = 0; j < nKv; j++) {
        let s = 0;
        for (let col = c; col < d; col++) s += q[i * dModel + col] * k[j * dModel + col];
        partial[i * nKv + j] += s;
      }
    c = d;
    let mean = 0;
    for (const v of partial) mean += v;
    mean /= partial.length;
    let v2 = 0;
    for (const v of partial) v2 += (v - mean) ** 2;
    points.push({ d, std: Math.sqrt(v2 / partial.length) });
  }
  // min Σ (std_d − c√d)² → c = Σ std_d √d / Σ d
  const fit = points.reduce((a, p) => a + p.std * Math.sqrt(p.d), 0) / points.reduce((a, p) => a + p.d, 0);
  return { points, fit };
}
