// The probe example's attention, one small heatmap per layer × head: a canvas of n × n pixels (one
// per query, key cell, queries down, keys across) filled from the viridis table on 0 … 1 and scaled
// up by CSS, with the head's caption under it (and, for reverse, its mirror score).

import { el } from '../../draw/dom.js';
import { colormaps, tableIndex } from '../../draw/colormap.js';

export class AttentionMaps {
  constructor(root) {
    this.root = root;
    this.cells = []; // per layer · heads + head: { canvas, caption }
    this.shape = '';
  }

  // attention: train.js's attention(); scores: Float64Array (layers · heads) or null.
  draw(attention, scores = null) {
    const { layers, heads, n, weights, ids, labels } = attention;
    const shape = `${layers}x${heads}x${n}`;
    if (shape !== this.shape) this.build(layers, heads, n);
    this.shape = shape;
    this.root.querySelector('.train-probe').textContent = Array.from(ids, (id) => labels[id]).join(' ');
    const table = colormaps.viridis;
    for (let lh = 0; lh < layers * heads; lh++) {
      const { canvas, caption } = this.cells[lh];
      const g = canvas.getContext('2d');
      const image = g.createImageData(n, n);
      for (let k = 0; k < n * n; k++) {
        const t = 4 * tableIndex(weights[lh * n * n + k], 0, 1);
        image.data.set(table.subarray(t, t + 4), 4 * k);
      }
      g.putImageData(image, 0, 0);
      const layer = Math.floor(lh / heads);
      const head = lh % heads;
      caption.textContent =
        `layer ${layer} · head ${head}` + (scores ? ` · mirror ${(100 * scores[lh]).toFixed(0)} %` : '');
    }
  }

  build(layers, heads, n) {
    const grid = this.root.querySelector('.train-grid');
    grid.replaceChildren();
    grid.style.gridTemplateColumns = `repeat(${heads}, minmax(0, 9rem))`;
    this.cells = [];
    for (let lh = 0; lh < layers * heads; lh++) {
      const figure = el('figure', 'train-map', grid);
      const canvas = el('canvas', { width: n, height: n, role: 'img' }, figure);
      canvas.setAttribute('aria-label', `attention of layer ${Math.floor(lh / heads)}, head ${lh % heads}`);
      const caption = el('figcaption', '', figure);
      this.cells.push({ canvas, caption });
    }
  }
}
