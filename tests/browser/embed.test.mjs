// Browser tests of the embedding: the <attention-playground> widget, its single-file build,
// the examples page of the static site, and export. Headless Chromium (Debian's), playwright-core.
//
// The test writes dist/ itself first (node scripts/lib/build-site.mjs: a copy of web/ plus the
// single-file bundle, about a second), so it needs only the wasm built (scripts/test does that).
// Run: node --test --test-concurrency=1 tests/browser/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '../../scripts/lib/static-server.mjs';
import { launchChromium } from '../../scripts/lib/chromium.mjs';
import { buildSite } from '../../scripts/lib/build-site.mjs';
import { embedSnippets } from '../../web/page/embed-snippets.js';
import { tokenize } from '../../web/views/tokenizer.js';
import { SHOTS } from './page-harness.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = join(ROOT, 'dist');
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
].join('; ');

let browser;
let site; // dist/ with the strict CSP, and .wasm served with a wrong MIME type
let siteWasmFetches = 0; // requests for a .wasm on `site`
const servers = [];

before(async () => {
  if (!existsSync(join(ROOT, 'web', 'lib', 'wasm', 'attention_core.wasm'))) {
    throw new Error('web/lib/wasm/attention_core.wasm is missing: build the wasm first (scripts/test does).');
  }
  buildSite(DIST);
  site = await serveStatic({
    root: DIST,
    headers: { 'Content-Security-Policy': CSP, 'Access-Control-Allow-Origin': '*' },
    mime: { '.wasm': 'application/octet-stream' },
    onRequest: (path) => {
      if (path.endsWith('.wasm')) siteWasmFetches++;
    },
  });
  servers.push(site);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  for (const s of servers) await s.close();
});

async function open(url, { width = 900, height = 900, colorScheme = 'light' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    d.dismiss();
  });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  await page.goto(url);
  return { page, problems, close: () => context.close() };
}

// Waits until every widget on the page (scrolled into view one by one) has drawn.
async function widgetsDrawn(page, selector = 'attention-playground') {
  const count = await page.locator(selector).count();
  for (let i = 0; i < count; i++) {
    const widget = page.locator(selector).nth(i);
    await widget.scrollIntoViewIfNeeded();
    await page.waitForFunction(
      (el) => el.renders > 0 || el.shadowRoot.querySelector('.error')?.textContent,
      await widget.elementHandle(),
      { timeout: 15000 },
    );
    const error = await widget.evaluate((el) => el.shadowRoot.querySelector('.error').textContent);
    assert.equal(error, '', `widget ${i} shows an error`);
  }
  return count;
}

// Plain HTML for a host page (no inline script or style, so it also passes the strict CSP).
function hostPage(body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>host</title><link rel="icon" href="favicon.svg"></head><body>${body}</body></html>`;
}

async function hostServer(files, headers = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ap-host-'));
  // The host's icon, hostPage()'s favicon.svg: a file of its own, as a CSP without data: needs.
  copyFileSync(join(ROOT, 'web', 'favicon.svg'), join(dir, 'favicon.svg'));
  for (const [name, content] of Object.entries(files)) {
    if (content.copyFrom) copyFileSync(content.copyFrom, join(dir, name));
    else writeFileSync(join(dir, name), content);
  }
  const server = await serveStatic({ root: dir, headers });
  servers.push(server);
  return server;
}

test('the examples page shows all its embeds with no console errors (strict CSP, wrong wasm MIME type)', async () => {
  const fetchesBefore = siteWasmFetches;
  const { page, problems, close } = await open(`${site.url}examples/`);
  assert.equal(await widgetsDrawn(page), 2, 'the random-weights widget and the built-in induction model');
  // The post promises only what random weights show: no "why 'it' looks back" story, and the
  // claims it makes hold in the figure drawn.
  const post = await page.evaluate(() => ({
    title: document.title,
    h1: document.querySelector('h1').textContent,
    text: document.getElementById('what-it-shows').textContent,
  }));
  assert.doesNotMatch(`${post.title} ${post.h1}`, /looks back/i);
  assert.match(post.text, /random, not trained/);
  const columnsOfThe = async () =>
    page.locator('#embed-element').evaluate((el) => {
      const { model, meta } = el.current;
      const [a, b] = meta.tokens.flatMap((tok, j) => (tok === 'the' ? [j] : []));
      const rows = Array.from({ length: model.rows }, (_, i) => i);
      return {
        positional: meta.positional,
        pair: [a, b],
        equal: rows.every((i) => model.data[i * model.cols + a] === model.data[i * model.cols + b]),
        sums: rows.map((i) => model.data.slice(i * model.cols, (i + 1) * model.cols).reduce((x, y) => x + y, 0)),
      };
    });
  const plain = await columnsOfThe();
  assert.deepEqual([plain.positional, plain.pair], ['none', [0, 4]]);
  assert.equal(plain.equal, true, 'without a positional encoding the two "the" columns are equal in every row');
  for (const sum of plain.sums) assert.ok(Math.abs(sum - 1) < 1e-5, `a row sums to ${sum}`);
  const widget = page.locator('#embed-element');
  const before = await widget.evaluate((el) => el.renders);
  await widget.evaluate((el) => {
    const select = el.shadowRoot.querySelector('[data-control="positional"]');
    select.value = 'sinusoidal';
    select.dispatchEvent(new Event('change'));
  });
  await page.waitForFunction((n) => document.getElementById('embed-element').renders > n, before);
  assert.equal((await columnsOfThe()).equal, false, 'with sinusoidal positions the two columns part');
  await widget.evaluate((el) => el.setAttribute('positional', 'none'));
  for (const id of ['embed-iframe', 'embed-step']) {
    await page.locator(`#${id}`).scrollIntoViewIfNeeded();
    const frame = await (await page.locator(`#${id}`).elementHandle()).contentFrame();
    await frame.waitForFunction(() => window.__ap && window.__ap.renders > 0, null, { timeout: 15000 });
  }
  const iframe = await (await page.locator('#embed-iframe').elementHandle()).contentFrame();
  const state = await iframe.evaluate(() => window.__ap.state);
  assert.equal(state.sentence, 'Attention is all you need');
  assert.equal(state.causal, true);
  // Both iframes are compact (embed=1): no page header, their view at the top of the frame.
  for (const [id, step] of [
    ['embed-iframe', 0],
    ['embed-step', 8],
  ]) {
    const frame = await (await page.locator(`#${id}`).elementHandle()).contentFrame();
    const shown = await frame.evaluate(() => ({
      embed: window.__ap.state.embed,
      step: window.__ap.state.step,
      masthead: document.querySelector('.masthead').getBoundingClientRect().height,
      viewTop: document.querySelector(window.__ap.state.step ? '.wt-card' : '#pipeline').getBoundingClientRect().top,
      nav: document.querySelector('.wt-top')?.getBoundingClientRect().height ?? 0,
    }));
    assert.equal(shown.embed, true, id);
    assert.equal(shown.step, step, id);
    assert.equal(shown.masthead, 0, `${id}: no header`);
    assert.ok(shown.viewTop < 80, `${id}: the view starts ${shown.viewTop} px down the frame`);
    if (step) assert.equal(shown.nav, 0, `${id}: the step navigation is hidden (hide=view)`);
  }
  await page.screenshot({ path: join(SHOTS, 'examples.png'), fullPage: true });
  // One fetch of the .wasm per loaded module (the widget's, the induction widget's model_core in its
  // model worker, and each iframe's worker), although the host sends it as application/octet-stream:
  // compiled from the bytes of that one response.
  assert.equal(siteWasmFetches - fetchesBefore, 4, 'wasm fetches');
  assert.deepEqual(problems, []);
  await close();
});

test('a widget already on screen starts without the IntersectionObserver; one below the fold waits', async () => {
  writeFileSync(join(DIST, 'lazy.css'), '.spacer { height: 4000px; }');
  writeFileSync(
    join(DIST, 'lazy.html'),
    hostPage(
      '<link rel="stylesheet" href="lazy.css"><script type="module" src="attention-playground.js"></script>' +
        '<attention-playground id="top" sentence="on screen"></attention-playground>' +
        '<div class="spacer"></div><attention-playground id="below" sentence="far below"></attention-playground>',
    ),
  );
  const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
  // An observer that never reports: only the on-screen check can start a widget now.
  await context.addInitScript(() => {
    window.IntersectionObserver = class {
      observe() {}
      disconnect() {}
      unobserve() {}
    };
  });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${site.url}lazy.html`);
  await page.waitForFunction(() => document.getElementById('top').renders > 0, null, { timeout: 15000 });
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => document.getElementById('below').started), false);
  assert.deepEqual(problems, []);
  await context.close();
});

test('three widgets on one page fetch the wasm once', async () => {
  const threePage = join(DIST, 'three.html');
  writeFileSync(
    threePage,
    hostPage(
      '<script type="module" src="attention-playground.js"></script>' +
        ['one two three', 'four five', 'six seven eight nine']
          .map((s) => `<attention-playground sentence="${s}"></attention-playground>`)
          .join(''),
    ),
  );
  // A server with the right MIME type: with a wrong one, the fallback fetches the bytes again.
  let fetches = 0;
  const paths = [];
  const plain = await serveStatic({
    root: DIST,
    onRequest: (path) => {
      paths.push(path);
      if (path.endsWith('.wasm')) fetches++;
    },
  });
  servers.push(plain);
  const opened = await open(`${plain.url}three.html`);
  assert.equal(await widgetsDrawn(opened.page), 3);
  assert.equal(fetches, 1, `the wasm was fetched ${fetches} times`);
  // Only what the widget needs: nothing of the page's (web/page/: catalogues, walkthrough, worker).
  const extra = paths.filter((p) => p.includes('/page/'));
  assert.deepEqual(extra, []);
  assert.deepEqual(opened.problems, []);
  await opened.close();
});

test('the snippets work pasted into a page on another origin', async () => {
  const state = {
    sentence: 'Snippets travel well',
    heads: 2,
    dModel: 16,
    temperature: 0.5,
    causal: true,
    positional: 'rope',
    seed: 3,
    focus: 1,
  };
  const { iframe, element } = embedSnippets(state, { baseUrl: `${site.url}index.html` });
  const host = await hostServer({ 'index.html': hostPage(element + iframe) });
  assert.notEqual(host.port, site.port);
  const { page, problems, close } = await open(host.url);
  await widgetsDrawn(page);
  const shown = await page
    .locator('attention-playground')
    .evaluate((el) => ({ tokens: el.current.model.rowLabels, meta: el.current.meta }));
  assert.deepEqual(shown.tokens, tokenize(state.sentence));
  assert.equal(shown.meta.head, 1);
  assert.equal(shown.meta.causal, true);
  const frame = await (await page.locator('iframe').elementHandle()).contentFrame();
  await frame.waitForFunction(() => window.__ap && window.__ap.renders > 0, null, { timeout: 15000 });
  assert.equal(await frame.evaluate(() => window.__ap.state.sentence), state.sentence);
  assert.deepEqual(problems, []);
  await close();
});

test('the single-file build works alone under the strict CSP', async () => {
  const host = await hostServer(
    {
      'index.html': hostPage(
        '<script type="module" src="attention-playground.single.js"></script><attention-playground sentence="One file is enough" view="scores" controls="view"></attention-playground>',
      ),
      'attention-playground.single.js': { copyFrom: join(DIST, 'attention-playground.single.js') },
    },
    { 'Content-Security-Policy': CSP },
  );
  const requests = [];
  const { page, problems, close } = await open(host.url);
  page.on('request', (r) => requests.push(r.url()));
  await widgetsDrawn(page);
  assert.equal(await page.locator('attention-playground').evaluate((el) => el.current.meta.view), 'scores');
  assert.ok(!requests.some((u) => u.endsWith('.wasm')), 'the single file fetched a .wasm');
  assert.deepEqual(problems, []);
  await close();
});

test('export gives valid PNG, SVG, CSV and JSON', async () => {
  const { page, problems, close } = await open(`${site.url}three.html`);
  await widgetsDrawn(page);
  const out = await page
    .locator('attention-playground')
    .first()
    .evaluate(async (el) => {
      const png = new Uint8Array(await (await el.exportPNG()).arrayBuffer());
      const bitmap = await createImageBitmap(new Blob([png], { type: 'image/png' }));
      const svg = el.exportSVG();
      const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
      return {
        pngHead: Array.from(png.slice(0, 8)),
        pngSize: [bitmap.width, bitmap.height],
        svgError: doc.querySelector('parsererror')?.textContent ?? null,
        svgRoot: doc.documentElement.nodeName,
        svgRects: doc.querySelectorAll('rect').length,
        svgTexts: [...doc.querySelectorAll('text')].map((t) => t.textContent),
        csv: el.exportCSV(),
        json: el.exportJSON(),
      };
    });
  assert.deepEqual(out.pngHead, [137, 80, 78, 71, 13, 10, 26, 10]);
  assert.ok(out.pngSize[0] > 100 && out.pngSize[1] > 100);
  assert.equal(out.svgError, null);
  assert.equal(out.svgRoot, 'svg');
  assert.ok(out.svgRects >= 9, 'one rect per cell');
  for (const token of ['one', 'two', 'three']) assert.ok(out.svgTexts.includes(token));
  const lines = out.csv.trim().split('\r\n');
  assert.equal(lines.length, 4);
  assert.equal(lines[0], ',one,two,three');
  const json = JSON.parse(out.json);
  assert.equal(json.rows, 3);
  for (const row of json.data) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5, 'weight rows sum to 1');
  assert.deepEqual(problems, []);
  await close();
});

test('teacher mode shows only the chosen controls and locks what it says', async () => {
  writeFileSync(
    join(DIST, 'teacher.html'),
    hostPage(
      '<script type="module" src="attention-playground.js"></script>' +
        '<attention-playground sentence="Only one idea" controls="temperature,causal" locked="causal" causal></attention-playground>',
    ),
  );
  const { page, problems, close } = await open(`${site.url}teacher.html`);
  await widgetsDrawn(page);
  const controls = await page.locator('attention-playground').evaluate((el) =>
    [...el.shadowRoot.querySelectorAll('[data-control]')].map((c) => ({
      name: c.dataset.control,
      disabled: c.disabled,
    })),
  );
  assert.deepEqual(controls, [
    { name: 'temperature', disabled: false },
    { name: 'causal', disabled: true },
  ]);
  // The unlocked slider changes the picture; the attribute follows.
  const before = await page.locator('attention-playground').evaluate((el) => el.renders);
  await page.locator('attention-playground').evaluate((el) => {
    const slider = el.shadowRoot.querySelector('input[type=range]');
    slider.value = '100';
    slider.dispatchEvent(new Event('input'));
  });
  await page.waitForFunction((r) => document.querySelector('attention-playground').renders > r, before);
  assert.equal(await page.locator('attention-playground').getAttribute('temperature'), '10');
  assert.deepEqual(problems, []);
  await close();
});

test('HTML, emoji and right-to-left sentences are shown as text', async () => {
  const sentences = ['<img src=x onerror=alert(1)>', 'I ❤️ مرحبا بالعالم 👩‍💻 ok'];
  const escape = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  writeFileSync(
    join(DIST, 'text.html'),
    hostPage(
      '<script type="module" src="attention-playground.js"></script>' +
        sentences
          .map((s) => `<attention-playground sentence="${escape(s)}" controls="sentence"></attention-playground>`)
          .join(''),
    ),
  );
  const { page, problems, close } = await open(`${site.url}text.html`);
  await widgetsDrawn(page);
  const shown = await page.locator('attention-playground').evaluateAll((els) =>
    els.map((el) => ({
      labels: el.current.model.rowLabels,
      input: el.shadowRoot.querySelector('input').value,
      imgs: el.shadowRoot.querySelectorAll('img').length,
    })),
  );
  sentences.forEach((s, i) => {
    assert.deepEqual(shown[i].labels, tokenize(s));
    assert.equal(shown[i].input, s);
    assert.equal(shown[i].imgs, 0);
  });
  assert.ok(shown[1].labels.includes('مرحبا') && shown[1].labels.includes('👩‍💻'));
  assert.equal(await page.locator('img').count(), 0);
  assert.deepEqual(problems, []);
  await close();
});

test('screenshots: dark theme, and 320 px wide', async () => {
  writeFileSync(
    join(DIST, 'shot.html'),
    hostPage(
      '<link rel="stylesheet" href="examples/examples.css"><article><script type="module" src="attention-playground.js"></script>' +
        '<attention-playground sentence="The cat sat on the mat because it was warm" heads="2" controls="temperature,causal,view,head,export" theme="auto"></attention-playground></article>',
    ),
  );
  for (const [name, options] of [
    ['embed-dark.png', { width: 760, height: 700, colorScheme: 'dark' }],
    ['embed-320.png', { width: 320, height: 760 }],
  ]) {
    const { page, problems, close } = await open(`${site.url}shot.html`, options);
    await widgetsDrawn(page);
    const box = await page
      .locator('attention-playground')
      .evaluate((el) => ({ w: el.getBoundingClientRect().width, scroll: document.documentElement.scrollWidth }));
    assert.ok(box.scroll <= options.width, `the page scrolls sideways: ${box.scroll} > ${options.width}`);
    await page.locator('attention-playground').screenshot({ path: join(SHOTS, name) });
    assert.deepEqual(problems, []);
    await close();
  }
});

test('lang="zh" shows the Chinese UI; arrow keys over the cells announce values', async () => {
  writeFileSync(
    join(DIST, 'zh.html'),
    hostPage(
      '<script type="module" src="attention-playground.js"></script>' +
        '<attention-playground lang="zh" sentence="我 爱 你" controls="causal" causal></attention-playground>',
    ),
  );
  const { page, problems, close } = await open(`${site.url}zh.html`);
  await widgetsDrawn(page);
  const widget = page.locator('attention-playground');
  assert.equal(await widget.evaluate((el) => el.shadowRoot.querySelector('.field.check span').textContent), '因果掩码');
  assert.equal(await widget.evaluate((el) => el.shadowRoot.querySelector('.hm-legend-masked').textContent), '已掩码');
  await widget.evaluate((el) => el.shadowRoot.querySelector('.hm-overlay').focus());
  await page.keyboard.press('ArrowDown');
  const { live, text, weight } = await widget.evaluate((el) => {
    const readout = el.shadowRoot.querySelector('.readout');
    return { live: readout.getAttribute('aria-live'), text: readout.textContent, weight: el.current.model.data[3] };
  });
  assert.equal(live, 'polite');
  assert.equal(text, `爱 → 我：${Number(weight.toPrecision(4))}`);
  // Above the diagonal the causal mask hides the key: announced as masked, like on the page.
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal(await widget.evaluate((el) => el.shadowRoot.querySelector('.readout').textContent), '爱 → 你：已掩码');
  assert.deepEqual(problems, []);
  await close();
});

// ---- the page's options as attributes: scale, padding, mask, kv ---------------------------------

// A widget page in dist/ holding `body`; returns the opened page once every widget has drawn or
// shown an error.
async function widgetPage(name, body) {
  writeFileSync(join(DIST, name), hostPage(`<script type="module" src="attention-playground.js"></script>${body}`));
  const opened = await open(`${site.url}${name}`);
  for (const handle of await opened.page.locator('attention-playground').elementHandles()) {
    await opened.page.waitForFunction(
      (el) => el.renders > 0 || el.shadowRoot.querySelector('.error').textContent,
      handle,
      { timeout: 15000 },
    );
  }
  return opened;
}

// The widget's matrices for each view, as strings (−∞ survives the trip); and its mask.
async function widgetViews(locator, views) {
  const out = {};
  for (const view of views) {
    out[view] = await locator.evaluate(async (el, v) => {
      const before = el.renders;
      el.setAttribute('view', v);
      if (el.current?.meta.view !== v)
        await new Promise((resolve) => el.addEventListener('ap-render', resolve, { once: true }));
      if (el.renders === before && el.current.meta.view !== v) throw new Error(`view ${v} not drawn`);
      const m = el.current.model;
      return {
        rows: m.rows,
        cols: m.cols,
        data: Array.from(m.data, String),
        rowLabels: m.rowLabels,
        colLabels: m.colLabels,
        masked: m.masked ? Array.from(m.masked) : null,
      };
    }, view);
  }
  return out;
}

const PARITY_STATES = [
  ['scale off', { sentence: 'The cat sat on the mat', heads: 2, dModel: 16, scale: false }],
  ['padding', { sentence: 'The cat sat on the mat', heads: 2, dModel: 16, padding: [1, 4] }],
  [
    'painted mask, causal',
    {
      sentence: 'The cat sat on the mat',
      heads: 2,
      dModel: 16,
      causal: true,
      painted: [
        [0, 0],
        [2, 0],
        [3, 3],
        [5, 1],
      ],
    },
  ],
  [
    'cross-attention with padding, mask, RoPE, no scale, head 1',
    {
      sentence: 'The cat sat on the mat',
      cross: true,
      kv: 'Le chat est assis sur le tapis',
      heads: 4,
      dModel: 32,
      padding: [6],
      painted: [
        [0, 1],
        [2, 0],
      ],
      positional: 'rope',
      scale: false,
      temperature: 0.7,
      seed: 7,
      focus: 1,
    },
  ],
];

test("scale, padding, mask and kv: the widget from the Embed snippet draws the page's numbers", async () => {
  for (const [what, partial] of PARITY_STATES) {
    const { url, element } = embedSnippets(partial, { baseUrl: `${site.url}index.html` });
    const pageSide = await open(url);
    await pageSide.page.waitForFunction(() => window.__ap?.trace && window.__ap.renders > 0, null, { timeout: 15000 });
    const head = partial.focus ?? 0;
    const ref = await pageSide.page.evaluate((h) => {
      const tr = window.__ap.trace;
      const s = (a) => Array.from(a, String);
      return {
        n: tr.n,
        nKv: tr.nKv,
        tokens: tr.tokens,
        keyTokens: tr.keyTokens,
        mask: Array.from(tr.mask),
        weights: s(tr.weights[h]),
        scores: s(tr.scores[h]),
        q: s(tr.q[h]),
        k: s(tr.k[h]),
        'head-output': s(tr.headOutput[h]),
        concat: s(tr.concat),
        output: s(tr.output),
      };
    }, head);
    assert.deepEqual(pageSide.problems, [], what);
    await pageSide.close();

    const { page, problems, close } = await widgetPage(
      'parity.html',
      element.replace(/^<script[^>]*><\/script>\n/, ''),
    );
    const widget = page.locator('attention-playground');
    assert.equal(await widget.evaluate((el) => el.shadowRoot.querySelector('.error').textContent), '', what);
    const views = await widgetViews(widget, ['weights', 'scores', 'q', 'k', 'head-output', 'concat', 'output']);
    for (const [view, got] of Object.entries(views)) {
      assert.deepEqual(got.data, ref[view], `${what}: ${view} differs from the page's`);
    }
    assert.equal(views.weights.rows, ref.n, what);
    assert.equal(views.weights.cols, ref.nKv, what);
    assert.deepEqual(views.weights.rowLabels, ref.tokens, what);
    assert.deepEqual(views.weights.colLabels, ref.keyTokens, what);
    assert.deepEqual(views.k.rowLabels, ref.keyTokens, `${what}: K has a row per key token`);
    // The page's mask says who may attend (1); the widget's, drawn hatched, who may not (1).
    assert.deepEqual(
      views.weights.masked,
      ref.mask.map((m) => 1 - m),
      `${what}: masked cells`,
    );
    assert.deepEqual(problems, [], what);
    await close();
  }
});

test('kv: cross-attention draws an n_q × n_k map with the queries down the side and the keys along the top', async () => {
  const { page, problems, close } = await widgetPage(
    'cross.html',
    '<attention-playground sentence="The cat sat" kv="Le chat est assis sur le tapis" heads="2" controls="kv"></attention-playground>',
  );
  const widget = page.locator('attention-playground');
  const shown = await widget.evaluate((el) => {
    const data = el.shadowRoot.querySelector('.hm-data');
    return {
      rows: el.current.model.rows,
      cols: el.current.model.cols,
      rowLabels: el.current.model.rowLabels,
      colLabels: el.current.model.colLabels,
      canvas: [data.width, data.height],
      caption: el.shadowRoot.querySelector('.caption').textContent,
    };
  });
  assert.deepEqual([shown.rows, shown.cols], [3, 7]);
  assert.deepEqual(shown.canvas, [7, 3], 'the drawn map is 3 rows by 7 columns');
  assert.deepEqual(shown.rowLabels, tokenize('The cat sat'));
  assert.deepEqual(shown.colLabels, tokenize('Le chat est assis sur le tapis'));
  assert.match(shown.caption, /3 × 7/);
  // The kv field: clearing it goes back to self-attention (3 × 3).
  await widget.evaluate((el) => {
    const input = el.shadowRoot.querySelector('[data-control=kv]');
    input.value = '';
    input.dispatchEvent(new Event('input'));
  });
  await page.waitForFunction(() => document.querySelector('attention-playground').current.model.cols === 3);
  assert.deepEqual(await widget.evaluate((el) => el.current.model.colLabels), tokenize('The cat sat'));
  assert.deepEqual(problems, []);
  await close();
});

test("padding, mask and scale: the widget's weights are the core's; rows sum to 1 over the keys left", async () => {
  const { page, problems, close } = await widgetPage(
    'masks.html',
    '<attention-playground id="pm" sentence="one two three four five" heads="2" d-model="16" seed="5" padding="1,3" mask="0.0,2.4,4.2" causal scale="false" temperature="0.5" controls="scale"></attention-playground>',
  );
  const widget = page.locator('attention-playground');
  const check = () =>
    widget.evaluate(async (el) => {
      // The reference: a direct attention() call on the seeded inputs, masks built here.
      const { loadAttention } = await import('./lib/attention.js');
      const { seededInputs } = await import('./views/seeded.js');
      const core = await loadAttention();
      const inputs = seededInputs(core);
      const tokens = el.current.meta.tokens;
      const n = tokens.length;
      const scale = el.getAttribute('scale') !== 'false';
      const allowed = new Uint8Array(n * n).fill(1);
      for (const [i, j] of [
        [0, 0],
        [2, 4],
        [4, 2],
      ])
        allowed[i * n + j] = 0;
      const trace = core.attention({
        x: inputs.embeddings(tokens, 16, 5),
        n,
        dModel: 16,
        heads: 2,
        ...inputs.weights(16, 5),
        causal: true,
        temperature: 0.5,
        scale,
        mask: allowed,
        keyPadding: Uint8Array.from([0, 1, 0, 1, 0]),
      });
      const w = el.current.model.data;
      const sums = [];
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let j = 0; j < n; j++) {
          const open = allowed[i * n + j] && j !== 1 && j !== 3 && j <= i;
          if (!open && w[i * n + j] !== 0) throw new Error(`weight (${i}, ${j}) is masked but ${w[i * n + j]}`);
          if (open) sum += w[i * n + j];
        }
        sums.push(sum);
      }
      return { same: Array.from(trace.weights(0)).every((v, k) => v === w[k]), sums, scale };
    });
  const off = await check();
  assert.equal(off.scale, false);
  assert.ok(off.same, "the widget's weights differ from attention() with scale: false");
  // Row 0 may attend only to itself, and that cell is painted: the row is all zeros.
  assert.equal(off.sums[0], 0);
  for (const sum of off.sums.slice(1)) assert.ok(Math.abs(sum - 1) < 1e-6, `a row sums to ${sum}`);
  // The scale checkbox sets the attribute, and the numbers follow.
  const before = await widget.evaluate((el) => el.renders);
  await widget.evaluate((el) => el.shadowRoot.querySelector('[data-control=scale]').click());
  await page.waitForFunction((r) => document.querySelector('attention-playground').renders > r, before);
  const on = await check();
  assert.equal(on.scale, true);
  assert.ok(on.same, "the widget's weights differ from attention() with scale: true");
  assert.deepEqual(problems, []);
  await close();
});

test('bad padding, mask or kv values give a message in the widget, not a throw or a blank', async () => {
  const cases = [
    ['padding="9"', /padding: there is no key token 9; the 3 keys are numbered 0 … 2/],
    ['padding="1;2"', /padding="1;2" is not a list of token indices/],
    ['padding="-1"', /padding="-1" is not a list of token indices/],
    ['mask="0-1"', /mask="0-1": "0-1" is not a cell/],
    ['mask="0.1,3.0"', /mask: cell 3\.0 is outside the 3 × 3 map/],
    ['kv="a b" mask="0.2"', /mask: cell 0\.2 is outside the 3 × 2 map/],
    ['kv="a b" padding="2"', /there is no key token 2; the 2 keys are numbered 0 … 1/],
    // The sizes and choices, each named as written (views/limits.js's caps), never replaced by a default.
    ['heads="17"', /^heads="17": write a whole number from 1 to 16\.$/],
    ['heads="abc"', /^heads="abc": write a whole number from 1 to 16\.$/],
    ['d-model="600"', /^d-model="600": write a whole number from 1 to 512\.$/],
    ['seed="1000000"', /^seed="1000000": write a whole number from 0 to 999999\.$/],
    ['view="nope"', /^view="nope" is not one of weights, scores/],
    ['positional="xyz"', /^positional="xyz" is not one of none, sinusoidal, rope, alibi\.$/],
    ['head="3"', /^head="3": write a whole number from 0 to 1\.$/],
    [
      `kv="${Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ')}"`,
      /The key sentence \(kv\) has 40 tokens; the widget draws at most 32/,
    ],
  ];
  const { page, problems, close } = await widgetPage(
    'bad.html',
    cases
      .map(
        ([attrs]) => `<attention-playground sentence="one two three" loading="eager" ${attrs}></attention-playground>`,
      )
      .join(''),
  );
  const shown = await page
    .locator('attention-playground')
    .evaluateAll((els) => els.map((el) => el.shadowRoot.querySelector('.error').textContent));
  cases.forEach(([attrs, expected], i) => assert.match(shown[i], expected, attrs));
  // Fixing the value clears the message and draws.
  const first = page.locator('attention-playground').first();
  await first.evaluate((el) => el.setAttribute('padding', '2'));
  await page.waitForFunction(() => document.querySelector('attention-playground').renders > 0);
  assert.equal(await first.evaluate((el) => el.shadowRoot.querySelector('.error').textContent), '');
  assert.deepEqual(await first.evaluate((el) => el.current.meta.padding), [2]);
  // The Chinese catalogue has these messages too.
  await first.evaluate((el) => {
    el.setAttribute('lang', 'zh');
    el.setAttribute('mask', '0.x');
  });
  await page.waitForFunction(
    () => document.querySelector('attention-playground').shadowRoot.querySelector('.error').textContent !== '',
  );
  assert.match(
    await first.evaluate((el) => el.shadowRoot.querySelector('.error').textContent),
    /^mask="0\.x"：“0\.x” 不是单元格/,
  );
  assert.deepEqual(problems, []);
  await close();
});
