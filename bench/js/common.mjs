// What every implementation in the benchmark shares, in Node and in the browser alike: seeded
// inputs, flop counts, a float64 reference, the naive JS implementation, the agreement check and
// the timer. No dependency but web/lib/random.js, no I/O.

import { mulberry32 } from '../../web/lib/random.js';
//
// Layout everywhere: q, k, v, out are (n, heads·dHead) row-major, the [1, N, H·d] layout of
// ONNX Runtime's MultiHeadAttention; head h is columns h·dHead … (h+1)·dHead−1 of each row.
// scores(h, i, j) = q_i·k_j / √dHead, causal: −∞ for j > i, softmax over keys (j).

// ---------------------------------------------------------------------------
// Seeded inputs: N(0, 1) from mulberry32 + Box–Muller, the same in every engine.
// ---------------------------------------------------------------------------

// mulberry32 (web/lib/random.js): the benchmark's inputs and the fuzzers' cases are drawn from it.
export { mulberry32 };

export function randomNormal(count, seed) {
  const next = mulberry32(seed * 0x9e3779b9 + 0x6d2b79f5);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - next())),
      phi = 2 * Math.PI * next();
    out[i] = r * Math.cos(phi);
    if (i + 1 < count) out[i + 1] = r * Math.sin(phi);
  }
  return out;
}

// q, k, v for one shape; the seed depends on the shape only, so every implementation and both
// engines see identical values.
export function attentionInputs({ n, heads, dHead }) {
  const size = n * heads * dHead,
    seed = n * 131 + heads * 7 + dHead;
  return { q: randomNormal(size, seed), k: randomNormal(size, seed + 1), v: randomNormal(size, seed + 2) };
}

// ---------------------------------------------------------------------------
// Flops. Attention: QKᵀ and PV, a multiply-add counted as 2 flops, 4·N²·H·d non-causal; causal
// counts only the visible (useful) pairs, 4·H·d·N(N+1)/2 — so an implementation that computes the
// masked half anyway gets no credit for it. GEMM: 2·m·k·n. Softmax is not counted.
// ---------------------------------------------------------------------------

export function attentionFlops({ n, heads, dHead, causal }) {
  const pairs = causal ? (n * (n + 1)) / 2 : n * n;
  return 4 * pairs * heads * dHead;
}
export const gemmFlops = ({ m, k, n }) => 2 * m * k * n;

// ---------------------------------------------------------------------------
// The float64 reference, one query row at a time, so large N can be checked on sampled rows.
// ---------------------------------------------------------------------------

// Fills want[i·H·d + h·d + c] for every head h and the given rows i; returns want (Float64Array,
// NaN where a row was not computed).
export function referenceRows({ q, k, v, n, heads, dHead, causal }, rows) {
  const D = heads * dHead,
    scale = 1 / Math.sqrt(dHead);
  const want = new Float64Array(n * D).fill(NaN);
  const s = new Float64Array(n);
  for (const i of rows) {
    for (let h = 0; h < heads; h++) {
      const off = h * dHead,
        last = causal ? i : n - 1;
      let max = -Infinity;
      for (let j = 0; j <= last; j++) {
        let dot = 0;
        for (let c = 0; c < dHead; c++) dot += q[i * D + off + c] * k[j * D + off + c];
        s[j] = dot * scale;
        if (s[j] > max) max = s[j];
      }
      let sum = 0;
      for (let j = 0; j <= last; j++) sum += s[j] = Math.exp(s[j] - max);
      for (let c = 0; c < dHead; c++) {
        let acc = 0;
        for (let j = 0; j <= last; j++) acc += s[j] * v[j * D + off + c];
        want[i * D + off + c] = acc / sum;
      }
    }
  }
  return want;
}

// Every row up to maxFull rows; beyond, the first three, the last and `extra` spread between.
export function checkRows(n, maxFull = 512, extra = 29) {
  if (n <= maxFull) return Array.from({ length: n }, (_, i) => i);
  const rows = new Set([0, 1, 2, n - 1]);
  for (let r = 1; r <= extra; r++) rows.add(Math.floor((r * (n - 1)) / (extra + 1)) | 1);
  return [...rows].sort((a, b) => a - b);
}

// Reference rows of C = A·B (m, k)·(k, n).
export function referenceGemmRows({ a, b, m, k, n }, rows) {
  const want = new Float64Array(m * n).fill(NaN);
  for (const i of rows) {
    for (let c = 0; c < n; c++) {
      let acc = 0;
      for (let r = 0; r < k; r++) acc += a[i * k + r] * b[r * n + c];
      want[i * n + c] = acc;
    }
  }
  return want;
}

// ---------------------------------------------------------------------------
// Naive JS: the loops a JS developer would write (per head, per query row: scores, softmax,
// weighted sum of V), on Float32Arrays.
// ---------------------------------------------------------------------------

export function naiveAttention({ q, k, v, n, heads, dHead, causal }) {
  const D = heads * dHead,
    scale = 1 / Math.sqrt(dHead);
  const out = new Float32Array(n * D),
    p = new Float32Array(n);
  for (let h = 0; h < heads; h++) {
    const off = h * dHead;
    for (let i = 0; i < n; i++) {
      const last = causal ? i : n - 1;
      let max = -Infinity;
      for (let j = 0; j <= last; j++) {
        let dot = 0;
        for (let c = 0; c < dHead; c++) dot += q[i * D + off + c] * k[j * D + off + c];
        p[j] = dot * scale;
        if (p[j] > max) max = p[j];
      }
      let sum = 0;
      for (let j = 0; j <= last; j++) sum += p[j] = Math.exp(p[j] - max);
      const o = i * D + off;
      for (let j = 0; j <= last; j++) {
        const w = p[j] / sum,
          vj = j * D + off;
        for (let c = 0; c < dHead; c++) out[o + c] += w * v[vj + c];
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Agreement: |got − want| ≤ ATOL·rms(want) + RTOL·|want| on every computed reference entry (NaN in
// want = not computed). The rms term judges entries near 0 by the scale of the whole output.
// Returns { ok, checked, maxNormErr, mismatches: first few { index, row, col, got, want } }.
// ---------------------------------------------------------------------------

export const ATOL = 1e-4,
  RTOL = 1e-4;

export function compare(got, want, cols) {
  if (!got || got.length !== want.length) {
    return {
      ok: false,
      checked: 0,
      maxNormErr: Infinity,
      mismatches: [{ message: `output holds ${got?.length} values, expected ${want.length}` }],
    };
  }
  let squares = 0,
    count = 0;
  for (const w of want)
    if (!Number.isNaN(w)) {
      squares += w * w;
      count++;
    }
  const rms = Math.sqrt(squares / Math.max(count, 1)) || 1;
  let maxNormErr = 0;
  const mismatches = [];
  for (let x = 0; x < want.length; x++) {
    const w = want[x];
    if (Number.isNaN(w)) continue;
    const err = Math.abs(got[x] - w);
    if (!(err <= ATOL * rms + RTOL * Math.abs(w))) {
      if (mismatches.length < 5)
        mismatches.push({ index: x, row: Math.floor(x / cols), col: x % cols, got: got[x], want: w });
      maxNormErr = Number.isNaN(err) ? Infinity : Math.max(maxNormErr, err / rms);
    } else {
      maxNormErr = Math.max(maxNormErr, err / rms);
    }
  }
  return { ok: mismatches.length === 0, checked: count, maxNormErr, mismatches };
}

// ---------------------------------------------------------------------------
// Timing, side by side: the implementations of one shape take their samples in turns (round
// robin), so a change in machine load during the run hits all of them alike and their ratios
// stay fair. A sample runs a call `inner` times so that it lasts ≥ minSampleMs (short calls sit
// below a browser's timer resolution). Each implementation gets samples until budgetMs of its
// own time is spent, at least minSamples (2 for calls over 3 s) and at most maxSamples; the
// result is their median (and the fastest, the least disturbed).
//
// Wall time (performance.now()) is read around every sample and, when the caller passes one (run.mjs
// --clock cpu), a CPU clock too (Node: process.cpuUsage(); Chromium: the renderer main thread's
// ThreadTime over the DevTools protocol); `ms` is the CPU time when there is a CPU clock, else wall
// time; both are kept. Wall time is the default: Node's process CPU time also counts V8's
// background threads (the optimising wasm compiler tiering code up while a kernel runs), which made
// short shapes swing. cpuClock: { now: async () => ms, overheadMs }.
//
//   entries: [{ run: async () => any, firstMs }], firstMs = how long the first (checked, cold)
//   call took; when it is over a second that call is the only warm-up, otherwise one more call
//   warms up and measures. Returns [{ ms, minMs, wallMs, wallMinMs, cpuMs, cpuMinMs, samples,
//   inner, clock }] in the same order.
// ---------------------------------------------------------------------------

const PAUSE_MS = 50;

const median = (sorted) => {
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export async function timeSideBySide(
  entries,
  { budgetMs = 600, minSamples = 3, maxSamples = 15, minSampleMs = 5, cpuClock = null } = {},
) {
  const sample = async (run, inner) => {
    const c0 = cpuClock ? await cpuClock.now() : 0;
    const w0 = performance.now();
    for (let i = 0; i < inner; i++) await run();
    const wall = performance.now() - w0;
    const cpu = cpuClock ? Math.max(0, (await cpuClock.now()) - c0 - (cpuClock.overheadMs ?? 0)) : null;
    return { wall: wall / inner, cpu: cpuClock ? cpu / inner : null };
  };
  const plans = [];
  for (const { run, firstMs = 0 } of entries) {
    let once = firstMs;
    if (once < 1000) {
      const t = await sample(run, 1);
      once = t.cpu ?? t.wall;
    }
    const inner = Math.max(1, Math.min(1000, Math.ceil(minSampleMs / Math.max(once, 1e-3))));
    // Calls over 3 s (N=8192, H=8) take 2 samples: minutes otherwise, and they vary little.
    const least = once > 3000 ? Math.min(minSamples, 2) : minSamples;
    const samples = Math.max(least, Math.min(maxSamples, Math.round(budgetMs / (once * inner))));
    plans.push({ run, inner, samples, wall: [], cpu: [] });
  }
  // A pause before timing, so optimised code still being compiled in the background after the
  // warm-up (and the first calls' garbage) does not land in the first samples.
  await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  const rounds = Math.max(...plans.map((p) => p.samples));
  for (let r = 0; r < rounds; r++) {
    for (const p of plans) {
      if (r >= p.samples) continue;
      const t = await sample(p.run, p.inner);
      p.wall.push(t.wall);
      if (cpuClock) p.cpu.push(t.cpu);
    }
  }
  return plans.map(({ wall, cpu, samples, inner }) => {
    wall.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    const result = { wallMs: median(wall), wallMinMs: wall[0], samples, inner, clock: cpuClock ? 'cpu' : 'wall' };
    if (cpuClock) Object.assign(result, { cpuMs: median(cpu), cpuMinMs: cpu[0] });
    return { ms: result.cpuMs ?? result.wallMs, minMs: result.cpuMinMs ?? result.wallMinMs, ...result };
  });
}

// Node's CPU clock: this process's user + system time, all threads (V8's background compile and
// GC threads included).
export const nodeCpuClock = () => ({
  now: async () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  },
  overheadMs: 0,
});

export const round = (x, digits = 3) => (Number.isFinite(x) ? Number(x.toPrecision(digits)) : x);
