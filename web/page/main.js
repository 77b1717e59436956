// Start-up: reads the state from the URL, loads the reader's language, and wires the page's
// parts to the app (app.js), whose update() is the one way the state changes. No drawing, maths
// or state handling here.
//
//   app.js            state, the update path, the two views, errors and status
//   controls.js       the settings form ⇄ the state        fold.js       narrow screens' fold
//   teacher.js        teacher mode (hide=, lock=)          embed-mode.js compact iframe (embed=1)
//   copy-link.js, dialogs/   Copy link, the Embed and Export dialogs
//   static-text.js    the page's fixed text                test-hook.js  window.__ap
//   model/, train/    Model mode and Train mode (each with its worker)

import { loadLocale } from './i18n/i18n.js';
import { parseHash, namesNoView, BUILTIN_TEXT } from './state.js';
import { Tooltip } from '../draw/tooltip.js';
import { translatePage } from './static-text.js';
import { App } from './app.js';
import { Controls } from './controls.js';
import { Fold } from './fold.js';
import { Teacher } from './teacher.js';
import { applyEmbedMode } from './embed-mode.js';
import { setUpCopyLink } from './copy-link.js';
import { setUpEmbedDialog } from './dialogs/embed-dialog.js';
import { setUpExportDialog } from './dialogs/export-dialog.js';
import { installTestHook } from './test-hook.js';
import { setUpModelMode } from './model/model-mode.js';
import { setUpTrainMode } from './train/train-mode.js';

const state = parseHash(location.hash);
// A link naming no view (the bare address): Model mode on the built-in language model, with the
// page's default sentence. The random-weights modes are one click away (the mode buttons).
// mAutoHead (no URL field): no head was named, so Model mode shows the best-named one first.
if (namesNoView(location.hash))
  Object.assign(state, { model: true, mBuiltin: 'language', mText: BUILTIN_TEXT, mAutoHead: true });
// A built-in model's link without a text gets that model's default text (model-mode.js).
else if (state.mBuiltin && !new URLSearchParams(location.hash.slice(1)).has('mt')) state.mText = '';
// lang= in the hash, else the browser's; a missing catalogue means English.
const locale = await loadLocale(state.lang || navigator.language).catch(() => 'en');
document.documentElement.lang = locale;
translatePage();

const app = new App(state, { locale, tooltip: new Tooltip(document.body) });
const fold = new Fold();
const controls = new Controls({ locale, fold, onInput: (patch, input) => app.update(patch, { from: input }) });
app.connect({ controls, teacher: new Teacher(app, fold), applyMode: (s) => applyEmbedMode(s, fold) });
installTestHook(app);
setUpCopyLink(app);
setUpEmbedDialog(app);
setUpExportDialog(app);
// Another hash (a pasted link, Back): its state replaces this one.
// Model mode follows the model fields of the new hash.
window.addEventListener('hashchange', () => {
  const next = parseHash(location.hash);
  app.update(next, { replace: true });
  modelMode?.apply(next);
  trainMode?.apply(next);
});
app.start();
const modelMode = setUpModelMode({ state, onView: (patch) => app.update(patch) });
// Train mode (page/train/): entering it leaves Model mode.
const trainMode = setUpTrainMode({
  state,
  onView: (patch) => app.update(patch),
  onEnter: () => modelMode?.enter(false),
});
