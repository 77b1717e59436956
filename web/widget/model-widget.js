// The model part of <attention-playground model="models/my.gguf" layer="2" head="5" sentence="…">,
// or of model="induction" (a built-in model, widget/builtin-models.js: its file beside the widget,
// a default text built from its labels, and the caption says what it was trained on):
// opens the model file the page names (widget/model-client.js: one download and one open model
// per resolved URL, in the model worker), shows the download's progress, tokenizes the sentence
// with the model's tokenizer, and draws one layer's and head's weights, scores, q, k, v or head
// output, with the tokens exactly as the model sees them (▁, Ġ, byte tokens) in a strip and on
// the axes. Every failure (a missing or malformed file, one too large, a layer or head the model
// does not have) is the widget's own message in place of the figure.
//
// element.js imports this module only for a widget with a `model` attribute, and creates one
// ModelPart per such widget; render() runs on every attribute change.

import { el } from '../draw/dom.js';
import { symmetricRange } from '../draw/colormap.js';
import { getModelService } from './model-client.js';
import { MODEL_TRACE_ARRAYS } from './model-compute.js';
import { MODEL_VIEWS } from './attributes.js';
import { WIDGET_LIMITS } from '../views/limits.js';
import { addMessages } from './messages.js';
import { MODEL_CSS, MODEL_MESSAGES } from './model-messages.js';
import { BUILTIN_MODELS, builtinUrl, defaultText, modelSource } from './builtin-models.js';

addMessages(MODEL_MESSAGES);
let sheet = null;

const MB = 1048576;
const sizeText = (bytes) => (bytes >= MB ? `${(bytes / MB).toFixed(1)} MB` : `${(bytes / 1024).toFixed(0)} KB`);

// (n, n) 1 above the diagonal: the keys after each query, which a causal model never sees.
function causalMasked(n) {
  const m = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) m[i * n + j] = 1;
  return m;
}

// The weights' colour range, figures.js's rule for one head: [0, m], m the largest weight in a row
// with two or more keys to attend to (row i of a causal map has i + 1).
function weightsRange(w, n) {
  let m = 0;
  for (let i = 1; i < n; i++) for (let j = 0; j <= i; j++) m = Math.max(m, w[i * n + j]);
  return [0, m > 0 ? m : 1];
}

export class ModelPart {
  constructor(element) {
    this.element = element;
    const root = element.shadowRoot;
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(MODEL_CSS);
    }
    if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    this.progress = el('progress', { class: 'progress', part: 'progress', max: 1 });
    this.progress.hidden = true;
    element.status.after(this.progress);
    this.strip = el('p', { class: 'tokens', part: 'tokens' });
    this.strip.hidden = true;
    element.plot.before(this.strip);
    this.root = root;
    this.url = null; // the resolved URL of the model open (or opening)
    this.info = null; // its lib/model.js info, once open
    this.openError = null; // { kind, details, message } when it cannot be opened
    this.computed = null; // { key, result | error }: the newest pass received
    this.requested = null; // the key of the pass asked for and not yet received
  }

  t(key, params) {
    return this.element.t(key, params);
  }

  // The element left model mode (its model attribute was removed).
  detach() {
    this.element.modelText = null;
    this.progress.remove();
    this.strip.remove();
    this.url = null;
    this.info = null;
    this.element.modelDims = null;
  }

  clearFigure() {
    const e = this.element;
    e.plot.replaceChildren();
    e.heatmap = null;
    e.heatmapKind = '';
    e.caption.textContent = '';
    e.readout.textContent = '';
    e.current = null;
    this.strip.hidden = true;
  }

  show(message) {
    const e = this.element;
    e.status.textContent = '';
    this.progress.hidden = true;
    e.fail(message);
  }

  render() {
    const e = this.element;
    const s = e.state;
    const file = s.model.trim();
    const source = modelSource(file);
    if (source.unknown) {
      this.clearFigure();
      return this.show(this.t('error.modelName', { value: source.unknown, list: BUILTIN_MODELS.join(', ') }));
    }
    let url;
    try {
      url = source.builtin ? builtinUrl(source.builtin) : new URL(file, document.baseURI).href;
    } catch {
      this.clearFigure();
      return this.show(this.t('error.modelUrl', { value: file }));
    }
    if (url !== this.url) this.openFile(url, file);
    if (this.openError) return this.show(this.openErrorText(this.openError, file));
    if (!this.info) return; // downloading: the progress bar says how far
    const info = this.info;
    // The attributes that concern a model, checked with the model's own ranges.
    const range = (attr, min, max) =>
      this.t('error.attrRange', { attr, value: s.written[attr]?.trim() ?? s[attr], min, max });
    if (!MODEL_VIEWS.includes(s.view)) {
      return this.show(this.t('error.modelView', { value: s.view, list: MODEL_VIEWS.join(', ') }));
    }
    if (!(Number.isInteger(s.layer) && s.layer >= 0 && s.layer < info.layers))
      return this.show(range('layer', 0, info.layers - 1));
    if (!(Number.isInteger(s.head) && s.head >= 0 && s.head < info.heads))
      return this.show(range('head', 0, info.heads - 1));
    // A built-in model without a sentence attribute draws its task's default text (seeded by `seed`).
    const seed = Number.isInteger(s.seed) && s.seed >= 0 ? s.seed : 42;
    const fallback = source.builtin && !e.hasAttribute('sentence');
    const sentence = (fallback && defaultText(source.builtin, info.labels, info.context, seed)) || s.sentence;
    e.modelText = fallback ? sentence : null;
    if (fallback) e.syncControls();
    if (!sentence.trim()) return this.show(this.t('error.empty'));
    if (sentence.length > WIDGET_LIMITS.maxSentenceChars) {
      return this.show(
        this.t('error.textTooLong', { attr: 'sentence', n: sentence.length, max: WIDGET_LIMITS.maxSentenceChars }),
      );
    }
    const params = { sentence, layer: s.layer, head: s.head };
    const key = JSON.stringify([url, params]);
    if (this.computed?.key !== key) {
      if (this.requested === key) return;
      this.requested = key;
      this.service.run(e.owner, url, params).then((answer) => {
        if (!answer || this.requested !== key) return; // replaced by a newer request
        this.requested = null;
        this.computed = { key, ...answer };
        e.render();
      });
      return;
    }
    this.requested = null;
    const { result, error } = this.computed;
    if (error) return this.show(this.t('error.core', { message: error }));
    if (result.problem) return this.show(this.t(result.problem.key, result.problem.params));
    this.draw(result, { ...s, sentence }, url, file, source.builtin ?? null);
  }

  // Starts (or joins) the open of `url`; render() runs again when it is open or has failed.
  openFile(url, file) {
    const e = this.element;
    this.url = url;
    this.info = null;
    this.openError = null;
    this.computed = null;
    this.requested = null;
    e.modelDims = null;
    this.clearFigure();
    e.errorBox.textContent = '';
    e.status.textContent = this.t('model.downloading', { file, read: sizeText(0) });
    this.progress.hidden = false;
    this.progress.removeAttribute('value'); // indeterminate until the size is known
    const onProgress = (read, total, phase) => {
      if (this.url !== url || this.info) return;
      if (phase === 'open') {
        e.status.textContent = this.t('model.opening', { file });
        this.progress.value = total ? read / total : 1;
        return;
      }
      e.status.textContent = total
        ? this.t('model.downloadingOf', { file, read: sizeText(read), total: sizeText(total) })
        : this.t('model.downloading', { file, read: sizeText(read) });
      if (total) this.progress.value = read / total;
    };
    getModelService()
      .then((service) => {
        this.service = service;
        e.dataset.modelCompute = service.path;
        return service.open(url, onProgress);
      })
      .then(
        (info) => {
          if (this.url !== url) return;
          this.info = info;
          e.modelDims = { heads: info.heads, layers: info.layers };
          e.status.textContent = '';
          this.progress.hidden = true;
          e.syncControls();
          e.render();
        },
        (err) => {
          if (this.url !== url) return;
          this.openError = err?.kind ? err : { kind: 'network', details: {}, message: String(err?.message ?? err) };
          e.render();
          e.dispatchEvent(new CustomEvent('ap-error', { detail: { message: e.errorBox.textContent } }));
        },
      );
  }

  openErrorText(err, file) {
    const d = err.details ?? {};
    if (err.kind === 'http' && d.status === 404) return this.t('error.modelNotFound', { file });
    if (err.kind === 'http') return this.t('error.modelHttp', { file, status: d.status });
    if (err.kind === 'tooLarge') return this.t('error.modelTooLarge', { file, size: d.size, max: d.max });
    if (err.kind === 'malformed') return this.t('error.modelMalformed', { file, message: d.message ?? err.message });
    return this.t('error.modelNetwork', { file, message: err.message });
  }

  draw(result, s, url, file, builtin) {
    const e = this.element;
    const info = this.info;
    const { n, tokens, headDim, kvHead, trace } = result;
    const view = s.view;
    const data = trace[MODEL_TRACE_ARRAYS[view]];
    const map = view === 'weights' || view === 'scores';
    const model = {
      name: view,
      head: s.head,
      rows: n,
      cols: map ? n : headDim,
      data,
      colormap: view === 'weights' ? 'viridis' : 'diverging',
      range: view === 'weights' ? weightsRange(data, n) : symmetricRange(data),
      rowLabels: tokens,
    };
    if (map) {
      model.colLabels = tokens;
      model.masked = causalMasked(n);
    }
    const name = info.name || decodeURIComponent(new URL(url).pathname.split('/').pop() || file);
    const kv = info.kvHeads < info.heads ? this.t('model.kvHead', { kvHead, kvHeads: info.kvHeads }) : '';
    let title = this.t('model.caption', {
      view: this.t(`view.${view}`),
      model: `${name} (${info.architecture})`,
      layer: s.layer,
      layers: info.layers,
      head: s.head,
      heads: info.heads,
      kv,
      rows: model.rows,
      cols: model.cols,
    });
    // What the pass computed: the runtime's q·kᵀ/√d_head, causal; q and k after RoPE where the
    // model rotates them.
    if (map) title += ` · ${this.t(`model.claim.${view}`, { d: headDim })}`;
    if ((view === 'q' || view === 'k') && info.rope !== 'none') title += ` · ${this.t('model.claim.rope')}`;
    if (builtin) title += ` · ${this.t(`model.trained.${builtin}`)}`;
    model.title = title;
    e.errorBox.textContent = '';
    e.status.textContent = '';
    e.caption.textContent = title;
    this.strip.replaceChildren();
    result.tokens.forEach((text, i) => {
      const chip = el('span', { class: 'token', text }, this.strip);
      chip.title = `id ${result.ids[i]}`;
    });
    this.strip.hidden = false;
    e.current = {
      model,
      meta: {
        view,
        head: s.head,
        layer: s.layer,
        kvHead,
        model: url,
        modelName: name,
        ...(builtin ? { builtin } : {}),
        architecture: info.architecture,
        sentence: s.sentence,
        tokens,
        ids: Array.from(result.ids),
        heads: info.heads,
        kvHeads: info.kvHeads,
        layers: info.layers,
        headDim,
        causal: true,
      },
    };
    e.draw(model);
    e.renders++;
    e.dispatchEvent(new CustomEvent('ap-render', { detail: { renders: e.renders } }));
  }
}
