// Browser tests of the page's small teaching fixes and its use by keyboard and on a phone: the
// heads slider stops only where d_model allows, the d_head hint says why there is none, notes
// agree in number, mask cells paint by dragging, hand edits are marked in the overview, the head
// view draws heads apart and hovering a key filters its lines, every control works by keyboard,
// and at 320 px every walkthrough step fits.
//
// Run: node --test --test-concurrency=1 tests/browser/page-teach.test.mjs   (needs web/lib/wasm built)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startHarness, settled, renders, cellPoint, SHOTS } from './page-harness.mjs';

let harness;
before(async () => {
  const started = await startHarness();
  harness = {
    ...started,
    open: async (...args) => {
      const opened = await started.open(...args);
      await opened.page.evaluate(() => document.fonts.ready).catch(() => {});
      return opened;
    },
  };
});
after(async () => {
  await harness?.close();
});

test('the heads slider stops only at head counts that divide d_model; the hint lists them', async () => {
  const { page, problems, close } = await harness.open('#d=64&h=4');
  try {
    const slider = page.locator('#heads-range');
    assert.deepEqual(await slider.evaluate((s) => [s.min, s.max]), ['0', '4']); // 1, 2, 4, 8, 16
    assert.equal(
      await page.locator('#heads-hint').textContent(),
      'The slider stops only at head counts that divide d_model = 64: 1, 2, 4, 8, 16.',
    );
    const seen = [];
    for (let k = 0; k <= 4; k++) {
      const before = await renders(page);
      await slider.evaluate((s, v) => {
        s.value = String(v);
        s.dispatchEvent(new Event('input', { bubbles: true }));
      }, k);
      await settled(page, before);
      const shown = await page.evaluate(() => ({ heads: window.__ap.state.heads, error: window.__ap.error }));
      assert.equal(shown.error ?? null, null, `slider position ${k}: ${shown.error}`);
      seen.push(shown.heads);
    }
    assert.deepEqual(seen, [1, 2, 4, 8, 16]);
    // d_model 48 under RoPE: d_head must be even too (48 / 3 = 16 is, 48 / 16 = 3 is not).
    let before = await renders(page);
    await page.fill('#heads', '4');
    await settled(page, before);
    before = await renders(page);
    await page.fill('#dmodel', '48');
    await settled(page, before);
    before = await renders(page);
    await page.selectOption('#positional', 'rope');
    await settled(page, before);
    assert.match(await page.locator('#heads-hint').textContent(), /even d_head.*: 1, 2, 3, 4, 6, 8, 12\./);
    assert.equal(await slider.evaluate((s) => s.max), '6');
    // A count typed in the number field that d_model does not allow still says why.
    await page.fill('#heads', '5');
    await page.waitForFunction(() => /not divisible/.test(document.getElementById('alert').textContent));
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('the d_model slider moves in steps the head count divides, so no position is an error', async () => {
  const { page, problems, close } = await harness.open('#d=48&h=3');
  try {
    const slider = page.locator('#dmodel-range');
    assert.deepEqual(await slider.evaluate((s) => [s.min, s.step, s.max]), ['24', '24', '504']);
    for (const value of ['24', '240', '504']) {
      const before = await renders(page);
      await slider.evaluate((s, v) => {
        s.value = v;
        s.dispatchEvent(new Event('input', { bubbles: true }));
      }, value);
      await settled(page, before);
      assert.equal(await page.evaluate(() => window.__ap.error ?? null), null, `d_model ${value}`);
      assert.equal(await page.evaluate(() => window.__ap.state.dModel), Number(value));
    }
    // RoPE needs an even d_head: steps of lcm(8, 2·3) = 24 still; with 4 heads lcm(8, 8) = 8.
    let before = await renders(page);
    await page.fill('#heads', '4');
    await settled(page, before);
    assert.deepEqual(await slider.evaluate((s) => [s.min, s.step]), ['8', '8']);
    before = await renders(page);
    await page.selectOption('#positional', 'rope');
    await settled(page, before);
    assert.deepEqual(await slider.evaluate((s) => [s.min, s.step]), ['8', '8']);
    // 8 heads typed with d_model 504: d_head 63 is odd, said by the message; the slider offers
    // only multiples of 16 from there.
    await page.fill('#heads', '8');
    await page.waitForFunction(() => /d_head must be even/.test(document.getElementById('alert').textContent));
    assert.deepEqual(
      await slider.evaluate((s) => [s.min, s.step]),
      ['16', '16'],
      'd_head even: d_model a multiple of 16',
    );
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('the d_head hint gives the true reason when there is no d_head', async () => {
  const { page, close } = await harness.open('#d=64&h=4');
  try {
    const hint = () => page.locator('#dhead').textContent();
    assert.equal(await hint(), 'd_head = d_model / h = 16');
    const cases = [
      ['#dmodel', '0', /needs d_model, a whole number from 1 to 512/],
      ['#dmodel', '64', /= 16$/],
      ['#heads', '0', /needs h, a whole number of heads from 1 to 16/],
      ['#heads', '3', /= 64 \/ 3 is not a whole number/],
      ['#heads', '', /needs h/],
    ];
    for (const [field, value, expected] of cases) {
      await page.fill(field, value);
      await page.waitForFunction(
        ([source]) => new RegExp(source).test(document.getElementById('dhead').textContent),
        [expected.source],
      );
      assert.match(await hint(), expected, `${field} = ${value}`);
    }
  } finally {
    await close();
  }
});

test('the note on rows with every key hidden agrees in number: row 0 …, rows 0 … and 1 …', async () => {
  const { page, close } = await harness.open('#step=7&c=1&pad=0');
  try {
    assert.match(
      await page.locator('.wt-empty').textContent(),
      /^Every key is hidden from row 0 “The”: .* its weights are all 0/,
    );
  } finally {
    await close();
  }
  const two = await harness.open('#step=7&c=1&pad=0&pm=1.1');
  try {
    assert.deepEqual(
      await two.page.evaluate(() => {
        const { mask, n } = window.__ap.trace;
        return [0, 1, 2].map((i) => mask.slice(i * n, (i + 1) * n).some((m) => m));
      }),
      [false, false, true],
    );
    assert.match(
      await two.page.locator('.wt-empty').textContent(),
      /^Every key is hidden from rows 0 “The” and 1 “animal”: they have .* their weights are all 0 \(not NaN\) and their outputs are 0\.$/,
    );
  } finally {
    await two.close();
  }
});

// The painted cells of the state, sorted, as "i.j" strings.
const paintedCells = (page) =>
  page.evaluate(() =>
    window.__ap.state.painted
      .map(([i, j]) => `${i}.${j}`)
      .sort()
      .join(','),
  );

test('mask cells paint by dragging, with the mouse and with a finger; a drag from a painted cell clears', async () => {
  const { page, problems, close } = await harness.open('#step=7');
  try {
    // Mouse: press on (2, 1), drag across row 2 to (2, 5), release: one recompute, five cells.
    const from = await cellPoint(page, 'mask', 2, 1);
    const to = await page.evaluate(() => window.__ap.cellCenter('mask', 2, 5));
    let before = await renders(page);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 2 }); // fast: cells between the points are filled in
    await page.mouse.up();
    await settled(page, before);
    assert.equal(await renders(page), before + 1, 'one stroke, one recompute');
    assert.equal(await paintedCells(page), '2.1,2.2,2.3,2.4,2.5');
    const weights = await page.evaluate(() => {
      const { mask, n } = window.__ap.trace;
      return Array.from(mask.slice(2 * n, 3 * n));
    });
    assert.deepEqual(weights.slice(0, 7), [1, 0, 0, 0, 0, 0, 1], 'the trace masks exactly the painted run');
    // A drag that starts on a painted cell clears: (2, 3) → (2, 4).
    const a = await cellPoint(page, 'mask', 2, 3);
    const b = await page.evaluate(() => window.__ap.cellCenter('mask', 2, 4));
    before = await renders(page);
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move(b.x, b.y, { steps: 4 });
    await page.mouse.up();
    await settled(page, before);
    assert.equal(await paintedCells(page), '2.1,2.2,2.5');
    // A click alone still toggles one cell.
    before = await renders(page);
    const c = await cellPoint(page, 'mask', 0, 0);
    await page.mouse.click(c.x, c.y);
    await settled(page, before);
    assert.equal(await paintedCells(page), '0.0,2.1,2.2,2.5');
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }

  // Touch: a finger dragged down column 0 from (3, 0) to (6, 0) paints four cells (pointer
  // events from the DevTools protocol's touch input), and does not scroll the page.
  // The causal mask is on, so the first painted cell removes no note above the map (the note that
  // nothing is hidden), which would move the page by scroll anchoring, not by the finger.
  const touch = await harness.open('#step=7&c=1', { width: 400, height: 800, touch: true });
  try {
    const { page } = touch;
    const p0 = await cellPoint(page, 'mask', 3, 0);
    const p1 = await page.evaluate(() => window.__ap.cellCenter('mask', 6, 0));
    assert.equal(
      await page.evaluate(() => getComputedStyle(document.querySelector('.wt-fig-mask .hm-overlay')).touchAction),
      'none',
    );
    const scrollBefore = await page.evaluate(() => scrollY);
    const cdp = await page.context().newCDPSession(page);
    const before = await renders(page);
    const point = (p) => [{ x: p.x, y: p.y, id: 1 }];
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: point(p0) });
    for (let s = 1; s <= 6; s++) {
      const p = { x: p0.x, y: p0.y + ((p1.y - p0.y) * s) / 6 };
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: point(p) });
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await settled(page, before);
    assert.equal(await paintedCells(page), '3.0,4.0,5.0,6.0');
    assert.equal(await page.evaluate(() => scrollY), scrollBefore, 'the finger painted, the page did not scroll');
    assert.deepEqual(touch.problems, []);
  } finally {
    await touch.close();
  }
});

test('head view: "All heads" draws one line per pair in its strongest head; hovering a key keeps only its lines', async () => {
  const { page, problems, close } = await harness.open('#f=0');
  try {
    const canvas = page.locator('.hv-canvas');
    await page.locator('.hv-chip[data-head="all"]').click();
    assert.equal(await canvas.getAttribute('data-heads'), '0,1,2,3');
    // Recomputed from the trace: per pair, the head with the largest weight over its own maximum.
    const expected = await page.evaluate(() => {
      const { weights, heads, n } = window.__ap.trace;
      const max = weights.map((w) => Math.max(...w));
      const perHead = {};
      const intoKey = (j) => {
        let count = 0;
        for (let i = 0; i < n; i++) if (weights.some((w) => w[i * n + j] >= 0.01)) count++;
        return count;
      };
      let lines = 0;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let best = -1;
          let s = 0;
          for (let h = 0; h < heads; h++) {
            const a = weights[h][i * n + j];
            if (a >= 0.01 && a / max[h] > s) [best, s] = [h, a / max[h]];
          }
          if (best >= 0) {
            lines++;
            perHead[best] = (perHead[best] ?? 0) + 1;
          }
        }
      const overlaid = weights.reduce((sum, w) => sum + w.filter((a) => a >= 0.01).length, 0);
      return { lines, perHead, overlaid, intoKey3: intoKey(3) };
    });
    assert.equal(Number(await canvas.getAttribute('data-lines')), expected.lines);
    assert.ok(expected.lines < expected.overlaid, 'one line per pair, not one per head and pair');
    assert.deepEqual(JSON.parse(await canvas.getAttribute('data-line-heads')), expected.perHead);
    assert.ok(Object.keys(expected.perHead).length > 1, 'several heads win some pairs');
    assert.match(await page.locator('.hv-note').textContent(), /colour of the head that weighs it most/);
    // Hover key 3 ("cross", on the right): only the lines into it.
    await canvas.scrollIntoViewIfNeeded();
    const box = await canvas.evaluate((c) => {
      const r = c.getBoundingClientRect();
      const scale = r.width / parseFloat(c.style.width);
      return { x: r.right - 8 * scale, y: r.top + (8 + 3.5 * 20) * scale };
    });
    await page.mouse.move(box.x, box.y);
    assert.equal(Number(await canvas.getAttribute('data-lines')), expected.intoKey3);
    await page.mouse.move(0, 0);
    assert.equal(Number(await canvas.getAttribute('data-lines')), expected.lines);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('hand edits are marked in the overview (X, and the columns of Q, K, V they feed) and in the walkthrough', async () => {
  const { page, problems, close } = await harness.open('#step=2');
  try {
    const marks = (selector) =>
      page.evaluate((s) => JSON.parse(document.querySelector(s)?.closest('.hm')?.dataset.marks ?? 'null'), selector);
    // Edit E[3, 5] in the walkthrough (step 2), by its cell editor.
    const c = await cellPoint(page, 'embeddings', 3, 5);
    await page.mouse.click(c.x, c.y);
    let before = await renders(page);
    await page.fill('#wt-edit-value', '2.5');
    await settled(page, before);
    assert.deepEqual(await marks('.wt-fig-embeddings .hm-overlay'), [{ row: 3, col: 5 }]);
    // Then W_Q[2, 7] at step 4.
    before = await renders(page);
    await page.evaluate(() => (location.hash = location.hash.replace('step=2', 'step=4')));
    await settled(page, before);
    const w = await cellPoint(page, 'wq', 2, 7);
    await page.mouse.click(w.x, w.y);
    before = await renders(page);
    await page.fill('#wt-edit-value', '-0.75');
    await settled(page, before);
    assert.deepEqual(await marks('.wt-fig-wq .hm-overlay'), [{ row: 2, col: 7 }]);
    assert.deepEqual(await marks('.wt-fig-q .hm-overlay'), [{ col: 7 }]);
    assert.deepEqual(await marks('.wt-fig-x .hm-overlay'), [{ row: 3, col: 5 }]);
    // Every step at once: X and Q carry the marks, the note names both edits, and X and Q are the
    // edited numbers.
    before = await renders(page);
    await page.evaluate(() => (location.hash = location.hash.replace('step=4', 'step=0')));
    await settled(page, before);
    const overview = await page.evaluate(() => {
      const fig = (name) => window.__ap.figure(name);
      const d = window.__ap.trace.dModel;
      return {
        x: fig('x').data[3 * d + 5],
        traceX: window.__ap.trace.x[3 * d + 5],
        q: fig('q').data,
        traceQ: Array.from({ length: window.__ap.trace.n * d }, (_, k) => {
          const { q, dHead } = window.__ap.trace;
          const [i, c] = [Math.floor(k / d), k % d];
          return q[Math.floor(c / dHead)][i * dHead + (c % dHead)];
        }),
        note: document.querySelector('.ov-edits').textContent,
        noteHidden: document.querySelector('.ov-edits').hidden,
      };
    });
    assert.equal(overview.x, 2.5);
    assert.equal(overview.x, overview.traceX);
    assert.deepEqual(overview.q, overview.traceQ);
    assert.equal(overview.noteHidden, false);
    assert.match(overview.note, /Hand edits \(2\): E\[3, 5\], W_Q\[2, 7\]/);
    const xFig = await page.evaluate(() => JSON.parse(document.querySelector('#pipeline .hm').dataset.marks));
    assert.deepEqual(xFig, [{ row: 3, col: 5 }]);
    // The mark is drawn: the accent triangle in the corner of X's cell (3, 5).
    const corner = await page.evaluate(() => {
      const overlay = document.querySelector('#pipeline .hm .hm-overlay');
      const { box, cell } = window.__ap.figure('x');
      const r = overlay.getBoundingClientRect();
      const dpr = overlay.width / r.width;
      const x = (box.left - r.left + 5 * cell[0] + 1.5) * dpr;
      const y = (box.top - r.top + 3 * cell[1] + 1.5) * dpr;
      return Array.from(overlay.getContext('2d').getImageData(Math.round(x), Math.round(y), 1, 1).data);
    });
    assert.ok(corner[3] > 200 && corner[2] > corner[1], `an accent mark in the corner: ${corner}`);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

// ---- phones: 320 px ------------------------------------------------------------------------

// What a step shows at this width: the document's sideways overflow, every formula box that
// scrolls sideways, and each figure's drawn size with its model's shape.
const phoneView = (page) =>
  page.evaluate(() => {
    const doc = document.documentElement;
    const boxes = [...document.querySelectorAll('.wt-card .wt-formula, .wt-card .nv-result, .wt-card .nv-steps li')];
    return {
      overflow: doc.scrollWidth - doc.clientWidth,
      formulas: boxes
        .filter((b) => b.scrollWidth > b.clientWidth + 1)
        .map((b) => `${b.className}: ${b.scrollWidth} > ${b.clientWidth}`),
      figures: window.__ap.figures().map((name) => {
        const f = window.__ap.figure(name);
        return {
          name,
          shape: `${f.rows}×${f.cols}`,
          width: f.box.width,
          cell: f.cell[0],
          right: f.box.left + f.box.width,
        };
      }),
      width: doc.clientWidth,
    };
  });

test('320 px: every step fits — no sideways scrolling of the page or of a formula, no figure smaller than its partner', async () => {
  const { page, problems, close } = await harness.open('#step=1', { width: 320, height: 800 });
  try {
    for (let k = 1; k <= 12; k++) {
      if (k > 1) {
        const before = await renders(page);
        await page.evaluate((s) => (location.hash = location.hash.replace(/step=\d+/, `step=${s}`)), k);
        await settled(page, before);
      }
      const v = await phoneView(page);
      assert.equal(v.overflow, 0, `step ${k}: the page scrolls sideways by ${v.overflow} px`);
      assert.deepEqual(v.formulas, [], `step ${k}: a formula scrolls sideways`);
      // Partners: figures of one shape in a step are drawn the same width, inside the screen.
      const byShape = new Map();
      for (const f of v.figures) byShape.set(f.shape, [...(byShape.get(f.shape) ?? []), f]);
      for (const [shape, list] of byShape) {
        const widths = list.map((f) => f.width);
        assert.ok(
          Math.max(...widths) - Math.min(...widths) <= 1,
          `step ${k}: the ${shape} figures ${list.map((f) => `${f.name} ${f.width}px`).join(', ')}`,
        );
      }
      for (const f of v.figures) assert.ok(f.right <= v.width, `step ${k}: ${f.name} ends at ${f.right} px`);
      if (k === 8) {
        const [s, p] = ['scores', 'weights'].map((n) => v.figures.find((f) => f.name === n));
        assert.equal(p.cell, s.cell, 'P has the cells of S');
        assert.ok(p.width >= 150, `P is ${p.width} px wide`);
        // Every column label of P is drawn: heatmap.js draws every k-th label, k = ⌈12 / (cell · sin 60°)⌉.
        assert.equal(Math.ceil(12 / (p.cell * Math.sin(Math.PI / 3))), 1, `P's cells (${p.cell} px) keep every label`);
      }
    }
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('320 px embed: the control a step invites the reader to try is in that step, in sight', async () => {
  for (const [step, ids] of [
    [6, ['temperature']],
    [8, ['temperature']],
    [12, ['sentence', 'causal', 'heads']],
  ]) {
    const { page, problems, close } = await harness.open(`#step=${step}&embed=1`, { width: 320, height: 720 });
    try {
      const placed = await page.evaluate(
        (list) =>
          list.map((id) => {
            const input = document.getElementById(id);
            const r = input.getBoundingClientRect();
            return { id, inCard: Boolean(input.closest('.wt-card .wt-try')), top: r.top, height: r.height };
          }),
        ids,
      );
      for (const p of placed) {
        assert.ok(p.inCard, `step ${step}: ${p.id} is in the step`);
        assert.ok(p.height > 0 && p.top + p.height <= 720, `step ${step}: ${p.id} at ${p.top} px, in the first screen`);
      }
      // The control still works from there, and still fits.
      if (ids[0] === 'temperature') {
        const before = await renders(page);
        await page.fill('#temperature', '2');
        await settled(page, before);
        assert.equal(await page.evaluate(() => window.__ap.state.temperature), 2);
        assert.equal(
          await page.evaluate(() => document.getElementById('temperature').closest('.wt-try') !== null),
          true,
        );
      }
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 320);
      // Another step gives the fields back to the controls.
      const before = await renders(page);
      await page.evaluate(() => (location.hash = location.hash.replace(/step=\d+/, 'step=3')));
      await settled(page, before);
      assert.equal(
        await page.evaluate((id) => Boolean(document.getElementById(id).closest('#controls')), ids[0]),
        true,
      );
      assert.equal(await page.locator('.wt-try').isHidden(), true);
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  }
  // Outside an embed nothing moves.
  const { page, close } = await harness.open('#step=8', { width: 320, height: 720 });
  try {
    assert.equal(await page.evaluate(() => Boolean(document.getElementById('temperature').closest('#controls'))), true);
  } finally {
    await close();
  }
});

test("320 px: the examples page's step iframe fits, inside and out", async () => {
  const { page, problems, close } = await harness.open('examples/', { width: 320, height: 800, wait: false });
  try {
    await page.locator('#embed-step').scrollIntoViewIfNeeded();
    const frame = await (await page.locator('#embed-step').elementHandle()).contentFrame();
    await frame.waitForFunction(() => window.__ap && window.__ap.renders > 0 && window.__ap.idle, null, {
      timeout: 15000,
    });
    const outer = await page.evaluate(() => ({
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      right: document.getElementById('embed-step').getBoundingClientRect().right,
    }));
    assert.equal(outer.overflow, 0);
    assert.ok(outer.right <= 320, `the iframe ends at ${outer.right} px`);
    const inner = await frame.evaluate(() => ({
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      step: window.__ap.state.step,
      temperatureInStep: Boolean(document.getElementById('temperature').closest('.wt-card')),
    }));
    assert.deepEqual(inner, { overflow: 0, step: 8, temperatureInStep: true });
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

// ---- keyboard --------------------------------------------------------------------------------

// What has the focus: its id, or the figure it belongs to, or its class; and whether it shows a
// focus ring (an outline, or for a heatmap the outline drawn around its cell by the overlay).
const focused = (page) =>
  page.evaluate(() => {
    const a = document.activeElement;
    if (!a || a === document.body) return { name: 'body', ring: false };
    const fig = a.closest('.wt-fig')?.dataset.fig;
    const style = getComputedStyle(a);
    return {
      name: a.id || (fig ? `fig:${fig}` : '') || `.${[...a.classList].join('.')}` || a.tagName,
      ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1,
    };
  });

// Presses Tab (Shift+Tab with back) until the focus is on `name`; fails after `max` presses.
async function tabTo(page, name, { max = 120, back = false } = {}) {
  for (let k = 0; k < max; k++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    if ((await focused(page)).name === name) return;
  }
  throw new Error(`Tab never reached ${name} (now ${(await focused(page)).name})`);
}

// What the live region should say of cell (r, c) of figure fig: its labels and its value as drawn.
const cellSays = (page, fig, r, c) =>
  page.evaluate(
    ([f, row, col]) => {
      const m = window.__ap.figure(f);
      const k = row * m.cols + col;
      const v = m.data[k];
      const masked = !Number.isFinite(v) || (m.masked && m.masked[k]);
      const tokens = window.__ap.trace.tokens;
      const keys = window.__ap.trace.keyTokens;
      const value = masked ? 'masked' : v === 0 ? '0' : String(Number(v.toPrecision(4)));
      return `row ${row} ${tokens[row]}, column ${col} ${keys[col]}: ${value}`;
    },
    [fig, r, c],
  );

const liveText = (page, fig) =>
  page.evaluate((f) => document.querySelector(`.wt-fig[data-fig="${f}"] .hm-live`)?.textContent ?? null, fig);

test('keyboard only: Tab reaches every control with a visible ring; keys operate them, the walkthrough and its maps; Escape closes dialogs', async () => {
  const { page, problems, close } = await harness.open('#step=0', { width: 1280, height: 900 });
  try {
    // Tab order: every control of the panel, the mode buttons and the overview's maps, each ringed.
    const seen = [];
    const unringed = new Set();
    for (let k = 0; k < 60; k++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      seen.push(f.name);
      // body: past the last control the focus leaves the page for the browser's own UI.
      if (!f.ring && f.name !== 'body') unringed.add(f.name);
    }
    for (const name of [
      'sentence',
      'examples',
      'heads',
      'dmodel',
      'temperature',
      'positional',
      'causal',
      'seed',
      'reseed',
      'copy-link',
      'export-open',
      'embed-open',
      'mode-walk',
      'mode-all',
    ]) {
      assert.ok(seen.includes(name), `Tab reaches ${name} (${seen.join(' ')})`);
    }
    assert.ok(
      seen.some((n) => n.startsWith('.hm-overlay')),
      'the overview maps take the focus',
    );
    assert.deepEqual([...unringed], [], 'every focused control shows a ring');
    assert.ok(
      seen.indexOf('sentence') < seen.indexOf('heads') && seen.indexOf('heads') < seen.indexOf('temperature'),
      'the panel is in reading order',
    );

    // A number field steps with the arrows; a checkbox toggles with Space.
    await page.keyboard.press('Shift+Tab'); // from wherever the loop ended, back to a known place:
    await tabTo(page, 'temperature', { back: true });
    let before = await renders(page);
    await page.keyboard.press('ArrowUp');
    await settled(page, before);
    assert.equal(await page.evaluate(() => window.__ap.state.temperature), 2);
    await tabTo(page, 'causal');
    before = await renders(page);
    await page.keyboard.press('Space');
    await settled(page, before);
    assert.equal(await page.evaluate(() => window.__ap.state.causal), true);

    // The Embed dialog: Enter opens it, Escape closes it, the focus is back on its button.
    await tabTo(page, 'embed-open');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('dialog[open]'));
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('dialog[open]'));
    assert.equal((await focused(page)).name, 'embed-open');

    // The walkthrough: Enter on "Step by step", then → and ← move through the steps.
    await tabTo(page, 'mode-walk');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.__ap.state.step === 1);
    for (let k = 2; k <= 7; k++) {
      await page.keyboard.press('ArrowRight');
      await page.waitForFunction((s) => window.__ap.state.step === s, k);
    }
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction(() => window.__ap.state.step === 6);
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => window.__ap.state.step === 7 && window.__ap.figures().includes('mask'));

    // The mask: focus it, arrows move the cell (announced), Enter paints it, the focus stays.
    await tabTo(page, 'fig:mask');
    assert.equal(await liveText(page, 'mask'), await cellSays(page, 'mask', 0, 0));
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const unpainted = await cellSays(page, 'mask', 2, 0);
    assert.equal(await liveText(page, 'mask'), unpainted);
    before = await renders(page);
    await page.keyboard.press('Enter');
    await settled(page, before);
    assert.deepEqual(await page.evaluate(() => window.__ap.state.painted), [[2, 0]]);
    assert.equal((await focused(page)).name, 'fig:mask', 'the redrawn mask has the focus back');
    const painted = await cellSays(page, 'mask', 2, 0);
    assert.notEqual(painted, unpainted, 'the cell says its new value');
    assert.equal(await liveText(page, 'mask'), painted);
    before = await renders(page);
    await page.keyboard.press('Space');
    await settled(page, before);
    assert.deepEqual(await page.evaluate(() => window.__ap.state.painted), []);

    // Step 8: Enter on a weight picks the neuron view's pair.
    await page.keyboard.press('Escape'); // leave the map's cell; → moves steps again once the map lets go
    await tabTo(page, 'mode-walk', { back: true });
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => window.__ap.state.step === 8 && window.__ap.figures().includes('weights'));
    await tabTo(page, 'fig:weights');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.__ap.state.pair.join() === '2,1');
    assert.equal(await liveText(page, 'weights'), await cellSays(page, 'weights', 2, 1));
    assert.match(await liveText(page, 'weights'), /^row 2 didn't, column 1 animal: 0\.\d+$/);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});
