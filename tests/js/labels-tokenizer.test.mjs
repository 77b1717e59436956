// The labels tokenizer through the public JS API (web/lib/model.js) on the committed toy model
// web/models/reverse.gguf (tokenizer.ggml.model "none" with the task's labels a … h, SEP): a text of
// labels separated by white space is one id per label, the model reverses what it is given, a piece
// that is no label is refused by name, and a "none" file without usable labels stays token ids only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadModel } from '../../web/lib/model.js';

const reverse = () => new Uint8Array(readFileSync(new URL('../../web/models/reverse.gguf', import.meta.url)));

// The file with `from` (bytes as latin1 text, found exactly once) replaced by `to` of the same length,
// so every offset after it stays valid.
function patched(from, to) {
  assert.equal(from.length, to.length);
  const bytes = reverse();
  const text = Buffer.from(bytes).toString('latin1');
  const at = text.indexOf(from);
  assert.ok(at >= 0 && text.indexOf(from, at + 1) < 0, `${JSON.stringify(from)} is in the file once`);
  bytes.set(Buffer.from(to, 'latin1'), at);
  return bytes;
}

// A GGUF string: its u64 length, then its bytes.
const ggufString = (s) => `${String.fromCharCode(s.length)}\0\0\0\0\0\0\0${s}`;

test('reverse.gguf opens with the labels tokenizer: one id per label, joined back with spaces', async () => {
  const model = await loadModel(reverse());
  try {
    assert.match(model.info.tokenizer, /^labels/);
    assert.equal(model.info.tokenizerNote, '');
    assert.equal(model.info.bos, -1, 'a labels vocabulary adds no BOS');
    // The labels, as the file names them: the pieces of every id.
    const all = Int32Array.from({ length: model.info.vocab }, (_, i) => i);
    const labels = model.tokenPieces(all).map((p) => p.text);
    assert.deepEqual(labels, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'SEP']);
    assert.deepEqual(
      model.tokenPieces(Int32Array.of(8)).map((p) => new TextDecoder().decode(p.bytes)),
      ['SEP'],
    );
    assert.deepEqual(Array.from(model.tokenize(labels.join(' '))), Array.from(all));
    // White space of any kind and amount separates; add_special changes nothing.
    const ids = model.tokenize('  c a\th  d\nb e SEP ');
    assert.deepEqual(Array.from(ids), [2, 0, 7, 3, 1, 4, 8]);
    assert.deepEqual(Array.from(model.tokenize('c a h d b e SEP', { addSpecial: false })), Array.from(ids));
    assert.equal(model.detokenize(ids), 'c a h d b e SEP');
    // What the model was trained on: after SEP it writes the input reversed, in labels.
    // (Its context, 12, holds the 7 given and 5 more.)
    const out = model.generate(ids, 5, { temperature: 0 });
    assert.equal(model.detokenize(out), 'e b d h a');
  } finally {
    model.dispose();
  }
});

test('a piece that is no label is refused, naming it and listing the labels', async () => {
  const model = await loadModel(reverse());
  try {
    const listed = /is not one of this model's 9 token labels; write labels separated by spaces: a b c d e f g h SEP$/;
    for (const [text, piece, word] of [
      ['a b x', 'x', 3],
      ['ab', 'ab', 1],
      ['a sep', 'sep', 2],
      ['a, b', 'a,', 1],
    ]) {
      assert.throws(
        () => model.tokenize(text),
        (err) => {
          assert.ok(err.message.startsWith(`'${piece}' (word ${word} of the text) `), err.message);
          assert.match(err.message, listed);
          return true;
        },
        text,
      );
    }
    assert.equal(model.tokenize('').length, 0, 'an empty text is no ids');
  } finally {
    model.dispose();
  }
});

test('a "none" file without labels, or with labels no text can name, stays token ids only', async () => {
  // tokenizer.ggml.tokens renamed: the file names no tokens.
  const unnamed = await loadModel(patched('tokenizer.ggml.tokens', 'tokenizer.ggml.tokenz'));
  try {
    assert.equal(unnamed.info.tokenizer, '');
    assert.match(unnamed.info.tokenizerNote, /"none" and it names no tokens: token ids only/);
    assert.throws(() => unnamed.tokenize('a b'), /token ids only/);
    assert.equal(unnamed.forward(Int32Array.of(0, 1, 8)).n, 3, 'it still runs on ids');
  } finally {
    unnamed.dispose();
  }
  // A label with a space in it, and a label given twice.
  for (const [from, to, why] of [
    [ggufString('SEP'), ggufString('S P'), /label 8 'S P' holds white space/],
    [ggufString('b'), ggufString('a'), /'a' appears twice/],
  ]) {
    const model = await loadModel(patched(from, to));
    try {
      assert.equal(model.info.tokenizer, '');
      assert.match(model.info.tokenizerNote, /token labels cannot tokenize a text/);
      assert.match(model.info.tokenizerNote, why);
      assert.throws(() => model.tokenize('a'), /token ids only/);
    } finally {
      model.dispose();
    }
  }
});
