// Browser tests of the walkthrough (issue 4): each step renders with its shapes, the keyboard and
// the buttons move through it, the URL restores it; provenance outlines; the neuron view's numbers
// are the trace's; every mask kind renormalises rows; the √d_head switch moves entropy.
//
// Run: node --test --test-concurrency=1 tests/browser/   (needs web/lib/wasm built first)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startHarness, settled, renders, hoverCell, clickCell, highlights, ROOT } from './page-harness.mjs';

let harness;
before(async () => { harness = await startHarness(); });
after(async () => { await harness?.close(); });

const step = (page) => page.evaluate(() => Number(document.getElementById('walkthrough').dataset.step));
const hashStep = (page) => page.evaluate(() => Number(new URLSearchParams(location.hash.slice(1)).get('step')));
// Each figure of the current step with the shape written beside it.
const figures = (page) => page.evaluate(() => Object.fromEntries([...document.querySelectorAll('.wt-fig')]
  .map((f) => { const s = f.querySelector('.figure-cap .shape'); return [f.dataset.fig, `${s.dataset.rows}×${s.dataset.cols}`]; })));

// n = 11 tokens, d_model 64, 4 heads: d_head 16.
const EXPECTED = {
  1: {},
  2: { E: '11×64' },
  3: { E: '11×64', X: '11×64' },
  4: { X: '11×64', WQ: '64×64', WK: '64×64', WV: '64×64', Q: '11×64', K: '11×64', V: '11×64' },
  5: { Qh: '11×16', Kh: '11×16', S: '11×11' },
  6: { S: '11×11', Ss: '11×11' },
  7: { M: '11×11', Ss: '11×11', Sm: '11×11' },
  8: { Qh: '11×16', Kh: '11×16', Sm: '11×11', A: '11×11', H: '11×1' },
  9: { A: '11×11', Vh: '11×16', O: '11×16' },
  10: { O0: '11×16', O1: '11×16', O2: '11×16', O3: '11×16', C: '11×64' },
  11: { C: '11×64', WO: '64×64', Y: '11×64' },
  12: { X: '11×64', Y: '11×64' },
};

test('walkthrough: every step renders its matrices with shapes; keys, buttons and the URL move through it', async () => {
  const { page, problems, close } = await harness.open('#step=1');
  try {
    assert.equal(await page.locator('#walkthrough').isVisible(), true);
    assert.equal(await page.locator('#pipeline').isVisible(), false);
    assert.deepEqual(await page.locator('#walkthrough .token-text').allTextContents(),
      ['The', 'animal', "didn't", 'cross', 'the', 'street', 'because', 'it', 'was', 'too', 'tired']);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    for (let k = 1; k <= 12; k++) {
      assert.equal(await step(page), k);
      assert.equal(await hashStep(page), k);
      assert.equal(await page.locator('.wt-counter').textContent(), `Step ${k} of 12`);
      assert.deepEqual(await figures(page), EXPECTED[k], `step ${k}`);
      // A typeset formula, an explanation, a current dot.
      assert.equal(await page.locator('.wt-formula math').count(), 1);
      assert.ok((await page.locator('.wt-desc').textContent()).length > 30);
      assert.equal(await page.locator('.wt-dot[aria-current="step"]').textContent(), String(k));
      // Every map is drawn: its data canvas has one pixel per cell.
      const sizes = await page.evaluate(() => [...document.querySelectorAll('.wt-fig .hm-data')].map((c) => [c.height, c.width]));
      assert.deepEqual(sizes.map(([r, c]) => `${r}×${c}`), Object.values(EXPECTED[k]));
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
    assert.equal(await hashStep(page), 0);
    await page.keyboard.press('ArrowRight');
    assert.equal(await hashStep(page), 0, 'arrows do nothing outside the walkthrough');
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
    assert.equal(await again.page.locator('.wt-fig[data-fig="O"] .figure-name').textContent(), 'out_2');
    const drawn = await again.page.evaluate(() => Array.from(window.__ap.walkthrough.figs.get('O').map.model.data));
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
    await hoverCell(page, 'A', 3, 7);
    let lit = await highlights(page);
    assert.deepEqual(lit.Qh, [{ row: 3 }]);
    assert.deepEqual(lit.Kh, [{ row: 7 }]);
    assert.deepEqual(lit.Sm, [{ row: 3 }]);
    // The outline is drawn: the overlay has the highlight colour on q_3's row edge.
    const colour = await page.evaluate(() => {
      const map = window.__ap.walkthrough.figs.get('Qh').map;
      const { left, top, cellH } = map.layoutBox;
      const ctx = map.overlay.getContext('2d');
      const y = Math.round((top + 3 * cellH - 1) * map.dpr);
      return Array.from(ctx.getImageData(Math.round((left + 4) * map.dpr), y, 1, 1).data);
    });
    assert.deepEqual(colour.slice(0, 3), [0xf0, 0x8c, 0x00]);
    await page.mouse.move(2, 2);
    lit = await highlights(page);
    assert.deepEqual(lit.Qh, []);

    await page.keyboard.press('ArrowRight'); // step 9: out(i, c) ← weights row i, V_h column c
    await hoverCell(page, 'O', 5, 2);
    lit = await highlights(page);
    assert.deepEqual([lit.A, lit.Vh], [[{ row: 5 }], [{ col: 2 }]]);

    await page.evaluate(() => { location.hash = location.hash.replace(/step=\d+/, 'step=4'); });
    await page.waitForFunction(() => document.getElementById('walkthrough').dataset.step === '4');
    await settled(page, await renders(page) - 1);
    await hoverCell(page, 'Q', 2, 20); // Q(i, c) ← x_i and column c of W_Q
    lit = await highlights(page);
    assert.deepEqual([lit.X, lit.WQ, lit.WK], [[{ row: 2 }], [{ col: 20 }], []]);

    await page.evaluate(() => { location.hash = location.hash.replace(/step=\d+/, 'step=11'); });
    await page.waitForFunction(() => document.getElementById('walkthrough').dataset.step === '11');
    await hoverCell(page, 'Y', 4, 9); // output(i, c) ← concat row i and column c of W_O
    lit = await highlights(page);
    assert.deepEqual([lit.C, lit.WO], [[{ row: 4 }], [{ col: 9 }]]);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test("neuron view: q_i, k_j, the score and the row's weights are the trace's; a click picks the pair", async () => {
  const { page, problems, close } = await harness.open('#step=8&f=3&pair=6.2');
  try {
    const read = () => page.evaluate(() => {
      const tr = window.__ap.trace;
      const root = document.querySelector('.neuron');
      const [i, j] = root.dataset.pair.split('.').map(Number);
      const n = tr.n;
      return {
        i, j,
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
        dot: Array.from({ length: tr.dHead }, (_, d) => tr.q[3][i * tr.dHead + d] * tr.k[3][j * tr.dHead + d]).reduce((a, b) => a + b, 0),
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

    await clickCell(page, 'A', 9, 4);
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

// Rows of weights sum to 1 over the cells the mask allows, and are exactly 0 elsewhere; a row with
// nothing allowed is all 0 (never NaN). Returns the rows with nothing allowed.
async function checkRows(page) {
  const { weights, mask, n, nKv, heads } = await page.evaluate(() => ({
    weights: window.__ap.trace.weights.map((w) => Array.from(w)), mask: Array.from(window.__ap.trace.mask),
    n: window.__ap.trace.n, nKv: window.__ap.trace.nKv, heads: window.__ap.trace.heads,
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
        if (mask[i * nKv + j]) { sum += w; open++; } else assert.equal(w, 0, `masked weight (${i}, ${j}) of head ${h}`);
      }
      if (open) assert.ok(Math.abs(sum - 1) < 1e-5, `row ${i} of head ${h} sums to ${sum}`);
      else { assert.equal(sum, 0); if (h === 0) empty.push(i); }
    }
  }
  return { mask, n, empty };
}

test('mask editor: bidirectional, causal, padding and painted masks each renormalise the rows', async () => {
  const { page, problems, close } = await harness.open('#step=7');
  try {
    let r = await checkRows(page);
    assert.ok(r.mask.every((m) => m === 1), 'bidirectional: everything allowed');

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

    // Paint: hide every key from query 0 except "cross" (already padding): row 0 becomes empty.
    for (let j = 0; j < r.n; j++) {
      if (j === 3) continue;
      before = await renders(page);
      await clickCell(page, 'M', 0, j);
      await settled(page, before);
    }
    r = await checkRows(page);
    assert.deepEqual(r.empty, [0]);
    assert.match(await page.locator('.wt-empty').textContent(), /Every key is hidden from row 0 “The”.*not NaN/);
    // Its output is 0 too.
    const out0 = await page.evaluate(() => Array.from(window.__ap.trace.headOutput[0].slice(0, window.__ap.trace.dHead)));
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
    const meanEntropy = () => page.evaluate(() => {
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
    assert.ok(Math.abs(await meanEntropy() - scaled) < 1e-9);
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
    const expected = await page.evaluate(() => Array.from(window.__ap.trace.weights[0]).filter((w) => w >= 0.01).length);
    assert.equal(Number(await canvas.getAttribute('data-lines')), expected);
    await page.locator('.hv-chip[data-head="2"]').click();
    assert.equal(await canvas.getAttribute('data-heads'), '2');
    assert.match(await page.evaluate(() => location.hash), /f=2/);
    assert.equal(await page.locator('#pipeline .step-title').nth(4).textContent(), 'Head 2');
    await page.locator('.hv-chip[data-head="all"]').click();
    assert.equal(await canvas.getAttribute('data-heads'), '0,1,2,3');

    // Entropy beside the weights is the core's.
    const drawn = await page.evaluate(() => Array.from(document.querySelector('.figure-entropy .hm-data').getContext('2d').getImageData(0, 0, 1, 11).data));
    assert.equal(drawn.length, 11 * 4);

    // Independent scales: each head's legend top is its own largest weight.
    const legendTop = () => page.locator('.figure-weights .hm-legend-value').nth(1).textContent();
    const shared = await legendTop();
    await page.locator('#independent').check();
    await page.waitForFunction(() => /ind=1/.test(location.hash));
    await settled(page, await renders(page) - 1);
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
    const tr = await page.evaluate(() => ({ n: __ap.trace.n, nKv: __ap.trace.nKv, keyTokens: __ap.trace.keyTokens, w: __ap.trace.weights[0].length, k: __ap.trace.k[0].length, dHead: __ap.trace.dHead }));
    assert.deepEqual([tr.n, tr.nKv, tr.keyTokens, tr.w, tr.k], [11, 4, ['Le', 'chat', 'dort', '.'], 44, 4 * tr.dHead]);
    const figs = await figures(page);
    assert.deepEqual([figs.Qh, figs.Kh, figs.Sm, figs.A, figs.H], ['11×16', '4×16', '11×4', '11×4', '11×1']);
    assert.equal(await page.locator('.wt-card .step-head .shape').textContent(), 'n_q × n_k = 11 × 4');
    // Labels: queries down the side, keys along the top.
    const labels = await page.evaluate(() => {
      const m = window.__ap.walkthrough.figs.get('A').map.model;
      return [m.rowLabels.length, m.colLabels];
    });
    assert.deepEqual(labels, [11, ['Le', 'chat', 'dort', '.']]);
    await checkRows(page);
    // The overview draws the same shapes.
    await page.locator('#mode-all').click();
    const cells = await page.evaluate(() => { const c = document.querySelector('.figure-weights .hm-data'); return [c.height, c.width]; });
    assert.deepEqual(cells, [11, 4]);
    const k = await page.evaluate(() => { const c = document.querySelectorAll('#pipeline .hm-data')[2]; return [c.height, c.width]; });
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
      x: tr.embeddings, n: tr.n, dModel: tr.dModel, heads: tr.heads, wq: tr.wq, wk: tr.wk, wv: tr.wv, wo: tr.wo,
      causal: tr.causal, temperature: tr.temperature, positional: tr.positional, scale: tr.scale,
    });
    const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
    return {
      q: same(out.q(0), tr.q[0]), k: same(out.k(1), tr.k[1]), weights: same(out.weights(2), tr.weights[2]),
      output: same(out.output, tr.output),
    };
  });
}

test('editing an embedding or a W_Q entry recomputes everything downstream, as the core says; reset restores', async () => {
  const { page, problems, close } = await harness.open('#step=2');
  try {
    const seeded = await page.evaluate(() => ({ e: Array.from(__ap.trace.embeddings), q: Array.from(__ap.trace.q[0]), out: Array.from(__ap.trace.output), d: __ap.trace.dModel }));
    await clickCell(page, 'E', 3, 5);
    assert.equal(await page.locator('#wt-edit-value').isVisible(), true);
    assert.match(await page.locator('.wt-editor-label').textContent(), /E\[3, 5\] \(“cross”/);
    let before = await renders(page);
    await page.locator('#wt-edit-value').fill('2.5');
    await settled(page, before);
    const edited = await page.evaluate(() => ({ e: Array.from(__ap.trace.embeddings), q: Array.from(__ap.trace.q[0]), out: Array.from(__ap.trace.output), dHead: __ap.trace.dHead }));
    const d = seeded.d;
    assert.equal(edited.e[3 * d + 5], 2.5);
    assert.deepEqual(edited.e.filter((_, k) => k !== 3 * d + 5), seeded.e.filter((_, k) => k !== 3 * d + 5));
    // Only row 3 of Q changes (Q = X·W_Q), the output changes (every row attends to row 3).
    const rowChanged = (a, b, w) => Array.from({ length: a.length / w }, (_, i) => a.slice(i * w, (i + 1) * w).some((v, c) => v !== b[i * w + c]));
    assert.deepEqual(rowChanged(edited.q, seeded.q, edited.dHead).map((c, i) => (c ? i : -1)).filter((i) => i >= 0), [3]);
    assert.notDeepEqual(edited.out, seeded.out);
    assert.deepEqual(await coreForward(page), { q: true, k: true, weights: true, output: true });
    assert.match(await page.evaluate(() => location.hash), /&ed=e\.3\.5\.2\.5/);

    // A W_Q entry, by dragging the slider.
    await page.keyboard.press('Escape');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    assert.equal(await step(page), 4);
    await clickCell(page, 'WQ', 0, 2);
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
    const reset = await page.evaluate(() => ({ e: Array.from(__ap.trace.embeddings), out: Array.from(__ap.trace.output) }));
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
    ['walkthrough-qkv.png', '#step=4', null],
    ['walkthrough-mask.png', '#step=7&c=1&pad=5', null],
    ['walkthrough-softmax.png', '#step=8&c=1&f=1&pair=7.1', ['A', 7, 1]],
  ];
  for (const [file, hash, hover] of shots) {
    const { page, problems, close } = await harness.open(hash);
    try {
      await page.evaluate(() => document.fonts.ready);
      if (hover) {
        // Draw the hovered cell and its provenance outlines as a pointer would, without a
        // pointer (the element screenshot scrolls, which would move the hover).
        await page.evaluate(([id, r, c]) => {
          const wt = window.__ap.walkthrough;
          const lit = wt.links(id, r, c);
          for (const [fid, { map }] of wt.figs) map.setHighlights(lit[fid] ?? []);
          const map = wt.figs.get(id).map;
          map.hover = { row: r, col: c };
          map.paintOverlay();
        }, hover);
      }
      await page.locator('#walkthrough').screenshot({ path: join(ROOT, 'docs', file) });
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  }
});

test('provenance in the overview: a weight lights q_i and k_j in the focused head, a head output its weights row', async () => {
  const { page, problems, close } = await harness.open('#f=2');
  try {
    const lit = () => page.evaluate(() => [...document.querySelectorAll('#pipeline .hm')].map((m) => JSON.parse(m.dataset.highlights ?? '[]')));
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
    assert.ok(maps.some((m) => JSON.stringify(m) === JSON.stringify([{ row: 4, col: 9 }])), 'the same cell of the scores');
    await page.keyboard.press('Escape');
    assert.deepEqual((await lit())[1], []);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});
