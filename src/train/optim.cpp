#include "train/optim.h"

#include <cmath>

#include "train/detmath.h"

namespace ap::train {

float learning_rate(const Schedule& s, int step) {
  if (step < s.warmup) return s.lr * float(step + 1) / float(s.warmup);
  const int span = s.total_steps - s.warmup;
  if (span <= 0 || step >= s.total_steps) return s.min_lr;
  const double progress = double(step - s.warmup) / double(span);  // [0, 1)
  double f;
  if (s.decay == Decay::Cosine) {
    double sn, cs;
    det_sincos(3.14159265358979323846 * progress, &sn, &cs);
    f = 0.5 * (1.0 + cs);
  } else {
    f = 1.0 - progress;
  }
  return float(double(s.min_lr) + (double(s.lr) - double(s.min_lr)) * f);
}

double global_norm(const float* g, size_t n) {
  double ss = 0;
  for (size_t i = 0; i < n; ++i) ss += double(g[i]) * double(g[i]);
  return std::sqrt(ss);
}

Optimizer::Optimizer(const Config& config, const AdamW& hp) : hp_(hp) {
  const Layout l = layout_of(config);
  m_.assign(l.size, 0.0f);
  v_.assign(l.size, 0.0f);
  decay_.assign(l.size, 0);
  for (const TensorView& t : tensors_of(config))
    if (t.decay)
      for (size_t i = 0; i < size_t(t.rows) * t.cols; ++i) decay_[t.offset + i] = 1;
}

float Optimizer::step(float* p, float* g, float lr) {
  const size_t n = m_.size();
  const double norm = global_norm(g, n);
  if (hp_.clip > 0 && norm > hp_.clip) {
    const float s = float(hp_.clip / norm);
    for (size_t i = 0; i < n; ++i) g[i] *= s;
  }
  ++t_;
  b1t_ *= hp_.beta1;
  b2t_ *= hp_.beta2;
  // m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t); p ← p·(1 − lr·λ) − lr·m̂/(√v̂ + ε).
  const float c1 = float(1.0 / (1.0 - b1t_)), c2 = float(1.0 / (1.0 - b2t_));
  const float b1 = hp_.beta1, b2 = hp_.beta2, shrink = 1.0f - lr * hp_.weight_decay;
  for (size_t i = 0; i < n; ++i) {
    m_[i] = b1 * m_[i] + (1.0f - b1) * g[i];
    v_[i] = b2 * v_[i] + (1.0f - b2) * g[i] * g[i];
    const float mh = m_[i] * c1, vh = v_[i] * c2;
    if (decay_[i]) p[i] *= shrink;
    p[i] -= lr * mh / (std::sqrt(vh) + hp_.eps);
  }
  return float(norm);
}

}  // namespace ap::train
