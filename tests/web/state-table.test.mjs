// The URL state's reading and writing (web/page/state.js), pinned: parseHash and toHash on varied
// hashes and states (every field, garbage, out-of-range values, teacher fields, unicode) must give
// the recorded results in state-table.json: the same hashes byte for byte, the same states field
// by field (the order of a state's keys is not part of the URL format). Rewrite it
// (AP_STATE_TABLE=write node --test tests/web/state-table.test.mjs) only for a deliberate change
// of the URL format, in a commit of its own that says which.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseHash, toHash, DEFAULT_STATE, FIELDS } from '../../web/page/state.js';

const FILE = join(dirname(fileURLToPath(import.meta.url)), 'state-table.json');

const HASHES = [
  '',
  '#',
  'h=4',
  '#s=Hello%20world&h=2&d=16',
  '#s=&h=1',
  '#s=%E6%88%91%E5%96%9C%E6%AC%A2%E7%8C%AB%E3%80%82&lang=zh',
  '#s=%F0%9F%91%A9%E2%80%8D%F0%9F%92%BB+caf%C3%A9+na%C3%AFve',
  '#h=abc&d=30&t=&p=bogus&c=maybe&seed=-1&f=-3',
  '#h=1e3&d=0x10&t=1e-3&seed=3.5&f=2.9&step=13',
  '#step=-4&f=7',
  '#step=5.7',
  '#step=abc&f=',
  '#t=0.00012345678&c=true',
  '#t=-1&c=0&p=rope',
  '#t=Infinity&p=alibi&c=1',
  '#t=NaN&p=sinusoidal',
  '#sc=0&ind=1',
  '#sc=true&ind=yes',
  '#sc=&ind=',
  '#pad=3,1,3,x,-2,4096,4095,,2.5,0',
  '#pad=',
  '#pad=%205, 7',
  '#pm=1.2,3.0,1.2,a.b,10000.1,0.0',
  '#pm=1.2.3,4',
  '#pair=3.4',
  '#pair=3.4,1.1',
  '#pair=garbage',
  '#pair=',
  '#x=1&kv=Le%20chat',
  '#x=0&kv=Le%20chat',
  '#x=1',
  '#x=1&kv=',
  '#ed=e.3.5.0.25,q.0.1.-2,k.1.1.1e-7,v.2.2.3.5e5,z.1.1.1,e.3.5.9',
  '#ed=e.1.1.abc,q.1.1.1.5.5,k.-1.0.1',
  '#ed=e.0.0.1e400',
  '#hide=Seed, bogus,d-model,seed&lock=causal&embed=1&lang=zh',
  '#hide=heads,all&lock=all',
  '#hide=&lock=,,',
  '#lang=fr&embed=true',
  '#hide=sentence+heads&lock=VIEW,head,share,embed,lang,export',
  '#s=a+b%26c%3Dd%23e&kv=%3Cb%3E&x=1',
  '#s=one&s=two&h=3&h=5',
  '?h=3',
  // Model mode (page/model/): its fields, out-of-range ones clamped; without m=1 they are read, not written.
  '#m=1&mf=tiny%20llama.gguf&mz=1234&mt=Once%20upon&ml=2&mh=3&mp=4&ms=5',
  '#m=1&mz=-5&ml=-1&mh=abc&mp=-7&ms=2.5',
  // A built-in model (mb=): written with m=1 only, and only a built-in's name.
  '#m=1&mb=language&mt=the%20keys&ml=1&mh=2',
  '#m=1&mb=bogus',
  '#mb=reverse',
  '#mf=x.gguf&ml=3',
  // Train mode (page/train/): its fields; bad choices fall back, integers are clamped below only (the
  // page says what is wrong with one too large); without tr=1 they are read, not written.
  '#tr=1&tt=induction&tl=2&th=4&td=64&tm=swiglu&tp=learned&tlr=0.003&ts=77',
  '#tr=1&tt=bogus&tl=0&th=99&td=-4&tm=relu&tp=&tlr=abc&ts=-2',
  '#tt=sort&tl=3',
  'h=2&d=8&t=0.5&c=1&p=rope&seed=7&f=1&step=9&sc=0&pad=1&pm=0.1&pair=1.0&ind=1&x=1&kv=b+c&ed=e.0.0.1' +
    '&hide=seed&lock=heads&embed=1&lang=en',
];

const STATES = [
  { ...DEFAULT_STATE },
  {
    ...DEFAULT_STATE,
    temperature: 0.123456789,
    padding: [0, 2],
    painted: [[1, 0]],
    edits: [{ m: 'v', row: 1, col: 2, value: 1 / 3 }],
  },
  { ...DEFAULT_STATE, cross: false, kv: 'ignored', independent: false, embed: false, lang: '' },
  {
    ...DEFAULT_STATE,
    sentence: 'Hé & <b> #1 = ok?,x',
    kv: '🇫🇷, 1,2',
    cross: true,
    hide: ['all'],
    lock: ['seed', 'view'],
    lang: 'zh',
  },
  { ...DEFAULT_STATE, heads: NaN, dModel: -3, seed: 1.5, temperature: 1e-9, focus: 3, step: 12 },
];

// JSON with the non-finite numbers spelt out, so NaN stays NaN.
const spelt = (k, v) => (typeof v === 'number' && !Number.isFinite(v) ? `__${v}` : v);
const encode = (value) => JSON.stringify(value, spelt);
// The same with each object's keys sorted, to compare states field by field.
const sorted = (v) =>
  v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sorted(v[k])]),
      )
    : Array.isArray(v)
      ? v.map(sorted)
      : v;
const fields = (value) => encode(sorted(value));
const decode = (text) => JSON.parse(text, (k, v) => (/^__(NaN|-?Infinity)$/.test(v) ? Number(v.slice(2)) : v));

const results = () => ({
  default: DEFAULT_STATE,
  parse: HASHES.map((hash) => {
    const state = parseHash(hash);
    return [hash, state, toHash(state)];
  }),
  write: STATES.map((state) => [state, toHash(state)]),
});

if (process.env.AP_STATE_TABLE === 'write') {
  writeFileSync(FILE, encode(results()).replace(/\],\[/g, '],\n[') + '\n');
}

const expected = decode(readFileSync(FILE, 'utf8'));
const actual = results();

test('state: the default state', () => {
  assert.equal(fields(actual.default), fields(expected.default));
});

test('state: parseHash on recorded hashes, and toHash of what it read', () => {
  assert.equal(actual.parse.length, expected.parse.length);
  for (const [k, [hash, state, written]] of actual.parse.entries()) {
    const [wantHash, wantState, wantWritten] = expected.parse[k];
    assert.equal(hash, wantHash);
    assert.equal(fields(state), fields(wantState), `parseHash(${JSON.stringify(hash)})`);
    assert.equal(written, wantWritten, `toHash(parseHash(${JSON.stringify(hash)}))`);
  }
});

test('state: toHash of recorded states', () => {
  assert.equal(actual.write.length, expected.write.length);
  for (const [k, [state, written]] of actual.write.entries()) {
    assert.equal(fields(state), fields(expected.write[k][0]));
    assert.equal(written, expected.write[k][1], `toHash(${encode(state)})`);
  }
});

test('state: the field table names each state key and each URL key once', () => {
  for (const column of ['key', 'url']) {
    const names = FIELDS.map((f) => f[column]);
    assert.equal(new Set(names).size, names.length, column);
  }
  for (const f of FIELDS)
    if (f.when.with)
      assert.ok(
        FIELDS.some((g) => g.key === f.when.with),
        f.key,
      );
});
