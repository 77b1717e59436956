// The benchmark's entry point (scripts/bench runs it after building): the native benchmark
// (build/native-bench, -O3 -march=native), then the suite in Node, then in headless Chromium;
// writes bench/results/latest.json and latest.md and prints the tables.
//
//   node [V8 flags] bench/js/run.mjs [--quick] [--no-browser] [--no-node] [--no-native]
//                         [--clock wall|cpu] [--native-max-n N] [--out DIR] [--only N:H,N:H]
//                         [--js-flags "V8 flags"]
//
// --clock: wall (performance.now(), the default) or cpu (process CPU time in Node, which also
// counts V8's background compile threads; the main thread's ThreadTime in Chromium, read over
// the DevTools protocol at ≈ 1 ms a read).
// --js-flags: V8 flags for Chromium (e.g. --no-wasm-dynamic-tiering); Node takes V8 flags on its
// own command line (node --no-wasm-dynamic-tiering bench/js/run.mjs ...).
//
// --quick: agreement of every implementation at N=64 in Node and Chromium, no timing, nothing
// written; exits non-zero on any disagreement. Also importable: quickCheck().
// --only 2048:4,512:1 runs those attention shapes only (with --out elsewhere, for a quick look).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile, rename } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { runChromium } from './browser-run.mjs';
import { runNode } from './node.mjs';
import { renderMarkdown, summarise } from './report.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NATIVE_BENCH = `${ROOT}build/native-bench/bench_kernels`;

// Every implementation, Node and Chromium, agrees with the float64 reference at N=64 (no timing).
export async function quickCheck({ browser = true, log = console.log } = {}) {
  log('# Node');
  await runNode({ time: false, quick: true, log });
  if (browser) {
    log('# Chromium');
    await runChromium({ time: false, quick: true, log });
  }
}

// Runs build/native-bench/bench_kernels and returns its JSON lines (it validates its kernels
// against the reference itself, and exits non-zero if they disagree).
export function runNativeBench({ clock, maxN, log }) {
  return new Promise((resolve, reject) => {
    const args = ['--path', 'simd', '--clock', clock, '--max-n', String(maxN), '--min-ms', '200'];
    log(`$ build/native-bench/bench_kernels ${args.join(' ')}`);
    const child = spawn(NATIVE_BENCH, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      for (const line of String(chunk).split('\n')) if (line && !line.startsWith('{')) log(`  ${line}`);
    });
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

function parseArgs(argv) {
  const options = {
    quick: false,
    browser: true,
    node: true,
    native: true,
    clock: 'wall',
    jsFlags: null,
    nativeMaxN: 2048,
    out: `${ROOT}bench/results`,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') options.quick = true;
    else if (arg === '--no-browser') options.browser = false;
    else if (arg === '--no-node') options.node = false;
    else if (arg === '--no-native') options.native = false;
    else if (arg === '--clock' && ['cpu', 'wall'].includes(argv[i + 1])) options.clock = argv[++i];
    else if (arg === '--js-flags') options.jsFlags = argv[++i];
    else if (arg === '--native-max-n') options.nativeMaxN = Number(argv[++i]);
    else if (arg === '--out') options.out = argv[++i];
    else if (arg === '--only')
      options.only = argv[++i].split(',').map((s) => ({ n: Number(s.split(':')[0]), heads: Number(s.split(':')[1]) }));
    else throw new Error(`unknown argument ${arg}; see the comment at the top of bench/js/run.mjs`);
  }
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const log = (line) => console.log(line);
  const started = Date.now();
  if (options.quick) {
    await quickCheck({ browser: options.browser, log });
    log(`All implementations agree with the reference at N=64 (${((Date.now() - started) / 1000).toFixed(1)} s).`);
    return;
  }
  const results = {
    date: new Date().toISOString(),
    machine: {
      cpu: os.cpus()[0]?.model,
      cores: os.cpus().length,
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
      loadAverageAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
    },
    clock: options.clock,
    v8Flags: { node: process.execArgv, chromium: options.jsFlags },
    commit: await gitCommit(),
    native: null,
    environments: [],
  };
  if (options.native) {
    if (!existsSync(NATIVE_BENCH)) throw new Error(`${NATIVE_BENCH} is missing: run scripts/bench (it builds it)`);
    log('# Native (-O3 -march=native), the ceiling');
    results.native = {
      maxN: options.nativeMaxN,
      lines: await runNativeBench({ clock: options.clock, maxN: options.nativeMaxN, log }),
    };
  }
  if (options.node) {
    log('# Node');
    const only = options.only && ((s) => options.only.some((o) => o.n === s.n && o.heads === s.heads));
    results.environments.push(await runNode({ clock: options.clock, log, only }));
  }
  if (options.browser) {
    log('# Headless Chromium');
    results.environments.push(
      await runChromium({ clock: options.clock, log, only: options.only ?? null, jsFlags: options.jsFlags }),
    );
  }
  results.machine.loadAverageAtEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
  results.durationSeconds = Math.round((Date.now() - started) / 1000);
  results.summary = summarise(results);
  const markdown = renderMarkdown(results);
  await mkdir(options.out, { recursive: true });
  for (const [name, text] of [
    ['latest.json', `${JSON.stringify(results, null, 1)}\n`],
    ['latest.md', markdown],
  ]) {
    await writeFile(`${options.out}/${name}.tmp`, text);
    await rename(`${options.out}/${name}.tmp`, `${options.out}/${name}`);
  }
  log(`\n${markdown}`);
  log(`Wrote ${options.out}/latest.json and latest.md (${results.durationSeconds} s).`);
}

function gitCommit() {
  return new Promise((resolve) => {
    const child = spawn('git', ['describe', '--always', '--dirty'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    child.stdout.on('data', (c) => {
      text += c;
    });
    child.on('close', () => resolve(text.trim() || null));
    child.on('error', () => resolve(null));
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(`\nscripts/bench FAILED: ${error.message}`);
      process.exit(1);
    },
  );
}
