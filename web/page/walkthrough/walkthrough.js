// The step-by-step walkthrough: one stage of attention at a time, each with a short explanation,
// its formula (MathML), and the matrices it reads and writes, drawn with their shapes.
//
//   1 tokens → 2 embeddings → 3 + position → 4 Q, K, V → 5 scores (one head) → 6 scaling → 7 mask
//   → 8 softmax → 9 weighted sum of V → 10 concat → 11 ·W_O → 12 output
//
// Hovering a cell outlines where it came from in the other matrices of the stage (provenance),
// or, for an entry of X or of a weight matrix, what it feeds and what it multiplies; the links
// are declared in links(). Every number drawn is the core's (see worker.js). Formulas are built
// by math.js from the catalogue's notation.

import { Heatmap, alignTops } from '../../draw/heatmap.js';
import { symmetricRange } from '../../draw/colormap.js';
import { matrix } from '../../views/figures.js';
import { t, formatNumber } from '../i18n/i18n.js';
import { explainCell } from '../explain/explain.js';
import { renderNeuron } from '../explain/neuron.js';
import { STEPS } from '../state.js';
import { el } from '../../draw/dom.js';
import { formula } from '../../draw/math.js';


// Q, K or V as one (n, d_model) matrix from its per-head (n, d_head) blocks.
export function joinHeads(blocks, n, dHead) {
  const out = new Float32Array(n * dHead * blocks.length);
  const dModel = dHead * blocks.length;
  blocks.forEach((b, h) => {
    for (let i = 0; i < n; i++) out.set(b.subarray(i * dHead, (i + 1) * dHead), i * dModel + h * dHead);
  });
  return out;
}

const STAGE_KEYS = [
  null,
  ['wt.tokens', 'wt.tokens.desc', 'wt.tokens.f'],
  ['wt.embed', 'wt.embed.desc', 'wt.embed.f'],
  ['wt.pos', 'wt.pos.desc', 'wt.pos.f'],
  ['wt.qkv', 'wt.qkv.desc', 'wt.qkv.f'],
  ['wt.scores', 'wt.scores.desc', 'wt.scores.f'],
  ['wt.scale', 'wt.scale.desc', 'wt.scale.f'],
  ['wt.mask', 'wt.mask.desc', 'wt.mask.f'],
  ['wt.softmax', 'wt.softmax.desc', 'wt.softmax.f'],
  ['wt.sum', 'wt.sum.desc', 'wt.sum.f'],
  ['wt.concat', 'wt.concat.desc', 'wt.concat.f'],
  ['wt.wo', 'wt.wo.desc', 'wt.wo.f'],
  ['wt.output', 'wt.output.desc', 'wt.output.f'],
];

export class Walkthrough {
  // root: an element to fill. handlers: { tooltip, onStep(k), onChange(patch) } — patch is a
  // partial state: { pair }, { scale }, { causal }, { padding }, { painted }.
  constructor(root, { tooltip, onStep, onChange }) {
    this.root = root;
    this.tooltip = tooltip;
    this.onStep = onStep;
    this.onChange = onChange;
    this.trace = null;
    this.step = 1;
    this.figs = new Map();
    this.build();
  }

  build() {
    const r = this.root;
    r.replaceChildren();
    const top = el('div', 'wt-top', r);
    this.back = el('button', 'button', top, t('wt.back'));
    this.back.type = 'button';
    this.progress = el('ol', 'wt-progress', top);
    this.progress.setAttribute('aria-label', t('wt.progress'));
    this.dots = [];
    for (let k = 1; k <= STEPS; k++) {
      const li = el('li', '', this.progress);
      const b = el('button', 'wt-dot', li, String(k));
      b.type = 'button';
      b.title = t(STAGE_KEYS[k][0]);
      b.addEventListener('click', () => this.onStep(k));
      this.dots.push(b);
    }
    this.next = el('button', 'button button-primary', top, t('wt.next'));
    this.next.type = 'button';
    this.back.addEventListener('click', () => this.onStep(Math.max(1, this.step - 1)));
    this.next.addEventListener('click', () => this.onStep(Math.min(STEPS, this.step + 1)));

    this.card = el('section', 'step wt-card', r);
    const head = el('header', 'step-head', this.card);
    this.counter = el('span', 'wt-counter', head);
    this.title = el('h2', 'step-title', head);
    this.shape = el('span', 'shape', head);
    this.desc = el('p', 'step-desc wt-desc', this.card);
    this.formula = el('div', 'wt-formula', this.card);
    this.extra = el('div', 'wt-extra', this.card);
    this.buildEditor();
    this.body = el('div', 'wt-body', this.card);
    this.neuron = el('div', 'neuron', this.card);
    this.keysHint = el('p', 'hint wt-keys', r, t('wt.keys'));
  }

  // The heatmaps of the step drawn, by name (the matrices' names of views/figures.js; a head's
  // output at step 10 is headOutput.<h>).
  figures() {
    const NAMES = {
      E: 'embeddings', Ekv: 'embeddingsKv', X: 'x', Xkv: 'xKv', WQ: 'wq', WK: 'wk', WV: 'wv', WO: 'wo',
      Q: 'q', K: 'k', V: 'v', Qh: 'qHead', Kh: 'kHead', Vh: 'vHead', S: 'rawScores', Ss: 'scaledScores',
      Sm: 'scores', M: 'mask', A: 'weights', H: 'entropy', O: 'headOutput', C: 'concat', Y: 'output',
    };
    return new Map([...this.figs].map(([id, { map }]) => [NAMES[id] ?? id.replace(/^O(\d+)$/, 'headOutput.$1'), map]));
  }

  // The walkthrough's own controls for a control name of teacher mode (page/state.js
  // CONTROL_NAMES): causal → the mask kind buttons, scale → the √d_head switch, view → the step
  // navigation; none for the others. Rebuilt at every drawing.
  controlsFor(name) {
    if (name === 'causal') return [...this.root.querySelectorAll('[data-mask]')];
    if (name === 'scale') return [...this.root.querySelectorAll('.wt-switch')];
    if (name === 'view') return [this.root.querySelector('.wt-top')];
    return [];
  }

  // Back and Next as the step allows (first and last step), e.g. after teacher mode unlocked them.
  refreshNav() {
    this.back.disabled = this.step === 1;
    this.next.disabled = this.step === STEPS;
  }

  // Moves the keyboard focus to the step's title (after the invitation starts the walkthrough),
  // so ← / → and Tab carry on from here.
  focusStart() {
    this.title.tabIndex = -1;
    this.title.focus({ preventScroll: true });
    this.root.scrollIntoView?.({ block: 'start' });
  }

  // Shows stage k (1 … STEPS) of the trace for the state (focus head, pair, mask edits).
  render(trace, state) {
    this.trace = trace;
    this.state = state;
    this.step = Math.max(1, Math.min(STEPS, state.step || 1));
    const k = this.step;
    const [titleKey, descKey, formulaKey] = STAGE_KEYS[k];
    const { n, dModel, heads, dHead } = trace;
    const h = Math.min(state.focus, heads - 1);
    const [pi, pj] = [Math.min(state.pair[0], n - 1), Math.min(state.pair[1], n - 1)];
    this.head = h;
    this.pair = [pi, pj];
    this.root.dataset.step = String(k);
    this.counter.textContent = t('wt.counter', { k, total: STEPS });
    this.title.textContent = t(titleKey, { h });
    this.desc.textContent = t(descKey, {
      n, dModel, heads, dHead, h, from: h * dHead, to: (h + 1) * dHead - 1,
      pos: t(`positional.${trace.positional}`), temp: formatNumber(trace.temperature, 3),
    });
    this.formula.replaceChildren(formula(t(formulaKey)));
    this.back.disabled = k === 1;
    this.next.disabled = k === STEPS;
    this.dots.forEach((b, idx) => {
      b.classList.toggle('is-done', idx + 1 < k);
      b.classList.toggle('is-current', idx + 1 === k);
      if (idx + 1 === k) b.setAttribute('aria-current', 'step'); else b.removeAttribute('aria-current');
    });
    this.extra.replaceChildren();
    this.body.replaceChildren();
    this.figs = new Map();
    this.neuron.replaceChildren();
    this.neuron.hidden = true;
    this.editable = null;
    this[`stage${k}`](trace, h);
    this.flush();
    this.updateEditor();
  }

  // ---- editing inputs: click a cell of E or W_Q/W_K/W_V, type or drag a new value -------------
  // The editor lives outside the per-stage DOM, so a drag survives the redraw every value causes.

  buildEditor() {
    const ed = el('div', 'wt-editor', this.card);
    this.editor = ed;
    this.editHint = el('p', 'hint', ed);
    const row = el('div', 'wt-editor-row', ed);
    this.editLabel = el('label', 'wt-editor-label', row);
    this.editLabel.htmlFor = 'wt-edit-value';
    this.editNumber = el('input', '', row);
    Object.assign(this.editNumber, { type: 'number', id: 'wt-edit-value', step: 'any' });
    this.editRange = el('input', '', row);
    Object.assign(this.editRange, { type: 'range', min: '-4', max: '4', step: '0.01', tabIndex: -1 });
    this.editRange.setAttribute('aria-hidden', 'true');
    this.editReset = el('button', 'button', row, t('edit.resetCell'));
    this.editReset.type = 'button';
    this.editResetAll = el('button', 'button button-quiet', ed, '');
    this.editResetAll.type = 'button';
    this.editRowEl = row;
    const send = (value) => {
      if (!this.editing || !Number.isFinite(value)) return;
      const { m, row: r, col: c } = this.editing;
      const edits = (this.state.edits ?? []).filter((e) => !(e.m === m && e.row === r && e.col === c));
      edits.push({ m, row: r, col: c, value });
      this.onChange({ edits });
    };
    this.editNumber.addEventListener('input', () => {
      if (this.editNumber.value.trim() === '') return;
      const v = Number(this.editNumber.value);
      this.editRange.value = String(v);
      send(v);
    });
    this.editRange.addEventListener('input', () => {
      const v = Number(this.editRange.value);
      this.editNumber.value = String(v);
      send(v);
    });
    this.editReset.addEventListener('click', () => {
      if (!this.editing) return;
      const { m, row: r, col: c } = this.editing;
      this.onChange({ edits: (this.state.edits ?? []).filter((e) => !(e.m === m && e.row === r && e.col === c)) });
    });
    this.editResetAll.addEventListener('click', () => this.onChange({ edits: [] }));
  }

  // Which matrices this stage lets the reader edit: 'e' (embeddings), 'q', 'k', 'v' (W_Q, W_K, W_V).
  setEditable(kinds) {
    this.editable = new Set(kinds);
  }

  startEdit(m, row, col) {
    this.editing = { m, row, col };
    this.updateEditor();
    this.editNumber.focus();
    this.editNumber.select();
  }

  updateEditor() {
    const tr = this.trace;
    const edits = this.state.edits ?? [];
    const show = Boolean(this.editable);
    this.editor.hidden = !show;
    if (!show) return;
    this.editHint.textContent = t(this.editable.has('e') ? 'edit.hintE' : 'edit.hintW');
    this.editResetAll.textContent = t('edit.resetAll', { count: edits.length });
    this.editResetAll.hidden = edits.length === 0;
    const target = this.editing && this.editable.has(this.editing.m) ? this.editing : null;
    this.editRowEl.hidden = !target;
    if (!target) return;
    const { m, row, col } = target;
    const { dModel } = tr;
    const matrix = { e: tr.embeddings, q: tr.wq, k: tr.wk, v: tr.wv }[m];
    if (col >= dModel || row >= (m === 'e' ? tr.n : dModel)) { this.editRowEl.hidden = true; return; }
    const value = matrix[row * dModel + col];
    this.editLabel.textContent = m === 'e'
      ? t('edit.labelE', { i: row, token: tr.tokens[row], j: col })
      : t('edit.labelW', { name: `W_${m.toUpperCase()}`, i: row, j: col });
    const edited = edits.some((e) => e.m === m && e.row === row && e.col === col);
    this.editReset.disabled = !edited;
    const range = m === 'e' ? 4 : 1;
    this.editRange.min = String(-range);
    this.editRange.max = String(range);
    // Leave the fields alone while the reader is typing or dragging in them.
    if (document.activeElement !== this.editNumber) this.editNumber.value = String(Number(value.toPrecision(5)));
    if (document.activeElement !== this.editRange) this.editRange.value = String(value);
  }


  // ---- figures --------------------------------------------------------------------------

  row() {
    return el('div', 'wt-row', this.body);
  }

  // Adds a captioned heatmap. spec: { id, name, math?, rows, cols, data, kind?, colormap?, range?, mask?,
  // rowLabels?, colLabels?, square?, groups?, onClick? }.
  fig(parent, spec) {
    const wrap = el('div', `figure wt-fig wt-fig-${spec.id}`, parent);
    wrap.dataset.fig = spec.id;
    const cap = el('div', 'figure-cap', wrap);
    // A name that is pure notation (Q_0, W_Q, out_2, or spec.math) is typeset like the formulas.
    const nameEl = el('span', 'figure-name', cap);
    if (spec.math || /^[A-Za-z]+_[A-Za-z0-9]+$/.test(spec.name)) nameEl.appendChild(formula(spec.name, { display: 'inline' }));
    else nameEl.textContent = spec.name;
    const dims = el('span', 'shape', cap, t('shape.matrix', { rows: spec.rows, cols: spec.cols }));
    dims.dataset.rows = String(spec.rows);
    dims.dataset.cols = String(spec.cols);
    const host = el('div', 'figure-host', wrap);
    const square = spec.square ?? false;
    const map = new Heatmap(host, {
      colormap: spec.colormap ?? 'diverging', square, colLabels: Boolean(spec.colLabels),
      rowLabels: spec.rowLabels !== false, maxCell: spec.maxCell ?? (square ? 30 : 12), minCell: 1,
      legend: spec.legend ?? true, onHover: (cell) => this.hover(spec, cell),
      onClick: spec.onClick ?? null, grid: Boolean(spec.grid),
    });
    if (spec.note) el('p', 'figure-desc', wrap, spec.note);
    this.figs.set(spec.id, { spec, map, host });
    // Drawn in flush(), once every figure of the stage is in the grid and widths are final.
    return map;
  }

  // Draws every figure of the stage: all widths read first, then every map sized (one layout).
  flush() {
    const widths = new Map([...this.figs].map(([id, f]) => [id, f.host.clientWidth]));
    // spec.labelsAtLineStart: row labels only on a figure that begins a line of its grid (step
    // 10's head outputs: one set of labels per line, however many lines the width makes).
    const lineStart = (wrap) => {
      const prev = wrap.previousElementSibling;
      return !prev || prev.offsetTop !== wrap.offsetTop;
    };
    const unlabelled = new Set([...this.figs].filter(([, f]) => f.spec.labelsAtLineStart && !lineStart(f.host.parentElement)).map(([id]) => id));
    for (const [id, { spec, map }] of this.figs) {
      map.update({
        rows: spec.rows, cols: spec.cols, data: spec.data,
        range: spec.range ?? symmetricRange(spec.data),
        rowLabels: spec.rowLabels === false || unlabelled.has(id) ? undefined : spec.rowLabels ?? this.trace.tokens,
        colLabels: spec.colLabels || undefined,
        colGroups: spec.groups, masked: spec.masked,
        width: widths.get(id) || 300,
        cellHeight: spec.cellHeight ?? (this.trace.n <= 16 ? 16 : 12),
      });
    }
    this.fitSoftmax();
    this.alignEntropy();
  }

  // Step 8: S → softmax → P. Each map's column is no wider than the figure needs at its largest
  // cells (the map and its caption: --w-Sm, --w-A, read by style.css), so a map of few
  // keys (cross-attention onto a short sentence) keeps the arrow beside it, not across empty space.
  fitSoftmax() {
    const row = this.body.querySelector('.wt-softmax');
    if (!row) return;
    const natural = (node) => {
      if (!node) return 0;
      node.style.width = 'max-content';
      const w = node.getBoundingClientRect().width;
      node.style.width = '';
      return w;
    };
    for (const id of ['Sm', 'A']) {
      const { map, host } = this.figs.get(id);
      map.layout(1e6);
      const wrap = host.closest('.figure');
      // S's legend may reach under the arrow (centred on the map, above it); P's may not reach H.
      const legend = id === 'A' ? natural(wrap.querySelector('.hm-legend')) : 0;
      const w = Math.max(map.layoutBox.stageW, natural(wrap.querySelector('.figure-cap')), legend);
      row.style.setProperty(`--w-${id}`, `${Math.ceil(w)}px`);
    }
    for (const id of ['Sm', 'A']) {
      const { map, host } = this.figs.get(id);
      map.layout(host.clientWidth);
    }
  }

  // Lines the entropy column's rows up with the weights' rows (which have column labels above).
  alignEntropy() {
    const a = this.figs.get('A')?.map;
    const hFig = this.figs.get('H');
    if (!a?.layoutBox || !hFig) return;
    hFig.spec.cellHeight = a.layoutBox.cellH;
    hFig.map.model.cellHeight = a.layoutBox.cellH;
    hFig.map.layout(hFig.host.clientWidth);
    alignTops(hFig.host, hFig.map.dataCanvas, a.dataCanvas);
  }

  relayout() {
    // A new width can move figures to other lines, and so their row labels.
    if ([...this.figs.values()].some((f) => f.spec.labelsAtLineStart)) { this.flush(); return; }
    for (const { map, host } of this.figs.values()) map.layout(host.clientWidth);
    this.alignEntropy();
  }

  hover(spec, cell) {
    const lit = cell ? this.links(spec.id, cell.row, cell.col) : {};
    for (const [id, { map }] of this.figs) map.setHighlights(lit[id] ?? []);
    if (!cell) {
      this.tooltip.hide();
      return;
    }
    if (spec.kind) {
      // tipData: the values to read out when the colours come from other data (the mask M).
      const value = spec.tipData ? spec.tipData[cell.row * spec.cols + cell.col] : cell.value;
      const content = explainCell(this.trace, spec.kind, this.head, cell.row, cell.col + (spec.colOffset ?? 0), value);
      this.tooltip.show(content, cell.clientX, cell.clientY);
    } else {
      this.tooltip.show({ title: t('tip.cell', { matrix: spec.name, i: cell.row, j: cell.col, value: formatNumber(cell.value, 6) }), lines: [] }, cell.clientX, cell.clientY);
    }
  }

  // Provenance: for a hovered cell (r, c) of figure id, what to outline in the stage's other
  // figures. A computed cell lights what it came from; a cell of a stage's inputs (X, a weight
  // matrix, C) lights what it feeds, and the row or column it is multiplied with:
  //   Q(i, c) = Σ_r X(i, r) W_Q(r, c), so W_Q(r, c) lights column c of Q and column r of X,
  //   X(i, r) lights row i of Q, K, V and row r of W_Q, W_K, W_V; the same for W_O, C and Y.
  links(id, r, c) {
    const { dHead, cross } = this.trace;
    const step = this.step;
    const cell = [{ row: r, col: c }];
    const xKv = cross ? 'Xkv' : 'X'; // what K and V are computed from
    switch (id) {
      case 'E': return { X: cell };
      case 'X': return step === 3 ? { E: cell }
        : step === 4 ? { Q: [{ row: r }], ...(cross ? {} : { K: [{ row: r }], V: [{ row: r }] }), WQ: [{ row: c }], ...(cross ? {} : { WK: [{ row: c }], WV: [{ row: c }] }) }
          : {};
      case 'Xkv': return { K: [{ row: r }], V: [{ row: r }], WK: [{ row: c }], WV: [{ row: c }] };
      case 'WQ': return { Q: [{ col: c }], X: [{ col: r }] };
      case 'WK': return { K: [{ col: c }], [xKv]: [{ col: r }] };
      case 'WV': return { V: [{ col: c }], [xKv]: [{ col: r }] };
      case 'Q': return { X: [{ row: r }], WQ: [{ col: c }] };
      case 'K': return { [xKv]: [{ row: r }], WK: [{ col: c }] };
      case 'V': return { [xKv]: [{ row: r }], WV: [{ col: c }] };
      case 'Qh': return { S: [{ row: r }], Sm: [{ row: r }] };
      case 'Kh': return { S: [{ col: r }], Sm: [{ col: r }] };
      case 'S': return step === 5 ? { Qh: [{ row: r }], Kh: [{ row: c }] } : { Ss: cell };
      case 'Ss': return step === 6 ? { S: cell } : { Sm: cell, M: cell };
      case 'M': return { Sm: cell, Ss: cell };
      // A score feeds its whole row of weights: softmax divides by the row's sum.
      case 'Sm': return step === 7 ? { M: cell, Ss: cell } : { A: [{ row: r }, ...cell], H: [{ row: r }] };
      case 'A': return step === 9
        ? { Vh: [{ row: c }], O: [{ row: r }] }
        : { Qh: [{ row: r }], Kh: [{ row: c }], Sm: [{ row: r }, ...cell], H: [{ row: r }] };
      case 'H': return { A: [{ row: r }] };
      case 'Vh': return { A: [{ col: r }], O: [{ col: c }] };
      case 'O': return { A: [{ row: r }], Vh: [{ col: c }] };
      case 'C': return step === 11
        ? { Y: [{ row: r }], WO: [{ row: c }] }
        : { [`O${Math.floor(c / dHead)}`]: [{ row: r, col: c % dHead }] };
      case 'WO': return { Y: [{ col: c }], C: [{ col: r }] };
      case 'Y': return { C: [{ row: r }], WO: [{ col: c }] };
      default:
        // A head's output at step 10 goes to its slice of concat.
        if (/^O\d+$/.test(id)) return { C: [{ row: r, col: Number(id.slice(1)) * dHead + c }] };
        return {};
    }
  }

  // The weights' colour range: views/figures.js's rule, as the overview colours them.
  weightRange(trace) {
    return matrix(trace, 'weights', { head: this.head, independent: this.state.independent }).range;
  }

  pairClick() {
    return (cell) => { if (cell) this.onChange({ pair: [cell.row, cell.col] }); };
  }

  // The neuron view of the pair, as far as this step has gone (see renderNeuron's upTo).
  showNeuron() {
    this.neuron.hidden = false;
    const [i, j] = this.pair;
    const upTo = { 5: 'dot', 6: 'scale' }[this.step] ?? 'softmax';
    renderNeuron(this.neuron, this.trace, this.head, i, j, { upTo });
  }

  // Q_h (n × d_head), or K_h, V_h (nKv × d_head: the second sentence's under cross-attention).
  headSpec(tr, which) {
    const name = `${which}_${this.head}`;
    const data = tr[which.toLowerCase()][this.head];
    const isQ = which === 'Q';
    return {
      id: `${which}h`, name, rows: isQ ? tr.n : tr.nKv, cols: tr.dHead, data,
      // Explained as the d_model columns they are: head h's slice starts at h·d_head.
      rowLabels: isQ ? tr.tokens : tr.keyTokens, kind: which.toLowerCase(), colOffset: this.head * tr.dHead,
    };
  }

  // ---- the stages -----------------------------------------------------------------------

  stage1(tr) {
    this.shape.textContent = t('shape.tokens', { n: tr.n });
    const list = el('ol', 'tokens', this.body);
    tr.tokens.forEach((tok, i) => {
      const li = el('li', 'token', list);
      el('span', 'token-text', li, tok);
      el('span', 'token-index', li, String(i));
    });
  }

  stage2(tr) {
    this.shape.textContent = t('shape.named', { name: 'E', rows: tr.n, cols: tr.dModel });
    const row = this.row();
    this.setEditable(['e']);
    this.fig(row, {
      id: 'E', name: t('wt.name.E'), rows: tr.n, cols: tr.dModel, data: tr.embeddings,
      onClick: (cell) => { if (cell) this.startEdit('e', cell.row, cell.col); },
    });
    if (tr.cross) this.fig(row, { id: 'Ekv', name: t('wt.name.Ekv'), rows: tr.nKv, cols: tr.dModel, data: tr.embeddingsKv, rowLabels: tr.keyTokens });
  }

  stage3(tr) {
    this.shape.textContent = t('shape.named', { name: 'X', rows: tr.n, cols: tr.dModel });
    const row = this.row();
    this.fig(row, { id: 'E', name: t('wt.name.E'), rows: tr.n, cols: tr.dModel, data: tr.embeddings });
    this.fig(row, { id: 'X', name: t('wt.name.X'), rows: tr.n, cols: tr.dModel, data: tr.x, kind: 'x' });
    if (tr.cross) this.fig(this.row(), { id: 'Xkv', name: t('wt.name.Xkv'), rows: tr.nKv, cols: tr.dModel, data: tr.xKv, rowLabels: tr.keyTokens });
    el('p', 'wt-note', this.extra, t(tr.positional === 'sinusoidal' ? 'wt.pos.added' : 'wt.pos.notAdded', { pos: t(`positional.${tr.positional}`) }));
  }

  stage4(tr) {
    const { n, dModel, heads, dHead } = tr;
    this.shape.textContent = `${t('shape.matrix', { rows: n, cols: dModel })} → ${t('shape.heads', { heads, rows: n, cols: dHead })}`;
    const groups = heads > 1 ? { size: dHead, labels: Array.from({ length: heads }, (_, g) => t('axis.head', { h: g })) } : undefined;
    this.setEditable(['q', 'k', 'v']);
    const xRow = this.row();
    this.fig(xRow, { id: 'X', name: t('wt.name.X'), rows: n, cols: dModel, data: tr.x, kind: 'x' });
    if (tr.cross) this.fig(xRow, { id: 'Xkv', name: t('wt.name.Xkv'), rows: tr.nKv, cols: dModel, data: tr.xKv, rowLabels: tr.keyTokens });
    const w = this.row();
    w.classList.add('wt-row-3');
    for (const [id, name, data] of [['WQ', 'W_Q', tr.wq], ['WK', 'W_K', tr.wk], ['WV', 'W_V', tr.wv]]) {
      this.fig(w, {
        id, name, rows: dModel, cols: dModel, data, rowLabels: false, cellHeight: Math.max(1, Math.min(6, Math.floor(240 / dModel))), kind: id.toLowerCase(),
        note: t('wt.weights.note'), onClick: (cell) => { if (cell) this.startEdit(id[1].toLowerCase(), cell.row, cell.col); },
      });
    }
    const out = this.row();
    out.classList.add('wt-row-3');
    for (const [id, name, blocks, rows, labels] of [['Q', 'Q', tr.q, n, tr.tokens], ['K', 'K', tr.k, tr.nKv, tr.keyTokens], ['V', 'V', tr.v, tr.nKv, tr.keyTokens]]) {
      this.fig(out, { id, name, rows, cols: dModel, data: joinHeads(blocks, rows, dHead), rowLabels: labels, kind: id.toLowerCase(), groups });
    }
  }

  stage5(tr) {
    const { n } = tr;
    this.shape.textContent = t('wt.shape.scores', { h: this.head, n, nKv: tr.nKv, dHead: tr.dHead });
    const row = this.row();
    this.fig(row, this.headSpec(tr, 'Q'));
    this.fig(row, this.headSpec(tr, 'K'));
    this.fig(this.row(), {
      id: 'S', name: t('wt.name.raw', { h: this.head }), math: true, rows: n, cols: tr.nKv, data: tr.rawScores[this.head],
      colLabels: tr.keyTokens, square: true, onClick: this.pairClick(),
    });
    this.showNeuron();
  }

  stage6(tr) {
    const { n } = tr;
    this.shape.textContent = t('wt.shape.nq', { n, nKv: tr.nKv });
    this.scaleSwitch();
    const row = this.row();
    const range = symmetricRange(tr.rawScores[this.head]);
    this.fig(row, { id: 'S', name: t('wt.name.raw', { h: this.head }), math: true, rows: n, cols: tr.nKv, data: tr.rawScores[this.head], colLabels: tr.keyTokens, square: true, range });
    this.fig(row, {
      id: 'Ss', name: t(tr.scale ? 'wt.name.scaled' : 'wt.name.unscaled', { h: this.head }), math: tr.scale, rows: n, cols: tr.nKv,
      data: tr.unmaskedScores[this.head], colLabels: tr.keyTokens, square: true, range, onClick: this.pairClick(),
      note: t('wt.scale.sameRange'),
    });
    this.showNeuron();
  }

  stage7(tr) {
    const { n } = tr;
    this.shape.textContent = t('wt.shape.nq', { n, nKv: tr.nKv });
    this.maskEditor(tr);
    const row = this.row();
    const blocked = Uint8Array.from(tr.mask, (m) => 1 - m);
    this.fig(row, {
      // Drawn white where a key may be attended to, grey where it is hidden; read out as 1 / 0.
      id: 'M', name: t('wt.name.mask'), rows: n, cols: tr.nKv, data: new Float32Array(n * tr.nKv), tipData: tr.mask, kind: 'mask',
      range: [-12, 12], masked: blocked, grid: true, colLabels: tr.keyTokens, square: true, legend: false, note: t('mask.paintHint'),
      onClick: (cell) => { if (cell) this.togglePainted(cell.row, cell.col); },
    });
    const range = symmetricRange(tr.unmaskedScores[this.head]);
    this.fig(row, { id: 'Ss', name: t(tr.scale ? 'wt.name.scaled' : 'wt.name.unscaled', { h: this.head }), math: tr.scale, rows: n, cols: tr.nKv, data: tr.unmaskedScores[this.head], colLabels: tr.keyTokens, square: true, range });
    this.fig(row, { id: 'Sm', name: t('wt.name.masked', { h: this.head }), rows: n, cols: tr.nKv, data: tr.scores[this.head], colLabels: tr.keyTokens, square: true, range, kind: 'scores', onClick: this.pairClick() });
    this.emptyRowsNote(tr);
  }

  // Softmax: the scores before (scaled and masked) and the weights P after, side by side at the
  // same size, each n_q × n_k; Q_h and K_h below, where the scores came from.
  stage8(tr) {
    const { n } = tr;
    this.shape.textContent = t('wt.shape.nq', { n, nKv: tr.nKv });
    const row = el('div', 'wt-softmax', this.body);
    this.fig(row, {
      id: 'Sm', name: t('wt.name.masked', { h: this.head }), rows: n, cols: tr.nKv, data: tr.scores[this.head],
      colLabels: tr.keyTokens, square: true, kind: 'scores', onClick: this.pairClick(),
    });
    const arrow = el('div', 'wt-arrow', row);
    el('span', 'wt-arrow-glyph', arrow, '→').setAttribute('aria-hidden', 'true');
    el('span', 'wt-arrow-text', arrow, t('wt.softmax.arrow'));
    this.fig(row, {
      id: 'A', name: t('wt.name.weights', { h: this.head }), rows: n, cols: tr.nKv, data: tr.weights[this.head], colormap: 'viridis',
      range: this.weightRange(tr), masked: Uint8Array.from(tr.mask, (m) => 1 - m), colLabels: tr.keyTokens, square: true, kind: 'weights',
      onClick: this.pairClick(), note: t('wt.softmax.rows'),
    });
    this.entropy(row, tr);
    el('p', 'figure-desc wt-entropy-note', this.body, t('wt.entropy.note', { max: Math.log(tr.nKv).toFixed(3), n: tr.nKv }));
    el('p', 'wt-sub', this.body, t('wt.softmax.qk'));
    const qk = this.row();
    this.fig(qk, this.headSpec(tr, 'Q'));
    this.fig(qk, this.headSpec(tr, 'K'));
    this.emptyRowsNote(tr);
    this.showNeuron();
  }

  stage9(tr) {
    const { n, dHead } = tr;
    this.shape.textContent = t('wt.shape.sum', { n, nKv: tr.nKv, dHead });
    const row = this.row();
    this.fig(row, { id: 'A', name: t('wt.name.weights', { h: this.head }), rows: n, cols: tr.nKv, data: tr.weights[this.head], colormap: 'viridis', range: this.weightRange(tr), masked: Uint8Array.from(tr.mask, (m) => 1 - m), colLabels: tr.keyTokens, square: true, kind: 'weights' });
    this.fig(row, this.headSpec(tr, 'V'));
    this.fig(row, { id: 'O', name: `out_${this.head}`, rows: n, cols: dHead, data: tr.headOutput[this.head], kind: 'headOutput' });
  }

  stage10(tr) {
    const { n, dModel, heads, dHead } = tr;
    this.shape.textContent = t('shape.named', { name: 'concat', rows: n, cols: dModel });
    const row = this.row();
    row.classList.add('wt-row-heads');
    // One colour scale for the heads and concat: the same numbers, the same colours.
    const range = symmetricRange(tr.concat);
    for (let g = 0; g < heads; g++) {
      this.fig(row, { id: `O${g}`, name: `out_${g}`, rows: n, cols: dHead, data: tr.headOutput[g], labelsAtLineStart: true, legend: false, range });
    }
    const groups = heads > 1 ? { size: dHead, labels: Array.from({ length: heads }, (_, g) => t('axis.head', { h: g })) } : undefined;
    this.fig(this.row(), { id: 'C', name: 'concat', rows: n, cols: dModel, data: tr.concat, groups, kind: 'concat', range });
  }

  stage11(tr) {
    const { n, dModel } = tr;
    this.shape.textContent = t('shape.named', { name: 'output', rows: n, cols: dModel });
    const row = this.row();
    row.classList.add('wt-row-3');
    this.fig(row, { id: 'C', name: 'concat', rows: n, cols: dModel, data: tr.concat, kind: 'concat' });
    this.fig(row, { id: 'WO', name: 'W_O', rows: dModel, cols: dModel, data: tr.wo, rowLabels: false, kind: 'wo', cellHeight: Math.max(1, Math.min(6, Math.floor(240 / dModel))), note: t('wt.weights.note') });
    this.fig(row, { id: 'Y', name: 'output', rows: n, cols: dModel, data: tr.output, kind: 'output' });
  }

  stage12(tr) {
    const { n, dModel } = tr;
    this.shape.textContent = t('shape.named', { name: 'output', rows: n, cols: dModel });
    const row = this.row();
    this.fig(row, { id: 'X', name: t('wt.name.X'), rows: n, cols: dModel, data: tr.x, kind: 'x' });
    this.fig(row, { id: 'Y', name: 'output', rows: n, cols: dModel, data: tr.output, kind: 'output' });
    el('p', 'wt-note wt-end', this.extra, t('wt.output.end'));
  }

  // ---- controls inside stages -----------------------------------------------------------

  scaleSwitch() {
    const label = el('label', 'wt-switch', this.extra);
    const box = el('input', '', label);
    box.type = 'checkbox';
    box.id = 'wt-scale';
    box.checked = this.trace.scale !== false;
    el('span', '', label, t('controls.scale'));
    box.addEventListener('change', () => this.onChange({ scale: box.checked }));
  }

  maskEditor(tr) {
    const bar = el('div', 'wt-mask', this.extra);
    const kinds = el('div', 'segmented', bar);
    kinds.setAttribute('role', 'group');
    kinds.setAttribute('aria-label', t('mask.kind'));
    for (const [key, causal] of [['mask.bidirectional', false], ['mask.causal', true]]) {
      const b = el('button', 'button', kinds, t(key));
      b.type = 'button';
      b.dataset.mask = causal ? 'causal' : 'bidirectional';
      b.setAttribute('aria-pressed', String(Boolean(tr.causal) === causal));
      b.addEventListener('click', () => this.onChange({ causal }));
    }
    const clear = el('button', 'button button-quiet', bar, t('mask.clear'));
    clear.type = 'button';
    clear.disabled = !(tr.painted?.length || tr.padding?.length);
    clear.addEventListener('click', () => this.onChange({ painted: [], padding: [] }));
    el('p', 'hint', this.extra, t('mask.padHint'));
    const list = el('ol', 'tokens tokens-pad', this.extra);
    const padded = new Set(tr.padding ?? []);
    tr.keyTokens.forEach((tok, j) => {
      const li = el('li', '', list);
      const b = el('button', padded.has(j) ? 'token is-pad' : 'token', li);
      b.type = 'button';
      b.dataset.pad = String(j);
      b.setAttribute('aria-pressed', String(padded.has(j)));
      el('span', 'token-text', b, tok);
      el('span', 'token-index', b, String(j));
      b.addEventListener('click', () => {
        const next = new Set(padded);
        if (next.has(j)) next.delete(j); else next.add(j);
        this.onChange({ padding: [...next].sort((a, b2) => a - b2) });
      });
    });
  }

  togglePainted(i, j) {
    const cells = (this.trace.painted ?? []).map((p) => p.slice());
    const at = cells.findIndex(([a, b]) => a === i && b === j);
    if (at >= 0) cells.splice(at, 1); else cells.push([i, j]);
    this.onChange({ painted: cells });
  }

  emptyRowsNote(tr) {
    const { n, nKv } = tr;
    const empty = [];
    for (let i = 0; i < n; i++) if (!tr.mask.subarray(i * nKv, (i + 1) * nKv).some((m) => m)) empty.push(i);
    if (!empty.length) return;
    el('p', 'wt-note wt-empty', this.extra, t('mask.emptyRows', { rows: empty.map((i) => `${i} “${tr.tokens[i]}”`).join(', ') }));
  }

  // Per-row entropy of head h's weights (the core's), a one-column map beside the weights.
  entropy(parent, tr) {
    const { n } = tr;
    this.fig(parent, {
      id: 'H', name: t('wt.name.entropy'), rows: n, cols: 1, data: tr.entropy[this.head], colormap: 'viridis',
      range: [0, Math.log(Math.max(2, tr.nKv))], rowLabels: false, legend: true, maxCell: 16, kind: 'entropy',
    });
  }
}
