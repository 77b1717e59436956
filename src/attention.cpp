#include "attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "kernels.h"

namespace ap {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
// The trace keeps scores and weights for every head: 2·heads·n² floats. Cap it.
constexpr long long kMaxTraceCells = 32ll * 1024 * 1024;

// Index of the first non-finite value, or -1.
long long first_non_finite(const float* p, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    if (!std::isfinite(p[i])) return static_cast<long long>(i);
  }
  return -1;
}

// SplitMix64: a counter-based generator, so element i of a seeded stream is a pure function of
// (seed, i) and every platform produces the same bits.
uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Uniform in (0, 1]: never 0, so log() below is finite.
double uniform01(uint64_t bits) { return (static_cast<double>(bits >> 11) + 1.0) * 0x1.0p-53; }

// Fills out[0..count) with N(0, stddev²) by Box–Muller on the stream (seed, i).
void fill_normal(float* out, size_t count, uint64_t seed, float stddev) {
  const uint64_t base = splitmix64(seed);
  for (size_t i = 0; i < count; i += 2) {
    const double u1 = uniform01(splitmix64(base + 2 * i));
    const double u2 = uniform01(splitmix64(base + 2 * i + 1));
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * M_PI * u2;
    out[i] = static_cast<float>(r * std::cos(angle) * stddev);
    if (i + 1 < count) out[i + 1] = static_cast<float>(r * std::sin(angle) * stddev);
  }
}

uint64_t fnv1a64(std::string_view text) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001B3ull;
  }
  return h;
}

}  // namespace

// ===========================================================================
// Names
// ===========================================================================

bool parse_positional(std::string_view name, Positional* out) {
  static const struct {
    const char* name;
    Positional value;
  } table[] = {{"none", Positional::None},
               {"sinusoidal", Positional::Sinusoidal},
               {"rope", Positional::Rope},
               {"alibi", Positional::Alibi}};
  for (const auto& entry : table) {
    if (name == entry.name) {
      *out = entry.value;
      return true;
    }
  }
  return false;
}

const char* positional_name(Positional p) {
  switch (p) {
    case Positional::None:
      return "none";
    case Positional::Sinusoidal:
      return "sinusoidal";
    case Positional::Rope:
      return "rope";
    case Positional::Alibi:
      return "alibi";
  }
  return "unknown";
}

// ===========================================================================
// Validation
// ===========================================================================

std::string validate(const AttentionConfig& c, const AttentionInputs& in, Mode mode) {
  std::ostringstream msg;
  if (c.n < 1) return "n (the number of tokens) must be at least 1; the input is empty";
  const int max_tokens = mode == Mode::Trace ? kMaxTokens : kMaxTokensOutputOnly;
  if (c.n > max_tokens) {
    msg << "n = " << c.n << " tokens is more than the limit of " << max_tokens
        << (mode == Mode::Trace ? " for a full trace" : "");
    return msg.str();
  }
  if (c.d_model < 1 || c.d_model > kMaxModelDim) {
    msg << "dModel must be between 1 and " << kMaxModelDim << ", got " << c.d_model;
    return msg.str();
  }
  if (c.heads < 1 || c.heads > kMaxHeads) {
    msg << "heads must be between 1 and " << kMaxHeads << ", got " << c.heads;
    return msg.str();
  }
  if (c.d_model % c.heads != 0) {
    msg << "dModel (" << c.d_model << ") must be divisible by heads (" << c.heads << ")";
    return msg.str();
  }
  const int d_head = c.d_model / c.heads;
  if (c.positional == Positional::Rope && d_head % 2 != 0) {
    msg << "RoPE rotates pairs of dimensions, so dModel / heads must be even; it is " << d_head;
    return msg.str();
  }
  if (!std::isfinite(c.temperature) || c.temperature <= 0.0f) {
    msg << "temperature must be a finite number greater than 0, got " << c.temperature;
    return msg.str();
  }
  const bool cross = in.x_kv != nullptr;
  if (cross && mode == Mode::OutputOnly) return "cross-attention needs a full trace";
  if (mode == Mode::OutputOnly && (in.mask || in.key_padding)) {
    return "custom masks and key padding need a full trace; the output-only path knows only the causal mask";
  }
  if (cross && (c.n_kv < 1 || c.n_kv > kMaxTokens)) {
    msg << "n_kv (the tokens of the second sentence) must be between 1 and " << kMaxTokens << ", got "
        << c.n_kv;
    return msg.str();
  }
  const int n_kv = cross ? c.n_kv : c.n;
  const long long cells = 1ll * c.heads * c.n * n_kv;
  if (mode == Mode::Trace && cells > kMaxTraceCells) {
    msg << "a full trace of " << c.heads << " heads × " << c.n << "×" << n_kv << " scores is too large ("
        << (cells * 8 >> 20) << " MB); use fewer tokens or heads, or ask for the output only";
    return msg.str();
  }
  const size_t x_count = static_cast<size_t>(c.n) * c.d_model;
  const size_t w_count = static_cast<size_t>(c.d_model) * c.d_model;
  if (!in.x) return "x is missing";
  if (in.x_size != x_count) {
    msg << "x must hold n·dModel = " << c.n << "·" << c.d_model << " = " << x_count << " values, got "
        << in.x_size;
    return msg.str();
  }
  const struct {
    const char* name;
    const float* data;
  } weights[] = {{"wq", in.wq}, {"wk", in.wk}, {"wv", in.wv}, {"wo", in.wo}};
  for (const auto& w : weights) {
    if (!w.data) return std::string(w.name) + " is missing";
    if (in.w_size != w_count) {
      msg << w.name << " must hold dModel² = " << c.d_model << "² = " << w_count << " values, got "
          << in.w_size;
      return msg.str();
    }
  }
  if (cross && in.x_kv_size != static_cast<size_t>(n_kv) * c.d_model) {
    msg << "xKv must hold nKv·dModel = " << n_kv << "·" << c.d_model << " = "
        << static_cast<size_t>(n_kv) * c.d_model << " values, got " << in.x_kv_size;
    return msg.str();
  }
  if (in.mask && in.mask_size != static_cast<size_t>(c.n) * n_kv) {
    msg << "mask must hold n·nKv = " << c.n << "·" << n_kv << " = " << static_cast<size_t>(c.n) * n_kv
        << " values, got " << in.mask_size;
    return msg.str();
  }
  if (in.key_padding && in.key_padding_size != static_cast<size_t>(n_kv)) {
    msg << "keyPadding must hold one value per key (" << n_kv << "), got " << in.key_padding_size;
    return msg.str();
  }
  if (long long at = first_non_finite(in.x, x_count); at >= 0) {
    msg << "x holds a non-finite value (" << in.x[at] << ") at row " << at / c.d_model << ", column "
        << at % c.d_model;
    return msg.str();
  }
  if (cross) {
    if (long long at = first_non_finite(in.x_kv, static_cast<size_t>(n_kv) * c.d_model); at >= 0) {
      msg << "xKv holds a non-finite value (" << in.x_kv[at] << ") at row " << at / c.d_model << ", column "
          << at % c.d_model;
      return msg.str();
    }
  }
  for (const auto& w : weights) {
    if (long long at = first_non_finite(w.data, w_count); at >= 0) {
      msg << w.name << " holds a non-finite value (" << w.data[at] << ") at row " << at / c.d_model
          << ", column " << at % c.d_model;
      return msg.str();
    }
  }
  return "";
}

// ===========================================================================
// Building blocks
// ===========================================================================

void add_sinusoidal(MatrixMap x) {
  const int d = static_cast<int>(x.cols());
  for (int pos = 0; pos < x.rows(); ++pos) {
    for (int j = 0; j < d; ++j) {
      const int pair = j / 2;
      const double angle = pos / std::pow(10000.0, 2.0 * pair / d);
      x(pos, j) += static_cast<float>(j % 2 == 0 ? std::sin(angle) : std::cos(angle));
    }
  }
}

void apply_rope(MatrixMap m, int d_head) {
  std::vector<float> cos_table(d_head / 2), sin_table(d_head / 2);
  for (int pos = 0; pos < m.rows(); ++pos) {
    for (int j = 0; j + 1 < d_head; j += 2) {
      const double angle = pos / std::pow(10000.0, static_cast<double>(j) / d_head);
      cos_table[j / 2] = static_cast<float>(std::cos(angle));
      sin_table[j / 2] = static_cast<float>(std::sin(angle));
    }
    for (int base = 0; base + d_head <= m.cols(); base += d_head) {
      for (int j = 0; j + 1 < d_head; j += 2) {
        const float c = cos_table[j / 2], s = sin_table[j / 2];
        const float a = m(pos, base + j), b = m(pos, base + j + 1);
        m(pos, base + j) = a * c - b * s;
        m(pos, base + j + 1) = a * s + b * c;
      }
    }
  }
}

float entropy(const float* weights, int count) {
  double sum = 0.0;
  for (int j = 0; j < count; ++j) {
    if (weights[j] > 0.0f) sum -= weights[j] * std::log(static_cast<double>(weights[j]));
  }
  return static_cast<float>(sum);
}

float alibi_slope(int head, int heads) { return static_cast<float>(std::exp2(-8.0 * (head + 1) / heads)); }

void softmax_rows(MatrixMap m) {
  for (int i = 0; i < m.rows(); ++i) {
    auto row = m.row(i);
    const float max = row.maxCoeff();
    if (max == kNegInf) {  // nothing left unmasked: weights 0, never NaN
      row.setZero();
      continue;
    }
    float sum = 0.0f;
    for (int j = 0; j < row.size(); ++j) {
      // exp(−∞ − max) is exactly 0, so masked cells stay exactly 0.
      row(j) = std::exp(row(j) - max);
      sum += row(j);
    }
    row /= sum;
  }
}

// ===========================================================================
// Multi-head attention with a trace of every intermediate
// ===========================================================================

AttentionTrace multi_head_attention(const AttentionConfig& c, const AttentionInputs& in) {
  if (std::string err = validate(c, in); !err.empty()) throw std::invalid_argument(err);

  const bool cross = in.x_kv != nullptr;
  AttentionTrace t;
  t.n = c.n;
  t.n_kv = cross ? c.n_kv : c.n;
  t.d_model = c.d_model;
  t.heads = c.heads;
  t.d_head = c.d_model / c.heads;
  const int n = t.n, nk = t.n_kv, dm = c.d_model, dh = t.d_head;

  // 1. Input and positional encoding. x: (n, d_model); x_kv: (n_kv, d_model), positions from 0.
  t.x = ConstMatrixMap(in.x, n, dm);
  if (c.positional == Positional::Sinusoidal) add_sinusoidal(MatrixMap(t.x.data(), n, dm));
  if (cross) {
    t.x_kv = ConstMatrixMap(in.x_kv, nk, dm);
    if (c.positional == Positional::Sinusoidal) add_sinusoidal(MatrixMap(t.x_kv.data(), nk, dm));
  }
  const float* source = cross ? t.x_kv.data() : t.x.data();

  // 2. Projections for all heads at once: q (n, d_model), k and v (n_kv, d_model); RoPE rotates
  //    q and k per head.
  Matrix q_all(n, dm), k_all(nk, dm), v_all(nk, dm);
  matmul(t.x.data(), in.wq, q_all.data(), n, dm, dm);
  matmul(source, in.wk, k_all.data(), nk, dm, dm);
  matmul(source, in.wv, v_all.data(), nk, dm, dm);
  if (c.positional == Positional::Rope) {
    apply_rope(MatrixMap(q_all.data(), n, dm), dh);
    apply_rope(MatrixMap(k_all.data(), nk, dm), dh);
  }

  // The combined mask, (n, n_kv): true where query i may attend to key j.
  Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> allowed(n, nk);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < nk; ++j)
      allowed(i, j) = !(c.causal && j > i) && !(in.mask && in.mask[static_cast<size_t>(i) * nk + j] == 0) &&
                      !(in.key_padding && in.key_padding[j] != 0);

  const float scale = (c.scale ? 1.0f / std::sqrt(static_cast<float>(dh)) : 1.0f) / c.temperature;
  t.concat.resize(n, dm);
  t.entropy.resize(c.heads, n);
  for (int h = 0; h < c.heads; ++h) {
    // 3. Split: head h takes columns h·d_head … (h+1)·d_head−1.
    Matrix q = q_all.middleCols(h * dh, dh);  // (n, d_head)
    Matrix k = k_all.middleCols(h * dh, dh);  // (n_kv, d_head)
    Matrix v = v_all.middleCols(h * dh, dh);  // (n_kv, d_head)

    // 4. Scores (n, n_kv) = q·kᵀ · scale, then the ALiBi bias and the masks.
    Matrix scores = (q * k.transpose()) * scale;
    const float m = c.positional == Positional::Alibi ? alibi_slope(h, c.heads) : 0.0f;
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < nk; ++j) {
        if (m != 0.0f) scores(i, j) -= m * static_cast<float>(std::abs(i - j));
        if (!allowed(i, j)) scores(i, j) = kNegInf;
      }
    }

    // 5. Softmax over keys (the last axis), and each row's entropy.
    Matrix weights = scores;
    softmax_rows(MatrixMap(weights.data(), n, nk));
    for (int i = 0; i < n; ++i) t.entropy(h, i) = entropy(weights.row(i).data(), nk);

    // 6. Weighted sum of values: (n, d_head).
    Matrix out = weights * v;
    t.concat.middleCols(h * dh, dh) = out;

    t.q.push_back(std::move(q));
    t.k.push_back(std::move(k));
    t.v.push_back(std::move(v));
    t.scores.push_back(std::move(scores));
    t.weights.push_back(std::move(weights));
    t.head_output.push_back(std::move(out));
  }

  // 7. Output projection: (n, d_model).
  t.output.resize(n, dm);
  matmul(t.concat.data(), in.wo, t.output.data(), n, dm, dm);
  return t;
}

// ===========================================================================
// Output only, through the fused kernels
// ===========================================================================

void attention_output(const AttentionConfig& c, const AttentionInputs& in, float* out) {
  if (std::string err = validate(c, in, Mode::OutputOnly); !err.empty()) throw std::invalid_argument(err);
  const int n = c.n, dm = c.d_model, dh = c.d_model / c.heads;

  // Scratch reused between calls: x, Q, K, V and the concatenated heads, (n, d_model) each.
  thread_local std::vector<float> scratch;
  const size_t size = static_cast<size_t>(n) * dm;
  if (scratch.size() < 5 * size) scratch.resize(5 * size);
  float* x = scratch.data();
  float *q = x + size, *k = q + size, *v = k + size, *concat = v + size;

  std::copy_n(in.x, size, x);
  if (c.positional == Positional::Sinusoidal) add_sinusoidal(MatrixMap(x, n, dm));
  matmul(x, in.wq, q, n, dm, dm);
  matmul(x, in.wk, k, n, dm, dm);
  matmul(x, in.wv, v, n, dm, dm);
  if (c.positional == Positional::Rope) {
    apply_rope(MatrixMap(q, n, dm), dh);
    apply_rope(MatrixMap(k, n, dm), dh);
  }
  std::vector<float> slopes;
  SdpaOptions options;
  options.causal = c.causal;
  options.scale = (c.scale ? 1.0f / std::sqrt(static_cast<float>(dh)) : 1.0f) / c.temperature;
  if (c.positional == Positional::Alibi) {
    for (int h = 0; h < c.heads; ++h) slopes.push_back(alibi_slope(h, c.heads));
    options.alibi_slopes = slopes.data();
  }
  scaled_dot_product_attention(q, k, v, concat, n, c.heads, dh, options);
  matmul(concat, in.wo, out, n, dm, dm);
  if (scratch.size() > (64u << 20) / sizeof(float)) {  // give a very large buffer back
    scratch.clear();
    scratch.shrink_to_fit();
  }
}

// ===========================================================================
// Seeded data
// ===========================================================================

Matrix random_matrix(int rows, int cols, uint64_t seed, float stddev) {
  Matrix m(rows, cols);
  fill_normal(m.data(), static_cast<size_t>(rows) * cols, seed, stddev);
  return m;
}

std::vector<float> token_embedding(std::string_view token, int d_model, uint64_t seed) {
  std::vector<float> e(static_cast<size_t>(d_model));
  fill_normal(e.data(), e.size(), fnv1a64(token) ^ splitmix64(seed), 1.0f);
  return e;
}

BuildInfo build_info() {
  BuildInfo info{AP_VERSION, simd_compiled(), simd_kind(), "release"};
#ifndef NDEBUG
  info.build_type = "debug";
#endif
  return info;
}

}  // namespace ap
