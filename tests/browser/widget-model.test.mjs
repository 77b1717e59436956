// The widget's model attribute: <attention-playground model="models/tiny.gguf" layer="1" head="2">
// downloads the file once per resolved URL for every widget of the page, only when a widget comes
// near the viewport, tokenizes the sentence with the model's tokenizer and draws the head's
// attention as lib/model.js computes it; a missing, malformed or too large file, or a layer or
// head the model does not have, is the widget's own message. A widget without `model` downloads
// none of the model code. Headless Chromium (Debian's), playwright-core.
//
// The site is built into a temporary folder (scripts/lib/build-site.mjs) and the model files are
// written there by the test (tests/js/model_files.mjs), then served by the static server behind a
// small proxy that counts requests and answers models/huge.gguf with a 3 GB Content-Length. The
// built-in models (model="induction", …) are the site's own copy of web/models/.
// Run: node --test --test-concurrency=1 tests/browser/widget-model.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveStatic } from '../../scripts/lib/static-server.mjs';
import { launchChromium } from '../../scripts/lib/chromium.mjs';
import { buildSite } from '../../scripts/lib/build-site.mjs';
import { writeModel, referenceForward } from '../js/model_files.mjs';
import { ROOT, SHOTS } from './page-harness.mjs';
import { mulberry32 } from '../../bench/js/common.mjs';

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
let files; // the static server of dist/
let withWorker; // proxy with worker-src 'self'
let noWorker; // proxy with worker-src 'none': the model runs on the main thread
const requests = []; // every path asked of either proxy, in order
const tiny = writeModel({ arch: 'llama', seed: 3 }); // 2 layers, 4 heads, 2 K/V heads, d_model 32

// A proxy in front of the static server: counts requests, adds the CSP, and answers huge.gguf
// with a Content-Length past what the runtime opens (the widget must refuse it unread).
function proxy(workerSrc) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    requests.push(path);
    if (path.endsWith('/huge.gguf')) {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(3 * 2 ** 30) });
      res.write(Buffer.from('GGUF'));
      req.socket.setTimeout(5000, () => req.socket.destroy()); // the widget cancels long before
      res.on('close', () => req.socket.destroy());
      return;
    }
    if (path.endsWith('/slow.gguf')) {
      // The tiny model in four parts 400 ms apart, so the download's progress can be seen.
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(tiny.bytes.length) });
      const part = Math.ceil(tiny.bytes.length / 4);
      let k = 0;
      const next = () => {
        res.write(Buffer.from(tiny.bytes.subarray(k * part, (k + 1) * part)));
        if (++k < 4) setTimeout(next, 400);
        else res.end();
      };
      next();
      return;
    }
    const upstream = request({ port: files.port, path: req.url, method: req.method }, (up) => {
      // CORS as a site that lets blogs load its widget (the blog test below loads it from another origin).
      res.writeHead(up.statusCode, {
        ...up.headers,
        'content-security-policy': csp(workerSrc),
        'access-control-allow-origin': '*',
      });
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    upstream.end();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://localhost:${port}/`, close: () => new Promise((done) => server.close(done)) });
    }),
  );
}

before(async () => {
  if (!existsSync(join(ROOT, 'web', 'lib', 'wasm', 'model_core.wasm'))) {
    throw new Error('web/lib/wasm/model_core.wasm is missing: build the wasm first (scripts/test does).');
  }
  dist = buildSite(mkdtempSync(join(tmpdir(), 'ap-model-widget-')));
  mkdirSync(join(dist, 'models'), { recursive: true }); // the site ships web/models/ (the built-in models)
  for (const name of ['tiny.gguf', 'lazy.gguf', 'main.gguf']) writeFileSync(join(dist, 'models', name), tiny.bytes);
  // A llama2.c checkpoint without its tokenizer.bin (the shared reference model): ids only.
  copyFileSync(join(ROOT, '..', 'shared', 'models', 'stories260K.bin'), join(dist, 'models', 'stories260K.bin'));
  writeFileSync(join(dist, 'models', 'broken.gguf'), Buffer.from('GGUF\x03\x00\x00\x00garbage'));
  writeFileSync(join(dist, 'spacer.css'), '.spacer { height: 6000px; }\n');
  files = await serveStatic({ root: dist });
  withWorker = await proxy("'self'");
  noWorker = await proxy("'none'");
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await withWorker?.close();
  await noWorker?.close();
  await files?.close();
});

function writePage(name, body, head = '') {
  writeFileSync(
    join(dist, name),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>model widget</title>` +
      `<link rel="icon" href="favicon.svg">${head}<script type="module" src="attention-playground.js"></script>` +
      `</head><body>${body}</body></html>`,
  );
}

async function open(url) {
  const context = await browser.newContext({ viewport: { width: 900, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // The 404 of the missing model is the browser's own console line; anything else is a problem.
    if (m.type() === 'error' && !/status of 404/.test(m.text())) problems.push(`console error: ${m.text()}`);
  });
  await page.goto(url);
  return { page, problems, close: () => context.close() };
}

// Waits until widget `selector` drew at least `renders` times or (unless drawn) shows a message;
// returns what it shows.
async function shown(page, selector, renders = 1, { drawn = false } = {}) {
  const handle = await page.waitForFunction(
    ([sel, r, d]) => {
      const el = document.querySelector(sel);
      const error = !d && el?.shadowRoot.querySelector('.error').textContent;
      return el && (el.renders >= r || error) ? el : null;
    },
    [selector, renders, drawn],
    { timeout: 30000 },
  );
  return handle.evaluate((el) => ({
    renders: el.renders,
    error: el.shadowRoot.querySelector('.error').textContent,
    errorVisible: el.shadowRoot.querySelector('.error').getClientRects().length > 0,
    status: el.shadowRoot.querySelector('.status').textContent,
    caption: el.shadowRoot.querySelector('.caption').textContent,
    tokens: Array.from(el.shadowRoot.querySelectorAll('.tokens .token'), (t) => t.textContent),
    data: el.current ? Array.from(el.current.model.data, String) : null,
    rows: el.current?.model.rows,
    cols: el.current?.model.cols,
    meta: el.current?.meta ?? null,
    compute: el.dataset.modelCompute,
    height: el.getBoundingClientRect().height,
  }));
}

// In the page: loadModel(the file) → forward(ids) → attention(layer, head), and the pieces.
const direct = (page, file, ids, layer, head) =>
  page.evaluate(
    async ([f, list, l, h]) => {
      const { loadModel } = await import('./lib/model.js');
      const model = await loadModel(await (await fetch(f)).arrayBuffer());
      const ids = model.tokenize('Once upon a time');
      const pass = model.forward(Int32Array.from(list));
      const out = {
        ids: Array.from(ids),
        pieces: model.tokenPieces(Int32Array.from(list)).map((p) => p.text),
        weights: Array.from(pass.attention(l, h), String),
        k: Array.from(pass.trace(l, h).k, String),
      };
      model.dispose();
      return out;
    },
    [file, ids, layer, head],
  );

const modelRequests = (name) => requests.filter((p) => p.endsWith(`/models/${name}`)).length;

test('two widgets naming one file fetch it once, in one worker, and draw what lib/model.js computes', async () => {
  writePage(
    'two.html',
    '<attention-playground id="a" model="models/tiny.gguf" layer="1" head="2" sentence="Once upon a time" controls="layer,head,view"></attention-playground>' +
      '<attention-playground id="b" model="./models/../models/tiny.gguf" layer="0" head="3" sentence="Once upon a time"></attention-playground>',
  );
  const { page, problems, close } = await open(`${withWorker.url}two.html`);
  try {
    const a = await shown(page, '#a');
    const b = await shown(page, '#b');
    assert.equal(a.error, '');
    assert.equal(b.error, '');
    assert.equal(modelRequests('tiny.gguf'), 1, 'one download for two widgets');
    const stats = await page.evaluate(async () => (await import('./widget/model-client.js')).modelStats());
    assert.equal(stats.path, 'worker');
    assert.equal(stats.opens, 1, 'one open model for one resolved URL');
    assert.equal(stats.mainThreadCalls, 0);
    assert.equal(a.compute, 'worker');
    // The tokens as the model sees them: BOS, then SentencePiece pieces with ▁.
    const ref = await direct(page, 'models/tiny.gguf', a.meta.ids, 1, 2);
    assert.deepEqual(a.meta.ids, ref.ids, 'the sentence tokenized by the model');
    assert.deepEqual(a.tokens, ref.pieces);
    assert.equal(a.tokens[0], '<s>');
    assert.equal(a.tokens[1], '▁O');
    const n = ref.ids.length;
    assert.deepEqual([a.rows, a.cols], [n, n]);
    assert.deepEqual(a.data, ref.weights, 'the drawn weights are forward(ids).attention(1, 2)');
    // And an independent float64 forward in JS agrees (causal: nothing above the diagonal).
    const want = referenceForward(tiny.ref, ref.ids).attention;
    a.data.forEach((v, k) => assert.ok(Math.abs(Number(v) - want[1][2][k]) < 1e-4, `weight ${k}: ${v}`));
    assert.deepEqual(b.data, (await direct(page, 'models/tiny.gguf', b.meta.ids, 0, 3)).weights);
    // Captions say which model, layer, head, K/V head (GQA: 4 heads share 2), n × n, causal.
    assert.match(a.caption, /js test llama \(llama\): layer 1 of 2, head 2 of 4 \(K\/V head 1 of 2\)/);
    assert.match(a.caption, new RegExp(`${n} × ${n}`));
    assert.match(a.caption, /√8, causal/);
    assert.match(b.caption, /layer 0 of 2, head 3 of 4 \(K\/V head 1 of 2\)/);
    // The controls offer the model's layers and heads.
    const options = await page.evaluate(() => {
      const root = document.querySelector('#a').shadowRoot;
      const count = (name) => root.querySelector(`[data-control="${name}"]`).options.length;
      return { layer: count('layer'), head: count('head'), view: count('view') };
    });
    assert.deepEqual(options, { layer: 2, head: 4, view: 6 });
    await page.locator('#a').screenshot({ path: join(SHOTS, 'embed-model.png') });
    // Attributes changed later re-draw: another layer, then K (n × d_head, its K/V head's).
    await page.evaluate(() => document.querySelector('#a').setAttribute('layer', '0'));
    const a2 = await shown(page, '#a', a.renders + 1);
    assert.deepEqual(a2.data, (await direct(page, 'models/tiny.gguf', a.meta.ids, 0, 2)).weights);
    assert.match(a2.caption, /layer 0 of 2, head 2 of 4/);
    await page.evaluate(() => document.querySelector('#a').setAttribute('view', 'k'));
    const a3 = await shown(page, '#a', a2.renders + 1);
    const refK = await direct(page, 'models/tiny.gguf', a.meta.ids, 0, 2);
    assert.deepEqual([a3.rows, a3.cols], [n, 8]);
    assert.deepEqual(a3.data, refK.k);
    assert.match(a3.caption, /^K, .* · after RoPE$/);
    // A new sentence: tokenized again, one more pass.
    await page.evaluate(() => document.querySelector('#a').setAttribute('sentence', 'Once upon'));
    const a4 = await shown(page, '#a', a3.renders + 1);
    assert.ok(a4.meta.ids.length < n);
    assert.equal(modelRequests('tiny.gguf'), 1 + 4, 'no new download (the four others are the test’s own)');
    // Without its model attribute the widget is the random-weights one again (heads="2" by
    // default, so head="3" is refused as it is there), and with it back the model's figure.
    await page.evaluate(() => document.querySelector('#b').removeAttribute('model'));
    const r1 = await shown(page, '#b', b.renders + 1);
    assert.match(r1.error, /head="3": write a whole number from 0 to 1/);
    await page.evaluate(() => document.querySelector('#b').setAttribute('heads', '4'));
    const r2 = await shown(page, '#b', b.renders + 1, { drawn: true });
    assert.deepEqual([r2.meta.heads, r2.meta.dModel, r2.tokens.length], [4, 16, 0]);
    assert.match(r2.caption, /^Weights, head 3 of 4 · 4 × 4/);
    await page.evaluate(() => document.querySelector('#b').setAttribute('model', 'models/tiny.gguf'));
    const b2 = await shown(page, '#b', r2.renders + 1, { drawn: true });
    assert.deepEqual(b2.data, b.data);
    assert.deepEqual(b2.tokens, b.tokens);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('a widget far below the fold does not fetch its model until scrolled near', async () => {
  writePage(
    'lazy.html',
    '<div class="spacer"></div><attention-playground id="far" model="models/lazy.gguf" sentence="Once upon a time"></attention-playground>',
    '<link rel="stylesheet" href="spacer.css">',
  );
  const before = requests.length;
  const { page, problems, close } = await open(`${withWorker.url}lazy.html`);
  try {
    await page.waitForFunction(() => customElements.get('attention-playground'));
    await page.waitForTimeout(1500);
    const early = requests.slice(before);
    assert.equal(modelRequests('lazy.gguf'), 0, 'fetched while far below the fold');
    assert.ok(!early.some((p) => /model|wasm\/model_core/.test(p)), `model code asked for early: ${early}`);
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    const far = await shown(page, '#far');
    assert.equal(far.error, '');
    assert.equal(modelRequests('lazy.gguf'), 1);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test("each error case shows the widget's message in place, never a blank box", async () => {
  const cases = {
    missing: ['model="models/missing.gguf"', /models\/missing\.gguf was not found \(HTTP 404\)/],
    broken: ['model="models/broken.gguf"', /models\/broken\.gguf cannot be opened: .+/],
    huge: ['model="models/huge.gguf"', /models\/huge\.gguf is 3072 MB; the widget opens at most \d+ MB/],
    layer: ['model="models/tiny.gguf" layer="7"', /layer="7": write a whole number from 0 to 1/],
    head: ['model="models/tiny.gguf" head="abc"', /head="abc": write a whole number from 0 to 3/],
    url: ['model="http://[bad"', /model="http:\/\/\[bad" is not a URL/],
    fraction: ['model="models/tiny.gguf" layer="0.5"', /layer="0\.5": write a whole number from 0 to 1/],
    notok: ['model="models/stories260K.bin"', /has no tokenizer \(no tokenizer\.bin: token ids only\)/],
    view: ['model="models/tiny.gguf" view="output"', /view="output" is not drawn for a model/],
    long: [`model="models/tiny.gguf" sentence="${'a '.repeat(40)}"`, /is \d+ tokens for this model; .* at most 32/],
  };
  writePage(
    'errors.html',
    Object.entries(cases)
      .map(([id, [attrs]]) => `<attention-playground id="${id}" loading="eager" ${attrs}></attention-playground>`)
      .join(''),
  );
  const { page, problems, close } = await open(`${withWorker.url}errors.html`);
  try {
    for (const [id, [, message]] of Object.entries(cases)) {
      const w = await shown(page, `#${id}`);
      assert.match(w.error, message, id);
      assert.ok(w.errorVisible && w.height > 30, `${id}: the message is shown`);
      assert.equal(w.renders, 0, `${id}: nothing drawn`);
    }
    assert.equal(modelRequests('huge.gguf'), 1);
    // A fixed attribute draws: the layer widget, given a layer the model has.
    await page.evaluate(() => document.querySelector('#layer').setAttribute('layer', '1'));
    const fixed = await shown(page, '#layer', 1, { drawn: true });
    assert.equal(fixed.error, '');
    assert.equal(fixed.renders, 1);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('a random-weights widget requests none of the model code', async () => {
  writePage('random.html', '<attention-playground id="r" sentence="The cat sat"></attention-playground>');
  const before = requests.length;
  const { page, problems, close } = await open(`${withWorker.url}random.html`);
  try {
    const r = await shown(page, '#r');
    assert.equal(r.error, '');
    const asked = requests.slice(before);
    assert.ok(
      asked.some((p) => p.endsWith('attention_core.wasm')),
      `the widget's core: ${asked}`,
    );
    assert.deepEqual(
      asked.filter((p) => /model/.test(p)),
      [],
      'model_core, lib/model.js or widget/model-*.js',
    );
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('where no worker can be made (worker-src none) the model runs on the main thread, the same bits', async () => {
  writePage(
    'main.html',
    '<attention-playground id="m" model="models/main.gguf" layer="1" head="1" sentence="Once upon a time"></attention-playground>',
  );
  const { page, problems, close } = await open(`${noWorker.url}main.html`);
  try {
    const m = await shown(page, '#m');
    assert.equal(m.error, '');
    assert.equal(m.compute, 'main');
    const stats = await page.evaluate(async () => (await import('./widget/model-client.js')).modelStats());
    assert.equal(stats.path, 'main');
    assert.equal(stats.mainThreadCalls, 1);
    assert.match(stats.fallbackReason, /\S/);
    assert.deepEqual(m.data, (await direct(page, 'models/main.gguf', m.meta.ids, 1, 1)).weights);
    // The browser's own report of the refused worker, and nothing else.
    assert.deepEqual(
      problems.filter((p) => !/Creating a worker from .*model-worker\.js.* violates .*worker-src/.test(p)),
      [],
    );
  } finally {
    await close();
  }
});

test('the single-file build says it draws random weights only, in place of a model figure', async () => {
  writeFileSync(
    join(dist, 'single-model.html'),
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>single</title><link rel="icon" href="favicon.svg">' +
      '<script type="module" src="attention-playground.single.js"></script></head><body>' +
      '<attention-playground id="s" model="models/tiny.gguf"></attention-playground></body></html>',
  );
  const { page, close } = await open(`${withWorker.url}single-model.html`);
  try {
    const s = await shown(page, '#s');
    assert.match(s.error, /model code .* the single-file build draws random weights only/);
    assert.equal(s.renders, 0);
  } finally {
    await close();
  }
});

test('the download shows its progress, then the figure', async () => {
  writePage(
    'slow.html',
    '<attention-playground id="w" model="models/slow.gguf" sentence="Once upon a time"></attention-playground>',
  );
  const { page, problems, close } = await open(`${withWorker.url}slow.html`);
  try {
    const during = await page.waitForFunction(
      () => {
        const root = document.querySelector('#w')?.shadowRoot;
        const bar = root?.querySelector('[part~="progress"]');
        return bar && !bar.hidden && bar.value > 0 && bar.value < 1
          ? { value: bar.value, status: root.querySelector('.status').textContent }
          : null;
      },
      null,
      { timeout: 20000, polling: 50 },
    );
    const { value, status } = await during.jsonValue();
    assert.ok(value > 0 && value < 1, `progress ${value}`);
    assert.match(status, /^Downloading the model models\/slow\.gguf: [\d.]+ KB of [\d.]+ KB…$/);
    const w = await shown(page, '#w');
    assert.equal(w.error, '');
    assert.equal(w.status, '');
    assert.equal(
      await page.evaluate(() => document.querySelector('#w').shadowRoot.querySelector('[part~="progress"]').hidden),
      true,
    );
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

// Hostile values of the attributes a model widget reads, each set on a fresh widget (the model is
// open already, so each draws or refuses at once): it draws only what the model has, else says
// what is wrong, with every placeholder of its message filled; the page never throws.
test('hostile layer, head, view and sentence values: a figure or a message, never a throw', async () => {
  const rnd = mulberry32(13);
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const VALUES = {
    layer: ['0', '1', '2', '-1', '1.5', 'abc', '', '1e308', ' 1 ', '__proto__'],
    head: ['0', '3', '4', '-0', 'NaN', '2.0', '99999999999', '<b>'],
    view: ['weights', 'scores', 'q', 'k', 'v', 'head-output', 'concat', 'output', 'WEIGHTS', 'constructor', ''],
    sentence: [
      'Once upon a time',
      '',
      '   ',
      'a '.repeat(31),
      '<img src=x onerror=alert(1)>',
      '\u0000\u0001',
      '😀 中文',
      'x'.repeat(2001),
    ],
  };
  const cases = Array.from({ length: 40 }, () => {
    const attrs = {};
    for (const name of Object.keys(VALUES)) if (rnd() < 0.6) attrs[name] = pick(VALUES[name]);
    return attrs;
  });
  writePage('hostile.html', '<main></main>');
  const { page, problems, close } = await open(`${withWorker.url}hostile.html`);
  let drawn = 0;
  try {
    for (const attrs of cases) {
      const w = await page.evaluate(async (a) => {
        const main = document.querySelector('main');
        main.replaceChildren();
        const el = document.createElement('attention-playground');
        el.setAttribute('model', 'models/tiny.gguf');
        for (const [k, v] of Object.entries(a)) el.setAttribute(k, v);
        main.append(el);
        const message = () => el.shadowRoot.querySelector('.error').textContent;
        const deadline = performance.now() + 15000;
        while (performance.now() < deadline && !el.renders && !message()) await new Promise((r) => setTimeout(r, 10));
        return { drew: el.renders > 0, message: message(), meta: el.current?.meta ?? null, pwned: window.__pwned };
      }, attrs);
      const label = JSON.stringify(attrs);
      assert.ok(w.drew !== Boolean(w.message), `${label}: drew ${w.drew}, message "${w.message}"`);
      assert.doesNotMatch(w.message, /\{\w+\}|undefined/, label);
      if (w.drew) {
        assert.ok(Number.isInteger(w.meta.layer) && w.meta.layer >= 0 && w.meta.layer < 2, label);
        assert.ok(Number.isInteger(w.meta.head) && w.meta.head >= 0 && w.meta.head < 4, label);
        assert.ok(w.meta.ids.length <= 32, label);
      }
      assert.equal(w.pwned, undefined, label);
      if (w.drew) drawn++;
    }
    assert.ok(drawn >= 5 && drawn <= cases.length - 5, `${drawn} of ${cases.length} drawn: both kinds are exercised`);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

// The file's own account of itself, in the page: info, the labels, and forward(ids).attention(layer, head).
const builtinDirect = (page, file, ids, layer, head) =>
  page.evaluate(
    async ([f, list, l, h]) => {
      const { loadModel } = await import(new URL('/lib/model.js', location.href).href);
      const model = await loadModel(await (await fetch(f)).arrayBuffer());
      const all = Int32Array.from({ length: model.info.vocab }, (_, i) => i);
      const out = {
        info: { ...model.info },
        labels: model.info.tokenizer.startsWith('labels') ? model.tokenPieces(all).map((p) => p.text) : null,
        pieces: model.tokenPieces(Int32Array.from(list)).map((p) => p.text),
        weights: Array.from(model.forward(Int32Array.from(list)).attention(l, h), String),
      };
      model.dispose();
      return out;
    },
    [file, ids, layer, head],
  );

// Where each query row of an (n, n) map puts its largest weight: [key, weight] per row.
const rowPeaks = (data, n) =>
  Array.from({ length: n }, (_, i) => {
    let best = 0;
    for (let j = 1; j <= i; j++) if (Number(data[i * n + j]) > Number(data[i * n + best])) best = j;
    return [best, Number(data[i * n + best])];
  });

test('model="induction" draws the built-in induction model: caption, tokens and shape from its file', async () => {
  writePage(
    'builtin.html',
    '<attention-playground id="ind" model="induction" layer="1" head="0" controls="sentence,layer,head"></attention-playground>' +
      '<attention-playground id="lang" model="language" layer="1" head="2"></attention-playground>' +
      '<attention-playground id="rev" model="Reverse" layer="1" head="1" sentence="c a h d b e SEP"></attention-playground>' +
      '<attention-playground id="bad" model="inductoin" layer="1"></attention-playground>' +
      '<attention-playground id="word" model="reverse" sentence="c a x"></attention-playground>',
  );
  const before = requests.length;
  const { page, problems, close } = await open(`${withWorker.url}builtin.html`);
  try {
    const ind = await shown(page, '#ind');
    assert.equal(ind.error, '');
    assert.equal(ind.meta.builtin, 'induction');
    assert.equal(new URL(ind.meta.model).pathname, '/models/induction.gguf', 'beside the widget module');
    assert.equal(modelRequests('induction.gguf'), 1);
    const ref = await builtinDirect(page, 'models/induction.gguf', ind.meta.ids, 1, 0);
    const { info, labels } = ref;
    // The default text is the task's: a run of distinct labels of the file, then the same run again,
    // as long as the model's context.
    const n = info.context;
    assert.deepEqual([ind.rows, ind.cols], [n, n]);
    assert.equal(ind.meta.sentence, ind.tokens.join(' '));
    assert.deepEqual(ind.tokens, ref.pieces);
    assert.ok(
      ind.tokens.every((tok) => labels.includes(tok)),
      `labels of the file: ${ind.tokens}`,
    );
    const run = new Set(ind.tokens).size;
    assert.ok(run >= 4 && run === Math.ceil(n / 2), `a run of ${run} distinct labels`);
    ind.tokens.forEach((tok, i) => i >= run && assert.equal(tok, ind.tokens[i - run], `token ${i} repeats`));
    // The sentence control shows the text drawn.
    const typed = await page.evaluate(
      () => document.querySelector('#ind').shadowRoot.querySelector('[data-control="sentence"]').value,
    );
    assert.equal(typed, ind.meta.sentence);
    // What is drawn is the file's layer 1, head 0, and it is an induction stripe: every query of the
    // repeat after its first puts most of its weight on the token after its own first occurrence.
    assert.deepEqual(ind.data, ref.weights);
    rowPeaks(ind.data, n).forEach(([key, weight], i) => {
      if (i < run) return;
      assert.equal(ind.tokens[key - 1], ind.tokens[i], `row ${i} peaks on the token after its first occurrence`);
      assert.ok(key - 1 < run && weight > 0.5, `row ${i}: key ${key}, weight ${weight}`);
    });
    // The caption: the file's name, architecture, layers, heads and the shape, and its training.
    assert.match(
      ind.caption,
      new RegExp(
        `^Weights, ${info.name} \\(${info.architecture}\\): layer 1 of ${info.layers}, head 0 of ${info.heads} · ${n} × ${n}`,
      ),
    );
    assert.equal(info.name, 'ap-induction');
    assert.match(ind.caption, /trained on induction: a random run of distinct symbols, then the same run again$/);
    await page.locator('#ind').screenshot({ path: join(SHOTS, 'embed-builtin-induction.png') });

    // The language model: its SentencePiece tokens (BOS first) and what it was trained on.
    const lang = await shown(page, '#lang');
    assert.equal(lang.error, '');
    assert.equal(lang.tokens[0], '<s>');
    assert.equal(lang.meta.sentence.split(' ').length, lang.tokens.length - 1, 'one token per word');
    assert.match(lang.caption, /^Weights, ap-language \(llama\): layer 1 of 2, head 2 of 4 · /);
    assert.match(lang.caption, /trained on the built-in English-like language/);

    // A name is case-blind; a sentence attribute replaces the default text.
    const rev = await shown(page, '#rev');
    assert.equal(rev.error, '');
    assert.deepEqual(rev.tokens, ['c', 'a', 'h', 'd', 'b', 'e', 'SEP']);
    assert.match(rev.caption, /ap-reverse .* · trained to reverse/);

    // A bare name that is no built-in model: a message listing them, and no request for it.
    const bad = await shown(page, '#bad');
    assert.match(
      bad.error,
      /^model="inductoin" is not a built-in model: name one of language, copy, reverse, sort, induction, brackets, or give a model file’s URL/,
    );
    assert.equal(bad.renders, 0);
    assert.ok(!requests.slice(before).some((p) => /inductoin/.test(p)), 'nothing fetched for the bad name');
    // A word that is not one of the model's labels: the labels tokenizer's message.
    const word = await shown(page, '#word');
    assert.match(
      word.error,
      /^'x' \(word 3 of the text\) is not one of this model's 9 token labels; .*a b c d e f g h SEP$/,
    );
    assert.equal(word.renders, 0);
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});

test('a blog on another origin that loads the widget from the site gets the built-in model from the site', async () => {
  // The blog is the plain static server (127.0.0.1); the widget module comes from the proxy (localhost).
  writeFileSync(
    join(dist, 'blog.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>blog</title><link rel="icon" href="favicon.svg">` +
      `<script type="module" src="${withWorker.url}attention-playground.js"></script></head><body>` +
      '<attention-playground id="b" model="induction" layer="1" head="1"></attention-playground></body></html>',
  );
  const blog = new URL('blog.html', files.url).href;
  assert.notEqual(new URL(blog).origin, new URL(withWorker.url).origin);
  const { page, problems, close } = await open(blog);
  try {
    const b = await shown(page, '#b');
    assert.equal(b.error, '');
    assert.equal(new URL(b.meta.model).origin, new URL(withWorker.url).origin, 'the site’s file, not the blog’s');
    assert.equal(new URL(b.meta.model).pathname, '/models/induction.gguf');
    assert.match(b.caption, /ap-induction \(llama\): layer 1 of 2, head 1 of 2/);
    // No worker from another origin: the model ran on the blog's main thread.
    assert.equal(b.compute, 'main');
    assert.deepEqual(
      problems.filter((p) => !/model-worker\.js/.test(p)),
      [],
    );
  } finally {
    await close();
  }
});

test("the examples page's induction figure shows what its text says", async () => {
  const { page, problems, close } = await open(`${withWorker.url}examples/`);
  try {
    await page.locator('#embed-induction').scrollIntoViewIfNeeded();
    const w = await shown(page, '#embed-induction');
    assert.equal(w.error, '');
    const text = await page.evaluate(() => document.getElementById('what-induction-shows').textContent);
    assert.match(text, /two layers of attention only/);
    assert.match(text, /In layer 1, each query of the repeat puts nearly all of its weight on the token that followed/);
    assert.equal(w.meta.layer, 1);
    // "Two layers", "attention only", "about 40 KB": the file and its training log say so.
    const info = (await builtinDirect(page, '../models/induction.gguf', [0], 0, 0)).info;
    assert.equal(info.layers, 2);
    const facts = await page.evaluate(async () => ({
      log: await (await fetch('../models/induction.json')).json(),
      bytes: (await (await fetch('../models/induction.gguf')).arrayBuffer()).byteLength,
    }));
    assert.equal(facts.log.model.mlp, 'none');
    assert.match(text, /about 40 KB/);
    assert.ok(facts.bytes > 30e3 && facts.bytes < 50e3, `${facts.bytes} bytes`);
    const run = new Set(w.tokens).size;
    rowPeaks(w.data, w.rows).forEach(([key, weight], i) => {
      if (i < run) return;
      assert.equal(w.tokens[key - 1], w.tokens[i], `row ${i}`);
      assert.ok(weight > 0.9, `"nearly all": row ${i} puts ${weight} on it`);
      assert.equal(i - key, run - 1, 'one token fewer than the run is long');
    });
    assert.deepEqual(problems, []);
  } finally {
    await close();
  }
});
