// The cell editor: a click on a cell of E (the embeddings step) or of W_Q, W_K, W_V (the Q, K, V
// step) opens a number field and a slider for it; every value goes out as the state's hand edits,
// { edits: [{ m, row, col, value }, …] } through onChange, m one of EDITED's keys ('e', 'q', 'k', 'v').
// The editor sits outside the figures, so a drag survives the redraw every value causes.

import { t } from '../i18n/i18n.js';
import { el } from '../../draw/dom.js';

// Matrix names (views/figures.js) the editor edits → the edit's m.
export const EDITED = Object.freeze({ embeddings: 'e', wq: 'q', wk: 'k', wv: 'v' });

const same = (e, { m, row, col }) => e.m === m && e.row === row && e.col === col;

export class CellEditor {
  // parent: where the editor goes. onChange(patch): see above.
  constructor(parent, onChange) {
    this.onChange = onChange;
    this.trace = null;
    this.edits = [];
    this.editable = null; // the m's the stage draws, or null when it draws none
    this.editing = null; // { m, row, col } of the cell last clicked
    this.build(parent);
  }

  build(parent) {
    const ed = el('div', 'wt-editor', parent);
    this.root = ed;
    this.hint = el('p', 'hint', ed);
    const row = el('div', 'wt-editor-row', ed);
    this.row = row;
    this.label = el('label', 'wt-editor-label', row);
    this.label.htmlFor = 'wt-edit-value';
    this.number = el('input', '', row);
    Object.assign(this.number, { type: 'number', id: 'wt-edit-value', step: 'any' });
    this.range = el('input', '', row);
    Object.assign(this.range, { type: 'range', min: '-4', max: '4', step: '0.01', tabIndex: -1 });
    this.range.setAttribute('aria-hidden', 'true');
    this.reset = el('button', 'button', row, t('edit.resetCell'));
    this.reset.type = 'button';
    this.resetAll = el('button', 'button button-quiet', ed, '');
    this.resetAll.type = 'button';
    const others = () => this.edits.filter((e) => !same(e, this.editing));
    const send = (value) => {
      if (!this.editing || !Number.isFinite(value)) return;
      this.onChange({ edits: [...others(), { ...this.editing, value }] });
    };
    this.number.addEventListener('input', () => {
      if (this.number.value.trim() === '') return;
      const v = Number(this.number.value);
      this.range.value = String(v);
      send(v);
    });
    this.range.addEventListener('input', () => {
      const v = Number(this.range.value);
      this.number.value = String(v);
      send(v);
    });
    this.reset.addEventListener('click', () => {
      if (this.editing) this.onChange({ edits: others() });
    });
    this.resetAll.addEventListener('click', () => this.onChange({ edits: [] }));
  }

  // Opens the editor on cell (row, col) of matrix m.
  start(m, row, col) {
    this.editing = { m, row, col };
    this.update(this.trace, this.edits, this.editable);
    this.number.focus();
    this.number.select();
  }

  // Shows the editor for the trace drawn. edits: the state's hand edits. editable: a Set of the
  // m's the stage lets the reader edit, or null (the editor is hidden).
  update(trace, edits, editable) {
    Object.assign(this, { trace, edits, editable });
    this.root.hidden = !editable;
    if (!editable) return;
    this.hint.textContent = t(editable.has('e') ? 'edit.hintE' : 'edit.hintW');
    this.resetAll.textContent = t('edit.resetAll', { count: edits.length });
    this.resetAll.hidden = edits.length === 0;
    const target = this.editing && editable.has(this.editing.m) ? this.editing : null;
    this.row.hidden = !target;
    if (!target) return;
    const { m, row, col } = target;
    const { dModel } = trace;
    // (n, d_model) for 'e', (d_model, d_model) for the weights, row-major.
    const matrix = { e: trace.embeddings, q: trace.wq, k: trace.wk, v: trace.wv }[m];
    if (col >= dModel || row >= (m === 'e' ? trace.n : dModel)) {
      this.row.hidden = true;
      return;
    }
    const value = matrix[row * dModel + col];
    this.label.textContent =
      m === 'e'
        ? t('edit.labelE', { i: row, token: trace.tokens[row], j: col })
        : t('edit.labelW', { name: `W_${m.toUpperCase()}`, i: row, j: col });
    this.reset.disabled = !edits.some((e) => same(e, target));
    const range = m === 'e' ? 4 : 1;
    this.range.min = String(-range);
    this.range.max = String(range);
    // Leave the fields alone while the reader is typing or dragging in them.
    if (document.activeElement !== this.number) this.number.value = String(Number(value.toPrecision(5)));
    if (document.activeElement !== this.range) this.range.value = String(value);
  }
}
