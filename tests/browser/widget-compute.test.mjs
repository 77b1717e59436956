// Where the widget computes (widget/core.js): in one worker shared by every widget of the page,
// so the host's main thread makes no pass of the core; and where no worker can be made (a CSP
// without worker-src, the single-file build), on the main thread, with the same numbers bit for
// bit. Headless Chromium (Debian's), playwright-core; the site is built into a temporary folder.
// Run: node --test --test-concurrency=1 tests/browser/widget-compute.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveStatic } from '../../scripts/lib/static-server.mjs';
import { launchChromium } from '../../scripts/lib/chromium.mjs';
import { buildSite } from '../../scripts/lib/build-site.mjs';
import { ROOT } from './page-harness.mjs';

const csp = (workerSrc) =>
  [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    `worker-src ${workerSrc}`,
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
  ].join('; ');

let browser;
let dist;
let withWorker; // worker-src 'self'
let noWorker; // worker-src 'none': the widget must compute on the main thread

before(async () => {
  if (!existsSync(join(ROOT, 'web', 'lib', 'wasm', 'attention_core.wasm'))) {
    throw new Error('web/lib/wasm/attention_core.wasm is missing: build the wasm first (scripts/test does).');
  }
  dist = buildSite(mkdtempSync(join(tmpdir(), 'ap-compute-')));
  withWorker = await serveStatic({ root: dist, headers: { 'Content-Security-Policy': csp("'self'") } });
  noWorker = await serveStatic({ root: dist, headers: { 'Content-Security-Policy': csp("'none'") } });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await withWorker?.close();
  await noWorker?.close();
});

const WORDS = Array.from({ length: 32 }, (_, i) => `w${i}`).join(' ');
// Widgets at ordinary and at the largest sizes, cross-attention and masks included.
const WIDGETS = [
  'sentence="The cat sat on the mat" heads="2"',
  'sentence="one two three four" kv="un deux trois" heads="4" d-model="32" causal padding="1" mask="0.0" positional="rope" seed="7"',
  `sentence="${WORDS}" heads="16" d-model="512" seed="3" positional="alibi" temperature="0.5"`,
];

function writePage(name, script) {
  const body = WIDGETS.map((a) => `<attention-playground loading="eager" ${a}></attention-playground>`).join('');
  writeFileSync(
    join(dist, name),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>compute</title><link rel="icon" href="favicon.svg">` +
      `<script type="module" src="${script}"></script></head><body>${body}</body></html>`,
  );
}

// Opens `url`, waits for every widget to draw, and returns each widget's matrix for every view
// (as strings, so −∞ survives), its data-compute, and what went wrong on the page.
async function readWidgets(url) {
  const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  await page.goto(url);
  await page.waitForFunction(
    (n) => [...document.querySelectorAll('attention-playground')].filter((el) => el.renders > 0).length === n,
    WIDGETS.length,
    { timeout: 30000 },
  );
  const widgets = await page.evaluate(async () => {
    const out = [];
    for (const el of document.querySelectorAll('attention-playground')) {
      const views = {};
      for (const view of ['weights', 'scores', 'q', 'k', 'v', 'head-output', 'concat', 'output']) {
        el.setAttribute('view', view);
        if (el.current?.meta.view !== view)
          await new Promise((resolve) => el.addEventListener('ap-render', resolve, { once: true }));
        views[view] = Array.from(el.current.model.data, String);
      }
      out.push({ compute: el.dataset.compute, error: el.shadowRoot.querySelector('.error').textContent, views });
    }
    return out;
  });
  return { page, widgets, problems, close: () => context.close() };
}

test('widgets compute in one shared worker: the main thread makes no pass of the core', async () => {
  writePage('compute.html', 'attention-playground.js');
  const { page, widgets, problems, close } = await readWidgets(`${withWorker.url}compute.html`);
  for (const w of widgets) {
    assert.equal(w.error, '');
    assert.equal(w.compute, 'worker');
  }
  // A change of seed is a new pass, asked of the worker too.
  await page.evaluate(async () => {
    const el = document.querySelector('attention-playground');
    const before = el.renders;
    el.setAttribute('seed', '99');
    while (el.renders === before) await new Promise((r) => el.addEventListener('ap-render', r, { once: true }));
  });
  const stats = await page.evaluate(async () => (await import('./widget/core.js')).computeStats());
  assert.equal(stats.path, 'worker');
  assert.equal(stats.mainThreadCalls, 0, 'passes of the core on the main thread');
  // One pass per widget and the new seed's (a change of view draws the pass already received).
  assert.equal(stats.workerCalls, WIDGETS.length + 1, 'passes in the worker');
  assert.deepEqual(problems, []);
  await close();
});

test('without a worker (worker-src none, the single file) widgets compute on the main thread, the same bits', async () => {
  writePage('compute.html', 'attention-playground.js');
  writePage('compute-single.html', 'attention-playground.single.js');
  const reference = await readWidgets(`${withWorker.url}compute.html`);
  await reference.close();
  for (const url of [`${noWorker.url}compute.html`, `${withWorker.url}compute-single.html`]) {
    const { page, widgets, close } = await readWidgets(url);
    widgets.forEach((w, i) => {
      assert.equal(w.error, '', `${url}: widget ${i}`);
      assert.equal(w.compute, 'main', `${url}: widget ${i}`);
      for (const [view, data] of Object.entries(w.views)) {
        assert.deepEqual(data, reference.widgets[i].views[view], `${url}: widget ${i}, view ${view}`);
      }
    });
    // The single file holds its modules inside: its counts are not reachable by import.
    if (url.startsWith(noWorker.url)) {
      const counts = await page.evaluate(async () => (await import('./widget/core.js')).computeStats());
      assert.equal(counts.path, 'main');
      assert.equal(counts.workerCalls, 0);
      assert.equal(counts.mainThreadCalls, WIDGETS.length, 'one pass per widget on the main thread');
      assert.match(counts.fallbackReason, /\S/);
    }
    await close();
  }
});
