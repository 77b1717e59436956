// Browser test of the walkthrough on a real model's layer and head (web/page/model/model-walk.js):
// for a llama (4 query heads on 2 K/V heads, RoPE in interleaved pairs), a qwen2 (RoPE on halves,
// q/k/v biases) and a gpt2 (no RoPE, LayerNorm, biases), every stage's figures hold the numbers of
// model.forward(ids).trace(layer, head) (the same file loaded in Node) and of the float64 reference,
// and every formula, shape line and note says what the file's info says (norm, RoPE style and base,
// biases, head_dim, the K/V head read, ÷√d_head, the causal M).
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

function close(got, want, tol, what) {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let e = 0; e < want.length; e++) {
    const w = want[e];
    if (w === -Infinity || w === null) {
      assert.equal(got[e], null, `${what}[${e}] should be masked (−∞)`);
      continue;
    }
    assert.ok(Math.abs(got[e] - w) <= tol * (1 + Math.abs(w)), `${what}[${e}]: ${got[e]} vs ${w}`);
  }
}

const walk = (page) => page.evaluate(() => window.__apModel.walk());

for (const arch of ['llama', 'qwen2', 'gpt2']) {
  test(`Model walkthrough (${arch}): every stage's numbers and captions are the model's`, async () => {
    const kvHeads = arch === 'gpt2' ? 4 : 2;
    const { bytes, ref } = writeModel({ arch, seed: 9, kvHeads });
    const { page, problems, close: closePage } = await harness.open('', { width: 1280, height: 900 });
    const model = await loadModel(bytes);
    try {
      const info = model.info;
      await page.click('#mode-model');
      await dropFile(page, bytes, `tiny-${arch}.gguf`);
      await page.waitForSelector('#model-predictions li', { timeout: 20000 });
      const { ids } = await page.evaluate(() => window.__apModel.state());
      const n = ids.length;
      const [layer, head] = [1, 3];
      const g = Math.floor(head / (info.heads / info.kvHeads));
      const hd = info.headDim;
      const want = model.forward(Int32Array.from(ids)).trace(layer, head);
      const r = referenceForward(ref, ids);
      await page.click(`#model-grid .model-cell[data-layer="${layer}"][data-head="${head}"]`);
      await page.click('#model-walk-open');
      await page.waitForFunction(() => window.__apModel.walk()?.step === 1, null, { timeout: 10000 });
      const stages = [];
      for (let k = 1; k <= 7; k++) {
        if (k > 1) {
          await page.click('#model-walk-next');
          await page.waitForFunction((s) => window.__apModel.walk()?.step === s, k);
        }
        stages.push(await walk(page));
      }
      const [x, qkv, scores, scale, mask, softmax, sum] = stages;
      for (const s of stages) {
        assert.equal(s.layer, layer);
        assert.equal(s.head, head);
      }
      // 1. X: the layer's normalised input, n × d_model.
      assert.equal(x.formula, arch === 'gpt2' ? 'X = LayerNorm(x)' : 'X = RMSNorm(x)');
      assert.ok(x.shape.includes(`n × d_model = ${n} × ${info.dModel}`), x.shape);
      close(x.figures.x.data, want.x, 1e-6, 'X');
      // 2. Q_h, K_g, V_g: RoPE as the file has it, biases where the file has them.
      const rope = { llama: 'RoPE_norm', qwen2: 'RoPE_neox', gpt2: null }[arch];
      if (rope) assert.ok(qkv.formula.includes(`Q_${head} = ${rope}(`), qkv.formula);
      else assert.ok(!/RoPE/.test(qkv.formula), qkv.formula);
      assert.ok(qkv.formula.includes(`K_${g} =`) && qkv.formula.includes(`V_${g} =`), qkv.formula);
      assert.equal(/b_/.test(qkv.formula), arch !== 'llama', qkv.formula);
      assert.ok(qkv.shape.includes(`n × d_head = ${n} × ${hd}`), qkv.shape);
      assert.match(
        qkv.notes,
        {
          llama: /NORM style.*pairs \(2i, 2i\+1\).*pos · 10000\^\(−2i\/n_rot\), with n_rot = 8 of the d_head = 8/,
          qwen2: /NEOX style.*halves \(i, i \+ n_rot\/2\).*n_rot = 8 of the d_head = 8/,
          gpt2: /no RoPE/,
        }[arch],
      );
      assert.match(
        qkv.notes,
        kvHeads < info.heads
          ? new RegExp(`head ${head} reads K/V head ${g}, which heads 2–3 share`)
          : /its own K\/V head/,
      );
      close(qkv.figures.qHead.data, want.q, 1e-6, 'Q_h');
      close(qkv.figures.kHead.data, want.k, 1e-6, 'K_g');
      close(qkv.figures.vHead.data, want.v, 1e-6, 'V_g');
      assert.match(qkv.figures.kHead.caption, new RegExp(`K_${g}$`));
      // 3. S_h = Q_h K_gᵀ, every pair, recomputed here from the trace's q and k.
      assert.equal(scores.formula, `S_${head} = Q_${head} K_${g}^T`);
      const raw = [];
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let dot = 0;
          for (let e = 0; e < hd; e++) dot += want.q[i * hd + e] * want.k[j * hd + e];
          raw.push(dot);
        }
      close(scores.figures.rawScores.data, raw, 1e-5, 'S_h');
      assert.ok(scores.shape.includes(`n × n = ${n} × ${n}, from d_head = ${hd}`), scores.shape);
      // 4. ÷√d_head: the scaled map is S_h / √head_dim; with and without it side by side.
      assert.equal(scale.formula, `S_${head} / (√d_head)`);
      assert.match(scale.text, new RegExp(`√d_head = √${hd}`));
      close(
        scale.figures.scaledScores.data,
        raw.map((s) => s / Math.sqrt(hd)),
        1e-5,
        'S_h / √d_head',
      );
      close(scale.figures.softmaxWithSqrt.data, Array.from(r.attention[layer][head]), 1e-4, 'softmax with √d');
      // 5. + M, causal: −∞ exactly where j > i.
      assert.match(mask.formula, new RegExp(`S_${head} / \\(√d_head\\) \\+ M`));
      assert.match(mask.formula, /0 j ≤ i; − ∞ j > i/);
      close(mask.figures.scores.data, Array.from(want.scores), 1e-6, 'scores + M');
      // 6. P_h = softmax(…): the reference's weights; every row sums to 1.
      assert.equal(softmax.formula, `P_${head} = softmax(S_${head} / (√d_head) + M)`);
      close(softmax.figures.weights.data, Array.from(r.attention[layer][head]), 1e-4, 'P_h');
      for (let i = 0; i < n; i++) {
        const row = softmax.figures.weights.data.slice(i * n, (i + 1) * n);
        assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5, `row ${i} sums to 1`);
      }
      // 7. out_h = P_h V_g.
      assert.equal(sum.formula, `out_${head} = P_${head} V_${g}`);
      assert.ok(sum.shape.includes(`out_${head}: ${n} × ${hd}`), sum.shape);
      close(sum.figures.headOutput.data, want.headOutput, 1e-6, 'out_h');
      // No stage of the random-weights walkthrough that this model does not have.
      for (const s of stages)
        for (const id of ['embeddings', 'pe', 'wq', 'wk', 'wv', 'wo', 'concat']) assert.ok(!(id in s.figures));
      if (arch === 'llama') {
        // Back goes back; another head reopens the walkthrough on it.
        await page.click('#model-walk-back');
        await page.waitForFunction(() => window.__apModel.walk()?.step === 6);
        await page.click('#model-grid .model-cell[data-layer="0"][data-head="0"]');
        await page.waitForFunction(() => window.__apModel.walk()?.head === 0);
        const again = await walk(page);
        assert.equal(again.layer, 0);
        assert.equal(again.formula, 'P_0 = softmax(S_0 / (√d_head) + M)');
        await page.setViewportSize({ width: 320, height: 800 });
        await page.waitForTimeout(100);
        const wide = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(wide <= 320, `the page is ${wide} px wide at 320`);
        await page.$eval('#model-walk', (e) => e.scrollIntoView());
        await page.screenshot({ path: join(SHOTS, 'model-walk-320.png') });
      }
      assert.deepEqual(problems, []);
    } finally {
      model.dispose();
      await closePage();
    }
  });
}
