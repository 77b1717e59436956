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
import { embedSnippets } from '../../web/embed.js';
import { tokenize } from '../../web/tokenizer.js';
import { SHOTS } from './page-harness.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = join(ROOT, 'dist');
const CSP = [
  "default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "worker-src 'self'",
  "style-src 'self'", "img-src 'self' data: blob:", "connect-src 'self'", "object-src 'none'",
].join('; ');

let browser;
let site;          // dist/ with the strict CSP, and .wasm served with a wrong MIME type
const servers = [];

before(async () => {
  if (!existsSync(join(ROOT, 'web', 'lib', 'wasm', 'attention_core.wasm'))) {
    throw new Error('web/lib/wasm/attention_core.wasm is missing: build the wasm first (scripts/test does).');
  }
  buildSite(DIST);
  site = await serveStatic({
    root: DIST, headers: { 'Content-Security-Policy': CSP, 'Access-Control-Allow-Origin': '*' },
    mime: { '.wasm': 'application/octet-stream' },
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
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss(); });
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
    await page.waitForFunction((el) => el.renders > 0 || el.shadowRoot.querySelector('.error')?.textContent, await widget.elementHandle(), { timeout: 15000 });
    const error = await widget.evaluate((el) => el.shadowRoot.querySelector('.error').textContent);
    assert.equal(error, '', `widget ${i} shows an error`);
  }
  return count;
}

// Plain HTML for a host page (no inline script or style, so it also passes the strict CSP).
function hostPage(body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>host</title><link rel="icon" href="data:,"></head><body>${body}</body></html>`;
}

async function hostServer(files, headers = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ap-host-'));
  for (const [name, content] of Object.entries(files)) {
    if (content.copyFrom) copyFileSync(content.copyFrom, join(dir, name));
    else writeFileSync(join(dir, name), content);
  }
  const server = await serveStatic({ root: dir, headers });
  servers.push(server);
  return server;
}

test('the examples page shows all three embeds with no console errors (strict CSP, wrong wasm MIME type)', async () => {
  const { page, problems, close } = await open(`${site.url}examples/`);
  assert.equal(await widgetsDrawn(page), 1);
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
  for (const [id, step] of [['embed-iframe', 0], ['embed-step', 8]]) {
    const frame = await (await page.locator(`#${id}`).elementHandle()).contentFrame();
    const shown = await frame.evaluate(() => ({
      embed: window.__ap.state.embed, step: window.__ap.state.step,
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
  assert.deepEqual(problems, []);
  await close();
});

test('a widget already on screen starts without the IntersectionObserver; one below the fold waits', async () => {
  writeFileSync(join(DIST, 'lazy.css'), '.spacer { height: 4000px; }');
  writeFileSync(join(DIST, 'lazy.html'), hostPage('<link rel="stylesheet" href="lazy.css"><script type="module" src="attention-playground.js"></script>' +
    '<attention-playground id="top" sentence="on screen"></attention-playground>' +
    '<div class="spacer"></div><attention-playground id="below" sentence="far below"></attention-playground>'));
  const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
  // An observer that never reports: only the on-screen check can start a widget now.
  await context.addInitScript(() => {
    window.IntersectionObserver = class { observe() {} disconnect() {} unobserve() {} };
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
  writeFileSync(threePage, hostPage('<script type="module" src="attention-playground.js"></script>' +
    ['one two three', 'four five', 'six seven eight nine'].map((s) => `<attention-playground sentence="${s}"></attention-playground>`).join('')));
  // A server with the right MIME type: with a wrong one, the fallback fetches the bytes again.
  let fetches = 0;
  const plain = await serveStatic({ root: DIST, onRequest: (path) => { if (path.endsWith('.wasm')) fetches++; } });
  servers.push(plain);
  const opened = await open(`${plain.url}three.html`);
  assert.equal(await widgetsDrawn(opened.page), 3);
  assert.equal(fetches, 1, `the wasm was fetched ${fetches} times`);
  assert.deepEqual(opened.problems, []);
  await opened.close();
});

test('the snippets work pasted into a page on another origin', async () => {
  const state = { sentence: 'Snippets travel well', heads: 2, dModel: 16, temperature: 0.5, causal: true, positional: 'rope', seed: 3, focus: 1 };
  const { iframe, element } = embedSnippets(state, { baseUrl: `${site.url}index.html` });
  const host = await hostServer({ 'index.html': hostPage(element + iframe) });
  assert.notEqual(host.port, site.port);
  const { page, problems, close } = await open(host.url);
  await widgetsDrawn(page);
  const shown = await page.locator('attention-playground').evaluate((el) => ({ tokens: el.current.model.rowLabels, meta: el.current.meta }));
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
  const host = await hostServer({
    'index.html': hostPage('<script type="module" src="attention-playground.single.js"></script><attention-playground sentence="One file is enough" view="scores" controls="view"></attention-playground>'),
    'attention-playground.single.js': { copyFrom: join(DIST, 'attention-playground.single.js') },
  }, { 'Content-Security-Policy': CSP });
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
  const out = await page.locator('attention-playground').first().evaluate(async (el) => {
    const png = new Uint8Array(await (await el.exportPNG()).arrayBuffer());
    const bitmap = await createImageBitmap(new Blob([png], { type: 'image/png' }));
    const svg = el.exportSVG();
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    return {
      pngHead: Array.from(png.slice(0, 8)), pngSize: [bitmap.width, bitmap.height],
      svgError: doc.querySelector('parsererror')?.textContent ?? null, svgRoot: doc.documentElement.nodeName,
      svgRects: doc.querySelectorAll('rect').length, svgTexts: [...doc.querySelectorAll('text')].map((t) => t.textContent),
      csv: el.exportCSV(), json: el.exportJSON(),
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
  writeFileSync(join(DIST, 'teacher.html'), hostPage('<script type="module" src="attention-playground.js"></script>' +
    '<attention-playground sentence="Only one idea" controls="temperature,causal" locked="causal" causal></attention-playground>'));
  const { page, problems, close } = await open(`${site.url}teacher.html`);
  await widgetsDrawn(page);
  const controls = await page.locator('attention-playground').evaluate((el) =>
    [...el.shadowRoot.querySelectorAll('[data-control]')].map((c) => ({ name: c.dataset.control, disabled: c.disabled })));
  assert.deepEqual(controls, [{ name: 'temperature', disabled: false }, { name: 'causal', disabled: true }]);
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
  writeFileSync(join(DIST, 'text.html'), hostPage('<script type="module" src="attention-playground.js"></script>' +
    sentences.map((s) => `<attention-playground sentence="${escape(s)}" controls="sentence"></attention-playground>`).join('')));
  const { page, problems, close } = await open(`${site.url}text.html`);
  await widgetsDrawn(page);
  const shown = await page.locator('attention-playground').evaluateAll((els) => els.map((el) => ({
    labels: el.current.model.rowLabels, input: el.shadowRoot.querySelector('input').value,
    imgs: el.shadowRoot.querySelectorAll('img').length,
  })));
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
  writeFileSync(join(DIST, 'shot.html'), hostPage('<link rel="stylesheet" href="examples/examples.css"><article><script type="module" src="attention-playground.js"></script>' +
    '<attention-playground sentence="The cat sat on the mat because it was warm" heads="2" controls="temperature,causal,view,head,export" theme="auto"></attention-playground></article>'));
  for (const [name, options] of [['embed-dark.png', { width: 760, height: 700, colorScheme: 'dark' }], ['embed-320.png', { width: 320, height: 760 }]]) {
    const { page, problems, close } = await open(`${site.url}shot.html`, options);
    await widgetsDrawn(page);
    const box = await page.locator('attention-playground').evaluate((el) => ({ w: el.getBoundingClientRect().width, scroll: document.documentElement.scrollWidth }));
    assert.ok(box.scroll <= options.width, `the page scrolls sideways: ${box.scroll} > ${options.width}`);
    await page.locator('attention-playground').screenshot({ path: join(SHOTS, name) });
    assert.deepEqual(problems, []);
    await close();
  }
});

test('lang="zh" shows the Chinese UI; arrow keys over the cells announce values', async () => {
  writeFileSync(join(DIST, 'zh.html'), hostPage('<script type="module" src="attention-playground.js"></script>' +
    '<attention-playground lang="zh" sentence="我 爱 你" controls="causal" causal></attention-playground>'));
  const { page, problems, close } = await open(`${site.url}zh.html`);
  await widgetsDrawn(page);
  const widget = page.locator('attention-playground');
  assert.equal(await widget.evaluate((el) => el.shadowRoot.querySelector('.field.check span').textContent), '因果掩码');
  assert.equal(await widget.evaluate((el) => el.shadowRoot.querySelector('.hm-legend-masked').textContent), '已掩码');
  await widget.evaluate((el) => el.shadowRoot.querySelector('.hm-overlay').focus());
  await page.keyboard.press('ArrowRight');
  const { live, text, weight } = await widget.evaluate((el) => {
    const readout = el.shadowRoot.querySelector('.readout');
    return { live: readout.getAttribute('aria-live'), text: readout.textContent, weight: el.current.model.data[1] };
  });
  assert.equal(live, 'polite');
  assert.equal(text, `我 → 爱：${Number(weight.toPrecision(4))}`);
  assert.deepEqual(problems, []);
  await close();
});
