#include "core/attention.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <sstream>
#include <stdexcept>

#include "core/scratch.h"
#include "kernels/kernels.h"
#include "kernels/trace_kernels.h"

namespace ap {

namespace {

// The trace keeps scores and weights for every head: 2·heads·n² floats. Cap it.
constexpr long long kMaxTraceCells = 32ll * 1024 * 1024;

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

// Chunks are first checked without a branch per value (|v| ≤ bound is false for NaN too), which
// the compiler vectorises; only a chunk that holds a bad value is searched one by one.
long long first_out_of_range(const float* p, size_t count, float bound) {
  constexpr size_t kChunk = 512;
  for (size_t base = 0; base < count; base += kChunk) {
    const size_t end = std::min(count, base + kChunk);
    uint32_t bad = 0;
    for (size_t i = base; i < end; ++i) bad |= static_cast<uint32_t>(!(std::fabs(p[i]) <= bound));
    if (bad) {
      for (size_t i = base; i < end; ++i)
        if (!(std::fabs(p[i]) <= bound)) return static_cast<long long>(i);
    }
  }
  return -1;
}

std::string out_of_range_message(const char* name, const float* p, long long at, int cols) {
  std::ostringstream msg;
  const float v = p[at];
  msg << name << " holds ";
  if (std::isfinite(v))
    msg << v;
  else
    msg << "a non-finite value (" << (std::isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity") << ")";
  if (cols > 1)
    msg << " at row " << at / cols << ", column " << at % cols;
  else
    msg << " at index " << at;
  if (std::isfinite(v)) msg << ": values must be within ±" << kMaxMagnitude;
  return msg.str();
}

// ===========================================================================
// Names
// ===========================================================================

bool parse_positional(std::string_view name, Positional* out) {
  for (Positional p : kPositionals) {
    if (name == positional_name(p)) {
      *out = p;
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
  if (!(c.temperature >= kMinTemperature && c.temperature <= kMaxTemperature)) {
    msg << "temperature must be between " << kMinTemperature << " and " << kMaxTemperature << ", got "
        << c.temperature;
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
  if (const long long work = 1ll * c.n * n_kv * c.d_model; work > kMaxWork) {
    msg << "n·nKv·dModel = " << c.n << "·" << n_kv << "·" << c.d_model << " = " << work
        << " is over the limit of " << kMaxWork
        << " (a few seconds of work); use fewer tokens or a smaller dModel";
    return msg.str();
  }
  const long long cells = 1ll * c.heads * c.n * n_kv;
  const int copies = c.unmasked_scores ? 5 : 2;  // scores, weights [, raw, scaled and unmasked scores]
  if (mode == Mode::Trace && cells * copies > 2 * kMaxTraceCells) {
    msg << "a full trace of " << c.heads << " heads × " << c.n << "×" << n_kv << " scores is too large ("
        << (cells * 4 * copies >> 20) << " MB); use fewer tokens or heads, or ask for the output only";
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
  if (long long at = first_out_of_range(in.x, x_count); at >= 0)
    return out_of_range_message("x", in.x, at, c.d_model);
  if (cross) {
    if (long long at = first_out_of_range(in.x_kv, static_cast<size_t>(n_kv) * c.d_model); at >= 0) {
      return out_of_range_message("xKv", in.x_kv, at, c.d_model);
    }
  }
  for (const auto& w : weights) {
    if (long long at = first_out_of_range(w.data, w_count); at >= 0) {
      return out_of_range_message(w.name, w.data, at, c.d_model);
    }
  }
  return "";
}

// ===========================================================================
// Building blocks
// ===========================================================================

namespace {

// Positional tables depend only on (position, width): computed in double once, as the reference
// does, and kept for later calls, since the page recomputes the same shapes on every slider move
// (one sin/cos/pow per entry costs milliseconds). Tables past kMaxTableFloats are not
// kept: the values are then computed for the call alone, row by row, the same way.
constexpr size_t kMaxTableFloats = size_t(1) << 22;  // 16 MB

struct PositionTable {
  int width = -1;  // d_model (sinusoidal) or d_head (RoPE)
  int rows = 0;    // positions computed so far
  std::vector<float> values;
};

// Row pos of the sinusoidal table: sin(pos / 10000^(2i/d)) at 2i, cos at 2i+1.
void sinusoidal_row(int pos, int d, float* out) {
  for (int j = 0; j < d; ++j) {
    const int pair = j / 2;
    const double angle = pos / std::pow(10000.0, 2.0 * pair / d);
    out[j] = static_cast<float>(j % 2 == 0 ? std::sin(angle) : std::cos(angle));
  }
}

// The angle pair i = j/2 of position pos is rotated by under RoPE.
double rope_angle(int pos, int j, int d_head) {
  return pos / std::pow(10000.0, static_cast<double>(j) / d_head);
}

// Row pos of the RoPE table: (cos, sin) of pos / 10000^(2i/d_head) for each pair i.
void rope_row(int pos, int d_head, float* out) {
  for (int j = 0; j + 1 < d_head; j += 2) {
    const double angle = rope_angle(pos, j, d_head);
    out[j] = static_cast<float>(std::cos(angle));
    out[j + 1] = static_cast<float>(std::sin(angle));
  }
}

// The cached table of `rows` rows of `width` floats made by make_row, or nullptr when too large.
template <typename MakeRow>
const float* cached_table(PositionTable& table, int rows, int width, MakeRow make_row) {
  if (static_cast<size_t>(rows) * width > kMaxTableFloats) return nullptr;
  if (table.width != width) table = PositionTable{width, 0, {}};
  if (table.rows < rows) {
    table.values.resize(static_cast<size_t>(rows) * width);
    for (int pos = table.rows; pos < rows; ++pos) make_row(pos, width, &table.values[size_t(pos) * width]);
    table.rows = rows;
  }
  return table.values.data();
}

}  // namespace

void add_sinusoidal(MatrixMap x) {
  const int rows = static_cast<int>(x.rows()), d = static_cast<int>(x.cols());
  thread_local PositionTable cache;
  const float* table = cached_table(cache, rows, d, sinusoidal_row);
  std::vector<float> one;
  if (!table) one.resize(d);
  for (int pos = 0; pos < rows; ++pos) {
    const float* row = table ? table + size_t(pos) * d : (sinusoidal_row(pos, d, one.data()), one.data());
    float* dst = x.data() + size_t(pos) * d;
    for (int j = 0; j < d; ++j) dst[j] += row[j];
  }
}

void apply_rope(MatrixMap m, int d_head) {
  const int rows = static_cast<int>(m.rows()), cols = static_cast<int>(m.cols());
  thread_local PositionTable cache;
  const float* table = cached_table(cache, rows, d_head, rope_row);
  std::vector<float> one;
  if (!table) one.resize(d_head);
  for (int pos = 0; pos < rows; ++pos) {
    const float* cs = table ? table + size_t(pos) * d_head : (rope_row(pos, d_head, one.data()), one.data());
    float* row = m.data() + size_t(pos) * cols;
    for (int base = 0; base + d_head <= cols; base += d_head) {
      for (int j = 0; j + 1 < d_head; j += 2) {
        const float c = cs[j], s = cs[j + 1];
        const float a = row[base + j], b = row[base + j + 1];
        row[base + j] = a * c - b * s;
        row[base + j + 1] = a * s + b * c;
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

Matrix sinusoidal_table(int rows, int d_model) {
  Matrix pe = Matrix::Zero(rows, d_model);
  add_sinusoidal(MatrixMap(pe.data(), rows, d_model));  // the very addition the pass makes, onto zeros
  return pe;
}

Matrix rope_angles(int rows, int d_head) {
  Matrix angles(rows, d_head / 2);
  for (int pos = 0; pos < rows; ++pos)
    for (int i = 0; i < d_head / 2; ++i) angles(pos, i) = static_cast<float>(rope_angle(pos, 2 * i, d_head));
  return angles;
}

float alibi_slope(int head, int heads) { return static_cast<float>(std::exp2(-8.0 * (head + 1) / heads)); }

void softmax_rows(MatrixMap m) {
  for (int i = 0; i < m.rows(); ++i) {
    float* row = m.data() + static_cast<size_t>(i) * m.cols();
    softmax_entropy_row(row, row, static_cast<int>(m.cols()));
  }
}

// ===========================================================================
// Multi-head attention with a trace of every intermediate
// ===========================================================================

namespace {

// Sizes *t for (n, n_kv, d_model, heads) and points every view into its block.
void lay_out(AttentionTrace* t, int n, int nk, int dm, int heads, bool cross, bool unmasked, bool rope) {
  const int dh = dm / heads;
  t->n = n, t->n_kv = nk, t->d_model = dm, t->heads = heads, t->d_head = dh;
  const size_t nd = size_t(n) * dm, kd = size_t(nk) * dm, nn = size_t(heads) * n * nk;
  const bool unrotated = unmasked && rope;
  // x, x_kv, [q_unrotated, k_unrotated,] q, k, v, scores, [raw_scores, scaled_scores,
  // unmasked_scores,] weights, entropy, head_output, concat, output
  const size_t total = nd + (cross ? kd : 0) + (unrotated ? nd + kd : 0) + nd + 2 * kd +
                       (unmasked ? 5 : 2) * nn + size_t(heads) * n + 3 * nd;
  t->block.resize(total);  // within capacity after the first call: no allocation
  float* p = t->block.data();
  auto take = [&p](size_t count) {
    float* part = p;
    p += count;
    return part;
  };
  auto per_head = [&](std::vector<MatrixMap>& views, int rows, int cols) {
    views.clear();
    for (int h = 0; h < heads; ++h) views.emplace_back(take(size_t(rows) * cols), rows, cols);
  };
  new (&t->x) MatrixMap(take(nd), n, dm);
  new (&t->x_kv) MatrixMap(take(cross ? kd : 0), cross ? nk : 0, dm);
  new (&t->q_unrotated) MatrixMap(take(unrotated ? nd : 0), unrotated ? n : 0, dm);
  new (&t->k_unrotated) MatrixMap(take(unrotated ? kd : 0), unrotated ? nk : 0, dm);
  per_head(t->q, n, dh);
  per_head(t->k, nk, dh);
  per_head(t->v, nk, dh);
  per_head(t->scores, n, nk);
  if (unmasked) {
    per_head(t->raw_scores, n, nk);
    per_head(t->scaled_scores, n, nk);
    per_head(t->unmasked_scores, n, nk);
  } else {
    t->raw_scores.clear();
    t->scaled_scores.clear();
    t->unmasked_scores.clear();
  }
  per_head(t->weights, n, nk);
  new (&t->entropy) MatrixMap(take(size_t(heads) * n), heads, n);
  per_head(t->head_output, n, dh);
  new (&t->concat) MatrixMap(take(nd), n, dm);
  new (&t->output) MatrixMap(take(nd), n, dm);
}

// Copies columns h·d_head … (h+1)·d_head−1 of all (rows, heads·d_head) into one (rows, d_head).
void split_head(const float* all, int rows, int dm, int h, int dh, float* out) {
  for (int i = 0; i < rows; ++i)
    std::memcpy(out + size_t(i) * dh, all + size_t(i) * dm + size_t(h) * dh, sizeof(float) * dh);
}

// Query rows per block under the causal mask (see multi_head_attention).
constexpr int kCausalRows = 32;

// Scratch reused between calls: Q, K, V for all heads, one head's Kᵀ, one causal block.
struct TraceScratch {
  std::vector<float> q_all, k_all, v_all;  // (n, d_model), (n_kv, d_model) ×2
  std::vector<float> kt;                   // (d_head, n_kv)
  std::vector<float> tile;                 // (kCausalRows, n_kv): a causal block's scores or weights
  float* get(std::vector<float>& v, size_t size) {
    if (v.size() < size) v.resize(size);
    return v.data();
  }
};

}  // namespace

std::string multi_head_attention(const AttentionConfig& c, const AttentionInputs& in, AttentionTrace* t) {
  if (std::string err = validate(c, in); !err.empty()) return err;
  const bool cross = in.x_kv != nullptr;
  const int n = c.n, nk = cross ? c.n_kv : c.n, dm = c.d_model, dh = dm / c.heads;
  lay_out(t, n, nk, dm, c.heads, cross, c.unmasked_scores, c.positional == Positional::Rope);

  // 1. Input and positional encoding. x: (n, d_model); x_kv: (n_kv, d_model), positions from 0.
  std::copy_n(in.x, size_t(n) * dm, t->x.data());
  if (c.positional == Positional::Sinusoidal) add_sinusoidal(t->x);
  if (cross) {
    std::copy_n(in.x_kv, size_t(nk) * dm, t->x_kv.data());
    if (c.positional == Positional::Sinusoidal) add_sinusoidal(t->x_kv);
  }
  const float* source = cross ? t->x_kv.data() : t->x.data();

  // 2. Projections for all heads at once: q (n, d_model), k and v (n_kv, d_model); RoPE rotates
  //    q and k per head. Then the split: head h takes columns h·d_head … (h+1)·d_head−1.
  thread_local TraceScratch sc;
  float* q_all = sc.get(sc.q_all, size_t(n) * dm);
  float* k_all = sc.get(sc.k_all, size_t(nk) * dm);
  float* v_all = sc.get(sc.v_all, size_t(nk) * dm);
  float* kt = sc.get(sc.kt, size_t(dh) * nk);
  matmul(t->x.data(), in.wq, q_all, n, dm, dm);
  matmul(source, in.wk, k_all, nk, dm, dm);
  matmul(source, in.wv, v_all, nk, dm, dm);
  if (c.positional == Positional::Rope) {
    if (c.unmasked_scores) {
      std::copy_n(q_all, size_t(n) * dm, t->q_unrotated.data());
      std::copy_n(k_all, size_t(nk) * dm, t->k_unrotated.data());
    }
    apply_rope(MatrixMap(q_all, n, dm), dh);
    apply_rope(MatrixMap(k_all, nk, dm), dh);
  }
  for (int h = 0; h < c.heads; ++h) {
    split_head(q_all, n, dm, h, dh, t->q[h].data());
    split_head(k_all, nk, dm, h, dh, t->k[h].data());
    split_head(v_all, nk, dm, h, dh, t->v[h].data());
  }

  // Query rows go in blocks. Without the causal mask, one block of all n rows against all keys.
  // Under it, a block of rows sees keys 0 … kc−1 only (kc = its last row + 1): the products skip
  // the hidden keys, ≈ 44 % of Q·Kᵀ and weights·V at n = 256 (the skipped scores are −∞ and the
  // weights exactly 0, so the results are the same).
  const int block = c.causal ? kCausalRows : n;
  float* tile = c.causal ? sc.get(sc.tile, size_t(std::min(block, n)) * nk) : nullptr;  // (rows, kc)
  const float scale = (c.scale ? 1.0f / std::sqrt(static_cast<float>(dh)) : 1.0f) / c.temperature;
  for (int h = 0; h < c.heads; ++h) {
    const float* q = t->q[h].data();
    float* scores = t->scores[h].data();
    float* weights = t->weights[h].data();
    float* out = t->head_output[h].data();
    ScoreRow row;
    row.scale = scale;
    row.slope = c.positional == Positional::Alibi ? alibi_slope(h, c.heads) : 0.0f;
    row.padding = in.key_padding;
    if (c.unmasked_scores) {
      // 3'. The scores before any mask, all (n, n_kv): raw = q·kᵀ, scaled = raw·scale, unmasked =
      //     raw·scale + bias. The products q·kᵀ, computed once for every key, also stand in scores
      //     for step 3, which then only finishes them row by row (so all agree wherever visible).
      float* raw = t->raw_scores[h].data();
      float* scaled = t->scaled_scores[h].data();
      float* unmasked = t->unmasked_scores[h].data();
      transpose(t->k[h].data(), nk, dh, dh, kt);
      matmul(q, kt, scores, n, dh, nk);
      std::memcpy(raw, scores, sizeof(float) * size_t(n) * nk);
      std::memcpy(scaled, scores, sizeof(float) * size_t(n) * nk);
      std::memcpy(unmasked, scores, sizeof(float) * size_t(n) * nk);
      ScoreRow open;
      open.scale = scale;
      open.visible = nk;
      for (int i = 0; i < n; ++i) {
        open.query = i;
        open.slope = 0.0f;
        finish_scores_row(scaled + size_t(i) * nk, nk, open);
        open.slope = row.slope;
        finish_scores_row(unmasked + size_t(i) * nk, nk, open);
      }
    }
    for (int i0 = 0; i0 < n; i0 += block) {
      const int rows = std::min(block, n - i0);
      const int kc = c.causal ? std::min(nk, i0 + rows) : nk;
      float* s_rows = scores + size_t(i0) * nk;  // (rows, n_kv)
      float* w_rows = weights + size_t(i0) * nk;

      // 3. Scores (rows, n_kv) = q·kᵀ · scale, then the ALiBi bias and the masks (causal: key
      //    j > i, the custom mask, key padding), row by row. Keys past kc are masked by the rows.
      //    With unmasked_scores the products are already in place (step 3').
      if (!c.unmasked_scores) {
        transpose(t->k[h].data(), kc, dh, dh, kt);  // (d_head, kc)
        if (kc == nk) {
          matmul(q + size_t(i0) * dh, kt, s_rows, rows, dh, nk);
        } else {
          matmul(q + size_t(i0) * dh, kt, tile, rows, dh, kc);
          for (int r = 0; r < rows; ++r)
            std::memcpy(s_rows + size_t(r) * nk, tile + size_t(r) * kc, sizeof(float) * kc);
        }
      }
      for (int r = 0; r < rows; ++r) {
        const int i = i0 + r;
        row.query = i;
        row.visible = c.causal ? std::min(i + 1, nk) : nk;
        row.allowed = in.mask ? in.mask + size_t(i) * nk : nullptr;
        float* s = s_rows + size_t(r) * nk;
        finish_scores_row(s, nk, row);
        // 4. Softmax over keys (the last axis), and each row's entropy.
        t->entropy(h, i) = softmax_entropy_row(s, w_rows + size_t(r) * nk, nk);
      }

      // 5. Weighted sum of values, (rows, d_head): weights(rows, 0 … kc−1) · v(0 … kc−1).
      if (kc == nk) {
        matmul(w_rows, t->v[h].data(), out + size_t(i0) * dh, rows, nk, dh);
      } else {
        for (int r = 0; r < rows; ++r)
          std::memcpy(tile + size_t(r) * kc, w_rows + size_t(r) * nk, sizeof(float) * kc);
        matmul(tile, t->v[h].data(), out + size_t(i0) * dh, rows, kc, dh);
      }
    }
    // ...and its place in the concatenation.
    for (int i = 0; i < n; ++i)
      std::memcpy(t->concat.data() + size_t(i) * dm + size_t(h) * dh, out + size_t(i) * dh,
                  sizeof(float) * dh);
  }

  // 6. Output projection: (n, d_model).
  matmul(t->concat.data(), in.wo, t->output.data(), n, dm, dm);
  release_if_large(sc, sc.q_all, sc.k_all, sc.v_all, sc.kt, sc.tile);
  return "";
}

AttentionTrace multi_head_attention(const AttentionConfig& c, const AttentionInputs& in) {
  AttentionTrace t;
  if (std::string err = multi_head_attention(c, in, &t); !err.empty()) throw std::invalid_argument(err);
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
  release_if_large(scratch, scratch);
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
  BuildInfo info{AP_VERSION, simd_compiled(), simd_kind(), "release",
                 Limits{kMaxTokens, kMaxTokensOutputOnly, kMaxModelDim, kMaxHeads, kMaxKernelFloats, kMaxWork,
                        kMaxMagnitude, kMinTemperature, kMaxTemperature}};
#ifndef NDEBUG
  info.build_type = "debug";
#endif
  return info;
}

}  // namespace ap
