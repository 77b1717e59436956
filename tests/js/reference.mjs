// A float64 reference of multi-head attention in plain JS, written from the conventions in the
// README and sharing no code with the core. Arrays are row-major; returns per-head arrays.
export function referenceAttention({
  x,
  n,
  dModel,
  heads,
  wq,
  wk,
  wv,
  wo,
  causal = false,
  temperature = 1,
  positional = 'none',
  scale = true,
  xKv,
  nKv = n,
  mask,
  keyPadding,
}) {
  const dh = dModel / heads;
  const encode = (input, rows) => {
    const out = Float64Array.from(input);
    if (positional === 'sinusoidal') {
      for (let p = 0; p < rows; p++) {
        for (let j = 0; j < dModel; j++) {
          const a = p / 10000 ** ((2 * Math.floor(j / 2)) / dModel);
          out[p * dModel + j] += j % 2 === 0 ? Math.sin(a) : Math.cos(a);
        }
      }
    }
    return out;
  };
  const X = encode(x, n);
  const XKV = xKv ? encode(xKv, nKv) : X;
  const matmul = (A, B, rows, inner, cols) => {
    const C = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++)
      for (let c = 0; c < cols; c++) {
        let s = 0;
        for (let r = 0; r < inner; r++) s += A[i * inner + r] * B[r * cols + c];
        C[i * cols + c] = s;
      }
    return C;
  };
  const Q = matmul(X, wq, n, dModel, dModel),
    K = matmul(XKV, wk, nKv, dModel, dModel),
    V = matmul(XKV, wv, nKv, dModel, dModel);
  const slice = (M, h, rows) => {
    const out = new Float64Array(rows * dh);
    for (let i = 0; i < rows; i++) for (let d = 0; d < dh; d++) out[i * dh + d] = M[i * dModel + h * dh + d];
    return out;
  };
  const rope = (M) => {
    for (let p = 0; p < M.length / dh; p++)
      for (let d = 0; d < dh; d += 2) {
        const a = p / 10000 ** (d / dh),
          u = M[p * dh + d],
          w = M[p * dh + d + 1];
        M[p * dh + d] = u * Math.cos(a) - w * Math.sin(a);
        M[p * dh + d + 1] = u * Math.sin(a) + w * Math.cos(a);
      }
  };
  const result = { x: X, q: [], k: [], v: [], scores: [], weights: [], entropy: [], headOutput: [] };
  const concat = new Float64Array(n * dModel);
  for (let h = 0; h < heads; h++) {
    const q = slice(Q, h, n),
      k = slice(K, h, nKv),
      v = slice(V, h, nKv);
    if (positional === 'rope') {
      rope(q);
      rope(k);
    }
    const slope = 2 ** ((-8 * (h + 1)) / heads);
    const s = new Float64Array(n * nKv),
      w = new Float64Array(n * nKv),
      o = new Float64Array(n * dh);
    const entropy = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < nKv; j++) {
        let dot = 0;
        for (let d = 0; d < dh; d++) dot += q[i * dh + d] * k[j * dh + d];
        let sc = dot / ((scale ? Math.sqrt(dh) : 1) * temperature);
        if (positional === 'alibi') sc -= slope * Math.abs(i - j);
        const masked = (causal && j > i) || (mask && !mask[i * nKv + j]) || (keyPadding && keyPadding[j]);
        s[i * nKv + j] = masked ? -Infinity : sc;
      }
      let max = -Infinity;
      for (let j = 0; j < nKv; j++) max = Math.max(max, s[i * nKv + j]);
      if (max === -Infinity) continue; // nothing unmasked: weights, output and entropy stay 0
      let sum = 0;
      for (let j = 0; j < nKv; j++) sum += w[i * nKv + j] = Math.exp(s[i * nKv + j] - max);
      for (let j = 0; j < nKv; j++) {
        const p = (w[i * nKv + j] /= sum);
        if (p > 0) entropy[i] -= p * Math.log(p);
      }
      for (let d = 0; d < dh; d++) {
        let acc = 0;
        for (let j = 0; j < nKv; j++) acc += w[i * nKv + j] * v[j * dh + d];
        o[i * dh + d] = acc;
        concat[i * dModel + h * dh + d] = acc;
      }
    }
    result.q.push(q);
    result.k.push(k);
    result.v.push(v);
    result.scores.push(s);
    result.weights.push(w);
    result.headOutput.push(o);
    result.entropy.push(entropy);
  }
  result.concat = concat;
  result.output = matmul(concat, wo, n, dModel, dModel);
  return result;
}

// Deterministic N(0, stddev²) test data (Box–Muller on a small LCG), independent of the core.
export function randomArray(count, seed, stddev = 1) {
  let state = (seed * 2654435761) >>> 0 || 1;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 1) / 4294967297;
  };
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()) * stddev;
  }
  return out;
}
