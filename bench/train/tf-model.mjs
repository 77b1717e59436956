// The same model in TensorFlow.js (tfjs-core with the wasm backend), trained with its autodiff
// (tf.variableGrads) and tf.train.adam, for the training benchmark. `tf` is passed in, so the same
// code runs in Node (the npm packages) and in Chromium (the UMD bundles).
//
// The architecture is written out here from the hyper-parameters (not read from our layout), so
// the parameter count and shapes are an independent check that this is our model
// (src/train/config.h, network.cpp):
//   x = tok_embd[ids]                                              (R, d), R = batch·context
//   per layer: x += Attn(RMSNorm(x))·wo;  x += (silu(xn·w_gate) ⊙ xn·w_up)·w_down, xn = RMSNorm(x)
//   Attn: q, k, v = xn·wq, xn·wk, xn·wv; RoPE (NORM style: pairs (2p, 2p+1) of each head rotated by
//         position·base^(−2p/head_dim)) on q and k; causal softmax(q·kᵀ/√head_dim) over keys, ·v
//   logits = RMSNorm(x)·output                                     (R, vocab)
//   loss = Σ_r mask_r·(−log softmax(logits_r)[target_r]) / Σ_r mask_r
// The optimiser is our AdamW (src/train/optim.cpp): global-norm clipping of the gradient to `clip`,
// weight decay p ← p·(1 − lr·λ) on the matrices only (not norms or embeddings) before the Adam
// update, and tf.train.adam(lr, β1, β2, ε), whose update is lr·m̂/(√v̂ + ε) as ours.

/** { name: [rows, cols] } of the model's parameters, in our layout's order. */
export function expectedShapes({ vocab, layers, dModel: d, ff }) {
  const shapes = { tok_embd: [vocab, d] };
  for (let l = 0; l < layers; l++) {
    const p = `blk.${l}.`;
    Object.assign(shapes, {
      [`${p}attn_norm`]: [1, d],
      [`${p}wq`]: [d, d],
      [`${p}wk`]: [d, d],
      [`${p}wv`]: [d, d],
      [`${p}wo`]: [d, d],
      [`${p}ffn_norm`]: [1, d],
      [`${p}w_gate`]: [d, ff],
      [`${p}w_up`]: [d, ff],
      [`${p}w_down`]: [ff, d],
    });
  }
  Object.assign(shapes, { output_norm: [1, d], output: [d, vocab] });
  return shapes;
}

const isMatrix = (name) => !/(^tok_embd$|_norm$)/.test(name); // what AdamW decays

/**
 * The model with our initial weights. layout: our trainer's (engine.layout()): hyper-parameters
 * and where each tensor sits in `params` (Float32Array). Throws if a tensor is missing or its
 * shape differs from the architecture's.
 */
export function createTfModel(tf, layout, params) {
  const { vocab, context: T, layers, heads: H, dModel: d, ff, batch: B } = layout;
  const hd = d / H;
  const R = B * T;
  const shapes = expectedShapes(layout);
  const byName = new Map(layout.tensors.map((t) => [t.name, t]));
  const vars = {};
  let count = 0;
  for (const [name, [rows, cols]] of Object.entries(shapes)) {
    const t = byName.get(name);
    if (!t) throw new Error(`tfjs model: our layout has no tensor ${name}`);
    if (t.rows !== rows || t.cols !== cols)
      throw new Error(`tfjs model: ${name} is (${t.rows}, ${t.cols}) in our layout, (${rows}, ${cols}) here`);
    if (t.decay !== isMatrix(name)) throw new Error(`tfjs model: ${name}'s weight decay differs from ours`);
    const values = params.subarray(t.offset, t.offset + rows * cols);
    vars[name] = tf.variable(tf.tensor(values, rows === 1 ? [cols] : [rows, cols]), true, name);
    count += rows * cols;
  }
  if (byName.size !== Object.keys(shapes).length) throw new Error('tfjs model: our layout has other tensors too');

  // Constants: RoPE's factors for x·C + swap(x)·S on (R, d/2, 2) pairs (swap: (x0, x1) → (x1, x0)),
  // so out0 = x0·cos − x1·sin and out1 = x1·cos + x0·sin; and the causal mask (T, T).
  const half = hd / 2;
  const cosPairs = new Float32Array(R * d); // (R, d/2, 2) [cos, cos]
  const sinPairs = new Float32Array(R * d); // (R, d/2, 2) [−sin, sin]
  for (let r = 0; r < R; r++) {
    const pos = r % T;
    for (let h = 0; h < H; h++)
      for (let p = 0; p < half; p++) {
        const theta = Math.exp(((-2 * p) / hd) * Math.log(layout.ropeBase));
        const c = Math.fround(Math.cos(pos * theta)),
          s = Math.fround(Math.sin(pos * theta));
        const at = r * d + h * hd + 2 * p;
        cosPairs[at] = c;
        cosPairs[at + 1] = c;
        sinPairs[at] = -s;
        sinPairs[at + 1] = s;
      }
  }
  const ropeC = tf.tensor(cosPairs, [R, d / 2, 2]);
  const ropeS = tf.tensor(sinPairs, [R, d / 2, 2]);
  const causal = new Float32Array(T * T); // (T queries, T keys): −1e9 above the diagonal
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) causal[i * T + j] = -1e9;
  const causalMask = tf.tensor(causal, [T, T]);
  const eps = layout.normEps;

  const rmsnorm = (x, g) => tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps))), g);
  const rope = (x) => {
    const pairs = tf.reshape(x, [R, d / 2, 2]);
    return tf.reshape(tf.add(tf.mul(pairs, ropeC), tf.mul(tf.reverse(pairs, 2), ropeS)), [R, d]);
  };
  // (R, d) → (B·H, T, hd) and back.
  const splitHeads = (x) => tf.reshape(tf.transpose(tf.reshape(x, [B, T, H, hd]), [0, 2, 1, 3]), [B * H, T, hd]);
  const mergeHeads = (x) => tf.reshape(tf.transpose(tf.reshape(x, [B, H, T, hd]), [0, 2, 1, 3]), [R, d]);

  // The embedding as a product with one-hot rows (tf.gather's gradient needs UnsortedSegmentSum,
  // which the wasm backend lacks); exact, every sum is one value and zeros.
  function lossOf(idsOneHot, targetsOneHot, maskWeights) {
    let x = tf.matMul(idsOneHot, vars.tok_embd); // (R, vocab)·(vocab, d) → (R, d)
    for (let l = 0; l < layers; l++) {
      const v = (n) => vars[`blk.${l}.${n}`];
      const xn = rmsnorm(x, v('attn_norm'));
      const q = splitHeads(rope(tf.matMul(xn, v('wq'))));
      const k = splitHeads(rope(tf.matMul(xn, v('wk'))));
      const vv = splitHeads(tf.matMul(xn, v('wv')));
      const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hd)), causalMask); // (B·H, T, T)
      const att = mergeHeads(tf.matMul(tf.softmax(scores), vv)); // softmax over keys
      x = tf.add(x, tf.matMul(att, v('wo')));
      const xn2 = rmsnorm(x, v('ffn_norm'));
      const g = tf.matMul(xn2, v('w_gate'));
      const h = tf.mul(tf.mul(g, tf.sigmoid(g)), tf.matMul(xn2, v('w_up')));
      x = tf.add(x, tf.matMul(h, v('w_down')));
    }
    const logits = tf.matMul(rmsnorm(x, vars.output_norm), vars.output); // (R, vocab)
    const nll = tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), targetsOneHot), -1)); // (R)
    return tf.sum(tf.mul(nll, maskWeights)); // maskWeights = mask / Σ mask
  }

  const optimizer = tf.train.adam(layout.lr, layout.beta1, layout.beta2, layout.eps);
  const decayed = Object.keys(vars).filter(isMatrix);

  // Inputs of one batch as tensors: one-hot ids and targets (R, vocab), mask / Σ mask (R).
  const inputs = (batch) => {
    let msum = 0;
    for (const m of batch.mask) msum += m;
    const weights = batch.mask.map((m) => (msum > 0 ? m / msum : 0));
    return [
      tf.oneHot(tf.tensor1d(batch.ids, 'int32'), vocab),
      tf.oneHot(tf.tensor1d(batch.targets, 'int32'), vocab),
      tf.tensor1d(weights),
    ];
  };

  return {
    parameterCount: count,
    /** The loss of a batch under the current weights (no update). */
    loss(batch) {
      return tf.tidy(() => lossOf(...inputs(batch)).dataSync()[0]);
    },
    /** One AdamW step on a batch: { loss, gradNorm } (the norm before clipping), as our Trainer::step. */
    step(batch) {
      return tf.tidy(() => {
        const [ids, oneHot, weights] = inputs(batch);
        const { value, grads } = tf.variableGrads(() => lossOf(ids, oneHot, weights));
        const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
        const gradNorm = norm.dataSync()[0];
        const scale = layout.clip > 0 && gradNorm > layout.clip ? layout.clip / gradNorm : 1;
        const clipped = {};
        for (const [name, g] of Object.entries(grads)) clipped[name] = scale === 1 ? g : tf.mul(g, scale);
        const shrink = 1 - layout.lr * layout.weightDecay;
        for (const name of decayed) vars[name].assign(tf.mul(vars[name], shrink));
        optimizer.applyGradients(clipped);
        return { loss: value.dataSync()[0], gradNorm };
      });
    },
    dispose() {
      tf.dispose([...Object.values(vars), ropeC, ropeS, causalMask]);
      optimizer.dispose();
    },
  };
}
