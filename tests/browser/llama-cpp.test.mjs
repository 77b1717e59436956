// Against llama.cpp itself: @wllama/wllama 3.x (llama.cpp's server context compiled to wasm) in headless
// Chromium, one thread, F32 KV cache, no flash attention, greedy, beside our runtime (web/lib/model.js) in
// the same page (bench/model/page.mjs), on GGUF files the test writes (tests/js/model_files.mjs).
//
// For each file and a test text: llama.cpp tokenizes the text itself (wllama 3 has no tokenize call, and
// its completion takes text only), we tokenize it with ours; then
//   - the prompt's token count is the same, and llama.cpp's distribution after the prompt matches ours on
//     our ids (with random weights a different id anywhere in the prompt moves it far past the tolerance:
//     checked below on a tokenization one split apart);
//   - the greedy continuation is the same for STEPS tokens;
//   - at each of the STEPS positions, llama.cpp's top-10 probabilities (softmax of its raw logits) match
//     ours and the float64 reference forward (tests/js/model_files.mjs) within TOLERANCE;
//   - the reference with the other RoPE style (NEOX halves for llama, interleaved pairs for qwen2) is far
//     outside it, so the comparison would catch our forward rotating the wrong pairs.
// Every architecture of issue 13 loads in llama.cpp: llama (separate and tied output, GQA), qwen2, gpt2.
//
// And the built-in language model (web/models/language.gguf, trained by scripts/train: an SPM vocabulary of
// whole words with byte fallback, SwiGLU MLPs): at every position of a few sentences of its language,
// llama.cpp's token count, top-1 prediction and top-10 probabilities after that prefix match ours (see the
// last test).
//
// Vocabularies have byte tokens 0x00–0x7F only (spmVocab / bpeVocab highBytes: false): wllama's JSON
// writer throws on a generated piece that is not whole UTF-8, and breaks its worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPeers } from '../../bench/model/chromium.mjs';
import { writeModel, vocabFromSpec, referenceForward } from '../js/model_files.mjs';
import { readFileSync } from 'node:fs';
import { loadModel } from '../../web/lib/model.js';

const K = 10;
const STEPS = 16;

// Largest |p_llama.cpp − p| allowed over the top-10 tokens of every step (measured here, 2026-12-01):
//   F32 and F16 matrices: ≤ 9e-7 measured (the tied output, whose larger logits round more; the others
//     ≤ 1e-7; issue 13 measured ≈ 6e-6 on stories260K): 2e-6;
//   gpt2: 2.2e-5 measured, against ours and the float64 reference alike: ggml's CPU GELU reads a table
//     of F16 values indexed by the input rounded to F16 (GGML_GELU_FP16); the reference computing GELU
//     that way comes within 2.1e-6 of llama.cpp (checked below): 6e-5;
//   Q8_0 matrices: 8.8e-4 measured: llama.cpp quantizes the activations to Q8_0 before each product
//     (ggml's vec_dot_type), we keep them in float32 (ours is within 1e-7 of the reference on the stored
//     weights): 2e-3.
// A check that the comparison can fail: the reference with the other RoPE style must be > 5× away.
const TOLERANCE = { f32: 2e-6, gpt2: 6e-5, f16: 2e-6, q8_0: 2e-3 };

const SPM = {
  kind: 'spm',
  highBytes: false,
  pieces: [
    ['▁', -8],
    ['▁O', -1],
    ['▁a', -2],
    ['nce', -3],
    ['▁up', -4],
    ['on', -5],
    ['日', -6],
    ['本', -7],
    ['日本', -3],
    ['▁日本', -2],
    ['▁t', -4],
    ['he', -5],
    ['▁the', -1],
  ],
};
const BPE = (pre) => ({
  kind: 'bpe',
  highBytes: false,
  pre,
  merges: ['Ġ t', 'h e', 'Ġt he', 'Ġ a', 'Ġ c', 'a t', 'Ġc at', 'Ġ s', 'Ġs at', 'Ġ 1'],
});
const SPM_TEXT = 'Once upon a time 日本, the cat sat on the mat 42 times.';
const BPE_TEXT = 'the cat sat on the mat, then the cat sat 12 times!';

const CASES = [
  { name: 'llama, separate output', spec: { arch: 'llama', heads: 4, kvHeads: 4, seed: 21 }, text: SPM_TEXT },
  { name: 'llama, tied output', spec: { arch: 'llama', heads: 4, kvHeads: 4, tied: true, seed: 22 }, text: SPM_TEXT },
  {
    name: 'llama, GQA: 8 heads over 2 K/V heads',
    spec: { arch: 'llama', d: 64, ff: 96, heads: 8, kvHeads: 2, seed: 23 },
    text: SPM_TEXT,
  },
  {
    name: 'qwen2 (q/k/v biases, NEOX RoPE), BPE',
    spec: { arch: 'qwen2', seed: 24 },
    vocab: BPE('qwen2'),
    text: BPE_TEXT,
  },
  {
    name: 'gpt2 (LayerNorm, learned positions), BPE',
    spec: { arch: 'gpt2', heads: 4, kvHeads: 4, seed: 25 },
    vocab: BPE('gpt-2'),
    text: BPE_TEXT,
  },
  {
    name: 'llama F16, GQA',
    spec: { arch: 'llama', d: 64, ff: 96, heads: 4, kvHeads: 2, type: 'f16', seed: 26 },
    text: SPM_TEXT,
  },
  {
    name: 'llama Q8_0, GQA',
    spec: { arch: 'llama', d: 64, ff: 128, heads: 4, kvHeads: 2, type: 'q8_0', seed: 27 },
    text: SPM_TEXT,
  },
];

let peers;
before(async () => {
  peers = await openPeers();
});
after(() => peers?.close());

function softmax(logits) {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  let z = 0;
  for (const v of logits) z += Math.exp(v - max);
  return Array.from(logits, (v) => Math.exp(v - max) / z);
}

// Largest |p − q(id)| over llama.cpp's top-k of each step; q: per step, a whole distribution.
function worst(top, dists) {
  let max = 0;
  top.forEach((step, i) => {
    for (const { id, p } of step) max = Math.max(max, Math.abs(p - dists[i][id]));
  });
  return max;
}

for (const c of CASES) {
  test(`llama.cpp agrees with ours: ${c.name}`, async (t) => {
    const type = c.spec.type ?? 'f32';
    const tolerance = c.spec.arch === 'gpt2' ? TOLERANCE.gpt2 : TOLERANCE[type];
    const spec = { ctx: 64, ...c.spec, vocab: c.vocab ?? SPM };
    const key = c.name;
    await peers.call('write', key, spec);
    await peers.call('llama.open', key, { nCtx: 64, nBatch: 64 });
    await peers.call('ours.open', key);

    const ids = await peers.call('ours.tokenize', c.text);
    const llama = await peers.call('llama.complete', c.text, { steps: STEPS, k: K });
    assert.equal(llama.promptTokens, ids.length, 'llama.cpp and ours cut the text into as many tokens');

    // The greedy continuation.
    const ours = await peers.call('ours.generate', ids, STEPS);
    assert.equal(llama.finish, 'length', 'llama.cpp generated every step (no end-of-text)');
    if (type === 'q8_0') {
      // Both quantize the decoding step's activations to 8 bits, with different scales and rounding
      // (ours: a float scale and x/d to nearest even; ggml: an F16 scale and x·(1/d) away from zero),
      // so greedy picks may part at a near tie: allowed only where llama.cpp's own probabilities of
      // the two picks are within twice the tolerance; up to there the continuations are the same.
      const split = llama.ids.findIndex((id, i) => id !== ours[i]);
      if (split >= 0) {
        const step = llama.top[split];
        const best = Math.max(...step.map((e) => e.p));
        const mine = step.find((e) => e.id === ours[split]);
        assert.ok(
          mine && best - mine.p <= 2 * tolerance,
          `the greedy continuations part at step ${split} without a near tie: ${JSON.stringify(step.slice(0, 3))}, ours ${ours[split]}`,
        );
      }
    } else {
      assert.deepEqual(llama.ids, ours, 'the greedy continuation');
    }
    assert.equal(llama.top.length, STEPS);

    // The top-10 probabilities at every step: ours, and the float64 reference.
    const sequence = [...ids, ...llama.ids];
    const positions = llama.ids.map((_, i) => ids.length - 1 + i);
    const ourDists = await peers.call('ours.probs', sequence, positions);
    const vsOurs = worst(llama.top, ourDists);

    const vocab = vocabFromSpec(spec.vocab);
    const { ref } = writeModel({ ...spec, vocab });
    const reference = (rope) => {
      const { logits } = referenceForward({ ...ref, rope }, sequence);
      return positions.map((pos) => softmax(logits[pos]));
    };
    const exact = reference(ref.rope);
    const vsReference = worst(llama.top, exact);
    let ourVsReference = 0;
    ourDists.forEach((dist, i) =>
      dist.forEach((p, id) => (ourVsReference = Math.max(ourVsReference, Math.abs(p - exact[i][id])))),
    );
    const summary = { case: c.name, type, tokens: ids.length, vsOurs, vsReference, ourVsReference };
    if (ref.arch === 'gpt2') {
      const { logits } = referenceForward({ ...ref, gelu: 'f16-table' }, sequence);
      summary.vsTableGelu = worst(
        llama.top,
        positions.map((pos) => softmax(logits[pos])),
      );
      assert.ok(
        summary.vsTableGelu < vsReference / 4,
        `the F16-table GELU explains llama.cpp's gpt2: ${summary.vsTableGelu}`,
      );
    }

    if (ref.rope !== 'none') {
      const other = ref.rope === 'pairs' ? 'halves' : 'pairs';
      summary.vsOtherRope = worst(llama.top, reference(other));
      assert.ok(
        summary.vsOtherRope > 5 * tolerance,
        `the other RoPE style (${other}) differs by ${summary.vsOtherRope}, which the tolerance ${tolerance} must not hide`,
      );
    }
    if (c.vocab === undefined && type === 'f32') {
      // A tokenization one token apart (▁O split into ▁ and O) is far outside the tolerance too:
      // agreement after the prompt pins the tokenization.
      assert.equal(ids[1], vocab.tokens.indexOf('▁O'));
      const split = [ids[0], vocab.tokens.indexOf('▁'), vocab.tokens.indexOf('<0x4F>'), ...ids.slice(2)];
      const [splitDist] = await peers.call('ours.probs', split, [split.length - 1]);
      summary.vsOtherTokens = worst(llama.top.slice(0, 1), [splitDist]);
      assert.ok(summary.vsOtherTokens > 5 * tolerance, `another tokenization differs by ${summary.vsOtherTokens}`);
    }
    t.diagnostic(JSON.stringify(summary));
    assert.ok(vsOurs <= tolerance, `llama.cpp vs ours: ${vsOurs} > ${tolerance}`);
    assert.ok(vsReference <= tolerance, `llama.cpp vs the float64 reference: ${vsReference} > ${tolerance}`);
    assert.ok(ourVsReference <= TOLERANCE.f32, `ours vs the float64 reference: ${ourVsReference}`);
    assert.deepEqual(peers.problems, []);
  });
}

// Sentences of the built-in language (src/train/language.cpp): agreement across a distractor phrase, a
// pronoun and its antecedent, the saying, and a word outside the vocabulary ("zebra": byte tokens).
const LANGUAGE_SENTENCES = [
  'the keys to the old cabinet are',
  "the animal didn't cross the street because it was too tired",
  'attention is all you need',
  'the zebra sat on the mat',
];
// Largest |p_llama.cpp − p| over the top-10 after every prefix (measured 2026-12-02): against ours'
// float64 softmax 1.07e-5, with no spread in the top-10's log-ratios (≤ 9e-6): it is the normalisation.
// llama.cpp's server computes n_probs with a float32 softmax over the logits sorted from the largest
// (get_token_probabilities: `cum_sum += expf(logit − max)` in float), so where one token holds nearly all
// the mass (this trained model: top-1 up to 0.99999) the ~990 small terms round away and every p comes
// out up to 1e-5 high. Ours' logits through that same float32 softmax: 5.0e-7 from llama.cpp, inside the
// F32 tolerance above; the float64 one is allowed 2e-5 and must be the one the float32 sum explains.
const LANGUAGE_TOLERANCE = { float32Softmax: TOLERANCE.f32, float64Softmax: 2e-5 };

// llama.cpp's n_probs from a distribution q (float64, ours): its logits up to a constant are log q.
function llamaCppSoftmax(q) {
  const f = Math.fround;
  const logits = q.map((p) => f(Math.log(p)));
  const order = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a]);
  const max = logits[order[0]];
  const out = new Array(q.length);
  let sum = 0;
  for (const i of order) {
    out[i] = f(Math.exp(f(logits[i] - max)));
    sum = f(sum + out[i]);
  }
  return out.map((v) => f(v / sum));
}

test('llama.cpp agrees with ours on the built-in language model: tokens, top-1 and probabilities at every position', async (t) => {
  const { bytes } = await peers.call('fetch', 'language', '/web/models/language.gguf');
  assert.ok(bytes > 100e3, `language.gguf is ${bytes} bytes`);
  const info = await peers.call('ours.open', 'language');
  assert.match(info.tokenizer, /SentencePiece/);
  const opened = await peers.call('llama.open', 'language', { nCtx: info.context, nBatch: info.context });
  assert.equal(opened.nVocab, info.vocab, "llama.cpp reads the file's vocabulary");
  let worstAll = 0; // against ours' float64 softmax
  let worst32 = 0; // against ours through llama.cpp's float32 softmax
  let positions = 0;
  for (const sentence of LANGUAGE_SENTENCES) {
    const words = sentence.split(' ');
    let worstHere = 0;
    for (let k = 1; k <= words.length; k++) {
      const prefix = words.slice(0, k).join(' ');
      const ids = await peers.call('ours.tokenize', prefix);
      const llama = await peers.call('llama.complete', prefix, { steps: 1, k: K });
      assert.equal(llama.promptTokens, ids.length, `"${prefix}": as many tokens in llama.cpp as in ours`);
      const [ours] = await peers.call('ours.probs', ids, [ids.length - 1]);
      const best = ours.indexOf(Math.max(...ours));
      assert.equal(llama.ids[0], best, `"${prefix}": llama.cpp's greedy next token is ours`);
      assert.equal(llama.top[0].length, K);
      worstHere = Math.max(worstHere, worst_(llama.top[0], ours));
      worst32 = Math.max(worst32, worst_(llama.top[0], llamaCppSoftmax(ours)));
      positions++;
    }
    worstAll = Math.max(worstAll, worstHere);
    t.diagnostic(
      JSON.stringify({ sentence, tokens: (await peers.call('ours.tokenize', sentence)).length, worst: worstHere }),
    );
  }
  // The comparison pins the tokenization: "cabinet" cut into ▁cabin + <0x65> + <0x74> (pieces the
  // vocabulary has) moves ours' distribution far outside the tolerance.
  const local = await loadModel(readFileSync(new URL('../../web/models/language.gguf', import.meta.url)));
  let split;
  try {
    const all = Int32Array.from({ length: local.info.vocab }, (_, i) => i);
    const texts = local.tokenPieces(all).map((p) => p.text);
    const id = (text) => {
      const at = texts.indexOf(text);
      assert.ok(at >= 0, `the vocabulary has ${text}`);
      return at;
    };
    const whole = Array.from(local.tokenize('the keys to the old cabinet'));
    assert.equal(whole.at(-1), id('▁cabinet'));
    split = [...whole.slice(0, -1), id('▁cabin'), id('<0x65>'), id('<0x74>')];
    assert.equal(local.detokenize(split), local.detokenize(whole), 'the same text');
  } finally {
    local.dispose();
  }
  const llama = await peers.call('llama.complete', 'the keys to the old cabinet', { steps: 1, k: K });
  const [splitDist] = await peers.call('ours.probs', split, [split.length - 1]);
  const vsOtherTokens = worst_(llama.top[0], splitDist);
  const tol = LANGUAGE_TOLERANCE;
  t.diagnostic(JSON.stringify({ positions, vsOurs: worstAll, vsOursFloat32Softmax: worst32, vsOtherTokens }));
  assert.ok(vsOtherTokens > 5 * tol.float64Softmax, `another tokenization differs by ${vsOtherTokens}`);
  assert.ok(worst32 <= tol.float32Softmax, `llama.cpp vs ours (float32 softmax): ${worst32} > ${tol.float32Softmax}`);
  assert.ok(worstAll <= tol.float64Softmax, `llama.cpp vs ours: ${worstAll} > ${tol.float64Softmax}`);
  assert.ok(worst32 < worstAll / 4, `the float32 softmax explains the difference: ${worst32} vs ${worstAll}`);
  assert.deepEqual(peers.problems, []);
});

// Largest |p − q[id]| over llama.cpp's top-k of one step; q: a whole distribution.
function worst_(top, q) {
  let max = 0;
  for (const { id, p } of top) max = Math.max(max, Math.abs(p - q[id]));
  return max;
}
