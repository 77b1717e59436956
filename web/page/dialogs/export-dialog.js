// The Export dialog: a matrix of the result shown, for the focused head, as PNG, SVG, CSV or
// JSON. Its figure models come from views/figures.js matrix(), so an export is coloured as the
// page draws the matrix.

import { t } from '../i18n/i18n.js';
import { embedSnippets } from '../embed-snippets.js';
import { matrix } from '../../views/figures.js';
import { heatmapToSVG, heatmapToPNG, matrixToCSV, matrixToJSON, download } from '../../draw/export.js';
import { closeable } from './dialog.js';

const $ = (id) => document.getElementById(id);

// Each matrix offered (its name in the menu and the file name) → the message naming it and its
// name in views/figures.js.
const MATRICES = {
  weights: ['export.weights', 'weights'],
  scores: ['export.scores', 'scores'],
  q: ['export.q', 'qHead'],
  k: ['export.k', 'kHead'],
  v: ['export.v', 'vHead'],
  headOut: ['export.headOut', 'headOutput'],
  output: ['export.output', 'output'],
};

// app: the App (its trace and state).
export function setUpExportDialog(app) {
  const dialog = $('export-dialog');
  const opener = $('export-open');
  const pick = $('export-matrix');
  const live = $('export-live');
  const formats = dialog.querySelectorAll('[data-format]');

  // The head the exports are of: the focused one (a link may name one past the trace's heads).
  const headOf = (trace) => Math.min(app.state.focus, trace.heads - 1);

  // The figure model (draw/export.js) of a matrix offered, with its title.
  function model(trace, name) {
    const [title, figure] = MATRICES[name];
    const h = headOf(trace);
    return { ...matrix(trace, figure, { head: h, independent: app.state.independent }), title: t(title, { h }) };
  }

  opener.addEventListener('click', () => {
    const { trace } = app;
    const h = trace ? headOf(trace) : 0;
    const chosen = pick.value || 'weights';
    pick.replaceChildren(
      ...Object.entries(MATRICES).map(([name, [key]]) => {
        const option = document.createElement('option');
        option.value = name;
        option.textContent = t(key, { h });
        return option;
      }),
    );
    pick.value = chosen;
    for (const b of formats) b.disabled = !trace;
    live.textContent = '';
    dialog.showModal();
  });
  closeable(dialog, opener);

  for (const button of formats) {
    button.addEventListener('click', async () => {
      const { trace, state } = app;
      if (!trace) return;
      const name = pick.value;
      const m = model(trace, name);
      const h = name === 'output' ? null : headOf(trace);
      const format = button.dataset.format;
      const file = `attention-${name}${h === null ? '' : `-head${h}`}.${format}`;
      const meta = {
        matrix: name,
        head: h,
        sentence: state.sentence,
        heads: trace.heads,
        dModel: trace.dModel,
        temperature: trace.temperature,
        causal: trace.causal,
        positional: trace.positional,
        seed: trace.seed,
        link: embedSnippets(state, { baseUrl: location.href }).url,
      };
      if (format === 'png') download(file, await heatmapToPNG(m));
      else if (format === 'svg') download(file, heatmapToSVG(m), 'image/svg+xml');
      else if (format === 'csv') download(file, matrixToCSV(m), 'text/csv');
      else download(file, matrixToJSON(m, meta), 'application/json');
      live.textContent = t('export.done', { file });
    });
  }
}
