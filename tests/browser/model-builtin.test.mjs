// Browser test of the built-in models in Model mode (web/page/model/builtins.js): the bare address
// opens Model mode on web/models/language.gguf for the default sentence, every caption and shape
// taken from the loaded model (checked against the same file opened under Node) and its card from
// the training log; the footer's random-weights note follows the mode; a word outside the
// vocabulary is marked on its tokens; switching a head off changes the probe-set loss (equal to the
// one computed under Node with that head off); a toy built-in opens from the chooser, predicts its
// task, and its link reopens it with its view; a failed fetch says so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHOTS, WEB, startHarness } from './page-harness.mjs';
import { loadModel, tokenLabels } from '../../web/lib/model.js';
import { BUILTIN_TEXT } from '../../web/page/state.js';
import { PROBE_SENTENCES } from '../../web/page/model/probe-set.js';
import { builtinText } from '../../web/page/model/builtins.js';

let harness;
let node; // language.gguf under Node, the reference for what the page shows
before(async () => {
  harness = await startHarness();
  node = await loadModel(readFileSync(join(WEB, 'models', 'language.gguf')));
});
after(async () => {
  node?.dispose();
  await harness?.close();
});

const log = (name) => JSON.parse(readFileSync(join(WEB, 'models', `${name}.json`), 'utf8'));

// The mean next-token loss over the probe sentences, as the page's worker computes it.
function probeLoss(ablate) {
  let sum = 0;
  let count = 0;
  for (const s of PROBE_SENTENCES) {
    const ids = node.tokenize(s);
    const pass = node.forward(ids, { ablate });
    for (let i = 0; i + 1 < ids.length; i++) {
      const logits = pass.logits(i);
      const max = Math.max(...logits);
      let z = 0;
      for (const v of logits) z += Math.exp(v - max);
      sum += Math.log(z) + max - logits[ids[i + 1]];
      count++;
    }
  }
  return sum / count;
}

// Waits until Model mode shows a run of n tokens with its chosen head's panel.
const ran = (page, n) =>
  page.waitForFunction(
    (k) => window.__apModel?.state()?.tokens.length === k && !document.getElementById('model-large').hidden,
    n,
    { timeout: 30000 },
  );

const shown = (page, selector) => page.evaluate((s) => getComputedStyle(document.querySelector(s)).display, selector);

test('the bare address opens Model mode on the built-in language for the default sentence', async () => {
  const { info } = node;
  const ids = node.tokenize(BUILTIN_TEXT);
  const pieces = node.tokenPieces(ids).map((p) => p.text);
  const { page, problems, close } = await harness.open('', { bare: true, width: 1280, height: 900 });
  try {
    await ran(page, ids.length);
    // Opened without a view, the chosen head is the best-named one (the same scores under Node).
    const report = node.headScores({ seed: 1, probes: 8 });
    let best = null;
    for (const h of report.heads)
      for (const name of h.names) if (!best || h.scores[name] > best.score) best = { ...h, score: h.scores[name] };
    assert.ok(best, 'the language model has a named head');
    await page.waitForFunction(
      ([l, h]) => window.__apModel.state().view.layer === l && window.__apModel.state().view.head === h,
      [best.layer, best.head],
    );
    assert.equal(await page.textContent('#model-large h3'), `Layer ${best.layer}, head ${best.head}`);
    // The README's picture of the opening page (scripts/screenshots writes it to docs/): the grid of maps.
    await page.locator('#model-grid').scrollIntoViewIfNeeded();
    await page.screenshot({
      path: join(SHOTS, 'builtin-language.png'),
      clip: { x: 0, y: 0, width: 1280, height: 900 },
    });
    assert.equal(await page.getAttribute('#mode-model', 'aria-pressed'), 'true');
    assert.equal(await page.getAttribute('#model-builtins [data-builtin="language"]', 'aria-pressed'), 'true');
    const s = await page.evaluate(() => window.__apModel.state());
    assert.deepEqual(s.tokens, pieces, 'the tokens are the language tokenizer’s');
    assert.equal(await page.inputValue('#model-text'), BUILTIN_TEXT);
    // Every layer × head of the file has its map, each a causal softmax over the sentence.
    assert.equal(await page.locator('#model-grid .model-cell').count(), info.layers * info.heads);
    for (let l = 0; l < info.layers; l++)
      for (let h = 0; h < info.heads; h++) {
        const map = await page.evaluate(([a, b]) => window.__apModel.map(a, b), [l, h]);
        assert.equal(map.length, ids.length * ids.length);
        const want = node.forward(ids).attention(l, h);
        for (let k = 0; k < map.length; k++) assert.ok(Math.abs(map[k] - want[k]) < 1e-5, `map ${l}.${h}[${k}]`);
      }
    // The captions and shapes come from the model: n, d_head, its heads.
    const n = ids.length;
    assert.equal(
      await page.textContent('#model-shape'),
      `P_${best.head}: n × n = ${n} × ${n} (query × key), from q·k over d_head = ${info.headDim} (query head ${best.head}, K/V head ${best.head})`,
    );
    assert.match(await page.textContent('#model-caption'), new RegExp(`${info.heads} query heads`));
    // The card: the file's shape and what the training log says.
    const card = await page.textContent('#model-card');
    const trained = log('language');
    assert.ok(card.includes(`${info.layers} layers, ${info.heads} heads`), card);
    assert.ok(card.includes(`task language, seed ${trained.seed}, ${trained.steps.toLocaleString('en')} steps`), card);
    assert.ok(card.includes(`held-out accuracy ${(100 * trained.heldout_accuracy).toPrecision(3)} %`), card);
    assert.ok(!card.includes('attention-only'), 'the language model has its SwiGLU MLP');
    // The named heads' legend (the worker's head scores) replaces its pending line.
    await page.waitForFunction(
      () => !/^Naming the heads/.test(document.getElementById('model-heads-legend').textContent),
    );
    assert.match(await page.textContent('#model-heads-legend'), /Named heads/);
    assert.match(await page.textContent('#model-oov'), /Every word of the text is one token/);
    // The walkthrough opens on the chosen head (the best-named one) with the model's numbers.
    await page.click('#model-walk-open');
    await page.waitForFunction(
      ([l, h]) => window.__apModel.walk()?.layer === l && window.__apModel.walk()?.head === h,
      [best.layer, best.head],
    );
    // The URL names the built-in and the view.
    await page.waitForFunction(
      ([l, h]) =>
        /[#&]mb=language(&|$)/.test(location.hash) && new RegExp(`[#&]ml=${l}&mh=${h}(&|$)`).test(location.hash),
      [best.layer, best.head],
    );
    // The footer's x·W note is the random-weights pass's: hidden here, shown in its modes.
    assert.equal(await shown(page, '#footer-conventions'), 'none');
    await page.click('#mode-all');
    await page.waitForSelector('#pipeline:not([hidden])');
    assert.notEqual(await shown(page, '#footer-conventions'), 'none');
    assert.equal(await shown(page, '#model-view'), 'none');
    await page.click('#mode-train');
    assert.equal(await shown(page, '#footer-conventions'), 'none');
    await page.click('#mode-walk');
    assert.notEqual(await shown(page, '#footer-conventions'), 'none');
    await page.click('#mode-model');
    assert.equal(await shown(page, '#footer-conventions'), 'none');
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('a random-weights link still opens the random-weights page, with the footer note', async () => {
  const { page, problems, close } = await harness.open('#s=Hello+world&h=2&d=16&step=0', { width: 1280 });
  try {
    assert.equal(await shown(page, '#model-view'), 'none');
    assert.equal(await page.getAttribute('#mode-all', 'aria-pressed'), 'true');
    assert.notEqual(await shown(page, '#footer-conventions'), 'none');
    assert.doesNotMatch(await page.evaluate(() => location.hash), /[#&]m=/);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('words outside the vocabulary are marked; switching a head off changes the probe loss', async () => {
  const { page, problems, close } = await harness.open('', { bare: true, width: 1280, height: 900 });
  try {
    await ran(page, node.tokenize(BUILTIN_TEXT).length);
    const probe = () =>
      page.evaluate(() => {
        const p = document.getElementById('model-probe');
        return { loss: Number(p.dataset.loss), intact: Number(p.dataset.intact), text: p.textContent };
      });
    const intact = await probe();
    assert.ok(Math.abs(intact.intact - probeLoss([])) < 1e-4, `probe loss ${intact.intact} vs ${probeLoss([])}`);
    assert.equal(intact.loss, intact.intact);
    assert.match(intact.text, new RegExp(`${PROBE_SENTENCES.length} fixed sentences`));

    // A word is outside the vocabulary when it is not one whole token on its own (Node's tokenizer says).
    const text = 'The cat sat on the zebra';
    const whole = (w) => {
      const one = node.tokenPieces(node.tokenize(w, { addSpecial: false }));
      return one.length === 1 && !/^<0x/.test(one[0].text);
    };
    const outside = text.split(' ').filter((w) => !whole(w));
    assert.deepEqual(outside, ['The', 'zebra']);
    await page.fill('#model-text', text);
    await page.click('#model-run');
    await ran(page, node.tokenize(text).length);
    const marked = await page.$$eval('#model-tokens .model-token.oov', (chips) =>
      chips.map((c) => ({ word: c.dataset.word, title: c.title })),
    );
    assert.deepEqual([...new Set(marked.map((m) => m.word))], outside);
    for (const m of marked)
      assert.match(m.title, new RegExp(`“${m.word}” is outside the vocabulary: split into \\d+ tokens`));
    assert.ok(marked.length >= 2 + 2, 'each word is several tokens');
    const hint = await page.textContent('#model-oov');
    assert.match(hint, /^2 word\(s\) outside the vocabulary/);
    assert.ok(hint.includes('“The”') && hint.includes('“zebra”'), hint);

    // Head 1.0 off: the probe loss is the Node model's with it off, beside the intact one.
    const before = await page.evaluate(() => window.__apModel.state().view);
    const topBefore = await page.textContent('#model-predictions');
    await page.click('#model-grid .model-ablate[data-layer="1"][data-head="0"]');
    await page.waitForFunction(() => /Switched off/.test(document.getElementById('model-ablated').textContent));
    const off = await probe();
    const want = probeLoss([[1, 0]]);
    assert.ok(Math.abs(off.loss - want) < 1e-4, `probe loss without 1.0: ${off.loss} vs ${want}`);
    assert.notEqual(off.loss, intact.intact);
    assert.equal(off.intact, intact.intact);
    assert.match(off.text, /against [\d.]+ intact \([+−][\d.]+\)/);
    assert.notEqual(await page.textContent('#model-predictions'), topBefore, 'the predictions change too');
    assert.deepEqual(await page.evaluate(() => window.__apModel.state().view), before);
    await page.screenshot({ path: join(SHOTS, 'model-builtin-ablated.png'), fullPage: true });
    // On again: back to the intact loss.
    await page.click('#model-grid .model-ablate[data-layer="1"][data-head="0"]');
    await page.waitForFunction(() => /Every head is on/.test(document.getElementById('model-ablated').textContent));
    assert.equal((await probe()).loss, intact.intact);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('a toy built-in opens from the chooser and predicts its task; its link reopens it with its view', async () => {
  const { page, problems, close } = await harness.open('', { bare: true, width: 1280, height: 900 });
  try {
    await ran(page, node.tokenize(BUILTIN_TEXT).length);
    await page.click('#model-builtins [data-builtin="reverse"]');
    // The text is built from the file's labels (a sequence, SEP, its mirror, cut to the context);
    // the page's first prediction is the file's own, under Node, at the last position.
    const toy = await loadModel(readFileSync(join(WEB, 'models', 'reverse.gguf')));
    const text = builtinText('reverse', { ...toy.info, labels: tokenLabels(toy) });
    const ids = toy.tokenize(text);
    const logits = toy.forward(ids).logits(ids.length - 1);
    const best = toy.tokenPieces([logits.indexOf(Math.max(...logits))])[0].text;
    const n = ids.length;
    toy.dispose();
    assert.ok(text.includes('SEP'), text);
    await page.waitForFunction(
      ([t, k]) => document.getElementById('model-text').value === t && window.__apModel?.state()?.tokens.length === k,
      [text, n],
      { timeout: 30000 },
    );
    assert.equal(await page.getAttribute('#model-builtins [data-builtin="reverse"]', 'aria-pressed'), 'true');
    assert.equal(await page.getAttribute('#model-builtins [data-builtin="language"]', 'aria-pressed'), 'false');
    const trained = log('reverse');
    const card = await page.textContent('#model-card');
    assert.ok(card.includes(`task reverse, seed ${trained.seed}, ${trained.steps.toLocaleString('en')} steps`), card);
    assert.ok(card.includes(`${trained.model.layers} layers, ${trained.model.heads} heads`), card);
    // The log says it was trained without an MLP (the file holds zero MLP weights): the card says so.
    assert.equal(trained.model.mlp, 'none');
    assert.ok(card.includes('attention-only'), card);
    const first = await page.textContent('#model-predictions li:first-child .model-token');
    assert.equal(first, best);
    assert.equal(await page.isHidden('#model-probe'), true, 'the probe set is the language’s');
    assert.equal(await page.isHidden('#model-oov'), true, 'every label is one token');
    await page.click('#model-grid .model-cell[data-layer="1"][data-head="1"]');
    await page.waitForFunction(() => /[#&]mb=reverse&/.test(location.hash) && /[#&]ml=1&mh=1(&|$)/.test(location.hash));
    const link = await page.evaluate(() => location.hash);
    const again = await harness.open(link, { width: 1280, height: 900 });
    try {
      await again.page.waitForFunction(
        (k) => window.__apModel?.state()?.tokens.length === k && window.__apModel.state().view.layer === 1,
        n,
        { timeout: 30000 },
      );
      assert.deepEqual(await again.page.evaluate(() => window.__apModel.state().view), { layer: 1, head: 1, step: 0 });
      assert.equal(await again.page.inputValue('#model-text'), text);
      assert.equal(await again.page.textContent('#model-large h3'), 'Layer 1, head 1');
      assert.deepEqual(again.problems, []);
    } finally {
      await again.close();
    }
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('a built-in that cannot be fetched says so', async () => {
  const { page, problems, close } = await harness.open('#m=1', { width: 1280, height: 900 });
  try {
    await page.route(/\/models\/copy\.gguf$/, (route) => route.fulfill({ status: 404, body: 'not here' }));
    await page.click('#model-builtins [data-builtin="copy"]');
    await page.waitForFunction(() => document.getElementById('model-status').classList.contains('error'));
    assert.match(
      await page.textContent('#model-status'),
      /^The built-in model copy\.gguf could not be fetched: models\/copy\.gguf: the server answered 404/,
    );
    assert.equal(await page.isHidden('#model-progress'), true);
    // The browser reports the 404 itself; nothing else went wrong.
    assert.deepEqual(
      problems.filter((p) => !/status of 404/.test(p)),
      [],
    );
  } finally {
    await close();
  }
});
