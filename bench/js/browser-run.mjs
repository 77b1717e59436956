// Runs the suite in headless Chromium (Debian's /usr/bin/chromium via playwright-core): serves
// the repository root with scripts/lib/static-server.mjs, opens bench/js/index.html, calls
// runBench() there and returns its results. Progress lines are forwarded to log.
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../scripts/lib/chromium.mjs';
import { serveStatic } from '../../scripts/lib/static-server.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// clock: 'wall' (performance.now()) or 'cpu' (the page's main-thread CPU time, over the DevTools
// protocol). jsFlags: V8 flags for the renderer (e.g. '--no-wasm-dynamic-tiering'), or null.
export async function runChromium({
  time = true,
  quick = false,
  only = null,
  log = console.log,
  clock = 'wall',
  jsFlags = null,
} = {}) {
  const server = await serveStatic({ root: ROOT, port: 0 });
  const browser = await launchChromium(jsFlags ? [`--js-flags=${jsFlags}`] : []);
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.exposeFunction('benchLog', (line) => log(line));
    // ThreadTime: CPU seconds of the renderer's main thread, where the suite runs.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    await page.exposeFunction('benchCpuNow', async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return metrics.find((m) => m.name === 'ThreadTime').value * 1000;
    });
    await page.goto(new URL('bench/js/index.html', server.url).href);
    await page
      .waitForFunction(() => globalThis.benchReady === true, null, { timeout: 60_000 })
      .catch(() => {
        throw new Error(`the benchmark page did not load: ${errors.join('; ') || 'no error reported'}`);
      });
    const results = await page.evaluate((options) => globalThis.runBench(options), { time, quick, only, clock });
    return { ...results, versions: { ...results.versions, chromium: browser.version() } };
  } finally {
    await browser.close();
    await server.close();
  }
}
