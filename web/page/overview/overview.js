// Draws one trace as the pipeline of steps, each with its shape written next to it:
//   tokens → X (n × d_model) → Q, K, V (n × d_model = h heads of n × d_head)
//   → per head: scores (n × n) → mask → softmax weights (n × n) → weights·V_h (n × d_head)
//   → concat (n × d_model) → ·W_O → output (n × d_model).
// Above them, an invitation to the step-by-step walkthrough for a newcomer (remembered once
// answered). The DOM is built once; render() only feeds new data to the heatmaps. All text
// from i18n.js, and every token is inserted with textContent.
//
// About 490 lines, one class on purpose: the ten steps share one layout pass (every map's width is
// read once, then every map drawn), the focused head and the hover; the parts that stand alone
// live beside it (headview.js: the head view).

import { Heatmap, alignTops } from '../../draw/heatmap.js';
import { matrix } from '../../views/figures.js';
import { t } from '../i18n/i18n.js';
import { explainCell } from '../explain/explain.js';
import { HeadView } from './headview.js';
import { el } from '../../draw/dom.js';
import { STEPS } from '../state.js';
import { mixed, plain } from '../../draw/math.js';
import { describe, projectionFormula, scoresClaim, scoresNotation } from '../../views/describe.js';
import { editMarks, editNames } from '../edit-marks.js';

const shape = (rows, cols) => t('shape.matrix', { rows, cols });

// Every map's data, colour range and masked cells come from views/figures.js matrix(), the rule
// the walkthrough, the widget and the exports share.

// Whether the reader already answered the walkthrough invitation ('started', 'dismissed'), or
// null. Storage can be refused (private modes, sandboxed frames): then the answer lasts the visit.
const INVITE_KEY = 'attention-playground:walkthrough-invite';
let inviteAnswer = null;
function recall() {
  try {
    return localStorage.getItem(INVITE_KEY) ?? inviteAnswer;
  } catch {
    return inviteAnswer;
  }
}
function remember(answer) {
  inviteAnswer = answer;
  try {
    localStorage.setItem(INVITE_KEY, answer);
  } catch {
    /* the answer lasts this visit */
  }
}

export class Pipeline {
  // root: the <main> element. tooltip: a Tooltip. onFocus(h): a head thumbnail was clicked.
  // onHoverTokens(i, j): highlight tokens (j may be null); called with (null, null) on leave.
  // onStart(): the reader took the invitation to the walkthrough; canInvite(): whether the page
  // may offer it now (not when a teacher fixed the view, nor in a compact embed). Without
  // onStart there is no invitation.
  constructor(root, { tooltip, onFocus, onHoverTokens, onStart = null, canInvite = () => true }) {
    this.root = root;
    this.tooltip = tooltip;
    this.onFocus = onFocus;
    this.onHoverTokens = onHoverTokens ?? (() => {});
    this.onStart = onStart;
    this.canInvite = canInvite;
    this.trace = null;
    this.focus = 0;
    this.heatmaps = [];
    this.thumbs = [];
    this.build();
  }

  // A numbered step: heading, shape badge, description, body.
  step(number, titleKey) {
    const section = el('section', 'step', this.root);
    const head = el('header', 'step-head', section);
    el('span', 'step-num', head, String(number));
    // Titles mix words and notation ('Projections $Q = X W_Q$'): the notation is typeset.
    const title = el('h2', 'step-title', head);
    title.appendChild(mixed(t(titleKey)));
    const shapeBadge = el('span', 'shape', head);
    const desc = el('p', 'step-desc', section);
    const body = el('div', 'step-body', section);
    return { section, title, shape: shapeBadge, desc, body };
  }

  // A captioned heatmap inside a step. kind selects the tooltip explanation.
  figure(parent, kind, options, caption) {
    const wrap = el('div', 'figure', parent);
    const cap = el('div', 'figure-cap', wrap);
    const name = el('span', 'figure-name', cap, caption ?? '');
    const dims = el('span', 'shape', cap);
    const host = el('div', 'figure-host', wrap);
    const fig = { wrap, name, dims, host, kind, head: 0 };
    fig.map = new Heatmap(host, {
      lazy: true, // a long overview mostly out of view: a drag paints only what is seen
      ...options,
      onHover: (cell) => this.hover(fig, cell),
    });
    this.heatmaps.push(fig);
    return fig;
  }

  build() {
    this.root.replaceChildren();
    this.heatmaps = [];
    this.buildInvite();

    this.sTokens = this.step(1, 'step.tokens');
    this.sTokens.desc.textContent = t('step.tokens.desc');
    this.tokenList = el('ol', 'tokens', this.sTokens.body);

    this.sX = this.step(2, 'step.x');
    this.fX = this.figure(
      this.sX.body,
      'x',
      { colormap: 'diverging', square: false, colLabels: false, maxCell: 10 },
      'X',
    );
    this.editsNote = el('p', 'hint ov-edits', this.sX.body);
    this.editsNote.hidden = true;

    this.sQKV = this.step(3, 'step.qkv');
    const qkv = el('div', 'figure-row', this.sQKV.body);
    this.qkvRow = qkv;
    const qkvOptions = { colormap: 'diverging', square: false, colLabels: false, maxCell: 6 };
    this.fQ = this.figure(qkv, 'q', qkvOptions, 'Q');
    this.fK = this.figure(qkv, 'k', qkvOptions, 'K');
    this.fV = this.figure(qkv, 'v', qkvOptions, 'V');

    this.sHeads = this.step(4, 'step.heads');
    this.sHeads.desc.textContent = t('step.heads.desc');
    this.thumbRow = el('div', 'thumbs', this.sHeads.body);
    const hv = el('div', 'headview', this.sHeads.body);
    el('h3', 'hv-title', hv, t('hv.title'));
    el('p', 'figure-desc', hv, t('hv.desc'));
    this.headView = new HeadView(el('div', 'hv-body', hv), { onFocus: (h) => this.onFocus(h) });
    this.thumbs = [];

    this.sFocus = this.step(5, 'step.focus');
    const pair = el('div', 'figure-row figure-row-2', this.sFocus.body);
    this.focusPair = pair;
    this.fScores = this.figure(pair, 'scores', { colormap: 'diverging', maxCell: 30 });
    const weightsRow = el('div', 'wt-pair', pair);
    this.fWeights = this.figure(weightsRow, 'weights', { colormap: 'viridis', maxCell: 30 });
    this.fEntropy = this.figure(
      weightsRow,
      'entropy',
      {
        colormap: 'viridis',
        square: false,
        colLabels: false,
        rowLabels: false,
        maxCell: 16,
        keyboard: false,
        legend: false,
      },
      t('wt.name.entropy'),
    );
    this.fEntropy.wrap.classList.add('figure-entropy');
    this.fScores.wrap.classList.add('figure-scores');
    this.fWeights.wrap.classList.add('figure-weights');
    this.scoresDesc = el('p', 'figure-desc', this.fScores.wrap, t('step.scores.desc'));
    this.weightsDesc = el('p', 'figure-desc', this.fWeights.wrap, t('step.weights.desc'));
    // What H is, under the weights' description (the H column is too narrow for a sentence).
    this.entropyDesc = el('p', 'figure-desc', this.fWeights.wrap);
    const outRow = el('div', 'figure-row', this.sFocus.body);
    this.fHeadOut = this.figure(outRow, 'headOutput', {
      colormap: 'diverging',
      square: false,
      colLabels: false,
      maxCell: 16,
    });
    el('p', 'figure-desc', this.fHeadOut.wrap, t('step.headOut.desc'));

    this.sConcat = this.step(6, 'step.concat');
    this.fConcat = this.figure(
      this.sConcat.body,
      'concat',
      { colormap: 'diverging', square: false, colLabels: false, maxCell: 10 },
      'concat',
    );

    this.sOut = this.step(7, 'step.output');
    this.sOut.desc.textContent = t('step.output.desc');
    this.fOut = this.figure(
      this.sOut.body,
      'output',
      { colormap: 'diverging', square: false, colLabels: false, maxCell: 10 },
      'output',
    );
  }

  // ---- the invitation to the walkthrough ---------------------------------------------------
  // The page opens on every step at once; a newcomer is offered the guided walkthrough above it.
  // Taking it or saying "Not now" is remembered (localStorage), so a returning reader is not
  // asked again; it is never shown inside an iframe (an embed shows what its author chose).

  buildInvite() {
    const box = el('section', 'invite', this.root);
    box.hidden = true;
    box.setAttribute('aria-labelledby', 'invite-title');
    const text = el('p', 'invite-text', box);
    const title = el('strong', '', text, t('wt.invite.title'));
    title.id = 'invite-title';
    el('span', '', text, t('wt.invite.text', { steps: STEPS }));
    const actions = el('div', 'invite-actions', box);
    const start = el('button', 'button button-primary', actions, t('wt.invite.start'));
    start.type = 'button';
    start.dataset.invite = 'start';
    const later = el('button', 'button button-quiet', actions, t('wt.invite.dismiss'));
    later.type = 'button';
    later.dataset.invite = 'dismiss';
    start.addEventListener('click', () => {
      remember('started');
      box.hidden = true;
      this.onStart?.();
    });
    later.addEventListener('click', () => {
      remember('dismissed');
      box.hidden = true;
      // Keep the keyboard where the reader is: on the first thing of the overview.
      this.sTokens.section.tabIndex = -1;
      this.sTokens.section.focus();
    });
    this.invite = box;
  }

  updateInvite() {
    let embedded = false;
    try {
      embedded = window.top !== window.self;
    } catch {
      embedded = true;
    }
    this.invite.hidden = !(this.onStart && !embedded && this.canInvite() && recall() === null);
  }

  // Provenance: what a hovered cell of the overview came from, as { figure: outlines }.
  // Q/K/V cells live in d_model columns; the focused head's slice starts at h·d_head.
  provenance(fig, r, c) {
    const off = this.focus * this.trace.dHead;
    const { dHead } = this.trace;
    switch (fig.kind) {
      case 'q':
      case 'k':
      case 'v':
        return new Map([[this.fX, [{ row: r }]]]);
      case 'scores':
      case 'weights':
        if (fig !== this.fScores && fig !== this.fWeights) return new Map();
        return new Map([
          [this.fQ, [{ row: r, col: off, span: dHead }]],
          [this.fK, [{ row: c, col: off, span: dHead }]],
          [fig === this.fWeights ? this.fScores : this.fWeights, [{ row: r, col: c }]],
        ]);
      case 'headOutput':
        return new Map([
          [this.fWeights, [{ row: r }]],
          [this.fV, [{ col: off + c }]],
        ]);
      case 'concat':
        return new Map([[this.fHeadOut, Math.floor(c / dHead) === this.focus ? [{ row: r, col: c % dHead }] : []]]);
      case 'output':
        return new Map([[this.fConcat, [{ row: r }]]]);
      default:
        return new Map();
    }
  }

  hover(fig, cell) {
    const lit = cell && this.trace ? this.provenance(fig, cell.row, cell.col) : new Map();
    for (const f of this.heatmaps) if (f.map.highlights.length || lit.has(f)) f.map.setHighlights(lit.get(f) ?? []);
    if (!cell || !this.trace) {
      this.tooltip.hide();
      this.onHoverTokens(null, null);
      return;
    }
    const pairwise = fig.kind === 'scores' || fig.kind === 'weights';
    this.onHoverTokens(cell.row, pairwise ? cell.col : null);
    const content = explainCell(this.trace, fig.kind, fig.head, cell.row, cell.col, cell.value);
    this.tooltip.show(content, cell.clientX, cell.clientY);
  }

  // Re-lays out the maps for the current widths (window resize, pixel density); changed: only
  // the maps whose width is not the one they were laid out for (after render(), whose classes can
  // change widths). Every width is read first, then maps are written: one layout, not one per map.
  relayout({ changed = false } = {}) {
    if (!this.trace) return;
    this.rendering = false;
    if (changed && this.layoutSame) return; // render() changed no class or shape: no width moved
    this.widths = null;
    const widths = this.heatmaps.map((fig) => fig.host.clientWidth);
    this.heatmaps.forEach((fig, i) => {
      if (!changed || fig.map.laidOutWidth !== widths[i]) fig.map.layout(widths[i]);
    });
    alignTops(this.fEntropy.host, this.fEntropy.map.dataCanvas, this.fWeights.map.dataCanvas);
  }

  // Each head's weights on its own colour scale (true) or one scale shared by every head.
  setIndependent(on) {
    this.independent = Boolean(on);
  }

  // Head h's weights as figures.js models them, on the shared or the head's own scale.
  weightsOf(h) {
    return matrix(this.trace, 'weights', { head: h, independent: this.independent });
  }

  // Teacher mode's locked head: the thumbnails stay pictures, no longer buttons.
  setHeadLocked(locked) {
    for (const fig of this.thumbs) fig.wrap.setAttribute('aria-disabled', String(locked));
  }

  // h may be any head the URL names (f=4097): clamped to the trace's heads, as render() does.
  setFocus(h) {
    this.focus = this.trace ? Math.min(h, this.trace.heads - 1) : h;
    this.widths = null;
    if (this.trace) this.renderFocus();
  }

  // The heatmaps drawn, by name (the test hook's names; views/figures.js names the matrices):
  // x, q, k, v, scores, weights, entropy, headOutput, concat, output and thumb.<h> per head.
  figures() {
    const named = [
      ['x', this.fX],
      ['q', this.fQ],
      ['k', this.fK],
      ['v', this.fV],
      ['scores', this.fScores],
      ['weights', this.fWeights],
      ['entropy', this.fEntropy],
      ['headOutput', this.fHeadOut],
      ['concat', this.fConcat],
      ['output', this.fOut],
      ...this.thumbs.map((fig) => [`thumb.${fig.head}`, fig]),
    ];
    return new Map(named.map(([name, fig]) => [name, fig.map]));
  }

  render(trace) {
    this.trace = trace;
    this.updateInvite();
    const { tokens, n, dModel, heads, dHead, nKv, keyTokens } = trace;
    this.focus = Math.min(this.focus, heads - 1);
    // Rows of (n × d) maps get shorter as n grows; long sentences put the n × n maps one per line.
    this.rowHeight = n <= 16 ? 18 : n <= 32 ? 15 : 13;
    this.focusPair.classList.toggle('is-stacked', n > 20);
    // Wide Q, K, V (many columns) get a line each instead of a third of one.
    this.qkvRow.classList.toggle('is-wide', dModel > 160);
    const headLabels = Array.from({ length: heads }, (_, h) => t('axis.head', { h }));
    const groups = heads > 1 ? { size: dHead, labels: headLabels } : undefined;
    // Read every map's width once, before any map writes its size: one layout, not one per map.
    this.widths = new Map(this.heatmaps.map((fig) => [fig, fig.host.clientWidth]));
    // X, Q, K and V depend only on these; while temperature or the mask is dragged they stay.
    const inputKey = JSON.stringify([tokens, keyTokens, dModel, heads, trace.seed, trace.positional, trace.edits]);
    const inputsChanged = inputKey !== this.inputKey;
    this.inputKey = inputKey;
    // What the maps' widths and the rows' heights depend on (a drag of the temperature changes
    // none of it): when it is as before, relayout({ changed: true }) has nothing to do.
    const layoutKey = JSON.stringify([n, nKv, dModel, heads, trace.temperature !== 1, trace.positional, trace.causal]);
    this.layoutSame = layoutKey === this.layoutKey && this.thumbs.length === heads;
    this.layoutKey = layoutKey;
    this.rendering = true; // renderFocus leaves the entropy's alignment to relayout

    // 1. tokens
    this.sTokens.shape.textContent = t('shape.tokens', { n });
    if (inputsChanged) {
      const items = tokens.map((tok, i) => {
        const li = el('li', 'token');
        el('span', 'token-text', li, tok);
        el('span', 'token-index', li, String(i));
        return li;
      });
      this.tokenList.replaceChildren(...items);
    }

    // 2. X
    this.sX.shape.textContent = t('shape.named', { name: 'X', rows: n, cols: dModel });
    this.sX.desc.textContent = t('step.x.desc', {
      pos: trace.positional === 'sinusoidal' ? t('step.x.pos.sinusoidal') : '',
    });
    if (inputsChanged) this.draw(this.fX, matrix(trace, 'x'), shape(n, dModel));
    // Hand edits (made in the walkthrough): marked in X and in the columns of Q, K, V they feed.
    const edits = trace.edits ?? [];
    this.editsNote.hidden = edits.length === 0;
    this.editsNote.textContent = edits.length
      ? t('ov.edits', { count: edits.length, list: editNames(edits).join(', ') })
      : '';
    this.fX.map.setMarks(editMarks('x', edits));

    // 3. Q, K, V
    // The title's formula is this pass's: K = X_kv W_K under cross-attention, RoPE ( … ) under RoPE.
    const d = describe(trace);
    const parts = projectionFormula(d).split(/ ,\s{3,}/);
    this.sQKV.title.replaceChildren(mixed(`${t('step.qkv')} ${parts.map((p) => `$${p}$`).join(', ')}`));
    this.sQKV.shape.textContent = trace.cross
      ? `Q: ${shape(n, dModel)} · K, V: ${shape(nKv, dModel)}`
      : `${shape(n, dModel)} → ${t('shape.heads', { heads, rows: n, cols: dHead })}`;
    this.sQKV.desc.textContent = t(trace.cross ? 'step.qkv.desc.cross' : 'step.qkv.desc', {
      heads,
      n,
      nKv,
      dHead,
      rope: trace.positional === 'rope' ? t('step.qkv.rope') : '',
    });
    // Cross-attention: K and V have one row per token of the second sentence.
    for (const [fig, name, rows] of [
      [this.fQ, 'q', n],
      [this.fK, 'k', nKv],
      [this.fV, 'v', nKv],
    ]) {
      if (inputsChanged) this.draw(fig, { ...matrix(trace, name), colGroups: groups }, shape(rows, dModel));
      fig.map.setMarks(editMarks(name, edits));
    }

    // 4. one small weights map per head
    this.sHeads.shape.textContent = t('shape.heads', { heads, rows: n, cols: nKv });
    this.renderThumbs();

    // 5. the focused head
    this.renderFocus();

    // 6, 7. concat and output
    this.sConcat.shape.textContent = t('shape.named', { name: 'C', rows: n, cols: dModel });
    this.sConcat.desc.textContent = t('step.concat.desc', { heads });
    this.draw(this.fConcat, { ...matrix(trace, 'concat'), colGroups: groups }, shape(n, dModel));
    this.sOut.shape.textContent = t('shape.named', { name: 'Y', rows: n, cols: dModel });
    this.draw(this.fOut, matrix(trace, 'output'), shape(n, dModel));
    this.rendering = false;
  }

  // model: a figures.js matrix() model, with any drawing options of the heatmap's (colGroups).
  draw(fig, model, dims) {
    fig.dims.textContent = dims;
    if (fig.map.options.keyboard)
      fig.map.setLabel(t('map.label', { name: fig.label ?? (fig.name.textContent || fig.kind), dims }));
    fig.map.update({
      width: this.widths?.get(fig) ?? fig.host.clientWidth,
      cellHeight: this.rowHeight,
      ...model,
    });
  }

  renderThumbs() {
    const { n, heads, nKv } = this.trace;
    if (this.thumbs.length !== heads) {
      this.heatmaps = this.heatmaps.filter((f) => !this.thumbs.includes(f));
      this.thumbRow.replaceChildren();
      this.thumbs = [];
      for (let h = 0; h < heads; h++) {
        const fig = this.figure(
          this.thumbRow,
          'weights',
          {
            colormap: 'viridis',
            rowLabels: false,
            colLabels: false,
            legend: false,
            minCell: 2,
            maxCell: 12,
            keyboard: false,
            onClick: () => this.onFocus(h),
            label: t('head.focusHint', { h }),
          },
          t('head.label', { h }),
        );
        fig.head = h;
        fig.wrap.classList.add('thumb');
        fig.wrap.tabIndex = 0;
        fig.wrap.setAttribute('role', 'button');
        fig.wrap.setAttribute('aria-label', t('head.focusHint', { h }));
        fig.wrap.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            this.onFocus(h);
          }
        });
        this.thumbs.push(fig);
      }
    }
    const size = Math.max(2, Math.min(12, Math.floor(132 / Math.max(n, nKv))));
    // New thumbnails' widths, all read before any is drawn (one layout).
    for (const fig of this.thumbs) if (this.widths && !this.widths.has(fig)) this.widths.set(fig, fig.host.clientWidth);
    for (const fig of this.thumbs) {
      fig.map.options.minCell = fig.map.options.maxCell = size;
      fig.wrap.classList.toggle('is-focused', fig.head === this.focus);
      fig.wrap.setAttribute('aria-pressed', String(fig.head === this.focus));
      this.draw(fig, this.weightsOf(fig.head), shape(n, nKv));
    }
  }

  renderFocus() {
    const trace = this.trace;
    const { n, dHead, nKv } = trace;
    const h = this.focus;
    for (const fig of this.thumbs) {
      fig.wrap.classList.toggle('is-focused', fig.head === h);
      fig.wrap.setAttribute('aria-pressed', String(fig.head === h));
    }
    this.sFocus.title.textContent = t('step.focus', { h });
    this.sFocus.shape.textContent = t('shape.focus', { h, rows: n, cols: dHead });
    this.sFocus.desc.textContent = t('step.focus.desc', { h, from: h * dHead, to: (h + 1) * dHead - 1 });
    // The names say what this pass computed (views/describe.js): ÷√d_head only with the switch
    // on, ÷T only at T ≠ 1, + B_h under ALiBi, + M when the mask hides something.
    const d = describe(trace);
    const scoresClaimed = scoresClaim(d, 'masked');
    const weightsClaimed = scoresClaim(d, 'weights');
    const scoresName = `${t('step.scores')} $${scoresNotation(scoresClaimed, h, { named: false })}$`;
    const weightsName = `${t('step.weights')} $${scoresNotation(weightsClaimed, h, { named: false })}$`;
    // Names mix words and typeset notation; labels (aria) read the notation as plain text.
    for (const [fig, name] of [
      [this.fScores, scoresName],
      [this.fWeights, weightsName],
      [this.fHeadOut, t('step.headOut')],
    ]) {
      fig.name.replaceChildren(mixed(name));
      fig.label = plain(name);
    }
    for (const fig of [this.fScores, this.fWeights, this.fHeadOut]) fig.head = h;
    for (const fig of [this.fQ, this.fK, this.fV, this.fConcat]) fig.map.setActiveGroup(trace.heads > 1 ? h : null);

    this.draw(this.fScores, { ...matrix(trace, 'scores', { head: h }), claim: scoresClaimed }, shape(n, nKv));
    this.draw(this.fWeights, { ...this.weightsOf(h), claim: weightsClaimed }, shape(n, nKv));
    this.draw(this.fHeadOut, matrix(trace, 'headOutput', { head: h }), shape(n, dHead));

    // Row entropy beside the weights, its rows lined up with theirs.
    const wBox = this.fWeights.map.layoutBox;
    this.rowHeightSave = this.rowHeight;
    this.rowHeight = wBox ? wBox.cellH : this.rowHeight;
    this.draw(this.fEntropy, matrix(trace, 'entropy', { head: h }), shape(n, 1));
    this.rowHeight = this.rowHeightSave;
    if (wBox && this.fEntropy.map.layoutBox && !this.rendering)
      alignTops(this.fEntropy.host, this.fEntropy.map.dataCanvas, this.fWeights.map.dataCanvas);
    this.entropyDesc.textContent = t('wt.entropy.note', { max: Math.log(nKv).toFixed(3), n: nKv });
    this.headView.render(trace, h);
  }
}
