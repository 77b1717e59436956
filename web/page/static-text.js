// The page's fixed text in the reader's language: every [data-i18n] element, the header's
// formulas (MathML), the [data-i18n-label] aria-labels and the heatmaps' own word. Run once at
// start-up, after the locale has loaded; switching language reloads the page.

import { t } from './i18n/i18n.js';
import { formula } from '../draw/math.js';
import { setHeatmapText } from '../draw/heatmap.js';
import { describe, headFormula } from '../views/describe.js';

export function translatePage() {
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  // The heatmaps' own words ("masked" in their legends, the cell their live region announces).
  setHeatmapText({ masked: t('legend.masked'), cell: t('heatmap.cell'), cellPlain: t('heatmap.cellPlain') });
  // The header's formulas: one <math> per formula (a wide gap in the source parts them), so a
  // narrow screen can wrap between them; MathML itself does not wrap.
  for (const node of document.querySelectorAll('.formula [data-i18n]')) setFormula(node, t(node.dataset.i18n));
  for (const node of document.querySelectorAll('[data-i18n-label]')) {
    node.setAttribute('aria-label', t(node.dataset.i18nLabel));
  }
}

// One <math> per formula (a wide gap in the source parts them), so a narrow screen can wrap between
// them; MathML itself does not wrap.
function setFormula(node, source) {
  if (node.dataset.source === source) return;
  node.dataset.source = source;
  const parts = source.split(/ {3,}/).map((part) => formula(part, { display: 'inline', displaystyle: true }));
  node.replaceChildren(...parts.flatMap((math, k) => (k ? [' ', math] : [math])));
}

// The header's per-head formula, for the pass drawn (views/describe.js): the ÷√d_head, T, B_h and
// M appear only when this pass used them.
export function showHeaderFormula(trace) {
  const node = document.querySelector('.formula [data-i18n="app.formula.head"]');
  if (node) setFormula(node, `${t('app.formula.perHead')}   ${headFormula(describe(trace))}`);
}
