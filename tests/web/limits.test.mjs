// The page's and the widget's limits (web/views/limits.js) as their checks apply them: long text,
// long tokens, temperatures outside the core's range, and every widget attribute out of range or
// garbage, each refused with a message that names it (none replaced by a default).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize } from '../../web/views/tokenizer.js';
import { DEFAULT_STATE, parseHash } from '../../web/page/state.js';
import { checkParams } from '../../web/page/params.js';
import { PAGE_LIMITS, WIDGET_LIMITS, checkAgainstCore, textProblem } from '../../web/views/limits.js';
import { checkSizes, readState } from '../../web/widget/attributes.js';
import { msg } from '../../web/widget/messages.js';

const page = (patch) => {
  const state = { ...DEFAULT_STATE, ...patch };
  return checkParams(state, tokenize(state.sentence), state.cross ? tokenize(state.kv) : []);
};

test('page: text and token lengths, and the temperature range', () => {
  const long = page({ sentence: 'word '.repeat(500) });
  assert.equal(long.ok, false);
  assert.equal(long.field, 'sentence');
  assert.match(long.message, /2500 characters; this page takes at most 2000/);
  const marks = page({ sentence: 'a' + '\u0301'.repeat(20000) });
  assert.equal(marks.field, 'sentence');
  assert.match(marks.message, /characters/);
  const token = page({ sentence: 'a ' + 'b'.repeat(41) });
  assert.match(token.message, /Token 1 has 41 characters; a token may have at most 40/);
  assert.equal(page({ sentence: 'a ' + 'b'.repeat(40) }).ok, true);
  const kv = page({ cross: true, kv: 'x'.repeat(2001) });
  assert.equal(kv.field, 'kv');
  for (const t of [1e-40, 1e-300, 5e-4, 2e6]) {
    const r = page({ temperature: t });
    assert.equal(r.ok, false, `T = ${t}`);
    assert.match(r.message, /Temperature must be between 0.001 and 1000000/);
    assert.equal(r.field, 'temperature');
  }
  // A link carries the value as it is, so the page can say what is wrong with it.
  assert.equal(parseHash('#t=1e-300').temperature, 1e-300);
  assert.equal(page({ temperature: 0.001 }).ok, true);
});

test('textProblem counts code points: an emoji is one character', () => {
  assert.equal(textProblem('🦊'.repeat(40), ['🦊'.repeat(40)], PAGE_LIMITS), null);
  assert.equal(textProblem('x', ['x'.repeat(41)], PAGE_LIMITS).kind, 'tokenTooLong');
});

test('widget: every attribute out of range or garbage gets a message naming it', () => {
  const t = (key, params) => msg('en', key, params);
  const good = {
    sentence: 'The cat sat',
    kv: '',
    heads: 2,
    dModel: 16,
    temperature: 1,
    seed: 42,
    positional: 'none',
    view: 'weights',
    head: 0,
  };
  const check = (patch) => {
    const s = { ...good, ...patch };
    return checkSizes(s, tokenize(s.sentence), s.kv ? tokenize(s.kv) : null, t);
  };
  assert.equal(check({}), null);
  const cases = [
    [{ heads: 17 }, /heads="17": write a whole number from 1 to 16/],
    [{ heads: NaN }, /heads="NaN"/],
    [{ heads: 1e308 }, /heads="1e\+308"/],
    [{ dModel: 600 }, /d-model="600": write a whole number from 1 to 512/],
    [{ dModel: -1 }, /d-model="-1"/],
    [{ dModel: 4096 }, /d-model="4096"/],
    [{ dModel: 100000000 }, /d-model="100000000"/],
    [{ seed: 1000000 }, /seed="1000000": write a whole number from 0 to 999999/],
    [{ seed: 4503599627370496 }, /seed="4503599627370496"/],
    [{ temperature: 1e-40 }, /temperature="1e-40": write a number from 0.001 to 1000000/],
    [{ positional: 'xyz' }, /positional="xyz" is not one of none, sinusoidal, rope, alibi/],
    [{ view: 'nope' }, /view="nope" is not one of weights, scores/],
    [{ head: -1 }, /head="-1"/],
    [{ sentence: 'a' + '\u0301'.repeat(20000) }, /sentence: 20001 characters; the widget takes at most 2000/],
    [{ sentence: 'b'.repeat(41) }, /sentence: token 0 has 41 characters/],
    [{ kv: 'x'.repeat(2001) }, /kv: 2001 characters/],
  ];
  for (const [patch, message] of cases) assert.match(check(patch) ?? 'null', message, JSON.stringify(patch));
  // Chinese too, from the same checks.
  assert.match(
    checkSizes({ ...good, heads: 17 }, ['a'], null, (k, p) => msg('zh', k, p)),
    /heads="17"：请写 1 到 16/,
  );
  assert.equal(WIDGET_LIMITS.maxHeads, PAGE_LIMITS.maxHeads);
});

test('widget: attributes as written reach the message; none is replaced by a default', () => {
  const t = (key, params) => msg('en', key, params);
  // A stand-in for the element: readState reads attributes only.
  const check = (attrs) => {
    const s = readState({ getAttribute: (name) => attrs[name] ?? null });
    return checkSizes(s, tokenize(s.sentence), null, t);
  };
  assert.equal(check({}), null, 'the defaults are valid');
  const cases = [
    [{ heads: '17' }, /^heads="17": write a whole number from 1 to 16\.$/],
    [{ heads: 'abc' }, /^heads="abc": write a whole number from 1 to 16\.$/],
    [{ heads: '2.5' }, /^heads="2\.5"/],
    [{ 'd-model': '600' }, /^d-model="600": write a whole number from 1 to 512\.$/],
    [{ 'd-model': 'wide' }, /^d-model="wide"/],
    [{ seed: '1000000' }, /^seed="1000000": write a whole number from 0 to 999999\.$/],
    [{ seed: 'x1' }, /^seed="x1"/],
    [{ temperature: 'hot' }, /^temperature="hot": write a number from 0.001 to 1000000\.$/],
    [{ view: 'nope' }, /^view="nope" is not one of weights, scores, q, k, v, head-output, concat, output\.$/],
    [{ positional: 'xyz' }, /^positional="xyz" is not one of none, sinusoidal, rope, alibi\.$/],
    [{ head: '2' }, /^head="2": write a whole number from 0 to 1\.$/], // 2 heads: 0 and 1
    [{ head: 'first' }, /^head="first"/],
    [
      { positional: 'rope', heads: '16', 'd-model': '16' },
      /d_head must be even; d-model 16 \/ heads 16 gives d_head 1/,
    ],
  ];
  for (const [attrs, message] of cases) assert.match(check(attrs) ?? 'null', message, JSON.stringify(attrs));
  // A whole-layer view draws every head: head does not name one there.
  assert.equal(check({ view: 'concat', head: '5' }), null);
  assert.equal(check({ heads: ' 4 ', 'd-model': '16' }), null, 'spaces around a number are fine');
  assert.match(
    readState({ getAttribute: (n) => ({ heads: 'abc' })[n] ?? null }).heads.toString(),
    /NaN/,
    'the state keeps the garbage as NaN (not the default 2)',
  );
});

test('the caps agree with the core limits they sit under', () => {
  const core = { maxTokens: 4096, maxHeads: 256, maxModelDim: 4096, minTemperature: 1e-3, maxTemperature: 1e6 };
  assert.deepEqual(
    checkAgainstCore({ limits: core, positionalEncodings: ['none', 'sinusoidal', 'rope', 'alibi'] }),
    [],
  );
  assert.match(
    checkAgainstCore({ limits: { ...core, maxHeads: 8 } }).join('\n'),
    /maxHeads \(16\) is over the core's \(8\)/,
  );
  assert.match(checkAgainstCore({ limits: { ...core, minTemperature: 0.01 } }).join('\n'), /minTemperature/);
});
