// The figures of one walkthrough step: each a captioned heatmap (draw/heatmap.js) with its shape,
// laid out in the step's rows, and the layout fixes the grid needs:
//   flush        every figure drawn in one layout pass, once all are in the grid;
//   fitSoftmax   the softmax step's scores and weights no wider than they need, so the arrow
//                between them stays beside them;
//   alignEntropy the entropy column's rows level with the weights' rows (or, on a phone, under them);
//   equalCells   figures labelled only at a line's start drawn with one cell width;
//   relayout     after a resize.
// Figures are named by their id (stages.js: the matrix name, or e.g. headOutput.2): the
// figure's data-fig, its wt-fig-<id> class and its key in maps().

import { Heatmap, alignTops } from '../../draw/heatmap.js';
import { formula } from '../../draw/math.js';
import { el } from '../../draw/dom.js';
import { t } from '../i18n/i18n.js';

// A caption that is pure notation (Q_0, W_Q, out_2) is typeset like the formulas.
const NOTATION = /^[A-Za-z]+_[A-Za-z0-9]+$/;

export class FigureGrid {
  // onHover(figure, cell | null), onClick(figure, cell): a figure is figure-specs.js's; a figure
  // that paints (click: 'paint') calls onClick(figure, cells) once per stroke, cells in order.
  constructor({ onHover, onClick }) {
    this.onHover = onHover;
    this.onClick = onClick;
    this.figs = new Map(); // id → { fig, map, host }
  }

  clear() {
    this.figs = new Map();
  }

  // The heatmaps drawn, by figure id.
  maps() {
    return new Map([...this.figs].map(([id, { map }]) => [id, map]));
  }

  // Adds a captioned heatmap for figure fig (figure-specs.js) to parent; drawn in flush().
  add(parent, fig) {
    const { rows, cols } = fig.model;
    const wrap = el('div', `figure wt-fig wt-fig-${fig.id}`, parent);
    wrap.dataset.fig = fig.id;
    const cap = el('div', 'figure-cap', wrap);
    const nameEl = el('span', 'figure-name', cap);
    if (fig.math || NOTATION.test(fig.caption)) nameEl.appendChild(formula(fig.caption, { display: 'inline' }));
    else nameEl.textContent = fig.caption;
    const dims = el('span', 'shape', cap, t('shape.matrix', { rows, cols }));
    dims.dataset.rows = String(rows);
    dims.dataset.cols = String(cols);
    const host = el('div', 'figure-host', wrap);
    const map = new Heatmap(host, {
      colormap: fig.model.colormap,
      square: fig.square,
      colLabels: Boolean(fig.model.colLabels),
      rowLabels: fig.rowLabels,
      maxCell: fig.maxCell ?? (fig.square ? 30 : 12),
      minCell: 1,
      legend: fig.legend,
      onHover: (cell) => this.onHover(fig, cell),
      onClick:
        fig.click && fig.click !== 'paint'
          ? (cell) => {
              if (cell) this.onClick(fig, cell);
            }
          : null,
      onPaint: fig.click === 'paint' ? (cells) => this.onClick(fig, cells) : null,
      label: t('figure.label', { name: fig.caption, rows, cols }),
      grid: fig.grid,
    });
    if (fig.note) el('p', 'figure-desc', wrap, t(fig.note));
    this.figs.set(fig.id, { fig, map, host });
    return map;
  }

  // Draws every figure: all widths read first, then every map sized (one layout). n: the rows of
  // the trace, which set the cells' height of maps that are not square.
  flush(n) {
    const widths = new Map([...this.figs].map(([id, f]) => [id, f.host.clientWidth]));
    // labelsAtLineStart: row labels only on a figure that begins a line of its grid (one set of
    // labels per line, however many lines the width makes).
    const lineStart = (wrap) => {
      const prev = wrap.previousElementSibling;
      return !prev || prev.offsetTop !== wrap.offsetTop;
    };
    const unlabelled = new Set(
      [...this.figs].filter(([, f]) => f.fig.labelsAtLineStart && !lineStart(f.host.parentElement)).map(([id]) => id),
    );
    for (const [id, { fig, map }] of this.figs) {
      const { rows, cols, data, range, masked, rowLabels, colLabels, claim } = fig.model;
      map.update({
        claim, // what a score map holds (views/describe.js), read by the test hook
        rows,
        cols,
        data,
        range,
        rowLabels: fig.rowLabels && !unlabelled.has(id) ? rowLabels : undefined,
        colLabels,
        colGroups: fig.groups,
        masked,
        width: widths.get(id) || 300,
        cellHeight: fig.cellHeight ?? (n <= 16 ? 16 : 12),
      });
    }
    this.fitSoftmax();
    this.alignEntropy();
    this.equalCells();
  }

  // Figures that label rows only at a line's start (the head outputs of the concat step) share
  // one cell width: the first of a line gives room to its labels, and without this its partners
  // beside it were drawn wider than it (48 px against 112 px at 320 px wide).
  equalCells() {
    const group = [...this.figs.values()].filter((f) => f.fig.labelsAtLineStart && f.map.layoutBox);
    if (group.length < 2) return;
    for (const f of group) {
      f.map.options.maxCell = f.baseMaxCell ??= f.map.options.maxCell;
      f.map.layout(f.host.clientWidth);
    }
    const cell = Math.min(...group.map((f) => f.map.layoutBox.cellW));
    for (const f of group) {
      if (f.map.layoutBox.cellW <= cell) continue;
      f.map.options.maxCell = cell;
      f.map.layout(f.host.clientWidth);
    }
  }

  // The softmax step (scores → softmax → weights in one .wt-softmax row): each map's column is no
  // wider than the figure needs at its largest cells (the map and its caption: --w-scores,
  // --w-weights, read by style.css), so a map of few keys (cross-attention onto a short sentence)
  // keeps the arrow beside it, not across empty space.
  fitSoftmax() {
    const row = this.figs.get('scores')?.host.closest('.wt-softmax');
    if (!row) return;
    const naturalWidth = (node) => {
      if (!node) return 0;
      node.style.width = 'max-content';
      const w = node.getBoundingClientRect().width;
      node.style.width = '';
      return w;
    };
    const ids = ['scores', 'weights'];
    for (const id of ids) {
      const { map, host } = this.figs.get(id);
      const natural = map.layout(1e6, { measureOnly: true }); // nothing resized or painted
      const wrap = host.closest('.figure');
      // The scores' legend may reach under the arrow (centred on the map, above it); the
      // weights' may not reach the entropy column.
      const legend = id === 'weights' ? naturalWidth(wrap.querySelector('.hm-legend')) : 0;
      const w = Math.max(natural.stageW, naturalWidth(wrap.querySelector('.figure-cap')), legend);
      row.style.setProperty(`--w-${id}`, `${Math.ceil(w)}px`);
    }
    // Laid out again only where the new column width differs from the one update() used.
    const widths = ids.map((id) => this.figs.get(id).host.clientWidth);
    ids.forEach((id, k) => {
      const { map } = this.figs.get(id);
      if (map.laidOutWidth !== widths[k]) map.layout(widths[k]);
    });
  }

  // Lines the entropy column's rows up with the weights' rows (which have column labels above).
  alignEntropy() {
    const weights = this.figs.get('weights')?.map;
    const entropy = this.figs.get('entropy');
    if (!weights?.layoutBox || !entropy) return;
    entropy.fig.cellHeight = weights.layoutBox.cellH;
    entropy.map.model.cellHeight = weights.layoutBox.cellH;
    // On a phone (style.css) the column sits under the weights, not beside them, so P keeps the
    // width of S: there it labels its own rows, since no row of P lines up with it.
    const stacked = entropy.host.getBoundingClientRect().top >= weights.dataCanvas.getBoundingClientRect().bottom;
    entropy.host.classList.toggle('is-stacked', stacked);
    if (stacked) {
      entropy.host.style.paddingTop = '0px';
      entropy.map.options.rowLabels = true;
      entropy.map.update({ ...entropy.map.model, rowLabels: weights.model.rowLabels, width: entropy.host.clientWidth });
      return;
    }
    entropy.map.options.rowLabels = entropy.fig.rowLabels;
    entropy.map.layout(entropy.host.clientWidth);
    alignTops(entropy.host, entropy.map.dataCanvas, weights.dataCanvas);
  }

  // After a resize. n: as for flush().
  relayout(n) {
    // A new width can move figures to other lines, and so their row labels.
    if ([...this.figs.values()].some((f) => f.fig.labelsAtLineStart)) {
      this.flush(n);
      return;
    }
    for (const { map, host } of this.figs.values()) map.layout(host.clientWidth);
    this.alignEntropy();
    this.equalCells();
  }

  // Outlines, in every figure, what lit lists for it ({ id: [{ row?, col? }, …] }); none elsewhere.
  highlight(lit) {
    for (const [id, { map }] of this.figs) map.setHighlights(lit[id] ?? []);
  }
}
