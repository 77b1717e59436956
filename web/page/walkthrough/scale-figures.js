// The scale step's plot: the spread of q·k against the number of dimensions summed, from the
// pass's own Q and K (views/figures.js dotSpread), with the √d curve it follows and the spread
// after dividing by √d, which stays flat. A small canvas, its points also in its aria-label and in
// data-points (JSON) for tests.

import { dotSpread } from '../../views/figures.js';
import { t, formatNumber } from '../i18n/i18n.js';
import { el } from '../../draw/dom.js';

const W = 320;
const H = 180;
const PAD = { left: 44, right: 12, top: 12, bottom: 34 };

// Draws into parent for the trace (head: unused; every head's q and k count).
export function spreadPlot(parent, trace) {
  const { points, fit } = dotSpread(trace);
  const wrap = el('figure', 'wt-plot', parent);
  const canvas = el('canvas', 'wt-plot-canvas', wrap);
  const dpr = globalThis.devicePixelRatio || 1;
  canvas.width = Math.round(W * dpr);
  canvas.height = Math.round(H * dpr);
  canvas.style.width = `${W}px`;
  canvas.style.maxWidth = '100%';
  canvas.dataset.points = JSON.stringify(points.map(({ d, std }) => [d, std]));
  canvas.dataset.fit = String(fit);
  canvas.setAttribute('role', 'img');
  canvas.setAttribute(
    'aria-label',
    t('plot.spread.aria', { points: points.map((p) => `d ${p.d}: ${formatNumber(p.std, 3)}`).join(', ') }),
  );
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.scale(dpr, dpr);
  const style = getComputedStyle(parent);
  const ink = style.getPropertyValue('--ink-2').trim() || '#444';
  const accent = style.getPropertyValue('--accent').trim() || '#c2410c';
  const quiet = style.getPropertyValue('--ink-3').trim() || '#888';

  // x: log2 d from 0 to log2 d_model; y: 0 to the largest std (or fit·√d_model).
  const dMax = points.at(-1).d;
  const yMax = Math.max(...points.map((p) => p.std), fit * Math.sqrt(dMax)) * 1.08 || 1;
  const x = (d) => PAD.left + (dMax > 1 ? Math.log2(d) / Math.log2(dMax) : 0.5) * (W - PAD.left - PAD.right);
  const y = (v) => H - PAD.bottom - (v / yMax) * (H - PAD.top - PAD.bottom);

  ctx.strokeStyle = quiet;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(PAD.left, PAD.top);
  ctx.lineTo(PAD.left, H - PAD.bottom);
  ctx.lineTo(W - PAD.right, H - PAD.bottom);
  ctx.stroke();
  ctx.fillStyle = ink;
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'center';
  for (const p of points) ctx.fillText(String(p.d), x(p.d), H - PAD.bottom + 13);
  ctx.fillText(t('plot.spread.x'), (PAD.left + W - PAD.right) / 2, H - 4);
  ctx.textAlign = 'right';
  ctx.fillText(formatNumber(yMax, 2), PAD.left - 4, PAD.top + 8);
  ctx.fillText('0', PAD.left - 4, H - PAD.bottom);

  // c·√d, dashed; std/√d (flat), dotted; the measured std, solid with points.
  const curve = (f, dash, colour) => {
    ctx.setLineDash(dash);
    ctx.strokeStyle = colour;
    ctx.beginPath();
    const steps = 48;
    for (let s = 0; s <= steps; s++) {
      const d = 2 ** ((s / steps) * Math.log2(dMax));
      if (s === 0) ctx.moveTo(x(d), y(f(d)));
      else ctx.lineTo(x(d), y(f(d)));
    }
    ctx.stroke();
    ctx.setLineDash([]);
  };
  curve((d) => fit * Math.sqrt(d), [5, 4], quiet);
  ctx.strokeStyle = quiet;
  ctx.setLineDash([2, 3]);
  ctx.beginPath();
  points.forEach((p, k) => (k ? ctx.lineTo : ctx.moveTo).call(ctx, x(p.d), y(p.std / Math.sqrt(p.d))));
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.strokeStyle = accent;
  ctx.fillStyle = accent;
  ctx.lineWidth = 2;
  ctx.beginPath();
  points.forEach((p, k) => (k ? ctx.lineTo : ctx.moveTo).call(ctx, x(p.d), y(p.std)));
  ctx.stroke();
  for (const p of points) {
    ctx.beginPath();
    ctx.arc(x(p.d), y(p.std), 3, 0, 2 * Math.PI);
    ctx.fill();
  }

  const legend = el('figcaption', 'wt-plot-legend', wrap);
  el('span', 'wt-plot-key is-std', legend, t('plot.spread.y'));
  el('span', 'wt-plot-key is-fit', legend, t('plot.spread.sqrt', { c: formatNumber(fit, 3) }));
  el('span', 'wt-plot-key is-scaled', legend, t('plot.spread.scaled'));
}
