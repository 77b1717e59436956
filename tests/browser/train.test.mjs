// Browser test of the page's Train mode (web/page/train/): a link with tr=1 trains the reverse task
// in the page's worker until a head is named "mirror" by the head detector's scores (read through
// window.__apTrain and from its badge) and its drawn attention is the anti-diagonal (the heatmap's
// pixels); Pause stops a big model within a step; the URL keeps the form; a bad size in the link
// gives a message, not a blank page.
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

// The names of the heads drawn, read from the page: [{ layer, head, names, mirror }] (heads layer-major).
const namedHeads = () =>
  window.__apTrain.shown().heads?.heads?.map((h) => ({
    layer: h.layer,
    head: h.head,
    names: h.names,
    mirror: h.scores.mirror,
  })) ?? [];

test('Train mode: reverse learns the anti-diagonal in the page and a head is named mirror', async () => {
  const { page, problems, close } = await harness.open(REVERSE, { wait: false });
  try {
    await page.waitForFunction(() => window.__apTrain?.shown().heads?.heads, null, { timeout: 20000 });
    assert.equal(await page.getAttribute('#mode-train', 'aria-pressed'), 'true');
    assert.ok(await page.isHidden('#pipeline'));
    assert.equal(await page.inputValue('select[name=tTask]'), 'reverse');
    assert.equal(await page.inputValue('select[name=tPos]'), 'learned');
    assert.ok(await page.isDisabled('#train-pause'));
    // Untrained: no head is named mirror, no badge says so, and the legend says how scores are made.
    const untrained = await page.evaluate(namedHeads);
    assert.equal(untrained.length, 2);
    for (const h of untrained) assert.ok(h.mirror < 0.5 && !h.names.includes('mirror'), JSON.stringify(h));
    assert.equal(await page.locator('.train-badges .model-badge[data-kind=mirror]').count(), 0);
    const legend = await page.textContent('.train-heads-legend');
    assert.match(legend, /Σ\(A ⊙ P\) \/ ΣA/);
    assert.match(legend, /averaged over 8 probes, each 6 random tokens .* 12 tokens in all/); // reverse of 6
    assert.match(legend, /at least 0\.5\b/);
    assert.match(legend, /mirror, on the probe example/);
    await page.click('#train-start');
    await page.waitForFunction(
      () => window.__apTrain.shown().heads?.heads?.some((h) => h.names.includes('mirror')),
      null,
      { timeout: 30000 },
    );
    await page.click('#train-pause');
    await page.waitForFunction(() => !window.__apTrain.shown().running, null, { timeout: 10000 });
    // What is drawn once paused: the last maps and the names scored on them.
    await page.waitForFunction(() => window.__apTrain.shown().at === window.__apTrain.shown().steps, null, {
      timeout: 10000,
    });
    const shown = await page.evaluate(() => {
      const s = window.__apTrain.shown();
      return { steps: s.steps, n: s.attention.n, heads: s.heads.heads.map((h) => [h.names, h.scores.mirror]) };
    });
    assert.ok(shown.steps > 0);
    const best = shown.heads.findIndex(([names]) => names.includes('mirror'));
    assert.ok(best >= 0, JSON.stringify(shown.heads));
    const score = shown.heads[best][1];
    assert.ok(score >= 0.5, `mirror ${score}`);
    // The badge under that head's map: the name and the score, as Model mode writes them.
    const badge = page.locator('.train-badges').nth(best).locator('.model-badge[data-kind=mirror]');
    assert.equal(await badge.textContent(), `mirror ${Number(score.toPrecision(2))}`);
    assert.match(await page.locator('.train-badges').nth(best).getAttribute('title'), /previous-token \d.*mirror/);
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
    assert.match(await page.textContent('.train-status'), /Step \d+ · held-out loss/);
    assert.match(page.url(), /tt=reverse.*tp=learned/);
    assert.equal(await page.getAttribute('#mode-all', 'aria-pressed'), 'false');
    await page.screenshot({ path: join(SHOTS, 'train-reverse.png'), fullPage: true });
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

test('Train mode: Pause stops a big model (4 × 8 × 256) within a step or two of the last one shown', async () => {
  const { page, problems, close } = await harness.open('#tr=1&tt=reverse&tl=4&th=8&td=256&tm=none&tp=rope&ts=2', {
    wait: false,
  });
  try {
    await page.waitForFunction(() => window.__apTrain?.shown().attention?.layers === 4, null, { timeout: 30000 });
    await page.click('#train-start');
    await page.waitForFunction(() => window.__apTrain.shown().steps >= 3, null, { timeout: 60000 });
    // Pause at some point of the training, not just as a report arrives (when a turn has ended).
    await page.waitForTimeout(700);
    const atPause = await page.evaluate(() => {
      const steps = window.__apTrain.shown().steps;
      window.__apTrain.post({ type: 'pause' });
      return steps;
    });
    await page.waitForFunction(() => !window.__apTrain.shown().running, null, { timeout: 20000 });
    const stopped = await page.evaluate(() => window.__apTrain.shown().steps);
    // The step under way when the pause arrived may finish (and one shown late); none after it.
    assert.ok(stopped - atPause <= 2, `paused at ${atPause}, stopped at ${stopped}`);
    // Paused stays paused: the maps of that step arrive, no step does.
    await page.waitForFunction(() => window.__apTrain.shown().at === window.__apTrain.shown().steps, null, {
      timeout: 20000,
    });
    assert.equal(await page.evaluate(() => window.__apTrain.shown().steps), stopped);
    assert.ok(await page.isEnabled('#train-start'));
    assert.ok(await page.isDisabled('#train-pause'));
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

test('Train mode in Chinese: the form, the buttons, the legend and the map captions are translated', async () => {
  const { page, problems, close } = await harness.open('#tr=1&tt=copy&tl=1&th=2&td=16&lang=zh', { wait: false });
  try {
    await page.waitForFunction(() => window.__apTrain?.shown().heads?.heads, null, { timeout: 20000 });
    assert.equal(await page.textContent('#train-start'), '开始');
    assert.match(await page.textContent('.train-form'), /任务.*层数.*学习率/);
    const legend = await page.textContent('.train-heads-legend');
    assert.match(legend, /^已命名的头/);
    assert.match(legend, /在 8 条探针上取平均/);
    assert.doesNotMatch(legend, /mirror，/); // copy has no mirror pattern
    assert.equal(await page.textContent('.train-map figcaption'), '第 0 层 · 第 0 个头');
    assert.match(await page.textContent('.train-status'), /^第 0 步 · 留出集损失/);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});
