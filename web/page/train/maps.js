// The probe example's attention, one small heatmap per layer × head: a canvas of n × n pixels (one
// per query, key cell, queries down, keys across) filled from the viridis table on 0 … 1 and scaled
// up by CSS, with the head's caption under it and a badge for every pattern the head is named for
// (trainer.headScores(): the detector's scores, the same badges as Model mode's).

import { el } from '../../draw/dom.js';
import { colormaps, tableIndex } from '../../draw/colormap.js';
import { formatNumber } from '../../draw/format.js';
import { t } from '../i18n/i18n.js';

export class AttentionMaps {
  constructor(root) {
    this.root = root;
    this.cells = []; // per layer · heads + head: { canvas, caption, badges }
    this.shape = '';
  }

  // attention: train.js's attention(); heads: train.js's headScores() or null (not scored).
  draw(attention, heads = null) {
    const { layers, heads: perLayer, n, weights, ids, labels } = attention;
    const shape = `${layers}x${perLayer}x${n}`;
    if (shape !== this.shape) this.build(layers, perLayer, n);
    this.shape = shape;
    this.root.querySelector('.train-probe').textContent = Array.from(ids, (id) => labels[id]).join(' ');
    const table = colormaps.viridis;
    for (let lh = 0; lh < layers * perLayer; lh++) {
      const { canvas, caption, badges } = this.cells[lh];
      const g = canvas.getContext('2d');
      const image = g.createImageData(n, n);
      for (let k = 0; k < n * n; k++) {
        const at = 4 * tableIndex(weights[lh * n * n + k], 0, 1);
        image.data.set(table.subarray(at, at + 4), 4 * k);
      }
      g.putImageData(image, 0, 0);
      const l = Math.floor(lh / perLayer);
      const h = lh % perLayer;
      caption.textContent = t('train.mapCaption', { l, h });
      this.badges(
        badges,
        heads?.heads?.find((r) => r.layer === l && r.head === h),
        l,
        h,
      );
    }
  }

  // A badge per pattern the head passes, with its score; every score in the tooltip.
  badges(box, report, l, h) {
    box.replaceChildren();
    box.removeAttribute('title');
    if (!report) return;
    for (const kind of report.names) {
      const badge = el(
        'span',
        { class: 'model-badge', 'data-kind': kind },
        box,
        t('model.badge', { kind, score: formatNumber(report.scores[kind], 2) }),
      );
      // Model mode's badge, but it may wrap: a map here can be narrower than "duplicate-token 0.89".
      badge.style.whiteSpace = 'normal';
      badge.style.overflowWrap = 'anywhere';
    }
    const all = Object.entries(report.scores)
      .map(([kind, v]) => `${kind} ${Number.isNaN(v) ? '–' : formatNumber(v, 2)}`)
      .join(', ');
    box.title = t('model.scoresTitle', { l, h, scores: all });
  }

  build(layers, heads, n) {
    const grid = this.root.querySelector('.train-grid');
    grid.replaceChildren();
    grid.style.gridTemplateColumns = `repeat(${heads}, minmax(0, 9rem))`;
    this.cells = [];
    for (let lh = 0; lh < layers * heads; lh++) {
      const l = Math.floor(lh / heads);
      const h = lh % heads;
      const figure = el('figure', 'train-map', grid);
      const canvas = el('canvas', { width: n, height: n, role: 'img' }, figure);
      canvas.setAttribute('aria-label', t('train.mapLabel', { l, h }));
      const caption = el('figcaption', '', figure);
      const badges = el('div', { class: 'model-under train-badges', 'data-layer': l, 'data-head': h }, figure);
      this.cells.push({ canvas, caption, badges });
    }
  }
}
