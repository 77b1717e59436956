// Opens bench/model/index.html (the peers' page, page.mjs) in headless Chromium, served from the
// repository root, for tests/browser/llama-cpp.test.mjs and bench/model/run.mjs. Nothing outside this
// origin is requested: wllama's wasm comes from node_modules.
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../scripts/lib/chromium.mjs';
import { serveStatic } from '../../scripts/lib/static-server.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * → { page, call(path, ...args), llamaWasmBytes(), problems, close() }. call('llama.open', 'f32', {…})
 * runs globalThis.peers.llama.open in the page. problems collects page errors, console errors and
 * off-origin requests (blob: URLs are wllama's worker).
 */
export async function openPeers({ log = null } = {}) {
  const server = await serveStatic({ root: ROOT, port: 0 });
  const browser = await launchChromium();
  const problems = [];
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
      else if (log && m.type() !== 'debug') log(`  [page] ${m.text()}`);
    });
    page.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith(server.url) && !url.startsWith('blob:') && !url.startsWith('data:'))
        problems.push(`off-origin request: ${url}`);
    });
    await page.goto(new URL('bench/model/index.html', server.url).href);
    await page
      .waitForFunction(() => globalThis.peersReady === true, null, { timeout: 60_000 })
      .catch(() => {
        throw new Error(`the peers' page did not load: ${problems.join('; ') || 'no error reported'}`);
      });
    const call = (path, ...args) =>
      page.evaluate(
        ([p, a]) => {
          const [group, name] = p.includes('.') ? p.split('.') : [null, p];
          const target = group ? globalThis.peers[group] : globalThis.peers;
          return target[name](...a);
        },
        [path, args],
      );
    // The wasm memory of wllama's worker (the probe page.mjs appends to its script), in bytes.
    const llamaWasmBytes = async () => {
      for (const worker of page.workers()) {
        const bytes = await worker.evaluate(() => globalThis.__wasmMemoryBytes?.() ?? null).catch(() => null);
        if (bytes) return bytes;
      }
      return null;
    };
    return {
      page,
      call,
      llamaWasmBytes,
      problems,
      version: browser.version(),
      close: async () => {
        await browser.close();
        await server.close();
      },
    };
  } catch (err) {
    await browser.close();
    await server.close();
    throw err;
  }
}
