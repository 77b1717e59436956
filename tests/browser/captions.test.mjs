// Every label tells the truth, in every mode: the mode-matrix test of captions, formulas and shapes.
//
// For each page state of the matrix positional (none, sinusoidal, RoPE, ALiBi) × mask mode (none,
// cross-attention with causal asked for, causal + padding + painted cells) × scaling (√d_head on / off) × temperature
// (1 / not 1), the overview and the walkthrough steps are drawn, and for every figure:
//   - the numbers drawn are recomputed here, independently, in double precision, from the pass's
//     inputs E, W_Q, W_K, W_V, W_O (its only inputs) with this file's own sinusoids, RoPE, ALiBi
//     slopes, mask and softmax;
//   - a score map's claim (what its caption says it holds: ÷√d_head, ÷T, + B_h, + M, softmax) is the
//     one the state implies, derived here from the URL, and the numbers are that claim's;
//   - its caption writes exactly those terms (√d_head iff divided by it, T iff T ≠ 1, B_h iff ALiBi,
//     M iff the mask hides a cell);
// and every step's formula and shape line say the same.
//
// Run: node --test --test-concurrency=1 tests/browser/captions.test.mjs   (needs web/lib/wasm)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, settled, renders } from './page-harness.mjs';

let harness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness?.close();
});

// ---- the reference: plain double-precision arithmetic, written from the definitions -------------

const N = 5; // "a b c d e"
const N_KV = 4; // "p q r s"
const D_MODEL = 16;
const HEADS = 2;
const D_HEAD = D_MODEL / HEADS;

const matmul = (a, rows, inner, b, cols) => {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let k = 0; k < inner; k++) {
      const v = a[i * inner + k];
      for (let j = 0; j < cols; j++) out[i * cols + j] += v * b[k * cols + j];
    }
  return out;
};
// PE[pos, j]: sin(pos / 10000^(2i/d)) at j = 2i, cos at j = 2i + 1.
const sinusoids = (rows, d) =>
  Float64Array.from({ length: rows * d }, (_, c) => {
    const pos = Math.floor(c / d);
    const j = c % d;
    const angle = pos / 10000 ** ((2 * Math.floor(j / 2)) / d);
    return j % 2 ? Math.cos(angle) : Math.sin(angle);
  });
// RoPE: in every head, pair (2i, 2i+1) of row pos turns by pos / 10000^(2i/d_head).
const rope = (m, rows) => {
  const out = Float64Array.from(m);
  for (let pos = 0; pos < rows; pos++)
    for (let h = 0; h < HEADS; h++)
      for (let i = 0; i < D_HEAD / 2; i++) {
        const th = pos / 10000 ** ((2 * i) / D_HEAD);
        const at = pos * D_MODEL + h * D_HEAD + 2 * i;
        const [a, b] = [m[at], m[at + 1]];
        out[at] = a * Math.cos(th) - b * Math.sin(th);
        out[at + 1] = a * Math.sin(th) + b * Math.cos(th);
      }
  return out;
};
const headOf = (m, rows, h) =>
  Float64Array.from(
    { length: rows * D_HEAD },
    (_, c) => m[Math.floor(c / D_HEAD) * D_MODEL + h * D_HEAD + (c % D_HEAD)],
  );

// Everything the pass should have computed, from its inputs and the state.
function reference(trace, st) {
  const cross = st.cross;
  const nk = cross ? N_KV : N;
  const add = (e, rows) =>
    st.positional === 'sinusoidal' ? e.map((v, c) => v + sinusoids(rows, D_MODEL)[c]) : Float64Array.from(e);
  const x = add(trace.embeddings, N);
  const xKv = cross ? add(trace.embeddingsKv, nk) : x;
  const qPlain = matmul(x, N, D_MODEL, trace.wq, D_MODEL);
  const kPlain = matmul(xKv, nk, D_MODEL, trace.wk, D_MODEL);
  const v = matmul(xKv, nk, D_MODEL, trace.wv, D_MODEL);
  const q = st.positional === 'rope' ? rope(qPlain, N) : qPlain;
  const k = st.positional === 'rope' ? rope(kPlain, nk) : kPlain;
  // May query i attend to key j? The causal mask only within one sentence.
  const allowed = Array.from({ length: N * nk }, (_, c) => {
    const [i, j] = [Math.floor(c / nk), c % nk];
    if (st.causal && !cross && j > i) return false;
    if (st.padding.includes(j)) return false;
    return !st.painted.some(([pi, pj]) => pi === i && pj === j);
  });
  const anyHidden = allowed.some((a) => !a);
  const heads = Array.from({ length: HEADS }, (_, h) => {
    const qh = headOf(q, N, h);
    const kh = headOf(k, nk, h);
    const vh = headOf(v, nk, h);
    const S = Float64Array.from({ length: N * nk }, (_, c) => {
      let s = 0;
      for (let d = 0; d < D_HEAD; d++) s += qh[Math.floor(c / nk) * D_HEAD + d] * kh[(c % nk) * D_HEAD + d];
      return s;
    });
    const m = 2 ** ((-8 * (h + 1)) / HEADS);
    const B = Float64Array.from({ length: N * nk }, (_, c) => -m * Math.abs(Math.floor(c / nk) - (c % nk)));
    // The numbers a claim describes: S / (√d_head if sqrtD) / (T if temperature) + B + M, softmax.
    const of = (claim) => {
      const div = (claim.sqrtD ? Math.sqrt(D_HEAD) : 1) * (claim.temperature ?? 1);
      const s = S.map((val, c) => {
        let out = val / div + (claim.bias ? B[c] : 0);
        if (claim.mask && !allowed[c]) out = -Infinity;
        return out;
      });
      if (!claim.softmax) return s;
      const w = new Float64Array(N * nk);
      for (let i = 0; i < N; i++) {
        const row = s.subarray(i * nk, (i + 1) * nk);
        const max = Math.max(...row);
        if (max === -Infinity) continue;
        const z = row.reduce((a, val) => a + Math.exp(val - max), 0);
        for (let j = 0; j < nk; j++) w[i * nk + j] = Math.exp(row[j] - max) / z;
      }
      return w;
    };
    const P = of({
      sqrtD: st.scale,
      temperature: st.temperature,
      bias: st.positional === 'alibi',
      mask: true,
      softmax: true,
    });
    const out = matmul(P, N, nk, vh, D_HEAD);
    return { qh, kh, vh, qPlainH: headOf(qPlain, N, h), kPlainH: headOf(kPlain, nk, h), S, B, of, P, out };
  });
  const concat = new Float64Array(N * D_MODEL);
  heads.forEach((hd, h) => {
    for (let i = 0; i < N; i++)
      for (let d = 0; d < D_HEAD; d++) concat[i * D_MODEL + h * D_HEAD + d] = hd.out[i * D_HEAD + d];
  });
  const pe = sinusoids(Math.max(N, nk), D_MODEL);
  const angles = Float64Array.from({ length: Math.max(N, nk) * (D_HEAD / 2) }, (_, c) => {
    const [pos, i] = [Math.floor(c / (D_HEAD / 2)), c % (D_HEAD / 2)];
    return pos / 10000 ** ((2 * i) / D_HEAD);
  });
  return {
    nk,
    x,
    xKv,
    q,
    k,
    v,
    heads,
    concat,
    output: matmul(concat, N, D_MODEL, trace.wo, D_MODEL),
    anyHidden,
    pe,
    angles,
  };
}

// What a score map must claim in this state (derived from the state, not from the page's code).
const STAGES = { rawScores: 0, scaledScores: 1, biasedScores: 2, scores: 3, weights: 4 };
function expectedClaim(name, st, anyHidden) {
  if (name === 'softmaxWithSqrt' || name === 'softmaxWithoutSqrt') {
    return { ...expectedClaim('weights', st, anyHidden), sqrtD: name === 'softmaxWithSqrt' };
  }
  const at = STAGES[name];
  return {
    product: true,
    sqrtD: at >= 1 && st.scale,
    temperature: at >= 1 && st.temperature !== 1 ? st.temperature : null,
    bias: at >= 2 && st.positional === 'alibi',
    mask: at >= 3 && anyHidden,
    softmax: at >= 4,
  };
}

// The numbers figure `name` (head h) must hold, or undefined for figures this test does not know.
function expectedData(name, ref, h, trace) {
  const hd = ref.heads[h];
  const map = {
    embeddings: trace.embeddings,
    x: ref.x,
    xKv: ref.xKv,
    pe: ref.pe.subarray(0, N * D_MODEL),
    peKv: ref.pe.subarray(0, ref.nk * D_MODEL),
    ropeAngles: ref.angles,
    q: ref.q,
    k: ref.k,
    v: ref.v,
    qHead: hd.qh,
    qRotated: hd.qh,
    kHead: hd.kh,
    kRotated: hd.kh,
    vHead: hd.vh,
    qUnrotatedHead: hd.qPlainH,
    kUnrotatedHead: hd.kPlainH,
    bias: hd.B,
    headOutput: hd.out,
    concat: ref.concat,
    output: ref.output,
    wq: trace.wq,
    wk: trace.wk,
    wv: trace.wv,
    wo: trace.wo,
  };
  return map[name];
}

const close = (got, want, scale) =>
  (got === null && want === -Infinity) ||
  got === want ||
  (Number.isFinite(got) && Math.abs(got - want) <= 2e-4 * scale + 1e-5);

function assertData(fig, want, what) {
  assert.equal(fig.data.length, want.length, `${what}: ${fig.data.length} values, want ${want.length}`);
  const scale = Math.max(1e-6, ...Array.from(want).filter(Number.isFinite).map(Math.abs));
  for (let c = 0; c < want.length; c++) {
    // −∞ travels through the hook's Array.from as -Infinity; masked cells are drawn hatched.
    const got = fig.data[c];
    if (want[c] === -Infinity) {
      assert.ok(got === -Infinity || fig.masked?.[c] === 1, `${what}[${c}]: want masked, got ${got}`);
      continue;
    }
    assert.ok(close(got, want[c], scale), `${what}[${c}]: drawn ${got}, the recomputation gives ${want[c]}`);
  }
}

// The caption writes exactly the claim's terms (its MathML text reads the notation as written).
function assertCaption(caption, claim, h, what) {
  const has = (re) => re.test(caption);
  assert.equal(has(/√d_head/), claim.sqrtD, `${what}: "${caption}" ${claim.sqrtD ? 'lacks' : 'claims'} ÷√d_head`);
  assert.equal(has(/(\/|⋅|·) ?T\b/), claim.temperature !== null, `${what}: "${caption}" and ÷T`);
  assert.equal(has(new RegExp(`B_${h}`)), claim.bias, `${what}: "${caption}" and B_${h}`);
  assert.equal(has(/\+ ?M\b/), claim.mask, `${what}: "${caption}" and + M`);
  assert.equal(has(/softmax/), claim.softmax, `${what}: "${caption}" and softmax`);
}

// ---- the matrix -------------------------------------------------------------------------------

const MODES = {
  plain: { causal: false, cross: false, padding: [], painted: [] },
  cross: { causal: true, cross: true, padding: [], painted: [] }, // causal asked for: off between two sentences
  masked: { causal: true, cross: false, padding: [3], painted: [[4, 0]] }, // causal, padding and painted at once
};
const SCALINGS = [
  { scale: true, temperature: 1 },
  { scale: false, temperature: 1 },
  { scale: true, temperature: 2 },
  { scale: false, temperature: 0.5 },
];
const STEPS_CHECKED = [0, 3, 4, 5, 6, 7, 8, 12]; // 0: the overview

function hashOf(st, step) {
  const q = new URLSearchParams({ s: 'a b c d e', h: HEADS, d: D_MODEL, t: st.temperature, p: st.positional, step });
  q.set('c', st.causal ? '1' : '0');
  q.set('sc', st.scale ? '1' : '0');
  q.set('f', '1'); // the second head: every subscript must say 1
  if (st.cross) {
    q.set('x', '1');
    q.set('kv', 'p q r s');
  }
  if (st.padding.length) q.set('pad', st.padding.join(','));
  if (st.painted.length) q.set('pm', st.painted.map(([i, j]) => `${i}.${j}`).join(','));
  return `#${q.toString()}`;
}

for (const positional of ['none', 'sinusoidal', 'rope', 'alibi']) {
  test(`captions: every figure's numbers are what its caption and formula say (${positional}, every mask mode, scaling and temperature)`, async () => {
    // Opened on other settings, so that the first state of the matrix is a new pass.
    const {
      page,
      problems,
      close: closePage,
    } = await harness.open(hashOf({ positional, ...MODES.plain, scale: true, temperature: 3 }, 0));
    try {
      let drawn = await settled(page, 0);
      for (const [modeName, mode] of Object.entries(MODES)) {
        for (const scaling of SCALINGS) {
          const st = { positional, ...mode, ...scaling };
          for (const step of STEPS_CHECKED) {
            const what = `${positional} ${modeName} sc=${st.scale} T=${st.temperature} step ${step || 'overview'}`;
            const before = await renders(page);
            await page.evaluate(
              (hash) => {
                location.hash = hash;
              },
              hashOf(st, step),
            );
            // A new pass is drawn when the settings change; a new step only redraws.
            if (step === STEPS_CHECKED[0]) drawn = await settled(page, before);
            else await page.waitForFunction((k) => window.__ap.idle && window.__ap.state.step === k, step);
            const seen = await page.evaluate(() => {
              const ap = window.__ap;
              const tr = ap.trace;
              const plain = (a) => (a ? Array.from(a) : null);
              const formulaText = [
                ...document.querySelectorAll(ap.state.step ? '#walkthrough .wt-formula' : '.formula'),
              ]
                .map((f) => [...f.querySelectorAll('annotation')].map((a) => a.textContent).join(' '))
                .join(' | ');
              return {
                error: ap.error,
                trace: {
                  embeddings: plain(tr.embeddings),
                  embeddingsKv: plain(tr.embeddingsKv),
                  wq: plain(tr.wq),
                  wk: plain(tr.wk),
                  wv: plain(tr.wv),
                  wo: plain(tr.wo),
                  causal: tr.causal,
                },
                figures: ap.figures().map((name) => ap.figure(name)),
                formula: formulaText,
                desc: ap.state.step ? document.querySelector('#walkthrough .wt-desc').textContent : '',
                causalBox: {
                  checked: document.getElementById('causal').checked,
                  disabled: document.getElementById('causal').disabled,
                },
              };
            });
            assert.equal(seen.error, null, `${what}: ${seen.error}`);
            // Cross-attention turns the causal mask off, and the control says so.
            assert.equal(seen.trace.causal, st.causal && !st.cross, `${what}: the pass's causal flag`);
            assert.equal(
              seen.causalBox.disabled,
              st.cross,
              `${what}: the causal box is disabled under cross-attention`,
            );
            const ref = reference(seen.trace, st);
            const h = 1;
            assert.ok(seen.figures.length > 0, `${what}: figures drawn`);
            for (const fig of seen.figures) {
              const id = `${what}: ${fig.name}`;
              if (fig.name in STAGES || fig.name.startsWith('softmaxWith')) {
                const claim = expectedClaim(fig.name, st, ref.anyHidden);
                assert.deepEqual(fig.claim, claim, `${id}: what the caption claims`);
                assertData(fig, ref.heads[h].of(claim), id);
                assertCaption(fig.caption, claim, h, id);
                continue;
              }
              if (fig.name === 'causalScores') {
                // The preview: the scores before the mask, −∞ where key j > query i.
                const before = ref.heads[h].of(expectedClaim('biasedScores', st, ref.anyHidden));
                assertData(
                  fig,
                  before.map((val, c) => (c % ref.nk > Math.floor(c / ref.nk) ? -Infinity : val)),
                  id,
                );
                continue;
              }
              const want = expectedData(fig.name, ref, h, seen.trace);
              if (want) assertData(fig, want, id);
            }
            // Formulas: the same terms as the pass.
            const f = seen.formula;
            if (step === 0 || step === 12) {
              assert.equal(/√d_head/.test(f), st.scale, `${what}: formula "${f}" and ÷√d_head`);
              assert.equal(/(⋅|·|\/) ?T\b/.test(f), st.temperature !== 1, `${what}: formula "${f}" and ÷T`);
              assert.equal(/\+ ?B_/.test(f), positional === 'alibi', `${what}: formula "${f}" and + B_h`);
              assert.equal(/\+ ?M\b/.test(f), ref.anyHidden, `${what}: formula "${f}" and + M`);
            }
            if (step === 3) assert.equal(/PE/.test(f), positional === 'sinusoidal', `${what}: "${f}" and PE`);
            if (step === 4) {
              assert.equal(/X_kv|Xkv/.test(f), st.cross, `${what}: "${f}" and X_kv`);
              assert.equal(/RoPE/.test(f), positional === 'rope', `${what}: "${f}" and RoPE`);
            }
            if (step === 5) {
              const symbols = st.cross ? 'n_q × n_k' : 'n × n';
              assert.ok(seen.desc.includes(`${symbols} = ${N} × ${ref.nk}`), `${what}: "${seen.desc}" names the shape`);
            }
            if (step === 6) assert.equal(/√d_head/.test(f), st.scale, `${what}: formula "${f}" and ÷√d_head`);
            if (step === 7) {
              assert.equal(/\+ ?M\b/.test(f), ref.anyHidden, `${what}: formula "${f}" and + M`);
              const names = seen.figures.map((fig) => fig.name);
              assert.equal(names.includes('causalScores'), !ref.anyHidden && !st.cross, `${what}: the causal preview`);
            }
          }
        }
      }
      assert.deepEqual(problems, []);
    } finally {
      await closePage();
    }
  });
}
