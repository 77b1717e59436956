// Browser test of the Model mode's language templates (web/page/model/, src/analysis/probes.h): the
// committed built-in language model dropped on the page gets the agreement badge on the head, and
// only the heads, that model.headScores() names in Node with the page's probes, with the score it
// reports, and the legend gives the number of annotated sentences that report counted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startHarness, dropFile } from './page-harness.mjs';
import { loadModel } from '../../web/lib/model.js';
import { formatNumber } from '../../web/draw/format.js';

let harness;
before(async () => {
  harness = await startHarness();
});
after(() => harness?.close());

test('Model mode names the built-in language model’s agreement head, as headScores does', async () => {
  const bytes = readFileSync(new URL('../../web/models/language.gguf', import.meta.url));
  const node = await loadModel(bytes);
  const report = node.headScores({ seed: 1, probes: 8 }); // what web/page/model/worker.js asks for
  node.dispose();
  const want = report.heads.filter((h) => h.names.includes('agreement')).map((h) => `${h.layer}.${h.head}`);
  assert.ok(want.length >= 1, 'the committed model has an agreement head');

  const { page, problems, close } = await harness.open('', { width: 1280, height: 900 });
  try {
    await page.click('#mode-model');
    await dropFile(page, bytes, 'language.gguf');
    await page.waitForSelector('#model-grid .model-badge', { timeout: 30000 });
    const badges = await page.$$eval('#model-grid .model-badges', (els) =>
      els.map((e) => ({ at: `${e.dataset.layer}.${e.dataset.head}`, text: e.textContent })),
    );
    const named = badges.filter((b) => b.text.includes('agreement')).map((b) => b.at);
    assert.deepEqual(named, want);
    for (const h of report.heads.filter((x) => x.names.includes('agreement'))) {
      const b = badges.find((x) => x.at === `${h.layer}.${h.head}`);
      assert.ok(b.text.includes(`agreement ${formatNumber(h.scores.agreement, 2)}`), b.text);
    }
    const legend = await page.textContent('#model-heads-legend');
    assert.match(legend, new RegExp(`On ${report.sentences} annotated sentences of the built-in language`));
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});
