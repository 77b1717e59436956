// Embed snippets for a page state: an iframe of the page with the state in the hash (compact:
// embed=1), and the custom element with the same settings as attributes. Teacher mode (hide=,
// lock=) and the language travel to both. Everything written into the snippets is escaped, so a
// sentence holding HTML stays text.
//
//   embedSnippets(state, { baseUrl }) → { url, embedUrl, iframe, element }
//   state: the page's state, or some of its fields (state.js FIELDS; the others are defaults);
//          baseUrl: the page's URL without the hash (default: location.href without its hash).
//   url: the share link (the full page); embedUrl: the iframe's src (embed=1).

import { DEFAULT_STATE, toHash } from './state.js';
import { tokenize } from '../views/tokenizer.js';
// The widget's controls, in its display order.
import { CONTROLS as WIDGET_CONTROLS } from '../widget/attributes.js';

const attr = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

// The widget's matrix for a walkthrough step: the one the step is about (weights otherwise).
const STEP_VIEW = { 4: 'q', 5: 'scores', 6: 'scores', 7: 'scores', 11: 'output', 12: 'output' };

export function embedSnippets(partial, { baseUrl } = {}) {
  const state = { ...DEFAULT_STATE, ...partial };
  const base = (baseUrl ?? globalThis.location?.href ?? '').replace(/#.*$/, '');
  const url = base + toHash({ ...state, embed: false });
  const embedUrl = base + toHash({ ...state, embed: true });
  const pageDir = new URL('.', base || 'http://localhost/').href;
  const script = new URL('attention-playground.js', pageDir).href;
  // clipboard-write lets the page's Copy buttons work inside the frame.
  const iframe = `<iframe src="${attr(embedUrl)}" title="Attention Playground" width="100%" height="640" loading="lazy" allow="clipboard-write"></iframe>`;

  const attrs = [
    ['sentence', state.sentence],
    ['heads', state.heads],
    ['d-model', state.dModel],
    ['temperature', Number(Number(state.temperature).toPrecision(4))],
    ['positional', state.positional],
    ['seed', state.seed],
    ['head', state.focus ?? 0],
    ['view', STEP_VIEW[state.step] ?? 'weights'],
  ];
  // What the page computes with (params.js keeps only the padding and painted cells that name a
  // token, so the element gets those, and never an index it would refuse).
  const n = tokenize(state.sentence).length;
  const nKv = state.cross ? tokenize(state.kv).length : n;
  if (state.cross) attrs.splice(1, 0, ['kv', state.kv]);
  if (state.scale === false) attrs.push(['scale', 'false']);
  const padding = (state.padding ?? []).filter((j) => j < nKv);
  if (padding.length) attrs.push(['padding', padding.join(',')]);
  const painted = (state.painted ?? []).filter(([i, j]) => i < n && j < nKv);
  if (painted.length) attrs.push(['mask', painted.map(([i, j]) => `${i}.${j}`).join(',')]);
  // Teacher mode: the page shows every control but the hidden ones, so the element does too.
  const hide = state.hide ?? [];
  const lock = state.lock ?? [];
  if (hide.length || lock.length) {
    // The page's cross switch and its sentence are the element's kv field, shown when cross.
    const asWidget = (name) => (name === 'cross' ? 'kv' : name);
    const hidden = hide.map(asWidget);
    const shown = hide.includes('all')
      ? []
      : WIDGET_CONTROLS.filter((c) => !hidden.includes(c) && (c !== 'kv' || state.cross));
    attrs.push(['controls', shown.join(',')]);
    const locked = lock.includes('all') ? ['all'] : lock.map(asWidget).filter((c) => shown.includes(c));
    if (locked.length) attrs.push(['locked', locked.join(',')]);
  }
  if (state.lang) attrs.push(['lang', state.lang]);
  const list = attrs.map(([k, v]) => `${k}="${attr(v)}"`);
  if (state.causal) list.push('causal');
  const element = `<script type="module" src="${attr(script)}"></script>\n<attention-playground ${list.join(' ')}></attention-playground>`;
  return { url, embedUrl, iframe, element };
}
