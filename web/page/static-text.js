// The page's fixed text in the reader's language: every [data-i18n] element, the header's
// formulas (MathML), the [data-i18n-label] aria-labels and the heatmaps' own word. Run once at
// start-up, after the locale has loaded; switching language reloads the page.

import { t } from './i18n/i18n.js';
import { formula } from '../draw/math.js';
import { setHeatmapText } from '../draw/heatmap.js';

export function translatePage() {
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  // The heatmaps' own words ("masked" in their legends, the cell their live region announces).
  setHeatmapText({ masked: t('legend.masked'), cell: t('heatmap.cell'), cellPlain: t('heatmap.cellPlain') });
  // The header's formulas: one <math> per formula (a wide gap in the source parts them), so a
  // narrow screen can wrap between them; MathML itself does not wrap.
  for (const node of document.querySelectorAll('.formula [data-i18n]')) {
    const parts = t(node.dataset.i18n)
      .split(/ {3,}/)
      .map((source) => formula(source, { display: 'inline', displaystyle: true }));
    node.replaceChildren(...parts.flatMap((math, k) => (k ? [' ', math] : [math])));
  }
  for (const node of document.querySelectorAll('[data-i18n-label]')) {
    node.setAttribute('aria-label', t(node.dataset.i18nLabel));
  }
}
