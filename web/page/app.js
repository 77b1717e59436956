// The page's state and its one update path, the trace on screen, the two views (the walkthrough
// at state.step 1 … STEPS, every step at once at step 0), errors and the status line.
//
// update(patch) is the only way the state changes: every control, the examples menu, Reseed,
// the walkthrough's edits and steps, the overview's head, and the URL's hashchange go through it.
// It writes the state and the URL, syncs the controls, and then recomputes, or only redraws when
// the patch holds only VIEW_FIELDS. The worker's results land in app.trace, which the views draw.

import { t } from './i18n/i18n.js';
import { toHash, STEPS, MODEL_FIELDS, TRAIN_FIELDS } from './state.js';
import { checkParams } from './params.js';
import { tokenize } from '../views/tokenizer.js';
import { checkAgainstCore } from '../views/limits.js';
import { ComputeClient } from './worker-client.js';
import { FrameScheduler } from './frame.js';
import { Pipeline } from './overview/overview.js';
import { Walkthrough } from './walkthrough/walkthrough.js';
import { showHeaderFormula } from './static-text.js';
import { placeTryControls } from './embed-try.js';

const $ = (id) => document.getElementById(id);

const URL_INTERVAL_MS = 100;

// Fields that change what is drawn of the trace, not the trace.
const VIEW_FIELDS = ['pair', 'focus', 'step'];
// Fields of the page's presentation: teacher mode and compact (embed=1) mode.
const MODE_FIELDS = ['hide', 'lock', 'embed'];

export class App {
  // state: the state read from the URL; locale: the page's language; tooltip: a Tooltip.
  constructor(state, { locale, tooltip }) {
    this.state = state;
    this.locale = locale;
    this.tooltip = tooltip;
    // What the page shows and its status (read by the test hook).
    this.trace = null;
    this.renders = 0; // results drawn
    this.fullRedraws = 0; // every view drawn whole (a result, or a change of step, pair or focus)
    this.resultIds = []; // the worker's request ids of the results drawn, the last 64
    this.workerBusy = true;
    this.urlWrittenAt = -Infinity;
    this.urlTimer = 0; // a URL write waiting for its turn
    this.error = null;
    this.buildInfo = null;
    this.copied = undefined;
    this.lastStep = state.step || 1; // where "Step by step" resumes
    // The parts update() drives, set by connect(): { controls, teacher, applyMode }.
    this.parts = null;

    this.pipelineRoot = $('pipeline');
    this.walkRoot = $('walkthrough');
    this.alertBox = $('alert');
    this.statusLine = $('status');
    this.placeholder = $('placeholder');

    this.overview = new Pipeline(this.pipelineRoot, {
      tooltip,
      onFocus: (h) => {
        if (!this.parts.teacher.fixed('head')) this.update({ focus: h });
      },
      onHoverTokens: (i, j) => {
        for (const [k, li] of Array.from(this.overview.tokenList.children).entries()) {
          li.classList.toggle('is-query', k === i);
          li.classList.toggle('is-key', j !== null && k === j);
        }
      },
      // The invitation to the walkthrough, unless the view is fixed or embedded.
      onStart: () => {
        this.setStep(1);
        this.walkthrough.focusStart();
      },
      canInvite: () => !this.parts.teacher.fixed('view') && !this.state.embed,
    });
    this.walkthrough = new Walkthrough(this.walkRoot, {
      tooltip,
      onStep: (k) => this.setStep(k),
      onChange: (patch) => this.update(patch),
    });
    // Results are drawn at most once per animation frame: while a slider is dragged only the
    // newest result that arrived since the last frame is drawn.
    this.frame = new FrameScheduler(() => this.drawResult());
    this.pendingResult = null; // { trace, ms, id } not drawn yet
    this.client = this.connectWorker();
    this.watchLayout();

    $('mode-walk').addEventListener('click', () => this.setStep(this.state.step || this.lastStep));
    $('mode-all').addEventListener('click', () => this.setStep(0));
    // ← and → move through the walkthrough, unless a text field, a select or a heatmap (whose
    // arrow keys move the highlighted cell) has the focus.
    document.addEventListener('keydown', (e) => {
      const { step } = this.state;
      if (step === 0 || e.altKey || e.ctrlKey || e.metaKey || this.parts.teacher.fixed('view')) return;
      if (e.target.closest?.('input, textarea, select, .hm-overlay')) return;
      if (e.key === 'ArrowRight' && step < STEPS) {
        e.preventDefault();
        this.setStep(step + 1);
      }
      if (e.key === 'ArrowLeft' && step > 1) {
        e.preventDefault();
        this.setStep(step - 1);
      }
    });
  }

  // controls: the form (controls.js); teacher: teacher mode (teacher.js); applyMode(state): shows
  // the compact mode or not (embed-mode.js).
  connect({ controls, teacher, applyMode }) {
    this.parts = { controls, teacher, applyMode };
  }

  // The first drawing of the state read from the URL (which is left as written).
  start() {
    const { controls, teacher, applyMode } = this.parts;
    applyMode(this.state);
    teacher.apply();
    this.overview.setFocus(this.state.focus);
    controls.sync(this.state);
    $('build-info').textContent = t('footer.loading');
    this.statusLine.textContent = t('status.loading');
    this.placeholder.textContent = t('status.loading');
    this.recompute();
  }

  // The one update path. patch: some fields of the state, or with replace a whole new state
  // (the URL's). from: the input the reader is editing, which keeps its text as typed.
  update(patch, { from = null, replace = false } = {}) {
    const keys = Object.keys(patch);
    if (replace) this.state = patch;
    else Object.assign(this.state, patch);
    const { state } = this;
    if (state.step > 0) this.lastStep = state.step;
    this.writeUrl();
    // Model mode's view (page/model/) is only written to the URL: the random-weights pass is unchanged.
    if (keys.length && keys.every((key) => MODEL_FIELDS.includes(key) || TRAIN_FIELDS.includes(key))) {
      if (keys.includes('model') || keys.includes('train')) this.showModeButtons();
      return;
    }
    // Every module builds its text once: another language reloads the page in it.
    if ((state.lang || this.locale) !== this.locale) {
      location.reload();
      return;
    }
    this.parts.controls.sync(state, from);
    if (keys.some((key) => MODE_FIELDS.includes(key))) {
      this.parts.teacher.apply();
      this.parts.applyMode(state);
    }
    if (keys.includes('focus')) this.overview.setFocus(state.focus);
    if (!keys.every((key) => VIEW_FIELDS.includes(key))) this.recompute();
    else if (keys.some((key) => key !== 'focus') || state.step > 0) this.redraw();
  }

  // Shows walkthrough step k (0: every step at once).
  setStep(k) {
    this.update({ step: Math.max(0, Math.min(STEPS, k)) });
  }

  // The URL follows the state, written at most once per URL_INTERVAL_MS: a drag's 200 events a
  // second would otherwise each rewrite it (about 4 ms apiece here, and Chromium throttles a page
  // that rewrites its history that often). A write within the interval of the last is made at its
  // end, with the state as it is then.
  writeUrl() {
    const since = performance.now() - this.urlWrittenAt;
    clearTimeout(this.urlTimer);
    this.urlTimer = 0;
    const write = () => {
      this.urlTimer = 0;
      this.urlWrittenAt = performance.now();
      history.replaceState(null, '', toHash(this.state));
    };
    if (since >= URL_INTERVAL_MS) write();
    else this.urlTimer = setTimeout(write, URL_INTERVAL_MS - since);
  }

  recompute() {
    const { state } = this;
    const check = checkParams(state, tokenize(state.sentence), state.cross ? tokenize(state.kv) : []);
    if (!check.ok) {
      this.client.cancel();
      this.pendingResult = null; // a result of the state before must not be drawn over the message
      this.showError(check.message, check.field);
      return;
    }
    this.client.request(check.params);
  }

  // Draws the trace again for the state (step, pair, focus) without computing; a drawing bug
  // is said where the reader looks.
  redraw() {
    try {
      this.showView();
    } catch (err) {
      this.showError(t('error.draw', { message: err.message }));
    }
  }

  // While Model or Train mode is shown, neither random-weights mode reads as chosen.
  showModeButtons() {
    const walking = this.state.step > 0;
    const elsewhere = this.state.model || this.state.train;
    $('mode-walk').setAttribute('aria-pressed', String(walking && !elsewhere));
    $('mode-all').setAttribute('aria-pressed', String(!walking && !elsewhere));
  }

  showView() {
    const walking = this.state.step > 0;
    this.showModeButtons();
    if (!this.trace) return;
    showHeaderFormula(this.trace);
    this.fullRedraws += 1;
    this.walkRoot.hidden = !walking;
    this.pipelineRoot.hidden = walking;
    this.tooltip.hide();
    // The controls a step invites the reader to try, in the step's card in an embed (or home).
    placeTryControls(
      { ...this.state, step: walking ? this.state.step : 0 },
      this.walkthrough.tryBox,
      (name) => !this.parts.teacher.hidden(name),
    );
    if (walking) {
      this.walkthrough.render(this.trace, this.state);
    } else {
      this.overview.setIndependent(this.state.independent);
      this.overview.render(this.trace);
      this.overview.relayout({ changed: true });
    }
    this.parts.teacher.apply(); // the walkthrough's controls and the head thumbnails are new
  }

  // Idle: nothing computing, nothing waiting to be drawn, the URL written.
  get idle() {
    return !this.workerBusy && !this.pendingResult && !this.urlTimer;
  }

  // Draws the newest result received (in an animation frame, FrameScheduler).
  drawResult() {
    const result = this.pendingResult;
    this.pendingResult = null;
    if (!result) return;
    const { trace, ms, id } = result;
    this.clearError();
    try {
      this.placeholder.hidden = true;
      this.trace = trace;
      this.showView();
    } catch (err) {
      // A drawing bug must not leave a blank page: say so where the user looks.
      this.showError(t('error.draw', { message: err.message }));
      return;
    }
    this.statusLine.textContent = t('status.done', { ms: ms < 10 ? ms.toFixed(1) : String(Math.round(ms)) });
    this.renders += 1;
    this.resultIds.push(id);
    if (this.resultIds.length > 64) this.resultIds.shift();
  }

  // The heatmaps drawn now, by name (the overview's, or the walkthrough step's).
  shownFigures() {
    return this.state.step > 0 ? this.walkthrough.figures() : this.overview.figures();
  }

  // field: the state key or keys at fault, whose controls are marked.
  showError(message, field = null) {
    this.alertBox.textContent = message;
    this.alertBox.hidden = false;
    this.placeholder.textContent = '';
    this.pipelineRoot.classList.toggle('is-stale', this.overview.trace !== null);
    this.statusLine.textContent = this.overview.trace ? t('status.stale') : '';
    this.parts.controls.markInvalid(field);
    this.error = message;
  }

  clearError() {
    this.alertBox.hidden = true;
    this.alertBox.textContent = '';
    this.pipelineRoot.classList.remove('is-stale');
    this.parts.controls.markInvalid(null);
    this.error = null;
  }

  connectWorker() {
    // window.__apOptions (set before the page's scripts, by a test): { workerDeadlineMs }.
    const deadlineMs = globalThis.__apOptions?.workerDeadlineMs;
    return new ComputeClient(
      new URL('./worker.js', import.meta.url),
      {
        onReady: (buildInfo) => {
          this.buildInfo = buildInfo;
          for (const problem of checkAgainstCore(buildInfo)) console.warn(`Attention Playground: ${problem}`);
          $('build-info').textContent = t('footer.build', {
            version: buildInfo.version,
            buildType: buildInfo.buildType,
            simd: buildInfo.simd ? t('footer.simdOn', { kind: buildInfo.simdKind }) : t('footer.simdOff'),
          });
        },
        onLoadError: (message) => {
          this.showError(t('error.load', { message }));
          $('build-info').textContent = '';
          this.workerBusy = false;
        },
        onResult: (trace, ms, id) => {
          this.pendingResult = { trace, ms, id }; // replaces one not drawn yet
          this.frame.request();
        },
        onError: (message) => {
          this.pendingResult = null; // an older result must not overwrite the message
          this.showError(t('error.core', { message }));
        },
        onBusy: (busy) => {
          this.workerBusy = busy;
          document.body.classList.toggle('is-busy', busy);
          if (busy && !this.alertBox.textContent) this.statusLine.textContent = t('status.computing');
        },
      },
      typeof deadlineMs === 'number' ? { deadlineMs } : {},
    );
  }

  // Lays the maps out again when the main column's width changes (window resize, zoom; its
  // height changes with every drawing and needs nothing), and redraws the label overlays when
  // the window moves to a screen of another pixel density (devicePixelRatio, no resize).
  watchLayout() {
    let frame = 0;
    let lastWidth = 0;
    new ResizeObserver((entries) => {
      const width = Math.round(entries[0].contentRect.width);
      if (width === lastWidth) return;
      lastWidth = width;
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => (this.state.step > 0 ? this.walkthrough : this.overview).relayout());
    }).observe(document.querySelector('.main-col'));
    const watchPixelRatio = () => {
      matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`).addEventListener(
        'change',
        () => {
          this.overview.relayout();
          watchPixelRatio();
        },
        { once: true },
      );
    };
    watchPixelRatio();
  }
}
