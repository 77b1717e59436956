// A float64 reference of multi-head attention in plain JS, written from the conventions in the
// README and sharing no code with the core. Arrays are row-major; returns per-head arrays.
export function referenceAttention({ x, n, dModel, heads, wq, wk, wv, wo, causal = false, temperature = 1, positional = 'none' }) {
  const dh = dModel / heads;
  const X = Float64Array.from(x);
  if (positional === 'sinusoidal') {
    for (let p = 0; p < n; p++) {
      for (let j = 0; j < dModel; j++) {
        const a = p / 10000 ** ((2 * Math.floor(j / 2)) / dModel);
        X[p * dModel + j] += j % 2 === 0 ? Math.sin(a) : Math.cos(a);
      }
    }
  }
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
  const Q = matmul(X, wq, n, dModel, dModel), K = matmul(X, wk, n, dModel, dModel), V = matmul(X, wv, n, dModel, dModel);
  const slice = (M, h) => {
    const out = new Float64Array(n * dh);
    for (let i = 0; i < n; i++) for (let d = 0; d < dh; d++) out[i * dh + d] = M[i * dModel + h * dh + d];
    return out;
  };
  const rope = (M) => {
    for (let p = 0; p < n; p++)
      for (let d = 0; d < dh; d += 2) {
        const a = p / 10000 ** (d / dh), u = M[p * dh + d], w = M[p * dh + d + 1];
        M[p * dh + d] = u * Math.cos(a) - w * Math.sin(a);
        M[p * dh + d + 1] = u * Math.sin(a) + w * Math.cos(a);
      }
  };
  const result = { x: X, q: [], k: [], v: [], scores: [], weights: [], headOutput: [] };
  const concat = new Float64Array(n * dModel);
  for (let h = 0; h < heads; h++) {
    const q = slice(Q, h), k = slice(K, h), v = slice(V, h);
    if (positional === 'rope') { rope(q); rope(k); }
    const slope = 2 ** (-8 * (h + 1) / heads);
    const s = new Float64Array(n * n), w = new Float64Array(n * n), o = new Float64Array(n * dh);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let dot = 0;
        for (let d = 0; d < dh; d++) dot += q[i * dh + d] * k[j * dh + d];
        let sc = dot / (Math.sqrt(dh) * temperature);
        if (positional === 'alibi') sc -= slope * Math.abs(i - j);
        s[i * n + j] = causal && j > i ? -Infinity : sc;
      }
      let max = -Infinity;
      for (let j = 0; j < n; j++) max = Math.max(max, s[i * n + j]);
      let sum = 0;
      for (let j = 0; j < n; j++) sum += (w[i * n + j] = Math.exp(s[i * n + j] - max));
      for (let j = 0; j < n; j++) w[i * n + j] /= sum;
      for (let d = 0; d < dh; d++) {
        let acc = 0;
        for (let j = 0; j < n; j++) acc += w[i * n + j] * v[j * dh + d];
        o[i * dh + d] = acc;
        concat[i * dModel + h * dh + d] = acc;
      }
    }
    result.q.push(q); result.k.push(k); result.v.push(v);
    result.scores.push(s); result.weights.push(w); result.headOutput.push(o);
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
