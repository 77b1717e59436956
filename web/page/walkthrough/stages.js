// The walkthrough's twelve stages, one object each, in order (step k is STAGES[k − 1]):
//
//   title, text            catalogue keys (i18n.js) of its heading and explanation (text may be
//                          (tr) → key, e.g. another key under cross-attention)
//   formula(tr, h, d)      its formula in draw/math.js's notation, built from the pass's
//                          description d (views/describe.js), so it says what this pass computed
//   shape(tr, h)           the shape line beside the heading (h: the focused head)
//   controls(extra, ctx)   controls drawn above the figures (ctx: { trace, onChange })
//   notes(tr)              [className, text] notes drawn above the figures, after the controls
//   body(tr, h)            what it draws, top to bottom: { row: className, items } of figures
//                          (and { arrow: catalogue key }), { text, className } paragraphs, or
//                          { tokens: true } (the token list); false entries are left out
//   links                  provenance: matrix name → (r, c, { tr, head }) → what a hovered cell
//                          (r, c) of that figure outlines: { figure name: [{ row?, col? }, …] }
//   neuron                 how far the neuron view of the pair goes (explain/neuron.js upTo)
//
// A figure is { name, head?, id?, rangeFrom?, click?, note?, groups?, legend?, labelsAtLineStart?,
// kind? }: name is a matrix of views/figures.js (or 'mask'), which gives its data, colour range and
// masked cells; figure-specs.js says how the walkthrough draws each name. id (default: the name)
// is the figure's name in figures(), data-fig and the wt-fig-<id> class, e.g. headOutput.2.
// click: 'pair' (picks the neuron view's pair), 'edit' (the cell editor), 'paint' (toggles a
// painted mask cell). kind: what its tooltip explains, null for the value alone (default:
// figure-specs.js's for the name).
//
// Provenance: a computed cell outlines what it came from; a cell of a stage's inputs (X, a weight
// matrix, concat) outlines what it feeds and the row or column it is multiplied with:
//   Q(i, c) = Σ_r X(i, r) W_Q(r, c), so W_Q(r, c) outlines column c of Q and column r of X,
//   X(i, r) outlines row i of Q, K, V and row r of W_Q, W_K, W_V; the same for W_O, concat, output.

import { t, formatNumber } from '../i18n/i18n.js';
import { el } from '../../draw/dom.js';
import { maskEditor, emptyRowsNote } from './mask-editor.js';
import {
  describe,
  inputFormula,
  layerFormula,
  projectionFormula,
  scoresClaim,
  scoresNotation,
  scoresShape,
} from '../../views/describe.js';
import { spreadPlot } from './scale-figures.js';
import { rescored } from '../../views/figures.js';

const cell = (r, c) => [{ row: r, col: c }];
const row = (r) => [{ row: r }];
const col = (c) => [{ col: c }];
// The figures K and V are computed from: the second sentence's X under cross-attention.
const kvInput = (tr) => (tr.cross ? 'xKv' : 'x');
// 'n × n = 11 × 11', or 'n_q × n_k = 11 × 7' under cross-attention.
const mapShape = (tr) => {
  const { symbols, rows, cols } = scoresShape(describe(tr));
  return t('wt.shape.map', { symbols, rows, cols });
};
const emptyRows = (tr) => {
  const text = emptyRowsNote(tr);
  return text ? [['wt-note wt-empty', text]] : [];
};

// The √d_head switch of the scale step, the same setting as the side panel's.
function scaleSwitch(extra, { trace, onChange }) {
  const label = el('label', 'wt-switch', extra);
  const box = el('input', '', label);
  box.type = 'checkbox';
  box.id = 'wt-scale';
  box.checked = trace.scale !== false;
  el('span', '', label, t('controls.scale'));
  box.addEventListener('change', () => onChange({ scale: box.checked }));
}

export const STAGES = Object.freeze([
  {
    title: 'wt.tokens',
    text: 'wt.tokens.desc',
    formula: () => t('wt.tokens.f'),
    shape: (tr) => t('shape.tokens', { n: tr.n }),
    body: () => [{ tokens: true }],
  },
  {
    title: 'wt.embed',
    text: 'wt.embed.desc',
    formula: () => t('wt.embed.f'),
    shape: (tr) => t('shape.named', { name: 'E', rows: tr.n, cols: tr.dModel }),
    body: (tr) => [
      { row: 'wt-row', items: [{ name: 'embeddings', click: 'edit' }, tr.cross && { name: 'embeddingsKv' }] },
    ],
  },
  {
    title: 'wt.pos',
    text: 'wt.pos.desc',
    formula: (tr, h, d) => inputFormula(d),
    shape: (tr) => t('shape.named', { name: 'X', rows: tr.n, cols: tr.dModel }),
    notes: (tr) => [
      [
        'wt-note',
        tr.positional === 'sinusoidal'
          ? t('wt.pos.added')
          : [
              t('wt.pos.notAdded', { pos: t(`positional.${tr.positional}`) }),
              tr.positional === 'rope' && t('wt.pos.rope'),
              tr.positional === 'alibi' && t('wt.pos.alibi'),
            ]
              .filter(Boolean)
              .join(' '),
      ],
      ...(tr.cross && tr.positional !== 'none' ? [['wt-note', t('wt.pos.cross')]] : []),
    ],
    // E, PE and X on one colour scale, so X = E + PE can be read cell by cell.
    body: (tr) => {
      const sin = tr.positional === 'sinusoidal';
      const same = sin ? ['embeddings', 'pe', 'x'] : ['embeddings', 'x'];
      const sameKv = sin ? ['embeddingsKv', 'peKv', 'xKv'] : ['embeddingsKv', 'xKv'];
      return [
        {
          row: sin ? 'wt-row wt-row-3' : 'wt-row',
          items: same.map((name) => ({ name, rangeFrom: same, legend: name === 'x' })),
        },
        tr.cross && {
          row: sin ? 'wt-row wt-row-3' : 'wt-row',
          items: sameKv.map((name) => ({ name, rangeFrom: sameKv, legend: name === 'xKv' })),
        },
        tr.positional === 'rope' && { row: 'wt-row', items: [{ name: 'ropeAngles' }] },
      ];
    },
    links: {
      embeddings: (r, c) => ({ x: cell(r, c), pe: cell(r, c) }),
      pe: (r, c) => ({ x: cell(r, c), embeddings: cell(r, c) }),
      x: (r, c) => ({ embeddings: cell(r, c), pe: cell(r, c) }),
    },
  },
  {
    title: 'wt.qkv',
    text: (tr) => (tr.cross ? 'wt.qkv.desc.cross' : 'wt.qkv.desc'),
    formula: (tr, h, d) => projectionFormula(d),
    // Q: n × d_model → h × (n × d_head); under cross-attention K and V have n_k rows.
    shape: ({ n, nKv, dModel, heads, dHead, cross }) => {
      const one = (name, rows) =>
        `${name}: ${t('shape.matrix', { rows, cols: dModel })} → ${t('shape.heads', { heads, rows, cols: dHead })}`;
      return cross
        ? `${one('Q', n)} · ${one('K, V', nKv)}`
        : `${t('shape.matrix', { rows: n, cols: dModel })} → ${t('shape.heads', { heads, rows: n, cols: dHead })}`;
    },
    notes: (tr) => (tr.positional === 'rope' ? [['wt-note', t('wt.qkv.rope', { h: '' })]] : []),
    body: (tr, h) => [
      { row: 'wt-row', items: [{ name: 'x' }, tr.cross && { name: 'xKv' }] },
      { row: 'wt-row wt-row-3', items: ['wq', 'wk', 'wv'].map((name) => ({ name, click: 'edit' })) },
      { row: 'wt-row wt-row-3', items: ['q', 'k', 'v'].map((name) => ({ name, groups: true })) },
      // RoPE: head h's q and k before the rotation and after, each pair on one colour scale.
      tr.positional === 'rope' && {
        row: 'wt-row wt-row-4',
        items: [
          { name: 'qUnrotatedHead', rangeFrom: ['qUnrotatedHead', 'qHead'] },
          { name: 'qHead', id: 'qRotated', caption: 'wt.name.qRot', rangeFrom: ['qUnrotatedHead', 'qHead'] },
          { name: 'kUnrotatedHead', rangeFrom: ['kUnrotatedHead', 'kHead'] },
          { name: 'kHead', id: 'kRotated', caption: 'wt.name.kRot', rangeFrom: ['kUnrotatedHead', 'kHead'] },
        ],
      },
    ],
    links: {
      // Under cross-attention x feeds Q alone; K and V come from xKv.
      x: (r, c, { tr }) =>
        tr.cross ? { q: row(r), wq: row(c) } : { q: row(r), k: row(r), v: row(r), wq: row(c), wk: row(c), wv: row(c) },
      xKv: (r, c) => ({ k: row(r), v: row(r), wk: row(c), wv: row(c) }),
      wq: (r, c) => ({ q: col(c), x: col(r) }),
      wk: (r, c, { tr }) => ({ k: col(c), [kvInput(tr)]: col(r) }),
      wv: (r, c, { tr }) => ({ v: col(c), [kvInput(tr)]: col(r) }),
      q: (r, c) => ({ x: row(r), wq: col(c) }),
      k: (r, c, { tr }) => ({ [kvInput(tr)]: row(r), wk: col(c) }),
      v: (r, c, { tr }) => ({ [kvInput(tr)]: row(r), wv: col(c) }),
    },
  },
  {
    title: 'wt.scores',
    text: 'wt.scores.desc',
    formula: (tr, h) => t('wt.scores.f', { h }),
    shape: (tr, h) => t('wt.shape.scores', { h, n: tr.n, nKv: tr.nKv, dHead: tr.dHead }),
    body: () => [
      { row: 'wt-row', items: [{ name: 'qHead' }, { name: 'kHead' }] },
      { row: 'wt-row', items: [{ name: 'rawScores', click: 'pair' }] },
    ],
    links: {
      qHead: (r) => ({ rawScores: row(r) }),
      kHead: (r) => ({ rawScores: col(r) }),
      rawScores: (r, c) => ({ qHead: row(r), kHead: row(c) }),
    },
    neuron: 'dot',
  },
  {
    title: 'wt.scale',
    text: 'wt.scale.desc',
    // S_h / (√d_head · T) [+ B_h]: only the divisions and the bias this pass made.
    formula: (tr, h, d) => {
      const scaled = scoresNotation(scoresClaim(d, 'scaled'), h);
      const biased = scoresNotation(scoresClaim(d, 'biased'), h);
      return d.positional === 'alibi' ? `${scaled}   →   ${biased}` : scaled;
    },
    shape: (tr) => mapShape(tr),
    controls: scaleSwitch,
    notes: (tr, h) => [
      ...(tr.scale === false && tr.temperature === 1 ? [['wt-note', t('wt.scale.none')]] : []),
      ...(tr.positional === 'alibi'
        ? [['wt-note', t('wt.scale.alibi', { h, slope: formatNumber(tr.alibiSlopes[h], 4) })]]
        : []),
    ],
    body: (tr, h) => [
      {
        row: 'wt-row',
        items: [
          { name: 'rawScores' },
          { name: 'scaledScores', rangeFrom: 'rawScores', click: 'pair', note: 'wt.scale.sameRange' },
        ],
      },
      tr.positional === 'alibi' && {
        row: 'wt-row',
        items: [{ name: 'bias' }, { name: 'biasedScores', click: 'pair' }],
      },
      { className: 'wt-sub', text: t('wt.scale.compare') },
      { row: 'wt-row', items: [{ name: 'softmaxWithSqrt' }, { name: 'softmaxWithoutSqrt' }] },
      {
        className: 'figure-desc',
        text: t('wt.scale.rowMax', {
          with: formatNumber(rescored(tr, h, { sqrtD: true }).rowMaxMean, 2),
          without: formatNumber(rescored(tr, h, { sqrtD: false }).rowMaxMean, 2),
        }),
      },
      { className: 'wt-sub', text: t('wt.scale.spread') },
      { custom: spreadPlot },
    ],
    links: {
      rawScores: (r, c) => ({ scaledScores: cell(r, c) }),
      scaledScores: (r, c) => ({ rawScores: cell(r, c), biasedScores: cell(r, c) }),
      bias: (r, c) => ({ biasedScores: cell(r, c) }),
      biasedScores: (r, c) => ({ scaledScores: cell(r, c), bias: cell(r, c) }),
    },
    neuron: 'scale',
  },
  {
    title: 'wt.mask',
    text: 'wt.mask.desc',
    // The scores plus M (when this pass hides anything), and what M is.
    formula: (tr, h, d) => {
      const def = t('wt.mask.f');
      return d.masked ? `${scoresNotation(scoresClaim(d, 'masked'), h)}   ${def}` : def;
    },
    shape: (tr) => mapShape(tr),
    controls: maskEditor,
    notes: (tr) => [
      ...(tr.cross ? [['wt-note', t('wt.mask.cross')]] : []),
      ...(describe(tr).masked || tr.cross ? [] : [['wt-note wt-mask-none', t('wt.mask.none')]]),
      ...emptyRows(tr),
    ],
    body: (tr) => [
      {
        row: 'wt-row',
        items: [
          { name: 'mask', click: 'paint' },
          { name: 'biasedScores' },
          { name: 'scores', rangeFrom: 'biasedScores', click: 'pair' },
        ],
      },
      // Nothing hidden: the causal mask shown on these very scores, as a preview.
      !describe(tr).masked &&
        !tr.cross && {
          row: 'wt-row',
          items: [{ name: 'causalMask' }, { name: 'causalScores', rangeFrom: 'biasedScores' }],
        },
    ],
    links: {
      mask: (r, c) => ({ scores: cell(r, c), biasedScores: cell(r, c) }),
      biasedScores: (r, c) => ({ scores: cell(r, c), mask: cell(r, c) }),
      scores: (r, c) => ({ mask: cell(r, c), biasedScores: cell(r, c) }),
      causalMask: (r, c) => ({ causalScores: cell(r, c) }),
      causalScores: (r, c) => ({ causalMask: cell(r, c), biasedScores: cell(r, c) }),
    },
  },
  {
    // Softmax: the scores before (scaled and masked) and the weights P after, side by side at the
    // same size, each n_q × n_k, with each row's entropy; Q_h and K_h below, where the scores came from.
    title: 'wt.softmax',
    text: 'wt.softmax.desc',
    // Row by row over the scores drawn on the left (their caption says what they hold).
    formula: (tr, h) => t('wt.softmax.f', { h }),
    shape: (tr) => mapShape(tr),
    notes: emptyRows,
    body: (tr) => [
      {
        row: 'wt-softmax',
        items: [
          { name: 'scores', click: 'pair' },
          { arrow: 'wt.softmax.arrow' },
          { name: 'weights', click: 'pair', note: 'wt.softmax.rows' },
          { name: 'entropy' },
        ],
      },
      {
        className: 'figure-desc wt-entropy-note',
        text: t('wt.entropy.note', { max: Math.log(tr.nKv).toFixed(3), n: tr.nKv }),
      },
      { className: 'wt-sub', text: t('wt.softmax.qk') },
      { row: 'wt-row', items: [{ name: 'qHead' }, { name: 'kHead' }] },
    ],
    links: {
      qHead: (r) => ({ scores: row(r) }),
      kHead: (r) => ({ scores: col(r) }),
      // A score feeds its whole row of weights: softmax divides by the row's sum.
      scores: (r, c) => ({ weights: [...row(r), ...cell(r, c)], entropy: row(r) }),
      weights: (r, c) => ({ qHead: row(r), kHead: row(c), scores: [...row(r), ...cell(r, c)], entropy: row(r) }),
      entropy: (r) => ({ weights: row(r) }),
    },
    neuron: 'softmax',
  },
  {
    title: 'wt.sum',
    text: 'wt.sum.desc',
    formula: (tr, h) => t('wt.sum.f', { h }),
    shape: (tr) => t('wt.shape.sum', { n: tr.n, nKv: tr.nKv, dHead: tr.dHead }),
    body: () => [{ row: 'wt-row', items: [{ name: 'weights' }, { name: 'vHead' }, { name: 'headOutput' }] }],
    links: {
      weights: (r, c) => ({ vHead: row(c), headOutput: row(r) }),
      vHead: (r, c) => ({ weights: col(r), headOutput: col(c) }),
      headOutput: (r, c) => ({ weights: row(r), vHead: col(c) }),
    },
  },
  {
    // Every head's output and concat on concat's colour scale: the same numbers, the same colours.
    // Row labels only on a head output that begins a line of the grid.
    title: 'wt.concat',
    text: 'wt.concat.desc',
    formula: () => t('wt.concat.f'),
    shape: (tr) => t('shape.named', { name: 'C', rows: tr.n, cols: tr.dModel }),
    body: (tr) => [
      {
        row: 'wt-row wt-row-heads',
        items: Array.from({ length: tr.heads }, (_, g) => ({
          name: 'headOutput',
          head: g,
          id: `headOutput.${g}`,
          rangeFrom: 'concat',
          kind: null,
          legend: false,
          labelsAtLineStart: true,
        })),
      },
      { row: 'wt-row', items: [{ name: 'concat', groups: true }] },
    ],
    links: {
      // A head's output goes to its slice of concat.
      headOutput: (r, c, { tr, head }) => ({ concat: cell(r, head * tr.dHead + c) }),
      concat: (r, c, { tr }) => ({ [`headOutput.${Math.floor(c / tr.dHead)}`]: cell(r, c % tr.dHead) }),
    },
  },
  {
    title: 'wt.wo',
    text: 'wt.wo.desc',
    formula: () => t('wt.wo.f'),
    shape: (tr) => t('shape.named', { name: 'Y', rows: tr.n, cols: tr.dModel }),
    body: () => [{ row: 'wt-row wt-row-3', items: [{ name: 'concat' }, { name: 'wo' }, { name: 'output' }] }],
    links: {
      concat: (r, c) => ({ output: row(r), wo: row(c) }),
      wo: (r, c) => ({ output: col(c), concat: col(r) }),
      output: (r, c) => ({ concat: row(r), wo: col(c) }),
    },
  },
  {
    title: 'wt.output',
    text: 'wt.output.desc',
    formula: (tr, h, d) => layerFormula(d),
    shape: (tr) => t('shape.named', { name: 'Y', rows: tr.n, cols: tr.dModel }),
    notes: () => [['wt-note wt-end', t('wt.output.end')]],
    body: () => [
      { row: 'wt-row', items: [{ name: 'x' }, { name: 'output' }] },
      { className: 'wt-sub wt-next', text: t('wt.output.next') },
      { formula: 'wt.output.next.f' },
    ],
  },
]);

// The explanation's placeholders, the same for every stage (h: the focused head).
export function textParams(tr, h) {
  const { n, dModel, heads, dHead } = tr;
  const shape = scoresShape(describe(tr));
  return {
    n,
    nKv: tr.nKv,
    shape: shape.symbols,
    rows: shape.rows,
    cols: shape.cols,
    dModel,
    heads,
    dHead,
    h,
    from: h * dHead,
    to: (h + 1) * dHead - 1,
    pos: t(`positional.${tr.positional}`),
    temp: formatNumber(tr.temperature, 3),
  };
}
