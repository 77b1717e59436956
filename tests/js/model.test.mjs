// Tests of the model runtime's JS API (web/lib/model.js) under Node: model files the tests write
// (tests/js/model_files.mjs) for every architecture, checked against a float64 JS reference forward;
// the shared stories260K.bin; malformed files; memory given back by dispose().
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadModel, maxModelBytes, memoryStats } from '../../web/lib/model.js';
import { writeModel, writeHeadsModel, referenceForward } from './model_files.mjs';

const STORIES = fileURLToPath(new URL('../../../shared/models/stories260K.bin', import.meta.url));

// |got − want| ≤ tol·(|want| + rms(want)), as the native model tests compare against their reference.
function assertClose(got, want, tol, what) {
  assert.equal(got.length, want.length, `${what}: length`);
  let sq = 0;
  for (const w of want) sq += w * w;
  const rms = Math.sqrt(sq / want.length);
  for (let i = 0; i < want.length; i++) {
    const bound = tol * (Math.abs(want[i]) + rms);
    if (!(Math.abs(got[i] - want[i]) <= bound)) assert.fail(`${what}[${i}]: ${got[i]} vs ${want[i]} (bound ${bound})`);
  }
}

function argmax(a) {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

describe('model.js on files the tests write', () => {
  for (const arch of ['llama', 'qwen2', 'gpt2']) {
    test(`${arch}: info, tokenizer, logits and attention equal the reference`, async () => {
      // gpt2's fused qkv has one K/V head per query head.
      const kvHeads = arch === 'gpt2' ? 4 : 2;
      const { bytes, ref } = writeModel({ arch, seed: 7, tied: arch === 'gpt2', kvHeads });
      let progressed = 0;
      const model = await loadModel(new Blob([bytes]), { onProgress: (read, total) => (progressed = read / total) });
      try {
        assert.equal(progressed, 1);
        assert.equal(model.info.architecture, arch);
        assert.equal(model.info.name, `js test ${arch}`);
        assert.equal(model.info.layers, 2);
        assert.equal(model.info.heads, 4);
        assert.equal(model.info.kvHeads, kvHeads);
        assert.equal(model.info.dModel, 32);
        assert.equal(model.info.headDim, 8);
        assert.equal(model.info.vocab, ref.vocab);
        assert.equal(model.info.context, 32);
        assert.equal(model.info.nRot, arch === 'gpt2' ? 0 : 8); // RoPE's dimensions per head: all of d_head
        assert.equal(model.info.qkvBias, arch !== 'llama'); // qwen2's q/k/v biases, gpt2's fused qkv bias
        assert.match(model.info.tensorTypes, /F32/);
        assert.ok(model.info.memoryBytes >= bytes.length);
        const text = arch === 'llama' ? 'Once upon a time' : 'the cat at the';
        const ids = model.tokenize(text);
        assert.ok(ids instanceof Int32Array);
        // llama.cpp keeps the space the SPM prefix added when BOS comes first, and drops it without BOS.
        assert.equal(model.detokenize(ids), arch === 'llama' ? ` ${text}` : text);
        if (arch === 'llama') assert.equal(model.detokenize(ids.subarray(1)), text);
        const pieces = model.tokenPieces(ids);
        assert.equal(pieces.length, ids.length);
        if (arch === 'llama') {
          assert.equal(ids[0], 1); // BOS
          assert.equal(pieces[1].text, '▁O');
        } else {
          assert.ok(
            pieces.some((p) => p.text === 'Ġthe'),
            pieces.map((p) => p.text).join('|'),
          );
        }
        const want = referenceForward(ref, Array.from(ids));
        const pass = model.forward(ids);
        assert.equal(pass.n, ids.length);
        for (let pos = 0; pos < ids.length; pos++)
          assertClose(pass.logits(pos), want.logits[pos], 1e-4, `logits(${pos})`);
        for (let layer = 0; layer < 2; layer++)
          for (let head = 0; head < 4; head++)
            assertClose(pass.attention(layer, head), want.attention[layer][head], 1e-4, `attention(${layer}, ${head})`);
        const trace = pass.trace(1, 3);
        assert.equal(trace.kvHead, kvHeads === 4 ? 3 : 1);
        assertClose(trace.weights, want.attention[1][3], 1e-4, 'trace.weights');
        assert.equal(trace.q.length, ids.length * 8);
        assert.throws(() => pass.attention(2, 0), /layer must be an integer in 0 … 1/);
        // Greedy generation: each new id is the argmax of the reference's last logits.
        const generated = model.generate(ids, 3, { temperature: 0 });
        assert.equal(generated.length, 3);
        let seq = Array.from(ids);
        for (const id of generated) {
          const ref1 = referenceForward(ref, seq);
          assert.equal(id, argmax(ref1.logits[seq.length - 1]));
          seq.push(id);
        }
        // Sampling with a seed repeats itself.
        const a = model.generate(ids, 4, { temperature: 1, topK: 10, seed: 5 });
        const b = model.generate(ids, 4, { temperature: 1, topK: 10, seed: 5 });
        assert.deepEqual(a, b);
        // The pass is replaced by a later forward.
        model.forward(ids.subarray(0, 2));
        assert.throws(() => pass.logits(0), /later forward/);
      } finally {
        model.dispose();
      }
      assert.throws(() => model.tokenize('x'), /disposed/);
    });
  }

  test('bad token ids and positions get messages', async () => {
    const { bytes } = writeModel({ arch: 'llama' });
    const model = await loadModel(bytes);
    try {
      assert.throws(() => model.forward([0, 999999]), /999999/);
      assert.throws(() => model.forward([]), /1 to 32 tokens/);
      assert.throws(() => model.forward(new Array(33).fill(1)), /1 to 32 tokens/);
      assert.throws(() => model.forward([0.5]), /not an integer/);
      assert.throws(() => model.tokenPieces([-1]), /outside the vocabulary/);
      const pass = model.forward([1, 5]);
      assert.throws(() => pass.logits(2), /position must be an integer in 0 … 1/);
      assert.throws(() => model.generate([1], 2, { topP: 0 }), /topP/);
    } finally {
      model.dispose();
    }
  });
});

describe('malformed files reject with a message', () => {
  test('not a model, truncated, a corrupted header', async () => {
    await assert.rejects(loadModel(new Uint8Array(10)), /./);
    await assert.rejects(loadModel('not bytes'), /ArrayBuffer, a Uint8Array, a Blob or a File/);
    const { bytes } = writeModel({ arch: 'gpt2', kvHeads: 4 });
    for (const cut of [4, 24, 100, bytes.length >> 1, bytes.length - 1]) {
      await assert.rejects(loadModel(bytes.subarray(0, cut)), (err) => err instanceof Error && err.message.length > 10);
    }
    await assert.rejects(loadModel(writeModel({ arch: 'gpt2', kvHeads: 2 }).bytes), /head_count_kv = head_count/);
    const bad = bytes.slice();
    bad[4] = 9; // version 9
    await assert.rejects(loadModel(bad), /version/i);
  });

  test('an aborted load rejects', async () => {
    const { bytes } = writeModel({ arch: 'llama' });
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await assert.rejects(loadModel(bytes, { signal: controller.signal }), /stop/);
  });

  test('the largest file is stated', async () => {
    const max = await maxModelBytes();
    assert.ok(max > 1e9 && max < 2 ** 31);
    const fake = { size: max + 1, slice() {} };
    Object.setPrototypeOf(fake, Blob.prototype);
    await assert.rejects(loadModel(fake), /largest model this page can open is \d+ MB/);
  });
});

describe('stories260K.bin (llama2.c)', { skip: !existsSync(STORIES) && 'no ../shared/models/stories260K.bin' }, () => {
  test('loads and runs on token ids', async () => {
    const bytes = readFileSync(STORIES);
    const model = await loadModel(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
    try {
      assert.equal(model.info.architecture, 'llama');
      assert.equal(model.info.source, 'llama2.c');
      assert.equal(model.info.dModel, 64);
      assert.equal(model.info.layers, 5);
      assert.equal(model.info.heads, 8);
      assert.equal(model.info.kvHeads, 4);
      assert.equal(model.info.vocab, 512);
      assert.equal(model.info.tokenizer, '');
      assert.throws(() => model.tokenize('x'), /token ids only/);
      const pass = model.forward([1, 400, 300]);
      const logits = pass.logits(2);
      assert.equal(logits.length, 512);
      assert.ok(logits.every(Number.isFinite));
      const w = pass.attention(4, 7);
      for (let i = 0; i < 3; i++) {
        let sum = 0;
        for (let j = 0; j < 3; j++) sum += w[i * 3 + j];
        assert.ok(Math.abs(sum - 1) < 1e-5);
        for (let j = i + 1; j < 3; j++) assert.equal(w[i * 3 + j], 0);
      }
      const gen = model.generate([1], 5, { temperature: 0 });
      assert.equal(gen.length, 5);
      assert.equal(gen[0], argmax(model.forward([1]).logits(0)));
    } finally {
      model.dispose();
    }
  });

  test('with a tokenizer.bin the test writes: text in, pieces out; a wrong-sized one is refused', async () => {
    // llama2.c's layout: int32 max length, then per token float32 score, int32 length, bytes.
    const pieces = ['<unk>', '\n<s>\n', '\n</s>\n'];
    for (let b = 0; b < 256; b++) pieces.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    const words = [' ', 'a', 'b', ' a', 'ab', ' ab'];
    for (const w of words) pieces.push(w);
    while (pieces.length < 512) pieces.push(`t${pieces.length}`);
    const bin = (list) => {
      const enc = list.map((p) => new TextEncoder().encode(p));
      const out = new Uint8Array(4 + enc.reduce((a, e) => a + 8 + e.length, 0));
      const view = new DataView(out.buffer);
      view.setInt32(0, Math.max(...enc.map((e) => e.length)), true);
      let at = 4;
      enc.forEach((e, i) => {
        view.setFloat32(at, i >= 259 && i < 259 + words.length ? -(i - 258) : 0, true);
        view.setInt32(at + 4, e.length, true);
        out.set(e, at + 8);
        at += 8 + e.length;
      });
      return out;
    };
    const bytes = readFileSync(STORIES);
    const model = await loadModel(bytes, { tokenizer: new Blob([bin(pieces)]) });
    try {
      assert.equal(model.info.tokenizer, 'llama2.c tokenizer.bin');
      const ids = model.tokenize('ab a');
      assert.equal(ids[0], 1); // BOS
      assert.deepEqual(
        model.tokenPieces(ids.subarray(1)).map((p) => p.text),
        [' ab', ' a'],
      );
      assert.equal(model.detokenize(ids), 'ab a');
      assert.equal(model.forward(ids).logits(ids.length - 1).length, 512);
    } finally {
      model.dispose();
    }
    await assert.rejects(loadModel(bytes, { tokenizer: bin(pieces.slice(0, 300)) }), /tokenizer\.bin: .+/);
  });
});

test('memory is flat after dispose', async () => {
  const { bytes } = writeModel({ arch: 'qwen2', d: 64, ff: 128, ctx: 32 });
  const once = async () => {
    const model = await loadModel(bytes);
    model.forward(new Array(32).fill(3));
    model.dispose();
  };
  await once();
  const after1 = await memoryStats();
  for (let i = 0; i < 3; i++) await once();
  const after4 = await memoryStats();
  assert.equal(after4.heapBytes, after1.heapBytes);
  assert.ok(
    after4.allocatedBytes <= after1.allocatedBytes + 65536,
    `${after4.allocatedBytes} vs ${after1.allocatedBytes}`,
  );
});

test('the scalar build gives the same logits and attention (every architecture)', async () => {
  for (const arch of ['llama', 'qwen2', 'gpt2']) {
    const { bytes, ref } = writeModel({ arch, seed: 11, kvHeads: arch === 'gpt2' ? 4 : 2 });
    const model = await loadModel(bytes, { simd: false });
    try {
      const ids = model.tokenize('the cat');
      const want = referenceForward(ref, Array.from(ids));
      const pass = model.forward(ids);
      for (let pos = 0; pos < ids.length; pos++)
        assertClose(pass.logits(pos), want.logits[pos], 1e-4, `${arch} logits(${pos})`);
      assertClose(pass.attention(1, 3), want.attention[1][3], 1e-4, `${arch} attention(1, 3)`);
    } finally {
      model.dispose();
    }
  }
});

// The KV-cache session the page generates with (model.session()): greedy ids equal generate()'s,
// each new position's attention rows equal the last row of a full forward's maps and of the
// reference, a replaced or disposed session refuses, and its memory goes back.
test('session: greedy ids equal generate(), new rows equal the reference, memory given back', async () => {
  for (const [arch, simd] of [
    ['llama', 'auto'],
    ['gpt2', 'auto'],
    ['llama', false], // the scalar build
  ]) {
    const kvHeads = arch === 'gpt2' ? 4 : 2;
    const { bytes, ref } = writeModel({ arch, seed: 5, kvHeads });
    const model = await loadModel(bytes, { simd });
    const stats = () => memoryStats({ simd });
    try {
      const prompt = model.tokenize(arch === 'llama' ? 'Once upon' : 'the cat');
      const want = Array.from(model.generate(prompt, 6, { temperature: 0 }));
      const before = (await stats()).allocatedBytes;
      const session = model.session();
      let logits = session.append(prompt);
      assert.equal(session.positions, prompt.length);
      const got = [];
      const seq = Array.from(prompt);
      for (let s = 0; s < 6; s++) {
        const next = session.sample({ temperature: 0 });
        assert.equal(next, argmax(logits), 'greedy is the argmax of the logits append gave');
        got.push(next);
        seq.push(next);
        logits = session.append([next]);
        // The newest row of every layer and head against the reference over the whole sequence.
        const rows = session.attention();
        const n = seq.length;
        assert.equal(rows.length, model.info.layers * model.info.heads * n);
        const r = referenceForward(ref, seq);
        for (let l = 0; l < model.info.layers; l++)
          for (let h = 0; h < model.info.heads; h++) {
            const row = rows.subarray((l * model.info.heads + h) * n, (l * model.info.heads + h + 1) * n);
            const wantRow = r.attention[l][h].subarray((n - 1) * n, n * n);
            assertClose(row, wantRow, 1e-4, `${arch} session row l${l} h${h} at ${n}`);
          }
        assertClose(logits, r.logits[n - 1], 1e-4, `${arch} session logits at ${n}`);
      }
      assert.deepEqual(got, want);
      assert.ok(session.memoryBytes() > 0);
      // A second session replaces the first, which then refuses; bad ids are refused with a message.
      const second = model.session();
      assert.throws(() => session.append([1]), /disposed or replaced/);
      assert.throws(() => second.attention(), /nothing was appended/);
      assert.throws(() => second.append([model.info.vocab]), /outside the vocabulary/);
      assert.throws(() => second.append(new Array(model.info.context + 1).fill(1)), /context is full/);
      assert.equal(second.positions, 0);
      second.dispose();
      assert.throws(() => second.append([1]), /disposed/);
      assert.ok((await stats()).allocatedBytes <= before + 65536, 'the sessions gave their memory back');
    } finally {
      model.dispose();
    }
  }
});

// Named heads and ablation (model.headScores(), forward/generate/session with ablate) on a model the
// test writes whose head 0 attends to the previous token by construction (writeHeadsModel).
describe('named heads and ablation', () => {
  test('headScores names the previous-token head from its weights, and only it', async () => {
    const model = await loadModel(writeHeadsModel());
    try {
      const r = model.headScores({ seed: 3, probes: 6 });
      assert.deepEqual(r.kinds, ['previous-token', 'duplicate-token', 'induction', 'first-token']);
      assert.deepEqual(r.thresholds, [0.5, 0.5, 0.5, 0.5]);
      assert.equal(r.half, 16);
      assert.equal(r.count, 6);
      assert.equal(r.heads.length, 4);
      const [prev, ...rest] = r.heads;
      assert.equal(prev.layer, 0);
      assert.equal(prev.head, 0);
      assert.ok(prev.scores['previous-token'] > 0.95, `previous-token score ${prev.scores['previous-token']}`);
      assert.deepEqual(prev.names, ['previous-token']);
      for (const h of rest) {
        assert.deepEqual(h.names, [], `head ${h.head} is uniform: ${JSON.stringify(h.scores)}`);
        assert.ok(h.scores['previous-token'] < 0.2);
        assert.ok(h.scores.induction < 0.2);
      }
      // Heads 1 … 3 are uniform (q = 0): row i gives 1/(i+1) to each key, so their previous-token and
      // first-token scores are the mean of 1/(i+1) over rows 1 … n−1 (n = BOS + 2·16), whatever the ids.
      let uniform = 0;
      for (let i = 1; i < 33; i++) uniform += 1 / (i + 1);
      uniform /= 32;
      for (const h of rest) {
        assert.ok(Math.abs(h.scores['previous-token'] - uniform) < 1e-5, `${h.scores['previous-token']} vs ${uniform}`);
        assert.ok(Math.abs(h.scores['first-token'] - uniform) < 1e-5);
      }
      // The same seed gives the same report; another seed still names head 0.
      assert.deepEqual(model.headScores({ seed: 3, probes: 6 }), r);
      assert.deepEqual(model.headScores({ seed: 4, probes: 6 }).heads[0].names, ['previous-token']);
      // A run longer than the context is cut to fit: (48 − BOS) / 2.
      assert.equal(model.headScores({ half: 1000, probes: 1 }).half, 23);
      assert.throws(() => model.headScores({ probes: 0 }), /probes must be an integer in 1 … 256/);
      assert.throws(() => model.headScores({ seed: -1 }), /seed/);
    } finally {
      model.dispose();
    }
  });

  test('an ablated head changes the logits exactly as zeroing its W_O columns does', async () => {
    const model = await loadModel(writeHeadsModel());
    const cut = await loadModel(writeHeadsModel({ zeroWoHead: 0 }));
    try {
      const ids = model.tokenize('abc de fgh abc de fgh');
      const n = ids.length;
      const plain = model.forward(ids);
      const logits = Array.from({ length: n }, (_, i) => plain.logits(i));
      const attention = plain.attention(0, 0);
      const off = model.forward(ids, { ablate: [[0, 0]] });
      const want = cut.forward(ids);
      let changed = 0;
      for (let i = 0; i < n; i++) {
        const got = off.logits(i);
        assertClose(got, want.logits(i), 1e-6, `ablated logits at ${i}`);
        for (let v = 0; v < got.length; v++) changed = Math.max(changed, Math.abs(got[v] - logits[i][v]));
      }
      assert.ok(changed > 1e-3, `ablating the head changed the logits by ${changed}`);
      // The head's own pattern is kept (it does not depend on itself): only its contribution is gone.
      assert.deepEqual(off.attention(0, 0), attention);
      // Ablating an uniform head changes the logits too, differently; no ablation is the same bits.
      const other = model.forward(ids, { ablate: [[0, 2]] }).logits(n - 1);
      assert.notDeepEqual(other, want.logits(n - 1));
      assert.deepEqual(model.forward(ids, { ablate: [] }).logits(n - 1), logits[n - 1]);
      // generate and the session follow the mask.
      const gen = model.generate(ids, 4, { ablate: [[0, 0]] });
      assert.deepEqual(gen, cut.generate(ids, 4));
      const session = model.session({ ablate: [[0, 0]] });
      assertClose(session.append(ids), want.logits(n - 1), 1e-4, 'session logits with the head off');
      session.dispose();
      // Bad ablation lists get messages and change nothing.
      assert.throws(() => model.forward(ids, { ablate: [[0, 4]] }), /ablate\[0\]'s head must be an integer in 0 … 3/);
      assert.throws(() => model.forward(ids, { ablate: [[1, 0]] }), /ablate\[0\]'s layer must be an integer in 0 … 0/);
      assert.throws(() => model.forward(ids, { ablate: [0, 0] }), /ablate\[0\] must be a \[layer, head\] pair/);
      assert.throws(() => model.forward(ids, { ablate: 'all' }), /ablate must be an array/);
      assert.throws(() => model.generate(ids, 1, { ablate: [[0, 0.5]] }), /head must be an integer/);
      assert.throws(() => model.session({ ablate: [[-1, 0]] }), /layer must be an integer/);
    } finally {
      model.dispose();
      cut.dispose();
    }
  });
});
