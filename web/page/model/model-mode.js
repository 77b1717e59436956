// The page's Model mode: a built-in model the project trained (web/models/, fetched from the page's
// origin; the bare address opens the language model) or a real model file the reader opens (picker
// or drop; it stays on this machine), its card (a built-in's says what its training log says), the text as the model's tokens, a layers × heads grid of attention maps
// (click one to open it large, hover for the weight), the next-token predictions at a chosen
// position, and generation token by token through a KV cache (each new token's attention drawn as it
// comes, with Stop). The chosen layer and head get a panel: its map large with tooltips and shapes,
// which K/V head it reads (grouped-query attention), and the head view's lines (overview/headview.js).
// Named heads: each map gets a badge for every pattern its head scores at least the threshold on
// (model.headScores(), src/analysis/heads.h), with a legend saying how; each head can be switched off
// (its output zeroed before W_O) with the button under its map, and the run, its predictions and the
// text's loss are computed again without it; for the built-in language so is the loss on a fixed
// probe set (./probe-set.js), beside the intact model's. Words the vocabulary lacks are marked on
// their tokens (./vocab-marks.js). Every heavy call runs in ./worker.js.
//
// Hooks into the page: index.html's #mode-model button and #model-view section; main.js calls
// setUpModelMode(). The random-weights modes' buttons leave this mode.

import { el } from '../../draw/dom.js';
import { Heatmap } from '../../draw/heatmap.js';
import { formatNumber } from '../../draw/format.js';
import { Tooltip } from '../../draw/tooltip.js';
import { t } from '../i18n/i18n.js';
import { HeadView } from '../overview/headview.js';
import { describeModel, modelScoresFormula } from '../../views/describe.js';
import { formula } from '../../draw/math.js';
import { fitFormulas } from '../walkthrough/fit-formula.js';
import { ModelWalk, modelTrace, MODEL_STAGES } from './model-walk.js';
import { BUILTIN_MODELS, fetchBuiltin, fetchTrainingLog, builtinText } from './builtins.js';
import { outOfVocabulary } from './vocab-marks.js';

const MB = 1048576;

// Each built-in's button label and title (message keys, written out so each is found where used).
const BUILTIN_LABELS = {
  language: ['model.builtin.language', 'model.builtinTitle.language'],
  copy: ['model.builtin.copy', 'model.builtinTitle.copy'],
  reverse: ['model.builtin.reverse', 'model.builtinTitle.reverse'],
  sort: ['model.builtin.sort', 'model.builtinTitle.sort'],
  induction: ['model.builtin.induction', 'model.builtinTitle.induction'],
  brackets: ['model.builtin.brackets', 'model.builtinTitle.brackets'],
};

// A token as the model stores it, made visible: ▁ and Ġ kept, control bytes and newlines escaped.
export function showToken(text) {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function bytes(n) {
  return n >= MB ? `${formatNumber(n / MB, 3)} MB` : `${formatNumber(n / 1024, 3)} KB`;
}

// '1.23 MB, 1,289,748 bytes': a size a reader can check against their file.
function exactBytes(n) {
  return `${bytes(n)}, ${n.toLocaleString('en')} bytes`;
}

class ModelMode {
  // state: the page's state (page/state.js), whose m* fields are the view to restore; onView(patch)
  // writes the view back (the URL, through app.update).
  constructor(root, { state = null, onView = () => {} } = {}) {
    this.root = root;
    this.onView = onView;
    // A link's view waits for its file: restored once a file is given (all of it when the name and
    // size match, else only the text).
    this.expected = expectedOf(state);
    this.run = null; // the last 'ran' message, grown by each generated token
    this.requestId = 0;
    this.view = { layer: 0, head: 0, step: 0 }; // the chosen layer and head; step: the walkthrough's (0: closed)
    this.autoHead = false; // true while a built-in without a view may still choose its named head
    this.walkTrace = null; // the 'traced' message the walkthrough draws
    this.generating = false;
    this.newest = null; // the position of the last generated token, while its row is shown
    this.ablated = new Set(); // 'layer.head' of each head switched off
    this.heads = null; // the worker's 'heads' report (model.headScores()), or null while it is computed
    this.tooltip = new Tooltip(document.body);
    this.tooltip.node.id = 'model-tooltip';
    this.loadId = 0; // the newest load asked for: replies of an older one are dropped
    this.builtin = ''; // the built-in model open (or being fetched), '' for a file
    this.log = null; // the built-in's training log, or { error } when it could not be read
    this.build();
    if (state?.model && state.mText) this.text.value = state.mText;
    this.showExpected();
    if (this.expected?.builtin) this.openBuiltin(this.expected.builtin);
  }

  // The file a link's view waits for, said beside the picker (hidden when none).
  showExpected() {
    this.expect.hidden = !this.expected || Boolean(this.expected.builtin);
    if (this.expected)
      this.expect.textContent = t('model.expects', {
        name: this.expected.name,
        size: exactBytes(this.expected.size),
      });
  }

  // Another link's state (pasted, or Back: hashchange). With its file open, its view is shown at
  // once (the text run again); else its text is put in and its file asked for, as at start-up.
  apply(state) {
    const want = expectedOf(state);
    if (!want || this.generating) return;
    this.expected = want;
    if (this.info && sameModel(want, this.opened)) {
      const position = this.restore(this.info);
      if (this.run) this.run = { ...this.run, generated: 0 };
      this.request(position);
    } else if (want.builtin) {
      this.openBuiltin(want.builtin);
    } else {
      this.text.value = want.text;
      this.showExpected();
    }
  }

  build() {
    const r = this.root;
    el('h2', '', r, t('model.heading'));
    el('p', { id: 'model-intro', class: 'hint' }, r, t('model.intro'));
    // The built-in models: the language first, then the toy tasks.
    const chooser = el('div', { id: 'model-builtins', class: 'model-builtins', role: 'group' }, r);
    chooser.setAttribute('aria-label', t('model.builtins'));
    el('span', 'model-builtins-label', chooser, t('model.builtins'));
    this.builtinButtons = BUILTIN_MODELS.map((name) => {
      const b = el(
        'button',
        { type: 'button', class: 'button', 'data-builtin': name, 'aria-pressed': 'false' },
        chooser,
        t(BUILTIN_LABELS[name][0]),
      );
      b.title = t(BUILTIN_LABELS[name][1]);
      b.addEventListener('click', () => this.openBuiltin(name));
      return b;
    });
    el('p', 'hint', r, t('model.private'));
    const pick = el('div', 'model-drop', r);
    pick.id = 'model-drop';
    this.pick = pick;
    // What a link's view expects (shown only then): the file's name and size.
    this.expect = el('p', { id: 'model-expect', class: 'model-expect' }, pick);
    this.expect.hidden = true;
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
    // How many words of the text are outside the vocabulary (marked on their tokens).
    this.oovLine = el('p', { id: 'model-oov', class: 'hint' }, f);
    this.oovLine.hidden = true;
    const buttons = el('div', 'model-buttons', this.work);
    this.runButton = el('button', { type: 'button', id: 'model-run', class: 'button' }, buttons, t('model.run'));
    this.genButton = el(
      'button',
      { type: 'button', id: 'model-generate', class: 'button' },
      buttons,
      t('model.generate'),
    );
    this.stopButton = el('button', { type: 'button', id: 'model-stop', class: 'button' }, buttons, t('model.stop'));
    this.stopButton.hidden = true;
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
    this.loss = el('p', { id: 'model-loss', class: 'hint' }, this.work);
    // The built-in language's probe-set loss, with the heads switched off and intact.
    this.probeLine = el('p', { id: 'model-probe', class: 'model-probe', 'aria-live': 'polite' }, this.work);
    this.probeLine.hidden = true;
    // The newest generated token's attention: its query row in the chosen layer and head.
    this.newestBox = el('div', { id: 'model-newest', class: 'model-newest' }, this.work);
    this.newestBox.hidden = true;
    this.newestTitle = el('p', 'model-newest-title', this.newestBox);
    this.newestMap = new Heatmap(this.newestBox, { maxCell: 24, square: false, cellHeight: 20, keyboard: false });
    el('h3', '', this.work, t('model.grid'));
    this.gridHint = el('p', 'hint', this.work);
    this.headsLegend = el('p', { id: 'model-heads-legend', class: 'hint' }, this.work);
    this.ablatedLine = el('p', { id: 'model-ablated', class: 'model-ablated', 'aria-live': 'polite' }, this.work);
    this.grid = el('div', { id: 'model-grid', class: 'model-grid' }, this.work);
    // The chosen head: its map with tooltips and shapes, the K/V head it reads, its head view.
    this.large = el('div', { id: 'model-large', class: 'model-large' }, this.work);
    this.large.hidden = true;
    this.largeTitle = el('h3', '', this.large);
    this.largeCaption = el('p', { id: 'model-caption', class: 'model-caption' }, this.large);
    this.largeFormula = el('div', { id: 'model-formula', class: 'wt-formula' }, this.large);
    this.largeShape = el('p', { id: 'model-shape', class: 'shape' }, this.large);
    this.largeHover = el('p', { id: 'model-hover', class: 'hint' }, this.large, t('model.hover'));
    this.largeMap = new Heatmap(this.large, {
      maxCell: 24,
      label: t('model.grid'),
      onHover: (cell) => this.hover(cell),
    });
    el('h3', '', this.large, t('hv.title'));
    el('p', 'hint', this.large, t('model.hvHint'));
    this.headView = new HeadView(el('div', { id: 'model-headview', class: 'hv-body' }, this.large), {
      onFocus: (h) => {
        this.autoHead = false;
        this.choose(this.view.layer, h);
      },
    });
    this.walkButton = el(
      'button',
      { type: 'button', id: 'model-walk-open', class: 'button button-primary' },
      this.large,
      t('model.walkOpen'),
    );
    this.walkButton.addEventListener('click', () => this.walkTo(1));
    // The walkthrough on the chosen layer and head (model-walk.js), with the model's own numbers.
    this.walkBox = el('div', { id: 'model-walk', class: 'model-walk' }, this.work);
    this.walkBox.hidden = true;
    this.walkTitle = el('h3', '', this.walkBox);
    this.walk = new ModelWalk(el('div', 'walkthrough', this.walkBox), {
      tooltip: this.tooltip,
      onStep: (k) => this.walkTo(k),
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
    // Run: the text as typed (a generation's new tokens are dropped).
    this.runButton.addEventListener('click', () => {
      if (this.run) this.run = { ...this.run, generated: 0 };
      this.request();
    });
    this.genButton.addEventListener('click', () => this.generate());
    this.stopButton.addEventListener('click', () => this.worker?.postMessage({ type: 'stop' }));
    // Formulas shrink to their box's width (no sideways scrolling on a phone).
    // The walkthrough's figures take their new width as the random-weights walkthrough's do.
    window.addEventListener('resize', () => {
      if (!this.walkBox.hidden && this.walk.tr) this.walk.grid.relayout(this.walk.tr.n);
      fitFormulas(this.root.querySelectorAll('.wt-formula'));
    });
  }

  // Restores a link's view once its file is open: the text always; the layer, head, position and
  // walkthrough stage when the file is the one the link names. Returns the position to run at.
  restore(info) {
    const want = this.expected;
    this.expected = null;
    this.expect.hidden = true;
    if (!want) return undefined;
    // Another built-in chosen while the link's was on its way: the link's view is dropped.
    if ((want.builtin || this.opened.builtin) && !sameModel(want, this.opened)) return undefined;
    if (want.text) this.text.value = want.text;
    if (!sameModel(want, this.opened)) {
      this.say(
        t('model.expectOther', { name: this.opened.name, expected: want.name, size: exactBytes(want.size) }),
        true,
      );
      this.keepStatus = true;
      return undefined;
    }
    this.autoHead = want.autoHead;
    this.view = {
      layer: Math.min(want.layer, info.layers - 1),
      head: Math.min(want.head, info.heads - 1),
      step: Math.min(want.step, MODEL_STAGES.length),
    };
    this.onView({ mLayer: this.view.layer, mHead: this.view.head, mStep: this.view.step });
    return want.position >= 0 ? want.position : undefined;
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
    this.builtin = '';
    this.log = null;
    this.showChooser();
    this.startLoad({ name: file.name, size: file.size });
    this.say(t('model.reading', { name: file.name, size: bytes(file.size) }));
    this.worker.postMessage({ type: 'load', loadId: this.loadId, file, tokenizer });
  }

  // A new load (a file, or a built-in): the old model's view is put away and its replies dropped.
  startLoad(opened) {
    this.ensureWorker();
    // A generation under way stops, and its tokens (of the old request id) are dropped.
    if (this.generating) this.worker.postMessage({ type: 'stop' });
    this.endGeneration();
    this.requestId++;
    this.newest = null;
    this.loadId++;
    this.info = null;
    this.run = null;
    this.card.hidden = this.work.hidden = true;
    this.progress.hidden = false;
    this.progress.value = 0;
    this.fileName = opened.name;
    this.opened = opened;
  }

  // A built-in model: its file fetched from the page's origin (models/<name>.gguf, the progress bar
  // following it), its training log beside it, then opened like a file.
  async openBuiltin(name) {
    const fileName = `${name}.gguf`;
    this.builtin = name;
    this.log = null;
    this.showChooser();
    this.startLoad({ name: fileName, size: 0, builtin: name });
    const loadId = this.loadId;
    this.say(t('model.fetching', { name: fileName }));
    fetchTrainingLog(name).then(
      (log) => {
        if (loadId !== this.loadId) return;
        this.log = log;
        if (this.info) this.showCard();
      },
      (err) => {
        if (loadId !== this.loadId) return;
        this.log = { error: err.message };
        if (this.info) this.showCard();
      },
    );
    let blob;
    try {
      blob = await fetchBuiltin(name, {
        onProgress: (read, total) => {
          if (loadId === this.loadId) this.progress.value = total ? read / total : 0.5;
        },
      });
    } catch (err) {
      if (loadId !== this.loadId) return;
      this.progress.hidden = true;
      this.say(t('model.fetchFailed', { name: fileName, message: err.message }), true);
      return;
    }
    if (loadId !== this.loadId) return;
    this.opened = { ...this.opened, size: blob.size };
    this.say(t('model.reading', { name: fileName, size: bytes(blob.size) }));
    this.worker.postMessage({ type: 'load', loadId, file: blob });
  }

  // The chooser's buttons: the built-in open (or being fetched) reads as pressed.
  showChooser() {
    for (const b of this.builtinButtons) b.setAttribute('aria-pressed', String(b.dataset.builtin === this.builtin));
  }

  receive(m) {
    // A reply to a load that another load has replaced since.
    if ((m.type === 'progress' || m.type === 'loaded' || m.stage === 'load') && m.loadId !== this.loadId) return;
    if (m.type === 'progress') {
      this.progress.value = m.total ? m.read / m.total : 1;
    } else if (m.type === 'loaded') {
      this.progress.hidden = true;
      this.info = m.info;
      this.showCard();
      this.say(t('model.loaded', { name: this.fileName }));
      this.work.hidden = false;
      if (this.builtin) this.text.value = builtinText(this.builtin, m.info);
      else if (!m.info.tokenizer) this.text.value = String(m.info.bos >= 0 ? m.info.bos : 1);
      this.textHint.textContent = m.info.tokenizer
        ? t('model.textHint')
        : t('model.idsHint', { note: m.info.tokenizerNote });
      this.onView({ mBuiltin: this.builtin, mFile: this.opened.name, mSize: this.opened.size });
      this.ablated.clear();
      this.heads = null;
      this.headsLegend.textContent = t('model.headsPending');
      this.autoHead = Boolean(this.builtin); // cleared by a link that names a head (restore) or a click
      this.request(this.restore(m.info));
      this.worker.postMessage({ type: 'heads', id: this.requestId });
    } else if (m.type === 'heads') {
      this.heads = m.report;
      this.showHeadsLegend();
      if (this.run) this.showBadges();
      this.pickNamedHead();
    } else if (m.type === 'ran' && m.id === this.requestId) {
      this.run = m;
      // The position the predictions are at, as the worker clamped it (−1: the last, by default).
      this.onView({ mPos: this.askedPosition ? m.position : -1 });
      this.showRun();
      this.pickNamedHead();
    } else if (m.type === 'traced' && m.id === this.requestId) {
      this.walkTrace = m;
      this.showWalk();
    } else if (m.type === 'token' && m.id === this.requestId) {
      this.grow(m);
    } else if (m.type === 'done' && m.id === this.requestId) {
      this.endGeneration();
      this.say(t(m.stopped ? 'model.stopped' : 'model.generated', { n: this.run.generated }));
      this.requestTrace();
    } else if (m.type === 'error' && m.stage === 'heads') {
      // The heads could not be scored (a context too short for a repeated probe, out of memory): the
      // maps and predictions stay; the legend says why there are no names.
      this.headsLegend.textContent = t('model.headsFailed', { message: m.message });
    } else if (m.type === 'error') {
      this.progress.hidden = true;
      this.endGeneration();
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
      ['model.card.vocab', `${i.vocab}${i.tokenizer ? `, ${i.tokenizer}` : ` — ${i.tokenizerNote}`}`],
      ['model.card.context', String(i.context)],
      ['model.card.parameters', i.parameters.toLocaleString('en')],
      ['model.card.types', i.tensorTypes],
      ['model.card.memory', bytes(i.memoryBytes)],
    ];
    if (this.builtin) rows.unshift(['model.card.trained', this.trainingText()]);
    for (const [key, value] of rows) {
      el('dt', '', this.card, t(key));
      el('dd', '', this.card, value);
    }
    this.card.hidden = false;
  }

  // What the built-in's training log says: task, seed, steps, held-out accuracy and loss.
  trainingText() {
    const log = this.log;
    if (!log) return t('model.card.trainedPending');
    if (log.error) return t('model.card.trainedFailed', { message: log.error });
    return (
      t('model.card.trainedValue', {
        task: log.task,
        seed: log.seed,
        steps: log.steps.toLocaleString('en'),
        accuracy: formatNumber(100 * log.heldout_accuracy, 3),
        loss: Number.isFinite(log.heldout_loss) ? formatNumber(log.heldout_loss, 3) : '–',
        n: log.heldout_sequences ?? '?',
      }) + (log.model?.mlp === 'none' ? t('model.card.attentionOnly') : '')
    );
  }

  // Runs the text (or, after a generation, the sequence with its new tokens) through the model.
  request(position) {
    if (!this.info || this.generating) return;
    this.requestId++;
    const ids = this.run?.generated ? Array.from(this.run.ids) : undefined;
    this.newest = null;
    this.worker.postMessage({
      type: 'run',
      id: this.requestId,
      text: this.text.value,
      position,
      ids,
      ablate: this.ablateList(),
      probe: this.builtin === 'language',
    });
    this.askedPosition = Number.isInteger(position);
    this.onView({ mText: this.text.value });
  }

  // The heads switched off as [[layer, head], …], layer-major.
  ablateList() {
    return [...this.ablated].map((k) => k.split('.').map(Number)).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  }

  // Switches head (l, h) off or back on, and runs the text again (not while generating).
  toggleHead(l, h) {
    if (!this.run || this.generating) return;
    const key = `${l}.${h}`;
    if (this.ablated.has(key)) this.ablated.delete(key);
    else this.ablated.add(key);
    this.request(this.askedPosition ? this.run.position : undefined);
  }

  showHeadsLegend() {
    const r = this.heads;
    if (!r) return;
    const threshold = [...new Set(r.thresholds)].map((x) => formatNumber(x, 2)).join(' / ');
    this.headsLegend.textContent = t('model.headsLegend', { count: r.count, half: r.half, threshold });
    if (r.sentences > 0) this.headsLegend.textContent += ' ' + t('model.headsLanguage', { sentences: r.sentences });
    if (!r.heads.some((h) => h.names.length)) this.headsLegend.textContent += ' ' + t('model.headsNone');
  }

  // Each cell's badges: the patterns its head is named for, with the score (from this.heads).
  showBadges() {
    for (const box of this.grid.querySelectorAll('.model-badges')) {
      const l = Number(box.dataset.layer),
        h = Number(box.dataset.head);
      box.replaceChildren();
      const report = this.heads?.heads.find((r) => r.layer === l && r.head === h);
      if (!report) continue;
      for (const kind of report.names)
        el('span', 'model-badge', box, t('model.badge', { kind, score: formatNumber(report.scores[kind], 2) }));
      const all = Object.entries(report.scores)
        .map(([kind, v]) => `${kind} ${Number.isNaN(v) ? '–' : formatNumber(v, 2)}`)
        .join(', ');
      box.title = t('model.scoresTitle', { l, h, scores: all });
    }
  }

  generate() {
    if (!this.run || this.generating) return;
    this.generating = true;
    this.genButton.disabled = this.runButton.disabled = true;
    this.stopButton.hidden = false;
    this.requestId++;
    const temperature = Math.max(0, Number(this.temperature.value) || 0);
    this.say(t('model.generating'));
    this.worker.postMessage({ type: 'generate', id: this.requestId, steps: 8, temperature, seed: 1 });
    // Each token of this id grows the run: its chip, its row in every map, the predictions after it.
    this.run = { ...this.run, id: this.requestId, generated: this.run.generated ?? 0 };
  }

  endGeneration() {
    this.generating = false;
    this.genButton.disabled = this.runButton.disabled = false;
    this.stopButton.hidden = true;
  }

  // A generated token: its id and text join the run, every (layer, head) map grows by a row and a
  // column (the new query row m.rows, layer·heads + head; the new key column is 0 above it, as
  // causal attention has it), the predictions are those after it.
  grow(m) {
    const { layers, heads } = this.info;
    const r = this.run;
    const n = r.ids.length;
    const n1 = n + 1;
    const maps = r.maps.map((old, lh) => {
      const grown = new Float32Array(n1 * n1); // (n + 1, n + 1)
      for (let i = 0; i < n; i++) grown.set(old.subarray(i * n, (i + 1) * n), i * n1);
      grown.set(m.rows.subarray(lh * n1, (lh + 1) * n1), n * n1);
      return grown;
    });
    if (maps.length !== layers * heads) throw new Error('the maps do not match the model');
    this.run = {
      ...r,
      ids: Int32Array.from([...r.ids, m.token]),
      tokens: [...r.tokens, m.text],
      maps,
      top: m.top,
      position: n,
      generated: r.generated + 1,
    };
    this.newest = n;
    this.showRun();
  }

  showRun() {
    const { tokens, ids, maps, top, position, truncated } = this.run;
    const oov = this.outOfVocabulary();
    this.tokens.replaceChildren();
    tokens.forEach((text, i) => {
      const chip = el('button', { type: 'button', class: 'model-token' }, this.tokens, showToken(text));
      chip.title = `id ${ids[i]}`;
      chip.dataset.id = String(ids[i]);
      const w = oov ? oov.tokenWord[i] : -1;
      if (w >= 0) {
        const word = oov.words[w];
        chip.classList.add('oov');
        chip.dataset.word = word.text;
        chip.title +=
          ' · ' +
          t('model.oovTitle', {
            word: word.text,
            n: word.tokens.length,
            pieces: word.tokens.map((k) => showToken(tokens[k])).join(' '),
          });
      }
      chip.classList.toggle('active', i === position);
      chip.classList.toggle('generated', i >= ids.length - (this.run.generated ?? 0));
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
    this.showOov(oov);
    this.showProbe();
    const loss = this.run.loss;
    this.loss.textContent = Number.isFinite(loss)
      ? t('model.loss', { loss: formatNumber(loss, 4), tokens: this.run.lossTokens, n: this.run.lossTokens - 1 })
      : t('model.lossNone');
    // What the worker ran without (its list, not the page's: they agree once the run arrives).
    const off = this.run.ablate ?? [];
    this.ablatedLine.textContent = off.length
      ? t('model.ablated', { list: off.map(([l, h]) => t('model.largeTitle', { l, h })).join('; ') })
      : t('model.ablatedNone');
    this.showGrid();
    this.showHead();
    this.showNewest();
    if (!this.generating) {
      if (!this.keepStatus) this.say(t('model.ran', { n: ids.length }));
      this.keepStatus = false;
      this.requestTrace();
    }
  }

  // The words of the text (its tokens before any generated ones) that are not one whole token of
  // the vocabulary, from the tokens' bytes; null for a model without a vocabulary.
  outOfVocabulary() {
    const { bytes, tokens, ids, lossTokens } = this.run;
    // A labels tokenizer (the toy tasks) refuses a piece that is not a label: each word is one token.
    if (!bytes || this.info.labels) return null;
    const n = Math.min(lossTokens ?? ids.length, bytes.length);
    const { bos, eos } = this.info;
    const pieces = Array.from({ length: n }, (_, i) => ({ text: tokens[i], bytes: bytes[i] }));
    const result = outOfVocabulary(pieces, { special: (i) => ids[i] === bos || ids[i] === eos });
    // (ids.length) every token, the generated ones belonging to no word of the text
    const tokenWord = Array.from(ids, (_, i) => (i < n ? result.tokenWord[i] : -1));
    return { words: result.words, tokenWord };
  }

  // The hint under the text: how many of its words are outside the vocabulary, and which.
  showOov(oov) {
    this.oovLine.hidden = !oov;
    if (!oov) return;
    const { words } = oov;
    this.oovLine.classList.toggle('model-oov-some', words.length > 0);
    this.oovLine.textContent = words.length
      ? t('model.oovCount', { count: words.length, words: words.map((w) => `“${w.text}”`).join(', ') })
      : t('model.oovNone');
  }

  // The probe-set loss (the built-in language only): with the heads switched off, against intact.
  showProbe() {
    const p = this.run.probe;
    this.probeLine.hidden = !p;
    if (!p) return;
    const off = (this.run.ablate ?? []).length;
    const change = p.loss - p.intact;
    this.probeLine.dataset.loss = String(p.loss);
    this.probeLine.dataset.intact = String(p.intact);
    this.probeLine.textContent = off
      ? t('model.probeAblated', {
          loss: formatNumber(p.loss, 4),
          intact: formatNumber(p.intact, 4),
          change: `${change >= 0 ? '+' : '−'}${formatNumber(Math.abs(change), 3)}`,
          sentences: p.sentences,
          n: p.predictions,
        })
      : t('model.probe', { loss: formatNumber(p.loss, 4), sentences: p.sentences, n: p.predictions });
    this.probeLine.classList.toggle('worse', off > 0 && change > 0);
  }

  // Opens the walkthrough at stage k on the chosen layer and head (its trace asked of the worker).
  walkTo(k) {
    this.view = { ...this.view, step: k };
    this.onView({ mStep: k });
    if (this.walkTrace && this.walkTrace.layer === this.view.layer && this.walkTrace.head === this.view.head)
      this.showWalk();
    else this.requestTrace();
  }

  // The chosen head's trace for the walkthrough, when it is open (not while generating: the worker's
  // forward is of the sequence once generation is done).
  requestTrace() {
    if (!this.view.step) this.walkBox.hidden = true;
    if (!this.view.step || !this.run || this.generating) return;
    this.walkTrace = null;
    this.worker.postMessage({ type: 'trace', id: this.requestId, layer: this.view.layer, head: this.view.head });
  }

  showWalk() {
    const m = this.walkTrace;
    if (!m || !this.view.step) return;
    const d = describeModel(this.info, { n: m.trace.n, head: m.head });
    const tr = modelTrace(m.trace, { tokens: this.run.tokens.slice(0, m.trace.n).map(showToken), d });
    this.walkBox.hidden = false;
    this.walkTitle.textContent = t('model.walkTitle', { l: m.layer, h: m.head });
    this.walk.render(tr, d, this.view.step, { layer: m.layer });
  }

  // The layers × heads grid. Under grouped-query attention the heads that read one K/V head are
  // marked as a group: a label over their columns and a shared tint.
  showGrid() {
    const { ids, maps } = this.run;
    const { layers, heads, kvHeads } = this.info;
    const group = heads / kvHeads;
    this.gridHint.textContent =
      kvHeads < heads ? t('model.gridHintGqa', { heads, kvHeads, group }) : t('model.gridHint');
    this.grid.replaceChildren();
    this.grid.style.gridTemplateColumns = `auto repeat(${heads}, minmax(0, 1fr))`;
    if (kvHeads < heads) {
      el('span', '', this.grid);
      for (let g = 0; g < kvHeads; g++) {
        const label = el('span', `model-grid-group model-kv-${g % 2}`, this.grid, t('model.kvHead', { g }));
        label.style.gridColumn = `span ${group}`;
        label.dataset.kv = String(g);
      }
    }
    el('span', '', this.grid);
    for (let h = 0; h < heads; h++) el('span', 'model-grid-label', this.grid, t('model.head', { h }));
    const n = ids.length;
    const masked = causal(n);
    for (let l = 0; l < layers; l++) {
      el('span', 'model-grid-label', this.grid, t('model.layer', { l }));
      for (let h = 0; h < heads; h++) {
        const g = Math.floor(h / group);
        const slot = el('div', 'model-slot', this.grid);
        const cell = el(
          'button',
          {
            type: 'button',
            class: `model-cell${kvHeads < heads ? ` model-kv-${g % 2}` : ''}`,
            'aria-label': t('model.cell', { l, h, g }),
            'data-layer': l,
            'data-head': h,
            'data-kv': g,
          },
          slot,
        );
        cell.classList.toggle('chosen', l === this.view.layer && h === this.view.head);
        const isOff = (this.run.ablate ?? []).some(([a, b]) => a === l && b === h);
        cell.classList.toggle('ablated', isOff);
        // Under the map: its badges, and the button that switches the head off (Enter / Space too).
        const under = el('div', 'model-under', slot);
        el('span', { class: 'model-badges', 'data-layer': l, 'data-head': h }, under);
        const toggle = el(
          'button',
          {
            type: 'button',
            class: 'model-ablate',
            'data-layer': l,
            'data-head': h,
            'aria-pressed': String(isOff),
            'aria-label': t('model.ablateLabel', { l, h }),
          },
          under,
          t(isOff ? 'model.ablateOff' : 'model.ablate'),
        );
        toggle.addEventListener('click', () => this.toggleHead(l, h));
        const map = new Heatmap(cell, {
          rowLabels: false,
          colLabels: false,
          legend: false,
          keyboard: false,
          maxCell: 16, // a short text gets maps big enough to read; a long one shrinks to its column
        });
        // Sized to the grid's column (the slot fills it; the button around the map does not).
        map.update({
          rows: n,
          cols: n,
          data: maps[l * heads + h],
          range: [0, 1],
          masked,
          width: slot.clientWidth || undefined,
        });
        cell.addEventListener('click', () => {
          this.autoHead = false;
          this.choose(l, h);
        });
      }
    }
    this.showBadges();
  }

  // Chooses layer l, head h: the panel, the grid's outline and the newest row follow it.
  // A built-in opened without a view first shows its most clearly named head (the best score among
  // the names the detector gave: the language's agreement head), once the run and the names are
  // both in; a link's view or a click comes first.
  pickNamedHead() {
    if (!this.autoHead || !this.run || !this.heads) return;
    this.autoHead = false;
    let best = null;
    for (const h of this.heads.heads)
      for (const name of h.names)
        if (!best || h.scores[name] > best.score) best = { layer: h.layer, head: h.head, score: h.scores[name] };
    if (best && (best.layer !== this.view.layer || best.head !== this.view.head)) this.choose(best.layer, best.head);
  }

  choose(l, h) {
    if (!this.run || l >= this.info.layers || h >= this.info.heads) return;
    this.view = { ...this.view, layer: l, head: h };
    this.onView({ mLayer: l, mHead: h });
    for (const c of this.grid.querySelectorAll('.model-cell'))
      c.classList.toggle('chosen', Number(c.dataset.layer) === l && Number(c.dataset.head) === h);
    this.showHead();
    this.showNewest();
    this.requestTrace();
  }

  // The model's description for the chosen head (views/describe.js): every caption below is built from it.
  description() {
    return describeModel(this.info, { n: this.run.ids.length, head: this.view.head });
  }

  showHead() {
    const { tokens, maps } = this.run;
    const { layer: l, head: h } = this.view;
    const d = this.description();
    const n = tokens.length;
    this.large.hidden = false;
    this.largeTitle.textContent = t('model.largeTitle', { l, h });
    this.largeCaption.textContent = headCaption(d);
    this.largeFormula.replaceChildren(formula(modelScoresFormula(d, h)));
    fitFormulas([this.largeFormula]);
    this.largeShape.textContent = t('model.shape', { n, dHead: d.dHead, h, g: d.kvHead });
    const labels = tokens.map(showToken);
    const data = maps[l * this.info.heads + h];
    this.largeMap.update({
      rows: n,
      cols: n,
      data,
      range: [0, 1],
      rowLabels: labels,
      colLabels: labels,
      masked: causal(n),
    });
    const layerMaps = maps.slice(l * this.info.heads, (l + 1) * this.info.heads);
    this.headView.render(
      { n, nKv: n, tokens: labels, keyTokens: labels, heads: this.info.heads, weights: layerMaps },
      h,
    );
  }

  // The newest generated token's query row in the chosen layer and head, while generating and after.
  showNewest() {
    if (this.newest === null || !this.run) {
      this.newestBox.hidden = true;
      return;
    }
    const { tokens, maps } = this.run;
    const { layer: l, head: h } = this.view;
    const n = tokens.length;
    const p = this.newest;
    const row = maps[l * this.info.heads + h].slice(p * n, (p + 1) * n);
    this.newestBox.hidden = false;
    this.newestTitle.textContent = t('model.newest', { p, token: showToken(tokens[p]), l, h });
    this.newestMap.update({
      rows: 1,
      cols: n,
      data: row,
      range: [0, 1],
      rowLabels: [showToken(tokens[p])],
      colLabels: tokens.map(showToken),
    });
    this.newestBox.dataset.position = String(p);
  }

  // A hovered cell of the chosen head's map: the line under the title and the tooltip say the
  // pair, the weight, and the layer, head and K/V head it came from.
  hover(cell) {
    if (!cell) {
      this.tooltip.hide();
      return;
    }
    const { tokens } = this.run;
    const { layer: l, head: h } = this.view;
    const d = this.description();
    const text = t('model.hoverValue', {
      i: cell.row,
      j: cell.col,
      q: showToken(tokens[cell.row]),
      k: showToken(tokens[cell.col]),
      w: cell.col > cell.row ? t('model.hoverMasked') : formatNumber(cell.value, 4),
    });
    this.largeHover.textContent = text;
    if (cell.clientX !== undefined)
      this.tooltip.show(
        { title: t('model.largeTitle', { l, h }), lines: [text, t('model.hoverHead', { h, g: d.kvHead })] },
        cell.clientX,
        cell.clientY,
      );
  }
}

// (n, n) 1 above the diagonal: keys after the query, which a causal model never sees.
function causal(n) {
  const m = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) m[i * n + j] = 1;
  return m;
}

// Whether the model a link names (expectedOf) is the one open: the same built-in, or a file of the
// same name and size.
function sameModel(want, opened) {
  if (!opened) return false;
  if (want.builtin || opened.builtin) return want.builtin === opened.builtin;
  return want.name === opened.name && want.size === opened.size;
}

// The view a state's m* fields name, with the model it needs; null without m=1 and a built-in or a
// file name.
function expectedOf(state) {
  return state?.model && (state.mBuiltin || state.mFile)
    ? {
        builtin: state.mBuiltin,
        name: state.mFile,
        size: state.mSize,
        text: state.mText,
        layer: state.mLayer,
        head: state.mHead,
        position: state.mPos,
        step: state.mStep,
        autoHead: Boolean(state.mAutoHead), // the bare address: no head named (main.js)
      }
    : null;
}

// Which K/V head the chosen head reads, and with which heads it shares it (describeModel's d).
function headCaption(d) {
  if (d.kvHeads === d.heads) return t('model.captionMha', { h: d.head, heads: d.heads });
  const from = d.kvHead * d.group;
  return t('model.captionGqa', {
    h: d.head,
    g: d.kvHead,
    from,
    to: from + d.group - 1,
    heads: d.heads,
    kvHeads: d.kvHeads,
  });
}

// The model mode's test hook (window.__apModel, beside the page's window.__ap): what is shown, as
// plain data. state(): the chosen layer and head, the ids and tokens shown, how many were generated,
// the newest token's position; map(l, h): that map's weights (n × n); newestRow(): the row drawn for
// the newest token.
function testHook(mode) {
  return {
    state: () =>
      mode.run && {
        view: { ...mode.view },
        ids: Array.from(mode.run.ids),
        tokens: [...mode.run.tokens],
        generated: mode.run.generated ?? 0,
        newest: mode.newest,
        generating: mode.generating,
      },
    // The walkthrough's figures: { id: { rows, cols, data, caption } }, its formula's reading, its shape line.
    walk: () =>
      mode.walkBox.hidden
        ? null
        : {
            step: mode.walk.k,
            layer: mode.walkTrace.layer,
            head: mode.walkTrace.head,
            formula: mode.walk.formula.querySelector('math')?.getAttribute('aria-label') ?? '',
            shape: mode.walk.shape.textContent,
            title: mode.walk.title.textContent,
            text: mode.walk.desc.textContent,
            notes: mode.walk.notes.textContent,
            figures: Object.fromEntries(
              [...mode.walk.figures()].map(([id, map]) => [
                id,
                {
                  rows: map.model.rows,
                  cols: map.model.cols,
                  data: Array.from(map.model.data, (v) => (Number.isFinite(v) ? v : null)),
                  caption: mode.walk.root.querySelector(`.wt-fig-${id} .figure-name`)?.textContent ?? '',
                },
              ]),
            ),
          },
    map: (l, h) => Array.from(mode.run.maps[l * mode.info.heads + h]),
    newestRow: () => (mode.newestBox.hidden ? null : Array.from(mode.newestMap.model.data)),
  };
}

/**
 * Wires the Model button and view. state: the page's state at start-up (Model mode opens at once
 * when the link has m=1, and waits for the file the link names); onView(patch): writes the
 * model fields of the state (the URL). Returns { enter } (for tests).
 */
export function setUpModelMode({ state = null, onView = () => {} } = {}) {
  const view = document.getElementById('model-view');
  const button = document.getElementById('mode-model');
  if (!view || !button) return null;
  let mode = null;
  const enter = (on, from = state) => {
    document.body.classList.toggle('model-mode', on);
    view.hidden = !on;
    button.setAttribute('aria-pressed', String(on));
    // The random-weights modes' buttons read as not chosen while the model is shown (app.js sets
    // them again when one is clicked).
    if (on)
      for (const id of ['mode-walk', 'mode-all']) document.getElementById(id)?.setAttribute('aria-pressed', 'false');
    if (on && !mode) {
      mode = new ModelMode(view, { state: from, onView });
      window.__apModel = testHook(mode);
    }
    onView({ model: on });
  };
  button.addEventListener('click', () => enter(true));
  for (const id of ['mode-walk', 'mode-all'])
    document.getElementById(id)?.addEventListener('click', () => enter(false));
  if (state?.model) enter(true);
  // A new hash (a pasted link, Back): Model mode follows its m* fields.
  const apply = (next) => {
    if (!next.model) {
      if (!view.hidden) enter(false);
      return;
    }
    const fresh = !mode;
    enter(true, next);
    if (!fresh) mode.apply(next);
  };
  return { enter, apply };
}
