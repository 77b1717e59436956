// The plain trace: the one shape every view reads (the overview, the walkthrough, the widget, the
// exports and the page's test hook). No DOM.
//
// The JS API's trace (web/lib/attention.js) gives per-head matrices through accessors,
// trace.weights(h); the plain trace holds them as arrays indexed by head, trace.weights[h], next to
// the settings and inputs that made it, so a view needs nothing else. plainTrace() is the one
// conversion from the first shape to the second. A plain trace is structured-cloneable: the page's
// worker posts it whole, transferring the buffers transferables() lists.

// apiTrace: what core.attention() returned. extra: what the API's trace does not hold —
//   tokens (n), tokensKv (nKv, or null for self-attention), temperature, causal, positional, seed,
//   scale, padding (key indices), painted ([i, j] cells): the settings, as params.js checks them;
//   embeddings (n, d_model) and embeddingsKv (nKv, d_model) or null: token embeddings before position;
//   wq, wk, wv, wo (d_model, d_model): the weights used;
//   mask (n, nKv) Uint8Array, 1 = query i may attend to key j after every mask kind;
//   edits: the hand edits applied to embeddings and W_Q, W_K, W_V ([{ m, row, col, value }], or none).
//   optionally the positional tables the pass used (core.positionalTable, core.alibiSlopes):
//   pe (n, d_model) and peKv (nKv, d_model) under sinusoidal, ropeAngles (max(n, nKv), d_head/2)
//   under RoPE, alibiSlopes (heads) under ALiBi; null otherwise.
export function plainTrace(apiTrace, extra) {
  const t = apiTrace;
  const perHead = (get) => (get ? Array.from({ length: t.heads }, (_, h) => get(h)) : null);
  const tokensKv = extra.tokensKv ?? null;
  return {
    tokens: extra.tokens, // (n) query tokens
    n: t.n,
    dModel: t.dModel,
    heads: t.heads,
    dHead: t.dHead,
    temperature: extra.temperature,
    causal: extra.causal,
    positional: extra.positional,
    seed: extra.seed,
    scale: extra.scale,
    padding: extra.padding,
    painted: extra.painted,
    edits: extra.edits ?? [], // hand edits already in embeddings and wq, wk, wv: { m: 'e'|'q'|'k'|'v', row, col, value }
    embeddings: extra.embeddings, // (n, d_model) token embeddings, before position
    nKv: t.nKv, // keys: nKv = n for self-attention
    keyTokens: tokensKv ?? extra.tokens, // (nKv) key tokens
    cross: Boolean(tokensKv),
    embeddingsKv: extra.embeddingsKv ?? null, // (nKv, d_model) or null
    xKv: t.xKv, // (nKv, d_model) after positional encoding, or null
    wq: extra.wq,
    wk: extra.wk,
    wv: extra.wv,
    wo: extra.wo, // (d_model, d_model)
    mask: extra.mask, // (n_query, n_key) 1 = may attend, after every mask kind
    // The stages of the scores before any mask (the same pass, unmaskedScores: true); null when
    // the pass did not ask for them.
    rawScores: perHead(t.rawScores), // [head] (n, nKv) q_i·k_j
    scaledScores: perHead(t.scaledScores), // [head] (n, nKv) q_i·k_j·scale
    unmaskedScores: perHead(t.unmaskedScores), // [head] (n, nKv) q_i·k_j·scale + ALiBi bias
    qUnrotated: t.qUnrotated ?? null, // (n, d_model) x·W_Q before RoPE, or null
    kUnrotated: t.kUnrotated ?? null, // (nKv, d_model)
    pe: extra.pe ?? null, // (n, d_model) sinusoidal PE added to E, or null
    peKv: extra.peKv ?? null, // (nKv, d_model) or null
    ropeAngles: extra.ropeAngles ?? null, // (max(n, nKv), d_head / 2) radians, or null
    alibiSlopes: extra.alibiSlopes ?? null, // (heads) m_h, or null
    entropy: perHead(t.entropy), // [head] (n) nats, per query row
    x: t.x, // (n, d_model) after positional encoding
    q: perHead(t.q), // [head] (n, d_head), after RoPE
    k: perHead(t.k), // [head] (nKv, d_head), after RoPE
    v: perHead(t.v), // [head] (nKv, d_head)
    scores: perHead(t.scores), // [head] (n_query, n_key), −∞ where masked
    weights: perHead(t.weights), // [head] (n_query, n_key), softmax over keys
    headOutput: perHead(t.headOutput), // [head] (n, d_head)
    concat: t.concat, // (n, d_model)
    output: t.output, // (n, d_model)
  };
}

// The tables a pass's positional encoding used, from the core (plainTrace's extra pe, peKv,
// ropeAngles, alibiSlopes): what the views draw as PE, the RoPE angles and ALiBi's bias B.
export function positionalTables(core, { positional, n, nKv, dModel, heads, cross }) {
  if (positional === 'sinusoidal') {
    const pe = core.positionalTable('sinusoidal', n, dModel);
    return { pe, peKv: cross ? core.positionalTable('sinusoidal', nKv, dModel) : null };
  }
  if (positional === 'rope') return { ropeAngles: core.positionalTable('rope', Math.max(n, nKv), dModel / heads) };
  if (positional === 'alibi') return { alibiSlopes: core.alibiSlopes(heads) };
  return {};
}

// Every ArrayBuffer behind the plain trace's typed arrays, each once (a transfer list). The API's
// matrices are views of one buffer made for its call; the caller makes sure that nothing it keeps
// (a cache of seeded weights, say) is among them.
export function transferables(trace) {
  const buffers = new Set();
  const add = (value) => {
    if (ArrayBuffer.isView(value)) buffers.add(value.buffer);
    else if (Array.isArray(value)) value.forEach(add);
  };
  Object.values(trace).forEach(add);
  return [...buffers];
}
