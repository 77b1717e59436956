// The training forward and backward of the whole model (config.h), on a batch of B sequences of
// n_ctx positions: forward keeps every activation backward needs; backward ADDS the gradient of
// the mean masked cross-entropy into a buffer of the parameters' layout. Templated on the scalar
// type (float trains; double checks gradients), instantiated for both in network.cpp.
#pragma once

#include <string>
#include <vector>

#include "train/config.h"

namespace ap::train {

// One layer's saved activations; R = B·n_ctx rows, d = d_model, H heads.
template <typename T>
struct LayerActs {
  std::vector<T> x;        // (R, d) the block's input (residual stream)
  std::vector<T> xn1;      // (R, d) attn_norm output
  std::vector<T> rstd1;    // (R)
  std::vector<T> q, k, v;  // (R, d) projections; q, k after RoPE
  std::vector<T> p;        // (B, H, T, T) attention weights, softmax over the last axis (keys)
  std::vector<T> att;      // (R, d) heads' outputs side by side (ablated heads zero), before wo
  std::vector<T> x_mid;    // (R, d) x + att·wo
  std::vector<T> xn2;      // (R, d) ffn_norm output (MLP only)
  std::vector<T> rstd2;    // (R)
  std::vector<T> g, u;     // (R, n_ff) gate and up projections (g: SwiGLU only)
  std::vector<T> h;        // (R, n_ff) activation output
};

template <typename T>
struct Acts {
  int batch = 0;
  std::vector<int> ids, targets;  // (R)
  std::vector<float> mask;        // (R) 1 where the loss counts
  std::vector<LayerActs<T>> layers;
  std::vector<T> x_final;  // (R, d) last block's output
  std::vector<T> xnf;      // (R, d) output_norm output
  std::vector<T> rstdf;    // (R)
  std::vector<T> logits;   // (R, vocab)
  std::vector<T> probs;    // (R, vocab) softmax over the vocabulary
  std::vector<T> dlogits;  // (R, vocab) gradient of the loss
  T loss = 0;
  int correct = 0, counted = 0;  // masked positions predicted right (argmax) / counted
};

template <typename T>
class Network {
 public:
  // config must pass validate(); head_mask (n_layer·n_head) of 1 (on) / 0 (ablated), all on by default.
  explicit Network(const Config& config);
  const Config& config() const { return c_; }
  const Layout& layout() const { return l_; }

  // Sets the whole head mask (n_layer·n_head values) or one head. "" or what is wrong.
  std::string set_head_mask(const std::vector<float>& mask);
  std::string set_head(int layer, int head, bool on);
  const std::vector<float>& head_mask() const { return head_mask_; }

  // ids, targets, mask: (batch·n_ctx); every id and target in 0 … vocab−1 (checked). Fills acts,
  // the loss and accuracy; with_grad also computes dlogits. "" or what is wrong.
  std::string forward(const T* params, const int* ids, const int* targets, const float* mask, int batch,
                      Acts<T>* acts, bool with_grad) const;
  // grad (layout().size) += ∂loss/∂params, from a forward run with_grad.
  void backward(const T* params, const Acts<T>& acts, T* grad) const;

 private:
  Config c_;
  Layout l_;
  std::vector<float> head_mask_;  // (n_layer, n_head)
  std::vector<T> cos_, sin_;      // (n_ctx, head_dim/2) RoPE tables
};

extern template class Network<float>;
extern template class Network<double>;

}  // namespace ap::train
