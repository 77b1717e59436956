// <attention-playground>: the playground as a custom element for any page.
//
//   <script type="module" src="attention-playground.js"></script>
//   <attention-playground sentence="The cat sat on the mat" heads="2" view="weights"
//                         controls="temperature,causal" theme="auto"></attention-playground>
//
// Shadow DOM (the host page's CSS cannot reach inside), sized by its container (a
// ResizeObserver re-lays the heatmap out), loaded lazily when it comes near the viewport
// (IntersectionObserver; loading="eager" starts at once). Every widget on a page shares one
// loaded WebAssembly module (widget/compute.js). Computation runs directly on the main thread:
// the widget's sentences are short, and no Worker keeps a single-file build possible under a
// strict CSP. Attributes are the state: a control sets its attribute, and any attribute change
// redraws. Text reaches the DOM through textContent only and the canvas through fillText.
// All attributes are listed in README.md, section "Embedding".

import { Heatmap } from '../draw/heatmap.js';
import { symmetricRange } from '../draw/colormap.js';
import { weightsRange } from '../views/figures.js';
import { tokenize } from '../views/tokenizer.js';
import { heatmapToSVG, heatmapToPNG, matrixToCSV, matrixToJSON, download } from '../draw/export.js';
import { getCore, runAttention, configureCore } from './core.js';
import { msg } from './messages.js';
import { CSS } from './style.js';
// The modules two imports down, named here as well so that the browser fetches them together with
// the first level instead of one round trip later: start-up is otherwise a chain of imports.
import '../lib/attention.js';
import '../views/seeded.js';

export { configureCore };

const LIMITS = { maxTokens: 32, maxHeads: 16, maxModelDim: 512, maxSeed: 999999 };
const VIEWS = ['weights', 'scores', 'q', 'k', 'v', 'head-output', 'concat', 'output'];
const WHOLE_LAYER = ['concat', 'output']; // views of every head at once: no head to choose
const POSITIONAL = ['none', 'sinusoidal', 'rope', 'alibi'];
// Control names, in display order; `controls` and `locked` take comma-separated lists of these.
const CONTROLS = ['sentence', 'kv', 'heads', 'd-model', 'temperature', 'scale', 'causal', 'positional', 'seed', 'view', 'head', 'export'];
const DEFAULTS = { sentence: 'The cat sat on the mat', heads: 2, dModel: 16, temperature: 1, positional: 'none', seed: 42, view: 'weights', head: 0 };

let sheet = null;
function styleSheet() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  return sheet;
}

const num = (text, fallback) => {
  if (text === null || text.trim() === '') return fallback;
  const v = Number(text);
  return Number.isFinite(v) ? v : fallback;
};
const off = (text) => text === 'false' || text === '0';
const list = (text) => (text ?? '').split(/[\s,]+/).map((s) => s.trim().toLowerCase()).filter(Boolean);

function el(tag, props = {}, parent = null) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'text') node.textContent = v;
    else if (k === 'class') node.className = v;
    else if (k in node) node[k] = v;
    else node.setAttribute(k, v);
  }
  if (parent) parent.appendChild(node);
  return node;
}

export class AttentionPlaygroundElement extends HTMLElement {
  static get observedAttributes() {
    return ['sentence', 'kv', 'heads', 'd-model', 'temperature', 'scale', 'causal', 'positional', 'seed', 'padding', 'mask', 'view', 'head', 'controls', 'locked', 'theme', 'lang'];
  }

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = [styleSheet()];
    this.controlsBox = el('div', { class: 'controls', part: 'controls' }, root);
    this.status = el('p', { class: 'status', part: 'status' }, root);
    this.errorBox = el('p', { class: 'error', role: 'alert', part: 'error' }, root);
    this.caption = el('p', { class: 'caption', part: 'caption', dir: 'auto' }, root);
    this.plot = el('div', { class: 'plot', part: 'plot' }, root);
    this.readout = el('p', { class: 'readout', 'aria-live': 'polite', part: 'readout', dir: 'auto' }, root);
    this.exportsBox = el('div', { class: 'exports', part: 'exports' }, root);
    this.heatmap = null;
    this.heatmapKind = '';
    this.core = null;
    this.current = null;   // { model, meta } of the matrix shown
    this.renders = 0;
    this.started = false;
    this.controlsKey = null;
  }

  // ---- state from attributes ----------------------------------------------
  get state() {
    const a = (name) => this.getAttribute(name);
    const causal = a('causal');
    const positional = a('positional');
    const view = a('view');
    return {
      sentence: a('sentence') ?? DEFAULTS.sentence,
      heads: num(a('heads'), DEFAULTS.heads),
      dModel: num(a('d-model'), DEFAULTS.dModel),
      temperature: num(a('temperature'), DEFAULTS.temperature),
      causal: causal !== null && !off(causal),
      scale: !off(a('scale')),
      kv: a('kv') ?? '',          // blank: self-attention
      padding: a('padding') ?? '', // parsed, with messages, by parseIndices()
      mask: a('mask') ?? '',       // parsed, with messages, by parseCells()
      positional: POSITIONAL.includes(positional) ? positional : DEFAULTS.positional,
      seed: num(a('seed'), DEFAULTS.seed),
      view: VIEWS.includes(view) ? view : DEFAULTS.view,
      head: Math.max(0, Math.trunc(num(a('head'), DEFAULTS.head))),
    };
  }

  get uiLang() {
    const own = this.getAttribute('lang') ?? this.closest('[lang]')?.getAttribute('lang') ?? document.documentElement.lang ?? 'en';
    return own.toLowerCase().startsWith('zh') ? 'zh' : 'en';
  }

  t(key, params) {
    return msg(this.uiLang, key, params);
  }

  // Which controls are shown, and which of those are locked (teacher mode).
  get shownControls() {
    return list(this.getAttribute('controls')).filter((c) => CONTROLS.includes(c));
  }

  get lockedControls() {
    if (!this.hasAttribute('locked')) return new Set();
    const names = list(this.getAttribute('locked'));
    return new Set(names.length === 0 || names.includes('all') ? CONTROLS : names);
  }

  // ---- lifecycle -------------------------------------------------------------
  connectedCallback() {
    this.buildControls();
    this.resize ??= new ResizeObserver(() => this.layout());
    this.resize.observe(this);
    this.media ??= matchMedia('(prefers-color-scheme: dark)');
    this.onMedia ??= () => this.applyColors();
    this.media.addEventListener('change', this.onMedia);
    if (this.started) return;
    // Already on screen (or near it): start now, not one IntersectionObserver round trip later.
    if (this.getAttribute('loading') === 'eager' || typeof IntersectionObserver !== 'function' || this.nearViewport()) {
      this.start();
    } else {
      this.status.textContent = this.t('loading');
      this.visible = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          this.visible.disconnect();
          this.start();
        }
      }, { rootMargin: '200px' });
      this.visible.observe(this);
    }
  }

  // True when the element is rendered and within `margin` px of the viewport (the same margin
  // as the IntersectionObserver's).
  nearViewport(margin = 200) {
    if (this.getClientRects().length === 0) return false;  // display: none, or not in a document
    const r = this.getBoundingClientRect();
    return r.bottom >= -margin && r.top <= innerHeight + margin && r.right >= -margin && r.left <= innerWidth + margin;
  }

  disconnectedCallback() {
    this.resize?.disconnect();
    this.media?.removeEventListener('change', this.onMedia);
  }

  attributeChangedCallback(name) {
    if (['controls', 'locked', 'lang'].includes(name)) this.buildControls();
    else this.syncControls();
    if (name === 'theme') this.applyColors();
    this.schedule();
  }

  start() {
    this.started = true;
    this.status.textContent = this.t('loading');
    getCore().then((core) => {
      this.core = core;
      this.status.textContent = '';
      this.render();
    }, (err) => {
      this.status.textContent = '';
      this.errorBox.textContent = this.t('error.load', { message: err?.message ?? String(err) });
      this.dispatchEvent(new CustomEvent('ap-error', { detail: { message: this.errorBox.textContent } }));
    });
  }

  schedule() {
    if (!this.core || this.pending) return;
    this.pending = true;
    queueMicrotask(() => {
      this.pending = false;
      this.render();
    });
  }

  // ---- controls --------------------------------------------------------------
  buildControls() {
    const shown = this.shownControls;
    const locked = this.lockedControls;
    const key = `${shown}|${[...locked]}|${this.uiLang}`;
    if (key === this.controlsKey) { this.syncControls(); return; }
    this.controlsKey = key;
    this.controlsBox.replaceChildren();
    this.exportsBox.replaceChildren();
    this.inputs = {};
    const set = (name, value) => this.setAttribute(name, String(value));
    const field = (name, labelKey, extraClass = '') => {
      const label = el('label', { class: `field ${extraClass}` }, this.controlsBox);
      el('span', { text: this.t(labelKey) }, label);
      return label;
    };
    const lock = (input, name) => {
      input.disabled = locked.has(name);
      input.dataset.control = name;
      return input;
    };
    for (const name of shown) {
      if (name === 'sentence' || name === 'kv') {
        const f = field(name, name, 'sentence');
        const input = lock(el('input', { type: 'text', dir: 'auto', spellcheck: false }, f), name);
        if (name === 'kv') input.placeholder = this.t('kvPlaceholder');
        input.addEventListener('change', () => set(name, input.value));
        input.addEventListener('input', () => set(name, input.value));
        this.inputs[name] = input;
      } else if (name === 'heads' || name === 'seed') {
        const f = field(name, name);
        const input = lock(el('input', { type: 'number', min: name === 'heads' ? 1 : 0, max: name === 'heads' ? LIMITS.maxHeads : LIMITS.maxSeed, step: 1 }, f), name);
        input.addEventListener('input', () => set(name, input.value));
        this.inputs[name] = input;
      } else if (name === 'd-model') {
        const f = field(name, 'dModel');
        const select = lock(el('select', {}, f), name);
        for (const d of [8, 16, 32, 64, 128, 256, 512]) el('option', { value: String(d), text: String(d) }, select);
        select.addEventListener('change', () => set('d-model', select.value));
        this.inputs['d-model'] = select;
      } else if (name === 'temperature') {
        const f = field(name, 'temperature');
        const row = el('span', { class: 'value' }, f);
        // The slider moves log₁₀ T from −2 to 2 (T from 0.01 to 100).
        const input = lock(el('input', { type: 'range', min: -200, max: 200, step: 1 }, row), name);
        input.setAttribute('aria-label', this.t('temperature'));
        const out = el('output', {}, row);
        input.addEventListener('input', () => set('temperature', Number((10 ** (input.value / 100)).toPrecision(3))));
        this.inputs.temperature = input;
        this.temperatureOut = out;
      } else if (name === 'causal' || name === 'scale') {
        const label = el('label', { class: 'field check' }, this.controlsBox);
        const input = lock(el('input', { type: 'checkbox' }, label), name);
        el('span', { text: this.t(name) }, label);
        // causal is off unless present; scale is on unless "false".
        if (name === 'causal') input.addEventListener('change', () => (input.checked ? this.setAttribute('causal', '') : this.removeAttribute('causal')));
        else input.addEventListener('change', () => (input.checked ? this.removeAttribute('scale') : this.setAttribute('scale', 'false')));
        this.inputs[name] = input;
      } else if (name === 'positional' || name === 'view') {
        const f = field(name, name);
        const select = lock(el('select', {}, f), name);
        for (const v of name === 'view' ? VIEWS : POSITIONAL) el('option', { value: v, text: this.t(`${name}.${v}`) }, select);
        select.addEventListener('change', () => set(name, select.value));
        this.inputs[name] = select;
      } else if (name === 'head') {
        const f = field(name, 'head');
        const select = lock(el('select', {}, f), name);
        select.addEventListener('change', () => set('head', select.value));
        this.inputs.head = select;
      } else if (name === 'export') {
        const kinds = [['png', 'PNG'], ['svg', 'SVG'], ['csv', 'CSV'], ['json', 'JSON']];
        el('span', { class: 'status', text: this.t('export') }, this.exportsBox);
        for (const [kind, text] of kinds) {
          const b = lock(el('button', { type: 'button', text }, this.exportsBox), name);
          b.setAttribute('aria-label', `${this.t('export')} ${text}`);
          b.addEventListener('click', () => this.saveExport(kind));
        }
      }
    }
    this.exportsBox.hidden = !shown.includes('export');
    this.syncControls();
  }

  // Controls show the attributes' values.
  syncControls() {
    if (!this.inputs) return;
    const s = this.state;
    const i = this.inputs;
    if (i.sentence && i.sentence.value !== s.sentence) i.sentence.value = s.sentence;
    if (i.kv && i.kv.value !== s.kv) i.kv.value = s.kv;
    if (i.scale) i.scale.checked = s.scale;
    if (i.heads && Number(i.heads.value) !== s.heads) i.heads.value = String(s.heads);
    if (i.seed && Number(i.seed.value) !== s.seed) i.seed.value = String(s.seed);
    if (i['d-model']) {
      if (![...i['d-model'].options].some((o) => o.value === String(s.dModel))) el('option', { value: String(s.dModel), text: String(s.dModel) }, i['d-model']);
      i['d-model'].value = String(s.dModel);
    }
    if (i.temperature) {
      i.temperature.value = String(Math.round(100 * Math.log10(Math.max(1e-2, s.temperature))));
      this.temperatureOut.textContent = `T = ${s.temperature}`;
    }
    if (i.causal) i.causal.checked = s.causal;
    if (i.positional) i.positional.value = s.positional;
    if (i.view) i.view.value = s.view;
    if (i.head) {
      const heads = Number.isInteger(s.heads) && s.heads >= 1 && s.heads <= LIMITS.maxHeads ? s.heads : 1;
      if (i.head.options.length !== heads) {
        i.head.replaceChildren(...Array.from({ length: heads }, (_, h) => el('option', { value: String(h), text: String(h) })));
      }
      i.head.value = String(Math.min(s.head, heads - 1));
      i.head.disabled = this.lockedControls.has('head') || WHOLE_LAYER.includes(s.view);
    }
  }

  // ---- computing and drawing ---------------------------------------------------
  // The problem with the settings, in words, or null. tokensKv: the key sentence's tokens (null
  // for self-attention); nKv: the number of keys.
  check(s, tokens, tokensKv) {
    if (tokens.length === 0) return this.t('error.empty');
    if (tokens.length > LIMITS.maxTokens) return this.t('error.tooMany', { n: tokens.length, max: LIMITS.maxTokens });
    if (tokensKv && tokensKv.length > LIMITS.maxTokens) return this.t('error.tooManyKv', { n: tokensKv.length, max: LIMITS.maxTokens });
    if (Number.isInteger(s.heads) && Number.isInteger(s.dModel) && s.heads > 0 && s.dModel % s.heads !== 0) {
      return this.t('error.divisible', { dModel: s.dModel, heads: s.heads });
    }
    return null;
  }

  // padding="1, 3" → { list: [1, 3] }, or { error } naming what is wrong; nKv: the keys' count.
  parsePadding(text, nKv, keyTokens) {
    const list = [];
    for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
      if (!/^\d{1,6}$/.test(part)) return { error: this.t('error.padding', { value: text }) };
      const j = Number(part);
      if (j >= nKv) return { error: this.t('error.paddingRange', { index: j, n: nKv, max: nKv - 1, tokens: keyTokens.join(' ') }) };
      if (!list.includes(j)) list.push(j);
    }
    return { list };
  }

  // mask="0.1, 2.0" → { list: [[0, 1], [2, 0]] } (query.key), or { error }.
  parseMask(text, n, nKv) {
    const list = [];
    for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
      const m = /^(\d{1,6})\.(\d{1,6})$/.exec(part);
      if (!m) return { error: this.t('error.mask', { value: text, part }) };
      const [i, j] = [Number(m[1]), Number(m[2])];
      if (i >= n || j >= nKv) return { error: this.t('error.maskRange', { cell: part, rows: n, cols: nKv }) };
      list.push([i, j]);
    }
    return { list };
  }

  fail(message) {
    this.errorBox.textContent = message;
  }

  render() {
    if (!this.core) return;
    const s = this.state;
    const tokens = tokenize(s.sentence);
    const kvTokens = tokenize(s.kv);
    const tokensKv = kvTokens.length ? kvTokens : null;  // a blank kv: self-attention
    const keyTokens = tokensKv ?? tokens;
    const nKv = keyTokens.length;
    const problem = this.check(s, tokens, tokensKv);
    if (problem) return this.fail(problem);
    const padding = this.parsePadding(s.padding, nKv, keyTokens);
    if (padding.error) return this.fail(padding.error);
    const painted = this.parseMask(s.mask, tokens.length, nKv);
    if (painted.error) return this.fail(painted.error);
    let run;
    try {
      run = runAttention(this.core, {
        tokens, tokensKv, heads: s.heads, dModel: s.dModel, temperature: s.temperature, causal: s.causal,
        positional: s.positional, seed: Math.trunc(s.seed), scale: s.scale, padding: padding.list, painted: painted.list,
      });
    } catch (err) {
      return this.fail(this.t('error.core', { message: err?.message ?? String(err) }));
    }
    const { trace, masked } = run;
    this.errorBox.textContent = '';
    const head = Math.min(s.head, trace.heads - 1);
    const n = trace.n;
    let model;
    if (s.view === 'weights') {
      const data = trace.weights(head);  // (n, nKv), softmax over keys
      // The page's rule (views/figures.js): every head's weights on one scale.
      const all = { n, nKv, mask: Uint8Array.from(masked, (m) => 1 - m), weights: Array.from({ length: trace.heads }, (_, h) => trace.weights(h)) };
      const range = weightsRange(all, Array.from({ length: trace.heads }, (_, h) => h));
      model = { rows: n, cols: nKv, data, range, rowLabels: tokens, colLabels: keyTokens, masked, colormap: 'viridis' };
    } else if (s.view === 'scores') {
      const data = trace.scores(head);   // (n, nKv), −∞ where masked
      model = { rows: n, cols: nKv, data, range: symmetricRange(data), rowLabels: tokens, colLabels: keyTokens, masked, colormap: 'diverging' };
    } else {
      // q, head-output (n, d_head); k, v (nKv, d_head); concat, output (n, d_model)
      const byKey = s.view === 'k' || s.view === 'v';
      const data = s.view === 'output' ? trace.output : s.view === 'concat' ? trace.concat
        : s.view === 'head-output' ? trace.headOutput(head) : trace[s.view](head);
      const cols = WHOLE_LAYER.includes(s.view) ? trace.dModel : trace.dHead;
      model = { rows: byKey ? nKv : n, cols, data, range: symmetricRange(data), rowLabels: byKey ? keyTokens : tokens, colLabels: null, colormap: 'diverging' };
    }
    const whole = WHOLE_LAYER.includes(s.view);
    const viewName = this.t(`view.${s.view}`);
    const dims = { view: viewName, head, heads: trace.heads, rows: model.rows, cols: model.cols };
    model.title = this.t(whole ? 'captionAll' : 'caption', dims);
    this.caption.textContent = model.title;
    this.current = {
      model,
      meta: {
        view: s.view, head: whole ? null : head, sentence: s.sentence, tokens, heads: trace.heads, dModel: trace.dModel,
        temperature: s.temperature, causal: s.causal, positional: s.positional, seed: s.seed, scale: s.scale,
        padding: padding.list, mask: painted.list, ...(tokensKv ? { kv: s.kv, keyTokens } : {}),
      },
    };
    this.draw(model);
    this.renders++;
    this.dispatchEvent(new CustomEvent('ap-render', { detail: { renders: this.renders } }));
  }

  draw(model) {
    const square = model.colLabels !== null;  // attention maps (n × nKv): square cells, both label sets
    const kind = `${model.colormap}:${square}`;
    if (kind !== this.heatmapKind) {
      this.plot.replaceChildren();
      this.heatmap = new Heatmap(this.plot, {
        colormap: model.colormap, square, colLabels: square, maxCell: square ? 40 : 14, cellHeight: 18,
        colors: this.colors(),
        onHover: (cell) => this.showCell(cell),
      });
      this.heatmapKind = kind;
    }
    this.heatmap.setLabel(model.title);
    // The legend's "masked" is heatmap.js's default (English, or the page's); the widget's language wins.
    const masked = this.heatmap.legendMasked?.lastElementChild;
    if (masked) masked.textContent = this.t('masked');
    this.heatmap.update({ ...model, width: this.plot.clientWidth || this.clientWidth || 300 });
  }

  showCell(cell) {
    if (!cell || !this.current) { this.readout.textContent = ''; return; }
    const { model } = this.current;
    const v = cell.value;
    const masked = !Number.isFinite(v) || (model.masked && model.masked[cell.row * model.cols + cell.col]);
    const value = masked ? this.t('masked') : String(Number(v.toPrecision(4)));
    const row = model.rowLabels?.[cell.row] ?? cell.row;
    this.readout.textContent = model.colLabels
      ? this.t('cell', { row, col: model.colLabels[cell.col], value })
      : this.t('cellMatrix', { row, col: cell.col, value });
  }

  layout() {
    if (this.heatmap?.model) this.heatmap.layout(this.plot.clientWidth || 300);
  }

  colors() {
    const style = getComputedStyle(this);
    const v = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
    return { label: v('--ap-fg', '#3d4451'), strong: v('--ap-fg', '#111'), dim: v('--ap-muted', '#8a93a3'), accent: v('--ap-accent', '#4338ca'), frame: v('--ap-border', 'rgba(0,0,0,0.18)') };
  }

  applyColors() {
    this.heatmap?.setColors(this.colors());
  }

  // ---- export ------------------------------------------------------------------
  exportOptions() {
    const style = getComputedStyle(this);
    return { background: style.getPropertyValue('--ap-bg').trim() || '#fff', foreground: style.getPropertyValue('--ap-fg').trim() || '#3d4451' };
  }

  /** The matrix shown, as an SVG document string. */
  exportSVG() { return this.current ? heatmapToSVG(this.current.model, this.exportOptions()) : null; }

  /** The matrix shown, as a PNG Blob (a promise). */
  exportPNG() { return this.current ? heatmapToPNG(this.current.model, this.exportOptions()) : Promise.resolve(null); }

  /** The matrix shown, as CSV text. */
  exportCSV() { return this.current ? matrixToCSV(this.current.model) : null; }

  /** The matrix shown and the settings that made it, as JSON text. */
  exportJSON() { return this.current ? matrixToJSON(this.current.model, this.current.meta) : null; }

  async saveExport(kind) {
    if (!this.current) return;
    const { view, head } = this.current.meta;
    const name = `attention-${view}${head === null ? '' : `-head${head}`}.${kind}`;
    if (kind === 'png') download(name, await this.exportPNG());
    else if (kind === 'svg') download(name, this.exportSVG(), 'image/svg+xml');
    else if (kind === 'csv') download(name, this.exportCSV(), 'text/csv');
    else download(name, this.exportJSON(), 'application/json');
  }
}

if (!customElements.get('attention-playground')) customElements.define('attention-playground', AttentionPlaygroundElement);
