// Formulas typeset as MathML (MathML Core, which Chromium, Firefox and Safari render natively):
// no library, no CDN. A formula is written in the message catalogue (i18n.js) in a small notation,
// so a translator can change its words, and is built here with createElementNS and textContent
// only: nothing is ever parsed as HTML.
//
// The notation:
//   Q_h  W_Q  d_head  t_{n−1}     subscript: one letter run, number or symbol, or a {group}
//   K^T  x^{2i}  K_hᵀ             superscript (ᵀ is short for ^T); both: q_{i,d}^2
//   \frac{a}{b}                   fraction
//   √d_head  √{d_head · T}        square root of the next item or of a {group}
//   ∑_j  ∑_{k=0}^{n−1}  (or Σ)    sum, its limits under and over it in display mode
//   \cases{a & "if" c ; b & "otherwise"}   a brace with one row per ';', columns split by '&'
//   "text"                        words, as text (mtext): translate these
//   {…}                           a group (an mrow), e.g. to put a script on it
//   three or more spaces          a wide gap between two formulas on one line
// Runs of letters are identifiers (one letter is italic, several, e.g. exp, softmax, are upright);
// numbers (1.5, 2e-5, −3 as minus then 3) are mn; ∞ is mi; anything else is an operator (mo).
// Other scripts' letters (e.g. CJK) outside quotes are treated as text too.
//
// formula(source) → <math> with aria-label set to a plain-text reading of the formula, and the
// same text in an <annotation> (not shown), so screen readers and copy both have words.

export const MATHML_NS = 'http://www.w3.org/1998/Math/MathML';

const LATIN_GREEK = /[A-Za-zα-ωΑ-ΡΤ-Ωϕϵ]/u; // Σ (U+03A3) is the sum operator, not a letter
const OTHER_LETTER = /\p{L}/u;
const DIGIT = /[0-9]/;
const SUM = new Set(['∑', 'Σ']);

// ---- tokens ----------------------------------------------------------------------------------

function tokenize(source) {
  const chars = Array.from(source);
  const out = [];
  let i = 0;
  while (i < chars.length) {
    const c = chars[i];
    if (c === ' ' || c === '\u00a0' || c === '\t' || c === '\n') {
      let j = i;
      while (j < chars.length && /\s/.test(chars[j])) j++;
      if (j - i >= 3) out.push({ type: 'gap' });
      i = j;
    } else if (c === '"' || c === '“') {
      const close = c === '"' ? '"' : '”';
      let j = i + 1;
      while (j < chars.length && chars[j] !== close) j++;
      out.push({ type: 'text', value: chars.slice(i + 1, j).join('') });
      i = j + 1;
    } else if (c === '\\') {
      let j = i + 1;
      while (j < chars.length && /[a-z]/.test(chars[j])) j++;
      out.push({ type: 'cmd', value: chars.slice(i + 1, j).join('') });
      i = j;
    } else if ('{}_^'.includes(c)) {
      out.push({ type: c });
      i++;
    } else if (c === 'ᵀ') {
      if (out.at(-1)?.type !== '^') out.push({ type: '^' });
      out.push({ type: 'ident', value: 'T' });
      i++;
    } else if (c === '√') {
      out.push({ type: 'sqrt' });
      i++;
    } else if (SUM.has(c)) {
      out.push({ type: 'op', value: '∑', sum: true });
      i++;
    } else if (c === '∞') {
      out.push({ type: 'ident', value: c });
      i++;
    } else if (LATIN_GREEK.test(c)) {
      let j = i;
      while (j < chars.length && LATIN_GREEK.test(chars[j])) j++;
      out.push({ type: 'ident', value: chars.slice(i, j).join('') });
      i = j;
    } else if (DIGIT.test(c)) {
      const m = /^\d+(?:\.\d+)?(?:e[−-]?\d+)?/.exec(chars.slice(i, i + 40).join(''));
      out.push({ type: 'num', value: m[0] });
      i += Array.from(m[0]).length;
    } else if (OTHER_LETTER.test(c)) {
      let j = i;
      while (j < chars.length && OTHER_LETTER.test(chars[j]) && !LATIN_GREEK.test(chars[j])) j++;
      out.push({ type: 'text', value: chars.slice(i, j).join('') });
      i = j;
    } else {
      // A hyphen is a minus sign; a middle dot is the dot operator (symmetric spacing).
      out.push({ type: 'op', value: c === '-' ? '−' : c === '·' ? '⋅' : c });
      i++;
    }
  }
  return out;
}

// ---- parsing into a small tree ---------------------------------------------------------------
// Nodes: { k: 'mi' | 'mn' | 'mo' | 'mtext', text } | { k: 'mrow', kids } | { k: 'gap' }
//        | { k: 'script', base, sub?, sup? } | { k: 'frac', num, den } | { k: 'sqrt', kid }
//        | { k: 'cases', rows: [[node…]…] }

function parse(source) {
  const toks = tokenize(source);
  let p = 0;
  const peek = () => toks[p];

  function sequence() {
    const kids = [];
    while (p < toks.length && peek().type !== '}') kids.push(item());
    return kids;
  }

  function group() {
    if (peek()?.type === '{') {
      p++;
      const kids = sequence();
      if (peek()?.type === '}') p++;
      return kids.length === 1 ? kids[0] : { k: 'mrow', kids };
    }
    return atom();
  }

  function item() {
    const base = atom();
    let sub = null;
    let sup = null;
    while (p < toks.length && (peek().type === '_' || peek().type === '^')) {
      const which = toks[p++].type;
      const arg = p < toks.length ? group() : { k: 'mrow', kids: [] };
      if (which === '_') sub = arg;
      else sup = arg;
    }
    return sub || sup ? { k: 'script', base, sub, sup } : base;
  }

  // A minus sign with nothing before it, or after an operator, is a sign, not a subtraction:
  // −0.36 becomes one number, −∞ a group (so MathML gives it no space as a binary operator).
  const isSign = (at) =>
    toks[at].type === 'op' &&
    toks[at].value === '−' &&
    (at === 0 ||
      (['op', 'gap', '{', '_', '^'].includes(toks[at - 1].type) && !/[)\]|]/.test(toks[at - 1].value ?? ''))) &&
    toks[at + 1] &&
    (toks[at + 1].type === 'num' || toks[at + 1].type === 'ident');

  function atom() {
    if (p < toks.length && isSign(p)) {
      p++;
      const next = toks[p++];
      if (next.type === 'num') return { k: 'mn', text: `−${next.value}` };
      return {
        k: 'mrow',
        kids: [
          { k: 'mo', text: '−' },
          { k: 'mi', text: next.value },
        ],
      };
    }
    const tok = toks[p++];
    if (!tok) return { k: 'mrow', kids: [] };
    switch (tok.type) {
      case 'gap':
        return { k: 'gap' };
      case 'text':
        return { k: 'mtext', text: tok.value };
      case 'ident':
        return { k: 'mi', text: tok.value };
      case 'num':
        return { k: 'mn', text: tok.value.replace('-', '−') };
      case 'op':
        return { k: 'mo', text: tok.value, sum: tok.sum };
      case 'sqrt':
        return { k: 'sqrt', kid: p < toks.length ? (peek().type === '{' ? group() : item()) : { k: 'mrow', kids: [] } };
      case '{': {
        p--;
        return group();
      }
      case 'cmd':
        if (tok.value === 'frac') return { k: 'frac', num: group(), den: group() };
        if (tok.value === 'cases') {
          const body = group();
          const kids = body.k === 'mrow' ? body.kids : [body];
          const rows = [[[]]];
          for (const kid of kids) {
            if (kid.k === 'mo' && kid.text === ';') rows.push([[]]);
            else if (kid.k === 'mo' && kid.text === '&') rows.at(-1).push([]);
            else rows.at(-1).at(-1).push(kid);
          }
          return { k: 'cases', rows };
        }
        return { k: 'mtext', text: `\\${tok.value}` };
      case '_':
      case '^':
        return { k: 'mo', text: tok.type };
      case '}':
        return { k: 'mo', text: '}' };
      default:
        return { k: 'mo', text: String(tok.value ?? tok.type) };
    }
  }

  const kids = [];
  while (p < toks.length) {
    kids.push(...sequence());
    if (p < toks.length) {
      p++;
      kids.push({ k: 'mo', text: '}' });
    } // a stray closing brace
  }
  return kids;
}

// ---- building elements -----------------------------------------------------------------------

function node(tag, text) {
  const m = document.createElementNS(MATHML_NS, tag);
  if (text !== undefined) m.textContent = text;
  return m;
}

function build(n) {
  switch (n.k) {
    case 'mi':
    case 'mn':
    case 'mo':
      return node(n.k, n.text);
    // Words keep a space either side (MathML trims the spaces inside mtext).
    case 'mtext':
      return node('mtext', `\u00a0${n.text.trim()}\u00a0`);
    case 'gap': {
      const s = node('mspace');
      s.setAttribute('width', '1.5em');
      return s;
    }
    case 'mrow': {
      const r = node('mrow');
      for (const kid of n.kids) r.appendChild(build(kid));
      return r;
    }
    case 'script': {
      // A sum's limits go under and over it (in display style; inline they become scripts).
      const sum = n.base.k === 'mo' && n.base.sum;
      const tag = sum
        ? n.sub && n.sup
          ? 'munderover'
          : n.sub
            ? 'munder'
            : 'mover'
        : n.sub && n.sup
          ? 'msubsup'
          : n.sub
            ? 'msub'
            : 'msup';
      const s = node(tag);
      s.appendChild(build(n.base));
      if (n.sub) s.appendChild(build(n.sub));
      if (n.sup) s.appendChild(build(n.sup));
      return s;
    }
    case 'frac': {
      const f = node('mfrac');
      f.append(build(n.num), build(n.den));
      return f;
    }
    case 'sqrt': {
      const s = node('msqrt');
      s.appendChild(build(n.kid));
      return s;
    }
    case 'cases': {
      const r = node('mrow');
      const brace = node('mo', '{');
      brace.setAttribute('stretchy', 'true');
      r.appendChild(brace);
      const table = node('mtable');
      table.classList.add('math-cases');
      for (const row of n.rows) {
        const tr = node('mtr');
        for (const cell of row) {
          const td = node('mtd');
          const cr = node('mrow');
          for (const kid of cell) cr.appendChild(build(kid));
          td.appendChild(cr);
          tr.appendChild(td);
        }
        table.appendChild(tr);
      }
      r.appendChild(table);
      return r;
    }
    default:
      throw new Error(`math: unknown node ${n.k}`);
  }
}

// ---- the plain-text reading --------------------------------------------------------------------

function linearOf(kids) {
  let out = '';
  for (const kid of kids) {
    const s = linearNode(kid);
    if (!s) continue;
    // No space before , ; ) ], after ( [, nor between a name and its parenthesis: exp(x).
    const tight = /^[,;)\]]/.test(s) || /[([]$/.test(out) || out === '' || (s === '(' && /[\p{L}\d]$/u.test(out));
    out += (tight ? '' : ' ') + s;
  }
  return out;
}

// Wraps a part in parentheses unless it is one symbol.
const wrap = (n) => {
  const s = linearNode(n);
  return ['mi', 'mn', 'script'].includes(n.k) || (n.k === 'mo' && n.text.length === 1) ? s : `(${s})`;
};
// A script: "ij" for S_{i j}, "head" for d_head, "(0,0)" for s_{0,0}, "(n−1)" for t_{n−1}.
const wrapScript = (n) => {
  if (n.k === 'mrow' && n.kids.every((kid) => ['mi', 'mn', 'mo'].includes(kid.k))) {
    const s = n.kids.map((kid) => kid.text).join('');
    return n.kids.some((kid) => kid.k === 'mo') ? `(${s})` : s;
  }
  const s = linearNode(n);
  return /\s/.test(s) ? `(${s})` : s;
};

function linearNode(n) {
  switch (n.k) {
    case 'mi':
    case 'mn':
    case 'mo':
    case 'mtext':
      return n.text;
    case 'gap':
      return ';';
    case 'mrow':
      return linearOf(n.kids);
    case 'script':
      return linearNode(n.base) + (n.sub ? `_${wrapScript(n.sub)}` : '') + (n.sup ? `^${wrapScript(n.sup)}` : '');
    case 'frac':
      return `${wrap(n.num)} / ${wrap(n.den)}`;
    case 'sqrt':
      return `√${wrap(n.kid)}`;
    case 'cases':
      return n.rows.map((row) => row.map(linearOf).join(' ')).join('; ');
    default:
      return '';
  }
}

// ---- the API ---------------------------------------------------------------------------------

// source: a formula in the notation above (usually t('some.key', params)).
// options: display 'block' (centred, display style) or 'inline'; displaystyle: an inline formula
// with full-size fractions and limits; label: a text alternative to use instead of the one read
// from the formula.
export function formula(source, { display = 'block', displaystyle = false, label } = {}) {
  const tree = parse(String(source));
  const math = node('math');
  if (display === 'block') math.setAttribute('display', 'block');
  const semantics = node('semantics');
  const row = node('mrow');
  for (const n of tree) row.appendChild(build(n));
  // Words at either end need no space outside them.
  if (row.firstChild?.localName === 'mtext')
    row.firstChild.textContent = row.firstChild.textContent.replace(/^\u00a0/, '');
  if (row.lastChild?.localName === 'mtext')
    row.lastChild.textContent = row.lastChild.textContent.replace(/\u00a0$/, '');
  if (displaystyle) math.setAttribute('displaystyle', 'true');
  const text = label ?? linearOf(tree);
  const annotation = node('annotation', text);
  annotation.setAttribute('encoding', 'text/plain');
  semantics.append(row, annotation);
  math.appendChild(semantics);
  math.setAttribute('aria-label', text);
  return math;
}

// The plain-text reading of a formula, e.g. "P_(i j) = exp(S_(i j)) / (∑_k exp(S_(i k)))".
export function linear(source) {
  return linearOf(parse(String(source)));
}

// Text with formulas between $…$, e.g. 'Projections $Q = X W_Q$': a fragment of text nodes and
// inline <math> elements (for headings and captions that mix words and notation).
export function mixed(text) {
  const fragment = document.createDocumentFragment();
  String(text)
    .split('$')
    .forEach((part, k) => {
      if (k % 2 === 0) {
        if (part) fragment.appendChild(document.createTextNode(part));
      } else fragment.appendChild(formula(part, { display: 'inline' }));
    });
  return fragment;
}

// The same text with each formula read as plain text, for labels ('Projections Q = X W_Q').
export function plain(text) {
  return String(text)
    .split('$')
    .map((part, k) => (k % 2 === 0 ? part : linear(part)))
    .join('');
}
