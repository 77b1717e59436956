// A small word/punctuation tokenizer built on Unicode property escapes.
//
// Tokens, tried in this order at each position (whitespace separates and is dropped):
//   1. emoji: a flag (two regional indicators), a keycap (1️⃣), or a pictograph with its
//      modifiers and variation selectors, joined by ZWJ into one sequence (👩‍💻 is one token);
//   2. one CJK character (Han, Hiragana, Katakana): these scripts do not put spaces between
//      words, so each character is its own token;
//   3. a number: digits with inner separators, e.g. 42, 3.14, 1,000;
//   4. a word: letters, marks and digits, with inner apostrophes kept (didn't, rock'n'roll);
//   5. anything else, one character at a time (punctuation, symbols), with its combining marks.
// An apostrophe at the start or end of a word is punctuation: 'quoted' → ' quoted '.

const CJK = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}`;
const PICTO = String.raw`(?:\p{Extended_Pictographic}|\p{Emoji_Presentation})(?:\p{Emoji_Modifier}|\uFE0F|\u20E3)*`;
const EMOJI = String.raw`\p{Regional_Indicator}{2}|[0-9#*]\uFE0F?\u20E3|${PICTO}(?:\u200D${PICTO})*`;
const WORD_CHAR = String.raw`(?:(?![${CJK}])[\p{L}\p{M}\p{N}_])`;
const WORD = String.raw`${WORD_CHAR}+(?:['’]${WORD_CHAR}+)*`;
const NUMBER = String.raw`\p{Nd}+(?:[.,]\p{Nd}+)*(?!${WORD_CHAR})`;
const OTHER = String.raw`[^\s\p{M}]\p{M}*|\p{M}+`;

const TOKEN = new RegExp(`${EMOJI}|[${CJK}]|${NUMBER}|${WORD}|${OTHER}`, 'gu');

// Splits text into token strings. Never throws; an empty or blank text gives [].
export function tokenize(text) {
  if (typeof text !== 'string') return [];
  return text.normalize('NFC').match(TOKEN) ?? [];
}
