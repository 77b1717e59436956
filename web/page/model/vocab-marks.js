// Words outside the vocabulary, found from the tokenization itself (no word list): the tokens' bytes
// are decoded back into the text, each character remembers the tokens it came from, and a word
// that did not come from exactly one whole token of its own (it was split into pieces, or spelled
// out in byte tokens) is out of the vocabulary. The page marks its tokens (model-mode.js).
//
// A "word" here is a run of letters and digits (apostrophes inside it kept: "didn't", "2024"); a
// punctuation mark or any other character is a unit of its own. Spaces, and SentencePiece's ▁,
// separate words.

const BYTE_TOKEN = /^<0x[0-9A-Fa-f]{2}>$/;
const LETTER = /[\p{L}\p{M}\p{N}]/u;
const SPACE = /[\s\u2581]/u;

// pieces: (n) { text, bytes } as model.tokenPieces() gives them; special(i): true for a token that
// is no text (BOS, EOS), skipped. Returns { words, tokenWord }: words, one per word outside the
// vocabulary, { text, tokens: [token index, …], bytes: how many of them are byte tokens };
// tokenWord: (n) the index into words of the word each token belongs to, or -1.
export function outOfVocabulary(pieces, { special = () => false } = {}) {
  const decoder = new TextDecoder('utf-8');
  const chars = []; // { c, owners: [token index, …] } in text order
  let pending = []; // tokens whose bytes have not yet completed a character
  const take = (out) => {
    if (!out) return;
    for (const c of out) chars.push({ c, owners: pending });
    pending = [];
  };
  pieces.forEach((p, i) => {
    if (special(i)) return;
    pending = [...pending, i];
    take(decoder.decode(p.bytes, { stream: true }));
  });
  take(decoder.decode());

  // Units: runs of letters (with inner apostrophes), else single characters; spaces end them.
  const units = []; // { text, owners: Set }
  let word = null;
  chars.forEach(({ c, owners }, k) => {
    const next = chars[k + 1]?.c ?? '';
    const inner = (c === "'" || c === '’') && word && LETTER.test(next);
    if (LETTER.test(c) || inner) {
      if (!word) units.push((word = { text: '', owners: new Set() }));
    } else {
      word = null;
      if (SPACE.test(c)) return;
      units.push({ text: '', owners: new Set() });
    }
    const unit = units[units.length - 1];
    unit.text += c;
    for (const o of owners) unit.owners.add(o);
  });

  // Which units each token helped spell: a whole token of the vocabulary spells one unit alone.
  const unitsOf = new Map(); // token index → Set of unit indices
  units.forEach((u, k) => {
    for (const o of u.owners) {
      if (!unitsOf.has(o)) unitsOf.set(o, new Set());
      unitsOf.get(o).add(k);
    }
  });
  const isByte = (i) => BYTE_TOKEN.test(pieces[i].text);
  const tokenWord = new Array(pieces.length).fill(-1);
  const words = [];
  for (const u of units) {
    const owners = [...u.owners].sort((a, b) => a - b);
    const [only] = owners;
    const whole = owners.length === 1 && unitsOf.get(only).size === 1 && !isByte(only);
    if (whole) continue;
    // The byte tokens just before it that spell only a space (▁ as <0xE2><0x96><0x81>) belong to it.
    for (let i = owners[0] - 1; i >= 0 && !special(i) && !unitsOf.has(i) && isByte(i); i--) owners.unshift(i);
    const index = words.length;
    words.push({ text: u.text, tokens: owners, bytes: owners.filter(isByte).length });
    for (const i of owners) if (tokenWord[i] < 0) tokenWord[i] = index;
  }
  return { words, tokenWord };
}
