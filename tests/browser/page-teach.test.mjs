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
