// Browser test of Model mode's URL state (page/state.js m* fields, page/model/model-mode.js): the
// URL keeps the view (text, layer, head, position, walkthrough step) and the file's name and size;
// a page opened from that link says which file it expects and offers the picker; given that file,
// the view comes back; given another file, only the text does, and the page says why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SHOTS, startHarness, dropFile } from './page-harness.mjs';
import { writeModel } from '../js/model_files.mjs';

let harness;
before(async () => {
  harness = await startHarness();
});
after(() => harness?.close());

// Waits until the URL (written at most every 100 ms, later under load) holds `want` ({ key: value,
// or undefined for absent }), then returns all its fields.
async function urlHolds(page, want) {
  await page
    .waitForFunction(
      (w) => {
        const q = new URLSearchParams(location.hash.slice(1));
        return Object.entries(w).every(([k, v]) => (v === null ? !q.has(k) : q.get(k) === v));
      },
      Object.fromEntries(Object.entries(want).map(([k, v]) => [k, v ?? null])),
      { timeout: 5000 },
    )
    .catch(() => {}); // the assertions below say what differs
  return params(page);
}
const params = async (page) =>
  Object.fromEntries(await page.evaluate(() => [...new URLSearchParams(location.hash.slice(1))]));

test('Model mode: the URL keeps the view and the file it needs; the view comes back with that file', async () => {
  const { bytes } = writeModel({ arch: 'llama', seed: 3 });
  const name = 'tiny-llama.gguf';
  let link;
  {
    const { page, problems, close } = await harness.open('', { width: 1280, height: 900 });
    try {
      await page.click('#mode-model');
      await dropFile(page, bytes, name);
      await page.waitForSelector('#model-predictions li', { timeout: 20000 });
      await page.fill('#model-text', 'Once upon a time on');
      await page.click('#model-run');
      await page.waitForFunction(() => window.__apModel.state()?.ids.length > 15, null, { timeout: 10000 });
      await page.click('#model-grid .model-cell[data-layer="1"][data-head="3"]');
      await page.click('#model-tokens .model-token >> nth=2');
      await page.waitForFunction(() => /After position 2 /.test(document.getElementById('model-view').textContent));
      await page.click('#model-walk-open');
      await page.waitForFunction(() => window.__apModel.walk()?.step === 1, null, { timeout: 10000 });
      for (let k = 2; k <= 4; k++) await page.click('#model-walk-next');
      await page.waitForFunction(() => window.__apModel.walk()?.step === 4);
      const p = await urlHolds(page, { m: '1', ms: '4', mp: '2', mh: '3' });
      assert.equal(p.m, '1');
      assert.equal(p.mf, name);
      assert.equal(p.mz, String(bytes.length));
      assert.equal(p.mt, 'Once upon a time on');
      assert.equal(p.ml, '1');
      assert.equal(p.mh, '3');
      assert.equal(p.mp, '2');
      assert.equal(p.ms, '4');
      link = await page.evaluate(() => location.hash);
      // Leaving Model mode drops its fields from the URL.
      await page.click('#mode-walk');
      assert.equal((await urlHolds(page, { m: undefined })).m, undefined);
      assert.ok(!(await page.evaluate(() => location.hash)).includes('mf='));
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  }
  {
    // The link on a fresh page: Model mode at once, asking for that file by name and size.
    const { page, problems, close } = await harness.open(link, { width: 1280, height: 900 });
    try {
      assert.ok(await page.isVisible('#model-view'));
      assert.equal(await page.getAttribute('#mode-model', 'aria-pressed'), 'true');
      const expect = await page.textContent('#model-expect');
      assert.ok(expect.includes(name), expect);
      assert.ok(expect.includes(`${bytes.length.toLocaleString('en')} bytes`), expect);
      assert.ok(await page.isVisible('#model-drop label.button'));
      assert.ok(await page.isHidden('#model-card'));
      assert.equal(await page.inputValue('#model-text'), 'Once upon a time on');
      await page.setInputFiles('#model-file', {
        name,
        mimeType: 'application/octet-stream',
        buffer: Buffer.from(bytes),
      });
      await page.waitForFunction(() => window.__apModel.walk()?.step === 4, null, { timeout: 20000 });
      const s = await page.evaluate(() => window.__apModel.state());
      assert.deepEqual([s.view.layer, s.view.head, s.view.step], [1, 3, 4]);
      assert.ok(s.ids.length > 15);
      assert.match(await page.textContent('#model-view'), /After position 2 /);
      const walk = await page.evaluate(() => window.__apModel.walk());
      assert.deepEqual([walk.layer, walk.head], [1, 3]);
      assert.match(await page.textContent('#model-large h3'), /Layer 1, head 3/);
      assert.ok(await page.isHidden('#model-expect'));
      await page.screenshot({ path: join(SHOTS, 'model-restored-1280.png') });
      // A pasted link (hashchange) with the same file: its view at once, here layer 0, head 1, no
      // walkthrough, another text.
      const next = new URLSearchParams(link.slice(1));
      for (const [k, v] of Object.entries({ ml: '0', mh: '1', ms: '0', mp: '-1', mt: 'Once upon' })) next.set(k, v);
      await page.evaluate((h) => (location.hash = h), '#' + next.toString());
      await page.waitForFunction(() => window.__apModel.state()?.view.head === 1 && !window.__apModel.walk(), null, {
        timeout: 10000,
      });
      const pasted = await page.evaluate(() => window.__apModel.state());
      assert.equal(pasted.view.layer, 0);
      assert.equal(await page.inputValue('#model-text'), 'Once upon');
      await page.waitForFunction(() => window.__apModel.state().ids.length < 10);
      assert.match(await page.textContent('#model-large h3'), /Layer 0, head 1/);
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  }
  {
    // Another file: the text comes back, the rest does not, and the page says why.
    const { page, problems, close } = await harness.open(link, { width: 320, height: 800 });
    try {
      const other = writeModel({ arch: 'llama', seed: 4, layers: 1 });
      await page.setInputFiles('#model-file', {
        name: 'other.gguf',
        mimeType: 'application/octet-stream',
        buffer: Buffer.from(other.bytes),
      });
      await page.waitForSelector('#model-predictions li', { timeout: 20000 });
      assert.match(
        await page.textContent('#model-status'),
        new RegExp(`other\\.gguf is open, but the link was made with ${name.replace('.', '\\.')}`),
      );
      const s = await page.evaluate(() => window.__apModel.state());
      assert.deepEqual([s.view.layer, s.view.head, s.view.step], [0, 0, 0]);
      assert.equal(await page.inputValue('#model-text'), 'Once upon a time on');
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= 320, `the page is ${wide} px wide at 320`);
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  }
});

test('Model mode: a hostile or out-of-range link is shown as text and clamped, never breaks the page', async () => {
  const { bytes } = writeModel({ arch: 'llama', seed: 3 });
  const evil = '<img src=x onerror=alert(1)>.gguf';
  const hash = (fields) => '#' + new URLSearchParams({ m: '1', ...fields }).toString();
  {
    const { page, problems, close } = await harness.open(hash({ mf: evil, mz: 'abc', mt: '<b>hi</b>' }), {
      width: 320,
      height: 800,
    });
    try {
      const expect = await page.textContent('#model-expect');
      assert.ok(expect.includes(evil), expect);
      assert.ok(expect.includes('0 bytes'), expect); // mz=abc reads as 0
      assert.equal(await page.$$eval('#model-view img', (els) => els.length), 0);
      assert.equal(await page.inputValue('#model-text'), '<b>hi</b>');
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  }
  {
    // The right file, with a layer, head, position and stage past the model's: the last of each.
    const link = hash({
      mf: 'tiny.gguf',
      mz: String(bytes.length),
      mt: 'Once upon',
      ml: '99999',
      mh: '7',
      mp: '1000000',
      ms: '999',
    });
    const { page, problems, close } = await harness.open(link, { width: 1280, height: 900 });
    try {
      await page.setInputFiles('#model-file', {
        name: 'tiny.gguf',
        mimeType: 'application/octet-stream',
        buffer: Buffer.from(bytes),
      });
      await page.waitForFunction(() => window.__apModel.walk()?.step === 7, null, { timeout: 20000 });
      const s = await page.evaluate(() => window.__apModel.state());
      assert.deepEqual([s.view.layer, s.view.head], [1, 3]);
      const n = s.ids.length;
      assert.ok(
        (await page.textContent('#model-view')).includes(`After position ${n - 1} `),
        'predictions after the last token',
      );
      const p = await urlHolds(page, { ml: '1', mh: '3', mp: String(n - 1), ms: '7' });
      assert.deepEqual([p.ml, p.mh, p.mp, p.ms], ['1', '3', String(n - 1), '7']); // as clamped
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  }
});
