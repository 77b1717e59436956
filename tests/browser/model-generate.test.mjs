// Browser tests of Model mode's generation and chosen head (web/page/model/): a GGUF model the test
// writes (tests/js/model_files.mjs, 4 query heads on 2 K/V heads) dropped on the page.
//   generation through the KV-cache session: the page's greedy tokens equal model.generate's (the
//     same file loaded in Node), each new token's query row is drawn and equals the reference's
//     last attention row; the grid's maps grew to the new length; Stop ends it early;
//   the chosen head: grouped-query heads marked in the grid, the caption names the K/V head read,
//     the shape line the real n and head_dim, the tooltip the reference's weight, the head view
//     one line per weight ≥ 0.01 of that head; nothing scrolls sideways at 320 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SHOTS, startHarness, dropFile } from './page-harness.mjs';
import { writeModel, referenceForward } from '../js/model_files.mjs';
import { loadModel } from '../../web/lib/model.js';

let harness;
before(async () => {
  harness = await startHarness();
});
after(() => harness?.close());

async function openModel(width = 1280) {
  const opened = await harness.open('', { width, height: 900 });
  await opened.page.click('#mode-model');
  const file = writeModel({ arch: 'llama', seed: 3 });
  await dropFile(opened.page, file.bytes, 'tiny-llama.gguf');
  await opened.page.waitForSelector('#model-predictions li', { timeout: 20000 });
  return { ...opened, ...file };
}

const state = (page) => page.evaluate(() => window.__apModel.state());

test('Model mode generates through the KV cache and draws each new token’s attention row', async () => {
  const { page, problems, close, bytes, ref } = await openModel();
  try {
    const prompt = (await state(page)).ids;
    // The same file in Node: greedy ids from model.generate.
    const model = await loadModel(bytes);
    const want = Array.from(model.generate(prompt, 8, { temperature: 0 }));
    model.dispose();
    // Choose layer 1, head 3, then generate.
    await page.click('#model-grid .model-cell[data-layer="1"][data-head="3"]');
    await page.click('#model-generate');
    await page.waitForFunction(
      () => /tokens generated/.test(document.getElementById('model-status').textContent),
      null,
      {
        timeout: 20000,
      },
    );
    const s = await state(page);
    assert.equal(s.generated, 8);
    assert.deepEqual(s.ids.slice(prompt.length), want);
    const chips = await page.$$eval('#model-tokens .model-token', (els) => els.map((e) => Number(e.dataset.id)));
    assert.deepEqual(chips, s.ids);
    // The newest token's row in layer 1, head 3, against the reference over the whole sequence.
    const n = s.ids.length;
    assert.equal(s.newest, n - 1);
    const r = referenceForward(ref, s.ids);
    const row = await page.evaluate(() => window.__apModel.newestRow());
    assert.equal(row.length, n);
    for (let j = 0; j < n; j++) {
      const w = r.attention[1][3][(n - 1) * n + j];
      assert.ok(Math.abs(row[j] - w) < 1e-4, `row[${j}] ${row[j]} vs ${w}`);
    }
    assert.match(await page.textContent('#model-newest'), new RegExp(`position ${n - 1}: .*layer 1, head 3`));
    // Every map grew to n × n, row by row from the session: each equals the reference's map.
    for (const [l, h] of [
      [0, 0],
      [1, 2],
    ]) {
      const map = await page.evaluate(([a, b]) => window.__apModel.map(a, b), [l, h]);
      assert.equal(map.length, n * n);
      let worst = 0;
      for (let e = 0; e < n * n; e++) worst = Math.max(worst, Math.abs(map[e] - r.attention[l][h][e]));
      assert.ok(worst < 1e-4, `map (${l}, ${h}) differs by ${worst}`);
    }
    // The grid's canvases were redrawn at the new size.
    assert.equal(await page.$eval('#model-grid .model-cell canvas.hm-data', (c) => c.width), n);
    // Choosing another head redraws the newest row for it.
    await page.click('#model-grid .model-cell[data-layer="0"][data-head="1"]');
    const row01 = await page.evaluate(() => window.__apModel.newestRow());
    assert.ok(Math.abs(row01[0] - r.attention[0][1][(n - 1) * n]) < 1e-4);
    await page.screenshot({ path: join(SHOTS, 'model-generated-1280.png'), fullPage: true });
    // A click on a token keeps the generated ones (predictions after it); Run starts from the text again.
    await page.click('#model-tokens .model-token >> nth=3');
    await page.waitForFunction(() => /After position 3 /.test(document.getElementById('model-view').textContent));
    assert.equal((await state(page)).ids.length, n);
    await page.click('#model-run');
    await page.waitForFunction((k) => window.__apModel.state().ids.length === k, prompt.length);
    assert.equal((await state(page)).generated, 0);
    assert.ok(await page.isHidden('#model-newest'));
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('Model mode: Stop ends a generation between tokens', async () => {
  const { page, problems, close } = await openModel();
  try {
    // Generate and Stop in one task: the worker reads the stop after its first token.
    await page.evaluate(() => {
      document.getElementById('model-generate').click();
      document.getElementById('model-stop').click();
    });
    await page.waitForFunction(() => /Stopped after/.test(document.getElementById('model-status').textContent), null, {
      timeout: 20000,
    });
    const s = await state(page);
    assert.ok(s.generated >= 1 && s.generated < 8, `${s.generated} tokens`);
    assert.equal(s.generating, false);
    assert.ok(await page.isHidden('#model-stop'));
    assert.ok(await page.isEnabled('#model-generate'));
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('Model mode: the chosen head’s map, caption, tooltip and head view; GQA groups in the grid', async () => {
  const { page, problems, close, ref } = await openModel();
  try {
    const { ids } = await state(page);
    const n = ids.length;
    const r = referenceForward(ref, ids);
    // 4 query heads, 2 K/V heads: two group labels, heads 0–1 on K/V head 0 and 2–3 on K/V head 1.
    const groups = await page.$$eval('#model-grid .model-grid-group', (els) => els.map((e) => e.textContent));
    assert.deepEqual(groups, ['K/V head 0', 'K/V head 1']);
    const kv = await page.$$eval('#model-grid .model-cell[data-layer="0"]', (els) => els.map((e) => e.dataset.kv));
    assert.deepEqual(kv, ['0', '0', '1', '1']);
    assert.match(await page.getAttribute('.model-cell[data-layer="0"][data-head="2"]', 'aria-label'), /K\/V head 1/);
    assert.match(await page.textContent('#model-view'), /4 query heads share 2 K\/V heads, 2 heads per K\/V head/);
    await page.click('#model-grid .model-cell[data-layer="1"][data-head="2"]');
    assert.match(await page.textContent('#model-large h3'), /Layer 1, head 2/);
    assert.match(
      await page.textContent('#model-caption'),
      /Head 2 reads K\/V head 1, shared with heads 2–3 \(grouped-query attention: 4 query heads, 2 K\/V heads\)/,
    );
    const shape = await page.textContent('#model-shape');
    assert.ok(shape.includes(`n × n = ${n} × ${n}`), shape);
    assert.ok(shape.includes('d_head = 8'), shape); // the file's head_dim: 32 / 4
    const label = await page.getAttribute('#model-formula math', 'aria-label');
    assert.match(label, /P_?2.*Q_?2.*K_?1/);
    // Hover the last row's first cell: the tooltip says the reference's weight.
    const box = await page.$eval('#model-large canvas.hm-data', (c) => {
      c.scrollIntoView({ block: 'center' });
      const b = c.getBoundingClientRect();
      return { x: b.x, y: b.y, w: b.width, h: b.height };
    });
    await page.mouse.move(box.x + (0.5 * box.w) / n, box.y + ((n - 0.5) * box.h) / n);
    await page.waitForSelector('#model-tooltip:not([hidden])', { timeout: 5000 });
    const tip = await page.textContent('#model-tooltip');
    const shown = Number(/weight ([-\d.e]+)/.exec(tip)[1]);
    assert.ok(Math.abs(shown - r.attention[1][2][(n - 1) * n]) < 1e-3, tip);
    assert.match(tip, /query head 2, K\/V head 1/);
    // The head view of layer 1: head 2 focused, one line per weight ≥ 0.01 (the reference's count).
    const hv = await page.$eval('#model-headview canvas', (c) => ({
      heads: c.dataset.heads,
      lines: Number(c.dataset.lines),
    }));
    assert.equal(hv.heads, '2');
    const wantLines = Array.from(r.attention[1][2]).filter((w) => w >= 0.01).length;
    assert.equal(hv.lines, wantLines);
    // Its chips choose the head: head 0 of the same layer.
    await page.click('#model-headview .hv-chip[data-head="0"]');
    assert.match(await page.textContent('#model-caption'), /Head 0 reads K\/V head 0, shared with heads 0–1/);
    assert.equal((await state(page)).view.head, 0);
    // At 320 px nothing makes the page scroll sideways.
    await page.setViewportSize({ width: 320, height: 800 });
    await page.waitForTimeout(100);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 320, `the page is ${wide} px wide at 320`);
    await page.screenshot({ path: join(SHOTS, 'model-head-320.png'), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});
