// The seeded inputs every view of the playground computes on, so the page (page/worker.js) and the
// widget (widget/core.js) show identical numbers for the same sentence, sizes and seed:
//
//   X (n, d_model):            row i = core.tokenEmbedding(token_i, d_model, seed)
//   W_Q, W_K, W_V, W_O (d_model, d_model) = core.randomMatrix(d_model, d_model, 4·seed + 0…3, 1/√d_model)
//
// seededInputs(core) returns two cached look-ups over one loaded core. The arrays they return
// are shared with the caches: callers that edit values must copy first (embeddings() already
// returns a fresh X).

// Weights are kept for up to 64 (d_model, seed) pairs and 16 M floats (64 MB), least recently used
// first out: a page with ten widgets of ten seeds at the largest d_model (512: 1 M floats each)
// keeps all ten, so no render recomputes another widget's weights.
const WEIGHT_CACHE_ENTRIES = 64;
const WEIGHT_CACHE_FLOATS = 16 * 1024 * 1024;
const EMBEDDING_CACHE_LIMIT = 4096; // (d_model, seed, token) triples

export function seededInputs(core) {
  const weightCache = new Map(); // `${dModel}:${seed}` → { wq, wk, wv, wo }, least recently used first
  let cachedFloats = 0; // floats held by weightCache
  const embeddingCache = new Map(); // `${dModel}:${seed}:${token}` → Float32Array(dModel)

  // { wq, wk, wv, wo }, each (d_model, d_model) row-major. Shared with the cache: do not edit.
  function weights(dModel, seed) {
    const key = `${dModel}:${seed}`;
    let w = weightCache.get(key);
    if (w) {
      weightCache.delete(key); // most recently used last
      weightCache.set(key, w);
    } else {
      const std = 1 / Math.sqrt(dModel);
      w = {
        wq: core.randomMatrix(dModel, dModel, seed * 4 + 0, std),
        wk: core.randomMatrix(dModel, dModel, seed * 4 + 1, std),
        wv: core.randomMatrix(dModel, dModel, seed * 4 + 2, std),
        wo: core.randomMatrix(dModel, dModel, seed * 4 + 3, std),
      };
      weightCache.set(key, w);
      cachedFloats += 4 * dModel * dModel;
      while (weightCache.size > WEIGHT_CACHE_ENTRIES || (cachedFloats > WEIGHT_CACHE_FLOATS && weightCache.size > 1)) {
        const [oldest, old] = weightCache.entries().next().value;
        weightCache.delete(oldest);
        cachedFloats -= 4 * old.wq.length;
      }
    }
    return w;
  }

  // X (n, d_model) as a fresh Float32Array, row i = embedding of tokens[i].
  function embeddings(tokens, dModel, seed) {
    const x = new Float32Array(tokens.length * dModel);
    tokens.forEach((token, i) => {
      const key = `${dModel}:${seed}:${token}`;
      let e = embeddingCache.get(key);
      if (!e) {
        e = core.tokenEmbedding(token, dModel, seed);
        if (embeddingCache.size >= EMBEDDING_CACHE_LIMIT) embeddingCache.clear();
        embeddingCache.set(key, e);
      }
      x.set(e, i * dModel);
    });
    return x;
  }

  return { weights, embeddings };
}

// The masks of a state, as the core takes them and combined for drawing (the page's worker and
// the widget pass the same ones, so their weights agree):
//   painted: [i, j] cells where query i may not attend to key j; padding: key indices hidden.
// → { core: { mask?, keyPadding? } to spread into attention()'s params (each only when there is
//     any), allowed: Uint8Array (n, nKv), 1 = query i may attend to key j after every kind
//     (causal, padding, painted) }.
export function attentionMasks({ n, nKv, causal, painted, padding }) {
  painted ??= [];
  padding ??= [];
  const mask = new Uint8Array(n * nKv).fill(1); // (n, nKv) 1 = may attend
  for (const [i, j] of painted) mask[i * nKv + j] = 0;
  const keyPadding = new Uint8Array(nKv); // (nKv) 1 = padding
  for (const j of padding) keyPadding[j] = 1;
  const allowed = Uint8Array.from(mask, (m, k) => {
    const i = Math.floor(k / nKv);
    const j = k % nKv;
    return m && !keyPadding[j] && !(causal && j > i) ? 1 : 0;
  });
  return {
    core: { ...(painted.length ? { mask } : {}), ...(padding.length ? { keyPadding } : {}) },
    allowed,
  };
}
