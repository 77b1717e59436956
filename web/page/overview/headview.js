// The head view: queries in a column on the left, keys on the right, a line from query i to key j
// for every weight, its opacity the weight over the head's largest (bertviz's layout), one colour
// per head.
// A chip per head focuses that head (the page's focused head). "All heads" draws one line per
// pair (i, j), in the colour of the head that weighs it most (relative to each head's largest
// weight), so heads do not blend into one muddy colour where their lines cross.
// Hovering a query token (left) keeps only its lines; hovering a key token (right) only the lines
// into it. Lines drawn are counted in data-lines, and the heads they are drawn in listed in
// data-line-heads (head: count), for tests.

import { t } from '../i18n/i18n.js';
import { el } from '../../draw/dom.js';

// Distinct, colour-blind-friendlier hues (Okabe–Ito first, then Tableau), cycled past 16 heads.
export const HEAD_COLORS = [
  '#0072b2',
  '#e69f00',
  '#009e73',
  '#cc79a7',
  '#d55e00',
  '#56b4e9',
  '#8c6d31',
  '#7b4fa6',
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#b07aa1',
  '#9c755f',
  '#bab0ac',
];

const FONT = '13px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const ROW = 20;
const ALPHA_LEVELS = 64; // opacity steps of the lines

export class HeadView {
  // root: an element to fill. onFocus(h): a head chip was clicked.
  constructor(root, { onFocus }) {
    this.root = root;
    this.onFocus = onFocus;
    this.all = false;
    this.hoverRow = null; // a query token under the pointer: only its lines
    this.hoverKey = null; // a key token under the pointer: only the lines into it
    this.chips = el('div', 'hv-chips', root);
    this.chips.setAttribute('role', 'group');
    this.chips.setAttribute('aria-label', t('hv.label'));
    this.canvas = el('canvas', 'hv-canvas', root);
    this.canvas.setAttribute('role', 'img');
    this.canvas.addEventListener('pointermove', (e) => this.pointer(e));
    this.canvas.addEventListener('pointerleave', () => {
      this.hoverRow = null;
      this.hoverKey = null;
      this.paint();
    });
    this.note = el('p', 'hint hv-note', root);
    // Out of view (200 px margin) the lines are counted but not drawn; drawn when in view.
    this.outOfView = false;
    this.stale = false;
    if (typeof IntersectionObserver === 'function') {
      new IntersectionObserver(
        (entries) => {
          this.outOfView = !entries.at(-1).isIntersecting;
          if (!this.outOfView && this.stale) this.paint();
        },
        { rootMargin: '200px' },
      ).observe(this.canvas);
    }
  }

  // The lines to draw: for each pair (i, j) the hover allows, the head that weighs it most
  // relative to its own largest weight (the one head when a head is focused), if ≥ 0.01.
  // → { pairs: [i, j, head, strength, …], perHead: { head: count }, heads }
  lines() {
    const tr = this.trace;
    const { n } = tr;
    const nKv = tr.nKv ?? n;
    const heads = this.all ? Array.from({ length: tr.heads }, (_, h) => h) : [this.focus];
    // Strength is the weight over the head's largest weight, so untrained, nearly uniform heads
    // still show which keys lead.
    const maxWeight = heads.map((h) => tr.weights[h].reduce((m, v) => (v > m ? v : m), 0) || 1);
    const pairs = [];
    const perHead = {};
    for (let i = 0; i < n; i++) {
      if (this.hoverRow !== null && i !== this.hoverRow) continue;
      for (let j = 0; j < nKv; j++) {
        if (this.hoverKey !== null && j !== this.hoverKey) continue;
        let best = -1;
        let strength = 0;
        heads.forEach((h, k) => {
          const a = tr.weights[h][i * nKv + j];
          if (a >= 0.01 && a / maxWeight[k] > strength) {
            strength = a / maxWeight[k];
            best = h;
          }
        });
        if (best < 0) continue;
        pairs.push(i, j, best, strength);
        perHead[best] = (perHead[best] ?? 0) + 1;
      }
    }
    return { pairs, perHead, heads };
  }

  // data-lines, data-heads and data-line-heads, for tests (also while out of view).
  count({ pairs, perHead, heads }) {
    this.canvas.dataset.lines = String(pairs.length / 4);
    this.canvas.dataset.heads = heads.join(',');
    this.canvas.dataset.lineHeads = JSON.stringify(perHead);
  }

  render(trace, focus) {
    this.trace = trace;
    this.focus = Math.min(focus, trace.heads - 1);
    this.chips.replaceChildren();
    const all = el('button', 'hv-chip', this.chips, t('hv.all'));
    all.type = 'button';
    all.dataset.head = 'all';
    all.setAttribute('aria-pressed', String(this.all));
    all.addEventListener('click', () => {
      this.all = true;
      this.render(this.trace, this.focus);
    });
    for (let h = 0; h < trace.heads; h++) {
      const chip = el('button', 'hv-chip', this.chips);
      chip.type = 'button';
      chip.dataset.head = String(h);
      el('span', 'hv-swatch', chip).style.background = HEAD_COLORS[h % HEAD_COLORS.length];
      el('span', '', chip, t('head.label', { h }));
      chip.setAttribute('aria-pressed', String(!this.all && h === this.focus));
      chip.addEventListener('click', () => {
        this.all = false;
        this.onFocus(h);
      });
    }
    this.canvas.setAttribute('aria-label', t('hv.aria', { heads: trace.heads }));
    this.note.textContent = this.all ? t('hv.allNote') : '';
    this.note.hidden = !this.all;
    this.paint();
  }

  pointer(e) {
    if (!this.box) return;
    const rect = this.canvas.getBoundingClientRect();
    // CSS px of the canvas as drawn (max-width may scale it down on a narrow screen).
    const scale = rect.width ? this.box.width / rect.width : 1;
    const x = (e.clientX - rect.left) * scale;
    const slot = Math.floor(((e.clientY - rect.top) * scale - this.box.top) / ROW);
    const nKv = this.trace.nKv ?? this.trace.n;
    const row = x < this.box.x0 + 10 && slot >= 0 && slot < this.trace.n ? slot : null;
    const key = x > this.box.x1 - 10 && slot >= 0 && slot < nKv ? slot : null;
    if (row !== this.hoverRow || key !== this.hoverKey) {
      this.hoverRow = row;
      this.hoverKey = key;
      this.paint();
    }
  }

  paint() {
    const tr = this.trace;
    if (!tr) return;
    const found = this.lines();
    this.count(found);
    if (this.outOfView) {
      this.stale = true;
      return;
    }
    this.stale = false;
    const { n, tokens } = tr;
    const nKv = tr.nKv ?? n;
    const keyTokens = tr.keyTokens ?? tokens;
    const ctx = this.canvas.getContext('2d');
    ctx.font = FONT;
    const widest = (list) => list.reduce((m, s) => Math.max(m, ctx.measureText(s).width), 0);
    const left = Math.ceil(widest(tokens)) + 12;
    const right = Math.ceil(widest(keyTokens)) + 12;
    const gap = 200;
    const top = 8;
    const width = left + gap + right;
    const height = top * 2 + Math.max(n, nKv) * ROW;
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const x0 = left;
    const x1 = left + gap;
    this.box = { top, x0, x1, width };

    // One path per head and opacity level (ALPHA_LEVELS of them), not one stroke per line: 64 × 64
    // pairs are 4,096 lines.
    const paths = new Map(); // head · (ALPHA_LEVELS + 1) + level → [i, j, …]
    const { pairs } = found;
    for (let p = 0; p < pairs.length; p += 4) {
      const level = Math.round(Math.min(1, pairs[p + 3] * 0.95) * ALPHA_LEVELS);
      const key = pairs[p + 2] * (ALPHA_LEVELS + 1) + level;
      if (!paths.has(key)) paths.set(key, []);
      paths.get(key).push(pairs[p], pairs[p + 1]);
    }
    ctx.lineWidth = 2;
    for (const [key, ends] of paths) {
      const head = Math.floor(key / (ALPHA_LEVELS + 1));
      ctx.strokeStyle = HEAD_COLORS[head % HEAD_COLORS.length];
      ctx.globalAlpha = (key % (ALPHA_LEVELS + 1)) / ALPHA_LEVELS;
      ctx.beginPath();
      for (let e = 0; e < ends.length; e += 2) {
        ctx.moveTo(x0 + 4, top + (ends[e] + 0.5) * ROW);
        ctx.lineTo(x1 - 4, top + (ends[e + 1] + 0.5) * ROW);
      }
      ctx.stroke();
    }
    ctx.globalAlpha = 1;

    ctx.textBaseline = 'middle';
    ctx.fillStyle = '#1c2230';
    ctx.textAlign = 'right';
    tokens.forEach((tok, i) => {
      ctx.font = i === this.hoverRow ? `600 ${FONT}` : FONT;
      ctx.fillText(tok, x0 - 6, top + (i + 0.5) * ROW);
    });
    ctx.font = FONT;
    ctx.textAlign = 'left';
    keyTokens.forEach((tok, j) => {
      ctx.font = j === this.hoverKey ? `600 ${FONT}` : FONT;
      ctx.fillText(tok, x1 + 6, top + (j + 0.5) * ROW);
    });
  }
}
