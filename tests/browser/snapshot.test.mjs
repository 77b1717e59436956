// Snapshot of every drawn figure: for a fixed set of states, each figure of the overview and of
// the walkthrough's twelve steps, and the widget's eight views, is recorded as its shape, colour
// range, colormap, cell size, a digest of its values and mask, the values themselves for small
// maps, and a digest of its one-pixel-per-cell canvas. The recording is committed
// (tests/browser/snapshots/figures.json, in the manner of observablehq/plot's test/output), so a
// change to the code that draws, colours or lays out a matrix shows up as a failing figure.
//
// A deliberate change is recorded again with AP_SNAPSHOT=write and committed on its own, with a
// message saying which figures changed and why:
//   AP_SNAPSHOT=write node --test tests/browser/snapshot.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHarness, settled } from './page-harness.mjs';

const FILE = join(dirname(fileURLToPath(import.meta.url)), 'snapshots', 'figures.json');
const WRITE = process.env.AP_SNAPSHOT === 'write';
const STEPS = 12;

// name → { hash, width }: the modes the issue asks for, each opened fresh. The default state is
// named by h=4 (its default value): the bare address opens Model mode, and the steps below are set
// by changing step= in the hash, which must start without it.
export const STATES = {
  default: { hash: '#h=4' },
  causal: { hash: '#c=1' },
  rope: { hash: '#p=rope' },
  alibi: { hash: '#p=alibi' },
  sinusoidal: { hash: '#p=sinusoidal&f=2' },
  cross: { hash: '#x=1' },
  masks: { hash: '#pad=2,5&pm=0.1,3.2,4.4' },
  unscaled: { hash: '#sc=0' },
  temperature: { hash: '#t=2' },
  chinese: { hash: '#lang=zh&h=4' },
  narrow: { hash: '#h=4', width: 320 },
};

// The widget's views for one set of attributes.
const WIDGET_VIEWS = ['weights', 'scores', 'q', 'k', 'v', 'head-output', 'concat', 'output'];
const WIDGET_ATTRS = 'sentence="The cat sat on the mat" heads="2" d-model="16" causal head="1"';

// 32-bit FNV-1a over bytes.
function fnv(bytes) {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

const round = (v) => (Number.isFinite(v) ? Number(v.toPrecision(7)) : String(v));

// A figure as recorded: what identifies it exactly, plus readable values for small maps.
function record(fig) {
  const data = Float32Array.from(fig.data);
  const finite = fig.data.filter(Number.isFinite);
  const out = {
    rows: fig.rows,
    cols: fig.cols,
    colormap: fig.colormap,
    range: fig.range.map(round),
    cell: fig.cell,
    pixels: fig.pixels,
    values: fnv(new Uint8Array(data.buffer)),
    mask: fig.masked ? fnv(Uint8Array.from(fig.masked)) : null,
    stats: {
      min: round(Math.min(...finite)),
      max: round(Math.max(...finite)),
      nonFinite: fig.data.length - finite.length,
    },
  };
  if (fig.rows * fig.cols <= 256) out.data = fig.data.map(round);
  return out;
}

let harness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness?.close();
  if (WRITE) {
    mkdirSync(dirname(FILE), { recursive: true });
    writeFileSync(FILE, JSON.stringify(fresh).replace(/\},"/g, '},\n"') + '\n');
  }
});

async function recordPage({ hash, width = 1280 }) {
  const { page, problems, close } = await harness.open(hash, { width });
  const views = {};
  try {
    for (let step = 0; step <= STEPS; step++) {
      const r = await page.evaluate(() => window.__ap.renders);
      await page.evaluate((k) => {
        const q = new URLSearchParams(location.hash.slice(1));
        q.set('step', String(k));
        location.hash = q.toString();
      }, step);
      await settled(page, r);
      const figures = await page.evaluate(() => window.__ap.figures().map((name) => window.__ap.figure(name)));
      views[step === 0 ? 'overview' : `step${step}`] = Object.fromEntries(figures.map((f) => [f.name, record(f)]));
    }
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
  return views;
}

async function recordWidget() {
  const context = await harness.browser.newContext({ viewport: { width: 900, height: 900 } });
  const page = await context.newPage();
  const url = new URL('snapshot-widget.html', harness.server.url).href;
  const body = WIDGET_VIEWS.map(
    (v) => `<attention-playground ${WIDGET_ATTRS} view="${v}" loading="eager"></attention-playground>`,
  ).join('\n');
  await page.route(url, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><meta charset="utf-8"><script type="module" src="attention-playground.js"></script>${body}`,
    }),
  );
  try {
    await page.goto(url);
    await page.waitForFunction(
      (n) => [...document.querySelectorAll('attention-playground')].filter((e) => e.renders > 0).length === n,
      WIDGET_VIEWS.length,
    );
    const figures = await page.evaluate(() =>
      [...document.querySelectorAll('attention-playground')].map((e) => {
        const { model } = e.current;
        const canvas = e.shadowRoot.querySelector('.hm-data');
        const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let h = 0x811c9dc5;
        for (let i = 0; i < px.length; i++) h = Math.imul(h ^ px[i], 0x01000193) >>> 0;
        return {
          name: e.getAttribute('view'),
          rows: model.rows,
          cols: model.cols,
          data: Array.from(model.data),
          masked: model.masked ? Array.from(model.masked) : null,
          range: [...model.range],
          colormap: model.colormap ?? null,
          cell: null,
          pixels: h.toString(16).padStart(8, '0'),
        };
      }),
    );
    return Object.fromEntries(figures.map((f) => [f.name, record(f)]));
  } finally {
    await context.close();
  }
}

const recorded = existsSync(FILE) ? JSON.parse(readFileSync(FILE, 'utf8')) : null;
const fresh = {};

for (const [name, state] of Object.entries(STATES)) {
  test(`figures unchanged: ${name} (${state.hash || 'no hash'}${state.width ? `, ${state.width} px` : ''})`, async () => {
    fresh[name] = await recordPage(state);
    if (WRITE) return;
    assert.ok(recorded?.[name], `no snapshot for ${name}: record with AP_SNAPSHOT=write`);
    compare(fresh[name], recorded[name], name);
  });
}

test('figures unchanged: the widget, every view', async () => {
  fresh.widget = { views: await recordWidget() };
  if (WRITE) return;
  assert.ok(recorded?.widget, 'no widget snapshot: record with AP_SNAPSHOT=write');
  compare(fresh.widget, recorded.widget, 'widget');
});

// Same figures, and each figure the same in every field.
function compare(now, then, where) {
  for (const view of Object.keys(then)) {
    assert.ok(now[view], `${where}: view ${view} is no longer drawn`);
    assert.deepEqual(Object.keys(now[view]).sort(), Object.keys(then[view]).sort(), `${where}/${view}: figure names`);
    for (const fig of Object.keys(then[view])) {
      assert.deepEqual(now[view][fig], then[view][fig], `${where}/${view}/${fig} changed`);
    }
  }
  assert.deepEqual(Object.keys(now).sort(), Object.keys(then).sort(), `${where}: views`);
}
