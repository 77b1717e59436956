// Embed snippets for a page state: an iframe of the page with the state in the hash, and the
// custom element with the same settings as attributes. Everything written into the snippets is
// escaped, so a sentence holding HTML stays text.
//
//   embedSnippets(state, { baseUrl }) → { url, iframe, element }
//   state: the page's state (state.js): { sentence, heads, dModel, temperature, causal,
//          positional, seed, focus, ... }; baseUrl: the page's URL without the hash (default:
//          location.href without its hash).

import { DEFAULT_STATE, toHash } from './state.js';

const attr = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

export function embedSnippets(partial, { baseUrl } = {}) {
  const state = { ...DEFAULT_STATE, ...partial };
  const base = (baseUrl ?? globalThis.location?.href ?? '').replace(/#.*$/, '');
  const url = base + toHash(state);
  const pageDir = new URL('.', base || 'http://localhost/').href;
  const script = new URL('attention-playground.js', pageDir).href;
  const iframe = `<iframe src="${attr(url)}" title="Attention Playground" width="100%" height="640" loading="lazy"></iframe>`;
  const attrs = [
    ['sentence', state.sentence], ['heads', state.heads], ['d-model', state.dModel],
    ['temperature', Number(Number(state.temperature).toPrecision(4))], ['positional', state.positional],
    ['seed', state.seed], ['head', state.focus ?? 0], ['view', 'weights'],
  ].map(([k, v]) => `${k}="${attr(v)}"`);
  if (state.causal) attrs.push('causal');
  const element = `<script type="module" src="${attr(script)}"></script>\n<attention-playground ${attrs.join(' ')}></attention-playground>`;
  return { url, iframe, element };
}
