// The JS API under hostile input, in the SIMD and the scalar build: seeded random and hostile
// parameter sets (wrong types, lying lengths, throwing getters, proxies, sparse and detached
// arrays, arrays from another realm, non-finite and huge values, sizes past every limit). Each
// call must either return finite results or throw an Error whose message names what is wrong —
// never a RuntimeError of the wasm module, never a hang — and the module must be intact after
// it: a good call right after returns bit for bit what it returned before any bad one, and over
// 20,000 bad calls neither the wasm heap nor the JS heap grows.
//
// AP_FUZZ_CALLS=100000 node --test tests/js/fuzz.test.mjs runs longer (default 3,000 a build).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import v8 from 'node:v8';
import { loadAttention, simdSupported } from '../../web/lib/attention.js';
import { randomArray } from './reference.mjs';
import { mulberry32 } from '../../bench/js/common.mjs';

const CALLS = Number(process.env.AP_FUZZ_CALLS ?? 3000);

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

// A small seeded generator (mulberry32), so a failure names a seed that reproduces it.
function rng(seed) {
  const next = mulberry32(seed);
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
  };
}

// The good call every bad one is followed by: a small trace and an output-only pass.
function goodParams() {
  const n = 5,
    dModel = 8;
  return {
    n,
    dModel,
    heads: 2,
    causal: true,
    positional: 'rope',
    x: randomArray(n * dModel, 11),
    wq: randomArray(dModel * dModel, 12, 0.35),
    wk: randomArray(dModel * dModel, 13, 0.35),
    wv: randomArray(dModel * dModel, 14, 0.35),
    wo: randomArray(dModel * dModel, 15, 0.35),
  };
}

function bits(core) {
  const trace = core.attention(goodParams());
  const out = core.attention({ ...goodParams(), trace: false }).output;
  return [trace.output, trace.weights(1), out].map((a) => Array.from(new Uint32Array(Float32Array.from(a).buffer)));
}

// ---- hostile values ------------------------------------------------------------------------
const otherRealm = vm.createContext({});

// An array-like input that lies or throws, of the given true length.
function hostileArray(r, length, kind) {
  const good = () => Float32Array.from({ length }, () => r.next() * 2 - 1);
  switch (kind) {
    case 'getter-throws': {
      const a = Array.from(good());
      let reads = 0;
      Object.defineProperty(a, Math.min(3, length - 1), {
        get() {
          if (++reads > 1) throw new Error('getter');
          return 1;
        },
      });
      return a;
    }
    case 'length-less': {
      const a = good();
      Object.defineProperty(a, 'length', { value: Math.max(0, length - 2) });
      return a;
    }
    case 'length-more': {
      const a = new Float32Array(Math.max(1, length - 3));
      Object.defineProperty(a, 'length', { value: length });
      return a;
    }
    case 'sparse': {
      const a = Array.from(good());
      delete a[Math.floor(length / 2)];
      return a;
    }
    case 'proxy-throws':
      return new Proxy(Array.from(good()), {
        get(t, k) {
          if (k === '2') throw new Error('trap');
          return t[k];
        },
      });
    case 'proxy-lies':
      return new Proxy(good(), {
        get(t, k) {
          return k === 'length' ? length : t[k];
        },
      });
    case 'detached': {
      const a = good();
      structuredClone(a.buffer, { transfer: [a.buffer] });
      return a;
    }
    case 'other-realm':
      return vm.runInContext(`new Float32Array(${length})`, otherRealm);
    case 'other-realm-array':
      return vm.runInContext(`Array.from({ length: ${length} }, () => 0.5)`, otherRealm);
    case 'strings':
      return Array.from(good(), String);
    case 'bigint':
      return new BigInt64Array(length);
    case 'dataview':
      return new DataView(new ArrayBuffer(length * 4));
    case 'int32':
      return new Int32Array(length);
    case 'nan': {
      const a = good();
      a[r.int(0, length - 1)] = r.pick([NaN, Infinity, -Infinity]);
      return a;
    }
    case 'huge': {
      const a = good();
      a[r.int(0, length - 1)] = r.pick([1e19, -1e30, 3e38, 1e7, -3.4e38]);
      return a;
    }
    case 'tiny':
      return Float32Array.from(good(), (v) => v * 1e-40);
    case 'object':
      return { length, 0: 1 };
    default:
      return good();
  }
}

const ARRAY_KINDS = [
  'getter-throws',
  'length-less',
  'length-more',
  'sparse',
  'proxy-throws',
  'proxy-lies',
  'detached',
  'other-realm',
  'other-realm-array',
  'strings',
  'bigint',
  'dataview',
  'int32',
  'nan',
  'huge',
  'tiny',
  'object',
];

const BAD_SCALARS = [
  undefined,
  null,
  NaN,
  Infinity,
  -Infinity,
  -1,
  0,
  1.5,
  2 ** 31,
  2 ** 53,
  1e308,
  '4',
  [],
  {},
  true,
  10n,
  Symbol('s'),
  () => 1,
  new Proxy({}, {}),
  Object.create(null),
];

const BAD_TEMPERATURES = [0, -0, -1, 1e-40, 1e-300, Number.MIN_VALUE, 1e-38, 1e39, 1e300, Infinity, NaN, '1', null];

// One random call, hostile in one or more places. Returns { name, run }.
function hostileCall(r, core) {
  const which = r.pick(['attention', 'attention', 'attention', 'output', 'sdpa', 'matmul', 'embeddings', 'random']);
  const n = r.pick([1, 2, 3, 5, 7]);
  const dModel = r.pick([2, 4, 8]);
  const heads = r.pick([1, 2]);
  const field = (len) => (r.chance(0.3) ? hostileArray(r, len, r.pick(ARRAY_KINDS)) : hostileArray(r, len, 'good'));
  const scalar = (good) => (r.chance(0.25) ? r.pick(BAD_SCALARS) : good);
  if (which === 'attention' || which === 'output') {
    const p = {
      n: scalar(n),
      dModel: scalar(dModel),
      heads: scalar(heads),
      x: field(n * dModel),
      wq: field(dModel * dModel),
      wk: field(dModel * dModel),
      wv: field(dModel * dModel),
      wo: field(dModel * dModel),
      causal: r.chance(0.1) ? r.pick(BAD_SCALARS) : r.chance(0.5),
      temperature: r.chance(0.3) ? r.pick(BAD_TEMPERATURES) : r.pick([0.5, 1, 2]),
      positional: r.chance(0.1)
        ? r.pick(['xyz', '', null, 3, 'ROPE'])
        : r.pick(['none', 'sinusoidal', 'rope', 'alibi']),
      trace: which === 'attention',
    };
    if (which === 'attention' && r.chance(0.3)) {
      const nKv = r.pick([1, 3, 4]);
      Object.assign(p, { nKv: scalar(nKv), xKv: field(nKv * dModel) });
    }
    if (which === 'attention' && r.chance(0.2))
      p.mask = r.chance(0.5) ? new Uint8Array(n * n).fill(1) : r.pick(BAD_SCALARS);
    if (which === 'attention' && r.chance(0.2))
      p.keyPadding = r.chance(0.5) ? new Uint8Array(n) : hostileArray(r, n, r.pick(ARRAY_KINDS));
    const params = r.chance(0.03) ? r.pick(BAD_SCALARS) : p;
    return { name: which, run: () => core.attention(params) };
  }
  if (which === 'sdpa') {
    const dHead = r.pick([1, 4, 8]);
    const size = n * heads * dHead;
    const p = {
      n: scalar(n),
      heads: scalar(heads),
      dHead: scalar(dHead),
      q: field(size),
      k: field(size),
      v: field(size),
      causal: r.chance(0.5),
    };
    return { name: which, run: () => core.scaledDotProductAttention(p) };
  }
  if (which === 'matmul') {
    const [m, k, c] = [r.int(1, 6), r.int(1, 6), r.int(1, 6)];
    const p = { m: scalar(m), k: scalar(k), n: scalar(c), a: field(m * k), b: field(k * c) };
    return { name: which, run: () => core.matmul(p) };
  }
  if (which === 'embeddings') {
    const tokens = r.pick([
      ['a', 'b', , 'c'],
      ['a', 3],
      [null],
      'abc',
      ['x'.repeat(r.int(1, 3000))],
      [],
      [Symbol('t')],
      new Proxy(['a'], {
        get() {
          throw new Error('trap');
        },
      }),
      ['ok', 'fine'],
    ]); // eslint-disable-line no-sparse-arrays
    return { name: which, run: () => core.tokenEmbeddings(tokens, scalar(dModel), scalar(3)) };
  }
  const args = [
    scalar(r.int(0, 4)),
    scalar(r.int(0, 4)),
    scalar(7),
    r.chance(0.3) ? r.pick([1e39, -1, NaN, 1e300, 3e38]) : 0.5,
  ];
  return { name: which, run: () => core.randomMatrix(...args) };
}

// Every number in a returned value is finite (masked scores are −∞ by contract).
function assertFinite(result, what) {
  const check = (a, name) => {
    for (let i = 0; i < a.length; i++) {
      if (Number.isNaN(a[i]) || a[i] === Infinity || (a[i] === -Infinity && name !== 'scores')) {
        assert.fail(`${what}: ${name}[${i}] = ${a[i]}`);
      }
    }
  };
  if (result instanceof Float32Array) return check(result, 'output');
  for (const name of ['x', 'concat', 'output']) if (result[name]) check(result[name], name);
  if (typeof result.weights === 'function') {
    for (let h = 0; h < result.heads; h++)
      for (const name of ['q', 'k', 'v', 'scores', 'weights', 'headOutput']) check(result[name](h), name);
  }
}

function assertMessage(err, what) {
  assert.ok(err instanceof Error, `${what}: threw ${String(err)}, not an Error`);
  assert.ok(!(err instanceof WebAssembly.RuntimeError), `${what}: the module failed: ${err.message}`);
  assert.equal(
    err.constructor.name === 'RangeError' || err.constructor.name === 'TypeError'
      ? /offset|Cannot|undefined is not/.test(err.message)
      : false,
    false,
    `${what}: an engine error reached the caller: ${err.constructor.name}: ${err.message}`,
  );
  assert.ok(typeof err.message === 'string' && err.message.length > 8, `${what}: no message`);
  assert.doesNotMatch(
    err.message,
    /\[object |got a Float32Array$|of undefined|Aborted|non-string to std::string/,
    `${what}: "${err.message}"`,
  );
}

for (const simd of [true, false]) {
  describe(
    `fuzzing the JS API, ${simd ? 'SIMD' : 'scalar'} build`,
    { skip: simd && !simdSupported() ? 'no wasm SIMD in this Node' : false },
    () => {
      let core;
      let reference;
      before(async () => {
        core = await loadAttention({ simd });
        reference = bits(core);
      });

      test(`${CALLS} seeded hostile calls: a result with finite numbers or an Error with a message, and the module intact`, () => {
        for (let seed = 1; seed <= CALLS; seed++) {
          const r = rng(seed * 2654435761 + (simd ? 1 : 0));
          const call = hostileCall(r, core);
          const what = `seed ${seed} (${call.name})`;
          let result;
          try {
            result = call.run();
          } catch (err) {
            assertMessage(err, what);
          }
          if (result) assertFinite(result, what);
          if (seed % 25 === 0 || result === undefined)
            assert.deepEqual(bits(core), reference, `${what}: the good call changed`);
        }
      });

      test('20,000 bad calls leak neither wasm nor JS memory', () => {
        const kinds = ['getter-throws', 'length-less', 'sparse', 'proxy-throws', 'detached', 'nan'];
        const r = rng(99);
        const bad = () => {
          const p = goodParams();
          p[r.pick(['x', 'wq', 'wo'])] = hostileArray(r, p.x.length === 40 ? 64 : 64, r.pick(kinds));
          p.x = r.chance(0.5) ? hostileArray(r, 40, r.pick(kinds)) : p.x;
          try {
            core.attention(p);
          } catch {
            /* refused: what is measured is what it leaves behind */
          }
          try {
            core.tokenEmbeddings(['a', 'b', , 'c'], 8);
          } catch {
            /* likewise */
          } // eslint-disable-line no-sparse-arrays
        };
        for (let i = 0; i < 2000; i++) bad(); // warm: caches, code, heap layout
        gc();
        const wasmBefore = core.memoryStats().allocatedBytes;
        const jsBefore = process.memoryUsage().heapUsed;
        for (let i = 0; i < 20000; i++) bad();
        gc();
        const wasmAfter = core.memoryStats().allocatedBytes;
        const jsAfter = process.memoryUsage().heapUsed;
        assert.ok(wasmAfter - wasmBefore <= 64 * 1024, `wasm malloc grew by ${wasmAfter - wasmBefore} bytes`);
        assert.ok(
          jsAfter - jsBefore <= 8 * 1024 * 1024,
          `JS heap grew by ${((jsAfter - jsBefore) / 1e6).toFixed(1)} MB`,
        );
        assert.deepEqual(bits(core), reference);
      });
    },
  );
}
