// What a pass computed, as the captions and formulas say it: one description of the computation,
// read from the trace the worker returned (its settings and its shapes), from which every view
// builds its formulas and figure names. No caption is fixed text that assumes the default settings:
// turn the √d_head switch off and the ÷√d_head leaves every formula; add ALiBi and its bias B_h
// appears wherever it enters; cross-attention puts X_kv into K and V and n_q × n_k into the shapes.
// No DOM and no words: formulas are in draw/math.js's notation (language-neutral); the words around
// them come from the page's or the widget's catalogue.
//
// One name per matrix, everywhere (text, formulas, tooltips):
//   E embeddings · PE positions · X = E + PE · X_kv (cross-attention's second sentence) ·
//   W_Q W_K W_V W_O · Q K V (Q_h K_h V_h: head h's columns) · S_h = Q_h K_hᵀ the scores ·
//   B_h ALiBi's bias · M the mask, additive: M_ij = 0 where query i may attend to key j, −∞ where
//   it is hidden · P_h the weights (softmax) · out_h = P_h V_h · C = [out_0 | … ] · Y = C W_O.

// The description: { cross, n, nKv, dModel, heads, dHead, scale, temperature, positional, causal,
// padding, painted, masked, hidden }.
//   scale: scores divided by √d_head; temperature: T (T = 1 divides by nothing);
//   masked: whether M hides any cell (a causal mask over one token hides nothing);
//   hidden: the number of cells M hides.
export function describe(trace) {
  let hidden = 0;
  for (const allowed of trace.mask) if (!allowed) hidden++;
  return Object.freeze({
    cross: Boolean(trace.cross),
    n: trace.n,
    nKv: trace.nKv,
    dModel: trace.dModel,
    heads: trace.heads,
    dHead: trace.dHead,
    scale: trace.scale !== false,
    temperature: trace.temperature,
    positional: trace.positional,
    causal: Boolean(trace.causal),
    padding: trace.padding?.length ?? 0,
    painted: trace.painted?.length ?? 0,
    masked: hidden > 0,
    hidden,
  });
}

// What a matrix of the score pipeline holds, as a claim a test can check against the numbers:
//   { product: true, sqrtD, temperature, bias, mask, softmax }
//   product: S_h = Q_h K_hᵀ; sqrtD: divided by √d_head; temperature: divided by T (null: not);
//   bias: + B_h; mask: + M; softmax: P_h = softmax over each row of all that.
// stage: 'raw' (S_h), 'scaled' (after the division), 'biased' (after + B_h), 'masked' (after + M),
// 'weights' (P_h). A stage that changes nothing in this pass claims only what was done.
export function scoresClaim(d, stage) {
  const order = ['raw', 'scaled', 'biased', 'masked', 'weights'];
  const at = order.indexOf(stage);
  if (at < 0) throw new Error(`no score stage ${stage}`);
  return Object.freeze({
    product: true,
    sqrtD: at >= 1 && d.scale,
    temperature: at >= 1 && d.temperature !== 1 ? d.temperature : null,
    bias: at >= 2 && d.positional === 'alibi',
    mask: at >= 3 && d.masked,
    softmax: at >= 4,
  });
}

// The divisor of the scores: '√d_head · T', '√d_head', 'T' or '' (nothing divides).
export function divisor(claim) {
  const parts = [];
  if (claim.sqrtD) parts.push('√d_head');
  if (claim.temperature !== null) parts.push('T');
  return parts.join(' · ');
}

// The claim in notation, for head h (a number, or 'h'). base: what the product is called here
// ('S_h' after step 5 names it; 'Q_h K_h^T' where it has no name yet).
export function scoresNotation(claim, h, { named = true } = {}) {
  const sub = (sym) => `${sym}_${h}`;
  const product = named ? sub('S') : `${sub('Q')} ${sub('K')}^T`;
  const by = divisor(claim);
  let expr = by ? `\\frac{${product}}{${by}}` : product;
  if (claim.bias) expr += ` + ${sub('B')}`;
  if (claim.mask) expr += ' + M';
  return claim.softmax ? `${sub('P')} = softmax ( ${expr} )` : expr;
}

// The same claim as plain text, for captions that are not typeset (the widget's):
// 'P_0 = softmax(Q_0K_0ᵀ / (√d_head · T) + B_0 + M)'.
export function scoresPlain(claim, h) {
  const by = divisor(claim);
  let expr = `Q_${h}K_${h}ᵀ`;
  if (by) expr += by.includes('·') ? ` / (${by})` : ` / ${by}`;
  if (claim.bias) expr += ` + B_${h}`;
  if (claim.mask) expr += ' + M';
  return claim.softmax ? `P_${h} = softmax(${expr})` : expr;
}

// The formula of one head and of the layer, for the header and the last step:
//   P_h = softmax ( Q_h K_hᵀ / (√d_head · T) + B_h + M ) ,   out_h = P_h V_h
export function headFormula(d, h = 'h') {
  return `${scoresNotation(scoresClaim(d, 'weights'), h, { named: false })} ,   out_${h} = P_${h} V_${h}`;
}
export function layerFormula(d) {
  const claim = scoresClaim(d, 'masked');
  return `Y = concat_h ( softmax ( ${scoresNotation(claim, 'h', { named: false })} ) V_h ) W_O`;
}

// X from E: 'X = E + PE' under the sinusoidal encoding, else 'X = E' (and X_kv alike).
export function inputFormula(d) {
  const add = d.positional === 'sinusoidal';
  const one = (x, e, pe) => (add ? `${x} = ${e} + ${pe}` : `${x} = ${e}`);
  return d.cross ? `${one('X', 'E', 'PE')} ,   ${one('X_kv', 'E_kv', 'PE_kv')}` : one('X', 'E', 'PE');
}

// Q, K, V from X (K and V from X_kv under cross-attention), rotated by RoPE where it applies.
export function projectionFormula(d) {
  const src = d.cross ? 'X_kv' : 'X';
  const rot = (e) => (d.positional === 'rope' ? `RoPE ( ${e} )` : e);
  return `Q = ${rot('X W_Q')} ,   K = ${rot(`${src} W_K`)} ,   V = ${src} W_V`;
}

// The shape of a score map: 'n × n' in self-attention, 'n_q × n_k' in cross-attention; with sizes.
export function scoresShape(d) {
  return d.cross ? { symbols: 'n_q × n_k', rows: d.n, cols: d.nKv } : { symbols: 'n × n', rows: d.n, cols: d.nKv };
}

// ---- A real model's head (page/model/): what its forward computed, from the file's info ----
//
// describeModel(info, { n, head }): the description of one head of a model (web/lib/model.js info)
// on n tokens, in the same fields as describe() where they mean the same, so scoresClaim() and
// scoresNotation() read it too:
//   { model: true, arch, n, nKv, dModel, heads, kvHeads, group, head, kvHead, dHead, scale, temperature,
//     positional, rope, ropeBase, nRot, qkvBias, causal, masked, hidden, cross, padding, painted }
//   positional: 'rope' when the file's RoPE rotates q and k ('norm': interleaved pairs (2i, 2i+1), as
//   llama; 'neox': halves (i, i + n_rot/2), as qwen2; nRot: the first n_rot dimensions of each head
//   rotate, by pos · base^(−2i/n_rot)), else 'none' (gpt2 adds learned positions to the
//   embeddings before the first layer); scale: every architecture divides by √head_dim; T is 1;
//   causal: a decoder, so M hides keys after the query (n(n − 1)/2 cells, none at n = 1);
//   kvHead: the K/V head this query head reads, head / (heads / kvHeads) (grouped-query attention).
export function describeModel(info, { n, head = 0 }) {
  const group = info.heads / info.kvHeads;
  const hidden = (n * (n - 1)) / 2;
  return Object.freeze({
    model: true,
    arch: info.architecture,
    n,
    nKv: n,
    dModel: info.dModel,
    heads: info.heads,
    kvHeads: info.kvHeads,
    group,
    head,
    kvHead: Math.floor(head / group),
    dHead: info.headDim,
    scale: true,
    temperature: 1,
    positional: info.rope === 'none' ? 'none' : 'rope',
    rope: info.rope,
    ropeBase: info.ropeBase,
    nRot: info.nRot ?? info.headDim,
    qkvBias: Boolean(info.qkvBias),
    causal: true,
    masked: hidden > 0,
    hidden,
    cross: false,
    padding: 0,
    painted: 0,
  });
}

// The head's formula: P_h = softmax ( Q_h K_gᵀ / √d_head + M ) ,   out_h = P_h V_g, with g its K/V head.
export function modelScoresFormula(d, h = d.head) {
  const g = Math.floor(h / d.group);
  let expr = `\\frac{Q_${h} K_${g}^T}{√d_head}`;
  if (d.masked) expr += ' + M';
  return `P_${h} = softmax ( ${expr} ) ,   out_${h} = P_${h} V_${g}`;
}

// How the layer's input X and the head's q, k, v were made: X = norm(x) (RMSNorm or LayerNorm),
// Q_h = X W_Q,h (+ b) rotated by RoPE where the file has it, K_g and V_g from K/V head g.
export function modelProjectionFormula(d, h = d.head) {
  const g = Math.floor(h / d.group);
  const bias = (b) => (d.qkvBias ? ` + b_${b}` : '');
  const rot = (e) => (d.positional === 'rope' ? `RoPE_${d.rope} ( ${e} )` : e);
  return (
    `Q_${h} = ${rot(`X W_{Q,${h}}${bias(`{Q,${h}}`)}`)} ,   K_${g} = ${rot(`X W_{K,${g}}${bias(`{K,${g}}`)}`)} ,   ` +
    `V_${g} = X W_{V,${g}}${bias(`{V,${g}}`)}`
  );
}

// The layer's input: X = RMSNorm ( x ) for llama and qwen2, LayerNorm ( x ) for gpt2.
export function modelInputFormula(d) {
  return d.arch === 'gpt2' ? 'X = LayerNorm ( x )' : 'X = RMSNorm ( x )';
}

// The walkthrough's formula for one stage of a model head (page/model/model-walk.js), from d:
//   'x' the layer's input · 'qkv' the projections · 'raw' S_h = Q_h K_gᵀ · 'scaled' S_h / √d_head ·
//   'masked' + M (M_ij = 0 where j ≤ i, −∞ where j > i) · 'weights' P_h = softmax(…) · 'sum' P_h V_g.
export function modelStageFormula(d, stage, h = d.head) {
  const g = Math.floor(h / d.group);
  if (stage === 'x') return modelInputFormula(d);
  if (stage === 'qkv') return modelProjectionFormula(d, h);
  if (stage === 'raw') return `S_${h} = Q_${h} K_${g}^T`;
  if (stage === 'sum') return `out_${h} = P_${h} V_${g}`;
  const claim = scoresClaim(d, stage);
  const expr = scoresNotation(claim, h);
  if (stage === 'masked' && d.masked) return `${expr}   M_{ij} = \\cases{0 & j ≤ i ; −∞ & j > i}`;
  return expr;
}
