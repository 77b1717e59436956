// <attention-playground>: the playground as a custom element for any page.
//
//   <script type="module" src="attention-playground.js"></script>
//   <attention-playground sentence="The cat sat on the mat" heads="2" view="weights"
//                         controls="temperature,causal" theme="auto"></attention-playground>
//
// Shadow DOM (the host page's CSS cannot reach inside), sized by its container (a
// ResizeObserver re-lays the heatmap out), loaded lazily when it comes near the viewport
// (IntersectionObserver; loading="eager" starts at once). Every widget on a page shares one
// worker and its WebAssembly module (widget/core.js), so the host's main thread only draws; where
// no worker can be made (a CSP without worker-src, file://, the single-file build) the passes run
// on the main thread in short tasks. data-compute on the element says which ('worker' | 'main').
// Attributes are the state: a control sets its attribute, and any attribute change
// redraws (a change of view or head from the pass already computed, without computing). Text reaches the DOM through textContent only and the canvas through fillText.
// All attributes are listed in README.md, section "Embedding"; widget/attributes.js reads them,
// widget/controls.js builds the controls, widget/exports.js the exports. Every view is a matrix of
// views/figures.js, so its data, colour range and masked cells are the page's.

import { Heatmap } from '../draw/heatmap.js';
import { el } from '../draw/dom.js';
import { matrix, maskedCells } from '../views/figures.js';
import { describe, scoresClaim, scoresPlain } from '../views/describe.js';
import { tokenize } from '../views/tokenizer.js';
import { getCompute, configureCore } from './core.js';
import { msg } from './messages.js';
import { CSS } from './style.js';
import {
  OBSERVED_ATTRIBUTES,
  MODEL_ATTRIBUTES,
  VIEW_MATRICES,
  VIEWS,
  MODEL_VIEWS,
  WHOLE_LAYER,
  readState,
  readLang,
  shownControls,
  lockedControls,
  hasModel,
  checkSizes,
  parsePadding,
  parseMask,
} from './attributes.js';
import { Controls } from './controls.js';
import {
  buildExportButtons,
  saveExport,
  exportSVG as svgOf,
  exportPNG as pngOf,
  exportCSV as csvOf,
  exportJSON as jsonOf,
} from './exports.js';
// The modules two imports down, named here as well so that the browser fetches them together with
// the first level instead of one round trip later: start-up is otherwise a chain of imports.
import '../lib/attention.js';
import './compute.js';
import '../views/seeded.js';
import '../views/trace.js';
import '../views/limits.js';

export { configureCore };

let sheet = null;
function styleSheet() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  return sheet;
}

// Widgets whose compute has just become ready ask for their first pass one per task, in the order
// they were ready: a page of many widgets gives the browser its main thread back between them.
const waitingToDraw = [];
let widgetCount = 0;
function renderInTurn(element) {
  waitingToDraw.push(element);
  if (waitingToDraw.length === 1) setTimeout(drawNext, 0);
}
function drawNext() {
  waitingToDraw.shift().render();
  if (waitingToDraw.length) setTimeout(drawNext, 0);
}

export class AttentionPlaygroundElement extends HTMLElement {
  static get observedAttributes() {
    return [...OBSERVED_ATTRIBUTES, ...MODEL_ATTRIBUTES];
  }

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = [styleSheet()];
    this.controls = new Controls(this, el('div', { class: 'controls', part: 'controls' }, root));
    this.status = el('p', { class: 'status', part: 'status' }, root);
    this.errorBox = el('p', { class: 'error', role: 'alert', part: 'error' }, root);
    this.caption = el('p', { class: 'caption', part: 'caption', dir: 'auto' }, root);
    this.plot = el('div', { class: 'plot', part: 'plot' }, root);
    this.readout = el('p', { class: 'readout', 'aria-live': 'polite', part: 'readout', dir: 'auto' }, root);
    this.exportsBox = el('div', { class: 'exports', part: 'exports' }, root);
    this.heatmap = null;
    this.heatmapKind = '';
    this.owner = ++widgetCount; // this widget's name in its requests
    this.compute = null; // widget/core.js getCompute()'s service, once ready
    this.computed = null; // { key, trace, error }: the newest pass received, for its params' key
    this.requested = null; // the params' key of the pass asked for and not yet received
    this.current = null; // { model, meta } of the matrix shown
    this.renders = 0;
    this.started = false;
    this.controlsKey = null;
    this.modelPart = null; // a promise of widget/model-widget.js's ModelPart, once a model is named
    this.modelDims = null; // the open model's { heads, layers }, for the head and layer controls
    this.modelText = null; // a built-in model's default text, when it draws that (no sentence attribute)
  }

  // ---- state from attributes ----------------------------------------------
  get state() {
    return readState(this);
  }

  get uiLang() {
    return readLang(this);
  }

  t(key, params) {
    return msg(this.uiLang, key, params);
  }

  // Which controls are shown, and which of those are locked (teacher mode).
  get shownControls() {
    return shownControls(this);
  }

  get lockedControls() {
    return lockedControls(this);
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
      this.visible = new IntersectionObserver(
        (entries) => {
          if (entries.some((e) => e.isIntersecting)) {
            this.visible.disconnect();
            this.start();
          }
        },
        { rootMargin: '200px' },
      );
      this.visible.observe(this);
    }
  }

  // True when the element is rendered and within `margin` px of the viewport (the same margin
  // as the IntersectionObserver's).
  nearViewport(margin = 200) {
    if (this.getClientRects().length === 0) return false; // display: none, or not in a document
    const r = this.getBoundingClientRect();
    return r.bottom >= -margin && r.top <= innerHeight + margin && r.right >= -margin && r.left <= innerWidth + margin;
  }

  disconnectedCallback() {
    this.resize?.disconnect();
    this.media?.removeEventListener('change', this.onMedia);
  }

  attributeChangedCallback(name) {
    if (['controls', 'locked', 'lang', 'model'].includes(name)) this.buildControls();
    else this.syncControls();
    if (name === 'theme') this.applyColors();
    this.schedule();
  }

  start() {
    this.started = true;
    if (hasModel(this)) this.render();
    else this.startRandom();
  }

  // Random weights: the shared compute (widget/core.js), then the first drawing.
  startRandom() {
    if (this.randomStarting) return;
    this.randomStarting = true;
    this.status.textContent = this.t('loading');
    getCompute().then(
      (compute) => {
        this.compute = compute;
        this.dataset.compute = compute.path;
        this.status.textContent = '';
        renderInTurn(this);
      },
      (err) => {
        this.randomStarting = false; // a later attribute change tries again
        this.status.textContent = '';
        this.errorBox.textContent = this.t('error.load', { message: err?.message ?? String(err) });
        this.dispatchEvent(new CustomEvent('ap-error', { detail: { message: this.errorBox.textContent } }));
      },
    );
  }

  schedule() {
    if (!this.started || this.pending) return;
    this.pending = true;
    queueMicrotask(() => {
      this.pending = false;
      this.render();
    });
  }

  // ---- controls --------------------------------------------------------------
  // Builds the controls and export buttons again when which are shown or locked, or the
  // language, changed; otherwise only shows the attributes' values in them.
  buildControls() {
    const shown = this.shownControls;
    const locked = this.lockedControls;
    const model = hasModel(this);
    const key = `${shown}|${[...locked]}|${this.uiLang}|${model}`;
    if (key === this.controlsKey) {
      this.syncControls();
      return;
    }
    this.controlsKey = key;
    const t = (k, params) => this.t(k, params);
    this.controls.build(shown, locked, t, model ? MODEL_VIEWS : VIEWS);
    this.exportsBox.replaceChildren();
    if (shown.includes('export')) {
      buildExportButtons(this.exportsBox, { locked: locked.has('export'), t, onSave: (kind) => this.saveExport(kind) });
    }
    this.exportsBox.hidden = !shown.includes('export');
    this.syncControls();
  }

  // Controls show the attributes' values.
  // With a model, the head and layer lists are the model's (until it is open, up to the ones named).
  syncControls() {
    const s = this.state;
    const named = {
      heads: Number.isInteger(s.head) ? s.head + 1 : 1,
      layers: Number.isInteger(s.layer) ? s.layer + 1 : 1,
    };
    const dims = hasModel(this) ? (this.modelDims ?? named) : null;
    // A built-in model drawing its default text shows that text (widget/model-widget.js).
    if (hasModel(this) && this.modelText != null) s.sentence = this.modelText;
    this.controls.sync(s, this.lockedControls, dims);
  }

  // ---- computing and drawing ---------------------------------------------------
  fail(message) {
    this.errorBox.textContent = message;
  }

  // Checks the attributes, then draws from the pass for them: at once when it is the pass last
  // received (a change of view or head), else when the pass asked for arrives (render() runs again
  // then). A pass replaced by a newer request is never drawn.
  render() {
    if (hasModel(this)) return this.renderModel();
    if (this.modelPart) this.leaveModel();
    if (!this.compute) return this.startRandom();
    const s = this.state;
    const t = (k, params) => this.t(k, params);
    const tokens = tokenize(s.sentence);
    const kvTokens = tokenize(s.kv);
    const tokensKv = kvTokens.length ? kvTokens : null; // a blank kv: self-attention
    const keyTokens = tokensKv ?? tokens;
    const nKv = keyTokens.length;
    const problem = checkSizes(s, tokens, tokensKv, t);
    const refuse = (message) => {
      this.requested = null; // a later valid state asks again
      this.fail(message);
    };
    if (problem) return refuse(problem);
    const padding = parsePadding(s.padding, nKv, keyTokens, t);
    if (padding.error) return refuse(padding.error);
    const painted = parseMask(s.mask, tokens.length, nKv, t);
    if (painted.error) return refuse(painted.error);
    const params = {
      tokens,
      tokensKv,
      heads: s.heads,
      dModel: s.dModel,
      temperature: s.temperature,
      causal: s.causal,
      positional: s.positional,
      seed: Math.trunc(s.seed),
      scale: s.scale,
      padding: padding.list,
      painted: painted.list,
    };
    const key = JSON.stringify(params);
    if (this.computed?.key !== key) {
      if (this.requested === key) return; // on its way
      this.requested = key;
      this.compute.run(this.owner, params).then((result) => {
        if (!result || this.requested !== key) return; // replaced by a newer request
        this.requested = null;
        this.computed = { key, trace: result.trace ?? null, error: result.error ?? null };
        this.render();
      });
      return;
    }
    this.requested = null; // the state is back to the pass received: what was asked for is stale
    if (this.computed.error) return this.fail(this.t('error.core', { message: this.computed.error }));
    const trace = this.computed.trace; // the plain trace (views/trace.js)
    this.errorBox.textContent = '';
    const head = Math.min(s.head, trace.heads - 1);
    // Every head's weights on one scale, as on the page; the scores' masked cells (−∞ there) are
    // marked as the weights' are.
    const model = matrix(trace, VIEW_MATRICES[s.view], { head });
    if (s.view === 'scores') model.masked = maskedCells(trace);
    const whole = WHOLE_LAYER.includes(s.view);
    const dims = { view: this.t(`view.${s.view}`), head, heads: trace.heads, rows: model.rows, cols: model.cols };
    model.title = this.t(whole ? 'captionAll' : 'caption', dims);
    // The scores and weights say what this pass computed (views/describe.js): ÷√d_head, ÷T, + B_h
    // and + M only where the pass used them.
    const stage = { scores: 'masked', weights: 'weights' }[s.view];
    if (stage) {
      model.claim = scoresClaim(describe(trace), stage);
      model.title += ` · ${scoresPlain(model.claim, head)}`;
    }
    this.caption.textContent = model.title;
    this.current = {
      model,
      meta: {
        view: s.view,
        head: whole ? null : head,
        sentence: s.sentence,
        tokens,
        heads: trace.heads,
        dModel: trace.dModel,
        temperature: s.temperature,
        causal: s.causal,
        positional: s.positional,
        seed: s.seed,
        scale: s.scale,
        padding: padding.list,
        mask: painted.list,
        ...(tokensKv ? { kv: s.kv, keyTokens } : {}),
      },
    };
    this.draw(model);
    this.renders++;
    this.dispatchEvent(new CustomEvent('ap-render', { detail: { renders: this.renders } }));
  }

  // A model file's attention (widget/model-widget.js, imported only when a model is named, so a
  // random-weights widget never downloads the model code or its wasm).
  renderModel() {
    this.modelPart ??= import('./model-widget.js').then(
      ({ ModelPart }) => new ModelPart(this),
      (err) => ({ error: err?.message ?? String(err) }),
    );
    this.modelPart.then((part) => {
      if (!hasModel(this)) return;
      if (part.error) this.fail(this.t('error.modelCode', { message: part.error }));
      else part.render();
    });
  }

  // The model attribute was removed: random weights again, from a clean figure.
  leaveModel() {
    const part = this.modelPart;
    this.modelPart = null;
    part.then((p) => p.detach?.());
    this.plot.replaceChildren();
    this.heatmap = null;
    this.heatmapKind = '';
    this.computed = null;
    this.requested = null;
    this.errorBox.textContent = '';
    this.status.textContent = '';
  }

  draw(model) {
    const square = Boolean(model.colLabels); // attention maps (n × nKv): square cells, both label sets
    const kind = `${model.colormap}:${square}`;
    if (kind !== this.heatmapKind) {
      this.plot.replaceChildren();
      this.heatmap = new Heatmap(this.plot, {
        colormap: model.colormap,
        square,
        colLabels: square,
        maxCell: square ? 40 : 14,
        cellHeight: 18,
        colors: this.colors(),
        onHover: (cell) => this.showCell(cell),
        announce: false, // the readout (aria-live) says the cell
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
    if (!cell || !this.current) {
      this.readout.textContent = '';
      return;
    }
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
    return {
      label: v('--ap-fg', '#3d4451'),
      strong: v('--ap-fg', '#111'),
      dim: v('--ap-muted', '#8a93a3'),
      accent: v('--ap-accent', '#4338ca'),
      frame: v('--ap-border', 'rgba(0,0,0,0.18)'),
    };
  }

  applyColors() {
    this.heatmap?.setColors(this.colors());
  }

  // ---- export (widget/exports.js) ------------------------------------------------
  /** The matrix shown, as an SVG document string. */
  exportSVG() {
    return svgOf(this, this.current);
  }

  /** The matrix shown, as a PNG Blob (a promise). */
  exportPNG() {
    return pngOf(this, this.current);
  }

  /** The matrix shown, as CSV text. */
  exportCSV() {
    return csvOf(this.current);
  }

  /** The matrix shown and the settings that made it, as JSON text. */
  exportJSON() {
    return jsonOf(this.current);
  }

  saveExport(kind) {
    return saveExport(this, this.current, kind);
  }
}

if (!customElements.get('attention-playground'))
  customElements.define('attention-playground', AttentionPlaygroundElement);
