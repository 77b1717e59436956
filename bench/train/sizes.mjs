// The two model sizes of issue 14's training benchmark (bench/native/bench_train_speed.cpp's main()
// lists the same). Every size: the copy task over 32 symbols (vocab 33), SwiGLU MLP (n_ff = 4·d),
// RoPE, RMSNorm pre-norm, AdamW at a constant learning rate 1e-3, seed 1.
export const SIZES = Object.freeze([
  Object.freeze({ id: 'a', layers: 2, heads: 4, dModel: 64, context: 32, batch: 32 }),
  // Batch 8 (512 tokens a step): at about 1 s a step natively and 10 s in TF.js, a few steps of every
  // implementation fit in a run on two shared cores.
  Object.freeze({ id: 'b', layers: 4, heads: 8, dModel: 256, context: 64, batch: 8 }),
]);

export const SEED = 1;
export const LEARNING_RATE = 1e-3;

export function sizeLabel(s) {
  return `${s.layers}×${s.heads}×${s.dModel}, context ${s.context}, batch ${s.batch}`;
}
