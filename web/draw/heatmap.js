// A canvas heatmap of one row-major matrix, with text labels, a legend and hover.
//
// Two canvases, stacked:
//   .hm-data    — sized to the data, one pixel per cell (width = cols, height = rows), filled
//                 from a single ImageData through a 256-entry colour table and scaled up by CSS
//                 with `image-rendering: pixelated`. Reading its pixels back gives cell colours.
//   .hm-overlay — covers the figure at devicePixelRatio resolution: labels drawn as text,
//                 hatching over masked cells, head separators, the hovered cell's outline.
// Masked cells — non-finite values (−∞ where the causal mask hides a key), or cells flagged in
// model.masked (weights, which are exactly 0 there) — are drawn in MASKED_RGBA and hatched.
// update() throws on a wrong shape, so a bug cannot draw a plausible but wrong picture.
//
// Kept as one file of about 530 lines on purpose: the data canvas, the overlay's labels and
// hatching, the legend, hover and keyboard all read one layout box (cell sizes, label margins),
// which update() and layout() compute; split, that state would be passed between files.

import { colormaps, MASKED_RGBA, tableIndex, TABLE_SIZE } from './colormap.js';
import { formatNumber } from './format.js';
import { el } from './dom.js';

const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const FONT_BOLD = '600 12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const LABEL_COLOR = '#3d4451';
const HIGHLIGHT = '#f08c00'; // provenance outlines
const LABEL_DIM = '#8a93a3';
const ACCENT = '#4338ca';
const MAX_LABEL_CHARS = 14;
const COL_LABEL_ANGLE = -Math.PI / 3; // column labels rise at 60°
const GAP = 6; // px between labels and the plot
const DEFAULT_COLORS = Object.freeze({
  label: LABEL_COLOR,
  dim: LABEL_DIM,
  strong: '#111',
  accent: ACCENT,
  frame: 'rgba(0, 0, 0, 0.18)',
});

function shorten(label) {
  const chars = Array.from(label);
  return chars.length > MAX_LABEL_CHARS ? chars.slice(0, MAX_LABEL_CHARS - 1).join('') + '…' : label;
}

// The words a heatmap writes itself: the legend's "masked", and what its live region announces
// of the cell the keyboard reaches ({row}, {col}, {value}; cellPlain for maps without labels).
// The page sets them from its message catalogue (setHeatmapText); the widget writes its own
// "masked" into each legend and announces cells in its own readout.
const TEXT = { masked: 'masked', cell: '{row} → {col}: {value}', cellPlain: 'row {row}, column {col}: {value}' };
let maskedText = TEXT.masked;
export function setHeatmapText(texts = {}) {
  for (const key of Object.keys(TEXT)) if (typeof texts[key] === 'string' && texts[key]) TEXT[key] = texts[key];
  maskedText = TEXT.masked;
}
const fill = (template, params) => template.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));

export class Heatmap {
  // options:
  //   colormap: 'viridis' | 'diverging'
  //   rowLabels / colLabels: booleans, whether to draw the labels passed to update()
  //   square: cells are square (n × n maps); otherwise cellHeight is fixed
  //   minCell, maxCell: CSS px bounds on a cell's width; cellHeight: row height when not square
  //   legend: draw a colour legend under the map
  //   onHover({ row, col, value, clientX, clientY } | null), onClick(), label (aria-label)
  //   keyboard: the map takes focus and arrow keys move the hovered cell; Enter or Space does
  //             what a click (or onPaint) does on that cell
  //   announce: the cell the keyboard reaches is read out by a polite live region (page only:
  //             the widget has its own readout)
  //   onPaint(cells): painting by press and drag (mouse, pen, touch): the cells a stroke
  //             crossed, in order, handed over once when it ends; a tap is a stroke of one cell
  //   colors: { label, dim, strong, accent, frame } overrides for the overlay's text and lines
  //           (e.g. a dark theme); setColors() changes them later
  //   lazy: while the map is out of view (an IntersectionObserver, 200 px margin) update() only
  //         sizes it, and it is painted when it comes into view, or by flush()
  constructor(host, options = {}) {
    this.options = {
      colormap: 'viridis',
      rowLabels: true,
      colLabels: true,
      square: true,
      minCell: 1,
      maxCell: 28,
      cellHeight: 16,
      legend: true,
      onHover: null,
      onClick: null,
      label: '',
      keyboard: true,
      announce: true,
      onPaint: null,
      ...options,
    };
    this.colors = { ...DEFAULT_COLORS, ...options.colors };
    this.table = colormaps[this.options.colormap];
    if (!this.table) throw new Error(`Unknown colormap "${this.options.colormap}"`);

    this.root = el('figure', 'hm', host);
    this.stage = el('div', 'hm-stage', this.root);
    this.dataCanvas = el('canvas', 'hm-data', this.stage);
    this.overlay = el('canvas', 'hm-overlay', this.stage);
    this.overlay.setAttribute('role', 'img');
    if (this.options.label) this.overlay.setAttribute('aria-label', this.options.label);
    if (this.options.legend) this.buildLegend();

    this.model = null; // the last update() argument
    this.layoutBox = null;
    this.hover = null; // { row, col }
    this.widthCache = new Map();
    this.activeGroup = null; // index of the column group to frame, e.g. the focused head
    this.highlights = []; // provenance outlines: { row } | { col } | { row, col, span? }
    this.stroke = []; // cells of the paint stroke under way: { row, col }
    this.marks = []; // cells { row, col } or columns { col } marked as hand-edited (setMarks)
    if (this.options.keyboard && this.options.announce) {
      this.live = el('p', 'hm-live visually-hidden', this.root);
      this.live.setAttribute('aria-live', 'polite');
    }
    this.bindPointer();
    if (this.options.onPaint) this.bindPaint();
    // lazy: painted only in view. Until the observer's first report the map counts as in view.
    this.outOfView = false;
    this.stale = false; // out of view, the model changed since it was painted
    if (this.options.lazy && typeof IntersectionObserver === 'function') {
      new IntersectionObserver(
        (entries) => {
          this.outOfView = !entries.at(-1).isIntersecting;
          if (!this.outOfView) this.flush();
        },
        { rootMargin: '200px' },
      ).observe(this.root);
    }
  }

  // Paints what an update() out of view left unpainted (the test hook calls it before reading).
  flush() {
    if (!this.stale || !this.model) return;
    this.stale = false;
    this.paintData();
    this.paintLegend();
    if (this.layoutBox) this.paintOverlay();
  }

  buildLegend() {
    const legend = el('div', 'hm-legend', this.root);
    this.legendLo = el('span', 'hm-legend-value', legend);
    const bar = el('canvas', 'hm-legend-bar', legend);
    bar.width = TABLE_SIZE;
    bar.height = 1;
    const image = new ImageData(TABLE_SIZE, 1);
    image.data.set(this.table);
    bar.getContext('2d').putImageData(image, 0, 0);
    this.legendHi = el('span', 'hm-legend-value', legend);
    this.legendMasked = el('span', 'hm-legend-masked', legend);
    const swatch = el('span', 'hm-swatch', this.legendMasked);
    swatch.style.backgroundColor = `rgb(${MASKED_RGBA.slice(0, 3).join(',')})`;
    el('span', '', this.legendMasked).textContent = maskedText;
  }

  // model: { rows, cols, data: Float32Array(rows·cols) row-major, range: [lo, hi],
  //          rowLabels?: string[rows], colLabels?: string[cols],
  //          colGroups?: { size, labels: string[cols / size] } (e.g. heads of Q),
  //          masked?: Uint8Array(rows·cols), 1 where a cell is masked out (drawn hatched),
  //          cellHeight?: row height in CSS px for maps that are not square,
  //          width?: available CSS px }
  update(model) {
    const { rows, cols, data, range } = model;
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
      throw new Error(`Heatmap: bad shape ${rows} × ${cols}`);
    }
    if (!data || data.length !== rows * cols) {
      throw new Error(`Heatmap: data has ${data?.length} values, shape ${rows} × ${cols} needs ${rows * cols}`);
    }
    if (!Array.isArray(range) || !(range[1] > range[0])) {
      throw new Error(`Heatmap: bad range ${range}`);
    }
    if (model.rowLabels && model.rowLabels.length !== rows) {
      throw new Error(`Heatmap: ${model.rowLabels.length} row labels for ${rows} rows`);
    }
    if (model.colLabels && model.colLabels.length !== cols) {
      throw new Error(`Heatmap: ${model.colLabels.length} column labels for ${cols} columns`);
    }
    if ('mask' in model) {
      // One word, one meaning: a mask says where a query may attend; a heatmap draws masked cells.
      throw new Error('Heatmap: the model has no field mask; masked cells are model.masked (1 = masked out)');
    }
    if (model.masked && model.masked.length !== rows * cols) {
      throw new Error(`Heatmap: masked has ${model.masked.length} cells, shape ${rows} × ${cols} needs ${rows * cols}`);
    }
    const groups = model.colGroups;
    if (groups && (cols % groups.size !== 0 || groups.labels.length !== cols / groups.size)) {
      throw new Error(`Heatmap: column groups of ${groups.size} do not tile ${cols} columns`);
    }
    this.model = model;
    if (this.hover && (this.hover.row >= rows || this.hover.col >= cols)) this.hover = null;
    if (this.outOfView) {
      this.stale = true; // sized now (one pixel per cell), painted when in view
      if (this.dataCanvas.width !== cols) this.dataCanvas.width = cols;
      if (this.dataCanvas.height !== rows) this.dataCanvas.height = rows;
      this.layout(model.width);
      return;
    }
    this.paintData();
    this.layout(model.width);
    this.paintLegend();
  }

  // One ImageData, one pass, one colour-table lookup per cell.
  paintData() {
    const { rows, cols, data, range, masked: maskedCells } = this.model;
    const canvas = this.dataCanvas;
    if (canvas.width !== cols) canvas.width = cols;
    if (canvas.height !== rows) canvas.height = rows;
    const ctx = canvas.getContext('2d');
    // One ImageData per size, kept for the next update (a drag redraws the same shape).
    if (this.image?.width !== cols || this.image?.height !== rows) this.image = ctx.createImageData(cols, rows);
    const image = this.image;
    const px = image.data;
    const table = this.table;
    const [lo, hi] = range;
    let masked = 0;
    for (let i = 0, p = 0; i < data.length; i++, p += 4) {
      const v = data[i];
      if (Number.isFinite(v) && !(maskedCells && maskedCells[i])) {
        const k = tableIndex(v, lo, hi) * 4;
        px[p] = table[k];
        px[p + 1] = table[k + 1];
        px[p + 2] = table[k + 2];
        px[p + 3] = 255;
      } else {
        px[p] = MASKED_RGBA[0];
        px[p + 1] = MASKED_RGBA[1];
        px[p + 2] = MASKED_RGBA[2];
        px[p + 3] = 255;
        masked++;
      }
    }
    ctx.putImageData(image, 0, 0);
    this.maskedCount = masked;
  }

  paintLegend() {
    if (!this.options.legend) return;
    const [lo, hi] = this.model.range;
    // Cells beyond the range are drawn in the end colours: the legend says "≤ lo" / "≥ hi" then.
    let below = false;
    let above = false;
    const { data, masked } = this.model;
    for (let i = 0; i < data.length; i++) {
      if (masked?.[i] || !Number.isFinite(data[i])) continue;
      if (data[i] < lo) below = true;
      else if (data[i] > hi) above = true;
    }
    this.legendLo.textContent = (below ? '≤ ' : '') + formatNumber(lo, 3);
    this.legendHi.textContent = (above ? '≥ ' : '') + formatNumber(hi, 3);
    this.legendMasked.hidden = this.maskedCount === 0;
  }

  // Chooses cell sizes for the available width and places both canvases. measureOnly: only
  // compute and return the layout box for that width (nothing resized or painted).
  layout(width, { measureOnly = false } = {}) {
    if (!this.model) return null;
    if (!measureOnly) this.laidOutWidth = width; // as asked for: the page compares it with its hosts' widths
    const { rows, cols, rowLabels, colLabels, colGroups } = this.model;
    const o = this.options;
    const measure = this.overlay.getContext('2d');
    measure.font = FONT_BOLD;
    // Label widths, measured once per distinct list of labels.
    const textWidth = (labels) => {
      const key = labels.join('\u0000');
      let w = this.widthCache.get(key);
      if (w === undefined) {
        w = labels.reduce((m, s) => Math.max(m, measure.measureText(shorten(s)).width), 0);
        if (this.widthCache.size > 8) this.widthCache.clear();
        this.widthCache.set(key, w);
      }
      return w;
    };

    const left = o.rowLabels && rowLabels ? Math.ceil(textWidth(rowLabels)) + GAP : 0;
    const colText = o.colLabels && colLabels ? Math.ceil(textWidth(colLabels)) : 0;
    let top = colText ? Math.ceil(colText * Math.sin(-COL_LABEL_ANGLE)) + GAP + 4 : 0;
    if (colGroups) top = Math.max(top, 18);
    const right = colText ? Math.ceil(colText * Math.cos(COL_LABEL_ANGLE)) : 0;

    const available = Math.max(60, (width ?? this.root.parentElement?.clientWidth ?? 600) - left - right - 2);
    let cellW = Math.floor(available / cols);
    cellW = Math.max(o.minCell, Math.min(o.maxCell, cellW));
    // More columns than CSS pixels: shrink cells below one pixel rather than overflow, and let
    // the browser average columns (smooth scaling) instead of dropping them.
    const shrink = cellW * cols > available && !o.square;
    if (shrink) cellW = available / cols;
    const cellH = o.square ? cellW : (this.model.cellHeight ?? o.cellHeight);

    const plotW = cellW * cols;
    const plotH = cellH * rows;
    const stageW = left + plotW + right;
    const stageH = top + plotH + 1;
    if (measureOnly) return { left, top, cellW, cellH, plotW, plotH, stageW, stageH };
    this.dataCanvas.classList.toggle('is-shrunk', shrink);
    this.layoutBox = { left, top, cellW, cellH, plotW, plotH, stageW, stageH };

    this.stage.style.width = `${stageW}px`;
    this.stage.style.height = `${stageH}px`;
    Object.assign(this.dataCanvas.style, {
      left: `${left}px`,
      top: `${top}px`,
      width: `${plotW}px`,
      height: `${plotH}px`,
    });
    const dpr = window.devicePixelRatio || 1;
    // Resizing a canvas reallocates it even to the same size: only when the size changes
    // (paintOverlay clears it anyway).
    const overlayW = Math.round(stageW * dpr);
    const overlayH = Math.round(stageH * dpr);
    if (this.overlay.width !== overlayW) this.overlay.width = overlayW;
    if (this.overlay.height !== overlayH) this.overlay.height = overlayH;
    this.overlay.style.width = `${stageW}px`;
    this.overlay.style.height = `${stageH}px`;
    this.dpr = dpr;
    this.paintOverlay();
    return this.layoutBox;
  }

  paintOverlay() {
    if (this.stale) return; // flush() paints it
    const ctx = this.overlay.getContext('2d');
    const { rows, cols, data, masked, rowLabels, colLabels, colGroups } = this.model;
    const { left, top, cellW, cellH, plotW, plotH, stageW, stageH } = this.layoutBox;
    const o = this.options;
    const c = this.colors;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, stageW, stageH);
    const hover = this.hover;

    // Hatching over masked cells, when cells are big enough to show it.
    if (this.maskedCount > 0 && cellW >= 6 && cellH >= 6) {
      ctx.save();
      ctx.beginPath();
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          const k = i * cols + j;
          if (!Number.isFinite(data[k]) || (masked && masked[k]))
            ctx.rect(left + j * cellW, top + i * cellH, cellW, cellH);
        }
      }
      ctx.clip();
      ctx.strokeStyle = 'rgba(120, 120, 120, 0.55)';
      ctx.lineWidth = 1;
      ctx.beginPath();
      const step = 5;
      for (let s = -plotH; s < plotW; s += step) {
        ctx.moveTo(left + s, top + plotH);
        ctx.lineTo(left + s + plotH, top);
      }
      ctx.stroke();
      ctx.restore();
    }

    // Thin separators between column groups (heads), and group labels above them.
    if (colGroups) {
      const groupCount = cols / colGroups.size;
      ctx.strokeStyle = 'rgba(255, 255, 255, 0.9)';
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      for (let g = 1; g < groupCount; g++) {
        const x = left + g * colGroups.size * cellW;
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + plotH);
      }
      ctx.stroke();
      ctx.font = FONT;
      ctx.fillStyle = c.dim;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'alphabetic';
      const groupW = colGroups.size * cellW;
      for (let g = 0; g < groupCount; g++) {
        const label = colGroups.labels[g];
        const active = g === this.activeGroup;
        ctx.font = active ? FONT_BOLD : FONT;
        ctx.fillStyle = active ? c.accent : c.dim;
        if (measureFits(ctx, label, groupW)) ctx.fillText(label, left + (g + 0.5) * groupW, top - 5);
      }
      // The active group (the focused head) gets an accent frame.
      if (this.activeGroup !== null && this.activeGroup < groupCount) {
        ctx.strokeStyle = c.accent;
        ctx.lineWidth = 2;
        ctx.strokeRect(left + this.activeGroup * groupW - 1, top - 1, groupW + 2, plotH + 2);
      }
    }

    // Row labels, right-aligned against the plot.
    if (o.rowLabels && rowLabels) {
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      const skip = Math.ceil(12 / cellH); // draw every k-th label when rows are shorter than text
      for (let i = 0; i < rows; i++) {
        const active = hover && hover.row === i;
        if (i % skip !== 0 && !active) continue;
        ctx.font = active ? FONT_BOLD : FONT;
        ctx.fillStyle = active ? c.strong : c.label;
        ctx.fillText(shorten(rowLabels[i]), left - GAP, top + (i + 0.5) * cellH);
      }
    }

    // Column labels, rotated, rising from each column's centre.
    if (o.colLabels && colLabels) {
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      // Spacing across the slant: 12 px of it keeps 12 px labels apart (cells of 14 px and more draw them all).
      const skip = Math.ceil(12 / (cellW * Math.sin(-COL_LABEL_ANGLE)));
      for (let j = 0; j < cols; j++) {
        const active = hover && hover.col === j;
        if (j % skip !== 0 && !active) continue;
        ctx.save();
        ctx.translate(left + (j + 0.5) * cellW, top - GAP);
        ctx.rotate(COL_LABEL_ANGLE);
        ctx.font = active ? FONT_BOLD : FONT;
        ctx.fillStyle = active ? c.strong : c.label;
        ctx.fillText(shorten(colLabels[j]), 0, 0);
        ctx.restore();
      }
    }

    // Cell grid (option grid: true), for maps the reader clicks cell by cell, e.g. a mask.
    if (o.grid && cellW >= 6 && cellH >= 6) {
      ctx.strokeStyle = 'rgba(0, 0, 0, 0.12)';
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (let j = 1; j < cols; j++) {
        ctx.moveTo(left + j * cellW + 0.5, top);
        ctx.lineTo(left + j * cellW + 0.5, top + plotH);
      }
      for (let i = 1; i < rows; i++) {
        ctx.moveTo(left, top + i * cellH + 0.5);
        ctx.lineTo(left + plotW, top + i * cellH + 0.5);
      }
      ctx.stroke();
    }

    // Provenance outlines: the rows, columns or cells a hovered cell elsewhere came from.
    for (const hl of this.highlights) {
      const r = hl.row ?? null;
      const c = hl.col ?? null;
      if ((r !== null && r >= rows) || (c !== null && c >= cols)) continue;
      const x = c === null ? left : left + c * cellW;
      const y = r === null ? top : top + r * cellH;
      const w = c === null ? plotW : cellW * (hl.span ?? 1); // span: a run of columns from col
      const h = r === null ? plotH : cellH;
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 4;
      ctx.strokeRect(x - 1, y - 1, w + 2, h + 2);
      ctx.strokeStyle = HIGHLIGHT;
      ctx.lineWidth = 2;
      ctx.strokeRect(x - 1, y - 1, w + 2, h + 2);
    }

    // Hand-edited cells: an accent triangle in the cell's top-left corner; a column that an
    // edited weight feeds: a triangle above the column.
    if (this.marks.length) {
      ctx.fillStyle = c.accent;
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 1;
      for (const m of this.marks) {
        if (m.col >= cols || (m.row !== undefined && m.row >= rows)) continue;
        const x = left + m.col * cellW;
        // A cell's mark fits in the cell (at least 5 px); a column's is 8 px, however thin the column.
        const size = m.row === undefined ? 8 : Math.max(5, Math.min(8, Math.min(cellW, cellH) * 0.6));
        ctx.beginPath();
        if (m.row === undefined) {
          const cx = x + cellW / 2;
          ctx.moveTo(cx - size / 2, top - size - 1);
          ctx.lineTo(cx + size / 2, top - size - 1);
          ctx.lineTo(cx, top - 1);
        } else {
          const y = top + m.row * cellH;
          ctx.moveTo(x, y);
          ctx.lineTo(x + size, y);
          ctx.lineTo(x, y + size);
        }
        ctx.closePath();
        ctx.fill();
        ctx.stroke();
      }
    }

    // The paint stroke under way: the cells it has crossed, filled lightly and outlined.
    if (this.stroke.length) {
      ctx.fillStyle = 'rgba(240, 140, 0, 0.35)';
      ctx.strokeStyle = HIGHLIGHT;
      ctx.lineWidth = 2;
      for (const { row, col } of this.stroke) {
        ctx.fillRect(left + col * cellW, top + row * cellH, cellW, cellH);
        ctx.strokeRect(left + col * cellW + 1, top + row * cellH + 1, cellW - 2, cellH - 2);
      }
    }

    // Frame and hovered cell.
    ctx.strokeStyle = c.frame;
    ctx.lineWidth = 1;
    ctx.strokeRect(left - 0.5, top - 0.5, plotW + 1, plotH + 1);
    if (hover) {
      const x = left + hover.col * cellW;
      const y = top + hover.row * cellH;
      ctx.strokeStyle = '#111';
      ctx.lineWidth = 2;
      ctx.strokeRect(x - 1, y - 1, cellW + 2, cellH + 2);
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 1;
      ctx.strokeRect(x + 0.5, y + 0.5, cellW - 1, cellH - 1);
    }
  }

  // The cell under a point in client coordinates, or null.
  cellAt(clientX, clientY) {
    if (!this.layoutBox) return null;
    const rect = this.overlay.getBoundingClientRect();
    const { left, top, cellW, cellH } = this.layoutBox;
    const col = Math.floor((clientX - rect.left - left) / cellW);
    const row = Math.floor((clientY - rect.top - top) / cellH);
    if (row < 0 || col < 0 || row >= this.model.rows || col >= this.model.cols) return null;
    return { row, col };
  }

  setHover(cell, clientX, clientY) {
    const same = cell && this.hover && cell.row === this.hover.row && cell.col === this.hover.col;
    if (!same && (cell || this.hover)) {
      this.hover = cell;
      this.paintOverlay();
    }
    if (this.options.onHover) {
      this.options.onHover(
        cell
          ? {
              row: cell.row,
              col: cell.col,
              value: this.model.data[cell.row * this.model.cols + cell.col],
              clientX,
              clientY,
            }
          : null,
      );
    }
  }

  bindPointer() {
    // pointerdown too, so a tap on a touch screen shows the value.
    const point = (e) => {
      if (!this.model) return;
      this.setHover(this.cellAt(e.clientX, e.clientY), e.clientX, e.clientY);
    };
    this.overlay.addEventListener('pointermove', point);
    this.overlay.addEventListener('pointerdown', point);
    // A finger lifted fires pointerleave at once: after a tap the value stays up until the next
    // touch anywhere else (or the next drawing).
    this.overlay.addEventListener('pointerleave', (e) => {
      if (e.pointerType !== 'touch') {
        this.setHover(null);
        return;
      }
      document.addEventListener(
        'pointerdown',
        (d) => {
          if (d.target !== this.overlay) this.setHover(null);
        },
        { once: true, capture: true },
      );
    });
    if (this.options.onClick) {
      this.overlay.addEventListener('click', (e) => this.options.onClick(this.cellAt(e.clientX, e.clientY)));
      this.overlay.style.cursor = 'pointer';
    }
    if (!this.options.keyboard) return;
    // Keyboard: focus the map, move the highlighted cell with the arrow keys (Home/End for the
    // row ends), Escape to leave; the tooltip follows the cell.
    this.overlay.tabIndex = 0;
    const moveTo = (row, col) => {
      const { rows, cols } = this.model;
      const cell = { row: Math.max(0, Math.min(rows - 1, row)), col: Math.max(0, Math.min(cols - 1, col)) };
      const { x, y } = this.cellCenter(cell.row, cell.col);
      this.setHover(cell, x, y);
      this.announce(cell);
    };
    this.overlay.addEventListener('focus', () => {
      if (this.model) moveTo(this.hover?.row ?? 0, this.hover?.col ?? 0);
    });
    this.overlay.addEventListener('blur', () => this.setHover(null));
    this.overlay.addEventListener('keydown', (e) => {
      if (!this.model) return;
      const { row, col } = this.hover ?? { row: 0, col: 0 };
      const step = {
        ArrowUp: [-1, 0],
        ArrowDown: [1, 0],
        ArrowLeft: [0, -1],
        ArrowRight: [0, 1],
        Home: [0, -col],
        End: [0, this.model.cols - 1 - col],
      }[e.key];
      if (step) {
        e.preventDefault();
        moveTo(row + step[0], col + step[1]);
      } else if (e.key === 'Escape') {
        this.setHover(null);
      } else if ((e.key === 'Enter' || e.key === ' ') && this.hover && (this.options.onPaint || this.options.onClick)) {
        // What a click does on the cell (a tap's stroke when painting). A page that draws its
        // maps anew afterwards gives the focus back with focusCell().
        e.preventDefault();
        const cell = { ...this.hover };
        if (this.options.onPaint) this.options.onPaint([cell]);
        else this.options.onClick(cell);
      }
    });
  }

  // Says the cell's labels and value in the live region (keyboard moves only).
  announce(cell) {
    if (!this.live || !cell) return;
    const { data, cols, masked, rowLabels, colLabels } = this.model;
    const v = data[cell.row * cols + cell.col];
    const value = !Number.isFinite(v) || masked?.[cell.row * cols + cell.col] ? maskedText : formatNumber(v, 4);
    const row = rowLabels?.[cell.row];
    const col = colLabels?.[cell.col];
    this.live.textContent =
      row !== undefined && col !== undefined
        ? fill(TEXT.cell, { row: `${cell.row} ${row}`, col: `${cell.col} ${col}`, value })
        : fill(TEXT.cellPlain, { row: row !== undefined ? `${cell.row} ${row}` : cell.row, col: cell.col, value });
  }

  // Painting (option onPaint): a press on a cell starts a stroke, every cell the pointer crosses
  // joins it (drawn as it goes), and the release hands the stroke over once, so a drag across ten
  // cells is one change, not ten. Pointer capture keeps the stroke when the pointer leaves the
  // map; touch-action: none keeps a finger painting instead of scrolling the page.
  bindPaint() {
    const o = this.overlay;
    o.style.touchAction = 'none';
    o.style.cursor = 'crosshair';
    let stroke = null; // { id: pointerId, seen: Set of row·cols + col, last: { x, y } }
    const addCell = (cell) => {
      if (!cell) return;
      const key = cell.row * this.model.cols + cell.col;
      if (stroke.seen.has(key)) return;
      stroke.seen.add(key);
      this.stroke.push(cell);
    };
    // Every cell along the segment from the last point, so a fast drag skips none.
    const addTo = (x, y) => {
      const { x: x0, y: y0 } = stroke.last;
      const { cellW, cellH } = this.layoutBox;
      const steps = Math.max(1, Math.ceil(Math.hypot(x - x0, y - y0) / (Math.min(cellW, cellH) / 2)));
      for (let s = 1; s <= steps; s++) addCell(this.cellAt(x0 + ((x - x0) * s) / steps, y0 + ((y - y0) * s) / steps));
      stroke.last = { x, y };
      this.paintOverlay();
    };
    o.addEventListener('pointerdown', (e) => {
      if (!this.model || e.button > 0 || stroke) return;
      const cell = this.cellAt(e.clientX, e.clientY);
      if (!cell) return;
      e.preventDefault();
      stroke = { id: e.pointerId, seen: new Set(), last: { x: e.clientX, y: e.clientY } };
      this.stroke = [];
      o.setPointerCapture?.(e.pointerId);
      addCell(cell);
      this.paintOverlay();
    });
    o.addEventListener('pointermove', (e) => {
      if (stroke && e.pointerId === stroke.id) addTo(e.clientX, e.clientY);
    });
    const end = (e, commit) => {
      if (!stroke || e.pointerId !== stroke.id) return;
      if (commit) addTo(e.clientX, e.clientY);
      const cells = this.stroke;
      stroke = null;
      this.stroke = [];
      if (this.model && this.layoutBox) this.paintOverlay();
      if (commit && cells.length) this.options.onPaint(cells);
    };
    o.addEventListener('pointerup', (e) => end(e, true));
    o.addEventListener('pointercancel', (e) => end(e, false));
  }

  // Focuses the map with the keyboard's cell at `cell` (e.g. the cell a key press changed, in
  // the map drawn anew after it), which the focus handler then outlines and announces.
  focusCell(cell) {
    if (!this.model || !this.options.keyboard) return;
    if (cell && cell.row < this.model.rows && cell.col < this.model.cols) this.hover = { row: cell.row, col: cell.col };
    this.overlay.focus({ preventScroll: true });
  }

  // Frames one column group (e.g. the focused head's columns of Q); null for none.
  setActiveGroup(g) {
    if (g === this.activeGroup) return;
    this.activeGroup = g;
    if (this.model && this.layoutBox) this.paintOverlay();
  }

  // Outlines rows, columns or cells (provenance of a cell hovered in another map); [] clears.
  // { row, col, span } outlines span cells of a row from col (e.g. one head's slice of q_i).
  // The list is mirrored in data-highlights on the figure, so tests can read what is lit.
  setHighlights(list) {
    this.highlights = list ?? [];
    this.root.dataset.highlights = JSON.stringify(this.highlights);
    if (this.model && this.layoutBox) this.paintOverlay();
  }

  // Marks hand-edited cells ({ row, col }) or the columns they feed ({ col }); [] clears. The list
  // is mirrored in data-marks on the figure, for tests.
  setMarks(list) {
    this.marks = list ?? [];
    this.root.dataset.marks = JSON.stringify(this.marks);
    if (this.model && this.layoutBox) this.paintOverlay();
  }

  // New overlay colours (keys as in the colors option); repaints.
  setColors(colors) {
    this.colors = { ...DEFAULT_COLORS, ...colors };
    if (this.model && this.layoutBox) this.paintOverlay();
  }

  setLabel(text) {
    this.overlay.setAttribute('aria-label', text);
  }

  // Screen position of a cell's centre, for tests and keyboard hover.
  cellCenter(row, col) {
    const rect = this.overlay.getBoundingClientRect();
    const { left, top, cellW, cellH } = this.layoutBox;
    return { x: rect.left + left + (col + 0.5) * cellW, y: rect.top + top + (row + 0.5) * cellH };
  }
}

// Pads `host` so that the top of canvas `a` (inside it) lines up with the top of canvas `b`,
// whatever sits above each: e.g. the entropy column beside the weights, whose captions wrap
// differently on narrow screens. Does nothing while either is not displayed.
export function alignTops(host, a, b) {
  if (!a.isConnected || !b.isConnected || !a.getClientRects().length || !b.getClientRects().length) return;
  const padding = parseFloat(host.style.paddingTop) || 0;
  const gap = b.getBoundingClientRect().top - a.getBoundingClientRect().top;
  host.style.paddingTop = `${Math.max(0, Math.round(padding + gap))}px`;
}

function measureFits(ctx, text, width) {
  return ctx.measureText(text).width + 4 <= width;
}
