// Hovering a cell of a walkthrough figure: its provenance outlined in the step's other figures
// (the stage's links, stages.js), and what the cell means in the tooltip (explain/explain.js).

import { explainCell } from '../explain/explain.js';
import { t, formatNumber } from '../i18n/i18n.js';

// What a hovered cell (r, c) of figure fig outlines, { figure id: [{ row?, col? }, …] }.
export function provenance(stage, fig, r, c, trace) {
  return stage.links?.[fig.name]?.(r, c, { tr: trace, head: fig.head }) ?? {};
}

// Outlines and the tooltip for cell (or null: the pointer left) of figure fig.
// view: { stage, grid, trace, head (the focused head), tooltip }.
export function hoverCell({ stage, grid, trace, head, tooltip }, fig, cell) {
  grid.highlight(cell ? provenance(stage, fig, cell.row, cell.col, trace) : {});
  if (!cell) {
    tooltip.hide();
    return;
  }
  const { values, cols } = fig.model;
  if (fig.kind) {
    const value = values ? values[cell.row * cols + cell.col] : cell.value;
    const content = explainCell(trace, fig.kind, head, cell.row, cell.col + fig.colOffset, value);
    tooltip.show(content, cell.clientX, cell.clientY);
  } else {
    const title = t('tip.cell', { matrix: fig.caption, i: cell.row, j: cell.col, value: formatNumber(cell.value, 6) });
    tooltip.show({ title, lines: [] }, cell.clientX, cell.clientY);
  }
}
