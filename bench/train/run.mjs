// The training benchmark (issue 14, "Speed"; scripts/bench --train runs it after building): steps
// per second of our engine natively (build/native/bench_train_speed), in wasm under Node and in
// headless Chromium, and of the same model in TensorFlow.js (wasm backend, its autodiff and Adam)
// in Node and Chromium, on the same batches from the same initial weights. Prints the load average
// around each part; writes bench/results/train.{json,md}.
//
//   node bench/train/run.mjs [--quick] [--sizes a,b] [--min-ms N] [--no-native] [--no-node]
//                            [--no-browser] [--out DIR]
//
// --quick: the agreement check alone (size a, Node, no timing, nothing written; a few seconds):
// the same parameter count, and from our initial weights on our batches the first loss within
// 1e-4 of ours, the first gradient norm within 1e-3 (relative) and the next two losses within
// 2e-3; exits non-zero otherwise. scripts/test runs it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadEngine } from './engine.mjs';
import { SIZES, sizeLabel } from './sizes.mjs';
import { agreement, runTrainSuite, setUpTf } from './suite.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NATIVE = `${ROOT}build/native/bench_train_speed`;

function parseArgs(argv) {
  const o = { quick: false, sizes: ['a', 'b'], minMs: 4000, native: true, node: true, browser: true, out: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--sizes') o.sizes = argv[++i].split(',');
    else if (a === '--min-ms') o.minMs = Number(argv[++i]);
    else if (a === '--no-native') o.native = false;
    else if (a === '--no-node') o.node = false;
    else if (a === '--no-browser') o.browser = false;
    else if (a === '--out') o.out = argv[++i];
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

function runNative({ sizes, minMs, log }) {
  if (!existsSync(NATIVE)) throw new Error(`${NATIVE} is missing: build it (scripts/bench --train does)`);
  return new Promise((resolve, reject) => {
    const args = ['--min-ms', String(minMs), ...(sizes.length === 1 ? ['--only', sizes[0]] : [])];
    log(`$ build/native/bench_train_speed ${args.join(' ')}`);
    const child = spawn(NATIVE, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (chunk) => (text += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`the native benchmark failed (exit ${code})`));
      else
        resolve(
          text
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l)),
        );
    });
  });
}

async function runChromium({ sizes, minMs, log }) {
  const { launchChromium } = await import('../../scripts/lib/chromium.mjs');
  const { serveStatic } = await import('../../scripts/lib/static-server.mjs');
  const server = await serveStatic({ root: ROOT, port: 0 });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.exposeFunction('benchLog', (line) => log(line));
    await page.goto(new URL('bench/train/index.html', server.url).href);
    await page
      .waitForFunction(() => globalThis.benchReady === true, null, { timeout: 60_000 })
      .catch(() => {
        throw new Error(`the training benchmark page did not load: ${errors.join('; ') || 'no error reported'}`);
      });
    page.setDefaultTimeout(0);
    const results = await page.evaluate((options) => globalThis.runTrainBench(options), { sizes, minMs });
    return { ...results, versions: { ...results.versions, chromium: browser.version() } };
  } finally {
    await browser.close();
    await server.close();
  }
}

const fmt = (x, digits = 3) => (x === undefined || x === null ? '—' : x.toFixed(digits));
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : '—');

// The tables: steps/s per size and place, the ratios, and our op profile (wasm in Node, native).
function renderMarkdown(r) {
  const lines = [];
  lines.push(`# Training benchmark (${r.when}, commit ${r.commit})`, '');
  lines.push(`Load average (1 min) at the start ${r.load.start}, after native ${r.load.native ?? '—'}, after Node `);
  lines.push(
    `${r.load.node ?? '—'}, at the end ${r.load.end}; ${r.cpus} CPUs. Medians of chunks of steps (each ≥ 300 ms `,
  );
  lines.push(
    `once doubled, ≥ ${r.minMs} ms in all) after two warm-up steps. Every place trains the same model on the `,
  );
  lines.push('same batches (copy task, 33 tokens, SwiGLU, RoPE, AdamW 1e-3); tfjs is single-threaded, as ours.', '');
  lines.push(
    '| size | native | ours wasm, Node | ours wasm, Chromium | tfjs-wasm, Node | tfjs-wasm, Chromium | ours/tfjs Node | ours/tfjs Chromium | native/wasm Node | native/wasm Chromium |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const s of r.sizes) {
    const n = s.native?.stepsPerSecond,
      on = s.node?.ours?.stepsPerSecond,
      oc = s.chromium?.ours?.stepsPerSecond;
    const tn = s.node?.tfjs?.stepsPerSecond,
      tc = s.chromium?.tfjs?.stepsPerSecond;
    lines.push(
      `| ${sizeLabel(s.size)} (${s.size.id}) | ${fmt(n)} | ${fmt(on)} | ${fmt(oc)} | ${fmt(tn)} | ${fmt(tc)} | ` +
        `${ratio(on, tn)} | ${ratio(oc, tc)} | ${ratio(n, on)} | ${ratio(n, oc)} |`,
    );
  }
  lines.push('', 'Steps per second (higher is better). Targets: ours/tfjs ≥ 3×, native/wasm ≤ 1.3×.', '');
  lines.push('## Where our step goes (each op of one step timed alone on its shapes; fastest of 3, ms)', '');
  const ops = [
    'gemmForward',
    'gemmBackward',
    'attentionForward',
    'attentionBackward',
    'outputSoftmaxCrossEntropy',
    'elementwise',
    'adamw',
  ];
  lines.push(`| size, place | whole step | ${ops.join(' | ')} | rest |`);
  lines.push(`|---|---|${ops.map(() => '---').join('|')}|---|`);
  for (const s of r.sizes)
    for (const [place, p] of [
      ['native', s.native?.profile],
      ['wasm, Node', s.node?.profile],
      ['wasm, Chromium', s.chromium?.profile],
    ]) {
      if (!p) continue;
      const sum = ops.reduce((a, k) => a + p.ops[k], 0);
      lines.push(
        `| ${s.size.id}, ${place} | ${fmt(p.stepMs, 1)} | ${ops.map((k) => `${fmt(p.ops[k], 1)} (${((100 * p.ops[k]) / p.stepMs).toFixed(0)} %)`).join(' | ')} | ${fmt(p.stepMs - sum, 1)} |`,
      );
    }
  lines.push(
    '',
    'gemm*: every projection (q, k, v, o, gate, up, down, output head) forward / backward (both products and',
  );
  lines.push(
    'their transposes); attention*: scores, causal softmax and weighted sum per head; elementwise: RMSNorm, RoPE,',
  );
  lines.push('SwiGLU, embedding and residual adds, forward and backward; rest: the step minus the sum (copies of');
  lines.push('activations, allocation, zeroing the gradient, the batch).', '');
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
    load: { start: logLoad(log, 'at the start') },
    versions: { node: process.versions.node },
    sizes: sizes.map((size) => ({ size })),
  };
  const bySize = (id) => result.sizes.find((s) => s.size.id === id);
  if (o.native) {
    log('# Native (build/native, Release, SSE2 SIMD path)');
    for (const line of await runNative({ sizes: o.sizes, minMs: o.minMs, log })) {
      bySize(line.size).native = line;
      log(`  ${line.size}: ${line.stepsPerSecond.toFixed(3)} steps/s (${line.steps} steps)`);
    }
    result.load.native = logLoad(log, 'after native');
  }
  if (o.node) {
    log('# Node (our wasm; tfjs-backend-wasm)');
    const { tf, versions } = await loadNodeTf();
    Object.assign(result.versions, versions);
    const engine = await loadEngine();
    const r = runTrainSuite({ tf, engine, sizes, minMs: o.minMs, log });
    for (const s of r.sizes) bySize(s.size.id).node = s;
    result.load.node = logLoad(log, 'after Node');
  }
  if (o.browser) {
    log('# Chromium (our wasm; tfjs-backend-wasm)');
    const r = await runChromium({ sizes: o.sizes, minMs: o.minMs, log });
    result.versions.chromium = r.versions.chromium;
    for (const s of r.sizes) bySize(s.size.id).chromium = s;
  }
  result.load.end = logLoad(log, 'at the end');
  const bad = result.sizes.flatMap((s) =>
    [s.node, s.chromium]
      .filter((p) => p && !p.agreement.ok)
      .map((p) => `${s.size.id}: ${p.agreement.problems.join('; ')}`),
  );
  const md = renderMarkdown(result);
  console.log(`\n${md}`);
  const out = o.out ?? `${ROOT}bench/results`;
  await mkdir(out, { recursive: true });
  await writeFile(`${out}/train.json`, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(`${out}/train.md`, `${md}\n`);
  log(`wrote ${out}/train.json and train.md`);
  if (bad.length) throw new Error(`tfjs and ours disagree: ${bad.join('; ')}`);
}

main().catch((error) => {
  console.error(`error: ${error.message}`);
  process.exit(1);
});
