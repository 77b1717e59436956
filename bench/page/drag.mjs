// Page jank at the largest sizes: 64 tokens, 16 heads, d_model 512, and 200 input events on the
// temperature slider within one second. Reports the main thread's long tasks (PerformanceObserver
// 'longtask'), the frames painted (requestAnimationFrame callbacks) during the drag and until the
// page settles, and how many results the page drew. Headless Chromium, localhost; figures depend on
// the machine's load, so they are reported, never asserted (bench/NOTES.md keeps them).
// Usage: node bench/page/drag.mjs [--step N] [--runs R] [--events E]
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { serveStatic } from '../../scripts/lib/static-server.mjs';
import { launchChromium } from '../../scripts/lib/chromium.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const STEP = Number(arg('--step', '0'));
const RUNS = Number(arg('--runs', '3'));
const EVENTS = Number(arg('--events', '200'));
const words = Array.from({ length: 64 }, (_, i) => `w${i}`).join(' ');
const hash = `#s=${encodeURIComponent(words)}&h=16&d=512&t=1&step=${STEP}`;

const server = await serveStatic({ root: join(ROOT, 'web') });
const browser = await launchChromium();
try {
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(server.url + hash);
    await page.waitForFunction(() => window.__ap?.idle && window.__ap.renders > 0, null, { timeout: 60000 });
    await page.waitForTimeout(500);
    const result = await page.evaluate(async (events) => {
      const longTasks = [];
      const observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) longTasks.push(e.duration);
      });
      observer.observe({ type: 'longtask', buffered: false });
      let frames = 0;
      let counting = true;
      const tick = () => {
        frames++;
        if (counting) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      const slider = document.getElementById('temperature-range');
      const renders0 = window.__ap.renders;
      const t0 = performance.now();
      // 200 events spread over one second, as a fast drag gives them (a timer per event, so each
      // is its own task as real input is).
      await new Promise((resolve) => {
        let k = 0;
        const fire = () => {
          slider.value = String(-100 + Math.round((200 * k) / (events - 1)));
          slider.dispatchEvent(new Event('input', { bubbles: true }));
          k++;
          if (k < events) setTimeout(fire, Math.max(0, t0 + (1000 * k) / events - performance.now()));
          else resolve();
        };
        fire();
      });
      const inputMs = performance.now() - t0;
      const framesDuringInput = frames;
      // Until the page is idle and has drawn the last state.
      await new Promise((resolve) => {
        const check = () => (window.__ap.idle ? resolve() : setTimeout(check, 20));
        check();
      });
      await new Promise((r) => setTimeout(r, 300));
      counting = false;
      observer.disconnect();
      return {
        inputMs,
        totalMs: performance.now() - t0,
        framesDuringInput,
        frames,
        draws: window.__ap.renders - renders0,
        redraws: window.__ap.fullRedraws ?? null,
        longTasks: longTasks.map((d) => Math.round(d)),
        temperature: window.__ap.state.temperature,
      };
    }, EVENTS);
    const lt = result.longTasks;
    console.log(
      `run ${run + 1}: ${EVENTS} events in ${result.inputMs.toFixed(0)} ms; settled after ${result.totalMs.toFixed(0)} ms; ` +
        `frames ${result.framesDuringInput} during input, ${result.frames} to settled; results drawn ${result.draws}; ` +
        `long tasks ${lt.length}, longest ${lt.length ? Math.max(...lt) : 0} ms, sum ${lt.reduce((a, b) => a + b, 0)} ms [${lt.join(', ')}]`,
    );
    await context.close();
  }
  console.log(`load average ${loadavg()[0].toFixed(2)}, Chromium ${browser.version()}, step=${STEP}`);
} finally {
  await browser.close();
  await server.close();
}
