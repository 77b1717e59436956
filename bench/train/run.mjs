// The training benchmark (issue 14, "Speed"; scripts/bench --train runs it after building): steps
// per second of our engine natively (build/native/bench_train_speed), in wasm under Node and in
// headless Chromium, and of the same model in TensorFlow.js (wasm backend, its autodiff and Adam)
// in Node and Chromium, on the same batches from the same initial weights. Prints the load average
// around each part; writes bench/results/train.{json,md}.
//
// The five are timed in turns (a round runs one chunk of steps of each, native, Node ours, Node
// tfjs, Chromium ours, Chromium tfjs), so that a change in the machine's load (other jobs share
// its 2 cores) hits all of them alike; ratios are the medians of the rounds' ratios. Each part
// first warms up (two steps), then its chunk doubles from 1 step until it takes ≥ 300 ms.
//
//   node bench/train/run.mjs [--quick] [--sizes a,b] [--min-ms N] [--no-native] [--no-node]
//                            [--no-browser] [--out DIR] [--js-flags "V8 flags for Chromium"]
//
// --quick: the agreement check alone (size a, Node, no timing, nothing written; a few seconds):
// the same parameter count, and from our initial weights on our batches the first loss within
// 1e-4 of ours, the first gradient norm within 1e-3 (relative) and the next two losses within
// 2e-6 (suite.mjs: TOLERANCE); exits non-zero otherwise. scripts/test runs it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadEngine } from './engine.mjs';
import { SIZES, sizeLabel } from './sizes.mjs';
import { agreement, oursRunner, setUpTf, tfRunner } from './suite.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NATIVE = `${ROOT}build/native/bench_train_speed`;

function parseArgs(argv) {
  const o = {
    quick: false,
    sizes: ['a', 'b'],
    minMs: 3000,
    native: true,
    node: true,
    browser: true,
    out: null,
    jsFlags: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--sizes') o.sizes = argv[++i].split(',');
    else if (a === '--min-ms') o.minMs = Number(argv[++i]);
    else if (a === '--no-native') o.native = false;
    else if (a === '--no-node') o.node = false;
    else if (a === '--no-browser') o.browser = false;
    else if (a === '--out') o.out = argv[++i];
    else if (a === '--js-flags') o.jsFlags = argv[++i];
    else throw new Error(`unknown option ${a}`);
  }
  for (const id of o.sizes) if (!SIZES.some((s) => s.id === id)) throw new Error(`unknown size ${id} (a or b)`);
  if (!(o.minMs > 0)) throw new Error('--min-ms takes a positive number');
  return o;
}

const load = () => os.loadavg().map((x) => x.toFixed(2));
function logLoad(log, when) {
  const [one, five, fifteen] = load();
  log(`load average ${when}: ${one} ${five} ${fifteen} (1, 5, 15 min; ${os.cpus().length} CPUs)`);
  return Number(one);
}

async function loadNodeTf() {
  const tf = await import('@tensorflow/tfjs'); // the union package: tfjs-core plus its gradients
  const tfWasm = await import('@tensorflow/tfjs-backend-wasm');
  const versions = await setUpTf(
    tf,
    tfWasm,
    fileURLToPath(new URL('node_modules/@tensorflow/tfjs-backend-wasm/dist/', `file://${ROOT}`)),
  );
  return { tf, versions };
}

// build/native/bench_train_speed for one size, driven over stdin: run(n) → ms of n steps.
function startNative(size) {
  if (!existsSync(NATIVE)) throw new Error(`${NATIVE} is missing: build it (scripts/bench --train does)`);
  const args = [size.layers, size.heads, size.dModel, size.context, size.batch].map(String);
  const child = spawn(NATIVE, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let buffer = '';
  const waiting = [];
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    let at;
    while ((at = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + 1);
      waiting.shift()?.resolve(line);
    }
  });
  child.on('close', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`the native benchmark exited (${code})`));
  });
  const next = () => new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  const ask = (line) => {
    const answer = next();
    child.stdin.write(`${line}\n`);
    return answer;
  };
  return next().then((ready) => {
    const [word, parameters, firstLoss] = ready.split(' ');
    if (word !== 'ready') throw new Error(`the native benchmark said: ${ready}`);
    return {
      parameters: Number(parameters),
      firstLoss: Number(firstLoss),
      run: async (n) => Number((await ask(String(n))).split(' ')[0]),
      profile: async (reps) => JSON.parse(await ask(`profile ${reps}`)),
      close: () => child.stdin.end('quit\n'),
    };
  });
}

async function startChromium(log, jsFlags) {
  const { launchChromium } = await import('../../scripts/lib/chromium.mjs');
  const { serveStatic } = await import('../../scripts/lib/static-server.mjs');
  const server = await serveStatic({ root: ROOT, port: 0 });
  const browser = await launchChromium(jsFlags ? [`--js-flags=${jsFlags}`] : []);
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.exposeFunction('benchLog', (line) => log(line));
  page.setDefaultTimeout(0);
  await page.goto(new URL('bench/train/index.html', server.url).href);
  await page
    .waitForFunction(() => globalThis.benchReady === true, null, { timeout: 60_000 })
    .catch(() => {
      throw new Error(`the training benchmark page did not load: ${errors.join('; ') || 'no error reported'}`);
    });
  return {
    version: browser.version(),
    setUp: (id) => page.evaluate((i) => globalThis.trainBench.setUp(i), id),
    run: (part, n) => page.evaluate(([p, k]) => globalThis.trainBench.run(p, k), [part, n]),
    profile: (reps) => page.evaluate((r) => globalThis.trainBench.profile(r), reps),
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// parts: { name: async run(n) → ms }. Warm-up, chunk sizes, then rounds in turns until every part
// has run ≥ minMs (at least 3 rounds). Returns { name: { chunk, rates: [steps/s per round] } }.
async function inTurns(parts, { minMs, log }) {
  const names = Object.keys(parts);
  const out = {};
  for (const name of names) {
    await parts[name](2);
    let chunk = 1;
    while ((await parts[name](chunk)) < 300 && chunk < 256) chunk *= 2;
    out[name] = { chunk, rates: [], ms: 0, steps: 0 };
  }
  log(`  chunks: ${names.map((n) => `${n} ${out[n].chunk}`).join(', ')} steps`);
  for (let round = 0; round < 3 || names.some((n) => out[n].ms < minMs); round++) {
    for (const name of names) {
      const ms = await parts[name](out[name].chunk);
      out[name].rates.push((out[name].chunk * 1000) / ms);
      out[name].ms += ms;
      out[name].steps += out[name].chunk;
    }
    log(
      `  round ${round + 1}: ${names.map((n) => `${n} ${out[n].rates.at(-1).toFixed(3)}`).join(', ')} steps/s (load ${load()[0]})`,
    );
  }
  for (const name of names) out[name].stepsPerSecond = median(out[name].rates);
  return out;
}

// The median over rounds of a's rate / b's rate.
const roundRatio = (t, a, b) => (t[a] && t[b] ? median(t[a].rates.map((r, i) => r / t[b].rates[i])) : null);

const fmt = (x, digits = 3) => (x === undefined || x === null ? '—' : x.toFixed(digits));
const times = (x) => (x ? `${x.toFixed(2)}×` : '—');
const PARTS = ['native', 'nodeOurs', 'chromiumOurs', 'nodeTfjs', 'chromiumTfjs']; // the table's column order
const OPS = [
  'gemmForward',
  'gemmBackward',
  'attentionForward',
  'attentionBackward',
  'outputSoftmaxCrossEntropy',
  'elementwise',
  'adamw',
];

// The tables: steps/s per size and place, the ratios, and our op profile.
function renderMarkdown(r) {
  const lines = [`# Training benchmark (${r.when}, commit ${r.commit})`, ''];
  lines.push(
    `${r.cpu}, ${r.cpus} CPUs shared with other jobs; Node ${r.versions.node}, Chromium ${r.versions.chromium ?? '—'}, ` +
      `tfjs ${r.versions.tfjs ?? '—'} (wasm backend, SIMD ${r.versions.tfjsSimd}, threads ${r.versions.tfjsThreads}). ` +
      `Every place trains the same model on the same batches from the same initial weights (copy task, vocabulary 33, ` +
      `SwiGLU with n_ff = 4·d, RoPE, RMSNorm, AdamW at 1e-3); ours and tfjs each on one thread. The five are timed in ` +
      `turns, one chunk of steps each per round (≥ 300 ms, after two warm-up steps), until each has run ≥ ${r.minMs} ms; ` +
      `steps/s are medians over rounds, ratios the medians of the rounds' ratios.`,
    '',
  );
  lines.push(
    '| size | load (1 min) | native | ours wasm Node | ours wasm Chromium | tfjs Node | tfjs Chromium | ours/tfjs Node | ours/tfjs Chromium | native/wasm Node | native/wasm Chromium |',
  );
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of r.sizes) {
    const t = s.timing ?? {};
    const q = s.ratios ?? {};
    lines.push(
      `| ${sizeLabel(s.size)} | ${s.load.start} → ${s.load.end} | ${PARTS.map((p) => fmt(t[p]?.stepsPerSecond)).join(' | ')} | ` +
        `${times(q.oursTfjsNode)} | ${times(q.oursTfjsChromium)} | ${times(q.nativeWasmNode)} | ${times(q.nativeWasmChromium)} |`,
    );
  }
  lines.push(
    '',
    'Steps per second (higher is better). Targets: ours/tfjs ≥ 3×; native/wasm (wasm within 1.3× of native) ≤ 1.3×.',
    '',
  );
  lines.push('## Agreement (from our initial weights, on our batches)', '');
  lines.push('| size | where | parameters | step | loss ours | loss tfjs | gradient norm ours | gradient norm tfjs |');
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const s of r.sizes)
    for (const [where, a] of Object.entries(s.agreement ?? {}))
      for (const row of a.rows)
        lines.push(
          `| ${s.size.id} | ${where} | ${a.parameters} | ${row.step} | ${row.ours.loss.toFixed(7)} | ${row.tfjs.loss.toFixed(7)} | ` +
            `${row.ours.gradNorm.toFixed(6)} | ${row.tfjs.gradNorm.toFixed(6)} |`,
        );
  lines.push(
    '',
    '## Where our step goes (each op of one step timed alone on its shapes; fastest of 3, ms and % of the step)',
    '',
  );
  lines.push(`| size, place | whole step | ${OPS.join(' | ')} | rest | of gemmBackward: transposes |`);
  lines.push(`|---|---:|${OPS.map(() => '---:').join('|')}|---:|---:|`);
  for (const s of r.sizes)
    for (const [place, p] of Object.entries(s.profile ?? {})) {
      const sum = OPS.reduce((acc, k) => acc + p.ops[k], 0);
      const cell = (ms) => `${fmt(ms, 1)} (${((100 * ms) / p.stepMs).toFixed(0)} %)`;
      lines.push(
        `| ${s.size.id}, ${place} | ${fmt(p.stepMs, 1)} | ${OPS.map((k) => cell(p.ops[k])).join(' | ')} | ${cell(p.stepMs - sum)} | ${fmt(p.gemmBackwardTransposes, 1)} |`,
      );
    }
  lines.push(
    '',
    'gemm*: every projection (q, k, v, o, gate, up, down, the output head), forward / backward (the backward ' +
      'with its transposes); attention*: scores, causal softmax and weighted sum per head; elementwise: RMSNorm, ' +
      'RoPE, SwiGLU, embedding and residual adds, forward and backward; rest: the step minus their sum (copies ' +
      'of activations, allocations, zeroing gradients, the batch). Under load the minima of separate runs are ' +
      'noisy; the shares, not the sum, are what to read.',
    '',
  );
  return lines.join('\n');
}

async function gitCommit() {
  return new Promise((resolve) => {
    const child = spawn('git', ['describe', '--always', '--dirty'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('close', () => resolve(out.trim() || 'unknown'));
    child.on('error', () => resolve('unknown'));
  });
}

async function quickCheck({ log = console.log } = {}) {
  const { tf } = await loadNodeTf();
  const engine = await loadEngine();
  const size = SIZES.find((s) => s.id === 'a');
  const a = agreement({ tf, engine, size });
  for (const r of a.rows)
    log(
      `step ${r.step}: loss ours ${r.ours.loss.toFixed(7)} tfjs ${r.tfjs.loss.toFixed(7)}; ` +
        `gradient norm ours ${r.ours.gradNorm.toFixed(6)} tfjs ${r.tfjs.gradNorm.toFixed(6)}`,
    );
  if (!a.ok) throw new Error(`tfjs and ours disagree (${sizeLabel(size)}): ${a.problems.join('; ')}`);
  log(`tfjs and ours agree: ${a.parameters} parameters each, ${sizeLabel(size)}`);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const log = (line) => console.log(line);
  if (o.quick) return quickCheck({ log });
  const sizes = SIZES.filter((s) => o.sizes.includes(s.id));
  const result = {
    when: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    commit: await gitCommit(),
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    minMs: o.minMs,
    versions: { node: process.versions.node },
    sizes: [],
  };
  logLoad(log, 'at the start');
  let node = null,
    chromium = null;
  if (o.node) {
    const { tf, versions } = await loadNodeTf();
    Object.assign(result.versions, versions);
    node = { tf, engines: [await loadEngine(), await loadEngine()] };
  }
  if (o.browser) {
    chromium = await startChromium(log, o.jsFlags);
    result.jsFlags = o.jsFlags;
    result.versions.chromium = chromium.version;
  }
  const problems = [];
  try {
    for (const size of sizes) {
      log(`## ${sizeLabel(size)}`);
      const entry = { size, load: { start: Number(load()[0]) }, agreement: {}, profile: {} };
      result.sizes.push(entry);
      const parts = {};
      const closers = [];
      let native = null;
      if (o.native) {
        native = await startNative(size);
        closers.push(() => native.close());
        parts.native = native.run;
        log(`  native: ${native.parameters} parameters, first loss ${native.firstLoss}`);
      }
      if (node) {
        const a = agreement({ tf: node.tf, engine: node.engines[0], size });
        entry.agreement.node = a;
        log(`  Node: ${a.parameters} parameters; ${a.ok ? 'agree' : `DISAGREE: ${a.problems.join('; ')}`}`);
        if (!a.ok) problems.push(`${size.id}, Node: ${a.problems.join('; ')}`);
        if (native && native.parameters !== a.parameters)
          problems.push(`${size.id}: native has ${native.parameters} parameters`);
        const ours = oursRunner({ engine: node.engines[0], size });
        const tfjs = tfRunner({ tf: node.tf, engine: node.engines[1], size });
        closers.push(() => tfjs.dispose());
        parts.nodeOurs = async (n) => ours.run(n);
        if (a.ok) parts.nodeTfjs = async (n) => tfjs.run(n);
        entry.profileOf = () => ours.profile(3);
      }
      if (chromium) {
        const { agreement: a } = await chromium.setUp(size.id);
        entry.agreement.chromium = a;
        if (!a.ok) problems.push(`${size.id}, Chromium: ${a.problems.join('; ')}`);
        if (a.ok) {
          parts.chromiumOurs = (n) => chromium.run('ours', n);
          parts.chromiumTfjs = (n) => chromium.run('tfjs', n);
        }
      }
      const t = await inTurns(parts, { minMs: o.minMs, log });
      entry.timing = t;
      entry.ratios = {
        oursTfjsNode: roundRatio(t, 'nodeOurs', 'nodeTfjs'),
        oursTfjsChromium: roundRatio(t, 'chromiumOurs', 'chromiumTfjs'),
        nativeWasmNode: roundRatio(t, 'native', 'nodeOurs'),
        nativeWasmChromium: roundRatio(t, 'native', 'chromiumOurs'),
      };
      log(
        `  ratios: ${Object.entries(entry.ratios)
          .map(([k, v]) => `${k} ${times(v)}`)
          .join(', ')}`,
      );
      if (native) entry.profile.native = await native.profile(3);
      if (entry.profileOf) entry.profile['wasm, Node'] = entry.profileOf();
      delete entry.profileOf;
      if (chromium && parts.chromiumOurs) entry.profile['wasm, Chromium'] = await chromium.profile(3);
      for (const close of closers) close();
      entry.load.end = Number(load()[0]);
    }
  } finally {
    await chromium?.close();
  }
  logLoad(log, 'at the end');
  const md = renderMarkdown(result);
  console.log(`\n${md}`);
  const out = o.out ?? `${ROOT}bench/results`;
  await mkdir(out, { recursive: true });
  await writeFile(`${out}/train.json`, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(`${out}/train.md`, `${md}\n`);
  log(`wrote ${out}/train.json and train.md`);
  if (problems.length) throw new Error(`tfjs and ours disagree: ${problems.join('; ')}`);
}

main().catch((error) => {
  console.error(`error: ${error.message}`);
  process.exit(1);
});
