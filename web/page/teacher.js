// Teacher mode: hide= and lock= in the URL name controls (state.js CONTROL_NAMES, or 'all') that
// the reader does not see (hidden) or sees disabled (locked). Each name → the page's elements for
// it, and the walkthrough's own (walkthrough.controlsFor), which it rebuilds at every drawing, so
// apply() runs after each one.

const $ = (id) => document.getElementById(id);

export class Teacher {
  // app: the App (its state, overview and walkthrough); fold: the narrow screen's Fold.
  constructor(app, fold) {
    this.app = app;
    this.fold = fold;
    const { walkthrough } = app;
    const field = (id) => () => [$(id).closest('.field')];
    this.parts = {
      sentence: field('sentence'),
      heads: field('heads'),
      'd-model': field('dmodel'),
      temperature: field('temperature'),
      causal: () => [$('causal').closest('.field'), ...walkthrough.controlsFor('causal')],
      positional: field('positional'),
      seed: field('seed'),
      scale: () => [$('scale').closest('.field'), ...walkthrough.controlsFor('scale')],
      independent: field('independent'),
      cross: () => [$('cross').closest('.field'), $('kv-field')],
      view: () => [document.querySelector('.modes'), ...walkthrough.controlsFor('view')],
      head: () => [],
      share: () => [$('copy-link')],
      embed: () => [$('embed-open')],
      lang: () => [$('lang').closest('.lang-switch')],
      export: () => [$('export-open')],
    };
  }

  static has(names, name) {
    return names.includes('all') || names.includes(name);
  }
  hidden(name) {
    return Teacher.has(this.app.state.hide, name);
  }
  locked(name) {
    return Teacher.has(this.app.state.lock, name);
  }
  // The reader cannot change this setting (hidden or locked).
  fixed(name) {
    return this.hidden(name) || this.locked(name);
  }

  apply() {
    for (const [name, parts] of Object.entries(this.parts)) {
      const hide = this.hidden(name);
      const lock = this.locked(name);
      for (const part of parts()) {
        if (!part) continue;
        if (hide) part.dataset.teacherHidden = '';
        else delete part.dataset.teacherHidden;
        const inputs = part.matches('input, select, textarea, button')
          ? [part]
          : part.querySelectorAll('input, select, textarea, button');
        for (const input of inputs) {
          if (lock) {
            input.disabled = true;
            input.dataset.teacherLocked = '';
          } else if ('teacherLocked' in input.dataset) {
            input.disabled = false;
            delete input.dataset.teacherLocked;
          }
        }
      }
    }
    // The Back / Next buttons keep their own disabled state at the first and last step.
    if (!this.locked('view') && this.app.state.step > 0) this.app.walkthrough.refreshNav();
    // No empty panel: the controls column goes when nothing in it is shown.
    const aside = document.querySelector('.controls');
    const visible = [...aside.querySelectorAll('.field, #copy-link, #export-open, #embed-open')].some(
      (node) => node.id !== 'kv-field' && !node.closest('[data-teacher-hidden]'),
    );
    aside.hidden = !visible;
    document.body.classList.toggle('no-controls', !visible);
    this.fold.update(this.app.state);
    this.markHeadLock();
  }

  // A locked head: the thumbnails stay as pictures, no longer buttons.
  markHeadLock() {
    const fixed = this.fixed('head');
    document.body.classList.toggle('head-locked', fixed);
    this.app.overview.setHeadLocked(fixed);
  }
}
