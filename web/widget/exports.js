// The widget's exports of the matrix it shows: PNG, SVG, CSV and JSON (draw/export.js draws and
// writes them), in the widget's colours, and the row of buttons that downloads them
// (controls="export").

import { el } from '../draw/dom.js';
import { heatmapToSVG, heatmapToPNG, matrixToCSV, matrixToJSON, download } from '../draw/export.js';

export const EXPORT_KINDS = Object.freeze([
  ['png', 'PNG'],
  ['svg', 'SVG'],
  ['csv', 'CSV'],
  ['json', 'JSON'],
]);

// The pictures' background and text colours: the element's theme (its custom properties).
function colorsOf(element) {
  const style = getComputedStyle(element);
  return {
    background: style.getPropertyValue('--ap-bg').trim() || '#fff',
    foreground: style.getPropertyValue('--ap-fg').trim() || '#3d4451',
  };
}

// shown: { model, meta } (the element's `current`), or null before the first drawing.
export const exportSVG = (element, shown) => (shown ? heatmapToSVG(shown.model, colorsOf(element)) : null);
export const exportPNG = (element, shown) =>
  shown ? heatmapToPNG(shown.model, colorsOf(element)) : Promise.resolve(null);
export const exportCSV = (shown) => (shown ? matrixToCSV(shown.model) : null);
export const exportJSON = (shown) => (shown ? matrixToJSON(shown.model, shown.meta) : null);

// Downloads the matrix shown as `kind` (png, svg, csv, json), named after its view and head.
export async function saveExport(element, shown, kind) {
  if (!shown) return;
  const { view, head } = shown.meta;
  const name = `attention-${view}${head === null ? '' : `-head${head}`}.${kind}`;
  if (kind === 'png') download(name, await exportPNG(element, shown));
  else if (kind === 'svg') download(name, exportSVG(element, shown), 'image/svg+xml');
  else if (kind === 'csv') download(name, exportCSV(shown), 'text/csv');
  else download(name, exportJSON(shown), 'application/json');
}

// Fills box with the export buttons; disabled when locked. onSave(kind) runs on a click.
export function buildExportButtons(box, { locked, t, onSave }) {
  box.replaceChildren();
  el('span', { class: 'status', text: t('export') }, box);
  for (const [kind, text] of EXPORT_KINDS) {
    const b = el('button', { type: 'button', text }, box);
    b.disabled = locked;
    b.dataset.control = 'export';
    b.setAttribute('aria-label', `${t('export')} ${text}`);
    b.addEventListener('click', () => onSave(kind));
  }
}
