// The page's Model mode: a real model file the reader opens (picker or drop; it stays on this
// machine), its card, the text as the model's tokens, a layers × heads grid of attention maps
// (click one to open it large, hover for the weight), the next-token predictions at a chosen
// position, and generation token by token. Every heavy call runs in ./worker.js.
//
// Hooks into the page: index.html's #mode-model button and #model-view section; main.js calls
// setUpModelMode(). The random-weights modes' buttons leave this mode.

import { el } from '../../draw/dom.js';
import { Heatmap } from '../../draw/heatmap.js';
import { formatNumber } from '../../draw/format.js';
import { t } from '../i18n/i18n.js';

const MB = 1048576;

// A token as the model stores it, made visible: ▁ and Ġ kept, control bytes and newlines escaped.
export function showToken(text) {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function bytes(n) {
  return n >= MB ? `${formatNumber(n / MB, 3)} MB` : `${formatNumber(n / 1024, 3)} KB`;
}

class ModelMode {
  constructor(root) {
    this.root = root;
    this.worker = null;
    this.info = null;
    this.run = null; // the last 'ran' message
    this.requestId = 0;
    this.build();
  }

  build() {
    const r = this.root;
    el('h2', '', r, t('model.heading'));
    el('p', 'hint', r, t('model.private'));
    const pick = el('div', 'model-drop', r);
    pick.id = 'model-drop';
    el('p', '', pick, t('model.drop'));
    const label = el('label', 'button', pick, t('model.pick'));
    this.fileInput = el('input', { type: 'file', id: 'model-file', multiple: true }, label);
    this.fileInput.className = 'visually-hidden';
    el('p', 'hint', pick, t('model.formats'));
    this.progress = el('progress', { id: 'model-progress', max: 1, value: 0 }, r);
    this.progress.hidden = true;
    this.status = el('p', { id: 'model-status', role: 'status' }, r);
    this.card = el('dl', { id: 'model-card', class: 'model-card' }, r);
    this.card.hidden = true;

    this.work = el('div', 'model-work', r);
    this.work.hidden = true;
    const f = el('div', 'field', this.work);
    el('label', { for: 'model-text' }, f, t('model.text'));
    this.text = el('textarea', { id: 'model-text', rows: 2, spellcheck: false }, f);
    this.text.value = 'Once upon a time';
    this.textHint = el('p', 'hint', f);
    const buttons = el('div', 'model-buttons', this.work);
    this.runButton = el('button', { type: 'button', id: 'model-run', class: 'button' }, buttons, t('model.run'));
    this.genButton = el(
      'button',
      { type: 'button', id: 'model-generate', class: 'button' },
      buttons,
      t('model.generate'),
    );
    const tl = el('label', '', buttons, t('model.temperature') + ' ');
    this.temperature = el(
      'input',
      { type: 'number', id: 'model-temperature', min: 0, max: 5, step: 0.1, value: 0 },
      tl,
    );
    el('h3', '', this.work, t('model.tokens'));
    this.tokens = el('div', { id: 'model-tokens', class: 'model-tokens' }, this.work);
    el('h3', '', this.work, t('model.predictions'));
    this.predHead = el('p', 'hint', this.work);
    this.predictions = el('ol', { id: 'model-predictions', class: 'model-predictions' }, this.work);
    el('h3', '', this.work, t('model.grid'));
    el('p', 'hint', this.work, t('model.gridHint'));
    this.grid = el('div', { id: 'model-grid', class: 'model-grid' }, this.work);
    this.large = el('div', { id: 'model-large', class: 'model-large' }, this.work);
    this.large.hidden = true;
    this.largeTitle = el('h3', '', this.large);
    this.largeHover = el('p', { id: 'model-hover', class: 'hint' }, this.large, t('model.hover'));
    this.largeMap = new Heatmap(this.large, {
      maxCell: 24,
      label: t('model.grid'),
      onHover: (cell) => this.hover(cell),
    });

    this.fileInput.addEventListener('change', () => this.open(Array.from(this.fileInput.files)));
    pick.addEventListener('dragover', (e) => {
      e.preventDefault();
      pick.classList.add('over');
    });
    pick.addEventListener('dragleave', () => pick.classList.remove('over'));
    pick.addEventListener('drop', (e) => {
      e.preventDefault();
      pick.classList.remove('over');
      this.open(Array.from(e.dataTransfer?.files ?? []));
    });
    this.runButton.addEventListener('click', () => this.request());
    this.genButton.addEventListener('click', () => this.generate());
  }

  say(message, error = false) {
    this.status.textContent = message;
    this.status.classList.toggle('error', error);
  }

  ensureWorker() {
    if (this.worker) return;
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.worker.onmessage = ({ data }) => this.receive(data);
    this.worker.onerror = (e) => {
      e.preventDefault();
      this.say(t('model.workerFailed', { message: e.message || '' }), true);
      this.worker = null;
    };
  }

  // One file: the model; two: a llama2.c checkpoint and its tokenizer.bin (the one named tokenizer*).
  open(files) {
    if (!files.length) return;
    const tokenizer = files.length > 1 ? files.find((f) => /tokenizer/i.test(f.name)) : null;
    const file = files.find((f) => f !== tokenizer);
    this.ensureWorker();
    this.info = null;
    this.card.hidden = this.work.hidden = true;
    this.progress.hidden = false;
    this.progress.value = 0;
    this.fileName = file.name;
    this.say(t('model.reading', { name: file.name, size: bytes(file.size) }));
    this.worker.postMessage({ type: 'load', file, tokenizer });
  }

  receive(m) {
    if (m.type === 'progress') {
      this.progress.value = m.total ? m.read / m.total : 1;
    } else if (m.type === 'loaded') {
      this.progress.hidden = true;
      this.info = m.info;
      this.showCard();
      this.say(t('model.loaded', { name: this.fileName }));
      this.work.hidden = false;
      if (!m.info.tokenizer) this.text.value = String(m.info.bos >= 0 ? m.info.bos : 1);
      this.textHint.textContent = m.info.tokenizer
        ? t('model.textHint')
        : t('model.idsHint', { note: m.info.tokenizerNote });
      this.request();
    } else if (m.type === 'ran' && m.id === this.requestId) {
      this.run = m;
      this.showRun();
    } else if (m.type === 'token' && m.id === this.requestId) {
      const chip = el('span', 'model-token generated', this.tokens, showToken(m.text));
      chip.title = `id ${m.token}`;
    } else if (m.type === 'done' && m.id === this.requestId) {
      this.genButton.disabled = false;
      this.say(t('model.generated', { n: m.ids.length - this.run.ids.length }));
    } else if (m.type === 'error') {
      this.progress.hidden = true;
      this.genButton.disabled = false;
      this.say(t(m.stage === 'load' ? 'model.loadFailed' : 'model.runFailed', { message: m.message }), true);
    }
  }

  showCard() {
    const i = this.info;
    this.card.replaceChildren();
    const rows = [
      ['model.card.name', i.name || this.fileName],
      ['model.card.arch', `${i.architecture} (${i.source})`],
      ['model.card.shape', t('model.card.shapeValue', i)],
      ['model.card.vocab', `${i.vocab}${i.tokenizer ? ` (${i.tokenizer})` : ` — ${i.tokenizerNote}`}`],
      ['model.card.context', String(i.context)],
      ['model.card.parameters', i.parameters.toLocaleString('en')],
      ['model.card.types', i.tensorTypes],
      ['model.card.memory', bytes(i.memoryBytes)],
    ];
    for (const [key, value] of rows) {
      el('dt', '', this.card, t(key));
      el('dd', '', this.card, value);
    }
    this.card.hidden = false;
  }

  request(position) {
    if (!this.info) return;
    this.requestId++;
    this.worker.postMessage({ type: 'run', id: this.requestId, text: this.text.value, position });
  }

  generate() {
    if (!this.run) return;
    this.genButton.disabled = true;
    this.requestId++;
    const temperature = Math.max(0, Number(this.temperature.value) || 0);
    this.say(t('model.generating'));
    this.worker.postMessage({ type: 'generate', id: this.requestId, steps: 8, temperature, seed: 1 });
    // Results of this id append tokens; the maps stay those of the text.
    this.run = { ...this.run, id: this.requestId };
  }

  showRun() {
    const { tokens, ids, maps, top, position, truncated } = this.run;
    this.tokens.replaceChildren();
    tokens.forEach((text, i) => {
      const chip = el('button', { type: 'button', class: 'model-token' }, this.tokens, showToken(text));
      chip.title = `id ${ids[i]}`;
      chip.classList.toggle('active', i === position);
      chip.addEventListener('click', () => this.request(i));
    });
    if (truncated) el('span', 'hint', this.tokens, t('model.truncated', { n: ids.length }));
    this.predHead.textContent = t('model.predictionsAt', { pos: position, token: showToken(tokens[position]) });
    this.predictions.replaceChildren();
    for (const p of top) {
      const li = el('li', '', this.predictions);
      el('span', 'model-token', li, showToken(p.text));
      el('span', 'model-prob', li, `${formatNumber(100 * p.p, 3)} %`);
      const bar = el('span', 'model-bar', li);
      bar.style.width = `${Math.max(1, 100 * p.p)}%`;
    }
    this.grid.replaceChildren();
    const { layers, heads } = this.info;
    this.grid.style.gridTemplateColumns = `auto repeat(${heads}, minmax(0, 1fr))`;
    el('span', '', this.grid);
    for (let h = 0; h < heads; h++) el('span', 'model-grid-label', this.grid, t('model.head', { h }));
    const n = ids.length;
    for (let l = 0; l < layers; l++) {
      el('span', 'model-grid-label', this.grid, t('model.layer', { l }));
      for (let h = 0; h < heads; h++) {
        const cell = el(
          'button',
          { type: 'button', class: 'model-cell', 'aria-label': t('model.cell', { l, h }) },
          this.grid,
        );
        const map = new Heatmap(cell, {
          rowLabels: false,
          colLabels: false,
          legend: false,
          keyboard: false,
          maxCell: 6,
        });
        map.update({ rows: n, cols: n, data: maps[l * heads + h], range: [0, 1], masked: causal(n) });
        cell.addEventListener('click', () => this.openLarge(l, h));
      }
    }
    if (this.largeAt) this.openLarge(...this.largeAt);
    this.say(t('model.ran', { n }));
  }

  openLarge(l, h) {
    const { tokens, maps } = this.run;
    const n = tokens.length;
    if (l >= this.info.layers || h >= this.info.heads) return;
    this.largeAt = [l, h];
    this.large.hidden = false;
    this.largeTitle.textContent = t('model.largeTitle', { l, h });
    const labels = tokens.map(showToken);
    this.largeMap.update({
      rows: n,
      cols: n,
      data: maps[l * this.info.heads + h],
      range: [0, 1],
      rowLabels: labels,
      colLabels: labels,
      masked: causal(n),
    });
  }

  hover(cell) {
    if (!cell) return;
    const { tokens } = this.run;
    this.largeHover.textContent = t('model.hoverValue', {
      i: cell.row,
      j: cell.col,
      q: showToken(tokens[cell.row]),
      k: showToken(tokens[cell.col]),
      w: formatNumber(cell.value, 4),
    });
  }
}

// (n, n) 1 above the diagonal: keys after the query, which a causal model never sees.
function causal(n) {
  const m = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) m[i * n + j] = 1;
  return m;
}

/** Wires the Model button and view; returns the mode object (for tests). */
export function setUpModelMode() {
  const view = document.getElementById('model-view');
  const button = document.getElementById('mode-model');
  if (!view || !button) return null;
  let mode = null;
  const enter = (on) => {
    document.body.classList.toggle('model-mode', on);
    view.hidden = !on;
    button.setAttribute('aria-pressed', String(on));
    // The random-weights modes' buttons read as not chosen while the model is shown (app.js sets
    // them again when one is clicked).
    if (on)
      for (const id of ['mode-walk', 'mode-all']) document.getElementById(id)?.setAttribute('aria-pressed', 'false');
    if (on && !mode) mode = new ModelMode(view);
  };
  button.addEventListener('click', () => enter(true));
  for (const id of ['mode-walk', 'mode-all'])
    document.getElementById(id)?.addEventListener('click', () => enter(false));
  return { enter };
}
