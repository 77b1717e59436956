// The benchmark suite, the same in Node and in headless Chromium: for each shape, every
// implementation is first checked against a float64 reference on identical inputs, then timed.
// A disagreement stops the run with the first mismatching entries.
import {
  ATOL,
  RTOL,
  attentionFlops,
  attentionInputs,
  checkRows,
  compare,
  gemmFlops,
  randomNormal,
  referenceGemmRows,
  referenceRows,
  round,
  timeSideBySide,
} from './common.mjs';

export const D_HEAD = 64;
export const GEMM_SHAPE = { m: 2048, k: 256, n: 768 };
export const TRACE_SHAPE = { n: 256, dModel: 256, heads: 4 };
export const MEMORY_SHAPE = { n: 8192, heads: 8, dHead: D_HEAD };

// Ours (SIMD, scalar), the peers' chosen formulations, naive JS: the columns of the table.
export const COLUMNS = ['naiveJs', 'scalar', 'simd', 'native', 'ort', 'tfjs'];
export const PEERS = ['ort', 'tfjs'];

// Above these flops per call an implementation is not run (minutes per shape otherwise).
const LIMITS = { naiveJs: 0.3e9, scalar: 2.2e9 };

export function attentionShapes({ quick = false } = {}) {
  const shapes = [];
  for (const n of quick ? [64] : [64, 256, 512, 2048, 8192]) {
    for (const heads of quick ? [1, 4] : [1, 4, 8]) {
      for (const causal of [false, true]) shapes.push({ n, heads, dHead: D_HEAD, causal });
    }
  }
  return shapes;
}

// Why an implementation is not run at a shape, or null.
export function skipReason(id, shape) {
  const flops = attentionFlops(shape);
  if (id in LIMITS && flops > LIMITS[id]) {
    return `skipped: too slow (over ${LIMITS[id] / 1e9} GFLOP a call)`;
  }
  if (shape.n >= 8192 && shape.heads === 4) return 'skipped: run time (N=8192 runs H=1 and H=8)';
  if (shape.n >= 8192 && PEERS.includes(id) && shape.heads > 1) {
    return 'skipped: run time (peers at N=8192 only with H=1; they materialise H·N² scores)';
  }
  return null;
}

class Mismatch extends Error {}

function assertAgrees(what, got, want, cols, log) {
  const result = compare(got, want, cols);
  if (!result.ok) {
    const lines = result.mismatches.map((m) =>
      m.message
        ? `  ${m.message}`
        : `  [row ${m.row}, col ${m.col}] got ${m.got}, want ${m.want} (|diff| ${Math.abs(m.got - m.want).toExponential(2)})`,
    );
    const message =
      `MISMATCH: ${what} disagrees with the float64 reference ` +
      `(tolerance ${ATOL}·rms + ${RTOL}·|want|); first mismatches:\n${lines.join('\n')}`;
    log(message);
    throw new Mismatch(message);
  }
  return result;
}

/**
 * Runs the suite. options:
 *   impls: { naiveJs, scalar, simd, ort: { formulation → impl }, tfjs: { formulation → impl } }
 *   time: false → check agreement only (the smoke mode)
 *   quick: N = 64 only
 *   loadFreshCore: async () => a newly instantiated SIMD core (for the memory measurement)
 *   log: (line) => void; only: (shape) => boolean, to run a subset of the attention shapes
 *   cpuClock, minSampleMs: see timeSideBySide in common.mjs
 * Returns { attention: [...], formulations: [...], gemm, trace, memory }.
 */
export async function runSuite({
  impls,
  time = true,
  quick = false,
  loadFreshCore,
  log = () => {},
  only = () => true,
  cpuClock = null,
  minSampleMs = 5,
}) {
  const results = { attention: [], formulations: [], gemm: null, trace: null, memory: null };
  // Checks each case's first output against want, then times them all side by side.
  // cases: [{ key, prepared: { run }, what, first?: { got, ms }, mayFail? }]; a case whose first
  // call throws is recorded as failed when mayFail (a peer that cannot run a shape), else the
  // error stops the run. Returns { key: { maxNormErr, checked, ms, ... } | { failed } }.
  const checkThenTime = async (cases, want, cols, timing = {}) => {
    const out = {};
    const timed = [];
    for (const c of cases) {
      if (!c.first) {
        try {
          await c.warm?.();
          c.first = await firstCall(c.prepared);
        } catch (error) {
          if (!c.mayFail) throw error;
          out[c.key] = { failed: `failed: ${shortError(error)}` };
          continue;
        }
      }
      const agreement = assertAgrees(c.what, c.first.got, want, cols, log);
      out[c.key] = { maxNormErr: round(agreement.maxNormErr, 2), checked: agreement.checked };
      c.first.got = null;
      timed.push(c);
    }
    if (time && timed.length) {
      const times = await timeSideBySide(
        timed.map((c) => ({ run: c.prepared.run, firstMs: c.first.ms })),
        { cpuClock, minSampleMs, ...timing },
      );
      timed.forEach((c, i) => Object.assign(out[c.key], times[i]));
    }
    return out;
  };

  // --- The peers' formulations, side by side; the fastest at N=2048, H=4 is the peer's column. ---
  const chosen = { ort: { false: 'mha', true: 'mha' }, tfjs: { false: 'per-head', true: 'per-head' } };
  const formulationShapes = (quick ? [64] : [512, 2048]).flatMap((n) =>
    [false, true].map((causal) => ({ n, heads: 4, dHead: D_HEAD, causal })),
  );
  for (const shape of formulationShapes.filter(only)) {
    const inputs = attentionInputs(shape);
    const cols = shape.heads * shape.dHead;
    const want = referenceRows({ ...inputs, ...shape }, checkRows(shape.n));
    const row = { ...shape, flops: attentionFlops(shape), results: {} };
    const cases = [];
    for (const [peer, variants] of Object.entries({ ort: impls.ort, tfjs: impls.tfjs })) {
      for (const [formulation, impl] of Object.entries(variants)) {
        const key = `${peer}:${formulation}`;
        if (peer === 'tfjs' && formulation !== 'per-head' && shape.n > 512) {
          row.results[key] = { skipped: 'skipped: too slow (a scalar loop in tfjs-backend-wasm 4.22)' };
          continue;
        }
        cases.push({
          key,
          prepared: await impl.attention(shape, inputs),
          what: `${impl.label} at ${describe(shape)}`,
          mayFail: true,
          warm: () => warmUpAttention(impl, shape),
        });
      }
    }
    try {
      Object.assign(row.results, await checkThenTime(cases, want, cols, { budgetMs: 800, minSamples: 5 }));
    } finally {
      cases.forEach((c) => c.prepared.dispose());
    }
    for (const [key, r] of Object.entries(row.results)) log(`  ${describe(shape)} ${key.padEnd(14)} ${fmt(r)}`);
    results.formulations.push(row);
    if (shape.n === 2048) {
      for (const peer of PEERS) {
        const [best] = Object.entries(row.results)
          .filter(([key, r]) => key.startsWith(`${peer}:`) && r.ms)
          .sort((a, b) => a[1].ms - b[1].ms);
        if (best) chosen[peer][shape.causal] = best[0].split(':')[1];
      }
    }
  }
  results.chosenFormulations = chosen;
  // The chosen formulation first, then the others from fastest to slowest at N=2048, H=4.
  const formulationOrder = (peer, causal) => {
    const compared = results.formulations.find((f) => f.n === 2048 && f.heads === 4 && f.causal === causal);
    const speed = (f) => compared?.results[`${peer}:${f}`]?.ms ?? Infinity;
    const rest = Object.keys(impls[peer] ?? {}).filter(
      (f) => f !== chosen[peer][causal] && !(peer === 'tfjs' && f === 'batched'),
    );
    return [chosen[peer][causal], ...rest.sort((a, b) => speed(a) - speed(b))].filter((f) => impls[peer]?.[f]);
  };

  // --- Attention: every shape, every implementation. ---
  for (const shape of attentionShapes({ quick }).filter(only)) {
    const inputs = attentionInputs(shape);
    const cols = shape.heads * shape.dHead;
    const rows = checkRows(shape.n);
    const want = referenceRows({ ...inputs, ...shape }, rows);
    const row = { ...shape, flops: attentionFlops(shape), checkedRows: rows.length, results: {} };
    const cases = [];
    let fresh = null;
    for (const id of COLUMNS) {
      if (PEERS.includes(id)) {
        // The peer's fastest formulation; if it cannot run this shape (ORT's MultiHeadAttention
        // overflows a size at N=8192), the next fastest that can.
        const skip = skipReason(id, shape);
        if (skip) {
          row.results[id] = { skipped: skip };
          continue;
        }
        const failures = [];
        for (const formulation of formulationOrder(id, shape.causal)) {
          const impl = impls[id][formulation];
          let prepared;
          try {
            prepared = await impl.attention(shape, inputs);
            await warmUpAttention(impl, shape);
            const first = await firstCall(prepared);
            cases.push({ key: id, impl, prepared, first, what: `${impl.label} at ${describe(shape)}`, failures });
            break;
          } catch (error) {
            prepared?.dispose();
            failures.push(`${formulation}: ${shortError(error)}`);
            log(`  ${describe(shape)} ${id} (${formulation}) failed: ${shortError(error)}`);
          }
        }
        if (!cases.some((c) => c.key === id)) row.results[id] = { failed: `failed: ${failures.join('; ')}` };
        continue;
      }
      let impl = impls[id];
      if (!impl) continue; // e.g. native: filled in from the native benchmark by the caller
      const skip = skipReason(id, shape);
      if (skip) {
        row.results[id] = { skipped: skip };
        continue;
      }
      if (id === 'simd' && loadFreshCore && shape.n === MEMORY_SHAPE.n && shape.heads === MEMORY_SHAPE.heads) {
        // A newly loaded core, so its heap size is this shape's peak and nothing earlier's.
        if (!results.memory) {
          const core = await loadFreshCore();
          results.memory = { ...MEMORY_SHAPE, core, heapBytesAtLoad: core.memoryStats().heapBytes };
        }
        fresh = results.memory.core;
        impl = impls.makeOurs(fresh);
      }
      const warmImpl = impl;
      cases.push({
        key: id,
        impl,
        prepared: await impl.attention(shape, inputs),
        what: `${impl.label} at ${describe(shape)}`,
        warm: () => warmUpAttention(warmImpl, shape),
      });
    }
    try {
      Object.assign(
        row.results,
        await checkThenTime(cases, want, cols, shape.n >= 8192 ? { budgetMs: 0 } : { budgetMs: 800, minSamples: 5 }),
      );
    } finally {
      cases.forEach((c) => c.prepared.dispose());
    }
    for (const c of cases) {
      if (c.impl.formulation) row.results[c.key].formulation = c.impl.formulation;
      if (c.failures?.length) row.results[c.key].failedFormulations = c.failures;
    }
    if (fresh) {
      results.memory[shape.causal ? 'causal' : 'nonCausal'] = { ms: row.results.simd.ms, ...fresh.memoryStats() };
    }
    for (const id of COLUMNS) if (row.results[id]) log(`  ${describe(shape)} ${id.padEnd(8)} ${fmt(row.results[id])}`);
    results.attention.push(row);
  }
  if (results.memory) {
    delete results.memory.core;
    results.memory.nByNBytes = MEMORY_SHAPE.n * MEMORY_SHAPE.n * 4;
  }

  // --- The projection GEMM. ---
  const g = quick ? { m: 64, k: 256, n: 768 } : GEMM_SHAPE;
  const a = randomNormal(g.m * g.k, 101),
    b = randomNormal(g.k * g.n, 102).map((x) => x / Math.sqrt(g.k));
  const gemmWant = referenceGemmRows({ a, b, ...g }, checkRows(g.m, 64));
  results.gemm = { ...g, flops: gemmFlops(g), results: {} };
  const gemmCases = [];
  for (const id of ['simd', 'scalar', 'ort', 'tfjs']) {
    const impl = id === 'ort' || id === 'tfjs' ? impls[id][chosen[id].false] : impls[id];
    if (!impl?.gemm) {
      if (impl) results.gemm.results[id] = { skipped: 'no matmul in the JS API' };
      continue;
    }
    gemmCases.push({
      key: id,
      prepared: await impl.gemm(g, { a, b }),
      what: `${impl.label} GEMM ${g.m}×${g.k}·${g.k}×${g.n}`,
      mayFail: PEERS.includes(id),
      warm: () => warmUpGemm(impl, g, { a, b }),
    });
  }
  try {
    Object.assign(results.gemm.results, await checkThenTime(gemmCases, gemmWant, g.n, { budgetMs: 1500 }));
  } finally {
    gemmCases.forEach((c) => c.prepared.dispose());
  }
  for (const [id, r] of Object.entries(results.gemm.results))
    log(`  GEMM ${g.m}x${g.k}·${g.k}x${g.n} ${id.padEnd(8)} ${fmt(r)}`);

  // --- The page's full trace (every intermediate), and the same call output-only. ---
  if (impls.traceCore) {
    const { n, dModel, heads } = TRACE_SHAPE;
    const params = traceParams();
    const want = referenceMultiHead(params);
    const small = traceParams({ n: 32 });
    // full: a new trace each call; fullInto: each call refills the previous trace's buffer
    // (options.into), so the copy to JS allocates nothing; outputOnly: trace: false.
    let previous;
    const variants = { full: { trace: true }, fullInto: { trace: true, into: true }, outputOnly: { trace: false } };
    const cases = Object.entries(variants).map(([key, { trace, into }]) => ({
      key,
      prepared: {
        run: async () => {
          const result = impls.traceCore.attention({ ...params, trace }, into && previous ? { into: previous } : {});
          if (into) previous = result;
          return result.output;
        },
      },
      warm: async () => {
        for (let i = 0; i < WARM_CALLS; i++) impls.traceCore.attention({ ...small, trace });
      },
      what: `attention(trace: ${trace}${into ? ', into' : ''}) at n=${n}, dModel=${dModel}, heads=${heads}`,
    }));
    results.trace = { ...TRACE_SHAPE, ...(await checkThenTime(cases, want, dModel, { budgetMs: 1500 })) };
    for (const c of cases)
      log(`  trace n=${n} dModel=${dModel} heads=${heads} ${c.key.padEnd(10)} ${fmt(results.trace[c.key])}`);
  }
  return results;
}

function traceParams({ n = TRACE_SHAPE.n } = {}) {
  const { dModel, heads } = TRACE_SHAPE;
  const ws = 1 / Math.sqrt(dModel);
  const w = (seed) => randomNormal(dModel * dModel, seed).map((x) => x * ws);
  return { n, dModel, heads, x: randomNormal(n * dModel, 201), wq: w(202), wk: w(203), wv: w(204), wo: w(205) };
}

// float64: X·W_Q, X·W_K, X·W_V, per-head attention, concat·W_O.
function referenceMultiHead({ x, n, dModel, heads, wq, wk, wv, wo }) {
  const mm = (A, B) => {
    const C = new Float64Array(n * dModel);
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < dModel; r++) {
        const air = A[i * dModel + r];
        for (let c = 0; c < dModel; c++) C[i * dModel + c] += air * B[r * dModel + c];
      }
    }
    return C;
  };
  const concat = referenceRows(
    { q: mm(x, wq), k: mm(x, wk), v: mm(x, wv), n, heads, dHead: dModel / heads, causal: false },
    Array.from({ length: n }, (_, i) => i),
  );
  return mm(concat, wo);
}

// Warm-up before the first (checked) call of a shape, the same for every implementation, ours and
// the peers: WARM_CALLS short calls at N ≤ WARM_N (GEMM: m ≤ WARM_N) through the same library, then
// the caller's first call at the real shape. WebAssembly has no on-stack replacement: a function
// stays in the baseline compiler's code (V8's Liftoff) until it returns, and the optimised code
// compiled meanwhile in the background serves only later calls. Without this a long first call,
// or a timed one right after it, may run baseline code.
const WARM_CALLS = 5,
  WARM_N = 64;

function warmUpAttention(impl, shape) {
  const small = { ...shape, n: Math.min(shape.n, WARM_N) };
  return runWarmCalls(impl.attention(small, attentionInputs(small)));
}

function warmUpGemm(impl, shape, { a, b }) {
  const m = Math.min(shape.m, WARM_N);
  return runWarmCalls(impl.gemm({ ...shape, m }, { a: a.subarray(0, m * shape.k), b }));
}

async function runWarmCalls(preparing) {
  const prepared = await preparing;
  try {
    for (let i = 0; i < WARM_CALLS; i++) await prepared.run();
  } finally {
    prepared.dispose();
  }
}

async function firstCall(prepared) {
  const t0 = performance.now();
  const got = await prepared.run();
  return { got, ms: performance.now() - t0 };
}

// The gist of a library's error: ORT's messages carry a build path and a stack of context.
function shortError(error) {
  const text = String(error?.message ?? error).replace(/\s+/g, ' ');
  const gist = text.includes('ERROR_MESSAGE:')
    ? text
        .split('ERROR_MESSAGE:')
        .pop()
        .replace(/\S*\/onnxruntime\/\S*\s*/g, '')
    : text;
  return gist
    .replace(/static void \S+::/g, '')
    .trim()
    .slice(0, 160);
}

export function describe({ n, heads, causal }) {
  return `N=${String(n).padStart(4)} H=${heads} ${causal ? 'causal' : 'full  '}`;
}

function fmt(r) {
  if (r.skipped) return r.skipped;
  if (r.failed) return r.failed;
  const t =
    r.ms === undefined
      ? ''
      : `${r.ms.toFixed(3).padStart(10)} ms ${r.clock} (min ${r.minMs.toFixed(3)}; wall ${r.wallMs.toFixed(3)}; ${r.samples}×${r.inner})  `;
  return `${t}ok, max err ${r.maxNormErr}·rms`;
}
