// The built-in models a widget can name: <attention-playground model="induction" layer="1" head="0">.
// Each is web/models/<name>.gguf, the file scripts/train writes, found beside this module (its
// import.meta.url, so the same markup works on the project's site and on a blog that loads the
// widget from the site). A model attribute that is a bare name (no "/" and no ".") is a built-in
// name or an error; anything else is a model file's URL, as before.
//
// Each toy task's default text is built from the labels the file names (model.info's labels, read
// by model-compute.js): its symbols (every label but the separator) and the separator SEP, or for
// brackets the labels that open, close and ask. Nothing here knows a token id.

import { mulberry32 } from '../lib/random.js';

export const BUILTIN_MODELS = Object.freeze(['language', 'copy', 'reverse', 'sort', 'induction', 'brackets']);

// A bare name: letters, digits, "-" and "_", starting with a letter.
const NAME = /^[A-Za-z][\w-]*$/;

/** { builtin: name } for a built-in name, { unknown: value } for another bare name, else { url: value }. */
export function modelSource(value) {
  const v = value.trim();
  if (!NAME.test(v)) return { url: v };
  const name = v.toLowerCase();
  return BUILTIN_MODELS.includes(name) ? { builtin: name } : { unknown: v };
}

/** The built-in model's file, resolved against this module (web/widget/ → web/models/). */
export function builtinUrl(name) {
  return new URL(`../models/${name}.gguf`, import.meta.url).href;
}

// The language model's default sentence: subject–verb agreement across a distractor phrase, the
// thing its heads were trained to carry (src/train/language.h).
const LANGUAGE_TEXT = 'the keys to the old cabinet are';

// `n` distinct labels of `pool`, in a seeded random order (the first n steps of a Fisher–Yates shuffle).
function distinct(pool, n, rnd) {
  const a = [...pool];
  for (let i = 0; i < n && i < a.length; i++) {
    const j = i + Math.floor(rnd() * (a.length - i));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, Math.min(n, a.length));
}

/**
 * The default text for built-in `name` (src/train/tasks.h's sequences, cut to the model's context):
 *   copy      x_1 … x_n SEP x_1 …        reverse   x_1 … x_n SEP x_n …     sort   x_1 … x_n SEP sorted(x) …
 *   induction r_1 … r_n r_1 …  (n distinct labels)   brackets  a balanced string, "?" before each close
 * labels: the file's labels (null for a tokenizer with merges); context: the model's. null when the
 * labels are not a task's (the widget then asks for a sentence).
 */
export function defaultText(name, labels, context, seed = 42) {
  if (name === 'language') return LANGUAGE_TEXT;
  if (!labels || !(context >= 2)) return null;
  const rnd = mulberry32(seed);
  const cut = (tokens) => tokens.slice(0, context).join(' ');
  if (name === 'brackets') {
    const pairs = [
      ['(', ')'],
      ['[', ']'],
      ['{', '}'],
    ].filter(([o, c]) => labels.includes(o) && labels.includes(c));
    if (!pairs.length || !labels.includes('?')) return null;
    // tasks.cpp's generator: n pairs, opened by a fair coin at most 3 deep, "?" before each close.
    const n = Math.floor((context + 1) / 3);
    const tokens = [];
    const open = [];
    let opened = 0;
    while (tokens.length < 3 * n) {
      const mustClose = open.length === 3 || opened === n;
      if (open.length === 0 || (!mustClose && rnd() < 0.5)) {
        const pair = pairs[Math.floor(rnd() * pairs.length)];
        open.push(pair[1]);
        tokens.push(pair[0]);
        opened++;
      } else tokens.push('?', open.pop());
    }
    return cut(tokens);
  }
  const symbols = labels.filter((l) => l !== 'SEP');
  if (symbols.length < 2) return null;
  if (name === 'induction') {
    const run = distinct(symbols, Math.ceil((context + 1) / 2), rnd);
    return cut([...run, ...run]);
  }
  if (!labels.includes('SEP')) return null;
  const n = Math.floor(context / 2);
  const x = Array.from({ length: n }, () => symbols[Math.floor(rnd() * symbols.length)]);
  const order = new Map(symbols.map((l, i) => [l, i])); // the labels' own order is the task's
  const answer = { copy: x, reverse: [...x].reverse(), sort: [...x].sort((a, b) => order.get(a) - order.get(b)) }[name];
  return answer ? cut([...x, 'SEP', ...answer]) : null;
}
