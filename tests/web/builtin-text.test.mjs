// The texts the page gives the built-in language model (web/models/language.gguf, through the public
// JS API as the page's worker opens it): the default sentence (state.js's BUILTIN_TEXT) and the
// ablation probe set (page/model/probe-set.js) have every word as one token of the language's
// vocabulary; and vocab-marks.js finds, from the tokenization alone, the words that are not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadModel } from '../../web/lib/model.js';
import { BUILTIN_TEXT, BUILTIN_MODELS } from '../../web/page/state.js';
import { PROBE_SENTENCES } from '../../web/page/model/probe-set.js';
import { outOfVocabulary } from '../../web/page/model/vocab-marks.js';
import { list } from '../../web/page/i18n/i18n.js';

const language = () => loadModel(readFileSync(new URL('../../web/models/language.gguf', import.meta.url)));

// The words outside the vocabulary as vocab-marks.js finds them in model.tokenize(text).
function oov(model, text) {
  const ids = model.tokenize(text);
  const pieces = model.tokenPieces(ids);
  const special = (i) => ids[i] === model.info.bos || ids[i] === model.info.eos;
  return { ids, pieces, ...outOfVocabulary(pieces, { special }) };
}

test('built-in language: the default text and every probe sentence are whole words of the vocabulary', async () => {
  const model = await language();
  try {
    assert.equal(BUILTIN_MODELS[0], 'language', 'the language comes first in the chooser');
    for (const text of [BUILTIN_TEXT, ...PROBE_SENTENCES]) {
      const words = text.split(' ');
      const ids = model.tokenize(text);
      assert.equal(ids.length, words.length + 1, `"${text}": BOS and one token per word`);
      const pieces = model.tokenPieces(ids.subarray(1)).map((p) => p.text);
      assert.deepEqual(
        pieces,
        words.map((w) => `▁${w}`),
        `"${text}" tokenizes word by word`,
      );
      assert.deepEqual(oov(model, text).words, [], `"${text}": no word marked`);
    }
    assert.ok(PROBE_SENTENCES.length >= 8, 'a probe set of several sentences');
  } finally {
    model.dispose();
  }
});

test("built-in language: every English word of the page's example sentences is in its vocabulary", async () => {
  const model = await language();
  try {
    const words = new Set(
      list('examples')
        .flatMap((s) => s.toLowerCase().match(/[a-z]+(?:'[a-z]+)?/g) ?? [])
        .filter(Boolean),
    );
    assert.ok(words.size > 30, `${words.size} words`);
    for (const w of words) {
      const pieces = model.tokenPieces(model.tokenize(w, { addSpecial: false })).map((p) => p.text);
      assert.deepEqual(pieces, [`▁${w}`], `"${w}" is one token`);
    }
  } finally {
    model.dispose();
  }
});

test('vocab marks: capitals, unknown words and numbers spelled in bytes are found from the tokens', async () => {
  const model = await language();
  try {
    // "The" is not in the lower-case vocabulary: the ▁ and T, h, e come as byte tokens.
    const a = oov(model, "The animal didn't cross the street");
    assert.deepEqual(
      a.words.map((w) => w.text),
      ['The'],
    );
    const [the] = a.words;
    assert.equal(the.tokens[0], 1, 'from the first token after BOS (the ▁ byte tokens included)');
    assert.equal(the.bytes, the.tokens.length, 'all bytes');
    for (const i of the.tokens) assert.match(a.pieces[i].text, /^<0x[0-9A-F]{2}>$/);
    assert.equal(a.tokenWord[0], -1, 'BOS belongs to no word');
    assert.ok(
      a.tokenWord.slice(the.tokens.at(-1) + 1).every((w) => w === -1),
      'the words after it are whole',
    );
    // A word split into pieces of the vocabulary (not only bytes) is marked too; a digit run as well.
    const b = oov(model, 'the zebra ate 2024 cakes');
    assert.deepEqual(
      b.words.map((w) => w.text),
      ['zebra', 'ate', '2024'],
    );
    for (const w of b.words) assert.ok(w.tokens.length > 1, `${w.text} is more than one token`);
    // Digits written as the language writes them (one a word) are whole.
    assert.deepEqual(oov(model, 'i saw 2 0 2 4 cats').words, []);
  } finally {
    model.dispose();
  }
});

test('vocab marks: byte-level pieces (GPT-2 style) and a token shared by two words', () => {
  const enc = new TextEncoder();
  const piece = (text, raw = text.replace(/^Ġ/, ' ')) => ({ text, bytes: enc.encode(raw) });
  // "hello wörld": " w" "ö" split across two byte pieces, then "rld".
  const o = enc.encode('ö');
  const pieces = [
    piece('hello'),
    piece('Ġw'),
    { text: 'Ã', bytes: o.subarray(0, 1) },
    { text: '¶', bytes: o.subarray(1) },
    piece('rld'),
  ];
  const r = outOfVocabulary(pieces);
  assert.deepEqual(r.words, [{ text: 'wörld', tokens: [1, 2, 3, 4], bytes: 0 }]);
  assert.deepEqual(r.tokenWord, [-1, 0, 0, 0, 0]);
  // One token spelling the end of a word and the start of the next: both words are split.
  const shared = outOfVocabulary([piece('ab'), piece('c d'), piece('ef')]);
  assert.deepEqual(
    shared.words.map((w) => w.text),
    ['abc', 'def'],
  );
});
