// The model benchmark of issue 13: our runtime (web/lib/model.js) against llama.cpp itself
// (@wllama/wllama, llama.cpp compiled to wasm), both in headless Chromium, one thread each, on the same
// GGUF file and the same prompt (bench/model/page.mjs). The file is the issue's 29.9 M-parameter random
// llama (d_model 512, hidden 1408, 8 layers, 8 heads, 8 K/V heads, vocabulary 4096, context 1024,
// separate output matrix), written by the page in F32 and in Q8_0.
//
//   node bench/model/run.mjs [--types f32,q8_0] [--prompts 128,512] [--steps 32] [--gen-prompt 16]
//                            [--runs 3] [--out DIR]
//   (scripts/bench --model builds the wasm first, then runs this)
//
// Per type and prompt length: prompt processing (ours: forward(ids), which keeps every layer's Q and K so
// that every head's attention can be drawn, then the last logits; llama.cpp: its own prompt_ms, the
// decode of the prompt, no prompt cache); then generation of `steps` greedy tokens after a short prompt
// (ours: a model.session(), steps × sample + append after the untimed prompt; llama.cpp: its own predicted_per_second). Medians
// of `runs` samples after one warm-up of each, the two taking turns; memory in use against the file
// size. Each type runs in a fresh browser. Writes DIR/model.json and model.md (DIR: bench/results) and prints the table.
import { mkdir, writeFile, rename } from 'node:fs/promises';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openPeers } from './chromium.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MODEL = { arch: 'llama', d: 512, ff: 1408, layers: 8, heads: 8, kvHeads: 8, ctx: 1024, tied: false, seed: 1 };
const VOCAB = { kind: 'letters', size: 4096 };
// Issue 13's targets: our speed over llama.cpp's.
const TARGETS = { f32: { prompt: 1.5, gen: 1.2 }, q8_0: { prompt: 3, gen: 2 } };

function parseArgs(argv) {
  const o = {
    types: ['f32', 'q8_0'],
    prompts: [128, 512],
    steps: 32,
    genPrompt: 16,
    runs: 3,
    out: `${ROOT}bench/results`,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--types') o.types = argv[++i].split(',');
    else if (a === '--prompts') o.prompts = argv[++i].split(',').map(Number);
    else if (a === '--steps') o.steps = Number(argv[++i]);
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--gen-prompt') o.genPrompt = Number(argv[++i]);
    else if (a === '--out') o.out = argv[++i];
    else throw new Error(`unknown argument ${a}; see the comment at the top of bench/model/run.mjs`);
  }
  for (const t of o.types) if (!TARGETS[t]) throw new Error(`--types: ${t} is not f32 or q8_0`);
  if (!(o.steps >= 2) || !(o.runs >= 1)) throw new Error('--steps must be ≥ 2 and --runs ≥ 1');
  return o;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const MiB = (b) => b / 2 ** 20;

// A prompt of n tokens for both: the text, and ours' ids of it (llama.cpp tokenizes the text itself; its
// count is checked against n on every call).
async function promptFor(peers, n) {
  const text = await peers.call('promptOf', n);
  return { text, ids: await peers.call('ours.tokenize', text) };
}

function checkLlama(b, n, steps) {
  const t = b.timings;
  if (b.promptTokens !== n || t.prompt_n !== n || t.cache_n !== 0)
    throw new Error(
      `llama.cpp processed ${t.prompt_n} of ${b.promptTokens} prompt tokens (cached ${t.cache_n}), not ${n}`,
    );
  if (t.predicted_n !== steps) throw new Error(`llama.cpp generated ${t.predicted_n} tokens, not ${steps}`);
}

// One type, in a fresh browser (so that the wasm heaps hold this model only).
async function measure(type, o, log) {
  const peers = await openPeers();
  try {
    const key = `bench-${type}`;
    const file = await peers.call('write', key, { ...MODEL, type, vocab: VOCAB });
    const info = await peers.call('ours.open', key);
    const llamaInfo = await peers.call('llama.open', key, { nCtx: MODEL.ctx, nBatch: 512 });
    if (llamaInfo.threads !== 1 || llamaInfo.multithread)
      throw new Error(`llama.cpp runs ${llamaInfo.threads} threads`);
    log(`${type}: file ${MiB(file.bytes).toFixed(1)} MiB, ${info.tensorTypes}`);
    const prompts = [];
    for (const n of o.prompts) {
      const { text, ids } = await promptFor(peers, n);
      const ours = [],
        llama = [];
      // One warm-up of each (wasm tiers up; llama.cpp's first graph of a size allocates), then samples in turns.
      for (let r = 0; r <= o.runs; r++) {
        const a = await peers.call('timePrompt', ids);
        const b = await peers.call('llama.complete', text, { steps: 1, k: 0, ignoreEos: true });
        checkLlama(b, n, 1);
        if (r === 0) continue;
        ours.push(a);
        llama.push(b.timings.prompt_ms);
        log(`  prompt ${n}, run ${r}: ours ${a.toFixed(0)} ms, llama.cpp ${b.timings.prompt_ms.toFixed(0)} ms`);
      }
      const row = { prompt: n, oursMs: median(ours), llamaMs: median(llama), oursRuns: ours, llamaRuns: llama };
      row.ratio = row.llamaMs / row.oursMs;
      prompts.push(row);
    }
    const memory = {
      fileBytes: file.bytes,
      ours: await peers.call('ours.memory'),
      oursModelBytes: info.memoryBytes,
      llamaWasmBytes: await peers.llamaWasmBytes(),
    };
    // Generation after a short prompt.
    const { text, ids } = await promptFor(peers, o.genPrompt);
    const ours = [],
      llama = [];
    for (let r = 0; r <= o.runs; r++) {
      const a = await peers.call('timeGenerate', ids, o.steps);
      const b = await peers.call('llama.complete', text, { steps: o.steps, k: 0, ignoreEos: true });
      checkLlama(b, o.genPrompt, o.steps);
      if (b.ids.length && b.ids[0] !== a.first)
        throw new Error(`llama.cpp's first token ${b.ids[0]} is not ours (${a.first})`);
      if (r === 0) continue;
      ours.push((1000 * o.steps) / a.ms);
      llama.push(b.timings.predicted_per_second);
      log(
        `  generate ${o.steps}, run ${r}: ours ${ours.at(-1).toFixed(1)} tok/s, llama.cpp ${llama.at(-1).toFixed(1)} tok/s`,
      );
    }
    const generate = {
      steps: o.steps,
      prompt: o.genPrompt,
      oursTps: median(ours),
      llamaTps: median(llama),
      oursRuns: ours,
      llamaRuns: llama,
    };
    generate.ratio = generate.oursTps / generate.llamaTps;
    if (peers.problems.length) throw new Error(`the page reported: ${peers.problems.join('; ')}`);
    return {
      type,
      tensorTypes: info.tensorTypes,
      parameters: info.parameters,
      prompts,
      generate,
      memory,
      chromium: peers.version,
    };
  } finally {
    await peers.close();
  }
}

const f = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
const x = (r) => `${r.toFixed(2)}×`;

const gap = (ratio, target) => (ratio >= target ? 'met' : `gap ${x(target / ratio)}`);

export function renderMarkdown(results) {
  const { steps, runs, genPrompt } = results.options;
  const lines = [
    '# Model benchmark: ours against llama.cpp',
    '',
    `Measured ${results.date} at commit ${results.commit} by \`scripts/bench --model\` on ${results.machine.cpu}, ` +
      `${results.machine.cores} cores (load average ${results.machine.loadAverageAtStart.join(', ')} at the start, ` +
      `${results.machine.loadAverageAtEnd.join(', ')} at the end), in ${results.durationSeconds} s; Chromium ${results.chromium}, ` +
      `@wllama/wllama ${results.wllama}.`,
    '',
    `- The model: issue 13's random llama, ${(results.types[0]?.parameters / 1e6).toFixed(1)} M parameters (d_model 512, hidden 1408, 8 layers, 8 heads, 8 K/V heads, vocabulary 4096, context 1024, separate output), one GGUF file per type, written by the benchmark; the same file and prompt text for both (llama.cpp tokenizes the text itself; its token count is checked).`,
    "- Both in headless Chromium on one thread: ours on the page (web/lib/model.js), llama.cpp in wllama's worker (single-thread, no WebGPU, F32 KV cache, no flash attention, batch 512, no prompt cache). Each type in a fresh browser.",
    `- Prompt: ours is forward(ids), which keeps every layer's Q and K so that every head's attention can be drawn, then the last position's logits; llama.cpp's is its own prompt_ms (the decode of the prompt). Generation: ${steps} greedy tokens after a ${genPrompt}-token prompt; ours is a KV-cache session (as the page generates: ${steps} × sample + append, every head's newest attention row kept) after the untimed prompt, llama.cpp's its own predicted_per_second.`,
    `- Medians of ${runs} samples after one warm-up each, the two taking turns. × = ours' speed over llama.cpp's (above 1: ours is faster); a gap is the factor still missing to the target.`,
    '',
    `| type (file) | ${results.options.prompts.map((n) => `prompt ${n}: llama.cpp / ours (×)`).join(' | ')} | generate ${steps}: llama.cpp / ours (×) | targets: prompt, generate |`,
    `|---|${results.options.prompts.map(() => '---:|').join('')}---:|---|`,
  ];
  for (const t of results.types) {
    const target = TARGETS[t.type];
    const g = t.generate;
    const worstPrompt = Math.min(...t.prompts.map((p) => p.ratio));
    lines.push(
      `| ${t.type.toUpperCase()} (${MiB(t.memory.fileBytes).toFixed(1)} MiB) | ` +
        t.prompts.map((p) => `${f(p.llamaMs)} / ${f(p.oursMs)} ms (${x(p.ratio)})`).join(' | ') +
        ` | ${g.llamaTps.toFixed(1)} / ${g.oursTps.toFixed(1)} tok/s (${x(g.ratio)}) | ≥ ${target.prompt}×: ${gap(worstPrompt, target.prompt)}; ≥ ${target.gen}×: ${gap(g.ratio, target.gen)} |`,
    );
  }
  lines.push(
    '',
    `Memory in use after the prompt of ${results.options.prompts.at(-1)} tokens (ours: the model's bytes in memory, and the whole wasm heap with the pass's state; llama.cpp: its worker's wasm memory, which holds wllama's copy of the file and llama.cpp's weights, KV cache and compute buffers):`,
    '',
    '| type | file | ours: model in memory | ours: wasm heap | llama.cpp: wasm memory |',
    '|---|---:|---:|---:|---:|',
  );
  for (const t of results.types) {
    const m = t.memory;
    const cell = (b) => (b ? `${MiB(b).toFixed(1)} MiB (${(b / m.fileBytes).toFixed(2)}× the file)` : 'not read');
    lines.push(
      `| ${t.type.toUpperCase()} | ${MiB(m.fileBytes).toFixed(1)} MiB | ${cell(m.oursModelBytes)} | ${cell(m.ours.heapBytes)} | ${cell(m.llamaWasmBytes)} |`,
    );
  }
  lines.push('', 'Rerun after a change to src/model or src/kernels: `scripts/bench --model`.', '');
  return lines.join('\n');
}

function gitCommit() {
  const r = spawnSync('git', ['describe', '--always', '--dirty'], { cwd: ROOT, encoding: 'utf8' });
  return r.stdout?.trim() || null;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const log = (line) => console.log(line);
  const started = Date.now();
  const { createRequire } = await import('node:module');
  const results = {
    date: new Date().toISOString(),
    commit: gitCommit(),
    machine: {
      cpu: os.cpus()[0]?.model,
      cores: os.cpus().length,
      loadAverageAtStart: os.loadavg().map((v) => Number(v.toFixed(2))),
    },
    wllama: createRequire(import.meta.url)('@wllama/wllama/package.json').version,
    options: o,
    model: MODEL,
    types: [],
  };
  for (const type of o.types) results.types.push(await measure(type, o, log));
  results.chromium = results.types[0]?.chromium;
  results.machine.loadAverageAtEnd = os.loadavg().map((v) => Number(v.toFixed(2)));
  results.durationSeconds = Math.round((Date.now() - started) / 1000);
  const markdown = renderMarkdown(results);
  await mkdir(o.out, { recursive: true });
  for (const [name, text] of [
    ['model.json', `${JSON.stringify(results, null, 1)}\n`],
    ['model.md', markdown],
  ]) {
    await writeFile(`${o.out}/${name}.tmp`, text);
    await rename(`${o.out}/${name}.tmp`, `${o.out}/${name}`);
  }
  log(`\n${markdown}`);
  log(`Wrote ${o.out}/model.json and model.md (${results.durationSeconds} s).`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(`\nthe model benchmark FAILED: ${error.message}`);
      process.exit(1);
    },
  );
}
