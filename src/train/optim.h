// AdamW (decoupled weight decay, Loshchilov & Hutter), the learning-rate schedule (linear warm-up,
// then cosine or linear decay to min_lr) and global-norm gradient clipping.
//
// Weight decay applies to the matrices (tensors_of's `decay`: wq … w_down, output) and not to
// the RMSNorm gains or the embeddings: decaying a gain pulls it towards 0, not towards "no
// change", and an embedding row of a rare token would shrink whenever its token is absent.
#pragma once

#include <cstddef>
#include <vector>

#include "train/config.h"

namespace ap::train {

enum class Decay { Cosine, Linear };

struct Schedule {
  float lr = 3e-3f;       // peak learning rate
  float min_lr = 3e-4f;   // reached at total_steps
  int warmup = 20;        // steps of linear warm-up: step s (from 0) uses lr·(s+1)/warmup
  int total_steps = 500;  // after warm-up, decay over the remaining steps
  Decay decay = Decay::Cosine;
};

// The learning rate of step `step` (0-based); min_lr from total_steps on.
float learning_rate(const Schedule& s, int step);

struct AdamW {
  float beta1 = 0.9f, beta2 = 0.99f, eps = 1e-8f;
  float weight_decay = 0.01f;
  float clip = 1.0f;  // global gradient norm cap; <= 0: no clipping
};

// The optimiser's state over a flat parameter buffer (config.h's layout).
class Optimizer {
 public:
  Optimizer(const Config& config, const AdamW& hp);
  // One step at learning rate lr: clips grad (in place) to the global norm, then updates params.
  // Returns the gradient norm before clipping.
  float step(float* params, float* grad, float lr);
  int steps() const { return t_; }
  const std::vector<float>& m() const { return m_; }
  const std::vector<float>& v() const { return v_; }

 private:
  AdamW hp_;
  std::vector<float> m_, v_;          // first and second moments, (layout size)
  std::vector<unsigned char> decay_;  // 1 where weight decay applies
  int t_ = 0;
  double b1t_ = 1.0, b2t_ = 1.0;  // beta1^t, beta2^t by repeated products (no pow)
};

// √(Σ g²), summed in double in index order.
double global_norm(const float* g, size_t n);

}  // namespace ap::train
