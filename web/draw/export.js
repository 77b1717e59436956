// Export of a heatmap or a matrix: PNG and SVG pictures (cells, labels and legend), CSV and
// JSON numbers. Pure functions of a heatmap model, so the page and the widget share them:
//
//   model: { rows, cols, data: Float32Array(rows·cols) row-major, range: [lo, hi],
//            rowLabels?: string[rows], colLabels?: string[cols], masked?: Uint8Array(rows·cols),
//            colormap?: 'viridis' | 'diverging', title?: string }
//
// Masked cells (non-finite values, or masked[i] = 1) are grey in pictures, "-Infinity" / the
// value in CSV, and null in JSON (with a "masked" list). Labels are always text: escaped in
// SVG, quoted in CSV (and a leading = + - @ is neutralised against spreadsheet formulas).

import { colormaps, colorOf, MASKED_RGBA, TABLE_SIZE } from './colormap.js';

const FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", sans-serif';
const LEGEND_H = 46;

function check(model) {
  const { rows, cols, data, range } = model ?? {};
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1)
    throw new Error(`export: bad shape ${rows} × ${cols}`);
  if (!data || data.length !== rows * cols)
    throw new Error(`export: data has ${data?.length} values, shape ${rows} × ${cols} needs ${rows * cols}`);
  if (range && !(range[1] > range[0])) throw new Error(`export: bad range ${range}`);
}

const isMasked = (model, i) => !Number.isFinite(model.data[i]) || Boolean(model.masked && model.masked[i]);
const chars = (s) => Array.from(String(s)).length;
const rgb = (c) => `rgb(${c[0]},${c[1]},${c[2]})`;

function rangeOf(model) {
  if (model.range) return model.range;
  let lo = Infinity,
    hi = -Infinity;
  for (const v of model.data)
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  return hi > lo ? [lo, hi] : [lo - 1, lo + 1];
}

// Geometry shared by SVG and PNG: cell size, margins for labels, legend under the plot.
function layout(model) {
  const cell = Math.max(4, Math.min(28, Math.floor(640 / Math.max(model.rows, model.cols))));
  const rowChars = Math.max(0, ...(model.rowLabels ?? []).map(chars));
  const colChars = Math.max(0, ...(model.colLabels ?? []).map(chars));
  const left = rowChars ? Math.min(rowChars, 16) * 8 + 12 : 8;
  const titleH = model.title ? 22 : 0;
  const top = titleH + (colChars ? Math.ceil(Math.min(colChars, 16) * 7 * Math.sin(Math.PI / 3)) + 14 : 8);
  const plotW = cell * model.cols,
    plotH = cell * model.rows;
  const right = colChars ? Math.ceil(Math.min(colChars, 16) * 7 * 0.5) + 8 : 8;
  const width = Math.max(left + plotW + right, 260);
  const height = top + plotH + LEGEND_H;
  return { cell, left, top, titleH, plotW, plotH, width, height };
}

const fmt = (v) =>
  Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
const xml = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]);

/** The heatmap as an SVG document (a string): one rect per cell, text labels, a legend. */
export function heatmapToSVG(model, { background = '#ffffff', foreground = '#3d4451' } = {}) {
  check(model);
  const table = colormaps[model.colormap ?? 'viridis'];
  const [lo, hi] = rangeOf(model);
  const L = layout(model);
  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${L.width}" height="${L.height}" viewBox="0 0 ${L.width} ${L.height}" font-family='${FONT_FAMILY}' font-size="12">`,
  );
  out.push(`<rect width="100%" height="100%" fill="${background}"/>`);
  if (model.title) out.push(`<text x="8" y="16" fill="${foreground}" font-weight="600">${xml(model.title)}</text>`);
  for (let i = 0; i < model.rows; i++) {
    for (let j = 0; j < model.cols; j++) {
      const k = i * model.cols + j;
      const c = isMasked(model, k) ? MASKED_RGBA : colorOf(table, model.data[k], lo, hi);
      out.push(
        `<rect x="${L.left + j * L.cell}" y="${L.top + i * L.cell}" width="${L.cell}" height="${L.cell}" fill="${rgb(c)}"/>`,
      );
    }
  }
  (model.rowLabels ?? []).forEach((s, i) =>
    out.push(
      `<text x="${L.left - 6}" y="${L.top + (i + 0.5) * L.cell}" text-anchor="end" dominant-baseline="middle" fill="${foreground}">${xml(s)}</text>`,
    ),
  );
  (model.colLabels ?? []).forEach((s, j) => {
    const x = L.left + (j + 0.5) * L.cell,
      y = L.top - 6;
    out.push(
      `<text x="${x}" y="${y}" transform="rotate(-60 ${x} ${y})" dominant-baseline="middle" fill="${foreground}">${xml(s)}</text>`,
    );
  });
  const ly = L.top + L.plotH + 14;
  out.push('<defs><linearGradient id="legend">');
  for (let k = 0; k < TABLE_SIZE; k += 15)
    out.push(
      `<stop offset="${(k / (TABLE_SIZE - 1)).toFixed(3)}" stop-color="${rgb(table.slice(4 * k, 4 * k + 3))}"/>`,
    );
  out.push(
    `<stop offset="1" stop-color="${rgb(table.slice(4 * (TABLE_SIZE - 1), 4 * TABLE_SIZE - 1))}"/></linearGradient></defs>`,
  );
  out.push(`<text x="8" y="${ly + 9}" fill="${foreground}">${xml(fmt(lo))}</text>`);
  out.push(`<rect x="64" y="${ly}" width="140" height="10" fill="url(#legend)" stroke="rgba(0,0,0,0.2)"/>`);
  out.push(`<text x="212" y="${ly + 9}" fill="${foreground}">${xml(fmt(hi))}</text>`);
  out.push('</svg>');
  return out.join('\n');
}

/** The heatmap drawn on a new canvas (scale = device pixels per CSS pixel). */
export function heatmapToCanvas(model, { background = '#ffffff', foreground = '#3d4451', scale = 2 } = {}) {
  check(model);
  const table = colormaps[model.colormap ?? 'viridis'];
  const [lo, hi] = rangeOf(model);
  const L = layout(model);
  const canvas = document.createElement('canvas');
  canvas.width = L.width * scale;
  canvas.height = L.height * scale;
  const ctx = canvas.getContext('2d');
  ctx.scale(scale, scale);
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, L.width, L.height);
  ctx.font = `12px ${FONT_FAMILY}`;
  ctx.fillStyle = foreground;
  if (model.title) {
    ctx.font = `600 12px ${FONT_FAMILY}`;
    ctx.fillText(model.title, 8, 16);
    ctx.font = `12px ${FONT_FAMILY}`;
  }
  for (let i = 0; i < model.rows; i++) {
    for (let j = 0; j < model.cols; j++) {
      const k = i * model.cols + j;
      ctx.fillStyle = rgb(isMasked(model, k) ? MASKED_RGBA : colorOf(table, model.data[k], lo, hi));
      ctx.fillRect(L.left + j * L.cell, L.top + i * L.cell, L.cell, L.cell);
    }
  }
  ctx.fillStyle = foreground;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  (model.rowLabels ?? []).forEach((s, i) => ctx.fillText(s, L.left - 6, L.top + (i + 0.5) * L.cell));
  ctx.textAlign = 'left';
  (model.colLabels ?? []).forEach((s, j) => {
    ctx.save();
    ctx.translate(L.left + (j + 0.5) * L.cell, L.top - 6);
    ctx.rotate(-Math.PI / 3);
    ctx.fillText(s, 0, 0);
    ctx.restore();
  });
  const ly = L.top + L.plotH + 14;
  const gradient = ctx.createLinearGradient(64, 0, 204, 0);
  for (let k = 0; k < TABLE_SIZE; k += 15)
    gradient.addColorStop(k / (TABLE_SIZE - 1), rgb(table.slice(4 * k, 4 * k + 3)));
  gradient.addColorStop(1, rgb(table.slice(4 * (TABLE_SIZE - 1), 4 * TABLE_SIZE - 1)));
  ctx.fillStyle = gradient;
  ctx.fillRect(64, ly, 140, 10);
  ctx.fillStyle = foreground;
  ctx.textBaseline = 'alphabetic';
  ctx.fillText(fmt(lo), 8, ly + 9);
  ctx.fillText(fmt(hi), 212, ly + 9);
  return canvas;
}

/** The heatmap as a PNG Blob. */
export function heatmapToPNG(model, options) {
  const canvas = heatmapToCanvas(model, options);
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('export: PNG encoding failed'))), 'image/png'),
  );
}

function csvField(s) {
  let text = String(s);
  if (/^[=+\-@\t\r]/.test(text) && !/^-?\d/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) || text !== String(s) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The matrix as CSV: a header of column labels, one line per row led by its label. */
export function matrixToCSV(model) {
  check(model);
  const { rows, cols, data } = model;
  const colLabels = model.colLabels ?? Array.from({ length: cols }, (_, j) => String(j));
  const rowLabels = model.rowLabels ?? Array.from({ length: rows }, (_, i) => String(i));
  const lines = [['', ...colLabels].map(csvField).join(',')];
  for (let i = 0; i < rows; i++) {
    const row = [csvField(rowLabels[i])];
    for (let j = 0; j < cols; j++) row.push(String(data[i * cols + j]));
    lines.push(row.join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** The matrix as JSON text: { rows, cols, rowLabels, colLabels, data: number[rows][cols] (null where masked), masked, ...meta }. */
export function matrixToJSON(model, meta = {}) {
  check(model);
  const { rows, cols } = model;
  const data = [];
  const masked = [];
  for (let i = 0; i < rows; i++) {
    const row = [];
    for (let j = 0; j < cols; j++) {
      const k = i * cols + j;
      if (isMasked(model, k)) {
        row.push(null);
        masked.push([i, j]);
      } else row.push(model.data[k]);
    }
    data.push(row);
  }
  return JSON.stringify(
    { ...meta, rows, cols, rowLabels: model.rowLabels ?? null, colLabels: model.colLabels ?? null, data, masked },
    null,
    1,
  );
}

/** Starts a download of text or a Blob (a link with the download attribute). */
export function download(name, content, type = 'text/plain') {
  const blob = content instanceof Blob ? content : new Blob([content], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
