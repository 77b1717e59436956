// Shared set-up for the page's browser tests: a static server for web/ with a strict CSP,
// Debian's headless Chromium (playwright-core), and helpers to open the page and wait for a result.

import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '../../scripts/lib/static-server.mjs';
import { launchChromium } from '../../scripts/lib/chromium.mjs';
import { namesNoView } from '../../web/page/state.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WEB = join(ROOT, 'web');

// Where the tests' screenshots go: build/screenshots/ so a test run leaves the tree clean, or
// docs/ (the README's pictures) when AP_SCREENSHOTS=docs, as scripts/screenshots sets it.
export const SHOTS = join(ROOT, process.env.AP_SCREENSHOTS === 'docs' ? 'docs' : join('build', 'screenshots'));
mkdirSync(SHOTS, { recursive: true });

const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
].join('; ');

// Starts the server and the browser; returns { server, browser, open, close }.
// open(hash, { width, height, dpr, wait, locale, touch, bare }) → { page, problems, close }. A hash
// naming no view (the bare address, or only lang=) opens Model mode on the built-in language model;
// the tests of the random-weights page get step=0 added (the same state, named), unless bare is set.
// problems
// collects console errors and warnings, page errors, failed and off-origin requests, so a test
// can assert there were none. The tests' own getImageData readbacks make Chromium suggest
// willReadFrequently; that warning is ignored.
export async function startHarness() {
  if (!existsSync(join(WEB, 'lib', 'wasm', 'attention_core.wasm'))) {
    throw new Error('web/lib/wasm/attention_core.wasm is missing: build the wasm first (scripts/test does).');
  }
  const server = await serveStatic({ root: WEB, port: 0, headers: { 'Content-Security-Policy': CSP } });
  const browser = await launchChromium();

  async function open(
    hash = '',
    { width = 1280, height = 900, dpr = 1, wait = true, locale, touch = false, bare = false } = {},
  ) {
    if (!bare && namesNoView(hash)) hash = `#${[String(hash).replace(/^#/, ''), 'step=0'].filter(Boolean).join('&')}`;
    const context = await browser.newContext({
      viewport: { width, height },
      deviceScaleFactor: dpr,
      ...(locale ? { locale } : {}),
      ...(touch ? { hasTouch: true, isMobile: true } : {}),
    });
    const page = await context.newPage();
    const problems = [];
    page.on('console', (m) => {
      if ((m.type() === 'error' || m.type() === 'warning') && !/willReadFrequently/.test(m.text())) {
        problems.push(`console ${m.type()}: ${m.text()}`);
      }
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url) && !r.url().startsWith('data:'))
        problems.push(`off-origin request: ${r.url()}`);
    });
    page.on('requestfailed', (r) => {
      // The browser's own favicon request is abandoned (net::ERR_ABORTED) when a test reloads or
      // navigates while it is in flight: that is no fault of the page's (seen at load 10).
      if (r.url().endsWith('/favicon.svg') && /ERR_ABORTED/.test(r.failure()?.errorText ?? '')) return;
      problems.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? 'no reason given'})`);
    });
    await page.goto(server.url + hash);
    if (wait) await settled(page, 0);
    return { page, problems, close: () => context.close() };
  }

  return {
    server,
    browser,
    open,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

// Waits until the worker is idle and more than `renders` results have been drawn.
export async function settled(page, renders) {
  try {
    await page.waitForFunction((r) => window.__ap && window.__ap.idle && window.__ap.renders > r, renders, {
      timeout: 15000,
    });
  } catch (err) {
    const shown = await page
      .evaluate(() => ({
        alert: document.getElementById('alert')?.textContent,
        status: document.getElementById('status')?.textContent,
        renders: window.__ap?.renders,
        idle: window.__ap?.idle,
      }))
      .catch(() => ({}));
    throw new Error(`the page did not draw a result: ${JSON.stringify(shown)} (${err.message.split('\n')[0]})`);
  }
  return page.evaluate(() => window.__ap.renders);
}

export const renders = (page) => page.evaluate(() => window.__ap.renders);

// The viewport position of cell (row, col) of the figure `name` (the test hook's names, e.g.
// 'weights', 'wq'), scrolled into view.
export function cellPoint(page, name, row, col) {
  return page.evaluate(
    ([fig, r, c]) => {
      const { y } = window.__ap.cellCenter(fig, r, c);
      window.scrollBy(0, y - window.innerHeight / 2);
      return window.__ap.cellCenter(fig, r, c);
    },
    [name, row, col],
  );
}

// Moves the pointer to the centre of cell (row, col) of the walkthrough figure `id`.
export async function hoverCell(page, id, row, col) {
  const { x, y } = await cellPoint(page, id, row, col);
  await page.mouse.move(x, y);
}

export async function clickCell(page, id, row, col) {
  const { x, y } = await cellPoint(page, id, row, col);
  await page.mouse.click(x, y);
}

// The provenance outlines drawn on each walkthrough figure: { id: [{ row?, col? }, …] }.
export function highlights(page) {
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('.wt-fig')].map((f) => [
        f.dataset.fig,
        JSON.parse(f.querySelector('.hm').dataset.highlights ?? '[]'),
      ]),
    ),
  );
}

// Drops `bytes` as a file named `name` on the Model mode's drop zone, as a user's drag and drop does.
export async function dropFile(page, bytes, name) {
  await page.evaluate(
    ([data, fileName]) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], fileName));
      const zone = document.getElementById('model-drop');
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    },
    [Array.from(bytes), name],
  );
}
