// The page under load: results are drawn at most once per animation frame (page/frame.js), and a
// running pass that a newer request supersedes is ended (page/worker-client.js), so the newest
// state is drawn without waiting for it. Asserted through the test hook's counters and request
// ids, never through wall time: the machine may be loaded.
// Run: node --test --test-concurrency=1 tests/browser/page-frames.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, settled } from './page-harness.mjs';

let harness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness?.close();
});

// Every figure drawn, as { name: { data, masked, pixels } }.
function pictures(page) {
  return page.evaluate(() =>
    Object.fromEntries(
      window.__ap.figures().map((name) => {
        const f = window.__ap.figure(name);
        return [name, { data: f.data.map(String), masked: f.masked, pixels: f.pixels, range: f.range.map(String) }];
      }),
    ),
  );
}

async function fresh(hash) {
  const opened = await harness.open(hash);
  const shown = await pictures(opened.page);
  await opened.close();
  return shown;
}

test('200 slider events in about a second: at most one full redraw per animation frame, and the last state drawn as a fresh page draws it', async () => {
  for (const step of [0, 8]) {
    const { page, problems, close } = await harness.open(`#step=${step}`);
    const result = await page.evaluate(async () => {
      let frames = 0;
      let counting = true;
      const tick = () => {
        frames++;
        if (counting) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      const ap = window.__ap;
      const redraws0 = ap.fullRedraws;
      const timer0 = ap.worker.timerDraws;
      const slider = document.getElementById('temperature-range');
      const t0 = performance.now();
      // 200 events, each its own task as real input is, spread over about a second.
      await new Promise((resolve) => {
        let k = 0;
        const fire = () => {
          slider.value = String(-100 + k);
          slider.dispatchEvent(new Event('input', { bubbles: true }));
          if (++k < 200) setTimeout(fire, Math.max(0, t0 + 5 * k - performance.now()));
          else resolve();
        };
        fire();
      });
      while (!ap.idle) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => requestAnimationFrame(r));
      counting = false;
      return {
        frames,
        redraws: ap.fullRedraws - redraws0,
        timerDraws: ap.worker.timerDraws - timer0,
        hash: location.hash,
        temperature: ap.state.temperature,
      };
    });
    assert.equal(result.temperature, 9.77); // the last event's slider position, 99: T = 10^0.99
    assert.ok(result.redraws >= 1, 'the last state was drawn');
    assert.ok(
      result.redraws <= result.frames + result.timerDraws,
      `step ${step}: ${result.redraws} full redraws in ${result.frames} frames (${result.timerDraws} by the fallback timer)`,
    );
    // What is on screen is what a fresh page of the same link draws.
    assert.deepEqual(await pictures(page), await fresh(result.hash), `step ${step}`);
    assert.deepEqual(problems, []);
    await close();
  }
});

test('a huge pass followed by a small one: the huge one is ended, the small one drawn, and nothing stale after', async () => {
  const context = await harness.browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Any superseded pass is ended at once, so the test does not depend on how long a pass takes.
  await context.addInitScript(() => {
    window.__apOptions = { workerDeadlineMs: 0 };
  });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(`${harness.server.url}#s=one two three&h=2&d=16`);
  const renders = await settled(page, 0);
  const words = Array.from({ length: 64 }, (_, i) => `w${i}`).join(' ');
  const huge = `#s=${encodeURIComponent(words)}&h=16&d=512&seed=5`;
  const small = '#s=a small one&h=2&d=8&seed=6';
  // Both requests in one task: the huge one goes to the worker, the small one waits behind it.
  const before = await page.evaluate(
    ([h, s]) => {
      const worker = window.__ap.worker;
      for (const hash of [h, s]) {
        history.replaceState(null, '', hash);
        window.dispatchEvent(new HashChangeEvent('hashchange'));
      }
      return { restarts: worker.restarts, drawn: window.__ap.resultIds };
    },
    [huge, small],
  );
  assert.equal(before.restarts, 0);
  await settled(page, renders);
  await page.waitForTimeout(300); // a stale result would land here
  const after = await page.evaluate(() => ({
    worker: window.__ap.worker,
    drawn: window.__ap.resultIds,
    renders: window.__ap.renders,
    state: { sentence: window.__ap.state.sentence, dModel: window.__ap.state.dModel },
    trace: { tokens: window.__ap.trace.tokens, dModel: window.__ap.trace.dModel, heads: window.__ap.trace.heads },
    hash: location.hash,
  }));
  // The huge pass (the request after the first one drawn) was ended, never drawn; the small one
  // came from a new worker whose first pass it was.
  const first = before.drawn.at(-1);
  const hugeId = first + 1;
  assert.deepEqual(after.worker.cancelled, [hugeId]);
  assert.equal(after.worker.restarts, 1);
  assert.equal(after.worker.passes, 1, "the new worker's passes");
  assert.deepEqual(after.drawn, [...before.drawn, hugeId + 1]);
  assert.equal(after.renders, renders + 1);
  assert.deepEqual(after.trace, { tokens: ['a', 'small', 'one'], dModel: 8, heads: 2 });
  assert.equal(after.state.sentence, 'a small one');
  assert.deepEqual(await pictures(page), await fresh(after.hash));
  assert.deepEqual(problems, []);
  await context.close();
});
