// Browser test of the page's Model mode (web/page/model/): a GGUF model file the test writes
// (tests/js/model_files.mjs) dropped on the page; the model card, a heatmap's pixels, the predictions
// against the JS reference forward, a generated token; a malformed file gives a message. Screenshots
// at 1280 and 320 px go to build/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SHOTS, startHarness } from './page-harness.mjs';
import { writeModel, referenceForward } from '../js/model_files.mjs';

let harness;
before(async () => {
  harness = await startHarness();
});
after(() => harness?.close());

// Drops `bytes` as a file named `name` on the drop zone, as a user's drag and drop does.
async function drop(page, bytes, name) {
  await page.evaluate(
    ([data, fileName]) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], fileName));
      const zone = document.getElementById('model-drop');
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    },
    [Array.from(bytes), name],
  );
}

test('Model mode: a dropped GGUF file gives its card, maps, predictions and a generated token', async () => {
  const { page, problems, close } = await harness.open('', { width: 1280, height: 900 });
  try {
    await page.click('#mode-model');
    assert.ok(await page.isVisible('#model-drop'));
    assert.equal(await page.getAttribute('#mode-model', 'aria-pressed'), 'true');
    assert.equal(await page.getAttribute('#mode-all', 'aria-pressed'), 'false');
    assert.ok(await page.isHidden('.masthead .notice')); // "random and untrained" is not true here
    assert.match(await page.textContent('#model-view'), /never leaves the machine/);
    const { bytes, ref } = writeModel({ arch: 'llama', seed: 3 });
    await drop(page, bytes, 'tiny-llama.gguf');
    await page.waitForSelector('#model-predictions li', { timeout: 20000 });
    const card = await page.textContent('#model-card');
    assert.match(card, /js test llama/);
    assert.match(card, /2 layers, 4 heads \(2 K\/V heads\), d_model 32, d_head 8/);
    assert.match(card, /F32/);
    // The text as the model's tokens: BOS, then ▁O …
    const tokens = await page.$$eval('#model-tokens .model-token', (els) => els.map((e) => e.textContent));
    assert.equal(tokens[0], '<s>');
    assert.equal(tokens[1], '▁O');
    // The grid: layers × heads maps; map (1, 2)'s pixels follow the reference's weights.
    assert.equal(await page.$$eval('#model-grid .model-cell', (els) => els.length), 8);
    const ids = await page.evaluate(() =>
      Array.from(document.querySelectorAll('#model-tokens .model-token'), (e) => Number(e.dataset.id)),
    );
    const want = referenceForward(ref, ids);
    const n = ids.length;
    const pixels = await page.evaluate(() => {
      const c = document.querySelectorAll('#model-grid .model-cell')[1 * 4 + 2].querySelector('canvas.hm-data');
      return {
        w: c.width,
        h: c.height,
        data: Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data),
      };
    });
    assert.equal(pixels.w, n);
    assert.equal(pixels.h, n);
    // Brighter (viridis: more green) where the reference weight is larger, along the last row.
    const row = n - 1;
    const green = (j) => pixels.data[(row * n + j) * 4 + 1];
    const w = want.attention[1][2];
    let jMax = 0,
      jMin = 0;
    for (let j = 0; j < n; j++) {
      if (w[row * n + j] > w[row * n + jMax]) jMax = j;
      if (w[row * n + j] < w[row * n + jMin]) jMin = j;
    }
    assert.ok(green(jMax) > green(jMin), `green ${green(jMax)} at the largest weight, ${green(jMin)} at the smallest`);
    // Open it large and hover a cell: the weight shown is the reference's.
    await page.click('#model-grid .model-cell >> nth=6');
    await page.waitForSelector('#model-large:not([hidden])');
    assert.match(await page.textContent('#model-large h3'), /Layer 1, head 2/);
    const box = await page.$eval('#model-large canvas.hm-data', (c) => {
      c.scrollIntoView({ block: 'center' });
      const r = c.getBoundingClientRect();
      return { x: r.x, y: r.y, w: r.width, h: r.height };
    });
    await page.mouse.move(box.x + ((0 + 0.5) * box.w) / n, box.y + ((row + 0.5) * box.h) / n);
    await page
      .waitForFunction(() => /weight/.test(document.getElementById('model-hover').textContent), null, { timeout: 5000 })
      .catch(() => {});
    const hover = await page.textContent('#model-hover');
    const shown = Number(/weight ([-\d.e]+)/.exec(hover)[1]);
    assert.ok(Math.abs(shown - w[row * n]) < 1e-3, `${hover} vs ${w[row * n]}`);
    // Predictions at the last position: the reference's argmax first, its probability shown.
    const logits = want.logits[n - 1];
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    let z = 0;
    for (const v of logits) z += Math.exp(v - logits[best]);
    const first = await page.textContent('#model-predictions li:first-child');
    assert.match(first, new RegExp(`${(100 / z).toFixed(1).replace('.', '\\.')}`));
    await page.screenshot({ path: join(SHOTS, 'model-1280.png'), fullPage: true });
    // Generation: greedy tokens appended after the text.
    await page.click('#model-generate');
    await page.waitForFunction(
      () => /tokens generated/.test(document.getElementById('model-status').textContent),
      null,
      {
        timeout: 20000,
      },
    );
    const generated = await page.$$eval('#model-tokens .generated', (els) => els.map((e) => Number(e.dataset.id)));
    assert.equal(generated.length, 8);
    assert.equal(generated[0], best);
    await page.setViewportSize({ width: 320, height: 800 });
    await page.screenshot({ path: join(SHOTS, 'model-320.png'), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('Model mode: a malformed file gives a message and the page keeps working', async () => {
  const { page, problems, close } = await harness.open('', { width: 1280, height: 900 });
  try {
    await page.click('#mode-model');
    await page.setInputFiles('#model-file', {
      name: 'broken.gguf',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('GGUF\x03\x00\x00\x00garbage'),
    });
    await page.waitForFunction(() => document.getElementById('model-status').classList.contains('error'), null, {
      timeout: 20000,
    });
    assert.match(await page.textContent('#model-status'), /This file cannot be opened: .+/);
    assert.ok(await page.isHidden('#model-card'));
    // Back to the random-weights mode: it still draws.
    await page.click('#mode-walk');
    assert.ok(await page.isHidden('#model-view'));
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});
