// Unit tests of the page's pure modules (tokenizer, state, parameter checks, colour tables,
// cell explanations, message catalogue). They need no browser: Node imports web/*.js directly.
//
// Run: node --test tests/web/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tokenize } from '../../web/views/tokenizer.js';
import { parseHash, toHash, DEFAULT_STATE } from '../../web/page/state.js';
import { checkParams } from '../../web/page/params.js';
import { PAGE_LIMITS as LIMITS } from '../../web/views/limits.js';
import { colormaps, tableIndex, colorOf, symmetricRange, MASKED_RGBA } from '../../web/draw/colormap.js';
import { alibiSlope, rowStats, explainCell } from '../../web/page/explain/explain.js';
import { t, formatNumber, ENGLISH, LOCALES, matchLocale, loadLocale, setLocale } from '../../web/page/i18n/i18n.js';
import zh from '../../web/page/i18n/zh.js';
import { embedSnippets } from '../../web/page/embed-snippets.js';

const WEB = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');

test('tokenizer: words keep inner apostrophes, punctuation is separate', () => {
  assert.deepEqual(tokenize("The animal didn't cross the street because it was too tired."), [
    'The',
    'animal',
    "didn't",
    'cross',
    'the',
    'street',
    'because',
    'it',
    'was',
    'too',
    'tired',
    '.',
  ]);
  assert.deepEqual(tokenize("rock'n'roll 'quoted' James' don’t"), [
    "rock'n'roll",
    "'",
    'quoted',
    "'",
    'James',
    "'",
    'don’t',
  ]);
  assert.deepEqual(tokenize('a—b...!?'), ['a', '—', 'b', '.', '.', '.', '!', '?']);
});

test('tokenizer: numbers, CJK characters, emoji, other scripts', () => {
  assert.deepEqual(tokenize('3.14 1,000 12th 2024.'), ['3.14', '1,000', '12th', '2024', '.']);
  assert.deepEqual(tokenize('我喜欢猫。日本語テキスト'), [
    '我',
    '喜',
    '欢',
    '猫',
    '。',
    '日',
    '本',
    '語',
    'テ',
    'キ',
    'ス',
    'ト',
  ]);
  assert.deepEqual(tokenize('👩‍💻 🇫🇷 1️⃣ 👍🏽 ❤️ ok👍'), ['👩‍💻', '🇫🇷', '1️⃣', '👍🏽', '❤️', 'ok', '👍']);
  assert.deepEqual(tokenize('café naïve Ελληνικά, русский; हिन्दी 한국어'), [
    'café',
    'naïve',
    'Ελληνικά',
    ',',
    'русский',
    ';',
    'हिन्दी',
    '한국어',
  ]);
  // Decomposed input is normalised, so "café" is one token either way.
  assert.deepEqual(tokenize('cafe\u0301'), ['café']);
});

test('tokenizer: empty and blank text give no tokens, never an error', () => {
  assert.deepEqual(tokenize(''), []);
  assert.deepEqual(tokenize(' \n\t '), []);
  assert.deepEqual(tokenize(undefined), []);
});

test('state: every field round-trips through the hash', () => {
  const state = {
    sentence: 'Hé & <b> #1 = ok?',
    heads: 8,
    dModel: 128,
    temperature: 0.251,
    causal: true,
    positional: 'alibi',
    seed: 123,
    focus: 5,
    step: 7,
    scale: false,
    padding: [2, 5],
    painted: [
      [0, 1],
      [3, 2],
    ],
    pair: [4, 1],
    independent: true,
    cross: true,
    kv: 'Le chat & <i>',
    edits: [
      { m: 'e', row: 3, col: 5, value: -0.25 },
      { m: 'q', row: 0, col: 63, value: 1e-7 },
    ],
    hide: ['seed', 'd-model'],
    lock: ['causal', 'view'],
    embed: true,
    lang: 'zh',
    model: true,
    mBuiltin: 'reverse',
    mFile: 'my model & co.gguf',
    mSize: 1289748,
    mText: 'Once upon a time #2 & <s>',
    mLayer: 2,
    mHead: 7,
    mPos: 4,
    mStep: 5,
    train: true,
    tTask: 'brackets',
    tLayers: 3,
    tHeads: 4,
    tDModel: 64,
    tMlp: 'gelu',
    tPos: 'learned',
    tLr: 0.0025,
    tSeed: 99,
  };
  assert.deepEqual(parseHash(toHash(state)), state);
  // Model mode's fields are written only while it is shown; Train mode's the same.
  assert.ok(!toHash({ ...state, model: false }).includes('mf='));
  assert.ok(!toHash({ ...state, train: false }).includes('tt='));
  assert.deepEqual(parseHash(toHash({ ...DEFAULT_STATE })), { ...DEFAULT_STATE });
  assert.deepEqual(parseHash(''), { ...DEFAULT_STATE });
  assert.deepEqual(parseHash('#'), { ...DEFAULT_STATE });
});

test('state: garbage falls back to defaults, out-of-range numbers are kept for the message', () => {
  const s = parseHash('#h=abc&d=30&t=&p=bogus&c=maybe&seed=-1&f=-3');
  assert.equal(s.heads, DEFAULT_STATE.heads);
  assert.equal(s.dModel, 30);
  assert.equal(s.temperature, DEFAULT_STATE.temperature);
  assert.equal(s.positional, DEFAULT_STATE.positional);
  assert.equal(s.causal, false);
  assert.equal(s.seed, -1);
  assert.equal(s.focus, 0);
});

test('params: valid state gives the computation, each invalid input a message', () => {
  const ok = checkParams(DEFAULT_STATE, ['a', 'b']);
  assert.equal(ok.ok, true);
  assert.deepEqual(ok.params, {
    tokens: ['a', 'b'],
    heads: 4,
    dModel: 64,
    dHead: 16,
    temperature: 1,
    causal: false,
    positional: 'none',
    seed: 42,
    scale: true,
    padding: [],
    painted: [],
    tokensKv: null,
    edits: [],
  });
  // Padding and painted cells that name no token are dropped.
  const masked = checkParams(
    {
      ...DEFAULT_STATE,
      padding: [1, 5],
      painted: [
        [0, 1],
        [2, 0],
      ],
    },
    ['a', 'b'],
  ).params;
  assert.deepEqual([masked.padding, masked.painted], [[1], [[0, 1]]]);
  // Edits outside the matrices' shapes are dropped.
  const edits = [
    { m: 'e', row: 1, col: 3, value: 1 },
    { m: 'e', row: 2, col: 0, value: 1 },
    { m: 'k', row: 63, col: 63, value: 1 },
    { m: 'v', row: 64, col: 0, value: 1 },
  ];
  assert.deepEqual(checkParams({ ...DEFAULT_STATE, edits }, ['a', 'b']).params.edits, [edits[0], edits[2]]);
  // Cross-attention: padding and painted cells index the second sentence's tokens.
  const cross = checkParams(
    { ...DEFAULT_STATE, cross: true, padding: [2, 3], painted: [[1, 2]] },
    ['a', 'b'],
    ['x', 'y', 'z'],
  );
  assert.deepEqual(
    [cross.params.tokensKv, cross.params.padding, cross.params.painted],
    [['x', 'y', 'z'], [2], [[1, 2]]],
  );
  assert.match(checkParams({ ...DEFAULT_STATE, cross: true }, ['a'], []).message, /second sentence/);

  const bad = (patch, tokens = ['a']) => checkParams({ ...DEFAULT_STATE, ...patch }, tokens);
  assert.match(bad({}, []).message, /Type a sentence/);
  assert.match(bad({}, Array(LIMITS.maxTokens + 1).fill('x')).message, /65 tokens.*at most 64/);
  assert.equal(bad({}, Array(LIMITS.maxTokens).fill('x')).ok, true);
  assert.match(bad({ dModel: 30 }).message, /d_model 30 is not divisible by 4 heads.*Try d_model 32, or 3 or 5 heads/);
  assert.match(bad({ heads: 3 }).message, /Try d_model 63, or 2 or 4 heads/);
  assert.deepEqual(bad({ dModel: 30 }).field, ['heads', 'dModel']);
  assert.match(bad({ heads: 8, dModel: 24, positional: 'rope' }).message, /d_head must be even.*d_head 3/);
  assert.equal(bad({ heads: 8, dModel: 24, positional: 'none' }).ok, true);
  assert.match(bad({ heads: 0 }).message, /Heads must be/);
  assert.match(bad({ heads: 2.5 }).message, /Heads must be/);
  assert.match(bad({ heads: NaN }).message, /Heads must be/);
  assert.match(bad({ dModel: 1024 }).message, /d_model must be/);
  assert.match(bad({ temperature: 0 }).message, /Temperature/);
  assert.match(bad({ temperature: Infinity }).message, /Temperature/);
  assert.match(bad({ seed: -1 }).message, /Seed/);
  assert.match(bad({ seed: 1.5 }).message, /Seed/);
});

test('colour tables: 256 entries, viridis rises in lightness, diverging is white at 0', () => {
  const lum = (table, k) => 0.2126 * table[4 * k] + 0.7152 * table[4 * k + 1] + 0.0722 * table[4 * k + 2];
  for (const table of Object.values(colormaps)) assert.equal(table.length, 256 * 4);
  const v = colormaps.viridis;
  assert.deepEqual(colorOf(v, 0, 0, 1), [0x44, 0x01, 0x54]);
  assert.deepEqual(colorOf(v, 1, 0, 1), [0xfd, 0xe7, 0x25]);
  for (let k = 1; k < 256; k++) assert.ok(lum(v, k) >= lum(v, k - 1) - 0.5, `viridis lightness at ${k}`);

  const d = colormaps.diverging;
  const zero = colorOf(d, 0, -2, 2);
  assert.ok(
    zero.every((c) => c >= 240),
    `0 maps to near white, got ${zero}`,
  );
  const [nr, , nb] = colorOf(d, -2, -2, 2);
  const [pr, , pb] = colorOf(d, 2, -2, 2);
  assert.ok(nb > nr && pr > pb, 'negative is blue, positive is red');
  // Lightness falls away from 0 on both sides.
  for (let k = 129; k < 256; k++) assert.ok(lum(d, k) <= lum(d, k - 1) + 0.5);
  for (let k = 126; k >= 0; k--) assert.ok(lum(d, k) <= lum(d, k + 1) + 0.5);

  assert.equal(tableIndex(-5, 0, 1), 0);
  assert.equal(tableIndex(5, 0, 1), 255);
  assert.deepEqual(colorOf(v, -Infinity, 0, 1), MASKED_RGBA.slice(0, 3));
  assert.deepEqual(symmetricRange(new Float32Array([-1, 3, -Infinity])), [-3, 3]);
  assert.deepEqual(symmetricRange(new Float32Array([0, 0])), [-1, 1]);
});

// A 2-token, 1-head trace computed by hand: q0 = [1, 0], q1 = [0, 1], k0 = [1, 0], k1 = [1, 1].
function handTrace({ causal = false, positional = 'none', temperature = 1 } = {}) {
  const q = new Float32Array([1, 0, 0, 1]);
  const k = new Float32Array([1, 0, 1, 1]);
  const scores = new Float32Array(4);
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 2; j++) {
      let s = (q[2 * i] * k[2 * j] + q[2 * i + 1] * k[2 * j + 1]) / (Math.SQRT2 * temperature);
      if (positional === 'alibi') s -= alibiSlope(0, 1) * (causal ? i - j : Math.abs(i - j));
      scores[2 * i + j] = causal && j > i ? -Infinity : s;
    }
  }
  const weights = new Float32Array(4);
  for (let i = 0; i < 2; i++) {
    const { max, sum } = rowStats(scores, 2, i);
    for (let j = 0; j < 2; j++) weights[2 * i + j] = Math.exp(scores[2 * i + j] - max) / sum;
  }
  return {
    tokens: ['hello', 'world'],
    n: 2,
    dModel: 2,
    heads: 1,
    dHead: 2,
    temperature,
    causal,
    positional,
    q: [q],
    k: [k],
    v: [k],
    scores: [scores],
    weights: [weights],
  };
}

test('explain: a weight shows the dot product, scaling, row max, sum and the weight', () => {
  const trace = handTrace({ temperature: 2 });
  const { title, lines } = explainCell(trace, 'weights', 0, 0, 1, trace.weights[0][1]);
  const text = [title, ...lines].join('\n');
  // score(0,1) = (1·1 + 0·1) / (√2·2); row 0 scores are equal, so the weight is 1/2.
  assert.match(title, /^weights_0\[0, 1\] = 0\.5$/);
  assert.match(text, /query 0 “hello”/);
  assert.match(text, /key 1 “world”/);
  assert.match(text, /q_0·k_1 = 1 /);
  assert.match(text, /÷ \(√2 · T=2\) = 0\.3536/);
  assert.match(text, /row max m = 0\.3536/);
  assert.match(text, /Σ exp\(score − m\) = 2/);
  assert.match(text, /Σ_j weights\[0, j\] = 1$/m);
  // Two equal weights: the entropy is ln 2, the uniform maximum.
  assert.match(text, /row entropy 0\.693 nats \(uniform over 2 keys: 0\.693\)/);
});

test('explain: a head output recomputes its weighted sum and names the largest term', () => {
  const trace = handTrace();
  // Row 0 weights are [1/2, 1/2]; column 1 of v is [0, 1]: the sum is 0.5, all from key 1.
  trace.headOutput = [new Float32Array([1, 0.5, 0.67, 0.67])];
  const text = explainCell(trace, 'headOutput', 0, 0, 1, 0.5).lines.join('\n');
  assert.match(text, /over 2 keys = 0\.5$/m);
  assert.match(text, /largest term: key 1 “world”: 0\.5 · 1 = 0\.5/);
});

test('explain: ALiBi bias and masked cells', () => {
  const alibi = handTrace({ positional: 'alibi' });
  const text = explainCell(alibi, 'scores', 0, 1, 0, alibi.scores[0][2]).lines.join('\n');
  assert.equal(alibiSlope(0, 1), 2 ** -8);
  assert.match(text, /\+ ALiBi −0\.003906·1 = −0\.003906/);

  const causal = handTrace({ causal: true });
  assert.match(explainCell(causal, 'scores', 0, 0, 1, -Infinity).title, /= −∞/);
  assert.match(explainCell(causal, 'weights', 0, 0, 1, 0).lines.join('\n'), /masked/);
  assert.throws(() => explainCell(causal, 'nonsense', 0, 0, 0, 0), /unknown kind/);
});

test('i18n: every message key used by the page exists, placeholders are filled', () => {
  // The page's files: index.html and every module under page/ that takes its text from the
  // catalogue (the embeddable widget, web/widget/, has its own).
  const pageDir = join(WEB, 'page');
  const pageFiles = [join(WEB, 'index.html'), ...readdirSync(pageDir, { recursive: true }).map((f) => join(pageDir, f))]
    .filter((f) => /\.(js|html)$/.test(f) && !f.endsWith('i18n.js') && !f.endsWith('zh.js'))
    .map((f) => readFileSync(f, 'utf8'))
    .filter((text) => /from '(?:\.\.\/)*(?:\.\/)?(?:i18n\/)?i18n\.js'/.test(text) || text.includes('data-i18n='));
  const source = pageFiles.join('\n');
  const prefixes =
    'app|controls|positional|status|error|step|shape|axis|legend|head|tip|footer|map|mode|wt|mask|neuron|hv|edit|embed|lang|export';
  const pattern = new RegExp(`'((?:${prefixes})\\.[\\w.]+)'|data-i18n="([\\w.]+)"`, 'g');
  const keys = new Set([...source.matchAll(pattern)].map((m) => m[1] ?? m[2]));
  assert.ok(keys.size > 40, `found ${keys.size} keys`);
  for (const key of keys) assert.notEqual(t(key), key, `missing message "${key}"`);
  // And no message is dead: every catalogue key is used somewhere else.
  const catalogue = readFileSync(join(WEB, 'page', 'i18n', 'i18n.js'), 'utf8');
  const others = pageFiles.join('\n');
  for (const [, key] of catalogue.matchAll(/^ {2}'([\w.]+)':/gm)) {
    assert.ok(others.includes(`'${key}'`) || others.includes(`"${key}"`), `unused message "${key}"`);
  }
  assert.equal(t('error.notDivisible', { dModel: 30, heads: 4, suggest: 32, alt: '3 or 5' }).includes('{'), false);
  assert.equal(formatNumber(-0.000012345), '−1.234e-5');
  assert.equal(formatNumber(12345.6), '1.235e+4');
  assert.equal(formatNumber(0.5), '0.5');
  assert.equal(formatNumber(-Infinity), '−∞');
});

test('state: teacher mode, embed and lang fields; unknown control names are dropped', () => {
  const s = parseHash('#hide=Seed, bogus,d-model,seed&lock=causal&embed=1&lang=zh');
  assert.deepEqual(s.hide, ['seed', 'd-model']);
  assert.deepEqual(s.lock, ['causal']);
  assert.equal(s.embed, true);
  assert.equal(s.lang, 'zh');
  assert.deepEqual(parseHash('#hide=heads,all').hide, ['all']);
  assert.equal(parseHash('#lang=fr').lang, '');
  // A plain share link does not carry them.
  const plain = toHash({ ...DEFAULT_STATE });
  for (const key of ['hide=', 'lock=', 'embed=', 'lang=']) assert.ok(!plain.includes(key), plain);
  assert.match(toHash({ ...DEFAULT_STATE, hide: ['seed', 'heads'] }), /&hide=seed,heads/);
});

test('i18n: the Chinese catalogue has every English key, with the same {placeholders}', () => {
  const names = (text) => [...String(text).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  const missing = Object.keys(ENGLISH).filter((key) => !(key in zh));
  assert.deepEqual(missing, [], 'keys without a Chinese message');
  assert.deepEqual(
    Object.keys(zh).filter((key) => !(key in ENGLISH)),
    [],
    'Chinese keys English does not have',
  );
  for (const [key, text] of Object.entries(ENGLISH)) {
    if (Array.isArray(text)) {
      assert.ok(Array.isArray(zh[key]) && zh[key].length > 0, key);
      continue;
    }
    assert.equal(typeof zh[key], 'string', key);
    assert.notEqual(zh[key].trim(), '', key);
    assert.deepEqual(names(zh[key]), names(text), `placeholders of "${key}"`);
  }
  assert.deepEqual(Object.keys(LOCALES), ['en', 'zh']);
});

test('i18n: language tags choose a catalogue; a missing key falls back to English', async () => {
  assert.equal(matchLocale('zh-CN'), 'zh');
  assert.equal(matchLocale('zh-Hant-TW'), 'zh');
  assert.equal(matchLocale('en-GB'), 'en');
  assert.equal(matchLocale('fr'), 'en');
  assert.equal(matchLocale(undefined), 'en');
  try {
    assert.equal(await loadLocale('zh-CN'), 'zh');
    assert.equal(t('controls.sentence'), '句子');
    assert.equal(t('error.heads', { max: 16 }), '头数必须是 1 到 16 之间的整数。');
    assert.equal(t('no.such.key'), 'no.such.key');
    delete zh['controls.seed'];
    assert.equal(t('controls.seed'), ENGLISH['controls.seed'], 'falls back to English');
  } finally {
    zh['controls.seed'] = '随机种子';
    setLocale('en');
  }
  assert.equal(t('controls.sentence'), 'Sentence');
});

test('embed snippets: the iframe is compact (embed=1); teacher mode and language travel to both', () => {
  const base = 'https://example.org/ap/index.html';
  const plain = embedSnippets({ sentence: 'a <b> "c"', heads: 2, dModel: 16, step: 5 }, { baseUrl: base });
  assert.equal(plain.url, base + toHash({ ...DEFAULT_STATE, sentence: 'a <b> "c"', heads: 2, dModel: 16, step: 5 }));
  assert.ok(!plain.url.includes('embed=1'));
  assert.equal(plain.embedUrl, plain.url + '&embed=1');
  assert.ok(plain.iframe.includes(`src="${plain.embedUrl.replace(/&/g, '&amp;')}"`), plain.iframe);
  assert.match(plain.element, /src="https:\/\/example\.org\/ap\/attention-playground\.js"/);
  assert.match(plain.element, /sentence="a &lt;b&gt; &quot;c&quot;"/);
  assert.match(plain.element, / view="scores"/, 'step 5 is about the scores');
  assert.ok(!/controls=|locked=|lang=/.test(plain.element), 'no teacher mode unless asked');

  const state = {
    sentence: 'x y',
    hide: ['seed', 'd-model', 'scale'],
    lock: ['causal', 'cross'],
    lang: 'zh',
    causal: true,
  };
  const teacher = embedSnippets(state, { baseUrl: base });
  const hash = new URLSearchParams(new URL(teacher.embedUrl).hash.slice(1));
  assert.equal(hash.get('hide'), 'seed,d-model,scale');
  assert.equal(hash.get('lock'), 'causal,cross');
  assert.equal(hash.get('lang'), 'zh');
  assert.equal(hash.get('embed'), '1');
  assert.match(teacher.element, / controls="sentence,heads,temperature,causal,positional,view,head,export"/);
  assert.match(teacher.element, / locked="causal"/, "only the widget's own names");
  assert.match(teacher.element, / lang="zh"/);
  assert.match(teacher.element, / causal>/);
  assert.match(embedSnippets({ hide: ['all'] }, { baseUrl: base }).element, / controls=""/);
});

test('embed snippets: the element carries scale, padding, mask and kv, only where the page uses them', () => {
  const base = 'https://example.org/ap/index.html';
  const attrs = (element) =>
    Object.fromEntries([...element.matchAll(/ ([a-z-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  // Defaults: none of the four.
  const plain = attrs(embedSnippets({ sentence: 'a b c' }, { baseUrl: base }).element);
  for (const name of ['scale', 'padding', 'mask', 'kv'])
    assert.ok(!(name in plain), `${name} written for the default state`);
  // Self-attention: indices past the sentence's 3 tokens are dropped, as checkParams drops them.
  const self = attrs(
    embedSnippets(
      {
        sentence: 'a b c',
        scale: false,
        padding: [0, 2, 3],
        painted: [
          [0, 1],
          [3, 0],
          [2, 2],
        ],
        kv: 'ignored',
      },
      { baseUrl: base },
    ).element,
  );
  assert.equal(self.scale, 'false');
  assert.equal(self.padding, '0,2');
  assert.equal(self.mask, '0.1,2.2');
  assert.ok(!('kv' in self), 'kv without cross');
  const state = {
    ...DEFAULT_STATE,
    sentence: 'a b c',
    scale: false,
    padding: [0, 2, 3],
    painted: [
      [0, 1],
      [3, 0],
      [2, 2],
    ],
  };
  const check = checkParams(state, tokenize(state.sentence));
  assert.deepEqual(self.padding.split(',').map(Number), check.params.padding);
  assert.deepEqual(
    self.mask.split(',').map((c) => c.split('.').map(Number)),
    check.params.painted,
  );
  // Cross-attention: keys are the kv sentence's (4 tokens), so padding 3 and cell 0.3 stay; kv is written, escaped.
  const cross = embedSnippets(
    {
      sentence: 'a b c',
      cross: true,
      kv: 'w x y z',
      padding: [3, 5],
      painted: [
        [0, 3],
        [3, 0],
      ],
    },
    { baseUrl: base },
  );
  const c = attrs(cross.element);
  assert.equal(c.kv, 'w x y z');
  assert.match(
    embedSnippets({ cross: true, kv: 'say "<hi>"' }, { baseUrl: base }).element,
    / kv="say &quot;&lt;hi&gt;&quot;"/,
  );
  assert.equal(c.padding, '3');
  assert.equal(c.mask, '0.3');
  assert.ok(!('scale' in c), 'scale on is the default');
  // Teacher mode: the page's cross is the element's kv field, shown only with cross-attention.
  const teacher = attrs(
    embedSnippets(
      { sentence: 'a b', cross: true, kv: 'x y', hide: ['seed'], lock: ['cross', 'scale'] },
      { baseUrl: base },
    ).element,
  );
  assert.equal(teacher.controls, 'sentence,kv,heads,d-model,temperature,scale,causal,positional,view,head,export');
  assert.equal(teacher.locked, 'kv,scale');
  const hidden = attrs(
    embedSnippets({ sentence: 'a b', cross: true, kv: 'x y', hide: ['cross'] }, { baseUrl: base }).element,
  );
  assert.ok(!hidden.controls.split(',').includes('kv'));
  const noCross = attrs(embedSnippets({ sentence: 'a b', hide: ['seed'] }, { baseUrl: base }).element);
  assert.ok(!noCross.controls.split(',').includes('kv'));
});
