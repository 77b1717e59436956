// The neuron view of one (query i, key j) pair of one head: why token i attends to token j.
//
//   q_i and k_j as bars (d_head each), their elementwise products, the sum q_i·k_j,
//   the scaling (÷ √d_head, ÷ T), the mask, and the softmax over row i with the row's other scores.
// q, k, the score and the weights are the core's (trace.q, trace.k, trace.scores, trace.weights);
// the products and their sum are the arithmetic a reader can check, computed here from q and k.
// Numbers the core produced carry data-* attributes with their exact value, for tests.

import { t, formatNumber as f } from '../i18n/i18n.js';
import { alibiSlope, rowStats } from './explain.js';
import { el } from '../../draw/dom.js';
import { formula } from '../../draw/math.js';

// A horizontal bar for a signed value: grows right from the centre when positive, left when negative.
function bar(parent, value, max, className = '') {
  const track = el('span', `nv-bar ${className}`, parent);
  const fill = el('span', value >= 0 ? 'nv-fill is-pos' : 'nv-fill is-neg', track);
  const frac = max > 0 ? Math.min(1, Math.abs(value) / max) : 0;
  fill.style.width = `${(frac * 50).toFixed(2)}%`;
  fill.style[value >= 0 ? 'left' : 'right'] = '50%';
  return track;
}

// root: an element to fill. trace: the page's trace. h: head. i, j: query and key.
// upTo: how far along the pair's path to go, so a walkthrough step shows no more than it has
// taught: 'dot' (q_i·k_j, step 5), 'scale' (÷ √d_head·T, step 6) or 'softmax' (all of it).
export function renderNeuron(root, trace, h, i, j, { upTo = 'softmax' } = {}) {
  root.replaceChildren();
  const { n, dHead, temperature, tokens } = trace;
  const nKv = trace.nKv ?? n;
  const keyTokens = trace.keyTokens ?? tokens;
  const q = trace.q[h].subarray(i * dHead, (i + 1) * dHead);
  const k = trace.k[h].subarray(j * dHead, (j + 1) * dHead);
  const products = Array.from(q, (v, d) => v * k[d]);
  const sum = products.reduce((a, b) => a + b, 0);
  const score = trace.scores[h][i * nKv + j];
  const weight = trace.weights[h][i * nKv + j];
  root.dataset.pair = `${i}.${j}`;
  root.dataset.upTo = upTo;

  el('h3', 'nv-title', root, t('neuron.title', { h, i, j, query: tokens[i], key: keyTokens[j] }));
  el('p', 'nv-hint', root, t('neuron.hint'));

  // q_i, k_j and their products, one line per dimension.
  const grid = el('div', 'nv-grid', root);
  el('span', 'nv-head', grid, t('neuron.dim'));
  el('span', 'nv-head', grid).appendChild(formula(`q_{${i}}`, { display: 'inline' }));
  el('span', 'nv-head', grid).appendChild(formula(`k_{${j}}`, { display: 'inline' }));
  el('span', 'nv-head', grid, t('neuron.product'));
  const maxQK = Math.max(...q.map(Math.abs), ...k.map(Math.abs), 1e-9);
  const maxP = Math.max(...products.map(Math.abs), 1e-9);
  for (let d = 0; d < dHead; d++) {
    el('span', 'nv-dim', grid, String(d));
    for (const [value, max, cls] of [
      [q[d], maxQK, 'is-q'],
      [k[d], maxQK, 'is-k'],
      [products[d], maxP, 'is-p'],
    ]) {
      const cell = el('span', 'nv-cell', grid);
      bar(cell, value, max, cls);
      el('span', 'nv-num', cell, f(value, 3));
    }
  }

  // The sum, the scaling, the mask: each a line of words and its formula (MathML, math.js).
  const steps = el('ol', 'nv-steps', root);
  const line = (label, source) => {
    const li = el('li', '', steps);
    el('span', 'nv-label', li, label);
    if (source) li.appendChild(formula(source, { display: 'inline', displaystyle: true }));
    return li;
  };
  line(t('neuron.sum', { dHead }), t('neuron.sum.f', { i, j, last: dHead - 1, sum: f(sum, 5) }));
  if (upTo === 'dot') {
    el('p', 'nv-hint', root, t('neuron.more', { bias: trace.positional === 'alibi' ? t('neuron.more.bias') : '' }));
    return;
  }
  // Only the divisions this pass made: ÷√d_head with the switch on, ÷T when T ≠ 1.
  const root2 = Math.sqrt(dHead);
  if (trace.scale === false && temperature === 1) line(t('neuron.noScale'));
  else if (trace.scale === false)
    line(
      t('neuron.temp'),
      t('neuron.temp.f', { i, j, sum: f(sum, 5), temp: f(temperature, 3), scaled: f(sum / temperature, 5) }),
    );
  else
    line(
      t('neuron.scale'),
      t('neuron.scale.f', {
        i,
        j,
        dHead,
        sum: f(sum, 5),
        root: f(root2, 4),
        temp: f(temperature, 3),
        scaled: f(sum / (root2 * temperature), 5),
      }),
    );
  if (trace.positional === 'alibi' && score !== -Infinity) {
    const slope = alibiSlope(h, trace.heads, trace);
    const dist = Math.abs(i - j);
    const bias = -slope * dist;
    line(t('neuron.alibi'), t('neuron.alibi.f', { h, i, j, slope: f(slope, 4), dist, bias: f(bias, 5) })).dataset.bias =
      String(bias);
  }
  const scoreLine = el('li', 'nv-score', steps);
  scoreLine.dataset.score = String(score);
  scoreLine.textContent =
    score === -Infinity ? t('neuron.masked', { i, j }) : t('neuron.score', { score: f(score, 6) });

  if (upTo === 'scale') {
    el('p', 'nv-hint', root, t('neuron.moreScaled'));
    return;
  }

  // Softmax over row i: every key's score and weight, this pair's key marked.
  el('p', 'nv-sub', root, t('neuron.softmax', { i }));
  const row = el('div', 'nv-row', root);
  const weights = trace.weights[h].subarray(i * nKv, (i + 1) * nKv);
  const maxW = Math.max(...weights, 1e-9);
  for (let jj = 0; jj < nKv; jj++) {
    const s = trace.scores[h][i * nKv + jj];
    const line = el('div', jj === j ? 'nv-key is-pair' : 'nv-key', row);
    line.dataset.key = String(jj);
    line.dataset.weight = String(weights[jj]);
    el('span', 'nv-token', line, keyTokens[jj]);
    el('span', 'nv-num', line, s === -Infinity ? '−∞' : f(s, 3));
    const track = el('span', 'nv-wbar', line);
    el('span', 'nv-wfill', track).style.width = `${((weights[jj] / maxW) * 100).toFixed(2)}%`;
    el('span', 'nv-num nv-w', line, f(weights[jj], 4));
  }
  const result = el('div', 'nv-result', root);
  result.dataset.weight = String(weight);
  const { max, sum: den } = rowStats(trace.scores[h], nKv, i);
  if (weights.every((w) => w === 0)) {
    result.textContent = t('neuron.emptyRow', { i });
  } else if (score === -Infinity) {
    result.textContent = t('tip.maskedWeight');
  } else {
    result.appendChild(
      formula(
        t('neuron.weight', {
          i,
          j,
          num: f(Math.exp(score - max), 5),
          den: f(den, 5),
          weight: f(weight, 6),
        }),
      ),
    );
    el('p', 'nv-hint', root, t('neuron.max', { max: f(max, 5) }));
  }
}
