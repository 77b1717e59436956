// Turns the benchmark's results (bench/js/run.mjs) into the summary of the targets and
// the Markdown tables of bench/results/latest.md. Pure functions, no I/O.
import { COLUMNS, PEERS } from './suite.mjs';

const LABELS = {
  naiveJs: 'naive JS',
  scalar: 'ours scalar',
  simd: 'ours SIMD',
  native: 'ours native',
  ort: 'onnxruntime-web',
  tfjs: 'tfjs-wasm',
};
const ENV_NAMES = { node: 'Node', chromium: 'Chromium' };
const GEMM_COLUMNS = ['scalar', 'simd', 'native', 'ort', 'tfjs'];

const fmtMs = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3));
const fmtRatio = (x) => `${x.toFixed(2)}×`;
const gflops = (flops, ms) => flops / (ms * 1e6);
const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

// The native benchmark's line for an attention shape or the GEMM, or undefined.
function nativeFor(results, row) {
  return results.native?.lines.find((l) =>
    row.m
      ? l.bench === 'matmul' && l.m === row.m && l.k === row.k && l.n === row.n
      : l.bench === 'attention' &&
        l.n === row.n &&
        l.heads === row.heads &&
        l.d_head === row.dHead &&
        l.causal === row.causal,
  );
}

// A row's results with the native column filled in and every ratio to the best peer computed.
function completeRow(results, row) {
  const out = { ...row.results };
  const native = nativeFor(results, row);
  if (native) out.native = { ms: native.ms, minMs: native.min_ms, source: 'bench/native/bench_kernels' };
  else if (results.native) out.native = { skipped: `skipped: run time (native runs N ≤ ${results.native.maxN})` };
  const peerMs = PEERS.map((p) => out[p]?.ms).filter((ms) => ms !== undefined);
  const bestPeerMs = peerMs.length ? Math.min(...peerMs) : undefined;
  const bestPeer = PEERS.find((p) => out[p]?.ms === bestPeerMs);
  for (const r of Object.values(out)) {
    if (r.ms === undefined) continue;
    r.gflops = gflops(row.flops, r.ms);
    if (bestPeerMs !== undefined) r.vsBestPeer = bestPeerMs / r.ms;
  }
  return { ...row, results: out, bestPeer, bestPeerMs };
}

/** The targets, measured, per environment. */
export function summarise(results) {
  const summary = {};
  for (const env of results.environments) {
    const rows = env.attention.map((row) => completeRow(results, row));
    const at = (n, heads, causal) => rows.find((r) => r.n === n && r.heads === heads && r.causal === causal);
    const key = (causal) => {
      const row = at(2048, 4, causal);
      const simd = row?.results.simd;
      if (!simd?.ms) return null;
      return {
        oursMs: simd.ms,
        bestPeer: row.bestPeer,
        bestPeerMs: row.bestPeerMs,
        speedup: simd.vsBestPeer,
        gflops: simd.gflops,
        nativeMs: row.results.native?.ms,
        wasmOverNative: row.results.native?.ms ? simd.ms / row.results.native.ms : undefined,
      };
    };
    const gemm = completeRow(results, env.gemm);
    summary[env.env] = {
      attention2048NonCausal: key(false),
      attention2048Causal: key(true),
      gemm: gemm.results.simd?.ms
        ? {
            oursMs: gemm.results.simd.ms,
            gflops: gemm.results.simd.gflops,
            tfjsMs: gemm.results.tfjs?.ms,
            ortMs: gemm.results.ort?.ms,
            vsTfjs: gemm.results.tfjs?.ms / gemm.results.simd.ms,
            vsBestPeer: gemm.results.simd.vsBestPeer,
            nativeMs: gemm.results.native?.ms,
          }
        : null,
      traceFullMs: env.trace?.full?.ms,
      traceFullIntoMs: env.trace?.fullInto?.ms,
      traceOutputOnlyMs: env.trace?.outputOnly?.ms,
      memory: env.memory,
    };
  }
  return summary;
}

function cell(r, { ratio = true } = {}) {
  if (!r) return '';
  if (r.skipped) return r.skipped.replace(/^skipped: ([^(]*).*/, '— $1').trim();
  if (r.failed) return '— failed (below)';
  const parts = [`${fmtMs(r.ms)} ms`, `${r.gflops.toFixed(1)} GF/s`];
  if (ratio && r.vsBestPeer !== undefined) parts.push(fmtRatio(r.vsBestPeer));
  return parts.join(' · ');
}

// left: how many leading columns are labels (left-aligned); the rest are numbers.
function table(header, rows, left = 3) {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((h, i) => (i < left ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** bench/results/latest.md */
export function renderMarkdown(results) {
  const out = [];
  const { machine } = results;
  const clockText =
    results.clock === 'cpu'
      ? "CPU time of the thread that runs the calls (Node: process.cpuUsage(); Chromium: the main thread's ThreadTime over the DevTools protocol; native: std::clock), because this machine is shared with other jobs; wall-clock medians are in latest.json"
      : 'wall time (performance.now(); native: steady_clock). Each implementation first runs 5 short calls at N ≤ 64 (GEMM: m ≤ 64) through the same library, then the checked call at the real shape, then a 50 ms pause before its samples, so no timed call runs baseline (Liftoff) code: WebAssembly has no on-stack replacement, so a long call stays in baseline code until it returns';
  out.push(
    '# Benchmark results',
    '',
    `Measured ${results.date} at commit ${results.commit} by \`scripts/bench\` on ${machine.cpu}, ${machine.cores} cores ` +
      `(load average ${machine.loadAverageAtStart.join(', ')} at the start, ${machine.loadAverageAtEnd.join(', ')} at the end), in ${results.durationSeconds} s.`,
    '',
    `- Every implementation runs single-threaded on identical seeded N(0, 1) inputs q, k, v of shape (N, H·64) and is checked against a float64 reference ` +
      '(every row for N ≤ 512, 33 sampled rows above; |diff| ≤ 1e-4·rms + 1e-4·|ref|) before it is timed.',
    `- Time: the median of repeated samples after warm-up (at least 5 per attention shape, 3 for the GEMM and the trace, 2 for calls over 3 s); the implementations of one shape take their samples in turns. Clock: ${clockText}.`,
    '- GF/s: attention counts 4·N²·H·d flops non-causal and only the useful (visible) half, 2·N·(N+1)·H·d, causal — an implementation that computes the masked half anyway gets no credit for it. GEMM: 2·m·k·n.',
    "- × = the best peer's time divided by this one's (above 1: faster than both onnxruntime-web and tfjs-wasm). Each cell: ms · GF/s · ×.",
    '- Our wasm and the peers are called through their JS APIs with inputs in JS arrays and the output read back each call (tfjs keeps its inputs as tensors uploaded once, which favours it slightly). ' +
      '"ours native" is bench/native/bench_kernels built with -O3 -march=native (the same kernels, SSE2 intrinsics) on its own uniform inputs.',
    '',
  );

  // --- Targets ---
  out.push(renderTargets(results), '');
  return renderRest(results, out);
}

/** The table of the targets, measured. */
export function renderTargets(results) {
  const s = results.summary;
  const envs = results.environments.map((e) => e.env);
  const peerName = (p) => (p === 'ort' ? 'onnxruntime-web' : 'tfjs-wasm');
  const targetRows = [];
  const keyCell = (k) =>
    k ? `${fmtRatio(k.speedup)} (${fmtMs(k.oursMs)} vs ${peerName(k.bestPeer)} ${fmtMs(k.bestPeerMs)} ms)` : 'not run';
  targetRows.push([
    'Attention N=2048, H=4, non-causal: ≥ 1.3× the best peer',
    ...envs.map((e) => keyCell(s[e].attention2048NonCausal)),
  ]);
  targetRows.push([
    'Attention N=2048, H=4, causal: ≥ 2.5× the best peer',
    ...envs.map((e) => keyCell(s[e].attention2048Causal)),
  ]);
  targetRows.push([
    'Attention N=2048, H=4, GF/s (non-causal / causal): ≥ 30',
    ...envs.map((e) =>
      [s[e].attention2048NonCausal, s[e].attention2048Causal].map((k) => (k ? k.gflops.toFixed(1) : '–')).join(' / '),
    ),
  ]);
  targetRows.push([
    'Projection GEMM 2048×256·256×768: ≥ tfjs-wasm',
    ...envs.map((e) => {
      const g = s[e].gemm;
      return g
        ? `${fmtRatio(g.vsTfjs)} of tfjs (${fmtMs(g.oursMs)} vs ${fmtMs(g.tfjsMs)} ms; ${g.gflops.toFixed(1)} GF/s; ORT ${fmtMs(g.ortMs)} ms)`
        : 'no matmul export';
    }),
  ]);
  targetRows.push([
    'Full trace N=256, d_model=256, 4 heads: ≤ 12 ms (Chromium)',
    ...envs.map((e) =>
      s[e].traceFullMs
        ? `${fmtMs(s[e].traceFullMs)} ms (reusing a trace, into: ${s[e].traceFullIntoMs ? fmtMs(s[e].traceFullIntoMs) : '–'} ms; output only ${fmtMs(s[e].traceOutputOnlyMs)} ms)`
        : 'not run',
    ),
  ]);
  targetRows.push([
    'N=8192, H=8, output only: time, peak wasm heap (an N×N float buffer is 256 MiB)',
    ...envs.map((e) => {
      const m = s[e].memory;
      if (!m?.nonCausal) return 'not run';
      return `${fmtMs(m.nonCausal.ms)} ms (causal ${m.causal ? fmtMs(m.causal.ms) : '–'} ms); heap ${mib(Math.max(m.nonCausal.heapBytes, m.causal?.heapBytes ?? 0))} (${mib(m.heapBytesAtLoad)} at load)`;
    }),
  ]);
  targetRows.push([
    'wasm / native time, N=2048 H=4 (non-causal / causal)',
    ...envs.map((e) =>
      [s[e].attention2048NonCausal, s[e].attention2048Causal]
        .map((k) => (k?.wasmOverNative ? k.wasmOverNative.toFixed(2) : '–'))
        .join(' / '),
    ),
  ]);
  return table(['target', ...envs.map((e) => ENV_NAMES[e])], targetRows, 1);
}

function renderRest(results, out) {
  out.splice(out.length - 2, 0, '## Targets', '');
  out.push('## At a glance: ours (SIMD wasm) and the peers, d_head = 64', '', renderReadmeTables(results), '');

  // --- Attention per environment ---
  for (const env of results.environments) {
    const v = env.versions;
    const engine = env.env === 'node' ? `Node ${v.node} (V8 ${v.v8})` : `headless Chromium ${v.chromium}`;
    out.push(
      `## Attention, ${engine}, d_head = 64`,
      '',
      `onnxruntime-web ${v.ort} (wasm, numThreads = 1; formulation per column below), @tensorflow/tfjs-backend-wasm ${v.tfjsWasm} ` +
        `(SIMD ${v.tfjsSimd ? 'on' : 'off'}, threads ${v.tfjsThreads ? 'on' : 'off'}), ours ${v.ours?.version} (${v.ours?.simdKind}).`,
      '',
    );
    const rows = env.attention.map((row) => completeRow(results, row));
    out.push(
      table(
        ['N', 'H', 'causal', ...COLUMNS.map((c) => LABELS[c])],
        rows.map((r) => [r.n, r.heads, r.causal ? 'yes' : 'no', ...COLUMNS.map((c) => cell(r.results[c]))]),
      ),
      '',
    );
    const chosen = env.chosenFormulations;
    if (chosen) {
      out.push(
        `Peer formulations in these columns (the fastest at N=2048, H=4 in the comparison below): onnxruntime-web ` +
          `${chosen.ort.false} (non-causal), ${chosen.ort.true} (causal); tfjs ${chosen.tfjs.false} / ${chosen.tfjs.true}.`,
        '',
      );
    }

    // Formulations
    if (env.formulations?.length) {
      const keys = [...new Set(env.formulations.flatMap((f) => Object.keys(f.results)))];
      out.push(
        `### Peer formulations, ${ENV_NAMES[env.env]}, H=4`,
        '',
        'ORT: `mha` = com.microsoft MultiHeadAttention (unidirectional for causal), `onnx23` = ONNX opset-23 Attention (is_causal), ' +
          '`graph` = MatMul/Softmax graph with a Trilu −∞ mask. tfjs: `per-head` = 2-D matMul per head with K transposed first, `batched` = matMul(q, k, false, true) on (H, N, d).',
        '',
        table(
          ['N', 'H', 'causal', ...keys],
          env.formulations.map((f) => {
            const row = completeRow({ native: null }, f);
            return [f.n, f.heads, f.causal ? 'yes' : 'no', ...keys.map((k) => cell(row.results[k], { ratio: false }))];
          }),
        ),
        '',
      );
    }

    // GEMM, trace, memory
    const gemm = completeRow(results, env.gemm);
    out.push(
      `### Projection GEMM ${gemm.m}×${gemm.k} · ${gemm.k}×${gemm.n}, ${ENV_NAMES[env.env]}`,
      '',
      table(
        ['m×k · k×n', ...GEMM_COLUMNS.map((c) => LABELS[c])],
        [[`${gemm.m}×${gemm.k} · ${gemm.k}×${gemm.n}`, ...GEMM_COLUMNS.map((c) => cell(gemm.results[c]))]],
        1,
      ),
      '',
      'ORT gets B as an initializer (a constant it may pre-pack); tfjs gets B as a tensor it keeps; ours packs B on every call.',
      '',
    );
    if (env.trace?.full) {
      out.push(
        `### The page's attention call, N=256, d_model=256, 4 heads (projections, attention, W_O), ${ENV_NAMES[env.env]}`,
        '',
        `- full trace (every intermediate, as the page draws it): ${fmtMs(env.trace.full.ms)} ms (fastest ${fmtMs(env.trace.full.minMs)} ms, wall median ${fmtMs(env.trace.full.wallMs)} ms)`,
        ...(env.trace.fullInto
          ? [
              `- full trace into the previous call's trace (attention(params, { into })): ${fmtMs(env.trace.fullInto.ms)} ms (fastest ${fmtMs(env.trace.fullInto.minMs)} ms)`,
            ]
          : []),
        `- output only (trace: false, fused kernels): ${fmtMs(env.trace.outputOnly.ms)} ms`,
        '',
      );
    }
    if (env.memory?.nonCausal) {
      const m = env.memory;
      out.push(
        `### N=8192, H=8, d_head=64, output only (scaledDotProductAttention on a newly loaded core), ${ENV_NAMES[env.env]}`,
        '',
        `- non-causal ${fmtMs(m.nonCausal.ms)} ms, causal ${m.causal ? fmtMs(m.causal.ms) : '–'} ms`,
        `- wasm heap: ${mib(m.heapBytesAtLoad)} after load, ${mib(Math.max(m.nonCausal.heapBytes, m.causal?.heapBytes ?? 0))} at the end ` +
          `(malloc holds ${mib(m.nonCausal.allocatedBytes)} between calls); q, k, v and the output are 16 MiB each, one N×N float matrix would be ${mib(m.nByNBytes)}.`,
        '',
      );
    }
  }

  // --- Skipped ---
  const reasons = new Map();
  for (const env of results.environments) {
    for (const row of env.attention.map((r) => completeRow(results, r))) {
      for (const [id, r] of Object.entries(row.results)) {
        const why =
          r.skipped?.replace(/^skipped: /, '') ??
          r.failed ??
          (r.failedFormulations
            ? `ran as ${r.formulation}; failed: ${[...r.failedFormulations].sort().join('; ')}`
            : null);
        if (!why) continue;
        const key = `${LABELS[id] ?? id} (${ENV_NAMES[env.env]}): ${why}`;
        if (!reasons.has(key)) reasons.set(key, new Set());
        reasons.get(key).add(`N=${row.n} H=${row.heads}`);
      }
    }
  }
  if (reasons.size) {
    out.push(
      '## Not run or failed, and why',
      '',
      ...[...reasons].map(([reason, shapes]) => `- ${reason} — ${[...shapes].join(', ')}`),
      '',
    );
  }
  out.push(
    'Reproduce: `scripts/bench` (builds what is missing, then runs everything; `scripts/bench --quick` checks agreement only). ' +
      'Raw numbers, wall-clock medians and versions: `bench/results/latest.json`.',
    '',
  );
  return out.join('\n');
}

/** The README's "Benchmark" section body: the targets and a compact table (from latest.json). */
export function renderReadmeTables(results) {
  const out = [];
  const envs = results.environments;
  const rowsOf = (env) => env.attention.map((row) => completeRow(results, row));
  const shapes = [
    [512, 4, false],
    [512, 4, true],
    [2048, 4, false],
    [2048, 4, true],
    [2048, 8, false],
    [2048, 8, true],
    [8192, 1, false],
    [8192, 1, true],
  ];
  const header = ['N', 'H', 'causal'];
  for (const env of envs)
    header.push(...['ours SIMD', 'ORT', 'tfjs', 'speed-up vs best peer'].map((h) => `${ENV_NAMES[env.env]}: ${h}`));
  const rows = shapes.map(([n, heads, causal]) => {
    const cells = [n, heads, causal ? 'yes' : 'no'];
    for (const env of envs) {
      const r = rowsOf(env).find((x) => x.n === n && x.heads === heads && x.causal === causal);
      const ms = (x) => (x?.ms !== undefined ? `${fmtMs(x.ms)} ms` : '–');
      cells.push(
        ms(r?.results.simd),
        ms(r?.results.ort),
        ms(r?.results.tfjs),
        r?.results.simd?.vsBestPeer ? fmtRatio(r.results.simd.vsBestPeer) : '–',
      );
    }
    return cells;
  });
  out.push(table(header, rows));
  return out.join('\n');
}
