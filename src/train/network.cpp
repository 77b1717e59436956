#include "train/network.h"

#include <algorithm>

#include "train/ops.h"

namespace ap::train {

template <typename T>
Network<T>::Network(const Config& config) : c_(config), l_(layout_of(config)) {
  head_mask_.assign(size_t(c_.n_layer) * c_.n_head, 1.0f);
  if (c_.positions == Positions::Rope) ops::rope_tables(c_.n_ctx, c_.head_dim(), c_.rope_base, &cos_, &sin_);
}

template <typename T>
std::string Network<T>::set_head_mask(const std::vector<float>& mask) {
  if (mask.size() != head_mask_.size())
    return "the head mask needs " + std::to_string(head_mask_.size()) + " values (n_layer·n_head), not " +
           std::to_string(mask.size());
  for (float m : mask)
    if (m != 0.0f && m != 1.0f) return "head mask values must be 0 (ablated) or 1 (on)";
  head_mask_ = mask;
  return "";
}

template <typename T>
std::string Network<T>::set_head(int layer, int head, bool on) {
  if (layer < 0 || layer >= c_.n_layer || head < 0 || head >= c_.n_head)
    return "no head " + std::to_string(head) + " in layer " + std::to_string(layer) + " (the model has " +
           std::to_string(c_.n_layer) + " layers of " + std::to_string(c_.n_head) + " heads)";
  head_mask_[size_t(layer) * c_.n_head + head] = on ? 1.0f : 0.0f;
  return "";
}

template <typename T>
std::string Network<T>::forward(const T* w, const int* ids, const int* targets, const float* mask, int batch,
                                Acts<T>* a, bool with_grad) const {
  if (batch < 1) return "the batch needs at least one sequence";
  const int t = c_.n_ctx, d = c_.d_model, hd = c_.head_dim(), H = c_.n_head, ff = c_.n_ff, V = c_.vocab;
  const int R = batch * t;
  for (int r = 0; r < R; ++r) {
    if (ids[r] < 0 || ids[r] >= V || targets[r] < 0 || targets[r] >= V)
      return "token " + std::to_string(ids[r] < 0 || ids[r] >= V ? ids[r] : targets[r]) + " at row " +
             std::to_string(r) + " is outside the vocabulary (0 … " + std::to_string(V - 1) + ")";
    if (!(mask[r] >= 0.0f && mask[r] <= 1.0f)) return "loss mask values must be in [0, 1]";
  }
  a->batch = batch;
  a->ids.assign(ids, ids + R);
  a->targets.assign(targets, targets + R);
  a->mask.assign(mask, mask + R);
  a->layers.resize(size_t(c_.n_layer));
  const size_t Rd = size_t(R) * d, Rf = size_t(R) * ff;

  // Embedding (+ learned positions): the residual stream x.
  std::vector<T> x(Rd);
  ops::embed_forward(ids, R, w + l_.tok_embd, d, x.data());
  if (c_.positions == Positions::Learned) ops::add_positions_forward(w + l_.pos_embd, batch, t, d, x.data());

  std::vector<T> tmp(Rd);
  for (int li = 0; li < c_.n_layer; ++li) {
    const LayerOffsets& o = l_.layers[size_t(li)];
    LayerActs<T>& la = a->layers[size_t(li)];
    la.x = x;
    // Attention block: xn1 = RMSNorm(x); q, k, v = xn1·W; RoPE on q, k; causal attention; x += att·wo.
    la.xn1.resize(Rd);
    la.rstd1.resize(size_t(R));
    ops::rmsnorm_forward(x.data(), w + o.attn_norm, R, d, T(c_.norm_eps), la.xn1.data(), la.rstd1.data());
    la.q.resize(Rd);
    la.k.resize(Rd);
    la.v.resize(Rd);
    ops::linear_forward(la.xn1.data(), w + o.wq, R, d, d, la.q.data());
    ops::linear_forward(la.xn1.data(), w + o.wk, R, d, d, la.k.data());
    ops::linear_forward(la.xn1.data(), w + o.wv, R, d, d, la.v.data());
    if (c_.positions == Positions::Rope) {
      ops::rope_apply(la.q.data(), batch, t, H, hd, cos_.data(), sin_.data(), false);
      ops::rope_apply(la.k.data(), batch, t, H, hd, cos_.data(), sin_.data(), false);
    }
    la.p.resize(size_t(batch) * H * t * t);
    la.att.resize(Rd);
    ops::attention_forward(la.q.data(), la.k.data(), la.v.data(), batch, t, H, hd,
                           head_mask_.data() + size_t(li) * H, la.p.data(), la.att.data());
    ops::linear_forward(la.att.data(), w + o.wo, R, d, d, tmp.data());
    for (size_t i = 0; i < Rd; ++i) x[i] += tmp[i];
    la.x_mid = x;
    // MLP block: xn2 = RMSNorm(x); x += act(xn2·W_up [, xn2·W_gate])·W_down.
    if (c_.mlp != Mlp::None) {
      la.xn2.resize(Rd);
      la.rstd2.resize(size_t(R));
      ops::rmsnorm_forward(x.data(), w + o.ffn_norm, R, d, T(c_.norm_eps), la.xn2.data(), la.rstd2.data());
      la.u.resize(Rf);
      la.h.resize(Rf);
      ops::linear_forward(la.xn2.data(), w + o.w_up, R, d, ff, la.u.data());
      if (c_.mlp == Mlp::SwiGlu) {
        la.g.resize(Rf);
        ops::linear_forward(la.xn2.data(), w + o.w_gate, R, d, ff, la.g.data());
        ops::swiglu_forward(la.g.data(), la.u.data(), Rf, la.h.data());
      } else {
        ops::gelu_forward(la.u.data(), Rf, la.h.data());
      }
      ops::linear_forward(la.h.data(), w + o.w_down, R, ff, d, tmp.data());
      for (size_t i = 0; i < Rd; ++i) x[i] += tmp[i];
    }
  }
  // Final norm, logits, loss.
  a->x_final = x;
  a->xnf.resize(Rd);
  a->rstdf.resize(size_t(R));
  ops::rmsnorm_forward(x.data(), w + l_.output_norm, R, d, T(c_.norm_eps), a->xnf.data(), a->rstdf.data());
  a->logits.resize(size_t(R) * V);
  a->probs.resize(size_t(R) * V);
  ops::linear_forward(a->xnf.data(), w + l_.output, R, d, V, a->logits.data());
  if (with_grad) a->dlogits.resize(size_t(R) * V);
  a->loss = ops::cross_entropy(a->logits.data(), targets, mask, R, V, a->probs.data(),
                               with_grad ? a->dlogits.data() : nullptr, &a->correct, &a->counted);
  return "";
}

template <typename T>
void Network<T>::backward(const T* w, const Acts<T>& a, T* gw) const {
  const int batch = a.batch, t = c_.n_ctx, d = c_.d_model, hd = c_.head_dim(), H = c_.n_head, ff = c_.n_ff;
  const int V = c_.vocab, R = batch * t;
  const size_t Rd = size_t(R) * d, Rf = size_t(R) * ff;
  std::vector<T> scratch;
  // dx: the gradient of the residual stream, carried down through the blocks.
  std::vector<T> dxn(Rd, T(0)), dx(Rd, T(0));
  ops::linear_backward(a.xnf.data(), w + l_.output, a.dlogits.data(), R, d, V, dxn.data(), gw + l_.output,
                       &scratch);
  ops::rmsnorm_backward(a.x_final.data(), w + l_.output_norm, a.rstdf.data(), dxn.data(), R, d, dx.data(),
                        gw + l_.output_norm);
  std::vector<T> dh, dg, du, datt(Rd), dq(Rd), dk(Rd), dv(Rd);
  for (int li = c_.n_layer - 1; li >= 0; --li) {
    const LayerOffsets& o = l_.layers[size_t(li)];
    const LayerActs<T>& la = a.layers[size_t(li)];
    // MLP block: x_out = x_mid + h·W_down; dx flows to x_mid unchanged and through the MLP.
    if (c_.mlp != Mlp::None) {
      dh.assign(Rf, T(0));
      du.assign(Rf, T(0));
      ops::linear_backward(la.h.data(), w + o.w_down, dx.data(), R, ff, d, dh.data(), gw + o.w_down,
                           &scratch);
      std::fill(dxn.begin(), dxn.end(), T(0));
      if (c_.mlp == Mlp::SwiGlu) {
        dg.assign(Rf, T(0));
        ops::swiglu_backward(la.g.data(), la.u.data(), dh.data(), Rf, dg.data(), du.data());
        ops::linear_backward(la.xn2.data(), w + o.w_gate, dg.data(), R, d, ff, dxn.data(), gw + o.w_gate,
                             &scratch);
      } else {
        ops::gelu_backward(la.u.data(), dh.data(), Rf, du.data());
      }
      ops::linear_backward(la.xn2.data(), w + o.w_up, du.data(), R, d, ff, dxn.data(), gw + o.w_up, &scratch);
      ops::rmsnorm_backward(la.x_mid.data(), w + o.ffn_norm, la.rstd2.data(), dxn.data(), R, d, dx.data(),
                            gw + o.ffn_norm);
    }
    // Attention block: x_mid = x + att·wo.
    std::fill(datt.begin(), datt.end(), T(0));
    ops::linear_backward(la.att.data(), w + o.wo, dx.data(), R, d, d, datt.data(), gw + o.wo, &scratch);
    std::fill(dq.begin(), dq.end(), T(0));
    std::fill(dk.begin(), dk.end(), T(0));
    std::fill(dv.begin(), dv.end(), T(0));
    ops::attention_backward(la.q.data(), la.k.data(), la.v.data(), la.p.data(), datt.data(), batch, t, H, hd,
                            head_mask_.data() + size_t(li) * H, dq.data(), dk.data(), dv.data());
    if (c_.positions == Positions::Rope) {
      ops::rope_apply(dq.data(), batch, t, H, hd, cos_.data(), sin_.data(), true);
      ops::rope_apply(dk.data(), batch, t, H, hd, cos_.data(), sin_.data(), true);
    }
    std::fill(dxn.begin(), dxn.end(), T(0));
    ops::linear_backward(la.xn1.data(), w + o.wq, dq.data(), R, d, d, dxn.data(), gw + o.wq, &scratch);
    ops::linear_backward(la.xn1.data(), w + o.wk, dk.data(), R, d, d, dxn.data(), gw + o.wk, &scratch);
    ops::linear_backward(la.xn1.data(), w + o.wv, dv.data(), R, d, d, dxn.data(), gw + o.wv, &scratch);
    ops::rmsnorm_backward(la.x.data(), w + o.attn_norm, la.rstd1.data(), dxn.data(), R, d, dx.data(),
                          gw + o.attn_norm);
  }
  if (c_.positions == Positions::Learned)
    ops::add_positions_backward(dx.data(), batch, t, d, gw + l_.pos_embd);
  ops::embed_backward(a.ids.data(), R, dx.data(), d, gw + l_.tok_embd);
}

template class Network<float>;
template class Network<double>;

}  // namespace ap::train
