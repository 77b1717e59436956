// Browser test of the page's Train mode (web/page/train/): a link with tr=1 trains the reverse task
// in the page's worker until some head's drawn attention puts ≥ 0.9 of its weight on the mirrored
// position (read from the figure's data through window.__apTrain, and from the heatmap's pixels);
// the URL keeps the form; a bad size in the link gives a message, not a blank page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SHOTS, startHarness } from './page-harness.mjs';

let harness;
before(async () => {
  harness = await startHarness();
});
after(() => harness?.close());

const REVERSE = '#tr=1&tt=reverse&tl=1&th=2&td=32&tm=none&tp=learned&tlr=0.01&ts=1';

test('Train mode: reverse learns the anti-diagonal in the page', async () => {
  const { page, problems, close } = await harness.open(REVERSE, { wait: false });
  try {
    await page.waitForFunction(() => window.__apTrain?.shown().attention, null, { timeout: 20000 });
    assert.equal(await page.getAttribute('#mode-train', 'aria-pressed'), 'true');
    assert.ok(await page.isHidden('#pipeline'));
    assert.equal(await page.inputValue('select[name=tTask]'), 'reverse');
    assert.equal(await page.inputValue('select[name=tPos]'), 'learned');
    const before = await page.evaluate(() => Math.max(...window.__apTrain.shown().scores));
    assert.ok(before < 0.9, `untrained mirror score ${before}`);
    await page.click('#train-start');
    await page.waitForFunction(() => Math.max(...(window.__apTrain.shown().scores ?? [0])) >= 0.9, null, {
      timeout: 30000,
    });
    await page.click('#train-pause');
    const shown = await page.evaluate(() => {
      const s = window.__apTrain.shown();
      return { steps: s.steps, scores: Array.from(s.scores), n: s.attention.n, heads: s.attention.heads };
    });
    assert.ok(shown.steps > 0);
    const best = shown.scores.indexOf(Math.max(...shown.scores));
    // The heatmap drawn for that head: its mirrored cells are the brightest of their rows.
    const pixels = await page.evaluate((h) => {
      const canvas = document.querySelectorAll('.train-map canvas')[h];
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      return Array.from(data);
    }, best);
    const n = shown.n;
    let brightest = 0;
    for (let i = n / 2; i < n; i++) {
      const lum = (j) => pixels[4 * (i * n + j)] + pixels[4 * (i * n + j) + 1] + pixels[4 * (i * n + j) + 2];
      let top = 0;
      for (let j = 0; j < n; j++) if (lum(j) > lum(top)) top = j;
      if (top === n - 1 - i) brightest += 1;
    }
    assert.ok(brightest >= n / 2 - 1, `mirrored cell brightest in ${brightest} of ${n / 2} rows`);
    assert.match(await page.textContent('#train-view'), /mirror 9\d %|mirror 100 %/);
    assert.match(await page.textContent('.train-status'), /Step \d+ · held-out loss/);
    assert.match(page.url(), /tt=reverse.*tp=learned/);
    assert.equal(await page.getAttribute('#mode-all', 'aria-pressed'), 'false');
    await page.screenshot({ path: join(SHOTS, 'train-reverse.png') });
    // Leaving for the random-weights view: Train mode hides, its fields leave the URL.
    await page.click('#mode-all');
    assert.ok(await page.isHidden('#train-view'));
    assert.equal(await page.getAttribute('#mode-all', 'aria-pressed'), 'true');
    assert.equal(await page.getAttribute('#mode-train', 'aria-pressed'), 'false');
    await page.waitForFunction(() => !/tr=1/.test(location.hash), null, { timeout: 5000 }); // URL writes are throttled
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('Train mode at 320 px: a size out of range in the link is a message; the form still works', async () => {
  const { page, close } = await harness.open('#tr=1&tt=copy&tl=9&th=2&td=32', { wait: false, width: 320 });
  try {
    await page.waitForSelector('.train-error:not([hidden])', { timeout: 20000 });
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 320, `the page is ${wide} px wide at 320`);
    assert.match(await page.textContent('.train-error'), /layers must be an integer in 1 … 4, got 9/);
    await page.selectOption('select[name=tTask]', 'copy');
    await page.fill('input[name=tLayers]', '1');
    await page.dispatchEvent('input[name=tLayers]', 'change');
    await page.waitForFunction(() => window.__apTrain.shown().attention?.layers === 1, null, { timeout: 20000 });
    await page.waitForFunction(() => /tl=1&/.test(location.hash), null, { timeout: 5000 });
  } finally {
    await close();
  }
});
