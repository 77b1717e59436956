// The probe set for ablation: fixed sentences of the built-in language (src/train/language.h's
// kinds: agreement across a distractor, a pronoun and its antecedent, repeated names, a bracket, a
// quote, counting, a saying), written as that language writes them (lower case, every punctuation
// mark its own word). The worker scores the model on them, with and without the heads switched off,
// so the page can show what a head's absence breaks. Every word of every sentence is one token of the
// language's vocabulary (tests/web/builtin-text.test.mjs).
export const PROBE_SENTENCES = Object.freeze([
  'the keys to the old cabinet are on the table .',
  'the key to the old cabinets is on the table .',
  'the books near the little box are heavy .',
  'the dog behind the houses is happy .',
  "the animal didn't cross the street because it was too tired .",
  "the animal didn't cross the street because it was too wide .",
  "the trophy didn't fit in the suitcase because it was too big .",
  'when alice and bob went to the park , bob gave a ball to alice .',
  'when mary and tom went to the store , tom gave a cake to mary .',
  'the cups ( on the old table ) are clean .',
  'i saw 3 cats , 2 dogs & 1 parrot !',
  'attention is all you need .',
]);
