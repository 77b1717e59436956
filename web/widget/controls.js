// The widget's controls: one field per name in its `controls` attribute, each setting its
// attribute (the attributes are the widget's state), and sync(), which shows the attributes'
// values in the fields. A locked control is shown disabled.

import { el } from '../draw/dom.js';
import {
  POSITIONAL_ENCODINGS,
  WIDGET_LIMITS,
  TEMPERATURE_SLIDER,
  sliderToTemperature,
  temperatureToSlider,
} from '../views/limits.js';
import { VIEWS, WHOLE_LAYER } from './attributes.js';

const MODEL_DIMS = [8, 16, 32, 64, 128, 256, 512];

export class Controls {
  // host: the element whose attributes the controls set; box: where the fields go.
  constructor(host, box) {
    this.host = host;
    this.box = box;
    this.inputs = {}; // control name → its <input> or <select>
    this.temperatureOut = null; // the <output> showing T
  }

  // Builds the fields of `shown` (control names, in order) except export; locked: a Set of names;
  // views: the views the view control offers (a model widget draws fewer).
  build(shown, locked, t, views = VIEWS) {
    this.box.replaceChildren();
    this.inputs = {};
    const host = this.host;
    const set = (name, value) => host.setAttribute(name, String(value));
    const field = (labelKey, extraClass = '') => {
      const label = el('label', { class: `field ${extraClass}` }, this.box);
      el('span', { text: t(labelKey) }, label);
      return label;
    };
    const lock = (input, name) => {
      input.disabled = locked.has(name);
      input.dataset.control = name;
      this.inputs[name] = input;
      return input;
    };
    for (const name of shown) {
      if (name === 'sentence' || name === 'kv') {
        const f = field(name, 'sentence');
        const input = lock(el('input', { type: 'text', dir: 'auto', spellcheck: false }, f), name);
        if (name === 'kv') input.placeholder = t('kvPlaceholder');
        input.addEventListener('change', () => set(name, input.value));
        input.addEventListener('input', () => set(name, input.value));
      } else if (name === 'heads' || name === 'seed') {
        const [min, max] = name === 'heads' ? [1, WIDGET_LIMITS.maxHeads] : [0, WIDGET_LIMITS.maxSeed];
        const input = lock(el('input', { type: 'number', min, max, step: 1 }, field(name)), name);
        input.addEventListener('input', () => {
          // Fewer heads than the head drawn: draw the last one left rather than name a missing head.
          const head = Number(host.getAttribute('head'));
          const heads = Number(input.value);
          if (name === 'heads' && Number.isInteger(heads) && heads >= 1 && head >= heads) set('head', heads - 1);
          set(name, input.value);
        });
      } else if (name === 'd-model') {
        const select = lock(el('select', {}, field('dModel')), name);
        for (const d of MODEL_DIMS) el('option', { value: String(d), text: String(d) }, select);
        select.addEventListener('change', () => set('d-model', select.value));
      } else if (name === 'temperature') {
        const row = el('span', { class: 'value' }, field('temperature'));
        // The slider moves log₁₀ T (views/limits.js), T from 0.01 to 100.
        const { min, max } = TEMPERATURE_SLIDER;
        const input = lock(el('input', { type: 'range', min, max, step: 1 }, row), name);
        input.setAttribute('aria-label', t('temperature'));
        this.temperatureOut = el('output', {}, row);
        input.addEventListener('input', () => set('temperature', sliderToTemperature(input.value)));
      } else if (name === 'causal' || name === 'scale') {
        const label = el('label', { class: 'field check' }, this.box);
        const input = lock(el('input', { type: 'checkbox' }, label), name);
        el('span', { text: t(name) }, label);
        // causal is off unless present; scale is on unless "false".
        input.addEventListener('change', () => {
          const present = name === 'causal' ? input.checked : !input.checked;
          if (present) host.setAttribute(name, name === 'causal' ? '' : 'false');
          else host.removeAttribute(name);
        });
      } else if (name === 'positional' || name === 'view') {
        const select = lock(el('select', {}, field(name)), name);
        for (const v of name === 'view' ? views : POSITIONAL_ENCODINGS) {
          el('option', { value: v, text: t(`${name}.${v}`) }, select);
        }
        select.addEventListener('change', () => set(name, select.value));
      } else if (name === 'head' || name === 'layer') {
        const select = lock(el('select', {}, field(name)), name);
        select.addEventListener('change', () => set(name, select.value));
      }
    }
  }

  // The fields show the state s (readState()); locked: a Set of control names; dims: a model's
  // { heads, layers } (null: random weights, s.heads heads), which the head and layer lists offer.
  sync(s, locked, dims = null) {
    const i = this.inputs;
    if (i.sentence && i.sentence.value !== s.sentence) i.sentence.value = s.sentence;
    if (i.kv && i.kv.value !== s.kv) i.kv.value = s.kv;
    if (i.scale) i.scale.checked = s.scale;
    if (i.heads && Number(i.heads.value) !== s.heads) i.heads.value = String(s.heads);
    if (i.seed && Number(i.seed.value) !== s.seed) i.seed.value = String(s.seed);
    if (i['d-model']) {
      const d = String(s.dModel);
      if (![...i['d-model'].options].some((o) => o.value === d)) el('option', { value: d, text: d }, i['d-model']);
      i['d-model'].value = d;
    }
    if (i.temperature) {
      i.temperature.value = String(temperatureToSlider(Math.max(1e-2, s.temperature)));
      this.temperatureOut.textContent = `T = ${s.temperature}`;
    }
    if (i.causal) i.causal.checked = s.causal;
    if (i.positional) i.positional.value = s.positional;
    if (i.view) i.view.value = s.view;
    const options = (select, count) => {
      if (select.options.length === count) return;
      const option = (h) => el('option', { value: String(h), text: String(h) });
      select.replaceChildren(...Array.from({ length: count }, (_, h) => option(h)));
    };
    if (i.head) {
      const valid = Number.isInteger(s.heads) && s.heads >= 1 && s.heads <= WIDGET_LIMITS.maxHeads;
      const heads = dims ? dims.heads : valid ? s.heads : 1;
      options(i.head, heads);
      i.head.value = String(Math.min(s.head, heads - 1));
      i.head.disabled = locked.has('head') || (!dims && WHOLE_LAYER.includes(s.view));
    }
    if (i.layer) {
      // Until the model is open, the layer written is the only one offered.
      const layers = dims ? dims.layers : Number.isInteger(s.layer) && s.layer >= 0 ? s.layer + 1 : 1;
      options(i.layer, Math.min(layers, 1000));
      i.layer.value = String(s.layer);
    }
  }
}
