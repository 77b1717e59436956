// The settings form ⇄ the state: each input's value → a patch of the state (onInput), the state →
// every input (sync), the hints beside them (d_head, the folded settings' summary), the examples
// menu, Reseed, the language menu, and which inputs are at fault (markInvalid).
//
// The temperature has a number field and a slider at position u ↔ T (views/limits.js
// temperatureToSlider, sliderToTemperature). The heads slider stops only at the head counts
// d_model allows (headChoices): position k ↔ the k-th of them, so no position lands on an error;
// the d_model slider moves in steps h divides (syncModelSlider).

import { t, list, LOCALES } from './i18n/i18n.js';
import { PAGE_LIMITS, TEMPERATURE_SLIDER, temperatureToSlider, sliderToTemperature } from '../views/limits.js';

const $ = (id) => document.getElementById(id);

const number = (input) => (input.value.trim() === '' ? NaN : Number(input.value));

// The head counts 1 … maxHeads that divide d_model (into an even d_head under RoPE, which
// rotates pairs), ascending; [] when d_model is not a whole number in range.
export function headChoices(dModel, positional, maxHeads = PAGE_LIMITS.maxHeads) {
  if (!Number.isInteger(dModel) || dModel < 1 || dModel > PAGE_LIMITS.maxModelDim) return [];
  const fits = (h) => dModel % h === 0 && (positional !== 'rope' || (dModel / h) % 2 === 0);
  return Array.from({ length: maxHeads }, (_, i) => i + 1).filter(fits);
}

// The d_head hint under d_model: its value, or why there is none.
export function dHeadHint(dModel, heads) {
  if (!Number.isInteger(heads) || heads < 1 || heads > PAGE_LIMITS.maxHeads)
    return t('controls.dHeadNoHeads', { max: PAGE_LIMITS.maxHeads });
  if (!Number.isInteger(dModel) || dModel < 1 || dModel > PAGE_LIMITS.maxModelDim)
    return t('controls.dHeadNoModel', { max: PAGE_LIMITS.maxModelDim });
  if (dModel % heads !== 0) return t('controls.dHeadInvalid', { dModel, heads });
  return t('controls.dHead', { value: dModel / heads });
}

// Each input of the form by its name → the patch of the state its value gives.
const READERS = {
  sentence: (input) => ({ sentence: input.value }),
  heads: (input) => ({ heads: number(input) }),
  headsRange: (input, controls) => ({ heads: controls.headChoices[number(input)] ?? NaN }),
  dModel: (input) => ({ dModel: number(input) }),
  dModelRange: (input) => ({ dModel: number(input) }),
  temperature: (input) => ({ temperature: number(input) }),
  temperatureRange: (input) => ({ temperature: sliderToTemperature(number(input)) }),
  positional: (input) => ({ positional: input.value }),
  causal: (input) => ({ causal: input.checked }),
  scale: (input) => ({ scale: input.checked }),
  independent: (input) => ({ independent: input.checked }),
  cross: (input) => ({ cross: input.checked }),
  kv: (input) => ({ kv: input.value }),
  seed: (input) => ({ seed: number(input) }),
};

export class Controls {
  // locale: the page's language (the language menu shows it); fold: the narrow screen's Fold;
  // onInput(patch, input): the reader changed the state through `input` (null for a menu or button).
  constructor({ locale, fold, onInput }) {
    this.fold = fold;
    this.inputs = {
      sentence: $('sentence'),
      heads: $('heads'),
      headsRange: $('heads-range'),
      dModel: $('dmodel'),
      dModelRange: $('dmodel-range'),
      temperature: $('temperature'),
      temperatureRange: $('temperature-range'),
      positional: $('positional'),
      causal: $('causal'),
      seed: $('seed'),
      scale: $('scale'),
      independent: $('independent'),
      cross: $('cross'),
      kv: $('kv'),
    };
    const { inputs } = this;
    inputs.heads.max = String(PAGE_LIMITS.maxHeads);
    this.headChoices = headChoices(64, 'none'); // set from the state by sync()
    inputs.dModel.max = String(PAGE_LIMITS.maxModelDim);
    inputs.seed.max = String(PAGE_LIMITS.maxSeed);
    inputs.temperatureRange.min = String(TEMPERATURE_SLIDER.min);
    inputs.temperatureRange.max = String(TEMPERATURE_SLIDER.max);
    $('sentence-hint').textContent = t('controls.sentenceHint', { max: PAGE_LIMITS.maxTokens });

    for (const [name, input] of Object.entries(inputs)) {
      input.addEventListener('input', () => onInput(READERS[name](input, this), input));
    }
    $('controls').addEventListener('submit', (e) => e.preventDefault());

    const examples = $('examples');
    examples.setAttribute('aria-label', t('controls.examples'));
    for (const sentence of list('examples')) examples.appendChild(option(sentence, sentence));
    examples.addEventListener('change', () => {
      if (!examples.value) return;
      const sentence = examples.value;
      examples.value = '';
      onInput({ sentence }, null);
    });

    $('reseed').addEventListener('click', () => {
      onInput({ seed: Math.floor(Math.random() * (PAGE_LIMITS.maxSeed + 1)) }, null);
    });

    // Every module builds its text once; a new language reloads the page (the app does).
    const lang = $('lang');
    for (const [code, name] of Object.entries(LOCALES)) {
      const item = lang.appendChild(option(code, name));
      item.lang = code;
    }
    lang.value = locale;
    lang.addEventListener('change', () => onInput({ lang: lang.value }, null));
  }

  // Writes the state into every input except `except`, the one the reader is editing.
  sync(state, except = null) {
    const { inputs } = this;
    // An input already showing the value is left alone (its caret and selection stay).
    const set = (input, value) => {
      if (input !== except && input.value !== String(value)) input.value = String(value);
    };
    set(inputs.sentence, state.sentence);
    set(inputs.heads, state.heads);
    this.syncHeadsSlider(state, except);
    set(inputs.dModel, state.dModel);
    this.syncModelSlider(state, except);
    set(inputs.temperature, state.temperature);
    if (Number.isFinite(state.temperature) && state.temperature > 0) {
      set(inputs.temperatureRange, temperatureToSlider(state.temperature));
    }
    set(inputs.positional, state.positional);
    inputs.causal.checked = state.causal && !state.cross;
    inputs.causal.disabled = state.cross;
    $('causal-cross').hidden = !state.cross;
    inputs.scale.checked = state.scale;
    inputs.independent.checked = state.independent;
    inputs.cross.checked = state.cross;
    set(inputs.kv, state.kv);
    $('kv-field').hidden = !state.cross;
    set(inputs.seed, state.seed);
    // The folded settings' button says what they are set to (narrow screens).
    $('more-summary').textContent = [
      t('controls.moreSummary', { heads: state.heads, dModel: state.dModel, temperature: state.temperature }),
      ...(state.causal && !state.cross ? [t('controls.moreCausal')] : []),
      ...(state.cross ? [t('controls.moreCross')] : []),
    ].join(' · ');
    $('dhead').textContent = dHeadHint(state.dModel, state.heads);
  }

  // The d_model slider moves in multiples of 8 that h divides (into an even d_head under RoPE):
  // steps of lcm(8, h) (or lcm(8, 2h)), so it too lands on no error.
  syncModelSlider(state, except) {
    const range = this.inputs.dModelRange;
    const h = state.heads;
    const valid = Number.isInteger(h) && h >= 1 && h <= PAGE_LIMITS.maxHeads;
    const per = valid ? (state.positional === 'rope' ? 2 * h : h) : 1;
    const gcd = (a, b) => (b ? gcd(b, a % b) : a);
    const step = (8 * per) / gcd(8, per);
    range.min = String(step);
    range.step = String(step);
    range.max = String(PAGE_LIMITS.maxModelDim - (PAGE_LIMITS.maxModelDim % step));
    if (range !== except && range.value !== String(state.dModel)) range.value = String(state.dModel);
  }

  // The heads slider's stops are the head counts d_model allows; it sits at the state's count,
  // or at the nearest allowed one when a count typed in the number field is not allowed (the
  // number field and the message say so). The hint under it lists the stops.
  syncHeadsSlider(state, except) {
    const range = this.inputs.headsRange;
    const choices = headChoices(state.dModel, state.positional);
    this.headChoices = choices;
    const hint = $('heads-hint');
    range.disabled = choices.length === 0;
    hint.hidden = choices.length === 0;
    if (!choices.length) return;
    range.min = '0';
    range.max = String(choices.length - 1);
    hint.textContent = t(state.positional === 'rope' ? 'controls.headsHintRope' : 'controls.headsHint', {
      dModel: state.dModel,
      list: choices.join(', '),
    });
    if (range === except) return;
    let k = 0;
    for (let i = 0; i < choices.length; i++)
      if (Math.abs(choices[i] - state.heads) < Math.abs(choices[k] - state.heads)) k = i;
    if (range.value !== String(k)) range.value = String(k);
  }

  // Marks the inputs of the state keys at fault (fields: a key, a list of keys, or null for
  // none), and unfolds the settings when one of them is folded away.
  markInvalid(fields) {
    const keys = [fields].flat();
    for (const [name, input] of Object.entries(this.inputs)) {
      if (input.type !== 'range') input.toggleAttribute('aria-invalid', keys.includes(name));
      if (keys.includes(name)) this.fold.reveal(input);
    }
  }
}

function option(value, text) {
  const node = document.createElement('option');
  node.value = value;
  node.textContent = text;
  return node;
}
