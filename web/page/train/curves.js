// The loss and accuracy curves of a training run on one canvas: loss (left scale, from 0 to the
// largest loss seen) and accuracy (right scale, 0 … 1), one point per step, drawn with the canvas
// scaled for devicePixelRatio (a run longer than twice the plot's width in pixels is drawn as each
// pixel column's range). Labels are text drawn from the numbers plotted.

import { t } from '../i18n/i18n.js';

const LOSS = '#3b6fd8';
const ACCURACY = '#d8683b';

export class Curves {
  constructor(canvas) {
    this.canvas = canvas;
    this.loss = []; // one per step
    this.accuracy = []; // one per step (the batch's masked positions)
  }

  reset() {
    this.loss = [];
    this.accuracy = [];
  }

  add(loss, accuracy) {
    for (const x of loss) this.loss.push(x);
    for (const x of accuracy) this.accuracy.push(x);
  }

  draw() {
    const { canvas } = this;
    const ratio = globalThis.devicePixelRatio || 1;
    const width = canvas.clientWidth || 480;
    const height = canvas.clientHeight || 180;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    const left = 44;
    const right = 44;
    const top = 10;
    const bottom = 22;
    const w = width - left - right;
    const h = height - top - bottom;
    const steps = this.loss.length;
    let maxLoss = 0;
    for (const x of this.loss) if (Number.isFinite(x) && x > maxLoss) maxLoss = x;
    g.strokeStyle = '#c8ccd4';
    g.strokeRect(left, top, w, h);
    g.fillStyle = '#3d4451';
    g.font = '11px system-ui, sans-serif';
    g.textBaseline = 'middle';
    g.textAlign = 'right';
    g.fillText(maxLoss ? maxLoss.toFixed(2) : '—', left - 4, top);
    g.fillText('0', left - 4, top + h);
    g.textAlign = 'left';
    g.fillText('1', left + w + 4, top);
    g.fillText('0', left + w + 4, top + h);
    g.textAlign = 'center';
    g.fillText(t('train.curveSteps', { steps }), left + w / 2, top + h + 12);
    const line = (values, lo, hi, color) => {
      if (values.length < 1 || !(hi > lo)) return;
      g.strokeStyle = color;
      g.lineWidth = 1.5;
      g.beginPath();
      const yOf = (v) => top + h - ((Math.min(Math.max(v, lo), hi) - lo) / (hi - lo)) * h;
      const columns = Math.max(1, Math.floor(w));
      if (values.length <= 2 * columns) {
        values.forEach((v, k) => {
          const x = left + (values.length === 1 ? 0 : (k / (values.length - 1)) * w);
          if (k === 0) g.moveTo(x, yOf(v));
          else g.lineTo(x, yOf(v));
        });
      } else {
        // A long run: per pixel column, a stroke from the smallest to the largest value of its steps
        // (every spike stays visible, and a frame costs one pass instead of a segment per step).
        for (let c = 0; c < columns; c++) {
          const from = Math.floor((c * values.length) / columns);
          const to = Math.floor(((c + 1) * values.length) / columns);
          let min = Infinity;
          let max = -Infinity;
          for (let k = from; k < to; k++) {
            if (values[k] < min) min = values[k];
            if (values[k] > max) max = values[k];
          }
          if (!(max >= min)) continue; // only NaN in this column
          const x = left + ((c + 0.5) / columns) * w;
          if (c === 0) g.moveTo(x, yOf(max));
          else g.lineTo(x, yOf(max));
          g.lineTo(x, yOf(min));
        }
      }
      g.stroke();
    };
    line(this.loss, 0, maxLoss, LOSS);
    line(this.accuracy, 0, 1, ACCURACY);
  }
}

export const CURVE_COLOURS = Object.freeze({ loss: LOSS, accuracy: ACCURACY });
