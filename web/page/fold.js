// Narrow screens: the settings after the sentence fold behind "More settings".
// style.css shows the button and folds only at ≤ 860 px; wide screens always show the settings.
// Nothing is remembered: a narrow page opens folded (unless a field in the fold is at fault).
// No fold where it would hide the point of the page: in compact mode (embed=1), or when a
// teacher (hide=) leaves the sentence out or fewer than three settings in the fold.

const $ = (id) => document.getElementById(id);

export class Fold {
  constructor() {
    this.toggle = $('more-toggle');
    this.settings = $('more-settings');
    this.toggle.addEventListener('click', () => this.setFolded(this.toggle.getAttribute('aria-expanded') === 'true'));
  }

  setFolded(folded) {
    this.toggle.setAttribute('aria-expanded', String(!folded));
    this.settings.classList.toggle('is-open', !folded);
  }

  // Unfolds the settings if they hold this element (a field at fault must be in sight).
  reveal(node) {
    if (this.settings.contains(node)) this.setFolded(false);
  }

  // Whether the form can fold, for the state's mode and the teacher's hidden controls.
  update(state) {
    const shown = (node) => !node.closest('[data-teacher-hidden]');
    const inFold = [...this.settings.querySelectorAll('.field')].filter(
      (node) => node.id !== 'kv-field' && shown(node),
    );
    const fold = !state.embed && shown($('sentence')) && inFold.length >= 3;
    $('controls').classList.toggle('can-fold', fold);
  }
}
