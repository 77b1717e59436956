// The Embed dialog: the iframe and custom-element snippets of the state shown (embed-snippets.js),
// each with a Copy button.

import { t } from '../i18n/i18n.js';
import { embedSnippets } from '../embed-snippets.js';
import { closeable } from './dialog.js';

const $ = (id) => document.getElementById(id);

// app: the App (its state; app.copied records what was copied).
export function setUpEmbedDialog(app) {
  const dialog = $('embed-dialog');
  const opener = $('embed-open');
  const live = $('embed-live');
  const copyButtons = dialog.querySelectorAll('.copy');

  opener.addEventListener('click', () => {
    app.writeUrl();
    const { iframe, element } = embedSnippets({ ...app.state, embed: false }, { baseUrl: location.href });
    $('snippet-iframe').value = iframe;
    $('snippet-element').value = element;
    live.textContent = '';
    for (const b of copyButtons) b.textContent = t('embed.copy');
    dialog.showModal();
  });
  closeable(dialog, opener);

  // Copies a snippet; where the clipboard is unavailable or refused, selects the text instead so
  // Ctrl+C copies it. Either way the live region says what happened.
  for (const button of copyButtons) {
    button.addEventListener('click', async () => {
      const box = $(button.dataset.copy);
      const what = t(button.dataset.what).replace(/\s*[（(].*$/, '');
      live.textContent = '';
      try {
        if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
        await navigator.clipboard.writeText(box.value);
        for (const b of copyButtons) b.textContent = t('embed.copy');
        button.textContent = t('embed.copied');
        live.textContent = t('embed.copiedAnnounce', { what });
        app.copied = box.value;
      } catch {
        box.focus();
        box.select();
        live.textContent = t('embed.selected');
      }
    });
  }
}
