// The Copy link button: the full page's link for the state shown, also from a compact iframe
// (embed=1), whose address bar is hidden.

import { t } from './i18n/i18n.js';
import { embedSnippets } from './embed-snippets.js';

// app: the App (its state and status line; app.copied records what was copied).
export function setUpCopyLink(app) {
  document.getElementById('copy-link').addEventListener('click', async () => {
    app.writeUrl();
    try {
      const link = embedSnippets(app.state, { baseUrl: location.href }).url;
      await navigator.clipboard.writeText(link);
      app.statusLine.textContent = t('controls.linkCopied');
      app.copied = link;
    } catch {
      // Clipboard access can be refused (permissions, an iframe without clipboard-write).
      app.statusLine.textContent = t(app.state.embed ? 'controls.linkNotCopiedEmbed' : 'controls.linkNotCopied');
    }
  });
}
