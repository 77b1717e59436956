// Unit tests of the attention core (src/core/attention.h), natively and in wasm.
#include "core/attention.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>
#include <string>

#include "kernels/kernels.h"
#include "reference.h"

namespace {

struct Case {
  int n, dm, heads;
  std::vector<float> x, wq, wk, wv, wo;
  Case(int n_, int dm_, int heads_, unsigned seed) : n(n_), dm(dm_), heads(heads_) {
    const float ws = 1.0f / std::sqrt(static_cast<float>(dm));
    x = ref::random_vector(static_cast<size_t>(n) * dm, seed);
    wq = ref::random_vector(static_cast<size_t>(dm) * dm, seed + 1, ws);
    wk = ref::random_vector(static_cast<size_t>(dm) * dm, seed + 2, ws);
    wv = ref::random_vector(static_cast<size_t>(dm) * dm, seed + 3, ws);
    wo = ref::random_vector(static_cast<size_t>(dm) * dm, seed + 4, ws);
  }
  ap::AttentionInputs inputs() const {
    return {x.data(), wq.data(), wk.data(), wv.data(), wo.data(), x.size(), wq.size()};
  }
  ap::AttentionConfig config(bool causal = false, ap::Positional p = ap::Positional::None,
                             float temperature = 1.0f) const {
    ap::AttentionConfig c;
    c.n = n;
    c.d_model = dm;
    c.heads = heads;
    c.causal = causal;
    c.positional = p;
    c.temperature = temperature;
    return c;
  }
};

// |a − b| ≤ tol + rtol·|b|, with −∞ equal only to −∞.
bool close(double a, double b, double tol = 1e-5, double rtol = 1e-4) {
  if (std::isinf(b) || std::isinf(a)) return a == b;
  return std::abs(a - b) <= tol + rtol * std::abs(b);
}

// Compares a float matrix with a double reference; reports the first few mismatches.
void require_close(const ap::Matrix& got, const std::vector<double>& want, const std::string& what) {
  REQUIRE(static_cast<size_t>(got.size()) == want.size());
  int shown = 0, bad = 0;
  for (Eigen::Index i = 0; i < got.size(); ++i) {
    if (!close(got.data()[i], want[i])) {
      if (shown++ < 5) UNSCOPED_INFO(what << "[" << i << "]: got " << got.data()[i] << ", want " << want[i]);
      ++bad;
    }
  }
  CHECK(bad == 0);
}

}  // namespace

TEST_CASE("a hand-computed 2-token case", "[attention]") {
  // X = I, every W = I: Q = K = V = X, scores = I/√2, output = weights.
  const std::vector<float> x = {1, 0, 0, 1}, eye = {1, 0, 0, 1};
  ap::AttentionConfig c;
  c.n = 2;
  c.d_model = 2;
  c.heads = 1;
  const ap::AttentionTrace t =
      ap::multi_head_attention(c, {x.data(), eye.data(), eye.data(), eye.data(), eye.data(), 4, 4});
  const double s = 1.0 / std::sqrt(2.0);
  CHECK(t.scores[0](0, 0) == Approx(s));
  CHECK(t.scores[0](0, 1) == Approx(0.0).margin(1e-7));
  const double w00 = std::exp(s) / (std::exp(s) + 1.0);  // 0.669761
  CHECK(t.weights[0](0, 0) == Approx(w00));
  CHECK(t.weights[0](0, 1) == Approx(1.0 - w00));
  CHECK(t.weights[0](1, 1) == Approx(w00));
  CHECK(t.output(0, 0) == Approx(w00));
  CHECK(t.output(1, 0) == Approx(1.0 - w00));

  SECTION("causal: the first token sees only itself") {
    c.causal = true;
    const ap::AttentionTrace tc =
        ap::multi_head_attention(c, {x.data(), eye.data(), eye.data(), eye.data(), eye.data(), 4, 4});
    CHECK(tc.weights[0](0, 0) == 1.0f);
    CHECK(tc.weights[0](0, 1) == 0.0f);
    CHECK(std::isinf(tc.scores[0](0, 1)));
    CHECK(tc.weights[0](1, 0) == Approx(1.0 - w00));
  }
}

TEST_CASE("matches the float64 reference for every option", "[attention][reference]") {
  const char* names[] = {"none", "sinusoidal", "rope", "alibi"};
  const int shapes[][3] = {{1, 4, 1}, {3, 8, 2}, {7, 12, 3}, {16, 32, 4}, {33, 16, 8}};
  unsigned seed = 10;
  for (const auto& shape : shapes) {
    const Case cs(shape[0], shape[1], shape[2], seed += 7);
    for (const char* name : names) {
      for (bool causal : {false, true}) {
        for (float temperature : {1.0f, 0.5f, 3.0f}) {
          ap::Positional p;
          REQUIRE(ap::parse_positional(name, &p));
          INFO("n=" << cs.n << " dm=" << cs.dm << " heads=" << cs.heads << " " << name
                    << (causal ? " causal" : "") << " T=" << temperature);
          const auto t = ap::multi_head_attention(cs.config(causal, p, temperature), cs.inputs());
          const auto r = ref::attention(cs.x, cs.wq, cs.wk, cs.wv, cs.wo, cs.n, cs.dm, cs.heads, causal,
                                        temperature, name);
          for (int h = 0; h < cs.heads; ++h) {
            require_close(t.q[h], r.q[h], "q");
            require_close(t.k[h], r.k[h], "k");
            require_close(t.v[h], r.v[h], "v");
            require_close(t.scores[h], r.scores[h], "scores");
            require_close(t.weights[h], r.weights[h], "weights");
            require_close(t.head_output[h], r.head_output[h], "head_output");
          }
          require_close(t.output, r.output, "output");
        }
      }
    }
  }
}

TEST_CASE("softmax rows sum to 1 and the causal upper triangle is exactly 0", "[attention]") {
  const Case cs(20, 16, 4, 3);
  for (bool causal : {false, true}) {
    const auto t = ap::multi_head_attention(cs.config(causal), cs.inputs());
    for (int h = 0; h < cs.heads; ++h) {
      for (int i = 0; i < cs.n; ++i) {
        CHECK(t.weights[h].row(i).sum() == Approx(1.0).epsilon(1e-6));
        for (int j = 0; j < cs.n; ++j) {
          CHECK(t.weights[h](i, j) >= 0.0f);
          if (causal && j > i) {
            CHECK(t.weights[h](i, j) == 0.0f);
            CHECK(t.scores[h](i, j) == -std::numeric_limits<float>::infinity());
          }
        }
      }
    }
  }
}

TEST_CASE("softmax: stable for huge scores, fully masked rows give 0", "[softmax]") {
  const float inf = std::numeric_limits<float>::infinity();
  ap::Matrix m(3, 3);
  m << 1000.0f, 1001.0f, -inf,  // would overflow exp() without max subtraction
      -inf, -inf, -inf,         // nothing unmasked
      -1e30f, 0.0f, 0.0f;
  ap::softmax_rows(ap::MatrixMap(m.data(), 3, 3));
  CHECK(m(0, 0) == Approx(1.0 / (1.0 + std::exp(1.0))));
  CHECK(m(0, 2) == 0.0f);
  CHECK(m.row(1).isZero(0));
  CHECK(m(2, 0) == 0.0f);
  CHECK(m(2, 1) == Approx(0.5));
  CHECK(m.allFinite());
}

TEST_CASE("permutation equivariance without positional encoding", "[attention]") {
  const Case cs(9, 16, 2, 5);
  const std::vector<int> perm = {3, 0, 8, 1, 7, 2, 6, 4, 5};
  Case permuted = cs;
  for (int i = 0; i < cs.n; ++i) std::copy_n(&cs.x[perm[i] * cs.dm], cs.dm, &permuted.x[i * cs.dm]);
  const auto a = ap::multi_head_attention(cs.config(), cs.inputs());
  const auto b = ap::multi_head_attention(permuted.config(), permuted.inputs());
  for (int i = 0; i < cs.n; ++i) {
    for (int c = 0; c < cs.dm; ++c) CHECK(b.output(i, c) == Approx(a.output(perm[i], c)).margin(1e-5));
    for (int j = 0; j < cs.n; ++j)
      CHECK(b.weights[1](i, j) == Approx(a.weights[1](perm[i], perm[j])).margin(1e-6));
  }
  SECTION("and sinusoidal encoding breaks it") {
    const auto pa = ap::multi_head_attention(cs.config(false, ap::Positional::Sinusoidal), cs.inputs());
    const auto pb =
        ap::multi_head_attention(permuted.config(false, ap::Positional::Sinusoidal), permuted.inputs());
    double diff = 0;
    for (int i = 0; i < cs.n; ++i) diff += std::abs(pb.output(i, 0) - pa.output(perm[i], 0));
    CHECK(diff > 1e-3);
  }
}

TEST_CASE("temperature: small gives one-hot rows, large gives uniform rows", "[attention]") {
  const Case cs(8, 16, 2, 8);
  const auto cold = ap::multi_head_attention(cs.config(false, ap::Positional::None, 1e-3f), cs.inputs());
  const auto hot = ap::multi_head_attention(cs.config(false, ap::Positional::None, 1e6f), cs.inputs());
  int one_hot = 0;
  for (int h = 0; h < cs.heads; ++h)
    for (int i = 0; i < cs.n; ++i) {
      // A row is one-hot when its top two (scaled) scores are 12 or more apart: the runner-up then
      // gets at most e^−12 of the top key's weight. At T = 1e-3 nearly every row is.
      std::vector<float> row(cold.scores[h].row(i).data(), cold.scores[h].row(i).data() + cs.n);
      std::sort(row.begin(), row.end(), std::greater<float>());
      if (row[0] - row[1] >= 12) {
        CHECK(cold.weights[h].row(i).maxCoeff() == Approx(1.0).margin(1e-4));
        ++one_hot;
      }
      CHECK(hot.weights[h].row(i).maxCoeff() == Approx(1.0 / cs.n).margin(1e-4));
      CHECK(hot.weights[h].row(i).minCoeff() == Approx(1.0 / cs.n).margin(1e-4));
    }
  CHECK(one_hot >= cs.heads * cs.n * 3 / 4);
}

TEST_CASE("RoPE makes q·k depend only on the offset", "[attention][rope]") {
  // Every token has the same embedding, so only position tells them apart.
  Case cs(12, 16, 2, 21);
  for (int i = 1; i < cs.n; ++i) std::copy_n(&cs.x[0], cs.dm, &cs.x[i * cs.dm]);
  const auto t = ap::multi_head_attention(cs.config(false, ap::Positional::Rope), cs.inputs());
  for (int h = 0; h < cs.heads; ++h)
    for (int i = 0; i + 1 < cs.n; ++i)
      for (int j = 0; j + 1 < cs.n; ++j)
        CHECK(t.scores[h](i + 1, j + 1) == Approx(t.scores[h](i, j)).margin(2e-5));
  // ...and is not constant: RoPE did rotate something.
  CHECK(std::abs(t.scores[0](0, 5) - t.scores[0](0, 0)) > 1e-3);
  // Position 0 is not rotated.
  const auto none = ap::multi_head_attention(cs.config(), cs.inputs());
  CHECK(t.q[0].row(0).isApprox(none.q[0].row(0)));
  CHECK(!t.q[0].row(3).isApprox(none.q[0].row(3)));
}

TEST_CASE("RoPE rotates pair (2i, 2i+1) by pos / 10000^(2i/d)", "[rope]") {
  ap::Matrix m = ap::Matrix::Zero(3, 4);
  m.col(0).setOnes();  // pair 0 = (1, 0)
  m.col(2).setOnes();  // pair 1 = (1, 0)
  ap::apply_rope(ap::MatrixMap(m.data(), 3, 4), 4);
  CHECK(m(2, 0) == Approx(std::cos(2.0)));
  CHECK(m(2, 1) == Approx(std::sin(2.0)));
  CHECK(m(2, 2) == Approx(std::cos(2.0 / 100.0)));  // 10000^(2/4) = 100
  CHECK(m(2, 3) == Approx(std::sin(2.0 / 100.0)));
}

TEST_CASE("ALiBi slopes and bias", "[attention][alibi]") {
  CHECK(ap::alibi_slope(0, 8) == 0.5f);
  CHECK(ap::alibi_slope(7, 8) == Approx(1.0 / 256));
  CHECK(ap::alibi_slope(0, 1) == Approx(1.0 / 256));
  CHECK(ap::alibi_slope(1, 4) == Approx(1.0 / 16));
  // With W_Q = 0 the scores are the bias alone: −m_h·|i − j|.
  Case cs(6, 8, 4, 2);
  std::fill(cs.wq.begin(), cs.wq.end(), 0.0f);
  for (bool causal : {false, true}) {
    const auto t = ap::multi_head_attention(cs.config(causal, ap::Positional::Alibi), cs.inputs());
    for (int h = 0; h < cs.heads; ++h) {
      const float m = ap::alibi_slope(h, cs.heads);
      for (int i = 0; i < cs.n; ++i)
        for (int j = 0; j <= (causal ? i : cs.n - 1); ++j)
          CHECK(t.scores[h](i, j) == Approx(-m * std::abs(i - j)).margin(1e-6));
    }
  }
}

TEST_CASE("sinusoidal encoding is added to X", "[sinusoidal]") {
  ap::Matrix x = ap::Matrix::Zero(3, 6);
  ap::add_sinusoidal(ap::MatrixMap(x.data(), 3, 6));
  CHECK(x(0, 0) == 0.0f);
  CHECK(x(0, 1) == 1.0f);
  CHECK(x(2, 0) == Approx(std::sin(2.0)));
  CHECK(x(2, 1) == Approx(std::cos(2.0)));
  CHECK(x(2, 2) == Approx(std::sin(2.0 / std::pow(10000.0, 2.0 / 6))));
  CHECK(x(2, 5) == Approx(std::cos(2.0 / std::pow(10000.0, 4.0 / 6))));
}

TEST_CASE("bad input is rejected with a clear message", "[validate]") {
  const Case cs(4, 8, 2, 1);
  auto message = [&](ap::AttentionConfig c, ap::AttentionInputs in) { return ap::validate(c, in); };
  using Catch::Matchers::Contains;
  CHECK(message(cs.config(), cs.inputs()).empty());

  auto c = cs.config();
  c.n = 0;
  CHECK_THAT(message(c, cs.inputs()), Contains("empty"));
  c = cs.config();
  c.n = ap::kMaxTokens + 1;
  CHECK_THAT(message(c, cs.inputs()), Contains("limit"));
  c = cs.config();
  c.heads = 3;
  CHECK_THAT(message(c, cs.inputs()), Contains("divisible by heads"));
  c = cs.config();
  c.heads = 0;
  CHECK_THAT(message(c, cs.inputs()), Contains("heads must be"));
  c = cs.config();
  c.d_model = 0;
  CHECK_THAT(message(c, cs.inputs()), Contains("dModel must be"));
  c = cs.config(false, ap::Positional::Rope);
  c.heads = 8;  // d_head = 1
  CHECK_THAT(message(c, cs.inputs()), Contains("even"));
  for (float bad :
       {0.0f, -1.0f, 1e-40f, 1e-4f, 2e6f, std::nanf(""), std::numeric_limits<float>::infinity()}) {
    c = cs.config(false, ap::Positional::None, bad);
    CHECK_THAT(message(c, cs.inputs()), Contains("temperature must be between 0.001 and 1e+06"));
  }
  for (float fine : {1e-3f, 1e6f})
    CHECK(message(cs.config(false, ap::Positional::None, fine), cs.inputs()).empty());

  auto in = cs.inputs();
  in.x_size -= 1;
  CHECK_THAT(message(cs.config(), in), Contains("x must hold"));
  in = cs.inputs();
  in.w_size = 60;
  CHECK_THAT(message(cs.config(), in), Contains("wq must hold"));
  in = cs.inputs();
  in.wv = nullptr;
  CHECK_THAT(message(cs.config(), in), Contains("wv is missing"));

  Case bad = cs;
  bad.x[13] = std::nanf("");
  CHECK_THAT(message(bad.config(), bad.inputs()),
             Contains("x holds a non-finite value (NaN) at row 1, column 5"));
  bad = cs;
  bad.wo[2] = -std::numeric_limits<float>::infinity();
  CHECK_THAT(message(bad.config(), bad.inputs()), Contains("wo holds a non-finite"));
  // Finite but past the bound that keeps every product finite in float32.
  Case large = cs;
  large.wk[9] = 3e38f;
  CHECK_THAT(message(large.config(), large.inputs()),
             Contains("wk holds 3e+38 at row 1, column 1: values must be within ±1e+06"));
  large = cs;
  large.x[0] = -1e6f;
  CHECK(message(large.config(), large.inputs()).empty());

  REQUIRE_THROWS_AS(ap::multi_head_attention(bad.config(), bad.inputs()), std::invalid_argument);

  ap::Positional p;
  CHECK_FALSE(ap::parse_positional("RoPE ", &p));
  CHECK(ap::parse_positional("alibi", &p));
  CHECK(p == ap::Positional::Alibi);
}

TEST_CASE("seeded data is deterministic and platform independent", "[random]") {
  const ap::Matrix a = ap::random_matrix(64, 64, 42, 0.5f);
  CHECK(a.isApprox(ap::random_matrix(64, 64, 42, 0.5f), 0));
  CHECK(!a.isApprox(ap::random_matrix(64, 64, 43, 0.5f)));
  const double mean = a.mean();
  const double var = (a.array() - mean).square().mean();
  CHECK(std::abs(mean) < 0.03);
  CHECK(std::sqrt(var) == Approx(0.5).epsilon(0.05));

  const auto the = ap::token_embedding("the", 4, 0);
  CHECK(the == ap::token_embedding("the", 4, 0));
  CHECK(the != ap::token_embedding("The", 4, 0));
  CHECK(the != ap::token_embedding("the", 4, 1));
  // Pinned values: the native and the wasm build must both produce these.
  const float pinned[4] = {-0.0185996741f, -0.23432067f, 1.09632003f, -0.862693071f};
  for (int i = 0; i < 4; ++i) CHECK(the[i] == Approx(pinned[i]).epsilon(1e-6));
}

TEST_CASE("output only (fused kernels) equals the trace's output", "[attention][fused]") {
  const char* names[] = {"none", "sinusoidal", "rope", "alibi"};
  const int shapes[][3] = {{1, 4, 1}, {3, 8, 2}, {33, 32, 4}, {70, 64, 8}};
  unsigned seed = 300;
  for (const auto& shape : shapes) {
    const Case cs(shape[0], shape[1], shape[2], seed += 3);
    for (const char* name : names) {
      for (bool causal : {false, true}) {
        ap::Positional p;
        REQUIRE(ap::parse_positional(name, &p));
        INFO("n=" << cs.n << " dm=" << cs.dm << " heads=" << cs.heads << " " << name
                  << (causal ? " causal" : ""));
        const auto config = cs.config(causal, p, 0.8f);
        const auto t = ap::multi_head_attention(config, cs.inputs());
        ap::Matrix out(cs.n, cs.dm);
        out.setConstant(std::nanf(""));
        ap::attention_output(config, cs.inputs(), out.data());
        const auto r =
            ref::attention(cs.x, cs.wq, cs.wk, cs.wv, cs.wo, cs.n, cs.dm, cs.heads, causal, 0.8, name);
        require_close(out, r.output, "output only");
        CHECK(out.isApprox(t.output, 1e-4f));
      }
    }
  }
}

TEST_CASE("output only accepts sequences too long for a trace", "[attention][fused]") {
  const Case cs(4500, 16, 2, 77);
  auto config = cs.config(true, ap::Positional::Rope);
  CHECK_THAT(ap::validate(config, cs.inputs()), Catch::Matchers::Contains("limit of 4096 for a full trace"));
  CHECK(ap::validate(config, cs.inputs(), ap::Mode::OutputOnly).empty());
  std::vector<float> out(cs.x.size());
  ap::attention_output(config, cs.inputs(), out.data());
  for (float v : out) REQUIRE(std::isfinite(v));
  // Causal: the first row attends to itself only, so it equals (v_0 · W_O) — compare with a
  // trace of the first token alone.
  auto one = cs.config(true, ap::Positional::Rope);
  one.n = 1;
  auto in = cs.inputs();
  in.x_size = cs.dm;
  const auto t = ap::multi_head_attention(one, in);
  for (int c = 0; c < cs.dm; ++c) CHECK(out[c] == Approx(t.output(0, c)).margin(1e-5));
  REQUIRE_THROWS_AS(
      ap::attention_output(cs.config(false, ap::Positional::None, -1.0f), cs.inputs(), out.data()),
      std::invalid_argument);
}

namespace {
// Softmax over the allowed cells of one row of unmasked scores, in float64.
std::vector<double> masked_softmax(const ap::Matrix& scores, int row, const std::vector<bool>& allowed) {
  std::vector<double> w(allowed.size(), 0.0);
  double max = -std::numeric_limits<double>::infinity(), sum = 0;
  for (size_t j = 0; j < allowed.size(); ++j)
    if (allowed[j]) max = std::max(max, static_cast<double>(scores(row, j)));
  if (std::isinf(max)) return w;
  for (size_t j = 0; j < allowed.size(); ++j)
    if (allowed[j]) sum += (w[j] = std::exp(scores(row, j) - max));
  for (auto& e : w) e /= sum;
  return w;
}
}  // namespace

TEST_CASE("custom masks and key padding renormalise each row over what is left", "[attention][mask]") {
  const Case cs(7, 16, 2, 41);
  const auto plain = ap::multi_head_attention(cs.config(), cs.inputs());
  std::vector<uint8_t> mask(cs.n * cs.n);
  for (int i = 0; i < cs.n; ++i)
    for (int j = 0; j < cs.n; ++j) mask[i * cs.n + j] = ((i * 3 + j * 5) % 4 != 0) ? 1 : 0;
  for (int j = 0; j < cs.n; ++j) mask[2 * cs.n + j] = 0;       // row 2: nothing left
  const std::vector<uint8_t> padding = {0, 0, 0, 0, 0, 1, 1};  // the last two tokens are padding
  for (bool causal : {false, true}) {
    auto in = cs.inputs();
    in.mask = mask.data();
    in.mask_size = mask.size();
    in.key_padding = padding.data();
    in.key_padding_size = padding.size();
    const auto t = ap::multi_head_attention(cs.config(causal), in);
    for (int h = 0; h < cs.heads; ++h) {
      for (int i = 0; i < cs.n; ++i) {
        std::vector<bool> allowed(cs.n);
        bool any = false;
        for (int j = 0; j < cs.n; ++j) {
          allowed[j] = mask[i * cs.n + j] && !padding[j] && !(causal && j > i);
          any = any || allowed[j];
        }
        const auto want = masked_softmax(plain.scores[h], i, allowed);
        double sum = 0;
        for (int j = 0; j < cs.n; ++j) {
          INFO("head " << h << " row " << i << " col " << j << (causal ? " causal" : ""));
          if (!allowed[j]) {
            CHECK(t.weights[h](i, j) == 0.0f);
            CHECK(std::isinf(t.scores[h](i, j)));
          } else {
            CHECK(t.scores[h](i, j) == plain.scores[h](i, j));
          }
          CHECK(t.weights[h](i, j) == Approx(want[j]).margin(1e-6));
          sum += t.weights[h](i, j);
        }
        if (any) {
          CHECK(sum == Approx(1.0).epsilon(1e-6));
        } else {  // a fully masked row: weights 0, output 0, entropy 0, never NaN
          CHECK(sum == 0.0);
          CHECK(t.head_output[h].row(i).isZero(0));
          CHECK(t.entropy(h, i) == 0.0f);
        }
      }
    }
    CHECK(t.output.allFinite());
  }
}

TEST_CASE("cross-attention: K and V from a second sentence, n × n_kv maps", "[attention][cross]") {
  const Case q_side(5, 16, 4, 51);
  const Case kv_side(9, 16, 4, 52);
  for (const char* name : {"none", "sinusoidal", "rope", "alibi"}) {
    ap::Positional p;
    REQUIRE(ap::parse_positional(name, &p));
    INFO(name);
    auto config = q_side.config(false, p, 1.3f);
    config.n_kv = kv_side.n;
    auto in = q_side.inputs();
    in.x_kv = kv_side.x.data();
    in.x_kv_size = kv_side.x.size();
    const auto t = ap::multi_head_attention(config, in);
    CHECK(t.n == 5);
    CHECK(t.n_kv == 9);
    CHECK(t.x_kv.rows() == 9);
    const auto r = ref::attention(q_side.x, q_side.wq, q_side.wk, q_side.wv, q_side.wo, 5, 16, 4, false, 1.3,
                                  name, &kv_side.x, 9);
    for (int h = 0; h < 4; ++h) {
      CHECK(t.q[h].rows() == 5);
      CHECK(t.k[h].rows() == 9);
      CHECK(t.scores[h].rows() == 5);
      CHECK(t.scores[h].cols() == 9);
      require_close(t.k[h], r.k[h], "k");
      require_close(t.v[h], r.v[h], "v");
      require_close(t.weights[h], r.weights[h], "weights");
    }
    require_close(t.output, r.output, "output");
  }
  SECTION("a second sentence equal to the first is self-attention") {
    auto config = q_side.config(true, ap::Positional::Rope);
    config.n_kv = q_side.n;
    auto in = q_side.inputs();
    in.x_kv = q_side.x.data();
    in.x_kv_size = q_side.x.size();
    const auto cross = ap::multi_head_attention(config, in);
    const auto self = ap::multi_head_attention(q_side.config(true, ap::Positional::Rope), q_side.inputs());
    CHECK(cross.output.isApprox(self.output, 1e-6f));
    CHECK(self.x_kv.size() == 0);
  }
}

TEST_CASE("entropy: ln k for uniform rows, 0 for one-hot, and what √d_head scaling does",
          "[attention][entropy]") {
  const float uniform[4] = {0.25f, 0.25f, 0.25f, 0.25f}, one_hot[3] = {0, 1, 0};
  CHECK(ap::entropy(uniform, 4) == Approx(std::log(4.0)));
  CHECK(ap::entropy(one_hot, 3) == 0.0f);

  const Case cs(16, 256, 2, 61);  // d_head = 128
  auto with_scale = cs.config();
  auto without = cs.config();
  without.scale = false;
  const auto a = ap::multi_head_attention(with_scale, cs.inputs());
  const auto b = ap::multi_head_attention(without, cs.inputs());
  // Unscaled scores are √d_head times larger...
  CHECK(b.scores[0](3, 5) == Approx(a.scores[0](3, 5) * std::sqrt(128.0)).epsilon(1e-4));
  // ...so rows collapse toward one-hot: entropy drops.
  CHECK(b.entropy.mean() < a.entropy.mean() * 0.5);
  for (int h = 0; h < cs.heads; ++h)
    for (int i = 0; i < cs.n; ++i) {
      CHECK(a.entropy(h, i) == Approx(ap::entropy(a.weights[h].row(i).data(), cs.n)));
      CHECK(a.entropy(h, i) <= std::log(16.0) + 1e-5);
    }
}

TEST_CASE("mask, padding and cross-attention inputs are checked", "[validate][mask]") {
  const Case cs(4, 8, 2, 1);
  using Catch::Matchers::Contains;
  std::vector<uint8_t> mask(15, 1), padding(3, 0);
  auto in = cs.inputs();
  in.mask = mask.data();
  in.mask_size = mask.size();
  CHECK_THAT(ap::validate(cs.config(), in), Contains("mask must hold n·nKv = 4·4 = 16 values, got 15"));
  in = cs.inputs();
  in.key_padding = padding.data();
  in.key_padding_size = padding.size();
  CHECK_THAT(ap::validate(cs.config(), in), Contains("keyPadding must hold one value per key (4), got 3"));
  CHECK_THAT(ap::validate(cs.config(), in, ap::Mode::OutputOnly), Contains("need a full trace"));
  const Case other(6, 8, 2, 2);
  in = cs.inputs();
  in.x_kv = other.x.data();
  in.x_kv_size = other.x.size();
  auto config = cs.config();
  CHECK_THAT(ap::validate(config, in), Contains("n_kv"));
  config.n_kv = 5;
  CHECK_THAT(ap::validate(config, in), Contains("xKv must hold nKv·dModel = 5·8 = 40 values, got 48"));
  config.n_kv = 6;
  CHECK(ap::validate(config, in).empty());
  CHECK_THAT(ap::validate(config, in, ap::Mode::OutputOnly), Contains("cross-attention needs a full trace"));
  Case bad = other;
  bad.x[7] = std::nanf("");
  in.x_kv = bad.x.data();
  CHECK_THAT(ap::validate(config, in), Contains("xKv holds a non-finite value (NaN) at row 0, column 7"));
}

TEST_CASE("a trace is one block, and a trace passed back is refilled in place", "[attention][trace]") {
  const Case big(40, 32, 4, 91), small(9, 16, 2, 92);
  ap::AttentionTrace t;
  REQUIRE(ap::multi_head_attention(big.config(true, ap::Positional::Rope), big.inputs(), &t).empty());
  // Every view lies inside the block, in the documented order, with nothing between them.
  const float* p = t.block.data();
  auto expect = [&p](const ap::MatrixMap& m) {
    CHECK(m.data() == p);
    p += m.size();
  };
  expect(t.x);
  CHECK(t.x_kv.size() == 0);
  for (const auto* views : {&t.q, &t.k, &t.v, &t.scores, &t.weights}) {
    REQUIRE(views->size() == 4u);
    for (const auto& m : *views) expect(m);
  }
  expect(t.entropy);
  for (const auto& m : t.head_output) expect(m);
  expect(t.concat);
  expect(t.output);
  CHECK(p == t.block.data() + t.block.size());

  // Smaller, then other options: the same numbers as a fresh trace, bit for bit.
  const std::vector<uint8_t> padding = {0, 0, 0, 1, 0, 0, 0, 0, 1};
  for (bool causal : {false, true}) {
    auto in = small.inputs();
    in.key_padding = padding.data();
    in.key_padding_size = padding.size();
    const auto config = small.config(causal, ap::Positional::Alibi, 0.7f);
    REQUIRE(ap::multi_head_attention(config, in, &t).empty());
    const auto fresh = ap::multi_head_attention(config, in);
    CHECK(t.block == fresh.block);
    CHECK(t.scores.size() == 2u);
    CHECK(t.weights[1].rows() == 9);
    CHECK(t.output.isApprox(fresh.output, 0.0f));
  }
  // A call that cannot run leaves the trace as it was and says why.
  const std::vector<float> before = t.block;
  auto bad = small.config();
  bad.heads = 5;
  CHECK_THAT(ap::multi_head_attention(bad, small.inputs(), &t), Catch::Matchers::Contains("divisible"));
  CHECK(t.block == before);
}

TEST_CASE("entropy of the trace equals −Σ w ln w of its weights", "[attention][entropy]") {
  const Case cs(37, 32, 4, 71);
  for (float temperature : {0.05f, 1.0f, 20.0f}) {
    const auto t = ap::multi_head_attention(cs.config(true, ap::Positional::None, temperature), cs.inputs());
    for (int h = 0; h < cs.heads; ++h)
      for (int i = 0; i < cs.n; ++i) {
        const double want = ap::entropy(t.weights[h].row(i).data(), cs.n);
        INFO("T=" << temperature << " head " << h << " row " << i);
        CHECK(std::abs(t.entropy(h, i) - want) <= 2e-6 + 2e-5 * want);
      }
  }
}

TEST_CASE("causal traces skip hidden keys in blocks of rows: same as the reference", "[attention][causal]") {
  // n across several row blocks (32), with a partial last block; cross-attention with fewer and
  // with more keys than queries.
  for (int n : {31, 32, 33, 65, 100}) {
    const Case cs(n, 16, 2, 400 + n);
    for (const char* name : {"none", "alibi"}) {
      ap::Positional p;
      REQUIRE(ap::parse_positional(name, &p));
      INFO("n=" << n << " " << name);
      const auto t = ap::multi_head_attention(cs.config(true, p, 0.9f), cs.inputs());
      const auto r = ref::attention(cs.x, cs.wq, cs.wk, cs.wv, cs.wo, n, 16, 2, true, 0.9, name);
      for (int h = 0; h < 2; ++h) {
        require_close(t.scores[h], r.scores[h], "scores");
        require_close(t.weights[h], r.weights[h], "weights");
        require_close(t.head_output[h], r.head_output[h], "head_output");
      }
      require_close(t.output, r.output, "output");
    }
  }
  const Case q_side(70, 16, 2, 481);
  for (int n_kv : {20, 45, 90}) {
    const Case kv_side(n_kv, 16, 2, 482);
    auto config = q_side.config(true, ap::Positional::Rope, 1.1f);
    config.n_kv = n_kv;
    auto in = q_side.inputs();
    in.x_kv = kv_side.x.data();
    in.x_kv_size = kv_side.x.size();
    const auto t = ap::multi_head_attention(config, in);
    const auto r = ref::attention(q_side.x, q_side.wq, q_side.wk, q_side.wv, q_side.wo, 70, 16, 2, true, 1.1,
                                  "rope", &kv_side.x, n_kv);
    INFO("cross n_kv=" << n_kv);
    for (int h = 0; h < 2; ++h) {
      require_close(t.scores[h], r.scores[h], "scores");
      require_close(t.weights[h], r.weights[h], "weights");
    }
    require_close(t.output, r.output, "output");
  }
}

TEST_CASE("unmasked_scores: every stage of the scores before masks, equal to passes without them",
          "[attention][unmasked]") {
  const Case cs(40, 16, 2, 700);  // more than one causal row block
  std::vector<uint8_t> mask(cs.n * cs.n, 1);
  mask[5] = mask[cs.n * 3 + 1] = 0;
  for (const char* name : {"none", "rope", "alibi"}) {
    ap::Positional p;
    REQUIRE(ap::parse_positional(name, &p));
    // ALiBi leaves q and k alone: the products without its bias are a pass without positions.
    const ap::Positional unbiased = p == ap::Positional::Alibi ? ap::Positional::None : p;
    for (bool causal : {false, true}) {
      INFO(name << (causal ? " causal" : ""));
      auto in = cs.inputs();
      in.mask = mask.data();
      in.mask_size = mask.size();
      auto config = cs.config(causal, p, 0.8f);
      config.unmasked_scores = true;
      const auto t = ap::multi_head_attention(config, in);
      config.unmasked_scores = false;
      const auto plain = ap::multi_head_attention(config, in);
      const auto unmasked = ap::multi_head_attention(cs.config(false, p, 0.8f), cs.inputs());
      const auto scaled = ap::multi_head_attention(cs.config(false, unbiased, 0.8f), cs.inputs());
      auto raw_config = cs.config(false, unbiased, 1.0f);
      raw_config.scale = false;
      const auto raw = ap::multi_head_attention(raw_config, cs.inputs());
      REQUIRE(plain.raw_scores.empty());
      REQUIRE(plain.scaled_scores.empty());
      REQUIRE(t.raw_scores.size() == 2);
      for (int h = 0; h < 2; ++h) {
        CHECK(t.raw_scores[h] == raw.scores[h]);
        CHECK(t.scaled_scores[h] == scaled.scores[h]);
        CHECK(t.unmasked_scores[h] == unmasked.scores[h]);
        CHECK(t.scores[h] == plain.scores[h]);
        CHECK(t.weights[h] == plain.weights[h]);
        if (p == ap::Positional::Alibi) {
          // unmasked = scaled − m_h·|i − j|, the same float operations as the pass.
          const float m = ap::alibi_slope(h, 2);
          for (int i = 0; i < cs.n; ++i)
            for (int j = 0; j < cs.n; ++j)
              CHECK(t.unmasked_scores[h](i, j) == t.scaled_scores[h](i, j) - m * std::fabs(float(i - j)));
        }
      }
      CHECK(t.output == plain.output);
      // Under RoPE, q and k before the rotation are x·W_Q and x·W_K.
      if (p == ap::Positional::Rope) {
        const ap::Matrix xq =
            ap::ConstMatrixMap(cs.x.data(), cs.n, cs.dm) * ap::ConstMatrixMap(cs.wq.data(), cs.dm, cs.dm);
        REQUIRE(t.q_unrotated.rows() == cs.n);
        REQUIRE(t.k_unrotated.rows() == cs.n);
        CHECK(t.q_unrotated.isApprox(xq, 1e-5f));
      } else {
        CHECK(t.q_unrotated.size() == 0);
      }
    }
  }
}

TEST_CASE("position tables: PE is what the pass adds to X, the RoPE angles rotate q",
          "[attention][positional]") {
  const Case cs(9, 8, 2, 41);
  const auto t = ap::multi_head_attention(cs.config(false, ap::Positional::Sinusoidal), cs.inputs());
  const ap::Matrix pe = ap::sinusoidal_table(cs.n, cs.dm);
  for (int i = 0; i < cs.n; ++i)
    for (int j = 0; j < cs.dm; ++j) CHECK(t.x(i, j) == cs.x[size_t(i) * cs.dm + j] + pe(i, j));
  CHECK(pe(0, 0) == 0.0f);
  CHECK(pe(0, 1) == 1.0f);
  CHECK(std::abs(pe(3, 0) - std::sin(3.0f)) < 1e-6f);

  auto config = cs.config(false, ap::Positional::Rope);
  config.unmasked_scores = true;
  const auto r = ap::multi_head_attention(config, cs.inputs());
  const int dh = cs.dm / cs.heads;
  const ap::Matrix angles = ap::rope_angles(cs.n, dh);
  REQUIRE(angles.cols() == dh / 2);
  CHECK(angles(0, 0) == 0.0f);
  CHECK(std::abs(angles(5, 0) - 5.0f) < 1e-6f);
  for (int h = 0; h < cs.heads; ++h)
    for (int i = 0; i < cs.n; ++i)
      for (int p = 0; p < dh / 2; ++p) {
        const float a = r.q_unrotated(i, h * dh + 2 * p), b = r.q_unrotated(i, h * dh + 2 * p + 1);
        const double th = angles(i, p);
        CHECK(std::abs(r.q[h](i, 2 * p) - (a * std::cos(th) - b * std::sin(th))) < 1e-5);
        CHECK(std::abs(r.q[h](i, 2 * p + 1) - (a * std::sin(th) + b * std::cos(th))) < 1e-5);
      }
}

TEST_CASE("build info reports the limits validate() enforces and every positional encoding", "[core]") {
  const ap::Limits limits = ap::build_info().limits;
  CHECK(limits.max_tokens == ap::kMaxTokens);
  CHECK(limits.max_tokens_output_only == ap::kMaxTokensOutputOnly);
  CHECK(limits.max_model_dim == ap::kMaxModelDim);
  CHECK(limits.max_heads == ap::kMaxHeads);
  CHECK(limits.max_kernel_floats == ap::kMaxKernelFloats);
  std::string names;
  for (ap::Positional p : ap::kPositionals) {
    ap::Positional parsed;
    REQUIRE(ap::parse_positional(ap::positional_name(p), &parsed));
    CHECK(parsed == p);
    names += std::string(names.empty() ? "" : ",") + ap::positional_name(p);
  }
  CHECK(names == "none,sinusoidal,rope,alibi");
  ap::AttentionConfig c;
  c.n = 1, c.d_model = ap::kMaxHeads + 1, c.heads = ap::kMaxHeads + 1;
  CHECK(ap::validate(c, {}).find("heads must be between 1 and " + std::to_string(ap::kMaxHeads)) == 0);
}

TEST_CASE("inputs at the bounds give finite results; more work than kMaxWork is refused",
          "[attention][limits]") {
  using Catch::Matchers::Contains;
  // Every value ±kMaxMagnitude and the smallest temperature: the products stay finite in float32.
  Case edge(6, 16, 2, 77);
  const float m = static_cast<float>(ap::kMaxMagnitude);
  for (auto* v : {&edge.x, &edge.wq, &edge.wk, &edge.wv, &edge.wo}) {
    for (float& value : *v) value = value > 0 ? m : -m;
  }
  for (ap::Positional p : ap::kPositionals) {
    for (bool causal : {false, true}) {
      const ap::AttentionConfig c = edge.config(causal, p, static_cast<float>(ap::kMinTemperature));
      const ap::AttentionTrace t = ap::multi_head_attention(c, edge.inputs());
      for (const auto& w : t.weights)
        for (int i = 0; i < w.size(); ++i) REQUIRE(std::isfinite(w.data()[i]));
      for (int i = 0; i < t.output.size(); ++i) REQUIRE(std::isfinite(t.output.data()[i]));
      std::vector<float> out(edge.x.size());
      ap::attention_output(c, edge.inputs(), out.data());
      for (float v : out) REQUIRE(std::isfinite(v));
    }
  }
  ap::AttentionConfig big;
  big.n = 65536, big.d_model = 1024, big.heads = 16;
  CHECK_THAT(ap::validate(big, {}, ap::Mode::OutputOnly), Contains("is over the limit of 34359738368"));
  CHECK(ap::build_info().limits.max_work == ap::kMaxWork);
}
