// In a compact embed (embed=1) the controls sit under the view, which on a phone is thousands of
// pixels below a long step: a step that invites the reader to try a control would point at
// nothing in sight. placeTryControls() moves the fields of the controls a step invites the
// reader to try into the step's card (box), and every field back to its place when the step
// changes. They are the same inputs, so their values and listeners stay as they are.

// Step → the controls (teacher-mode names, state.js CONTROL_NAMES) its text asks the reader to try.
export const TRY_CONTROLS = Object.freeze({
  6: ['temperature'], // "T is the temperature from the controls"
  8: ['temperature'], // the examples page: "try the temperature"
  12: ['sentence', 'causal', 'heads'], // "Change the sentence, turn on the causal mask or add heads"
});
const INPUT_IDS = { temperature: 'temperature', sentence: 'sentence', causal: 'causal', heads: 'heads' };

const homes = new Map(); // a moved field → the hidden placeholder where it lives

// state: the page state (embed, step); box: the walkthrough's try box; shown(name): whether
// teacher mode lets the reader see that control. Returns the control names placed in the box.
let placed = ''; // the names placed now, so a redraw (a slider being dragged) moves nothing

export function placeTryControls(state, box, shown) {
  const names = state.embed && state.step > 0 ? (TRY_CONTROLS[state.step] ?? []).filter(shown) : [];
  if (names.join() === placed && (homes.size > 0 || !names.length)) return names;
  placed = names.join();
  for (const [field, home] of homes) home.replaceWith(field);
  homes.clear();
  const list = box.querySelector('.wt-try-fields');
  list.replaceChildren();
  for (const name of names) {
    const field = document.getElementById(INPUT_IDS[name])?.closest('.field');
    if (!field) continue;
    const home = document.createElement('span');
    home.hidden = true;
    field.replaceWith(home);
    homes.set(field, home);
    list.appendChild(field);
  }
  box.hidden = homes.size === 0;
  return names;
}
