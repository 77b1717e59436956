// Browser test of the Model mode's named heads and head ablation (web/page/model/): a model the
// test writes whose head 0 attends to the previous token by construction (writeHeadsModel) is
// dropped on the page; that head, and no other, gets a "previous-token" badge with its score and the
// legend says how scores are computed; switching the head off by keyboard runs the text again
// without it: the predictions and the text's loss change (the loss equal to web/lib/model.js's under
// Node with the same head off), the page says which head is off, and switching it on restores them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SHOTS, startHarness, dropFile } from './page-harness.mjs';
import { writeHeadsModel } from '../js/model_files.mjs';
import { loadModel } from '../../web/lib/model.js';

let harness;
before(async () => {
  harness = await startHarness();
});
after(() => harness?.close());

const TEXT = 'abc de fgh abc de fgh';

// Mean −log p(next token) over the text, as the page's worker computes it.
function lossOf(pass, ids) {
  let sum = 0;
  for (let i = 0; i + 1 < ids.length; i++) {
    const logits = pass.logits(i);
    const max = Math.max(...logits);
    let z = 0;
    for (const v of logits) z += Math.exp(v - max);
    sum += Math.log(z) + max - logits[ids[i + 1]];
  }
  return sum / (ids.length - 1);
}

const shownLoss = (text) => Number(/Loss on the text's \d+ tokens: ([\d.]+)/.exec(text)[1]);

test('Model mode names the previous-token head, and switching it off changes the predictions and loss', async () => {
  const bytes = writeHeadsModel();
  const node = await loadModel(bytes);
  const ids = Array.from(node.tokenize(TEXT));
  const lossOn = lossOf(node.forward(ids), ids);
  const lossOff = lossOf(node.forward(ids, { ablate: [[0, 0]] }), ids);
  node.dispose();
  assert.ok(Math.abs(lossOn - lossOff) > 1e-3, `the head matters to the loss: ${lossOn} vs ${lossOff}`);

  const { page, problems, close } = await harness.open('', { width: 1280, height: 900 });
  try {
    await page.click('#mode-model');
    await dropFile(page, bytes, 'heads.gguf');
    await page.waitForSelector('#model-predictions li', { timeout: 20000 });
    await page.fill('#model-text', TEXT);
    await page.click('#model-run');
    await page.waitForFunction(
      (n) => document.querySelectorAll('#model-tokens .model-token').length === n,
      ids.length,
      { timeout: 20000 },
    );
    // The badges come from the worker's head scores.
    await page.waitForSelector('#model-grid .model-badges[data-layer="0"][data-head="0"] .model-badge', {
      timeout: 20000,
    });
    const badges = await page.$$eval('#model-grid .model-badges', (els) =>
      els.map((e) => Array.from(e.querySelectorAll('.model-badge'), (b) => b.textContent)),
    );
    assert.equal(badges.length, 4);
    assert.equal(badges[0].length, 1);
    const [, score] = /^previous-token ([\d.]+)$/.exec(badges[0][0]);
    assert.ok(Number(score) >= 0.95, badges[0][0]);
    for (const b of badges.slice(1)) assert.deepEqual(b, []);
    assert.match(await page.getAttribute('.model-badges[data-head="2"]', 'title'), /previous-token 0\.\d+/);
    const legend = await page.textContent('#model-heads-legend');
    assert.match(legend, /Σ\(A ⊙ P\) \/ ΣA/);
    assert.match(legend, /averaged over 8 probes, each \[BOS\] then 16 random tokens/);
    assert.match(legend, /at least 0\.5/);
    assert.match(await page.textContent('#model-ablated'), /Every head is on/);

    const predictions = () => page.$$eval('#model-predictions li', (els) => els.map((e) => e.textContent));
    const before = await predictions();
    const lossText = await page.textContent('#model-loss');
    assert.ok(Math.abs(shownLoss(lossText) - lossOn) < 1e-3 * lossOn, `${lossText} vs ${lossOn}`);
    assert.match(lossText, new RegExp(`text's ${ids.length} tokens: .* over ${ids.length - 1} predictions`));

    // Switch head 0 off from the keyboard: focus its button, Enter.
    const toggle = '#model-grid .model-ablate[data-layer="0"][data-head="0"]';
    assert.equal(await page.getAttribute(toggle, 'aria-pressed'), 'false');
    await page.focus(toggle);
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => /Layer 0, head 0/.test(document.getElementById('model-ablated').textContent),
      null,
      {
        timeout: 20000,
      },
    );
    assert.equal(await page.getAttribute(toggle, 'aria-pressed'), 'true');
    assert.ok(await page.$eval('.model-cell[data-layer="0"][data-head="0"]', (c) => c.classList.contains('ablated')));
    const offText = await page.textContent('#model-loss');
    assert.ok(Math.abs(shownLoss(offText) - lossOff) < 1e-3 * lossOff, `${offText} vs ${lossOff}`);
    assert.notDeepEqual(await predictions(), before);
    await page.screenshot({ path: join(SHOTS, 'model-heads-1280.png'), fullPage: true });

    // And back on with a click: the first run's predictions and loss again.
    await page.click(toggle);
    await page.waitForFunction(
      () => /Every head is on/.test(document.getElementById('model-ablated').textContent),
      null,
      {
        timeout: 20000,
      },
    );
    assert.deepEqual(await predictions(), before);
    assert.equal(await page.textContent('#model-loss'), lossText);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});
