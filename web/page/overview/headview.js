// The head view: queries in a column on the left, keys on the right, a line from query i to key j
// for every weight, its opacity the weight over the head's largest (bertviz's layout), one colour
// per head.
// A chip per head focuses that head (the page's focused head); "All heads" overlays every head.
// Hovering a query token keeps only its lines. Lines drawn are counted in data-lines, for tests.

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
    this.hoverRow = null;
    this.chips = el('div', 'hv-chips', root);
    this.chips.setAttribute('role', 'group');
    this.chips.setAttribute('aria-label', t('hv.label'));
    this.canvas = el('canvas', 'hv-canvas', root);
    this.canvas.setAttribute('role', 'img');
    this.canvas.addEventListener('pointermove', (e) => this.pointer(e));
    this.canvas.addEventListener('pointerleave', () => {
      this.hoverRow = null;
      this.paint();
    });
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

  // The heads drawn, and how many lines (weights ≥ 0.01) they have: data-heads and data-lines.
  count(heads) {
    const tr = this.trace;
    let lines = 0;
    for (const h of heads) {
      const w = tr.weights[h];
      for (let i = 0; i < tr.n; i++) {
        if (this.hoverRow !== null && i !== this.hoverRow) continue;
        for (let j = 0; j < (tr.nKv ?? tr.n); j++) if (w[i * (tr.nKv ?? tr.n) + j] >= 0.01) lines++;
      }
    }
    this.canvas.dataset.lines = String(lines);
    this.canvas.dataset.heads = heads.join(',');
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
    this.paint();
  }

  pointer(e) {
    if (!this.box) return;
    const rect = this.canvas.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const row = Math.floor((e.clientY - rect.top - this.box.top) / ROW);
    const next = x < this.box.x0 + 10 && row >= 0 && row < this.trace.n ? row : null;
    if (next !== this.hoverRow) {
      this.hoverRow = next;
      this.paint();
    }
  }

  paint() {
    const tr = this.trace;
    if (!tr) return;
    if (this.outOfView) {
      this.stale = true;
      this.count(this.all ? Array.from({ length: tr.heads }, (_, h) => h) : [this.focus]);
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
    this.box = { top, x0, x1 };

    const heads = this.all ? Array.from({ length: tr.heads }, (_, h) => h) : [this.focus];
    let lines = 0;
    ctx.lineWidth = 2;
    // Lines are stroked in one path per opacity level (ALPHA_LEVELS of them) and head, not one
    // stroke each: 64 × 64 pairs of 16 heads are 65,536 lines.
    for (const h of heads) {
      ctx.strokeStyle = HEAD_COLORS[h % HEAD_COLORS.length];
      const w = tr.weights[h];
      // Opacity is the weight over the head's largest weight, so untrained, nearly uniform heads
      // still show which keys lead.
      let maxWeight = 0;
      for (const v of w) if (v > maxWeight) maxWeight = v;
      const levels = Array.from({ length: ALPHA_LEVELS + 1 }, () => []);
      for (let i = 0; i < n; i++) {
        if (this.hoverRow !== null && i !== this.hoverRow) continue;
        for (let j = 0; j < nKv; j++) {
          const a = w[i * nKv + j];
          if (a < 0.01) continue;
          const alpha = Math.min(1, (a / maxWeight) * (this.all ? 0.7 : 0.95));
          levels[Math.round(alpha * ALPHA_LEVELS)].push(i, j);
          lines++;
        }
      }
      levels.forEach((pairs, level) => {
        if (!pairs.length) return;
        ctx.globalAlpha = level / ALPHA_LEVELS;
        ctx.beginPath();
        for (let p = 0; p < pairs.length; p += 2) {
          ctx.moveTo(x0 + 4, top + (pairs[p] + 0.5) * ROW);
          ctx.lineTo(x1 - 4, top + (pairs[p + 1] + 0.5) * ROW);
        }
        ctx.stroke();
      });
    }
    ctx.globalAlpha = 1;
    this.canvas.dataset.lines = String(lines);
    this.canvas.dataset.heads = heads.join(',');

    ctx.textBaseline = 'middle';
    ctx.fillStyle = '#1c2230';
    ctx.textAlign = 'right';
    tokens.forEach((tok, i) => {
      ctx.font = i === this.hoverRow ? `600 ${FONT}` : FONT;
      ctx.fillText(tok, x0 - 6, top + (i + 0.5) * ROW);
    });
    ctx.font = FONT;
    ctx.textAlign = 'left';
    keyTokens.forEach((tok, j) => ctx.fillText(tok, x1 + 6, top + (j + 0.5) * ROW));
  }
}
