// Tests of the training engine's JS API (web/lib/train.js) under Node: options checked before the
// core sees them (and by the core when they reach it), the loss falling on copy, the same seed giving
// the same losses and weights twice, the probe's attention, the head scores (the detector's, equal
// on the exported GGUF file opened as a model) and the exported GGUF file.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createTrainer, trainOptions } from '../../web/lib/train.js';
import { loadModel } from '../../web/lib/model.js';

const SMALL = { task: 'copy', length: 4, symbols: 6, layers: 1, heads: 2, dModel: 16, batch: 8, seed: 3 };

function mean(a) {
  let s = 0;
  for (const x of a) s += x;
  return s / a.length;
}

describe('train.js options', () => {
  const bad = [
    [{ task: 'translate' }, /task must be one of copy, reverse/],
    [{ layers: 0 }, /layers must be an integer in 1 … 4, got 0/],
    [{ heads: 2.5 }, /heads must be an integer/],
    [{ dModel: 30, heads: 4 }, /dModel \(30\) must be divisible by heads \(4\)/],
    [{ dModel: 6, heads: 2 }, /RoPE needs an even head size/],
    [{ learningRate: Number.NaN }, /learningRate must be a number in \(0, 1\)/],
    [{ learningRate: 1 }, /learningRate must be a number/],
    [{ seed: -1 }, /seed must be an integer in 0 … 999999/],
    [{ seed: '7' }, /seed must be an integer/],
    [{ mlp: 'relu' }, /mlp must be one of none, swiglu, gelu/],
    [{ layer: 2 }, /unknown training option "layer"/],
  ];
  for (const [options, message] of bad) {
    test(`rejects ${JSON.stringify(options)}`, async () => {
      assert.throws(() => trainOptions(options), message);
      await assert.rejects(createTrainer(options), message);
    });
  }

  test('fills the defaults and rejects a non-object', async () => {
    const o = trainOptions({ task: 'reverse' });
    assert.equal(o.task, 'reverse');
    assert.equal(o.layers, 1);
    assert.equal(o.learningRate, 3e-3);
    await assert.rejects(createTrainer(null), /takes an options object/);
  });

  test('the core checks what reaches it too: the task spec (induction needs distinct symbols)', async () => {
    await assert.rejects(createTrainer({ task: 'induction', length: 8, symbols: 4 }), /distinct symbols/);
  });

  test('step() and evaluate() counts are checked; a disposed trainer refuses', async () => {
    const t = await createTrainer(SMALL);
    assert.throws(() => t.step(0), /steps must be an integer in 1 … 1000/);
    assert.throws(() => t.step(1.5), /steps must be an integer/);
    assert.throws(() => t.evaluate(-3), /sequences must be an integer/);
    t.dispose();
    assert.throws(() => t.step(1), /this trainer was disposed/);
    t.dispose(); // twice is harmless
  });
});

describe('train.js training', () => {
  test('the loss falls on copy and held-out accuracy rises', async () => {
    const t = await createTrainer({ ...SMALL, learningRate: 1e-2, totalSteps: 300 });
    try {
      const before = t.evaluate(64);
      const first = t.step(10);
      assert.equal(first.steps, 10);
      assert.equal(first.loss.length, 10);
      for (const x of first.loss) assert.ok(Number.isFinite(x) && x > 0, `loss ${x}`);
      let last;
      for (let i = 0; i < 15; i++) last = t.step(10);
      assert.equal(last.steps, 160);
      const after = t.evaluate(64);
      assert.ok(mean(last.loss) < 0.5 * mean(first.loss), `loss ${mean(first.loss)} → ${mean(last.loss)}`);
      assert.ok(after.loss < before.loss, `held-out loss ${before.loss} → ${after.loss}`);
      assert.ok(after.accuracy > before.accuracy + 0.2, `accuracy ${before.accuracy} → ${after.accuracy}`);
      assert.equal(t.info().steps, 160);
    } finally {
      t.dispose();
    }
  });

  test('the same seed gives identical losses and weights twice; another seed does not', async () => {
    const run = async (seed) => {
      const t = await createTrainer({ ...SMALL, seed });
      const losses = [...t.step(20).loss];
      const { digest } = t.info();
      t.dispose();
      return { losses, digest };
    };
    const a = await run(5);
    const b = await run(5);
    const c = await run(6);
    assert.deepEqual(a.losses, b.losses);
    assert.equal(a.digest, b.digest);
    assert.notEqual(a.digest, c.digest);
    assert.notDeepEqual(a.losses, c.losses);
  });

  test('the SIMD and the scalar module train the same weights, bit for bit', async () => {
    const digests = [];
    for (const simd of [true, false]) {
      const t = await createTrainer({ ...SMALL, seed: 4, simd });
      t.step(15);
      digests.push(t.info().digest);
      t.dispose();
    }
    assert.match(digests[0], /^[0-9a-f]{16}$/);
    assert.equal(digests[0], digests[1]);
  });

  test('the probe attention: every layer and head, causal rows summing to 1, fixed ids', async () => {
    const t = await createTrainer({ ...SMALL, layers: 2, heads: 2 });
    try {
      const a = t.attention();
      assert.equal(a.layers, 2);
      assert.equal(a.heads, 2);
      assert.equal(a.n, 2 * SMALL.length); // inputs of x_1 … x_n SEP x_1 … x_n: all but the last token
      assert.equal(a.weights.length, 2 * 2 * a.n * a.n);
      assert.equal(a.labels.length, SMALL.symbols + 1);
      assert.equal(a.labels[SMALL.symbols], 'SEP');
      assert.equal(a.ids[SMALL.length], SMALL.symbols); // SEP in the middle
      for (let r = 0; r < 4 * a.n; r++) {
        const i = r % a.n;
        let sum = 0;
        for (let j = 0; j < a.n; j++) {
          const w = a.weights[r * a.n + j];
          if (j > i) assert.equal(w, 0, `future key ${j} of query ${i}`);
          sum += w;
        }
        assert.ok(Math.abs(sum - 1) < 1e-5, `row ${r} sums to ${sum}`);
      }
      t.step(5);
      const b = t.attention();
      assert.deepEqual([...b.ids], [...a.ids]);
      assert.notDeepEqual([...b.weights], [...a.weights]);
    } finally {
      t.dispose();
    }
  });
});

describe('train.js head scores', () => {
  // Reverse with RoPE (so it exports), trained a little: scores away from the initial ones.
  const REVERSE = { ...SMALL, task: 'reverse', layers: 2, heads: 2, learningRate: 1e-2 };

  test("the trainer's scores are the detector's scores of its exported GGUF file opened as a model", async () => {
    const t = await createTrainer(REVERSE);
    try {
      t.step(40);
      const mine = t.headScores({ seed: 3, probes: 6, half: 16 });
      const model = await loadModel(t.exportGguf('reverse test'));
      try {
        const theirs = model.headScores({ seed: 3, probes: 6, half: 16 });
        assert.deepEqual(mine.kinds.slice(0, 4), theirs.kinds);
        assert.deepEqual(mine.thresholds.slice(0, 4), theirs.thresholds);
        assert.equal(mine.half, theirs.half);
        assert.equal(mine.half, SMALL.length); // cut to the context: 2 · length positions
        assert.equal(mine.count, 6);
        assert.equal(mine.heads.length, 4);
        let spread = 0;
        for (const [r, h] of mine.heads.entries()) {
          const o = theirs.heads[r];
          assert.deepEqual([h.layer, h.head], [o.layer, o.head]);
          for (const kind of theirs.kinds) {
            const a = h.scores[kind];
            const b = o.scores[kind];
            assert.ok(Number.isFinite(a), `${kind} of ${r}: ${a}`);
            assert.ok(Math.abs(a - b) < 1e-4, `layer ${h.layer} head ${h.head} ${kind}: ${a} vs ${b}`);
            spread = Math.max(spread, Math.abs(a - mine.heads[0].scores[kind]));
          }
          const passing = theirs.kinds.filter((k) => h.scores[k] >= mine.thresholds[mine.kinds.indexOf(k)]);
          assert.deepEqual(
            h.names.filter((k) => k !== 'mirror'),
            passing,
          );
        }
        assert.ok(spread > 1e-3, 'the heads score differently'); // not one constant for every head
      } finally {
        model.dispose();
      }
    } finally {
      t.dispose();
    }
  });

  test("mirror (reverse only) is the answer rows' weight on the mirrored key of the probe example", async () => {
    const t = await createTrainer(REVERSE);
    try {
      t.step(10);
      const r = t.headScores();
      assert.deepEqual(r.kinds, ['previous-token', 'duplicate-token', 'induction', 'first-token', 'mirror']);
      assert.equal(r.taskProbes, 1);
      const { n, heads, weights, mask } = t.attention();
      for (const h of r.heads) {
        const lh = h.layer * heads + h.head;
        let sum = 0;
        let count = 0;
        for (let i = n / 2; i < n; i++) {
          assert.equal(mask[i], 1);
          sum += weights[(lh * n + i) * n + (n - 1 - i)];
          count += 1;
        }
        assert.ok(Math.abs(h.scores.mirror - sum / count) < 1e-6, `${h.scores.mirror} vs ${sum / count}`);
        assert.equal(h.names.includes('mirror'), h.scores.mirror >= 0.5);
      }
    } finally {
      t.dispose();
    }
    const copy = await createTrainer(SMALL);
    try {
      const r = copy.headScores();
      assert.equal(r.kinds.length, 4);
      assert.equal(r.taskProbes, 0);
      assert.ok(!r.kinds.includes('mirror'));
    } finally {
      copy.dispose();
    }
  });

  test("reverse trained with the page's settings gets a head named mirror; bad arguments throw", async () => {
    const t = await createTrainer({
      task: 'reverse',
      layers: 1,
      heads: 2,
      dModel: 32,
      positions: 'learned',
      learningRate: 0.01,
    });
    try {
      const before = t.headScores();
      assert.ok(!before.heads.some((h) => h.names.includes('mirror')), 'named before training');
      let named = null;
      for (let k = 0; k < 60 && !named; k++) {
        t.step(10);
        named = t.headScores().heads.find((h) => h.names.includes('mirror'));
      }
      assert.ok(named, 'no head named mirror after 600 steps');
      assert.ok(named.scores.mirror >= 0.5);
      assert.throws(() => t.headScores({ probes: 0 }), /probes must be an integer in 1 … 64/);
      assert.throws(() => t.headScores({ seed: -1 }), /seed must be an integer/);
      assert.throws(() => t.headScores({ half: 1.5 }), /half must be an integer/);
    } finally {
      t.dispose();
    }
    assert.throws(() => t.headScores(), /this trainer was disposed/);
  });
  test('on the induction task a probe has its layout (odd context: the last id cut) and layer 1 is named induction', async () => {
    const t = await createTrainer({ task: 'induction', layers: 2, heads: 4, dModel: 64, learningRate: 0.01 });
    try {
      const { context } = t.info();
      assert.equal(context, 11); // r_1 … r_6 r_1 … r_5
      const before = t.headScores();
      assert.equal(before.half, 6);
      assert.equal(before.length, context);
      assert.ok(!before.heads.some((h) => h.names.includes('induction')), 'named before training');
      t.step(200);
      const after = t.headScores();
      const named = after.heads.filter((h) => h.names.includes('induction'));
      assert.ok(named.length > 0, JSON.stringify(after.heads.map((h) => h.scores)));
      for (const h of named) {
        assert.equal(h.layer, 1); // an induction head needs the previous-token information of layer 0
        assert.ok(h.scores.induction >= 0.5);
      }
    } finally {
      t.dispose();
    }
  });
});

describe('train.js GGUF export', () => {
  test('the exported file is a GGUF v3 llama file with the task vocabulary', async () => {
    const t = await createTrainer({ ...SMALL, task: 'reverse', layers: 2, heads: 2, mlp: 'swiglu' });
    try {
      t.step(5);
      const bytes = t.exportGguf('reverse test');
      assert.ok(bytes instanceof Uint8Array);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      assert.equal(String.fromCharCode(...bytes.subarray(0, 4)), 'GGUF');
      assert.equal(view.getUint32(4, true), 3);
      const text = new TextDecoder('latin1').decode(bytes.subarray(0, 4096));
      for (const key of [
        'general.architecture',
        'llama',
        'reverse test',
        'tokenizer.ggml.tokens',
        'SEP',
        'blk.1.ffn_gate',
      ])
        assert.ok(text.includes(key), key);
      // The same weights give the same file; more steps change it.
      assert.deepEqual(t.exportGguf('reverse test'), bytes);
      t.step(1);
      assert.notDeepEqual(t.exportGguf('reverse test'), bytes);
    } finally {
      t.dispose();
    }
  });

  test("the exported file opens with loadModel (its labels) and gives the trainer's attention", async () => {
    const t = await createTrainer({ ...SMALL, task: 'reverse', layers: 2, heads: 2 });
    try {
      t.step(20);
      const model = await loadModel(t.exportGguf('reverse test'));
      try {
        assert.match(model.info.tokenizer, /^labels/); // tokenizer "none" with the task's labels
        assert.deepEqual(Array.from(model.tokenize('a b')), [0, 1]);
        const a = t.attention();
        const pass = model.forward(a.ids);
        for (let layer = 0; layer < a.layers; layer++)
          for (let head = 0; head < a.heads; head++) {
            const got = pass.attention(layer, head);
            const at = (layer * a.heads + head) * a.n * a.n;
            let worst = 0;
            for (let k = 0; k < a.n * a.n; k++) worst = Math.max(worst, Math.abs(got[k] - a.weights[at + k]));
            assert.ok(worst < 1e-4, `layer ${layer} head ${head}: ${worst}`);
          }
      } finally {
        model.dispose();
      }
    } finally {
      t.dispose();
    }
  });

  test('a model with learned positions has no llama form: a clear error', async () => {
    const t = await createTrainer({ ...SMALL, positions: 'learned' });
    try {
      assert.throws(() => t.exportGguf(), /learned positions|llama/i);
      assert.throws(() => t.exportGguf(7), /model name must be a string/);
    } finally {
      t.dispose();
    }
  });
});
