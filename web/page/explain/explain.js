// What a hovered cell means and how it was computed, as lines of text for the tooltip.
//
// The numbers are recomputed here from the trace the core returned (q, k after RoPE;
// scores after scaling, bias and mask), so the tooltip shows the arithmetic a reader can check:
//   score(i, j)  = q_i·k_j / (√d_head · T) + B_h(i, j) + M(i, j)
// with only the divisions and the bias the pass made (views/describe.js): no ÷√d_head with the
// switch off, no ÷T at T = 1, B_h under ALiBi alone; M is 0 or −∞.
//   weight(i, j) = exp(score(i, j) − max_j score) / Σ_j exp(score(i, j) − max_j score)

import { t, formatNumber as f } from '../i18n/i18n.js';

// m_h, the ALiBi slope of head h: the core's (trace.alibiSlopes) when the trace carries them, else
// 2^(−8(h+1)/H), the core's formula.
export function alibiSlope(h, heads, trace = null) {
  return trace?.alibiSlopes ? trace.alibiSlopes[h] : 2 ** ((-8 * (h + 1)) / heads);
}

export function dot(a, aRow, b, bRow, width) {
  let s = 0;
  for (let d = 0; d < width; d++) s += a[aRow * width + d] * b[bRow * width + d];
  return s;
}

// Max and Σ exp(s − max) of one row of scores, over unmasked entries.
export function rowStats(scores, n, i) {
  let max = -Infinity;
  for (let j = 0; j < n; j++) max = Math.max(max, scores[i * n + j]);
  let sum = 0;
  if (max !== -Infinity) for (let j = 0; j < n; j++) sum += Math.exp(scores[i * n + j] - max);
  return { max, sum };
}

const token = (trace, i) => trace.tokens[i];
// Keys (and values) come from the second sentence under cross-attention.
const keyToken = (trace, j) => (trace.keyTokens ?? trace.tokens)[j];

function scoreLines(trace, h, i, j) {
  const { dHead, temperature } = trace;
  const n = trace.nKv ?? trace.n; // keys per row
  const score = trace.scores[h][i * n + j];
  if (score === -Infinity) return { score, lines: [t('tip.masked')] };
  const d = dot(trace.q[h], i, trace.k[h], j, dHead);
  const sqrtD = trace.scale !== false;
  const scaled = d / ((sqrtD ? Math.sqrt(dHead) : 1) * temperature);
  const lines = [t('tip.dot', { i, j, dot: f(d), dHead })];
  if (sqrtD) lines.push(t('tip.scale', { dHead, temp: f(temperature, 3), scaled: f(scaled) }));
  else if (temperature !== 1) lines.push(t('tip.temp', { temp: f(temperature, 3), scaled: f(scaled) }));
  if (trace.positional === 'alibi') {
    const slope = alibiSlope(h, trace.heads, trace);
    const dist = Math.abs(i - j);
    lines.push(t('tip.alibi', { slope: f(slope), dist, bias: f(-slope * dist) }));
  }
  lines.push(t('tip.score', { score: f(score) }));
  return { score, lines };
}

// kind: 'x' | 'q' | 'k' | 'v' | 'scores' | 'weights' | 'headOutput' | 'concat' | 'output' | 'entropy'
// | 'wq' | 'wk' | 'wv' | 'wo' (an entry (row, col) of a weight matrix) | 'mask' (value M: 0 or −∞).
// For per-head kinds, head is the head; for 'q', 'k', 'v', 'concat' col is a d_model column.
// Returns { title, lines }.
export function explainCell(trace, kind, head, row, col, value) {
  const { dHead } = trace;
  const n = trace.nKv ?? trace.n; // keys per row of scores and weights
  const names = {
    x: 'X',
    q: 'Q',
    k: 'K',
    v: 'V',
    scores: `scores_${head}`,
    weights: `weights_${head}`,
    headOutput: `out_${head}`,
    concat: 'concat',
    output: 'output',
    entropy: `H_${head}`,
    wq: 'W_Q',
    wk: 'W_K',
    wv: 'W_V',
    wo: 'W_O',
    mask: 'M',
  };
  const title = t('tip.cell', { matrix: names[kind], i: row, j: col, value: f(value, 6) });
  const lines = [];
  switch (kind) {
    case 'x':
      lines.push(t('tip.row', { i: row, token: token(trace, row) }));
      lines.push(t(trace.positional === 'sinusoidal' ? 'tip.xPos' : 'tip.x', { token: token(trace, row), j: col }));
      break;
    case 'q':
    case 'k':
    case 'v':
      lines.push(t('tip.row', { i: row, token: kind === 'q' ? token(trace, row) : keyToken(trace, row) }));
      lines.push(t('tip.colHead', { j: col, h: Math.floor(col / dHead), d: col % dHead }));
      lines.push(t('tip.qkv', { name: names[kind], i: row, j: col }));
      if (trace.positional === 'rope' && kind !== 'v') lines.push(t('tip.rope', { i: row }));
      break;
    case 'scores': {
      lines.push(
        t('tip.query', { i: row, token: token(trace, row) }),
        t('tip.key', { j: col, token: keyToken(trace, col) }),
      );
      lines.push(...scoreLines(trace, head, row, col).lines);
      break;
    }
    case 'weights': {
      lines.push(
        t('tip.query', { i: row, token: token(trace, row) }),
        t('tip.key', { j: col, token: keyToken(trace, col) }),
      );
      const { score, lines: s } = scoreLines(trace, head, row, col);
      lines.push(...s);
      const { max, sum } = rowStats(trace.scores[head], n, row);
      if (max === -Infinity) {
        lines.push(t('tip.emptyRow'));
      } else if (score === -Infinity) {
        lines.push(t('tip.maskedWeight'));
      } else {
        lines.push(t('tip.rowMax', { max: f(max) }), t('tip.rowSum', { sum: f(sum) }));
        lines.push(t('tip.weight', { score: f(score), weight: f(Math.exp(score - max) / sum, 6) }));
      }
      let total = 0;
      let entropy = 0;
      let open = 0;
      for (let j = 0; j < n; j++) {
        const w = trace.weights[head][row * n + j];
        total += w;
        if (w > 0) entropy -= w * Math.log(w);
        if (trace.scores[head][row * n + j] !== -Infinity) open++;
      }
      lines.push(t('tip.rowTotal', { i: row, total: f(total, 7) }));
      if (open > 0) lines.push(t('tip.entropy', { h: f(entropy, 3), max: f(Math.log(open), 3), open }));
      break;
    }
    case 'headOutput': {
      lines.push(t('tip.row', { i: row, token: token(trace, row) }));
      // Recompute the weighted sum, and name its largest term.
      const w = trace.weights[head];
      const v = trace.v[head];
      let sum = 0;
      let top = 0;
      for (let j = 0; j < n; j++) {
        const term = w[row * n + j] * v[j * dHead + col];
        sum += term;
        if (Math.abs(term) > Math.abs(w[row * n + top] * v[top * dHead + col])) top = j;
      }
      lines.push(t('tip.headOut', { i: row, d: col, n, sum: f(sum, 6) }));
      lines.push(
        t('tip.headOutTop', {
          j: top,
          token: keyToken(trace, top),
          w: f(w[row * n + top]),
          v: f(v[top * dHead + col]),
          term: f(w[row * n + top] * v[top * dHead + col]),
        }),
      );
      break;
    }
    case 'entropy':
      lines.push(t('tip.row', { i: row, token: token(trace, row) }));
      lines.push(t('tip.entropyCell', { max: f(Math.log(n), 3), n }));
      break;
    case 'concat':
      lines.push(t('tip.row', { i: row, token: token(trace, row) }));
      lines.push(t('tip.concat', { h: Math.floor(col / dHead), d: col % dHead }));
      break;
    case 'output':
      lines.push(t('tip.row', { i: row, token: token(trace, row) }));
      lines.push(t('tip.output', { i: row, j: col }));
      break;
    // The mask M: value 0 where query row may attend to key col, −∞ where the key is hidden.
    case 'mask':
      lines.push(
        t('tip.query', { i: row, token: token(trace, row) }),
        t('tip.key', { j: col, token: keyToken(trace, col) }),
      );
      lines.push(t(value === 0 ? 'tip.maskOpen' : 'tip.maskHidden'));
      break;
    // Entries of the weight matrices: W(r, c) multiplies column r of the input (dimension r of
    // every token) and adds into column c of the result.
    case 'wq':
    case 'wk':
    case 'wv':
      lines.push(t('tip.weightIn', { r: row, input: kind !== 'wq' && trace.cross ? 'X_kv' : 'X' }));
      lines.push(
        t('tip.weightOut', { c: col, output: kind[1].toUpperCase(), h: Math.floor(col / dHead), d: col % dHead }),
      );
      break;
    case 'wo':
      lines.push(t('tip.weightIn', { r: row, input: 'concat' }));
      lines.push(t('tip.weightOutY', { c: col }));
      break;
    default:
      throw new Error(`explainCell: unknown kind ${kind}`);
  }
  return { title, lines };
}
