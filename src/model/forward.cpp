// The forward pass, one layer after another as in llama2.c's run.c, every position of a prompt at
// once through the batched products (quant_matmul: the packed GEMM), attention through the fused
// kernel for a whole prompt and a plain loop over the cache for later positions.
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "kernels/activations.h"
#include "kernels/kernels.h"
#include "model/model.h"

namespace ap::model {

namespace {

// out (n, d) = norm of each row of x (n, d): RMSNorm x/√(mean x² + eps)·w, or LayerNorm
// (x − mean)/√(var + eps)·w + b. Sums in double (d values, cheap next to the products).
void normalize(const float* x, int n, int d, const Vec& w, const Vec& b, Norm kind, float eps, float* out) {
  for (int i = 0; i < n; ++i) {
    const float* xi = x + size_t(i) * d;
    float* oi = out + size_t(i) * d;
    if (kind == Norm::Rms) {
      double ss = 0;
      for (int j = 0; j < d; ++j) ss += double(xi[j]) * xi[j];
      const float s = float(1.0 / std::sqrt(ss / d + eps));
      for (int j = 0; j < d; ++j) oi[j] = xi[j] * s * w[j];
    } else {
      double mean = 0, var = 0;
      for (int j = 0; j < d; ++j) mean += xi[j];
      mean /= d;
      for (int j = 0; j < d; ++j) var += (xi[j] - mean) * (xi[j] - mean);
      const float s = float(1.0 / std::sqrt(var / d + eps));
      const float m = float(mean);
      for (int j = 0; j < d; ++j) oi[j] = (xi[j] - m) * s * w[j] + (b.empty() ? 0.0f : b[j]);
    }
  }
}

// x (n, cols) += bias (cols) on every row; nothing for an empty bias.
void add_bias(float* x, int n, int cols, const Vec& bias) {
  if (bias.empty()) return;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < cols; ++j) x[size_t(i) * cols + j] += bias[j];
}

// RoPE's angles for positions pos0 … pos0+n−1: pair p (0 … n_rot/2−1) is turned by
// pos·base^(−2p/n_rot). Computed once per run (in double, then rounded) and shared by q and k of
// every layer. cs, sn: (n, n_rot/2).
void rope_table(int n, int n_rot, float base, int pos0, std::vector<float>* cs, std::vector<float>* sn) {
  const int half = n_rot / 2;
  cs->resize(size_t(n) * half), sn->resize(size_t(n) * half);
  std::vector<double> freq(static_cast<size_t>(half));  // (n_rot/2)
  for (int p = 0; p < half; ++p) freq[size_t(p)] = std::pow(double(base), -2.0 * p / n_rot);
  for (int i = 0; i < n; ++i)
    for (int p = 0; p < half; ++p) {
      const double theta = double(pos0 + i) * freq[size_t(p)];
      (*cs)[size_t(i) * half + p] = float(std::cos(theta));
      (*sn)[size_t(i) * half + p] = float(std::sin(theta));
    }
}

// RoPE in place on m (n, heads·head_dim) with the table above: NORM pairs (2p, 2p+1), NEOX pairs
// (p, p + n_rot/2); dimensions past n_rot are left as they are (ggml's rope).
void rope(float* m, int n, int heads, int head_dim, int n_rot, RopeStyle style, const std::vector<float>& cs,
          const std::vector<float>& sn) {
  if (style == RopeStyle::None) return;
  const int half = n_rot / 2;
  for (int i = 0; i < n; ++i) {
    const float* c = &cs[size_t(i) * half];
    const float* s = &sn[size_t(i) * half];
    for (int h = 0; h < heads; ++h) {
      float* v = m + (size_t(i) * heads + h) * head_dim;
      for (int p = 0; p < half; ++p) {
        const int a = style == RopeStyle::Norm ? 2 * p : p;
        const int b = style == RopeStyle::Norm ? 2 * p + 1 : p + half;
        const float x0 = v[a], x1 = v[b];
        v[a] = x0 * c[p] - x1 * s[p];
        v[b] = x0 * s[p] + x1 * c[p];
      }
    }
  }
}

float gelu(float x) {  // ggml's tanh approximation
  return 0.5f * x * (1.0f + std::tanh(0.7978845608028654f * (x + 0.044715f * x * x * x)));
}

}  // namespace

std::string Model::check_ids(const int32_t* ids, int n) const {
  for (int i = 0; i < n; ++i)
    if (ids[i] < 0 || ids[i] >= config_.vocab)
      return "token id " + std::to_string(ids[i]) + " at position " + std::to_string(i) +
             " is outside the vocabulary (0 … " + std::to_string(config_.vocab - 1) + ")";
  return "";
}

std::string Model::check_head_mask(const HeadMask* off) const {
  if (!off || off->empty()) return "";
  const size_t heads = size_t(config_.n_layer) * size_t(config_.n_head);
  if (off->size() != heads)
    return "the head mask has " + std::to_string(off->size()) + " entries; this model has " +
           std::to_string(heads) + " heads (" + std::to_string(config_.n_layer) + " layers × " +
           std::to_string(config_.n_head) + ")";
  return "";
}

void Model::run(const int32_t* ids, int n, int pos0, std::vector<std::vector<float>>* k_cache,
                std::vector<std::vector<float>>* v_cache, std::vector<LayerState>* keep, int logit_rows,
                float* logits, const HeadMask* off) const {
  const bool ablating = off && !off->empty();
  const Config& c = config_;
  const int d = c.d_model, hd = c.head_dim, qd = c.n_head * hd, kvd = c.n_kv_head * hd, ff = c.n_ff;
  const int group = c.n_head / c.n_kv_head;  // query heads per K/V head
  const float scale = 1.0f / std::sqrt(float(hd));
  const size_t N = size_t(n);
  std::vector<float> x(N * d), xn(N * d), q(N * qd), att(N * qd), proj(N * d);  // (n, ·) each
  std::vector<float> k(N * kvd), v(N * kvd);                                    // (n, n_kv·head_dim)
  std::vector<float> up(N * ff), gate(c.gelu_mlp ? 0 : N * ff);                 // (n, n_ff)

  std::vector<float> rope_cos, rope_sin;  // (n, n_rot/2) each
  if (c.rope != RopeStyle::None) rope_table(n, c.n_rot, c.rope_base, pos0, &rope_cos, &rope_sin);

  // Embeddings (and gpt2's learned positions).
  for (int i = 0; i < n; ++i) {
    dequantize_row(token_embd_, ids[i], x.data() + size_t(i) * d);
    if (position_embd_.rows) {
      dequantize_row(position_embd_, pos0 + i, proj.data());
      for (int j = 0; j < d; ++j) x[size_t(i) * d + j] += proj[size_t(j)];
    }
  }

  for (int l = 0; l < c.n_layer; ++l) {
    const LayerWeights& w = layers_[size_t(l)];
    // Attention block: xn = norm(x); q, k, v = projections (+ biases); RoPE on q and k.
    normalize(x.data(), n, d, w.attn_norm, w.attn_norm_b, c.norm, c.norm_eps, xn.data());
    if (w.wqkv.rows) {
      std::vector<float> qkv(N * 3 * d);  // (n, 3·d_model): q, k, v side by side
      quant_matmul(xn.data(), n, w.wqkv, qkv.data());
      add_bias(qkv.data(), n, 3 * d, w.bqkv);
      for (size_t i = 0; i < N; ++i) {
        std::copy_n(&qkv[i * 3 * d], d, &q[i * qd]);
        std::copy_n(&qkv[i * 3 * d + d], d, &k[i * kvd]);
        std::copy_n(&qkv[i * 3 * d + 2 * d], d, &v[i * kvd]);
      }
    } else {
      quant_matmul(xn.data(), n, w.wq, q.data());
      quant_matmul(xn.data(), n, w.wk, k.data());
      quant_matmul(xn.data(), n, w.wv, v.data());
      add_bias(q.data(), n, qd, w.bq);
      add_bias(k.data(), n, kvd, w.bk);
      add_bias(v.data(), n, kvd, w.bv);
    }
    rope(q.data(), n, c.n_head, hd, c.n_rot, c.rope, rope_cos, rope_sin);
    rope(k.data(), n, c.n_kv_head, hd, c.n_rot, c.rope, rope_cos, rope_sin);
    std::vector<float>& kc = (*k_cache)[size_t(l)];  // (pos0 + n, kvd)
    std::vector<float>& vc = (*v_cache)[size_t(l)];
    kc.resize(size_t(pos0) * kvd);
    vc.resize(size_t(pos0) * kvd);
    kc.insert(kc.end(), k.begin(), k.end());
    vc.insert(vc.end(), v.begin(), v.end());
    if (keep) {
      LayerState& s = (*keep)[size_t(l)];
      s.x = xn;
      s.q = q;
    }

    // Causal attention of each query head on its K/V head.
    if (pos0 == 0 && n > 1) {
      // A whole prompt: the fused kernel, K/V heads repeated for the query heads that share them.
      const std::vector<float>* ke = &k;
      const std::vector<float>* ve = &v;
      std::vector<float> kx, vx;  // (n, n_head·head_dim)
      if (group > 1) {
        kx.resize(N * qd), vx.resize(N * qd);
        for (size_t i = 0; i < N; ++i)
          for (int h = 0; h < c.n_head; ++h) {
            std::copy_n(&k[i * kvd + size_t(h / group) * hd], hd, &kx[i * qd + size_t(h) * hd]);
            std::copy_n(&v[i * kvd + size_t(h / group) * hd], hd, &vx[i * qd + size_t(h) * hd]);
          }
        ke = &kx, ve = &vx;
      }
      SdpaOptions opt;
      opt.causal = true;
      opt.scale = scale;
      scaled_dot_product_attention(q.data(), ke->data(), ve->data(), att.data(), n, c.n_head, hd, opt);
    } else {
      // Later positions: every query over the cache up to its own position.
      std::vector<float> s(size_t(pos0 + n));  // (keys) one row of scores
      for (int i = 0; i < n; ++i) {
        const int keys = pos0 + i + 1;
        for (int h = 0; h < c.n_head; ++h) {
          const float* qi = &q[size_t(i) * qd + size_t(h) * hd];
          const size_t off = size_t(h / group) * hd;
          float mx = -std::numeric_limits<float>::infinity();
          for (int j = 0; j < keys; ++j) {
            const float* kj = &kc[size_t(j) * kvd + off];
            float dot = 0;
            for (int e = 0; e < hd; ++e) dot += qi[e] * kj[e];
            s[size_t(j)] = dot * scale;
            mx = std::max(mx, s[size_t(j)]);
          }
          float sum = 0;
          for (int j = 0; j < keys; ++j) sum += (s[size_t(j)] = std::exp(s[size_t(j)] - mx));
          float* o = &att[size_t(i) * qd + size_t(h) * hd];
          std::fill(o, o + hd, 0.0f);
          for (int j = 0; j < keys; ++j) {
            const float wj = s[size_t(j)] / sum;
            const float* vj = &vc[size_t(j) * kvd + off];
            for (int e = 0; e < hd; ++e) o[e] += wj * vj[e];
          }
        }
      }
    }
    // Ablated heads: their head_dim columns of att (n, n_head·head_dim) are zeroed before W_O.
    if (ablating)
      for (int h = 0; h < c.n_head; ++h)
        if ((*off)[size_t(l) * c.n_head + h])
          for (size_t i = 0; i < N; ++i) std::fill_n(&att[i * qd + size_t(h) * hd], hd, 0.0f);
    quant_matmul(att.data(), n, w.wo, proj.data());
    add_bias(proj.data(), n, d, w.bo);
    for (size_t e = 0; e < N * d; ++e) x[e] += proj[e];

    // MLP block: xn = norm(x); SwiGLU down(silu(gate·xn) ⊙ up·xn) or GELU down(gelu(up·xn + b)).
    normalize(x.data(), n, d, w.ffn_norm, w.ffn_norm_b, c.norm, c.norm_eps, xn.data());
    quant_matmul(xn.data(), n, w.ffn_up, up.data());
    add_bias(up.data(), n, ff, w.b_up);
    if (c.gelu_mlp) {
      for (float& e : up) e = gelu(e);
    } else {
      quant_matmul(xn.data(), n, w.ffn_gate, gate.data());
      silu_mul(gate.data(), up.data(), up.size());
    }
    quant_matmul(up.data(), n, w.ffn_down, proj.data());
    add_bias(proj.data(), n, d, w.b_down);
    for (size_t e = 0; e < N * d; ++e) x[e] += proj[e];
  }

  // Final norm and the output matrix, for the last logit_rows positions.
  const int first = n - logit_rows;
  normalize(x.data() + size_t(first) * d, logit_rows, d, output_norm_, output_norm_b_, c.norm, c.norm_eps,
            xn.data());
  quant_matmul(xn.data(), logit_rows, output_, logits);
}

std::string Model::forward(const int32_t* ids, int n, Forward* out, bool keep_layers,
                           const HeadMask* off) const {
  const Config& c = config_;
  if (n < 1 || n > c.n_ctx)
    return "a forward takes 1 to " + std::to_string(c.n_ctx) + " tokens (the context length), not " +
           std::to_string(n);
  if (std::string e = check_ids(ids, n); !e.empty()) return e;
  if (std::string e = check_head_mask(off); !e.empty()) return e;
  Forward f;
  f.n = n, f.vocab = c.vocab;
  f.logits.resize(size_t(n) * c.vocab);
  std::vector<std::vector<float>> kc(size_t(c.n_layer)), vc(size_t(c.n_layer));
  if (keep_layers) f.layers.resize(size_t(c.n_layer));
  run(ids, n, 0, &kc, &vc, keep_layers ? &f.layers : nullptr, n, f.logits.data(), off);
  if (keep_layers)
    for (int l = 0; l < c.n_layer; ++l) {
      f.layers[size_t(l)].k = std::move(kc[size_t(l)]);
      f.layers[size_t(l)].v = std::move(vc[size_t(l)]);
    }
  *out = std::move(f);
  return "";
}

size_t Forward::memory_bytes() const {
  size_t b = logits.capacity() * sizeof(float);
  for (const auto& s : layers)
    b += (s.x.capacity() + s.q.capacity() + s.k.capacity() + s.v.capacity()) * sizeof(float);
  return b;
}

std::string Model::trace(const Forward& f, int layer, int head, HeadTrace* out) const {
  const Config& c = config_;
  if (f.layers.empty()) return "this forward did not keep its layers (keep_layers was false)";
  if (layer < 0 || layer >= c.n_layer)
    return "layer " + std::to_string(layer) + " is outside 0 … " + std::to_string(c.n_layer - 1);
  if (head < 0 || head >= c.n_head)
    return "head " + std::to_string(head) + " is outside 0 … " + std::to_string(c.n_head - 1);
  const LayerState& s = f.layers[size_t(layer)];
  const int n = f.n, hd = c.head_dim, qd = c.n_head * hd, kvd = c.n_kv_head * hd;
  const int g = head / (c.n_head / c.n_kv_head);
  HeadTrace t;
  t.n = n, t.d_model = c.d_model, t.head_dim = hd, t.kv_head = g;
  t.x = s.x;
  t.q.resize(size_t(n) * hd), t.k.resize(size_t(n) * hd), t.v.resize(size_t(n) * hd);
  for (int i = 0; i < n; ++i) {
    std::copy_n(&s.q[size_t(i) * qd + size_t(head) * hd], hd, &t.q[size_t(i) * hd]);
    std::copy_n(&s.k[size_t(i) * kvd + size_t(g) * hd], hd, &t.k[size_t(i) * hd]);
    std::copy_n(&s.v[size_t(i) * kvd + size_t(g) * hd], hd, &t.v[size_t(i) * hd]);
  }
  const size_t nn = size_t(n) * n;
  t.scores.assign(nn, -std::numeric_limits<float>::infinity());
  t.weights.assign(nn, 0.0f);
  t.head_output.assign(size_t(n) * hd, 0.0f);
  std::vector<float> kt(size_t(hd) * n);  // (head_dim, n) Kᵀ, so Q·Kᵀ is one GEMM
  for (int j = 0; j < n; ++j)
    for (int e = 0; e < hd; ++e) kt[size_t(e) * n + j] = t.k[size_t(j) * hd + e];
  std::vector<float> qk(nn);  // (n, n) q_i·k_j
  matmul(t.q.data(), kt.data(), qk.data(), n, hd, n);
  const float scale = 1.0f / std::sqrt(float(hd));
  for (int i = 0; i < n; ++i) {
    float* si = &t.scores[size_t(i) * n];
    float* wi = &t.weights[size_t(i) * n];
    float mx = -std::numeric_limits<float>::infinity();
    for (int j = 0; j <= i; ++j) mx = std::max(mx, si[j] = qk[size_t(i) * n + j] * scale);
    double sum = 0;
    for (int j = 0; j <= i; ++j) sum += (wi[j] = std::exp(si[j] - mx));
    const float inv = float(1.0 / sum);
    for (int j = 0; j <= i; ++j) wi[j] *= inv;
  }
  matmul(t.weights.data(), t.v.data(), t.head_output.data(), n, n, hd);
  *out = std::move(t);
  return "";
}

std::string Model::attention(const Forward& f, int layer, int head, std::vector<float>* weights) const {
  HeadTrace t;
  if (std::string e = trace(f, layer, head, &t); !e.empty()) return e;
  *weights = std::move(t.weights);
  return "";
}

// ============================================================================
// Generation
// ============================================================================

Session::Session(const Model& model, HeadMask off)
    : model_(&model),
      k_(size_t(model.config().n_layer)),
      v_(size_t(model.config().n_layer)),
      off_(std::move(off)) {}

std::string Session::append(const int32_t* ids, int n, std::vector<float>* last_logits) {
  const Config& c = model_->config();
  if (n < 1) return "nothing to append";
  if (n_ + n > c.n_ctx)
    return "the context is full: " + std::to_string(n_) + " positions held, " + std::to_string(n) +
           " more would pass the context length " + std::to_string(c.n_ctx);
  if (std::string e = model_->check_ids(ids, n); !e.empty()) return e;
  if (std::string e = model_->check_head_mask(&off_); !e.empty()) return e;
  last_logits->resize(size_t(c.vocab));
  model_->run(ids, n, n_, &k_, &v_, nullptr, 1, last_logits->data(), &off_);
  n_ += n;
  return "";
}

size_t Session::memory_bytes() const {
  size_t b = 0;
  for (size_t l = 0; l < k_.size(); ++l) b += (k_[l].capacity() + v_[l].capacity()) * sizeof(float);
  return b;
}

std::string Model::generate(const int32_t* prompt, int n, int steps, const SampleOptions& opt,
                            std::vector<int32_t>* out, const HeadMask* off) const {
  if (!(opt.temperature >= 0.0f) || !std::isfinite(opt.temperature))
    return "the temperature must be 0 (greedy) or a positive number";
  if (!(opt.top_p > 0.0f && opt.top_p <= 1.0f)) return "top_p must be in (0, 1]";
  if (opt.top_k < 0) return "top_k must be 0 (all) or positive";
  if (steps < 0) return "steps must not be negative";
  if (n < 1) return "generation needs a prompt of at least one token";
  if (int64_t(n) + steps - 1 > config_.n_ctx)
    return "a prompt of " + std::to_string(n) + " tokens and " + std::to_string(steps) +
           " new ones pass the context length " + std::to_string(config_.n_ctx);
  if (std::string e = check_head_mask(off); !e.empty()) return e;
  Session s(*this, off ? *off : HeadMask{});
  std::vector<float> logits;
  if (std::string e = s.append(prompt, n, &logits); !e.empty()) return e;
  std::vector<int32_t> ids;
  uint64_t state = opt.seed;
  for (int t = 0; t < steps; ++t) {
    const int32_t next = sample(logits.data(), config_.vocab, opt, &state);
    ids.push_back(next);
    if (t + 1 < steps)
      if (std::string e = s.append(&next, 1, &logits); !e.empty()) return e;
  }
  *out = std::move(ids);
  return "";
}

namespace {
uint64_t splitmix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
}  // namespace

int sample(const float* logits, int count, const SampleOptions& opt, uint64_t* state) {
  int best = 0;
  for (int j = 1; j < count; ++j)
    if (logits[j] > logits[best]) best = j;
  if (opt.temperature <= 0.0f) return best;
  // Probabilities up to a constant, most likely first (ties by lower id).
  std::vector<std::pair<double, int>> p(static_cast<size_t>(count));
  for (int j = 0; j < count; ++j)
    p[size_t(j)] = {std::exp((double(logits[j]) - logits[best]) / opt.temperature), j};
  std::sort(p.begin(), p.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  size_t keep = opt.top_k > 0 ? std::min(size_t(opt.top_k), p.size()) : p.size();
  double total = 0;
  for (size_t j = 0; j < keep; ++j) total += p[j].first;
  if (opt.top_p < 1.0f) {
    double cum = 0;
    size_t j = 0;
    while (j < keep) {
      cum += p[j++].first;
      if (cum >= opt.top_p * total) break;
    }
    keep = j, total = cum;
  }
  const double u = double(splitmix64(state) >> 11) * 0x1.0p-53 * total;  // [0, total)
  double cum = 0;
  for (size_t j = 0; j < keep; ++j) {
    cum += p[j].first;
    if (u < cum) return p[j].second;
  }
  return p[keep - 1].second;
}

}  // namespace ap::model
