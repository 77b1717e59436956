#include "train/config.h"

namespace ap::train {

std::string validate(const Config& c) {
  auto range = [](const char* what, int v, int lo, int hi) -> std::string {
    if (v < lo || v > hi)
      return std::string(what) + " must be in " + std::to_string(lo) + " … " + std::to_string(hi) + ", not " +
             std::to_string(v);
    return "";
  };
  std::string e;
  if (!(e = range("vocab", c.vocab, 2, kMaxVocab)).empty()) return e;
  if (!(e = range("n_ctx", c.n_ctx, 1, kMaxContext)).empty()) return e;
  if (!(e = range("n_layer", c.n_layer, 1, kMaxLayers)).empty()) return e;
  if (!(e = range("n_head", c.n_head, 1, kMaxHeads)).empty()) return e;
  if (!(e = range("d_model", c.d_model, 1, kMaxDModel)).empty()) return e;
  if (c.d_model % c.n_head != 0)
    return "d_model (" + std::to_string(c.d_model) + ") must be divisible by n_head (" +
           std::to_string(c.n_head) + ")";
  if (c.positions == Positions::Rope && c.head_dim() % 2 != 0)
    return "RoPE needs an even head_dim, not " + std::to_string(c.head_dim());
  if (c.mlp != Mlp::None && !(e = range("n_ff", c.n_ff, 1, 4 * kMaxDModel)).empty()) return e;
  if (!(c.rope_base > 1.0f && c.rope_base < 1e9f)) return "rope_base must be in (1, 1e9)";
  if (!(c.norm_eps > 0.0f && c.norm_eps < 1.0f)) return "norm_eps must be in (0, 1)";
  return "";
}

Layout layout_of(const Config& c) {
  Layout l;
  const size_t d = size_t(c.d_model), ff = c.mlp == Mlp::None ? 0 : size_t(c.n_ff);
  size_t at = 0;
  auto take = [&at](size_t n) {
    const size_t o = at;
    at += n;
    return o;
  };
  l.tok_embd = take(size_t(c.vocab) * d);
  if (c.positions == Positions::Learned) l.pos_embd = take(size_t(c.n_ctx) * d);
  for (int i = 0; i < c.n_layer; ++i) {
    LayerOffsets o{};
    o.attn_norm = take(d);
    o.wq = take(d * d);
    o.wk = take(d * d);
    o.wv = take(d * d);
    o.wo = take(d * d);
    if (c.mlp != Mlp::None) {
      o.ffn_norm = take(d);
      if (c.mlp == Mlp::SwiGlu) o.w_gate = take(d * ff);
      o.w_up = take(d * ff);
      o.w_down = take(ff * d);
    }
    l.layers.push_back(o);
  }
  l.output_norm = take(d);
  l.output = take(d * size_t(c.vocab));
  l.size = at;
  return l;
}

std::vector<TensorView> tensors_of(const Config& c) {
  const Layout l = layout_of(c);
  const int d = c.d_model, ff = c.n_ff;
  std::vector<TensorView> t;
  t.push_back({"tok_embd", l.tok_embd, c.vocab, d, false});
  if (c.positions == Positions::Learned) t.push_back({"pos_embd", l.pos_embd, c.n_ctx, d, false});
  for (int i = 0; i < c.n_layer; ++i) {
    const LayerOffsets& o = l.layers[size_t(i)];
    const std::string p = "blk." + std::to_string(i) + ".";
    t.push_back({p + "attn_norm", o.attn_norm, 1, d, false});
    t.push_back({p + "wq", o.wq, d, d, true});
    t.push_back({p + "wk", o.wk, d, d, true});
    t.push_back({p + "wv", o.wv, d, d, true});
    t.push_back({p + "wo", o.wo, d, d, true});
    if (c.mlp != Mlp::None) {
      t.push_back({p + "ffn_norm", o.ffn_norm, 1, d, false});
      if (c.mlp == Mlp::SwiGlu) t.push_back({p + "w_gate", o.w_gate, d, ff, true});
      t.push_back({p + "w_up", o.w_up, d, ff, true});
      t.push_back({p + "w_down", o.w_down, ff, d, true});
    }
  }
  t.push_back({"output_norm", l.output_norm, 1, d, false});
  t.push_back({"output", l.output, d, c.vocab, true});
  return t;
}

}  // namespace ap::train
