// Turns UI state and tokens into the parameters of one computation, or a message saying
// what is wrong. The checks here mirror the core's own, in words a page user can act on;
// the core still validates everything and its message is shown if it disagrees.

import { t, LOCALE } from './i18n/i18n.js';
import { PAGE_LIMITS as LIMITS, textProblem } from '../views/limits.js';

const isInt = (v) => Number.isInteger(v);

// Returns { ok: true, params } or { ok: false, message, field } (field: the state key or keys
// at fault, so the page can mark those controls).
// params: { tokens, heads, dModel, dHead, temperature, causal, positional, seed, scale, padding,
//          painted, tokensKv, edits }.
export function checkParams(state, tokens, tokensKv = []) {
  const fail = (key, args, field) => ({ ok: false, message: t(key, args), field });
  const { heads, dModel, temperature, seed } = state;

  for (const [field, text, list] of [
    ['sentence', state.sentence, tokens],
    ['kv', state.cross ? state.kv : '', tokensKv],
  ]) {
    const problem = textProblem(text, list, LIMITS);
    if (problem?.kind === 'textTooLong')
      return fail(
        field === 'sentence' ? 'error.sentenceTooLong' : 'error.kvTooLong',
        { n: problem.chars, max: problem.max },
        field,
      );
    if (problem) return fail('error.tokenTooLong', { index: problem.index, n: problem.chars, max: problem.max }, field);
  }
  if (tokens.length === 0) return fail('error.emptySentence', {}, 'sentence');
  if (tokens.length > LIMITS.maxTokens) {
    return fail('error.tooManyTokens', { n: tokens.length, max: LIMITS.maxTokens }, 'sentence');
  }
  if (!isInt(heads) || heads < 1 || heads > LIMITS.maxHeads) {
    return fail('error.heads', { max: LIMITS.maxHeads }, 'heads');
  }
  if (!isInt(dModel) || dModel < 1 || dModel > LIMITS.maxModelDim) {
    return fail('error.dModel', { max: LIMITS.maxModelDim }, 'dModel');
  }
  if (dModel % heads !== 0) {
    const suggest = Math.max(heads, Math.round(dModel / heads) * heads);
    // The nearest head counts, below and above, that do divide d_model.
    const divisors = [];
    for (let h = heads - 1; h >= 1; h--)
      if (dModel % h === 0) {
        divisors.push(h);
        break;
      }
    for (let h = heads + 1; h <= LIMITS.maxHeads; h++)
      if (dModel % h === 0) {
        divisors.push(h);
        break;
      }
    const alt = new Intl.ListFormat(LOCALE, { type: 'disjunction' }).format(divisors.map(String));
    return fail('error.notDivisible', { dModel, heads, suggest, alt }, ['heads', 'dModel']);
  }
  if (state.cross && tokensKv.length === 0) return fail('error.emptyKv', {}, 'kv');
  if (state.cross && tokensKv.length > LIMITS.maxTokens) {
    return fail('error.tooManyKv', { n: tokensKv.length, max: LIMITS.maxTokens }, 'kv');
  }
  const dHead = dModel / heads;
  if (state.positional === 'rope' && dHead % 2 !== 0) {
    return fail('error.ropeOdd', { dModel, heads, dHead }, ['positional', 'heads', 'dModel']);
  }
  if (!(temperature > 0) || !Number.isFinite(temperature)) return fail('error.temperature', {}, 'temperature');
  if (temperature < LIMITS.minTemperature || temperature > LIMITS.maxTemperature) {
    const range = { min: LIMITS.minTemperature, max: LIMITS.maxTemperature, value: temperature };
    return fail('error.temperatureRange', range, 'temperature');
  }
  if (!isInt(seed) || seed < 0 || seed > LIMITS.maxSeed) {
    return fail('error.seed', { max: LIMITS.maxSeed }, 'seed');
  }
  const nKv = state.cross ? tokensKv.length : tokens.length;
  return {
    ok: true,
    params: {
      tokens: tokens.slice(),
      heads,
      dModel,
      dHead,
      temperature,
      // The causal mask orders one sentence's tokens; between two sentences (cross-attention) it
      // has no meaning, so it is off there (the control says so) and the state keeps the choice.
      causal: Boolean(state.causal) && !state.cross,
      positional: state.positional,
      seed,
      scale: state.scale !== false,
      // Only indices that name a token; the worker turns these into the core's mask arrays.
      // Cross-attention: K and V come from tokensKv; null for self-attention.
      tokensKv: state.cross ? tokensKv.slice() : null,
      // Hand edits inside the matrices' shapes: embeddings (n, d_model), W_Q/W_K/W_V (d_model, d_model).
      edits: (state.edits ?? []).filter((e) => e.col < dModel && e.row < (e.m === 'e' ? tokens.length : dModel)),
      padding: (state.padding ?? []).filter((j) => j < nKv),
      painted: (state.painted ?? []).filter(([i, j]) => i < tokens.length && j < nKv),
    },
  };
}
