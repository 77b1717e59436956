// Browser tests of the page in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core). They test what a user sees: canvas pixels read back, the tooltip's text,
// the alert, the URL. The page's test hook, window.__ap (web/page/test-hook.js: state, trace,
// renders, idle, error, figure(name), …), lets a test wait for a computation and compare pixels
// with the numbers drawn.
//
// Run: node --test --test-concurrency=1 tests/browser/   (needs web/lib/wasm built first)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { serveStatic } from '../../scripts/lib/static-server.mjs';
import { WEB, SHOTS, startHarness, settled, renders } from './page-harness.mjs';
import { embedSnippets } from '../../web/page/embed-snippets.js';

const SCREENSHOT = join(SHOTS, 'screenshot.png');
const SCREENSHOT_ZH = join(SHOTS, 'screenshot-zh.png');
const SCREENSHOT_EMBED = join(SHOTS, 'embed-iframe.png');

// The harness serves web/ under a strict policy: everything from our own origin, no inline
// script, no network. If the page (or the worker, or the wasm) needed anything else, the
// browser would block it and log an error.
let harness;
let server;
let browser;
let open;

before(async () => {
  harness = await startHarness();
  ({ server, browser, open } = harness);
  console.log(`# chromium ${browser.version()}, serving ${WEB} at ${server.url}`);
});

after(async () => {
  await harness?.close();
});

// Reads a heatmap's data canvas back: one pixel per cell.
// The overview paints a map only once it is in view (heatmap.js lazy): the map is scrolled into
// view first, as a reader would, and read after the observer has had its frames.
function readMap(page, selector) {
  return page.evaluate(async (sel) => {
    const canvas = document.querySelector(sel);
    canvas.scrollIntoView({ block: 'center' });
    for (let k = 0; k < 3; k++) await new Promise((r) => requestAnimationFrame(r));
    const { width, height } = canvas;
    const px = canvas.getContext('2d').getImageData(0, 0, width, height).data;
    return { cols: width, rows: height, px: Array.from(px) };
  }, selector);
}

const pixel = (map, i, j) => map.px.slice(4 * (i * map.cols + j), 4 * (i * map.cols + j) + 3);
const luminance = ([r, g, b]) => 0.2126 * r + 0.7152 * g + 0.0722 * b;

test('the page opens on the example sentence, computed and drawn, with no console error', async () => {
  const { page, problems, close } = await open();
  try {
    const tokens = await page.locator('.token-text').allTextContents();
    assert.deepEqual(tokens, [
      'The',
      'animal',
      "didn't",
      'cross',
      'the',
      'street',
      'because',
      'it',
      'was',
      'too',
      'tired',
    ]);
    assert.match(await page.locator('.notice').textContent(), /random and untrained/);
    const trace = await page.evaluate(() => ({ n: __ap.trace.n, heads: __ap.trace.heads, dModel: __ap.trace.dModel }));
    assert.deepEqual(trace, { n: 11, heads: 4, dModel: 64 });
    // Every step shows its shape.
    const shapes = await page.locator('#pipeline .step-head .shape').allTextContents();
    assert.deepEqual(shapes.slice(0, 4), ['n = 11', 'X = 11 × 64', '11 × 64 → 4 × (11 × 16)', '4 × (11 × 11)']);
    assert.ok(shapes.includes('Y = 11 × 64'));
    // Build info in the footer says whether SIMD is on.
    assert.match(await page.locator('#build-info').textContent(), /SIMD (on|off)/);
    console.log(`# ${await page.locator('#build-info').textContent()}`);
    assert.equal(await page.locator('.thumb').count(), 4);
    assert.equal(await page.locator('#alert').isVisible(), false);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test("the weights heatmap's pixels follow the weights", async () => {
  const { page, problems, close } = await open();
  try {
    const { weights, n, max } = await page.evaluate(() => {
      const w = __ap.trace.weights[0];
      let m = 0;
      for (const a of __ap.trace.weights) for (const v of a) m = Math.max(m, v);
      return { weights: Array.from(w), n: __ap.trace.n, max: m };
    });
    const map = await readMap(page, '.figure-weights .hm-data');
    assert.equal(map.cols, n);
    assert.equal(map.rows, n);
    // Brighter where the weight is larger: in every row, the largest weight's cell is brighter
    // than the smallest's, and across the map luminance rises with the weight.
    for (let i = 0; i < n; i++) {
      const row = weights.slice(i * n, (i + 1) * n);
      const hi = row.indexOf(Math.max(...row));
      const lo = row.indexOf(Math.min(...row));
      if (row[hi] - row[lo] < 0.02 * max) continue;
      assert.ok(
        luminance(pixel(map, i, hi)) > luminance(pixel(map, i, lo)),
        `row ${i}: weight ${row[hi]} at ${hi} should be brighter than ${row[lo]} at ${lo}`,
      );
    }
    const cells = weights.map((w, k) => ({ w, l: luminance(pixel(map, Math.floor(k / n), k % n)) }));
    cells.sort((a, b) => a.w - b.w);
    let inversions = 0;
    for (let k = 1; k < cells.length; k++) if (cells[k].l + 1 < cells[k - 1].l) inversions++;
    assert.ok(inversions <= cells.length * 0.02, `${inversions} cells darker than a smaller weight`);
    // Exact colours: each cell is the viridis entry for its weight on [0, max].
    const expected = await page.evaluate(
      async ({ weights, max }) => {
        const { colormaps, colorOf } = await import('./draw/colormap.js');
        return weights.map((w) => colorOf(colormaps.viridis, w, 0, max));
      },
      { weights, max },
    );
    for (let k = 0; k < weights.length; k++) {
      assert.deepEqual(pixel(map, Math.floor(k / n), k % n), expected[k], `cell ${k}`);
    }
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('clicking a head thumbnail focuses it, and the state is in the URL', async () => {
  const { page, problems, close } = await open();
  try {
    await page.locator('.thumb').nth(2).click();
    assert.equal(await page.locator('#pipeline .step-title').nth(4).textContent(), 'Head 2');
    assert.match(await page.evaluate(() => location.hash), /f=2/);
    const { weights, n } = await page.evaluate(() => ({ weights: Array.from(__ap.trace.weights[2]), n: __ap.trace.n }));
    const map = await readMap(page, '.figure-weights .hm-data');
    const row0 = weights.slice(0, n);
    const hi = row0.indexOf(Math.max(...row0));
    const lo = row0.indexOf(Math.min(...row0));
    assert.ok(luminance(pixel(map, 0, hi)) > luminance(pixel(map, 0, lo)));
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('hovering a weight shows its exact value and how it was computed', async () => {
  const { page, problems, close } = await open();
  try {
    const [i, j] = [7, 1]; // "it" attending to "animal"
    await page.locator('.figure-weights').scrollIntoViewIfNeeded();
    const box = await page.locator('.figure-weights .hm-data').boundingBox();
    const n = await page.evaluate(() => __ap.trace.n);
    await page.mouse.move(box.x + (j + 0.5) * (box.width / n), box.y + (i + 0.5) * (box.height / n));
    const tooltip = page.locator('.tooltip');
    await tooltip.waitFor({ state: 'visible' });
    const text = await tooltip.textContent();
    const expected = await page.evaluate(
      async ({ i, j }) => {
        const { formatNumber } = await import('./page/i18n/i18n.js');
        const n = __ap.trace.n;
        return {
          value: formatNumber(__ap.trace.weights[0][i * n + j], 6),
          score: formatNumber(__ap.trace.scores[0][i * n + j]),
        };
      },
      { i, j },
    );
    assert.ok(text.includes(`weights_0[${i}, ${j}] = ${expected.value}`), text);
    assert.ok(text.includes('“it”') && text.includes('“animal”'), text);
    assert.ok(text.includes(`score = ${expected.score}`), text);
    assert.match(text, /q_7·k_1 = /);
    assert.match(text, /row max m = /);
    assert.match(text, /Σ exp\(score − m\) = /);
    // The hovered query and key tokens are highlighted.
    assert.equal(await page.locator('.token.is-query .token-text').textContent(), 'it');
    assert.equal(await page.locator('.token.is-key .token-text').textContent(), 'animal');
    // Hovering Q shows the token and the head of the column.
    await page.locator('.figure-host').nth(1).scrollIntoViewIfNeeded();
    const q = await page.locator('.figure-host').nth(1).locator('.hm-data').boundingBox();
    await page.mouse.move(q.x + q.width * (20.5 / 64), q.y + q.height * (3.5 / 11));
    assert.match(await tooltip.textContent(), /Q\[3, 20\] = .*row 3: “cross”.*head 1, dim 4/);
    await page.mouse.move(0, 0);
    await tooltip.waitFor({ state: 'hidden' });
    // The same from the keyboard: focus the map, arrow to the cell.
    await page.locator('.figure-weights .hm-overlay').focus();
    await tooltip.waitFor({ state: 'visible' });
    for (let k = 0; k < i; k++) await page.keyboard.press('ArrowDown');
    for (let k = 0; k < j; k++) await page.keyboard.press('ArrowRight');
    assert.ok((await tooltip.textContent()).includes(`weights_0[${i}, ${j}] = ${expected.value}`));
    await page.keyboard.press('Escape');
    await tooltip.waitFor({ state: 'hidden' });
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('toggling causal blanks the upper triangle in the masked colour, and back', async () => {
  const { page, problems, close } = await open();
  try {
    const masked = await page.evaluate(async () => (await import('./draw/colormap.js')).MASKED_RGBA.slice(0, 3));
    const count = async (selector) => {
      const map = await readMap(page, selector);
      let upper = 0;
      let lower = 0;
      for (let i = 0; i < map.rows; i++) {
        for (let j = 0; j < map.cols; j++) {
          const isMasked = pixel(map, i, j).every((c, k) => c === masked[k]);
          if (j > i && isMasked) upper++;
          if (j <= i && isMasked) lower++;
        }
      }
      return { upper, lower, total: (map.rows * (map.rows - 1)) / 2 };
    };

    let r = await renders(page);
    await page.locator('#causal').check();
    r = await settled(page, r);
    assert.equal(await page.evaluate(() => __ap.trace.causal), true);
    for (const sel of ['.figure-weights .hm-data', '.figure-scores .hm-data', '.thumb .hm-data']) {
      const c = await count(sel);
      assert.equal(c.upper, c.total, `${sel}: every cell above the diagonal is masked`);
      assert.equal(c.lower, 0, `${sel}: no cell on or below the diagonal is masked`);
    }
    // The first query sees only itself: weight 1, the brightest colour on the scale.
    assert.equal(await page.evaluate(() => __ap.trace.weights[0][0]), 1);
    assert.match(await page.evaluate(() => location.hash), /c=1/);
    assert.equal(await page.locator('.figure-weights .hm-legend-masked').isVisible(), true);

    await page.locator('#causal').uncheck();
    await settled(page, r);
    const c = await count('.figure-weights .hm-data');
    assert.equal(c.upper + c.lower, 0);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('invalid control values show a clear message and keep the last drawing', async () => {
  const { page, problems, close } = await open();
  try {
    const alert = page.locator('#alert');
    const valid = async (setup) => {
      const r = await renders(page);
      if (await setup()) await settled(page, r);
    };
    // [a valid setup (returns true if it changed anything), one invalid edit, the message]
    const cases = [
      [async () => false, () => page.fill('#dmodel', '30'), /d_model 30 is not divisible by 4 heads/],
      [() => page.fill('#dmodel', '64').then(() => true), () => page.fill('#sentence', '   '), /Type a sentence/],
      [
        () => page.fill('#sentence', 'a b').then(() => true),
        () => page.fill('#sentence', Array.from({ length: 65 }, (_, k) => `w${k}`).join(' ')),
        /65 tokens.*at most 64/,
      ],
      [
        async () => {
          await page.fill('#sentence', 'a b c');
          await page.fill('#heads', '8');
          await page.fill('#dmodel', '24');
          return true;
        },
        () => page.selectOption('#positional', 'rope'),
        /d_head must be even.*d_head 3/,
      ],
      [
        () => page.selectOption('#positional', 'none').then(() => true),
        () => page.fill('#heads', '0'),
        /Heads must be a whole number/,
      ],
      [
        () => page.fill('#heads', '4').then(() => true),
        () => page.fill('#temperature', '0'),
        /Temperature must be a positive/,
      ],
    ];
    for (const [setup, invalid, message] of cases) {
      await valid(setup);
      assert.equal(await alert.isVisible(), false);
      const before = await readMap(page, '.figure-weights .hm-data');
      const rendersBefore = await renders(page);
      await invalid();
      await page.waitForFunction(() => window.__ap.error !== null);
      assert.equal(await alert.isVisible(), true);
      assert.equal(await alert.getAttribute('role'), 'alert');
      assert.match(await alert.textContent(), message);
      // The last good drawing stays on the page, dimmed, and nothing is redrawn.
      await page.waitForTimeout(100);
      assert.equal(await page.locator('#pipeline.is-stale').count(), 1);
      assert.equal(await renders(page), rendersBefore, `${message}: nothing redrawn`);
      assert.deepEqual((await readMap(page, '.figure-weights .hm-data')).px, before.px);
    }

    // Back to valid: the message goes away and the page draws again.
    const r = await renders(page);
    await page.fill('#temperature', '1');
    await settled(page, r);
    assert.equal(await alert.isVisible(), false);
    assert.equal(await page.evaluate(() => __ap.trace.n), 3);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('every positional encoding, with and without the mask, computes and draws', async () => {
  const { page, problems, close } = await open();
  try {
    for (const positional of ['none', 'sinusoidal', 'rope', 'alibi']) {
      for (const causal of [false, true]) {
        const r = await renders(page);
        const before = await page.evaluate(() => ({ p: __ap.state.positional, c: __ap.state.causal }));
        await page.selectOption('#positional', positional);
        await page.setChecked('#causal', causal);
        if (before.p !== positional || before.c !== causal) await settled(page, r);
        const drawn = await page.evaluate(() => ({
          p: __ap.trace.positional,
          c: __ap.trace.causal,
          error: __ap.error,
        }));
        assert.deepEqual(drawn, { p: positional, c: causal, error: null });
        const sums = await page.evaluate(() => {
          const { n, weights } = __ap.trace;
          return weights.map((w) =>
            Array.from({ length: n }, (_, i) => w.slice(i * n, (i + 1) * n).reduce((a, b) => a + b, 0)),
          );
        });
        for (const row of sums.flat())
          assert.ok(Math.abs(row - 1) < 1e-5, `${positional}/${causal}: a row sums to ${row}`);
      }
    }
    // The scores title names what was added: ALiBi's bias B_h and the mask M.
    assert.match(await page.locator('.figure-scores .figure-name').textContent(), /\+ B_0 \+ M\)?$/);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('a link with invalid settings opens on the message, then draws once fixed', async () => {
  const { page, problems, close } = await open('#d=30', { wait: false });
  try {
    const alert = page.locator('#alert');
    await alert.waitFor({ state: 'visible' });
    assert.match(await alert.textContent(), /d_model 30 is not divisible by 4 heads/);
    assert.equal(await page.locator('#pipeline').isVisible(), false, 'no empty step cards');
    assert.equal(await page.getAttribute('#dmodel', 'aria-invalid'), '');
    await page.fill('#dmodel', '32');
    await settled(page, 0);
    assert.equal(await alert.isVisible(), false);
    assert.equal(await page.locator('#pipeline').isVisible(), true);
    assert.equal(await page.getAttribute('#dmodel', 'aria-invalid'), null);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('dragging a slider recomputes live and the newest value wins', async () => {
  const { page, problems, close } = await open();
  try {
    const r = await renders(page);
    // Fire a burst of input events, as a drag does, without waiting in between.
    await page.evaluate(() => {
      const range = document.getElementById('dmodel-range');
      for (let d = 8; d <= 256; d += 8) {
        // 32 values
        range.value = String(d);
        range.dispatchEvent(new Event('input', { bubbles: true }));
      }
    });
    await settled(page, r);
    const drawn = await page.evaluate(() => ({
      dModel: __ap.trace.dModel,
      renders: __ap.renders,
      field: document.getElementById('dmodel').value,
    }));
    assert.equal(drawn.dModel, 256);
    assert.equal(drawn.field, '256');
    assert.ok(drawn.renders - r < 32, `stale requests were dropped (${drawn.renders - r} of 32 drawn)`);
    assert.equal((await readMap(page, '.figure-host .hm-data')).cols, 256);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('picking an example sentence recomputes with its tokens', async () => {
  const { page, problems, close } = await open();
  try {
    const r = await renders(page);
    await page.selectOption('#examples', { index: 2 });
    await settled(page, r);
    const sentence = await page.inputValue('#sentence');
    assert.match(sentence, /trophy/);
    assert.equal(await page.inputValue('#examples'), '');
    const tokens = await page.locator('.token-text').allTextContents();
    assert.deepEqual(tokens.slice(0, 4), ['The', 'trophy', "didn't", 'fit']);
    assert.equal(await page.evaluate(() => __ap.trace.n), tokens.length);
    assert.match(decodeURIComponent(await page.evaluate(() => location.hash)), /trophy/);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('state is read from the URL hash, and user text is inserted as text', async () => {
  const hostile = '<img src=x onerror="window.__pwned=1"> & <b>bold</b>';
  const hash =
    '#' + new URLSearchParams({ s: hostile, h: '2', d: '32', t: '0.5', c: '1', p: 'rope', seed: '7', f: '1' });
  const { page, problems, close } = await open(hash);
  try {
    const state = await page.evaluate(() => ({ ...__ap.state }));
    assert.deepEqual(
      {
        h: state.heads,
        d: state.dModel,
        t: state.temperature,
        c: state.causal,
        p: state.positional,
        seed: state.seed,
        f: state.focus,
      },
      { h: 2, d: 32, t: 0.5, c: true, p: 'rope', seed: 7, f: 1 },
    );
    assert.equal(await page.inputValue('#positional'), 'rope');
    assert.equal(await page.isChecked('#causal'), true);
    assert.equal(await page.inputValue('#sentence'), hostile);
    assert.equal(await page.locator('#pipeline .step-title').nth(4).textContent(), 'Head 1');
    assert.equal(await page.locator('#pipeline img, #pipeline b').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.ok((await page.locator('.token-text').allTextContents()).includes('img'));
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('a new hash (a pasted link, Back) replaces the state: the controls, the view and teacher mode follow', async () => {
  const { page, problems, close } = await open();
  try {
    let r = await renders(page);
    await page.evaluate(() => {
      location.hash = '#s=a+b+c&h=2&d=16&c=1&step=8&hide=seed';
    });
    await settled(page, r);
    const state = await page.evaluate(() => ({ ...__ap.state }));
    assert.deepEqual(
      [state.sentence, state.heads, state.dModel, state.causal, state.step, state.hide],
      ['a b c', 2, 16, true, 8, ['seed']],
    );
    assert.deepEqual(await page.evaluate(() => __ap.trace.tokens), ['a', 'b', 'c']);
    assert.equal(await page.inputValue('#heads'), '2');
    assert.equal(await page.inputValue('#sentence'), 'a b c');
    assert.equal(await page.isChecked('#causal'), true);
    assert.equal(await page.locator('#seed').isVisible(), false, 'hide=seed applies');
    assert.equal(await page.locator('#walkthrough').isVisible(), true);
    // The address bar holds the whole state, as every update writes it.
    const hash = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
    assert.deepEqual([hash.get('s'), hash.get('h'), hash.get('seed'), hash.get('step')], ['a b c', '2', '42', '8']);
    // A step is a view of the same trace: drawn again, not computed again.
    r = await renders(page);
    await page.click('#mode-all');
    await page.waitForTimeout(200);
    assert.equal(await renders(page), r);
    assert.equal(await page.locator('#pipeline').isVisible(), true);
    assert.ok((await page.evaluate(() => __ap.figures())).includes('thumb.1'));
    assert.match(await page.evaluate(() => location.hash), /&step=0&/);
    assert.deepEqual(problems, []);
    // Another language reloads the page in it.
    await page.evaluate(() => {
      location.hash = '#lang=zh&h=1';
    });
    await page.waitForFunction(() => document.documentElement.lang === 'zh' && window.__ap?.renders > 0);
    assert.equal(await page.evaluate(() => __ap.state.heads), 1);
  } finally {
    await close();
  }
});

test('the temperature slider: T from 0.01 to 100, 100 steps per factor of ten', async () => {
  const { page, problems, close } = await open();
  try {
    const slider = page.locator('#temperature-range');
    assert.deepEqual([await slider.getAttribute('min'), await slider.getAttribute('max')], ['-200', '200']);
    assert.equal(await slider.inputValue(), '0');
    for (const [u, T] of [
      ['100', '10'],
      ['-200', '0.01'],
      ['1', '1.02'],
      ['200', '100'],
    ]) {
      const r = await renders(page);
      await page.evaluate((v) => {
        const range = document.getElementById('temperature-range');
        range.value = v;
        range.dispatchEvent(new Event('input', { bubbles: true }));
      }, u);
      await settled(page, r);
      assert.equal(await page.inputValue('#temperature'), T);
      assert.equal(await page.evaluate(() => __ap.trace.temperature), Number(T));
    }
    // Typing a temperature moves the slider to it.
    const r = await renders(page);
    await page.fill('#temperature', '0.5');
    await settled(page, r);
    assert.equal(await slider.inputValue(), '-30');
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('canvases are sharp on a high-density screen', async () => {
  const { page, problems, close } = await open('', { dpr: 2 });
  try {
    const sizes = await page.evaluate(() => {
      const overlay = document.querySelector('.figure-weights .hm-overlay');
      const rect = overlay.getBoundingClientRect();
      return { w: overlay.width, h: overlay.height, cssW: rect.width, cssH: rect.height };
    });
    assert.equal(sizes.w, Math.round(sizes.cssW * 2));
    assert.equal(sizes.h, Math.round(sizes.cssH * 2));
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('the heatmap draws one pixel per cell and rejects wrong shapes', async () => {
  const { page, problems, close } = await open();
  try {
    const result = await page.evaluate(async () => {
      const { Heatmap } = await import('./draw/heatmap.js');
      const host = document.createElement('div');
      document.body.appendChild(host);
      const map = new Heatmap(host, { colormap: 'diverging' });
      const data = new Float32Array([-1, 0, 1, -Infinity, 0.5, 2]);
      map.update({ rows: 2, cols: 3, data, range: [-2, 2], rowLabels: ['a', 'b'], colLabels: ['x', 'y', 'z'] });
      const canvas = host.querySelector('.hm-data');
      const errors = [];
      for (const bad of [
        { rows: 2, cols: 2, data, range: [-2, 2] },
        { rows: 2, cols: 3, data, range: [2, -2] },
        { rows: 2, cols: 3, data, range: [-2, 2], rowLabels: ['a'] },
        { rows: 0, cols: 3, data: new Float32Array(0), range: [-2, 2] },
        { rows: 2, cols: 3, data, range: [-2, 2], masked: new Uint8Array(5) },
        { rows: 2, cols: 3, data, range: [-2, 2], mask: new Uint8Array(6) }, // 'mask' means "may attend"
      ]) {
        try {
          map.update(bad);
          errors.push(null);
        } catch (e) {
          errors.push(e.message);
        }
      }
      const px = canvas.getContext('2d').getImageData(0, 0, 3, 2).data;
      host.remove();
      return { width: canvas.width, height: canvas.height, errors, masked: Array.from(px.slice(12, 15)) };
    });
    assert.equal(result.width, 3);
    assert.equal(result.height, 2);
    for (const message of result.errors) assert.match(String(message), /^Heatmap: /);
    assert.deepEqual(result.masked, [204, 204, 204]);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('a core that cannot load gives a clear message, not a blank page', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    await context.route(/attention_core.*\.wasm$/, (route) => route.fulfill({ status: 404, body: 'not found' }));
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(server.url);
    const alert = page.locator('#alert');
    await alert.waitFor({ state: 'visible', timeout: 15000 });
    assert.match(await alert.textContent(), /Could not load the WebAssembly core/);
    assert.match(await page.locator('h1').textContent(), /Attention Playground/);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test('screenshot for the README', async () => {
  const { page, problems, close } = await open('', { width: 1280, height: 900 });
  try {
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    // Let pending layout work (the resize observer's relayout) finish first.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    // The timing line changes on every run; mask it (white on the white panel) so the
    // committed image only changes when the page does.
    await page.screenshot({ path: SCREENSHOT, fullPage: true, mask: [page.locator('#status')], maskColor: '#ffffff' });
    console.log(`# screenshot saved to ${SCREENSHOT}`);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('Embed: the dialog shows the snippets for the current state, copies them, and closes on Escape', async () => {
  const { page, problems, close } = await open('#s=Embed+me+%3Cb%3E&h=2&d=16&c=1&f=1&step=5&seed=9');
  try {
    await page
      .context()
      .grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url.replace(/\/$/, '') });
    await page.locator('#embed-open').click();
    const dialog = page.locator('#embed-dialog');
    await dialog.waitFor({ state: 'visible' });
    assert.equal(await dialog.evaluate((d) => d.open && d.matches(':modal')), true);
    assert.equal(
      await page.evaluate(() => document.getElementById('embed-dialog').contains(document.activeElement)),
      true,
      'focus moves into the dialog',
    );
    const state = await page.evaluate(() => ({ ...__ap.state }));
    const expected = embedSnippets(state, { baseUrl: page.url().replace(/#.*$/, '') });
    assert.equal(await page.inputValue('#snippet-iframe'), expected.iframe);
    assert.equal(await page.inputValue('#snippet-element'), expected.element);
    assert.match(expected.iframe, /embed=1/);
    assert.match(expected.element, /sentence="Embed me &lt;b&gt;"/);

    // Copy: the clipboard holds the snippet, the button says so, the live region announces it.
    const copyIframe = page.locator('#embed-dialog .copy[data-copy="snippet-iframe"]');
    await copyIframe.click();
    await page.waitForFunction(() => document.getElementById('embed-live').textContent !== '');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), expected.iframe);
    assert.equal(await copyIframe.textContent(), 'Copied');
    assert.equal(await page.locator('#embed-live').textContent(), 'iframe copied to the clipboard');
    assert.equal(await page.locator('#embed-live').getAttribute('aria-live'), 'polite');

    // Without a clipboard, the text is selected for Ctrl+C instead.
    await page.evaluate(() => Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true }));
    await page.locator('#embed-dialog .copy[data-copy="snippet-element"]').click();
    await page.waitForFunction(() => /Ctrl\+C/.test(document.getElementById('embed-live').textContent));
    const selection = await page.evaluate(() => {
      const box = document.activeElement;
      return { id: box.id, start: box.selectionStart, end: box.selectionEnd, length: box.value.length };
    });
    assert.deepEqual(selection, { id: 'snippet-element', start: 0, end: selection.length, length: selection.length });

    // Escape closes it and gives the focus back to the Embed button; the keyboard reopens it.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'embed-open');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.deepEqual(problems, []);

    // The iframe snippet, pasted into a page, opens the same state compactly, the view at the top.
    const host = await browser.newContext({ viewport: { width: 800, height: 700 } });
    let hostServer;
    try {
      const hostPage = await host.newPage();
      const hostProblems = [];
      hostPage.on('pageerror', (e) => hostProblems.push(e.message));
      hostPage.on('console', (m) => {
        if (m.type() === 'error') hostProblems.push(m.text());
      });
      // A host page on another origin (another port).
      const dir = mkdtempSync(join(tmpdir(), 'ap-host-'));
      writeFileSync(
        join(dir, 'index.html'),
        `<!doctype html><html><head><meta charset="utf-8"><title>host</title><link rel="icon" href="data:,"></head><body style="margin:0">${expected.iframe}</body></html>`,
      );
      hostServer = await serveStatic({ root: dir, port: 0 });
      assert.notEqual(hostServer.url, server.url);
      await hostPage.goto(hostServer.url);
      const frame = await (await hostPage.locator('iframe').elementHandle()).contentFrame();
      await frame.waitForFunction(() => window.__ap && window.__ap.idle && window.__ap.renders > 0, null, {
        timeout: 15000,
      });
      const shown = await frame.evaluate(() => ({ ...__ap.state }));
      assert.deepEqual(shown, { ...state, embed: true });
      const [mine, theirs] = await Promise.all(
        [page, frame].map((p) => p.evaluate(() => Array.from(__ap.trace.weights[1]))),
      );
      assert.deepEqual(theirs, mine, 'the same weights');
      const layout = await frame.evaluate(() => ({
        embed: document.body.classList.contains('is-embed'),
        masthead: getComputedStyle(document.querySelector('.masthead')).display,
        footer: getComputedStyle(document.querySelector('.footer')).display,
        viewTop: document.querySelector('.main-col').getBoundingClientRect().top,
        cardTop: document.querySelector('.wt-card').getBoundingClientRect().top,
        controlsTop: document.querySelector('.controls').getBoundingClientRect().top,
        scrollY: window.scrollY,
        open: document.getElementById('open-full').href,
        wide: document.documentElement.scrollWidth - innerWidth,
      }));
      assert.equal(layout.embed, true);
      assert.equal(layout.masthead, 'none');
      assert.equal(layout.footer, 'none');
      assert.equal(layout.scrollY, 0);
      assert.ok(layout.viewTop < 20, `the view starts at ${layout.viewTop} px`);
      assert.ok(layout.cardTop < 200, `the step's card starts at ${layout.cardTop} px`);
      assert.ok(layout.controlsTop > layout.viewTop, 'the controls come after the view');
      assert.ok(layout.wide <= 0, 'no sideways scroll');
      assert.equal(layout.open, expected.url, 'the link out opens the full page');
      await hostPage.locator('iframe').screenshot({ path: SCREENSHOT_EMBED });
      // Copy link, inside the frame, copies the full page's link (the snippet allows clipboard-write).
      await frame.locator('#copy-link').click();
      await frame.waitForFunction(() => window.__ap.copied !== undefined, null, { timeout: 5000 });
      assert.equal(await frame.evaluate(() => window.__ap.copied), expected.url);
      assert.deepEqual(hostProblems, []);
    } finally {
      await host.close();
      await hostServer?.close();
    }
  } finally {
    await close();
  }
});

test('Share: a link copied after changing the controls opens the identical state, drawn pixel for pixel', async () => {
  const { page, problems, close } = await open();
  try {
    await page
      .context()
      .grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url.replace(/\/$/, '') });
    // Change the state the way a reader does: typing, the number fields, the switches, a head.
    await page.fill('#sentence', 'Colourless green ideas <i>sleep</i> furiously 🌙 مرحبا');
    await page.fill('#heads', '2');
    await page.fill('#dmodel', '32');
    await page.fill('#temperature', '0.7');
    await page.fill('#seed', '7');
    await page.selectOption('#positional', 'rope');
    await page.setChecked('#causal', true);
    await page.setChecked('#independent', true);
    await page.waitForFunction(
      () => __ap.idle && __ap.trace?.heads === 2 && __ap.trace.dModel === 32 && __ap.trace.causal,
      null,
      { timeout: 15000 },
    );
    const tokens = await page.locator('.token-text').allTextContents();
    assert.deepEqual(tokens.slice(-3), ['furiously', '🌙', 'مرحبا']);
    await page.locator('.thumb').nth(1).click();
    await page.waitForFunction(() => __ap.state.focus === 1 && __ap.idle);
    await page.locator('#mode-walk').click();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => __ap.state.step === 3 && __ap.idle);

    await page.locator('#copy-link').click();
    await page.waitForFunction(() => window.__ap.copied !== undefined, null, { timeout: 5000 });
    const link = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(link, await page.evaluate(() => __ap.copied));
    assert.ok(link.startsWith(server.url), link);
    assert.doesNotMatch(link, /embed=1/);

    // The link in a new browser context: the same state, the same numbers, the same pixels.
    const copy = await open(link.slice(link.indexOf('#')));
    try {
      const snapshot = (p) =>
        p.evaluate(() => ({
          state: { ...__ap.state },
          tokens: [...document.querySelectorAll('.token-text')]
            .filter((e) => e.checkVisibility())
            .map((e) => e.textContent),
          weights: __ap.trace.weights.map((w) => Array.from(w)),
          output: Array.from(__ap.trace.output),
          canvases: [...document.querySelectorAll('canvas.hm-data')]
            .filter((c) => c.checkVisibility())
            .map((c) => {
              if (!c.width || !c.height) return [0, 0, ''];
              const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              let h = 0;
              for (let k = 0; k < px.length; k++) h = (Math.imul(h, 31) + px[k]) | 0;
              return [c.width, c.height, h];
            }),
        }));
      const [mine, theirs] = await Promise.all([snapshot(page), snapshot(copy.page)]);
      assert.deepEqual(theirs.state, mine.state);
      assert.equal(mine.state.step, 3);
      assert.equal(mine.state.focus, 1);
      assert.equal(mine.state.sentence, 'Colourless green ideas <i>sleep</i> furiously 🌙 مرحبا');
      assert.deepEqual(theirs.tokens, mine.tokens);
      assert.deepEqual(theirs.weights, mine.weights);
      assert.deepEqual(theirs.output, mine.output);
      assert.ok(mine.canvases.length > 0);
      assert.deepEqual(theirs.canvases, mine.canvases, 'every heatmap drawn the same');
      assert.equal(await copy.page.locator('i').count(), 0, 'the sentence stays text');
      assert.deepEqual(copy.problems, []);
    } finally {
      await copy.close();
    }
    // A refused clipboard says where the link is instead of doing nothing.
    await page.evaluate(() => {
      navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
    });
    await page.locator('#copy-link').click();
    await page.waitForFunction(() => /address bar/.test(document.getElementById('status').textContent));
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('on a short wide window the actions (Copy link, Export, Embed) are in view at load', async () => {
  const { page, problems, close } = await open('', { width: 1280, height: 720 });
  try {
    const boxes = await page.evaluate(() =>
      ['copy-link', 'export-open', 'embed-open', 'status'].map((id) => {
        const r = document.getElementById(id).getBoundingClientRect();
        return { id, top: r.top, bottom: r.bottom, height: r.height };
      }),
    );
    for (const b of boxes)
      assert.ok(b.height > 0 && b.top >= 0 && b.bottom <= 720, `${b.id} at ${b.top}–${b.bottom} px`);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('teacher mode: hide= removes controls, lock= disables them, in the panel and the walkthrough', async () => {
  const { page, problems, close } = await open(
    '#step=7&hide=seed,d-model,cross,embed,export&lock=causal,temperature,view',
  );
  try {
    const visible = async (sel) => page.locator(sel).isVisible();
    for (const sel of ['#seed', '#reseed', '#dmodel', '#cross', '#embed-open', '#export-open'])
      assert.equal(await visible(sel), false, `${sel} hidden`);
    for (const sel of ['#heads', '#sentence', '#positional', '#copy-link']) {
      assert.equal(await visible(sel), true, `${sel} shown`);
      assert.equal(await page.locator(sel).isDisabled(), false, `${sel} enabled`);
    }
    for (const sel of ['#causal', '#temperature', '#temperature-range', '#mode-walk', '#mode-all']) {
      assert.equal(await page.locator(sel).isDisabled(), true, `${sel} locked`);
    }
    // The walkthrough's own controls follow: the mask kind (causal) and the step navigation (view).
    const mask = page.locator('#walkthrough [data-mask]');
    assert.equal(await mask.count(), 2);
    for (let k = 0; k < 2; k++) assert.equal(await mask.nth(k).isDisabled(), true);
    assert.equal(await page.locator('#walkthrough .wt-top button:not([disabled])').count(), 0);
    await page.locator('#heads').focus();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('ArrowRight');
    await page.waitForTimeout(100);
    assert.equal(await page.evaluate(() => __ap.state.step), 7, 'the arrow keys do not leave a locked step');
    // An unlocked control still works, and the hash keeps the teacher's fields.
    const r = await renders(page);
    await page.fill('#heads', '2');
    await settled(page, r);
    const hash = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
    assert.equal(hash.get('hide'), 'seed,d-model,cross,embed,export');
    assert.equal(hash.get('lock'), 'causal,temperature,view');
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
  // hide=all: only the view is left.
  const all = await open('#hide=all&embed=1');
  try {
    assert.equal(await all.page.locator('.controls').isVisible(), false);
    assert.equal(await all.page.locator('.modes').isVisible(), false);
    assert.equal(await all.page.locator('#pipeline').isVisible(), true);
    assert.deepEqual(all.problems, []);
  } finally {
    await all.close();
  }
  // lock=head: the head thumbnails are pictures, not buttons; a click focuses nothing.
  const head = await open('#f=2&lock=head');
  try {
    const thumbs = head.page.locator('.thumb');
    assert.equal(await thumbs.count(), 4);
    for (let h = 0; h < 4; h++) assert.equal(await thumbs.nth(h).getAttribute('aria-disabled'), 'true');
    assert.equal(await thumbs.nth(0).evaluate((e) => getComputedStyle(e).cursor), 'default');
    await thumbs.nth(0).click({ force: true });
    await head.page.waitForTimeout(100);
    assert.equal(await head.page.evaluate(() => __ap.state.focus), 2);
    assert.deepEqual(head.problems, []);
  } finally {
    await head.close();
  }
});

test('lang=zh (or a Chinese browser) shows the page in Chinese; English loads no Chinese catalogue', async () => {
  const { page, problems, close } = await open('#lang=zh&step=8', { width: 1280, height: 900 });
  try {
    assert.equal(await page.getAttribute('html', 'lang'), 'zh');
    assert.equal(await page.locator('h1').textContent(), '注意力游乐场');
    assert.equal(await page.title(), '注意力游乐场');
    assert.equal(await page.locator('label[for="sentence"]').textContent(), '句子');
    assert.equal(await page.locator('#mode-walk').textContent(), '分步讲解');
    assert.equal(await page.locator('.wt-counter').textContent(), '第 8 步，共 12 步');
    assert.equal(await page.inputValue('#lang'), 'zh');
    // Nothing overflows sideways, and CJK text is drawn with a CJK font (not boxes): a Chinese
    // glyph is wider than a Latin letter.
    const layout = await page.evaluate(() => {
      const c = document.createElement('canvas').getContext('2d');
      c.font = getComputedStyle(document.querySelector('h1')).font;
      return {
        wide: document.documentElement.scrollWidth - innerWidth,
        han: c.measureText('注').width,
        latin: c.measureText('i').width,
      };
    });
    assert.ok(layout.wide <= 0, `the page scrolls sideways by ${layout.wide} px`);
    assert.ok(layout.han > 1.5 * layout.latin, JSON.stringify(layout));
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    await page.screenshot({ path: SCREENSHOT_ZH, mask: [page.locator('#status')], maskColor: '#ffffff' });
    // Switching back to English reloads the page in English and writes lang=en in the hash
    // (the reload may cancel a request of the page it leaves; that is not a problem).
    assert.deepEqual(problems, []);
    await page.selectOption('#lang', 'en');
    await page.waitForFunction(() => document.documentElement.lang === 'en' && window.__ap && window.__ap.renders > 0);
    assert.equal(await page.locator('h1').textContent(), 'Attention Playground');
    assert.match(await page.evaluate(() => location.hash), /lang=en/);
    assert.deepEqual(
      problems.filter((p) => !p.startsWith('request failed')),
      [],
    );
  } finally {
    await close();
  }
  // The browser's language decides when the link does not; on a narrow screen nothing (the
  // typeset header formulas included) widens the page.
  const browserZh = await open('', { locale: 'zh-CN', width: 400 });
  const requests = [];
  try {
    assert.equal(await browserZh.page.getAttribute('html', 'lang'), 'zh');
    assert.equal(await browserZh.page.locator('#mode-all').textContent(), '所有步骤一览');
    const wide = await browserZh.page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    assert.ok(wide <= 0, `at 400 px the page scrolls sideways by ${wide} px`);
    assert.deepEqual(browserZh.problems, []);
  } finally {
    await browserZh.close();
  }
  const context = await browser.newContext();
  try {
    const english = await context.newPage();
    english.on('request', (r) => requests.push(r.url()));
    await english.goto(server.url);
    await settled(english, 0);
    assert.equal(await english.getAttribute('html', 'lang'), 'en');
    assert.ok(requests.some((u) => u.endsWith('/i18n.js')));
    assert.ok(!requests.some((u) => u.includes('/locales/')), 'an English page fetches no other catalogue');
  } finally {
    await context.close();
  }
});

test('narrow screens: the sentence and the invitation come first, the other settings fold and open by keyboard', async () => {
  // The layout's facts at a width, read in the page.
  const layout = (page) =>
    page.evaluate(() => {
      const box = (sel) => document.querySelector(sel)?.getBoundingClientRect();
      const visible = (sel) => document.querySelector(sel).checkVisibility();
      return {
        sentence: box('#sentence').bottom + scrollY,
        invite: box('.invite')?.top + scrollY,
        toggle: visible('#more-toggle'),
        heads: visible('#heads'),
        seed: visible('#seed'),
        expanded: document.getElementById('more-toggle').getAttribute('aria-expanded'),
        summary: document.getElementById('more-summary').textContent,
        wide: document.documentElement.scrollWidth - innerWidth,
      };
    });
  for (const [width, lang] of [
    [400, 'en'],
    [320, 'en'],
    [320, 'zh'],
  ]) {
    const { page, problems, close } = await open(`#lang=${lang}`, { width, height: 700 });
    try {
      await page.locator('.invite').waitFor();
      const r = await layout(page);
      // (520: at 320 px the header's formulas take four lines, the fraction whole rather than cut.)
      assert.ok(r.sentence < 520, `${width} px ${lang}: the sentence field ends ${r.sentence} px down`);
      assert.ok(r.invite < 900, `${width} px ${lang}: the invitation starts ${r.invite} px down`);
      assert.deepEqual([r.toggle, r.heads, r.seed, r.expanded], [true, false, false, 'false'], 'folded');
      assert.equal(r.summary, 'h = 4 · d_model = 64 · T = 1');
      assert.ok(r.wide <= 0, `${width} px ${lang}: the page scrolls sideways by ${r.wide} px`);
      if (width === 320 && lang === 'en') await page.screenshot({ path: join(SHOTS, 'narrow-320.png') });
      if (width === 400) {
        // The keyboard: Tab from the example list reaches the button, Enter opens it, the next
        // Tab enters the settings, and a setting typed there drives the computation.
        await page.locator('#examples').focus();
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate(() => document.activeElement.id), 'more-toggle');
        await page.keyboard.press('Enter');
        let s = await layout(page);
        assert.deepEqual([s.heads, s.seed, s.expanded], [true, true, 'true'], 'open');
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate(() => document.activeElement.id), 'cross');
        const before = await renders(page);
        await page.locator('#heads').focus();
        await page.keyboard.press('Control+A');
        await page.keyboard.type('2');
        await settled(page, before);
        assert.equal(await page.evaluate(() => __ap.trace.heads), 2);
        assert.match(await page.locator('#more-summary').textContent(), /^h = 2 · /);
        assert.match(await page.evaluate(() => location.hash), /h=2/);
        await page.locator('#more-toggle').focus();
        await page.keyboard.press('Space');
        s = await layout(page);
        assert.deepEqual([s.heads, s.expanded], [false, 'false'], 'closed again');
      }
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  }

  // A field at fault is shown, fold or not.
  const invalid = await open('#d=30', { width: 400, wait: false });
  try {
    await invalid.page.locator('#alert').waitFor({ state: 'visible' });
    assert.equal(await invalid.page.locator('#dmodel').isVisible(), true);
    assert.equal(await invalid.page.getAttribute('#more-toggle', 'aria-expanded'), 'true');
  } finally {
    await invalid.close();
  }

  // No fold where it would hide the point: wide screens, compact mode, a teacher's few settings.
  for (const [hash, width] of [
    ['', 1280],
    ['#embed=1', 400],
    ['#hide=sentence,heads,d-model,positional,seed,independent,cross', 400],
  ]) {
    const { page, problems, close } = await open(hash, { width });
    try {
      const r = await layout(page);
      assert.equal(r.toggle, false, `${hash} at ${width} px: no “More settings”`);
      if (!hash.startsWith('#hide')) assert.equal(r.heads, true, `${hash} at ${width} px: the settings shown`);
      else assert.equal(await page.locator('#temperature').isVisible(), true, 'the teacher’s setting shown');
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  }
});

test('Export: any matrix of the result, as PNG, SVG, CSV and JSON, with labels', async () => {
  const { page, problems, close } = await open('#s=one+two+three&h=2&d=16&f=1&c=1');
  try {
    await page.locator('#export-open').click();
    const dialog = page.locator('#export-dialog');
    await dialog.waitFor({ state: 'visible' });
    assert.equal(await page.locator('#export-matrix option').count(), 7);
    assert.equal(await page.inputValue('#export-matrix'), 'weights');
    const save = async (format) => {
      const [file] = await Promise.all([
        page.waitForEvent('download'),
        page.locator(`#export-dialog [data-format="${format}"]`).click(),
      ]);
      return { name: file.suggestedFilename(), bytes: readFileSync(await file.path()) };
    };
    const csv = await save('csv');
    assert.equal(csv.name, 'attention-weights-head1.csv');
    const lines = csv.bytes.toString('utf8').trim().split('\r\n');
    assert.equal(lines[0], ',one,two,three');
    const weights = await page.evaluate(() => Array.from(__ap.trace.weights[1]));
    lines.slice(1).forEach((line, i) => {
      const cells = line.split(',');
      assert.equal(cells[0], ['one', 'two', 'three'][i]);
      // Causal: the cells above the diagonal are masked, the others are the weights drawn.
      cells.slice(1).forEach((v, j) => {
        if (j <= i) assert.ok(Math.abs(Number(v) - weights[i * 3 + j]) < 1e-6, `${i},${j}: ${v}`);
      });
    });
    assert.equal(await page.locator('#export-live').textContent(), 'attention-weights-head1.csv downloaded');

    const png = await save('png');
    assert.deepEqual([...png.bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
    const svg = await save('svg');
    assert.match(svg.bytes.toString('utf8'), /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg.bytes.toString('utf8'), />three</);

    await page.selectOption('#export-matrix', 'k');
    const json = await save('json');
    assert.equal(json.name, 'attention-k-head1.json');
    const parsed = JSON.parse(json.bytes.toString('utf8'));
    assert.equal(parsed.rows, 3);
    assert.equal(parsed.cols, 8);
    const k = await page.evaluate(() => Array.from(__ap.trace.k[1]));
    assert.ok(Math.abs(parsed.data[2][7] - k[2 * 8 + 7]) < 1e-6);

    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'export-open');
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('touch at 400 px: a tap on a cell shows that cell’s value and keeps it up; a tap elsewhere hides it; More settings opens by tap', async () => {
  const { page, problems, close } = await open('', { width: 400, height: 800, touch: true });
  try {
    const target = await page.evaluate(() => {
      const overlay = document.querySelector('.figure-weights .hm-overlay');
      overlay.scrollIntoView({ block: 'center' });
      const r = overlay.getBoundingClientRect();
      return { x: r.left + r.width * 0.6, y: r.top + r.height * 0.6 };
    });
    await page.touchscreen.tap(target.x, target.y);
    const tooltip = page.locator('.tooltip');
    await tooltip.waitFor({ state: 'visible', timeout: 2000 });
    const title = await tooltip.locator('.tooltip-title').textContent();
    const [, row, col, value] = title.match(/^weights_0\[(\d+), (\d+)\] = (\S+)$/) ?? [];
    assert.ok(Number(row) > 0 && Number(col) > 0, `the tapped cell, not the first: ${title}`);
    const expected = await page.evaluate(
      ([r, c]) => __ap.trace.weights[0][r * __ap.trace.nKv + c],
      [Number(row), Number(col)],
    );
    assert.ok(Math.abs(Number(value) - expected) < 1e-5, `${value} vs ${expected}`);
    await page.waitForTimeout(300);
    assert.equal(await tooltip.isVisible(), true, 'still shown once the finger is lifted');
    await page.touchscreen.tap(5, 5);
    await tooltip.waitFor({ state: 'hidden', timeout: 2000 });
    await page.evaluate(() => scrollTo(0, 0));
    await page.locator('#more-toggle').tap();
    assert.equal(await page.getAttribute('#more-toggle', 'aria-expanded'), 'true');
    assert.equal(await page.locator('#heads').isVisible(), true);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});
