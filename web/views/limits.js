// The sizes and settings the page and the widget accept: the one JavaScript source of them.
//
// The core has limits of its own (a trace of up to 4096 tokens, d_model up to 4096, …) and
// reports them, with the positional encodings it knows, in its build info
// (core.buildInfo.limits, core.buildInfo.positionalEncodings). The caps here are smaller, chosen
// for what a reader can see: more tokens make unreadable n × n maps. checkAgainstCore() says
// where a cap here would exceed the core's limit, or an encoding here is unknown to the core.

import { POSITIONAL } from '../lib/attention.js';

// The page (web/page/params.js checks them, in the reader's language).
export const PAGE_LIMITS = Object.freeze({
  maxTokens: 64,
  maxHeads: 16,
  maxModelDim: 512,
  maxSeed: 999999, // keeps 4·seed + 3 (the seed of W_O) well inside 32 bits
  maxSentenceChars: 2000, // a sentence (or the key sentence) in UTF-16 units, before it is tokenized
  maxTokenChars: 40, // one token's characters: a word, not a run of 20,000 combining marks
  minTemperature: 1e-3, // the core's range (buildInfo.limits), which keeps every score finite
  maxTemperature: 1e6,
});

// The widget: the page's caps, with shorter sentences (a figure inside a blog post).
export const WIDGET_LIMITS = Object.freeze({ ...PAGE_LIMITS, maxTokens: 32 });

// The positional encodings, in the order the controls offer them: the JS API's list (which its
// tests check against the core's build info), not a copy of it.
export const POSITIONAL_ENCODINGS = POSITIONAL;

// The temperature slider, on the page and in the widget: position u ∈ [min, max] ↔
// T = 10^(u / stepsPerDecade), i.e. T from 0.01 to 100 with 100 steps per factor of ten.
export const TEMPERATURE_SLIDER = Object.freeze({ min: -200, max: 200, stepsPerDecade: 100 });

export const temperatureToSlider = (T) => Math.round(TEMPERATURE_SLIDER.stepsPerDecade * Math.log10(T));
export const sliderToTemperature = (u) => Number((10 ** (u / TEMPERATURE_SLIDER.stepsPerDecade)).toPrecision(3));

// Where the caps disagree with the core's own limits (buildInfo from the JS API): a list of
// sentences, empty when they agree. A build info without limits (an older core) checks nothing.
export function checkAgainstCore(buildInfo) {
  const problems = [];
  const core = buildInfo?.limits;
  if (core) {
    for (const [name, caps] of [
      ['page', PAGE_LIMITS],
      ['widget', WIDGET_LIMITS],
    ]) {
      for (const key of ['maxTokens', 'maxHeads', 'maxModelDim', 'maxTemperature']) {
        if (core[key] !== undefined && caps[key] > core[key]) {
          problems.push(`the ${name}'s ${key} (${caps[key]}) is over the core's (${core[key]})`);
        }
      }
      if (core.minTemperature !== undefined && caps.minTemperature < core.minTemperature) {
        problems.push(
          `the ${name}'s minTemperature (${caps.minTemperature}) is under the core's (${core.minTemperature})`,
        );
      }
    }
  }
  const known = buildInfo?.positionalEncodings;
  if (known) {
    for (const p of POSITIONAL_ENCODINGS)
      if (!known.includes(p)) problems.push(`the core has no positional encoding ${p}`);
    for (const p of known)
      if (!POSITIONAL_ENCODINGS.includes(p)) problems.push(`the page offers no positional encoding ${p}`);
  }
  return problems;
}

// The first problem with a text and its tokens' lengths, or null:
//   { kind: 'textTooLong', chars, max } or { kind: 'tokenTooLong', index, chars, max }.
// Characters are code points, so an emoji counts once.
export function textProblem(text, tokens, limits) {
  if (text.length > limits.maxSentenceChars)
    return { kind: 'textTooLong', chars: text.length, max: limits.maxSentenceChars };
  for (let i = 0; i < tokens.length; i++) {
    const chars = [...tokens[i]].length;
    if (chars > limits.maxTokenChars) return { kind: 'tokenTooLong', index: i, chars, max: limits.maxTokenChars };
  }
  return null;
}
