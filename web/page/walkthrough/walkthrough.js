// The step-by-step walkthrough: one stage of attention at a time, each with a short explanation,
// its formula (MathML), and the matrices it reads and writes, drawn with their shapes.
//
//   1 tokens → 2 embeddings → 3 + position → 4 Q, K, V → 5 scores (one head) → 6 scaling → 7 mask
//   → 8 softmax → 9 weighted sum of V → 10 concat → 11 ·W_O → 12 output
//
// This file is the navigation (Back, Next, the step dots) and the drawing of a stage; what each
// stage shows is its entry in stages.js. Beside it: figure-specs.js (how each matrix is drawn),
// figure-grid.js (the figures and their layout), provenance.js (what a hovered cell outlines and
// explains), cell-editor.js (hand edits of E and W_Q, W_K, W_V), mask-editor.js (the mask step's
// controls). Every number drawn is the core's (see worker.js); every colour range is
// views/figures.js's.

import { t } from '../i18n/i18n.js';
import { renderNeuron } from '../explain/neuron.js';
import { STEPS } from '../state.js';
import { el } from '../../draw/dom.js';
import { formula, mixed } from '../../draw/math.js';
import { STAGES, textParams } from './stages.js';
import { figure } from './figure-specs.js';
import { FigureGrid } from './figure-grid.js';
import { hoverCell } from './provenance.js';
import { CellEditor } from './cell-editor.js';
import { paintStroke } from './mask-editor.js';
import { describe } from '../../views/describe.js';
import { editMarks } from '../edit-marks.js';
import { fitFormulas } from './fit-formula.js';

if (STAGES.length !== STEPS) throw new Error(`stages.js has ${STAGES.length} stages, state.js ${STEPS} steps`);

export class Walkthrough {
  // root: an element to fill. handlers: { tooltip, onStep(k), onChange(patch) } — patch is a
  // partial state: { pair }, { scale }, { causal }, { padding }, { painted }, { edits }.
  constructor(root, { tooltip, onStep, onChange }) {
    this.root = root;
    this.tooltip = tooltip;
    this.onStep = onStep;
    this.onChange = onChange;
    this.trace = null;
    this.step = 1;
    this.grid = new FigureGrid({
      onHover: (fig, cell) => hoverCell(this, fig, cell),
      onClick: (fig, cell) => this.click(fig, cell),
    });
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
    this.dots = STAGES.map((stage, idx) => {
      const li = el('li', '', this.progress);
      const b = el('button', 'wt-dot', li, String(idx + 1));
      b.type = 'button';
      b.title = t(stage.title);
      b.addEventListener('click', () => this.onStep(idx + 1));
      return b;
    });
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
    // Filled only in an embed (page/embed-try.js): the page's own controls this step invites the
    // reader to try, right under the text that invites them.
    this.tryBox = el('div', 'wt-try', this.card);
    this.tryBox.hidden = true;
    el('p', 'wt-try-title', this.tryBox, t('wt.try'));
    el('div', 'wt-try-fields', this.tryBox);
    this.formula = el('div', 'wt-formula', this.card);
    this.extra = el('div', 'wt-extra', this.card);
    this.editor = new CellEditor(this.card, this.onChange);
    this.body = el('div', 'wt-body', this.card);
    this.neuron = el('div', 'neuron', this.card);
    this.keysHint = el('p', 'hint wt-keys', r, t('wt.keys'));
  }

  // The heatmaps of the step drawn, by name: the matrices' names of views/figures.js (a head's
  // output at the concat step is headOutput.<h>).
  figures() {
    return this.grid.maps();
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
    const stage = STAGES[k - 1];
    this.stage = stage;
    const { n, nKv, heads } = trace;
    const h = Math.min(state.focus, heads - 1);
    this.head = h;
    // The pair (query i, key j) inside the n × nKv map (nKv ≠ n under cross-attention).
    this.pair = [Math.min(state.pair[0], n - 1), Math.min(state.pair[1], nKv - 1)];
    this.root.dataset.step = String(k);
    this.counter.textContent = t('wt.counter', { k, total: STEPS });
    this.title.textContent = t(stage.title, { h });
    const textKey = typeof stage.text === 'function' ? stage.text(trace) : stage.text;
    this.desc.textContent = t(textKey, textParams(trace, h));
    // The formula of what this pass computed (views/describe.js), not of the default settings.
    this.formula.replaceChildren(formula(stage.formula(trace, h, describe(trace))));
    this.refreshNav();
    this.dots.forEach((b, idx) => {
      b.classList.toggle('is-done', idx + 1 < k);
      b.classList.toggle('is-current', idx + 1 === k);
      if (idx + 1 === k) b.setAttribute('aria-current', 'step');
      else b.removeAttribute('aria-current');
    });
    this.shape.textContent = stage.shape(trace, h);
    this.extra.replaceChildren();
    stage.controls?.(this.extra, { trace, onChange: this.onChange });
    // Notes mix words and $notation$ (typeset, as in the overview's titles).
    for (const [className, text] of stage.notes?.(trace, h) ?? [])
      el('p', className, this.extra).appendChild(mixed(text));
    // The figures are drawn anew: a figure the keyboard was in gets the focus back, on its cell.
    const focusedFig = document.activeElement?.closest?.('.wt-fig');
    const refocus =
      focusedFig && this.body.contains(focusedFig)
        ? { id: focusedFig.dataset.fig, cell: this.grid.maps().get(focusedFig.dataset.fig)?.hover }
        : null;
    this.body.replaceChildren();
    this.grid.clear();
    const editable = this.drawBody(stage.body(trace, h).filter(Boolean));
    this.showNeuron(stage.neuron);
    this.grid.flush(n);
    // Hand-edited cells are marked where they are drawn (E, W_Q, W_K, W_V, X) and the columns of
    // Q, K, V they feed (edit-marks.js).
    for (const [id, map] of this.grid.maps()) map.setMarks(editMarks(id, trace.edits));
    this.fitFormulas();
    if (refocus) this.grid.maps().get(refocus.id)?.focusCell(refocus.cell);
    this.editor.update(trace, state.edits ?? [], editable.size ? editable : null);
  }

  // Builds the stage's rows, paragraphs and figures into the body; returns the set of matrices
  // (cell-editor.js m's) the stage lets the reader edit.
  drawBody(blocks) {
    const editable = new Set();
    for (const block of blocks) {
      if (block.tokens) {
        const list = el('ol', 'tokens', this.body);
        this.trace.tokens.forEach((tok, i) => {
          const li = el('li', 'token', list);
          el('span', 'token-text', li, tok);
          el('span', 'token-index', li, String(i));
        });
      } else if (block.text) {
        el('p', block.className, this.body, block.text);
      } else if (block.formula) {
        el('div', 'wt-formula-next', this.body).appendChild(formula(t(block.formula)));
      } else if (block.custom) {
        // A figure that is not a heatmap (scale-figures.js), drawn from the same trace.
        block.custom(el('div', 'wt-custom', this.body), this.trace, this.head);
      } else {
        const row = el('div', block.row, this.body);
        for (const item of block.items.filter(Boolean)) {
          if (item.arrow) {
            const arrow = el('div', 'wt-arrow', row);
            el('span', 'wt-arrow-glyph', arrow, '→').setAttribute('aria-hidden', 'true');
            el('span', 'wt-arrow-text', arrow, t(item.arrow));
            continue;
          }
          const fig = figure(item, this.trace, this.state, this.head);
          if (fig.click === 'edit') editable.add(fig.edit);
          this.grid.add(row, fig);
        }
      }
    }
    return editable;
  }

  // A click on a cell: picks the neuron view's pair, opens the cell editor, or (a stroke of
  // cells, from a drag or a tap) paints the mask.
  click(fig, cell) {
    if (fig.click === 'pair') this.onChange({ pair: [cell.row, cell.col] });
    else if (fig.click === 'edit') this.editor.start(fig.edit, cell.row, cell.col);
    else if (fig.click === 'paint') paintStroke(this.trace, cell, this.onChange);
  }

  // The neuron view of the pair, as far as the stage goes (renderNeuron's upTo), or hidden.
  showNeuron(upTo) {
    this.neuron.replaceChildren();
    this.neuron.hidden = !upTo;
    if (!upTo) return;
    const [i, j] = this.pair;
    renderNeuron(this.neuron, this.trace, this.head, i, j, { upTo });
  }

  relayout() {
    this.grid.relayout(this.trace?.n);
    this.fitFormulas();
  }

  // The step's formula and the neuron view's fit their boxes' width (no sideways scrolling).
  fitFormulas() {
    fitFormulas(this.card.querySelectorAll('.wt-formula, .wt-formula-next, .nv-result, .nv-steps li'));
  }
}
