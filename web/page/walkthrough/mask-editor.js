// The mask editor of the walkthrough's mask step: the mask kind (bidirectional or causal), the
// padding tokens (keys no query may attend to), and painted cells (one query–key pair hidden,
// painted by a tap or a drag across the mask figure, a run at a time). Every change goes out as a partial state through
// onChange: { causal }, { padding: key indices }, { painted: [[query, key], …] }.
//
// The trace's mask is (n, nKv) row-major, 1 = query i may attend to key j.

import { t, LOCALE } from '../i18n/i18n.js';
import { el } from '../../draw/dom.js';

// Draws the kind buttons, the Clear button and the padding tokens into extra.
export function maskEditor(extra, { trace: tr, onChange }) {
  const bar = el('div', 'wt-mask', extra);
  const kinds = el('div', 'segmented', bar);
  kinds.setAttribute('role', 'group');
  kinds.setAttribute('aria-label', t('mask.kind'));
  for (const [key, causal] of [
    ['mask.bidirectional', false],
    ['mask.causal', true],
  ]) {
    const b = el('button', 'button', kinds, t(key));
    b.type = 'button';
    b.dataset.mask = causal ? 'causal' : 'bidirectional';
    b.setAttribute('aria-pressed', String(Boolean(tr.causal) === causal));
    b.addEventListener('click', () => onChange({ causal }));
  }
  const clear = el('button', 'button button-quiet', bar, t('mask.clear'));
  clear.type = 'button';
  clear.disabled = !(tr.painted?.length || tr.padding?.length);
  clear.addEventListener('click', () => onChange({ painted: [], padding: [] }));
  el('p', 'hint', extra, t('mask.padHint'));
  const list = el('ol', 'tokens tokens-pad', extra);
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
      if (next.has(j)) next.delete(j);
      else next.add(j);
      onChange({ padding: [...next].sort((a, b2) => a - b2) });
    });
  });
}

// Paints the cells of one stroke ([{ row, col }, …], in the order the pointer crossed them), or
// clears them when the first was painted: a drag paints or clears a run, a tap toggles one cell.
export function paintStroke(tr, cells, onChange) {
  const key = (i, j) => `${i}.${j}`;
  const painted = new Map((tr.painted ?? []).map(([i, j]) => [key(i, j), [i, j]]));
  const clearing = painted.has(key(cells[0].row, cells[0].col));
  for (const { row, col } of cells) {
    if (clearing) painted.delete(key(row, col));
    else painted.set(key(row, col), [row, col]);
  }
  onChange({ painted: [...painted.values()] });
}

// The note on rows whose every key is hidden (their weights are all 0, not NaN), or null.
export function emptyRowsNote(tr) {
  const { n, nKv } = tr;
  const empty = [];
  for (let i = 0; i < n; i++) if (!tr.mask.subarray(i * nKv, (i + 1) * nKv).some((m) => m)) empty.push(i);
  if (!empty.length) return null;
  const rows = new Intl.ListFormat(LOCALE, { type: 'conjunction' }).format(empty.map((i) => `${i} “${tr.tokens[i]}”`));
  return t(empty.length === 1 ? 'mask.emptyRows' : 'mask.emptyRowsMany', { rows });
}
