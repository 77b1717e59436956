// Compact mode for iframes (embed=1): no header, footer or long hints; the view (step, or every
// step) first, the controls after it, and a link that opens the full page in a new tab.

import { embedSnippets } from './embed-snippets.js';

// Shows the page compact or not, as state.embed says; fold: the narrow screen's Fold.
export function applyEmbedMode(state, fold) {
  document.body.classList.toggle('is-embed', state.embed);
  document.querySelector('.embed-foot').hidden = !state.embed;
  fold.update(state);
  document.getElementById('open-full').href = embedSnippets(state, { baseUrl: location.href }).url;
}
