// The committed built-in models (web/models/, written by scripts/train) through the public JS API, as
// the page and the widget open them: the toy files carry tokenizer model "none" with their labels
// (the labels tokenizer, tests/js/labels-tokenizer.test.mjs) and run; the reverse model reverses; the language model tokenizes its own sentences and agrees
// verbs with their subjects across a distractor phrase.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadModel } from '../../web/lib/model.js';

const file = (name) => readFileSync(new URL(`../../web/models/${name}.gguf`, import.meta.url));
const log = (name) => JSON.parse(readFileSync(new URL(`../../web/models/${name}.json`, import.meta.url), 'utf8'));

for (const name of ['copy', 'reverse', 'sort', 'induction', 'brackets']) {
  test(`built-in ${name}: opens with its labels, its shapes those of its training log`, async () => {
    const model = await loadModel(file(name));
    try {
      const { model: recipe } = log(name);
      assert.equal(model.info.architecture, 'llama');
      assert.equal(model.info.layers, recipe.layers);
      assert.equal(model.info.heads, recipe.heads);
      assert.equal(model.info.vocab, recipe.vocab);
      assert.match(model.info.tokenizer, /^labels/);
      assert.throws(() => model.tokenize('zz'), /'zz' \(word 1 of the text\) is not one of this model's/);
      const ids = Int32Array.from({ length: 5 }, (_, i) => i % (recipe.vocab - 1));
      const pass = model.forward(ids);
      const rows = pass.attention(recipe.layers - 1, 0);
      for (let i = 0; i < ids.length; i++) {
        let sum = 0;
        for (let j = 0; j < ids.length; j++) sum += rows[i * ids.length + j];
        assert.ok(Math.abs(sum - 1) < 1e-5, `row ${i} sums to 1`);
      }
    } finally {
      model.dispose();
    }
  });
}

test('built-in reverse: the greedy continuation after SEP is the input reversed', async () => {
  const model = await loadModel(file('reverse'));
  try {
    const sep = model.info.vocab - 1; // symbols 0 … vocab−2, then SEP (src/train/tasks.h)
    const input = [3, 1, 4, 1, 5, 2];
    const out = Array.from(model.generate(Int32Array.from([...input, sep]), 5, { temperature: 0 }));
    assert.deepEqual(out, [...input].reverse().slice(0, 5));
  } finally {
    model.dispose();
  }
});

test('built-in language: its sentences tokenize to words, and "are"/"is" agree with the subject', async () => {
  const model = await loadModel(file('language'));
  try {
    const sentence = 'the keys to the old cabinet';
    const ids = model.tokenize(sentence);
    assert.equal(ids[0], model.info.bos, 'BOS first');
    assert.equal(ids.length, 7, 'one token per word');
    assert.equal(model.detokenize(ids.slice(1)).trim(), sentence);
    const word = (w) => {
      const ids = model.tokenize(w, { addSpecial: false });
      assert.equal(ids.length, 1, `${w} is one token`);
      return ids[0];
    };
    const next = (text) => {
      const ids = model.tokenize(text);
      return model.forward(ids).logits(ids.length - 1);
    };
    const plural = next('the keys to the old cabinet');
    assert.ok(plural[word('are')] > plural[word('is')], 'the keys … are');
    const singular = next('the key to the old cabinets');
    assert.ok(singular[word('is')] > singular[word('are')], 'the key … is');
  } finally {
    model.dispose();
  }
});

test('built-in language: headScores adds agreement and antecedent, and names an agreement head', async () => {
  const model = await loadModel(file('language'));
  const toy = await loadModel(file('induction'));
  try {
    const r = model.headScores({ seed: 1, probes: 8 });
    assert.deepEqual(r.kinds, [
      'previous-token',
      'duplicate-token',
      'induction',
      'first-token',
      'agreement',
      'antecedent',
    ]);
    assert.equal(r.sentences, 16, '8 annotated sentences of each kind');
    for (const h of r.heads) {
      assert.ok(h.scores.agreement >= 0 && h.scores.agreement <= 1);
      assert.ok(h.scores.antecedent >= 0 && h.scores.antecedent <= 1);
      assert.equal(h.names.includes('agreement'), h.scores.agreement >= 0.5);
    }
    const best = Math.max(...r.heads.map((h) => h.scores.agreement));
    assert.ok(best >= 0.7, `the best agreement score is ${best}`);
    // A model whose vocabulary has no such words (token ids only) gets the id-only kinds.
    const t = toy.headScores({ seed: 1, probes: 4 });
    assert.equal(t.kinds.length, 4);
    assert.equal(t.sentences, 0);
    assert.ok(t.heads.every((h) => !('agreement' in h.scores)));
  } finally {
    model.dispose();
    toy.dispose();
  }
});

test('built-in induction: the generic detector names its circuit (previous-token in layer 0, induction in layer 1)', async () => {
  // headScores' probes are a random run of the model's labels repeated, of another length than most
  // training runs: the heads are named only if they find the repeat by its content, not its distance.
  const model = await loadModel(file('induction'));
  try {
    const { heads } = model.headScores({ seed: 1, probes: 8 });
    const named = (layer, kind) => heads.filter((h) => h.layer === layer && h.names.includes(kind));
    assert.ok(named(0, 'previous-token').length >= 1, JSON.stringify(heads));
    assert.ok(named(1, 'induction').length >= 1, JSON.stringify(heads));
    assert.equal(named(0, 'induction').length, 0);
    assert.ok(Math.max(...heads.filter((h) => h.layer === 1).map((h) => h.scores.induction)) >= 0.8);
  } finally {
    model.dispose();
  }
});
