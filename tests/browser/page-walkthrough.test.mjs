// Browser tests of the walkthrough: each step renders with its shapes, the keyboard and the
// buttons move through it, the URL restores it; provenance outlines; the neuron view's numbers are
// the trace's; every mask kind renormalises rows; the √d_head switch moves entropy.
// They read the page through the test hook (__ap.figure(name), cellCenter, cellColor, state,
// trace; figures named by views/figures.js's matrix names) and public DOM only.
//
// Run: node --test --test-concurrency=1 tests/browser/   (needs web/lib/wasm built first)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startHarness, settled, renders, hoverCell, clickCell, highlights, SHOTS } from './page-harness.mjs';

let harness;
before(async () => {
  const started = await startHarness();
  // Pointer tests aim at cells by position: wait for the fonts (labels, the formulas' math font)
  // so nothing moves under the pointer after it has aimed.
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

const step = (page) => page.evaluate(() => Number(document.getElementById('walkthrough').dataset.step));
// The URL's step once it is written (the page writes the URL at most every 100 ms, later under load):
// waits up to 5 s for it to say `expected`, then reads it as it is.
const hashStep = async (page, expected) => {
  const read = () => Number(new URLSearchParams(location.hash.slice(1)).get('step'));
  // A function, not a string: the page's CSP forbids evaluating strings.
  await page
    .waitForFunction((e) => Number(new URLSearchParams(location.hash.slice(1)).get('step')) === e, expected, {
      timeout: 5000,
    })
    .catch(() => {});
  return page.evaluate(read);
};
// Each figure of the current step with the shape written beside it.
const figures = (page) =>
  page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('.wt-fig')].map((f) => {
        const s = f.querySelector('.figure-cap .shape');
        return [f.dataset.fig, `${s.dataset.rows}×${s.dataset.cols}`];
      }),
    ),
  );

// n = 11 tokens, d_model 64, 4 heads: d_head 16.
const EXPECTED = {
  1: {},
  2: { embeddings: '11×64' },
  3: { embeddings: '11×64', x: '11×64' },
  4: { x: '11×64', wq: '64×64', wk: '64×64', wv: '64×64', q: '11×64', k: '11×64', v: '11×64' },
  5: { qHead: '11×16', kHead: '11×16', rawScores: '11×11' },
  6: { rawScores: '11×11', scaledScores: '11×11', softmaxWithSqrt: '11×11', softmaxWithoutSqrt: '11×11' },
  7: { mask: '11×11', biasedScores: '11×11', scores: '11×11', causalMask: '11×11', causalScores: '11×11' },
  8: { scores: '11×11', weights: '11×11', entropy: '11×1', qHead: '11×16', kHead: '11×16' },
  9: { weights: '11×11', vHead: '11×16', headOutput: '11×16' },
  10: {
    'headOutput.0': '11×16',
    'headOutput.1': '11×16',
    'headOutput.2': '11×16',
    'headOutput.3': '11×16',
    concat: '11×64',
  },
  11: { concat: '11×64', wo: '64×64', output: '11×64' },
  12: { x: '11×64', output: '11×64' },
};

// Where figure `name`'s cells begin inside its overlay canvas (which carries the labels and the
// outlines), in CSS px, and its cell size: { left, top, cellW, cellH }.
const cellsOrigin = (page, name) =>
  page.evaluate((fig) => {
    const overlay = document.querySelector(`.wt-fig[data-fig="${fig}"] .hm-overlay`).getBoundingClientRect();
    const { box, cell } = window.__ap.figure(fig);
    return { left: box.left - overlay.left, top: box.top - overlay.top, cellW: cell[0], cellH: cell[1] };
  }, name);

// The [r, g, b] of figure `name`'s overlay at points [x, y], CSS px from its top-left corner.
const overlayColors = (page, name, points) =>
  page.evaluate(
    ([fig, list]) => {
      const overlay = document.querySelector(`.wt-fig[data-fig="${fig}"] .hm-overlay`);
      const dpr = overlay.width / overlay.getBoundingClientRect().width;
      const ctx = overlay.getContext('2d');
      const at = ([x, y]) => ctx.getImageData(Math.round(x * dpr), Math.round(y * dpr), 1, 1).data;
      return list.map((point) => Array.from(at(point).slice(0, 3)));
    },
    [name, points],
  );

test('walkthrough: every step renders its matrices with shapes; keys, buttons and the URL move through it', async () => {
  const { page, problems, close } = await harness.open('#step=1');
  try {
    assert.equal(await page.locator('#walkthrough').isVisible(), true);
    assert.equal(await page.locator('#pipeline').isVisible(), false);
    assert.deepEqual(await page.locator('#walkthrough .token-text').allTextContents(), [
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
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    for (let k = 1; k <= 12; k++) {
      assert.equal(await step(page), k);
      assert.equal(await hashStep(page, k), k);
      assert.equal(await page.locator('.wt-counter').textContent(), `Step ${k} of 12`);
      assert.deepEqual(await figures(page), EXPECTED[k], `step ${k}`);
      // A typeset formula, an explanation, a current dot.
      assert.equal(await page.locator('.wt-formula math').count(), 1);
      assert.ok((await page.locator('.wt-desc').textContent()).length > 30);
      assert.equal(await page.locator('.wt-dot[aria-current="step"]').textContent(), String(k));
      // Every map is drawn: its data canvas has one pixel per cell; the hook names the same figures.
      const sizes = await page.evaluate(() =>
        [...document.querySelectorAll('.wt-fig .hm-data')].map((c) => [c.height, c.width]),
      );
      assert.deepEqual(
        sizes.map(([r, c]) => `${r}×${c}`),
        Object.values(EXPECTED[k]),
      );
      assert.deepEqual(await page.evaluate(() => window.__ap.figures()), Object.keys(EXPECTED[k]));
      await page.keyboard.press('ArrowRight');
    }
    assert.equal(await step(page), 12, '→ stops at the last step');
    assert.equal(await page.locator('.wt-top .button-primary').isDisabled(), true);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await step(page), 10);
    await page.getByRole('button', { name: '← Back' }).click();
    assert.equal(await step(page), 9);
    await page.getByRole('button', { name: 'Next →' }).click();
    assert.equal(await step(page), 10);
    // The overview and back.
    await page.locator('#mode-all').click();
    assert.equal(await page.locator('#pipeline').isVisible(), true);
    assert.equal(await hashStep(page, 0), 0);
    await page.keyboard.press('ArrowRight');
    assert.equal(await hashStep(page, 0), 0, 'arrows do nothing outside the walkthrough');
    await page.locator('#mode-walk').click();
    assert.equal(await step(page), 10);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
  // A link restores the step.
  const again = await harness.open('#step=9&f=2');
  try {
    assert.equal(await step(again.page), 9);
    const caption = again.page.locator('.wt-fig[data-fig="headOutput"] .figure-name math');
    assert.equal(await caption.getAttribute('aria-label'), 'out_2');
    const drawn = await again.page.evaluate(() => window.__ap.figure('headOutput').data);
    const core = await again.page.evaluate(() => Array.from(window.__ap.trace.headOutput[2]));
    assert.deepEqual(drawn, core);
    assert.deepEqual(again.problems, []);
  } finally {
    await again.close();
  }
});

test('provenance: hovering a cell outlines the rows and columns it came from', async () => {
  const { page, problems, close } = await harness.open('#step=8&f=1');
  try {
    await hoverCell(page, 'weights', 3, 7);
    let lit = await highlights(page);
    assert.deepEqual(lit.qHead, [{ row: 3 }]);
    assert.deepEqual(lit.kHead, [{ row: 7 }]);
    assert.deepEqual(lit.scores, [{ row: 3 }, { row: 3, col: 7 }], 'the row softmax divides by, and the score itself');
    assert.deepEqual(lit.entropy, [{ row: 3 }]);
    // The outline is drawn: the overlay has the highlight colour on q_3's row edge.
    const q = await cellsOrigin(page, 'qHead');
    const [colour] = await overlayColors(page, 'qHead', [[q.left + 4, q.top + 3 * q.cellH - 1]]);
    assert.deepEqual(colour, [0xf0, 0x8c, 0x00]);
    await page.mouse.move(2, 2);
    lit = await highlights(page);
    assert.deepEqual(lit.qHead, []);

    await page.keyboard.press('ArrowRight'); // step 9: out(i, c) ← weights row i, V_h column c
    await hoverCell(page, 'headOutput', 5, 2);
    lit = await highlights(page);
    assert.deepEqual([lit.weights, lit.vHead], [[{ row: 5 }], [{ col: 2 }]]);

    await page.evaluate(() => {
      location.hash = location.hash.replace(/step=\d+/, 'step=4');
    });
    await page.waitForFunction(() => document.getElementById('walkthrough').dataset.step === '4');
    await settled(page, (await renders(page)) - 1);
    await hoverCell(page, 'q', 2, 20); // Q(i, c) ← x_i and column c of W_Q
    lit = await highlights(page);
    assert.deepEqual([lit.x, lit.wq, lit.wk], [[{ row: 2 }], [{ col: 20 }], []]);

    await page.evaluate(() => {
      location.hash = location.hash.replace(/step=\d+/, 'step=11');
    });
    await page.waitForFunction(() => document.getElementById('walkthrough').dataset.step === '11');
    await hoverCell(page, 'output', 4, 9); // output(i, c) ← concat row i and column c of W_O
    lit = await highlights(page);
    assert.deepEqual([lit.concat, lit.wo], [[{ row: 4 }], [{ col: 9 }]]);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test("neuron view: q_i, k_j, the score and the row's weights are the trace's; a click picks the pair", async () => {
  const { page, problems, close } = await harness.open('#step=8&f=3&pair=6.2');
  try {
    const read = () =>
      page.evaluate(() => {
        const tr = window.__ap.trace;
        const root = document.querySelector('.neuron');
        const [i, j] = root.dataset.pair.split('.').map(Number);
        const n = tr.n;
        return {
          i,
          j,
          score: Number(root.querySelector('.nv-score').dataset.score),
          traceScore: tr.scores[3][i * n + j],
          weight: Number(root.querySelector('.nv-result').dataset.weight),
          traceWeight: tr.weights[3][i * n + j],
          row: [...root.querySelectorAll('.nv-key')].map((e) => Number(e.dataset.weight)),
          traceRow: Array.from(tr.weights[3].slice(i * n, (i + 1) * n)),
          bars: root.querySelectorAll('.nv-grid .nv-cell').length,
          q: [...root.querySelectorAll('.nv-grid .is-q + .nv-num')].map((e) => e.textContent),
          dHead: tr.dHead,
          sumText: root.querySelector('.nv-steps li').textContent,
          dot: Array.from({ length: tr.dHead }, (_, d) => tr.q[3][i * tr.dHead + d] * tr.k[3][j * tr.dHead + d]).reduce(
            (a, b) => a + b,
            0,
          ),
          scaledDot: null,
        };
      });
    let v = await read();
    assert.deepEqual([v.i, v.j], [6, 2]);
    assert.equal(v.score, v.traceScore);
    assert.equal(v.weight, v.traceWeight);
    assert.deepEqual(v.row, v.traceRow);
    assert.equal(v.bars, 3 * v.dHead);
    // The sum of products, scaled, is the core's score (to float32 rounding).
    assert.ok(Math.abs(v.dot / Math.sqrt(v.dHead) - v.traceScore) < 1e-5 * (1 + Math.abs(v.traceScore)));
    assert.match(await page.locator('.nv-title').textContent(), /query 6 “because” → key 2 “didn't”/);

    await clickCell(page, 'weights', 9, 4);
    await page.waitForFunction(() => document.querySelector('.neuron')?.dataset.pair === '9.4');
    v = await read();
    assert.equal(v.score, v.traceScore);
    assert.deepEqual(v.row, v.traceRow);
    assert.match(await page.evaluate(() => location.hash), /pair=9\.4/);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('neuron view under cross-attention: the pair is clamped to the n_q × n_k map, key by key', async () => {
  // Two queries and eight keys: key 6 is a key, not clamped to the queries' count.
  const wide = await harness.open('#s=a b&x=1&kv=k0 k1 k2 k3 k4 k5 k6 k7&step=8&pair=0.6');
  // Eight queries and two keys: key 7 does not exist, so the view shows the last key, 1.
  const tall = await harness.open('#s=a b c d e f g h&x=1&kv=x y&step=8&pair=0.7');
  try {
    for (const [{ page, problems }, want, key] of [
      [wide, '0.6', 'k6'],
      [tall, '0.1', 'y'],
    ]) {
      const shown = await page.evaluate(() => {
        const root = document.querySelector('.neuron');
        const tr = window.__ap.trace;
        const [i, j] = root.dataset.pair.split('.').map(Number);
        return {
          pair: root.dataset.pair,
          title: root.querySelector('.nv-title').textContent,
          score: Number(root.querySelector('.nv-score').dataset.score),
          traceScore: tr.scores[0][i * tr.nKv + j],
          text: root.textContent,
        };
      });
      assert.equal(shown.pair, want);
      assert.match(shown.title, new RegExp(`key \\d “${key}”`));
      assert.equal(shown.score, shown.traceScore);
      assert.doesNotMatch(shown.text, /undefined|NaN/);
      assert.deepEqual(problems, []);
    }
  } finally {
    await wide.close();
    await tall.close();
  }
});

test("neuron view under ALiBi: the bias line gives −m_h·|i − j|, and scaled dot + bias is the core's score", async () => {
  const { page, problems, close } = await harness.open('#step=8&f=1&pair=7.2&p=alibi');
  try {
    const v = await page.evaluate(() => {
      const tr = window.__ap.trace;
      const line = document.querySelector('.neuron [data-bias]');
      const dot = Array.from(
        { length: tr.dHead },
        (_, d) => tr.q[1][7 * tr.dHead + d] * tr.k[1][2 * tr.dHead + d],
      ).reduce((a, b) => a + b, 0);
      return {
        bias: line && Number(line.dataset.bias),
        text: line?.textContent,
        dot,
        dHead: tr.dHead,
        heads: tr.heads,
        score: tr.scores[1][7 * tr.n + 2],
      };
    });
    const slope = 2 ** ((-8 * 2) / v.heads); // head 1 of H: m = 2^(−8(h+1)/H)
    assert.ok(Math.abs(v.bias - -slope * 5) < 1e-12, `bias ${v.bias}`);
    assert.match(v.text, /ALiBi/);
    assert.ok(Math.abs(v.dot / Math.sqrt(v.dHead) + v.bias - v.score) < 1e-5 * (1 + Math.abs(v.score)));
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

// Rows of weights sum to 1 over the cells the mask allows, and are exactly 0 elsewhere; a row with
// nothing allowed is all 0 (never NaN). Returns the rows with nothing allowed.
async function checkRows(page) {
  const { weights, mask, n, nKv, heads } = await page.evaluate(() => ({
    weights: window.__ap.trace.weights.map((w) => Array.from(w)),
    mask: Array.from(window.__ap.trace.mask),
    n: window.__ap.trace.n,
    nKv: window.__ap.trace.nKv,
    heads: window.__ap.trace.heads,
  }));
  assert.equal(mask.length, n * nKv);
  const empty = [];
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < n; i++) {
      let sum = 0;
      let open = 0;
      for (let j = 0; j < nKv; j++) {
        const w = weights[h][i * nKv + j];
        assert.ok(Number.isFinite(w));
        if (mask[i * nKv + j]) {
          sum += w;
          open++;
        } else assert.equal(w, 0, `masked weight (${i}, ${j}) of head ${h}`);
      }
      if (open) assert.ok(Math.abs(sum - 1) < 1e-5, `row ${i} of head ${h} sums to ${sum}`);
      else {
        assert.equal(sum, 0);
        if (h === 0) empty.push(i);
      }
    }
  }
  return { mask, n, empty };
}

test('mask editor: bidirectional, causal, padding and painted masks each renormalise the rows', async () => {
  const { page, problems, close } = await harness.open('#step=7');
  try {
    let r = await checkRows(page);
    assert.ok(
      r.mask.every((m) => m === 1),
      'bidirectional: everything allowed',
    );

    let before = await renders(page);
    await page.locator('.wt-mask [data-mask="causal"]').click();
    await settled(page, before);
    r = await checkRows(page);
    for (let i = 0; i < r.n; i++) for (let j = 0; j < r.n; j++) assert.equal(r.mask[i * r.n + j], j <= i ? 1 : 0);
    assert.equal(await page.locator('#causal').isChecked(), true);

    await page.locator('.wt-mask [data-mask="bidirectional"]').click();
    await settled(page, before + 1);
    before = await renders(page);
    await page.locator('.tokens-pad [data-pad="3"]').click(); // padding: "cross"
    await settled(page, before);
    r = await checkRows(page);
    for (let i = 0; i < r.n; i++) assert.equal(r.mask[i * r.n + 3], 0);
    assert.match(await page.evaluate(() => location.hash), /pad=3/);

    // The mask's tooltip reads the additive M: −∞ for the padded key, 0 elsewhere.
    await hoverCell(page, 'mask', 1, 3);
    assert.match(await page.locator('.tooltip').textContent(), /^M\[1, 3\] = −∞.*key 3 “cross”.*M = −∞: hidden/);
    await hoverCell(page, 'mask', 1, 2);
    assert.match(await page.locator('.tooltip').textContent(), /^M\[1, 2\] = 0.*may attend/);
    // The map is drawn white where allowed (0 on the diverging scale) and masked where hidden.
    const px = await page.evaluate(() => [window.__ap.cellColor('mask', 1, 2), window.__ap.cellColor('mask', 1, 3)]);
    const { colormaps, MASKED_RGBA } = await page.evaluate(async () => {
      const c = await import('./draw/colormap.js');
      return {
        colormaps: { mid: Array.from(c.colormaps.diverging.slice(128 * 4, 128 * 4 + 3)) },
        MASKED_RGBA: Array.from(c.MASKED_RGBA.slice(0, 3)),
      };
    });
    assert.ok(
      px[0].every((v, k) => Math.abs(v - colormaps.mid[k]) <= 3) && px[0].every((v) => v > 230),
      `allowed cell drawn near white: ${px[0]}`,
    );
    assert.deepEqual(px[1], MASKED_RGBA);

    // Paint: hide every key from query 0 except "cross" (already padding): row 0 becomes empty.
    for (let j = 0; j < r.n; j++) {
      if (j === 3) continue;
      before = await renders(page);
      await clickCell(page, 'mask', 0, j);
      await settled(page, before);
    }
    r = await checkRows(page);
    assert.deepEqual(r.empty, [0]);
    assert.match(await page.locator('.wt-empty').textContent(), /Every key is hidden from row 0 “The”.*not NaN/);
    // Its output is 0 too.
    const out0 = await page.evaluate(() =>
      Array.from(window.__ap.trace.headOutput[0].slice(0, window.__ap.trace.dHead)),
    );
    assert.ok(out0.every((v) => v === 0));

    before = await renders(page);
    await page.locator('.wt-mask .button-quiet').click(); // clear padding and painted cells
    await settled(page, before);
    r = await checkRows(page);
    assert.ok(r.mask.every((m) => m === 1));
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('the √d_head switch: without it scores are larger and rows sharper (lower entropy)', async () => {
  const { page, problems, close } = await harness.open('#step=6&d=256&h=2');
  try {
    const meanEntropy = () =>
      page.evaluate(() => {
        const e = window.__ap.trace.entropy.flatMap((a) => Array.from(a));
        return e.reduce((a, b) => a + b, 0) / e.length;
      });
    const scaled = await meanEntropy();
    const before = await renders(page);
    await page.locator('#wt-scale').uncheck();
    await settled(page, before);
    const unscaled = await meanEntropy();
    assert.equal(await page.locator('#scale').isChecked(), false, 'the side panel switch follows');
    assert.match(await page.evaluate(() => location.hash), /sc=0/);
    assert.ok(unscaled < scaled - 0.2, `entropy ${unscaled} without scaling, ${scaled} with`);
    // Switched off (T = 1), the core's scores are the raw dot products q_i·k_j.
    const ratio = await page.evaluate(() => window.__ap.trace.scores[0][1] / window.__ap.trace.rawScores[0][1]);
    assert.ok(Math.abs(ratio - 1) < 1e-6);
    const b2 = await renders(page);
    await page.locator('#wt-scale').check();
    await settled(page, b2);
    assert.ok(Math.abs((await meanEntropy()) - scaled) < 1e-9);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('multi-head views: head view lines per head, a click focuses a head; shared or independent colour scales', async () => {
  const { page, problems, close } = await harness.open('#f=0');
  try {
    const canvas = page.locator('.hv-canvas');
    assert.equal(await canvas.getAttribute('data-heads'), '0');
    // One line per weight ≥ 0.01 of head 0.
    const expected = await page.evaluate(
      () => Array.from(window.__ap.trace.weights[0]).filter((w) => w >= 0.01).length,
    );
    assert.equal(Number(await canvas.getAttribute('data-lines')), expected);
    await page.locator('.hv-chip[data-head="2"]').click();
    assert.equal(await canvas.getAttribute('data-heads'), '2');
    assert.match(await page.evaluate(() => location.hash), /f=2/);
    assert.equal(await page.locator('#pipeline .step-title').nth(4).textContent(), 'Head 2');
    await page.locator('.hv-chip[data-head="all"]').click();
    assert.equal(await canvas.getAttribute('data-heads'), '0,1,2,3');

    // Entropy beside the weights is the core's.
    const drawn = await page.evaluate(() =>
      Array.from(document.querySelector('.figure-entropy .hm-data').getContext('2d').getImageData(0, 0, 1, 11).data),
    );
    assert.equal(drawn.length, 11 * 4);

    // Independent scales: each head's legend top is its own largest weight.
    const legendTop = () => page.locator('.figure-weights .hm-legend-value').nth(1).textContent();
    const shared = await legendTop();
    await page.locator('#independent').check();
    await page.waitForFunction(() => /ind=1/.test(location.hash));
    await settled(page, (await renders(page)) - 1);
    const own = await legendTop();
    const max2 = await page.evaluate(() => Math.max(...window.__ap.trace.weights[2]));
    assert.notEqual(own, shared);
    assert.ok(Math.abs(Number(own.replace('−', '-')) - max2) < 1e-3, `${own} vs ${max2}`);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('cross-attention: K and V from a second sentence give n_q × n_k maps, labelled on both axes', async () => {
  const { page, problems, close } = await harness.open('#step=8&x=1&kv=Le+chat+dort+.');
  try {
    const tr = await page.evaluate(() => ({
      n: __ap.trace.n,
      nKv: __ap.trace.nKv,
      keyTokens: __ap.trace.keyTokens,
      w: __ap.trace.weights[0].length,
      k: __ap.trace.k[0].length,
      dHead: __ap.trace.dHead,
    }));
    assert.deepEqual([tr.n, tr.nKv, tr.keyTokens, tr.w, tr.k], [11, 4, ['Le', 'chat', 'dort', '.'], 44, 4 * tr.dHead]);
    const figs = await figures(page);
    assert.deepEqual(
      [figs.qHead, figs.kHead, figs.scores, figs.weights, figs.entropy],
      ['11×16', '4×16', '11×4', '11×4', '11×1'],
    );
    assert.equal(await page.locator('.wt-card .step-head .shape').textContent(), 'n_q × n_k = 11 × 4');
    // Labels: queries down the side, keys along the top (the cells sit right of and below them);
    // a hovered column is the second sentence's key.
    const offsets = await cellsOrigin(page, 'weights');
    assert.ok(offsets.left > 0 && offsets.top > 0, `weights' cells at ${offsets.left}, ${offsets.top} in their figure`);
    await hoverCell(page, 'weights', 0, 1);
    assert.match(await page.locator('.tooltip').textContent(), /key 1 “chat”/);
    await checkRows(page);
    // The overview draws the same shapes.
    await page.locator('#mode-all').click();
    const cells = await page.evaluate(() => {
      const c = document.querySelector('.figure-weights .hm-data');
      return [c.height, c.width];
    });
    assert.deepEqual(cells, [11, 4]);
    const k = await page.evaluate(() => {
      const c = document.querySelectorAll('#pipeline .hm-data')[2];
      return [c.height, c.width];
    });
    assert.deepEqual(k, [4, 64], 'K has a row per token of the second sentence');
    // Turned off: self-attention again.
    const before = await renders(page);
    await page.locator('#cross').uncheck();
    await settled(page, before);
    assert.equal(await page.evaluate(() => __ap.trace.nKv), 11);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

// The whole forward pass, computed by the core straight from the page's (edited) inputs.
function coreForward(page) {
  return page.evaluate(async () => {
    const { loadAttention } = await import('./lib/attention.js');
    const core = await loadAttention();
    const tr = window.__ap.trace;
    const out = core.attention({
      x: tr.embeddings,
      n: tr.n,
      dModel: tr.dModel,
      heads: tr.heads,
      wq: tr.wq,
      wk: tr.wk,
      wv: tr.wv,
      wo: tr.wo,
      causal: tr.causal,
      temperature: tr.temperature,
      positional: tr.positional,
      scale: tr.scale,
    });
    const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
    return {
      q: same(out.q(0), tr.q[0]),
      k: same(out.k(1), tr.k[1]),
      weights: same(out.weights(2), tr.weights[2]),
      output: same(out.output, tr.output),
    };
  });
}

test('editing an embedding or a W_Q entry recomputes everything downstream, as the core says; reset restores', async () => {
  const { page, problems, close } = await harness.open('#step=2');
  try {
    const seeded = await page.evaluate(() => ({
      e: Array.from(__ap.trace.embeddings),
      q: Array.from(__ap.trace.q[0]),
      out: Array.from(__ap.trace.output),
      d: __ap.trace.dModel,
    }));
    await clickCell(page, 'embeddings', 3, 5);
    assert.equal(await page.locator('#wt-edit-value').isVisible(), true);
    assert.match(await page.locator('.wt-editor-label').textContent(), /E\[3, 5\] \(“cross”/);
    let before = await renders(page);
    await page.locator('#wt-edit-value').fill('2.5');
    await settled(page, before);
    const edited = await page.evaluate(() => ({
      e: Array.from(__ap.trace.embeddings),
      q: Array.from(__ap.trace.q[0]),
      out: Array.from(__ap.trace.output),
      dHead: __ap.trace.dHead,
    }));
    const d = seeded.d;
    assert.equal(edited.e[3 * d + 5], 2.5);
    assert.deepEqual(
      edited.e.filter((_, k) => k !== 3 * d + 5),
      seeded.e.filter((_, k) => k !== 3 * d + 5),
    );
    // Only row 3 of Q changes (Q = X·W_Q), the output changes (every row attends to row 3).
    const rowChanged = (a, b, w) =>
      Array.from({ length: a.length / w }, (_, i) => a.slice(i * w, (i + 1) * w).some((v, c) => v !== b[i * w + c]));
    assert.deepEqual(
      rowChanged(edited.q, seeded.q, edited.dHead)
        .map((c, i) => (c ? i : -1))
        .filter((i) => i >= 0),
      [3],
    );
    assert.notDeepEqual(edited.out, seeded.out);
    assert.deepEqual(await coreForward(page), { q: true, k: true, weights: true, output: true });
    assert.match(await page.evaluate(() => location.hash), /&ed=e\.3\.5\.2\.5/);

    // A W_Q entry, by dragging the slider.
    await page.keyboard.press('Escape');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    assert.equal(await step(page), 4);
    await clickCell(page, 'wq', 0, 2);
    before = await renders(page);
    await page.locator('.wt-editor input[type="range"]').fill('0.9');
    await settled(page, before);
    const wq = await page.evaluate(() => __ap.trace.wq[2]);
    assert.ok(Math.abs(wq - 0.9) < 1e-6);
    assert.deepEqual(await coreForward(page), { q: true, k: true, weights: true, output: true });

    // Reset all: the seeded values again.
    before = await renders(page);
    await page.locator('.wt-editor .button-quiet').click();
    await settled(page, before);
    const reset = await page.evaluate(() => ({
      e: Array.from(__ap.trace.embeddings),
      out: Array.from(__ap.trace.output),
    }));
    assert.deepEqual(reset.e, seeded.e);
    assert.deepEqual(reset.out, seeded.out);
    assert.doesNotMatch(await page.evaluate(() => location.hash), /&ed=/);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('screenshots of the walkthrough for the README', async () => {
  const shots = [
    ['walkthrough-qkv.png', '#step=4', ['wq', 5, 20]],
    ['walkthrough-mask.png', '#step=7&c=1&pad=5', null],
    ['walkthrough-softmax.png', '#step=8&c=1&f=1&pair=7.1', ['weights', 7, 1]],
  ];
  for (const [file, hash, hover] of shots) {
    // A window taller than the walkthrough, so the element screenshot does not scroll (which
    // would move the cell under the pointer); the layout depends on the width alone.
    const { page, problems, close } = await harness.open(hash, { height: 3000 });
    try {
      await page.evaluate(() => document.fonts.ready);
      if (hover) {
        // The hovered cell and its provenance outlines as the pointer draws them; the picture
        // shows them without the tooltip.
        const [name, r, c] = hover;
        const { x, y } = await page.evaluate(([fig, row, col]) => window.__ap.cellCenter(fig, row, col), hover);
        await page.mouse.move(x, y);
        assert.deepEqual(await page.evaluate(() => window.scrollY), 0);
        const lit = Object.values(await highlights(page)).flat();
        assert.notDeepEqual(lit, [], `${name} (${r}, ${c}) outlines its provenance`);
        await page.evaluate(() => {
          document.querySelector('.tooltip').hidden = true;
        });
      }
      await page.locator('#walkthrough').screenshot({ path: join(SHOTS, file) });
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  }
});

test('provenance in the overview: a weight lights q_i and k_j in the focused head, a head output its weights row', async () => {
  const { page, problems, close } = await harness.open('#f=2');
  try {
    const lit = () =>
      page.evaluate(() =>
        [...document.querySelectorAll('#pipeline .hm')].map((m) => JSON.parse(m.dataset.highlights ?? '[]')),
      );
    // Hover weight (4, 9) through the keyboard: focus the weights map and move with the arrows.
    await page.locator('.figure-weights .hm-overlay').focus();
    for (let k = 0; k < 4; k++) await page.keyboard.press('ArrowDown');
    for (let k = 0; k < 9; k++) await page.keyboard.press('ArrowRight');
    const maps = await lit();
    const dHead = 16;
    const expectedQ = [{ row: 4, col: 2 * dHead, span: dHead }];
    const expectedK = [{ row: 9, col: 2 * dHead, span: dHead }];
    // Maps in order: X, Q, K, V, thumbs…, scores, weights, …
    assert.deepEqual(maps[1], expectedQ);
    assert.deepEqual(maps[2], expectedK);
    assert.ok(
      maps.some((m) => JSON.stringify(m) === JSON.stringify([{ row: 4, col: 9 }])),
      'the same cell of the scores',
    );
    await page.keyboard.press('Escape');
    assert.deepEqual((await lit())[1], []);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

// ---- formulas, softmax before and after, weight provenance, the invitation ----------------------

// The structure of a MathML element as nested [tag, …children] (tokens: [tag, text]), for asserting.
function shapeOf(page, selector) {
  return page.evaluate((sel) => {
    const walk = (n) =>
      n.children.length === 0 ? [n.localName, n.textContent] : [n.localName, ...[...n.children].map(walk)];
    const m = document.querySelector(sel);
    return m ? walk(m) : null;
  }, selector);
}

test('formulas are MathML: the steps, the neuron view and the header, laid out as maths, with a text alternative', async () => {
  const { page, problems, close } = await harness.open('#step=8');
  try {
    const NS = 'http://www.w3.org/1998/Math/MathML';
    // The softmax formula, row by row over the scores beside it: P_0[i, j] = exp(s_ij) / ∑_k exp(s_ik), ∑_j P_0[i, j] = 1.
    const math = await shapeOf(page, '.wt-formula math');
    assert.equal(math[0], 'math');
    const [semantics] = math.slice(1);
    assert.equal(semantics[0], 'semantics');
    const [row, annotation] = semantics.slice(1);
    assert.equal(row[0], 'mrow');
    assert.deepEqual(row[1], ['msub', ['mi', 'P'], ['mn', '0']]);
    assert.deepEqual(row[2], ['mo', '[']);
    const frac = row.find((part) => part[0] === 'mfrac' && JSON.stringify(part[1]).includes('exp'));
    assert.ok(frac, 'a fraction with exp above');
    assert.deepEqual(frac[1][1], ['mi', 'exp']);
    assert.deepEqual(frac[2][1], ['munder', ['mo', '∑'], ['mi', 'k']], 'the sum over keys, its index under it');
    assert.equal(annotation[0], 'annotation');
    const info = await page.evaluate((ns) => {
      const m = document.querySelector('.wt-formula math');
      const box = (sel) => m.querySelector(sel).getBoundingClientRect();
      const num = box('mfrac > :first-child');
      const den = box('mfrac > :last-child');
      return {
        ns: m.namespaceURI,
        label: m.getAttribute('aria-label'),
        annotation: m.querySelector('annotation').textContent,
        display: m.getAttribute('display'),
        stacked: num.bottom <= den.top + 1 && den.height > 0,
        centred: Math.abs((num.left + num.right) / 2 - (den.left + den.right) / 2) < 2,
        allMathML: [...m.querySelectorAll('*')].every((e) => e.namespaceURI === ns),
      };
    }, NS);
    assert.equal(info.ns, NS);
    assert.equal(info.display, 'block');
    assert.equal(info.label, 'P_0 [i, j] = (exp(s_ij)) / (∑_k exp(s_ik)); ∑_j P_0 [i, j] = 1');
    assert.equal(info.annotation, info.label);
    assert.ok(info.stacked, 'the numerator is drawn above the denominator (MathML is laid out, not shown as text)');
    assert.ok(info.centred);
    assert.ok(info.allMathML);

    // The neuron view: the sum, the scaling (a fraction over a square root) and the weight.
    assert.ok((await page.locator('.nv-steps math').count()) >= 2);
    assert.equal(await page.locator('.nv-steps li').nth(1).locator('mfrac msqrt').count(), 1);
    assert.equal(await page.locator('.nv-result math > semantics > mrow > mfrac').count(), 2);
    assert.match(
      await page.locator('.nv-result math').getAttribute('aria-label'),
      /^P_\(0,0\) = \(exp\(s_\(0,0\) − m\)\) \/ \(∑_k exp\(s_\(0,k\) − m\)\) = /,
    );

    // The header's formulas, typeset, one <math> each so a narrow screen wraps between them
    // ("per head h:" with its words as text; the scores over √d_head · T as a fraction).
    assert.equal(await page.locator('.formula math').count(), 4);
    const head = await shapeOf(page, '.formula math');
    assert.deepEqual(head[1][1][1], ['mtext', 'per head\u00a0']);
    assert.equal(await page.locator('.formula math mfrac msqrt msub').count(), 1, '√d_head under the fraction');
    assert.equal(
      await page.locator('.formula math').nth(1).getAttribute('aria-label'),
      'P_h = softmax((Q_h K_h^T) / (√d_head)),',
    );

    // The mask: a brace with one row per case; the scaling: S over √d_head · T.
    await page.keyboard.press('ArrowLeft');
    assert.equal(await page.locator('.wt-formula mtable mtr').count(), 2);
    assert.deepEqual(await page.locator('.wt-formula mtable mtext').allTextContents(), [
      '\u00a0if query i may attend to key j\u00a0',
      '\u00a0otherwise\u00a0',
    ]);
    // The scaling at T = 1: S_0 over √d_head alone (no "· T" when T = 1).
    await page.keyboard.press('ArrowLeft');
    assert.equal(await page.locator('.wt-formula mfrac > msqrt').count(), 1);
    assert.equal(await page.locator('.wt-formula mfrac > mrow > msqrt').count(), 0);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
  // In Chinese the words are translated; the notation is the same.
  const zh = await harness.open('#step=7&lang=zh');
  try {
    assert.deepEqual(await zh.page.locator('.wt-formula mtable mtext').allTextContents(), [
      '\u00a0若查询 i 可以注意键 j\u00a0',
      '\u00a0否则\u00a0',
    ]);
    assert.deepEqual(zh.problems, []);
  } finally {
    await zh.close();
  }
});

test('math.js builds elements, never HTML: markup in a formula is text', async () => {
  const { page, problems, close } = await harness.open('#step=1');
  try {
    const r = await page.evaluate(async () => {
      const { formula, linear } = await import('./draw/math.js');
      window.__pwned = false;
      const m = formula('"<img src=x onerror=\'window.__pwned=true\'>" x_{<b>} = \\frac{1}{2}');
      document.body.appendChild(m);
      await new Promise((res) => setTimeout(res, 50));
      return {
        img: document.querySelectorAll('img').length,
        b: m.querySelectorAll('b').length,
        pwned: window.__pwned,
        text: m.querySelector('mtext').textContent,
        linear: linear('t_{n−1} = −0.5 + √d_head'),
        minus: [...formula('y = −0.5 − x').querySelectorAll('mn, mo')].map((e) => `${e.localName}:${e.textContent}`),
      };
    });
    assert.deepEqual([r.img, r.b, r.pwned], [0, 0, false]);
    assert.equal(r.text, "<img src=x onerror='window.__pwned=true'>\u00a0");
    assert.equal(r.linear, 't_(n−1) = −0.5 + √d_head');
    // A leading minus is part of the number; between two terms it is an operator.
    assert.deepEqual(r.minus, ['mo:=', 'mn:−0.5', 'mo:−']);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('softmax step: P is drawn apart from the scores, same shape, rows summing to 1, exactly the trace weights', async () => {
  const { page, problems, close } = await harness.open('#step=8&c=1&f=2');
  try {
    // Before → softmax → after, in this order, each with its shape.
    const order = await page.evaluate(() =>
      [...document.querySelector('.wt-softmax').children].map((e) => e.dataset.fig ?? e.className),
    );
    assert.deepEqual(order, ['scores', 'wt-arrow', 'weights', 'entropy']);
    // Named by what it holds: the scores over √d_head, plus M (the causal mask hides cells).
    assert.match(
      await page.locator('.wt-fig-weights .figure-name').textContent(),
      /P_2 = softmax\(S_2 \/ \(√d_head\) \+ M\)$/,
    );
    const figs = await figures(page);
    assert.deepEqual([figs.scores, figs.weights], ['11×11', '11×11']);
    const r = await page.evaluate(async () => {
      const { colormaps, tableIndex, MASKED_RGBA } = await import('./draw/colormap.js');
      const tr = window.__ap.trace;
      const p = window.__ap.figure('weights');
      const s = window.__ap.figure('scores');
      const n = tr.n;
      const [lo, hi] = p.range;
      // The pixel of each cell of P is the viridis colour of the trace's weight (grey when masked).
      let wrong = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const px = window.__ap.cellColor('weights', i, j);
          const w = tr.weights[2][i * n + j];
          const k = tableIndex(w, lo, hi) * 4;
          const want = Array.from(j > i ? MASKED_RGBA.slice(0, 3) : colormaps.viridis.slice(k, k + 3));
          if (px.join() !== want.join()) wrong++;
        }
      }
      const rows = Array.from({ length: n }, (_, i) => p.data.slice(i * n, (i + 1) * n).reduce((a, b) => a + b, 0));
      return {
        same: p.data.every((v, k) => v === tr.weights[2][k]),
        scores: s.data.every((v, k) => Object.is(v, tr.scores[2][k])),
        rows,
        wrong,
        colormaps: [p.colormap, s.colormap],
      };
    });
    assert.ok(r.same, 'P is the core’s weights of head 2');
    assert.ok(r.scores, 'the “before” map is the core’s scaled, masked scores');
    for (const [i, sum] of r.rows.entries()) assert.ok(Math.abs(sum - 1) < 1e-5, `row ${i} of P sums to ${sum}`);
    assert.equal(r.wrong, 0, 'every cell of P is drawn in the colour of its weight');
    assert.deepEqual(r.colormaps, ['viridis', 'diverging']);
    assert.match(await page.locator('.wt-fig-weights .figure-desc').textContent(), /Every row of P sums to 1/);
    // The formula names P too.
    assert.match(await page.locator('.wt-formula math').getAttribute('aria-label'), /^P_2 \[i, j\] = /);
    // The neuron view goes only as far as the step: the dot product at step 5, the scaling at 6.
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await step(page), 5);
    assert.equal(await page.locator('.neuron').getAttribute('data-up-to'), 'dot');
    assert.equal(await page.locator('.nv-result').count(), 0);
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.locator('.neuron').getAttribute('data-up-to'), 'scale');
    assert.equal(await page.locator('.nv-steps li').count(), 3, 'sum, scaling, score');
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('provenance of weights: a cell of W_Q, W_K, W_V or W_O lights the column it feeds and the column it multiplies', async () => {
  const { page, problems, close } = await harness.open('#step=4');
  try {
    await hoverCell(page, 'wq', 5, 20); // Q(i, 20) = Σ_r X(i, r) W_Q(r, 20): column 20 of Q, column 5 of X
    let lit = await highlights(page);
    assert.deepEqual([lit.x, lit.q, lit.k, lit.v, lit.wk], [[{ col: 5 }], [{ col: 20 }], [], [], []]);
    // Drawn: the highlight colour on the left edge of X's column 5.
    const x = await cellsOrigin(page, 'x');
    const points = [5 * x.cellW - 2, 5.5 * x.cellW].map((c) => [x.left + c, x.top + 4.5 * x.cellH]);
    const colour = await overlayColors(page, 'x', points);
    assert.deepEqual(colour[0], [0xf0, 0x8c, 0x00], 'outline left of the column');
    assert.notDeepEqual(colour[1], [0xf0, 0x8c, 0x00], 'inside the column is the data');
    const tip = await page.locator('.tooltip').textContent();
    assert.match(tip, /W_Q\[5, 20\]/);
    assert.match(tip, /multiplies column 5 of X.*adds into column 20 of Q \(head 1, dim 4\)/);

    await hoverCell(page, 'wk', 3, 40);
    lit = await highlights(page);
    assert.deepEqual([lit.x, lit.k, lit.q], [[{ col: 3 }], [{ col: 40 }], []]);
    await hoverCell(page, 'wv', 63, 0);
    lit = await highlights(page);
    assert.deepEqual([lit.x, lit.v, lit.k], [[{ col: 63 }], [{ col: 0 }], []]);
    // An entry of X feeds row i of Q, K, V, multiplying row r of each weight matrix.
    await hoverCell(page, 'x', 2, 7);
    lit = await highlights(page);
    assert.deepEqual(
      [lit.q, lit.k, lit.v, lit.wq, lit.wk, lit.wv],
      [[{ row: 2 }], [{ row: 2 }], [{ row: 2 }], [{ row: 7 }], [{ row: 7 }], [{ row: 7 }]],
    );

    // W_O at step 11: column c of the output, column r of concat.
    await page.evaluate(() => {
      location.hash = location.hash.replace(/step=\d+/, 'step=11');
    });
    await page.waitForFunction(() => document.getElementById('walkthrough').dataset.step === '11');
    await settled(page, (await renders(page)) - 1);
    await hoverCell(page, 'wo', 12, 9);
    lit = await highlights(page);
    assert.deepEqual([lit.concat, lit.output], [[{ col: 12 }], [{ col: 9 }]]);
    assert.match(
      await page.locator('.tooltip').textContent(),
      /multiplies column 12 of concat.*column 9 of the output/,
    );
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
  // Cross-attention: W_K and W_V multiply the second sentence's X.
  const cross = await harness.open('#step=4&x=1&kv=Le+chat+dort+.');
  try {
    await hoverCell(cross.page, 'wk', 1, 2);
    const lit = await highlights(cross.page);
    assert.deepEqual([lit.xKv, lit.x, lit.k], [[{ col: 1 }], [], [{ col: 2 }]]);
    assert.deepEqual(cross.problems, []);
  } finally {
    await cross.close();
  }
});

test('the invitation: the page opens on every step with a "Start the walkthrough" offer; it starts step 1, the keys work, it is remembered', async () => {
  const { page, problems, close } = await harness.open('');
  try {
    const invite = page.locator('.invite');
    assert.equal(await invite.isVisible(), true);
    assert.equal(await page.locator('#pipeline').isVisible(), true);
    assert.match(await invite.textContent(), /New to attention\?.*12 short steps/);
    // By keyboard: Tab to the button and press Enter.
    await page.locator('.invite [data-invite="start"]').focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('#walkthrough').isVisible(), true);
    assert.equal(await step(page), 1);
    assert.equal(await hashStep(page, 1), 1);
    assert.equal(
      await page.evaluate(() => document.activeElement?.matches('.wt-card .step-title')),
      true,
      'the keyboard carries on from the step title',
    );
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    assert.equal(await step(page), 3);
    // Back to every step: the offer is not made again, nor after a reload.
    await page.locator('#mode-all').click();
    assert.equal(await invite.isVisible(), false);
    await page.reload();
    await settled(page, 0);
    assert.equal(await page.locator('#pipeline').isVisible(), true);
    assert.equal(await page.locator('.invite').isVisible(), false);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
  // "Not now" hides it for good; the focus stays in the overview.
  const later = await harness.open('');
  try {
    await later.page.locator('.invite [data-invite="dismiss"]').click();
    assert.equal(await later.page.locator('.invite').isVisible(), false);
    assert.equal(await later.page.evaluate(() => document.activeElement?.closest('#pipeline') !== null), true);
    assert.equal(
      await later.page.evaluate(() => Number(new URLSearchParams(location.hash.slice(1)).get('step') ?? 0)),
      0,
    );
    await later.page.reload();
    await settled(later.page, 0);
    assert.equal(await later.page.locator('.invite').isVisible(), false);
    assert.deepEqual(later.problems, []);
  } finally {
    await later.close();
  }
  // A link to a step still opens that step; a teacher's fixed view and the compact embed get no offer.
  for (const [hash, walking] of [
    ['#step=6', true],
    ['#hide=view', false],
    ['#embed=1', false],
  ]) {
    const other = await harness.open(hash);
    try {
      assert.equal(await other.page.locator('#walkthrough').isVisible(), walking, hash);
      if (walking) assert.equal(await step(other.page), 6);
      assert.equal(await other.page.locator('.invite').isVisible(), false, hash);
      assert.deepEqual(other.problems, []);
    } finally {
      await other.close();
    }
  }
});

test('concat step: each head output is drawn in the same colours as its slice of concat', async () => {
  const { page, problems, close } = await harness.open('#step=10');
  try {
    const r = await page.evaluate(() => {
      const {
        cellColor,
        figures,
        figure,
        trace: { n, dHead, heads },
      } = window.__ap;
      let differ = 0;
      for (let g = 0; g < heads; g++) {
        for (let i = 0; i < n; i++) {
          for (let d = 0; d < dHead; d++) {
            if (cellColor(`headOutput.${g}`, i, d).join() !== cellColor('concat', i, g * dHead + d).join()) differ++;
          }
        }
      }
      return { differ, ranges: figures().map((name) => figure(name).range.join()) };
    });
    assert.equal(r.differ, 0);
    assert.equal(new Set(r.ranges).size, 1, 'one colour scale');
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test("a head's slice of Q, K or V explains its cell as the d_model column it is, and lights the scores it feeds", async () => {
  const { page, problems, close } = await harness.open('#step=5&f=1');
  try {
    await hoverCell(page, 'qHead', 2, 4);
    const tip = await page.locator('.tooltip').textContent();
    assert.match(tip, /^Q\[2, 20\] = /);
    assert.match(tip, /column 20 \(head 1, dim 4\)/);
    const value = await page.evaluate(() => window.__ap.trace.q[1][2 * window.__ap.trace.dHead + 4]);
    assert.equal(await page.evaluate(() => window.__ap.figure('qHead').data[2 * 16 + 4]), value);
    let lit = await highlights(page);
    assert.deepEqual(lit.rawScores, [{ row: 2 }], 'q_2 feeds row 2 of the scores');
    await hoverCell(page, 'kHead', 7, 0);
    lit = await highlights(page);
    assert.deepEqual(lit.rawScores, [{ col: 7 }], 'k_7 feeds column 7');
    assert.match(await page.locator('.tooltip').textContent(), /^K\[7, 16\] = /);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('the overview: headings typeset their notation, labels read it as text; the entropy column lines up with the weights at 400 px', async () => {
  const { page, problems, close } = await harness.open('#t=2', { width: 400 });
  try {
    const r = await page.evaluate(() => {
      const titles = [...document.querySelectorAll('#pipeline .step-title')];
      const qkv = titles.find((e) => e.textContent.startsWith('Projections'));
      const scores = document.querySelector('.figure-scores');
      const top = (sel) => document.querySelector(sel).getBoundingClientRect().top;
      return {
        qkvMath: [...qkv.querySelectorAll('math')].map((m) => m.getAttribute('aria-label')),
        scoresMath: [...scores.querySelectorAll('.figure-name math')].map((m) => m.getAttribute('aria-label')),
        scoresLabel: scores.querySelector('.hm-overlay').getAttribute('aria-label'),
        gap: top('.figure-entropy .hm-data') - top('.figure-weights .hm-data'),
        scroll: document.documentElement.scrollWidth - window.innerWidth,
      };
    });
    assert.deepEqual(r.qkvMath, ['Q = X W_Q', 'K = X W_K', 'V = X W_V']);
    assert.deepEqual(r.scoresMath, ['(Q_0 K_0^T) / (√d_head ⋅ T)'], 'T ≠ 1 puts T under the fraction');
    assert.match(r.scoresLabel, /^Scores \(Q_0 K_0\^T\) \/ \(√d_head ⋅ T\), 11 × 11:/);
    assert.ok(Math.abs(r.gap) <= 1, `entropy rows ${r.gap}px off the weights' rows`);
    assert.ok(r.scroll <= 0, `the page scrolls sideways by ${r.scroll}px`);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('softmax step with few keys: the arrow stays beside S and P; head outputs label the rows on every line at 400 px', async () => {
  // Cross-attention onto two keys: S and P are narrow maps, and the arrow between them.
  const { page, problems, close } = await harness.open('#step=8&x=1&kv=Le+chat', { width: 1280 });
  try {
    const gaps = await page.evaluate(() => {
      const box = (node) => node.getBoundingClientRect();
      const s = box(document.querySelector('.wt-softmax .wt-fig-scores .hm-data'));
      const p = box(document.querySelector('.wt-softmax .wt-fig-weights .hm-data'));
      const arrow = box(document.querySelector('.wt-softmax .wt-arrow'));
      const cols = document.querySelector('.wt-fig-weights .shape').dataset.cols;
      return { sToArrow: arrow.left - s.right, arrowToP: p.left - arrow.right, cols };
    });
    assert.equal(gaps.cols, '2');
    assert.ok(gaps.sToArrow >= 0 && gaps.sToArrow < 140, `S map → arrow: ${gaps.sToArrow} px`);
    assert.ok(gaps.arrowToP >= 0 && gaps.arrowToP < 140, `arrow → P map: ${gaps.arrowToP} px`);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }

  // Step 10 at 400 px: the four head outputs one per line (a phone, style.css), each with its row
  // labels; wide, one line, one set of labels.
  const narrow = await harness.open('#step=10', { width: 400 });
  try {
    // Each head output's line (its figure's offsetTop) and its cells' offset in the figure (the
    // row labels' width, 0 without them).
    const labels = () =>
      narrow.page.evaluate(() =>
        [0, 1, 2, 3].map((g) => {
          const fig = document.querySelector(`.wt-fig[data-fig="headOutput.${g}"]`);
          const overlay = fig.querySelector('.hm-overlay').getBoundingClientRect();
          return { top: fig.offsetTop, left: window.__ap.figure(`headOutput.${g}`).box.left - overlay.left };
        }),
      );
    let heads = await labels();
    assert.ok(heads[1].top > heads[0].top && heads[3].top > heads[2].top, 'one per line at 400 px');
    assert.deepEqual(
      heads.map((h) => h.left > 0),
      [true, true, true, true],
      'labels at the start of each line',
    );
    await narrow.page.setViewportSize({ width: 1280, height: 900 });
    await narrow.page.waitForFunction(
      () => {
        const overlay = document.querySelector('.wt-fig[data-fig="headOutput.2"] .hm-overlay').getBoundingClientRect();
        return window.__ap.figure('headOutput.2').box.left === overlay.left;
      },
      null,
      { timeout: 5000 },
    );
    heads = await labels();
    assert.ok(
      heads.every((h) => h.top === heads[0].top),
      'one line at 1280 px',
    );
    assert.deepEqual(
      heads.map((h) => h.left > 0),
      [true, false, false, false],
    );
    assert.deepEqual(narrow.problems, []);
  } finally {
    await narrow.close();
  }
});

test('at 320 px no step of the walkthrough scrolls the page sideways (typeset formulas scroll in their own box)', async () => {
  for (const hash of ['#step=1', '#step=1&lang=zh&x=1&kv=Le+chat']) {
    const { page, problems, close } = await harness.open(hash, { width: 320, height: 700 });
    try {
      for (let k = 1; k <= 12; k++) {
        if (k > 1) await page.evaluate(() => document.querySelector('.wt-top .button-primary').click());
        assert.equal(await step(page), k);
        const wide = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
        assert.ok(wide <= 0, `${hash}, step ${k}: the page scrolls sideways by ${wide} px`);
      }
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  }
});
