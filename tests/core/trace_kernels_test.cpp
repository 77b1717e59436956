// Tests of the trace's row kernels (src/kernels/trace_kernels.h), both paths (SIMD and scalar), against
// the plain float64 reference below: sizes around the packet widths, unaligned buffers, guard
// values after every output, every mask kind, ALiBi, fully masked and very peaked rows.
#include "kernels/trace_kernels.h"

#include <catch2/catch.hpp>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "kernels/exp2.h"
#include "test_buffers.h"

namespace {

using ap::KernelPath;

constexpr double kInf = std::numeric_limits<double>::infinity();

// ---- the reference: numbered passes, in double ------------------------------------------

struct RowSpec {
  float scale = 1.0f, slope = 0.0f;
  int query = 0, visible = 0;
  const uint8_t* allowed = nullptr;
  const uint8_t* padding = nullptr;
};

// 1. scores: raw·scale − slope·|i − j|; −∞ past visible, where allowed is 0, where padding is 1.
std::vector<double> reference_scores(const std::vector<float>& raw, const RowSpec& r) {
  std::vector<double> s(raw.size());
  for (size_t j = 0; j < raw.size(); ++j) {
    const bool masked = static_cast<int>(j) >= r.visible || (r.allowed && r.allowed[j] == 0) ||
                        (r.padding && r.padding[j] != 0);
    s[j] = masked ? -kInf : double(raw[j]) * r.scale - double(r.slope) * std::abs(r.query - int(j));
  }
  return s;
}

// 2. softmax over the row with max subtraction (all masked: zeros); 3. entropy −Σ w ln w.
std::vector<double> reference_softmax(const std::vector<double>& s, double* entropy) {
  std::vector<double> w(s.size(), 0.0);
  double max = -kInf, sum = 0.0;
  for (double x : s) max = std::max(max, x);
  *entropy = 0.0;
  if (max == -kInf) return w;
  for (size_t j = 0; j < s.size(); ++j) sum += (w[j] = std::exp(s[j] - max));
  for (double& x : w) x /= sum;
  for (double x : w)
    if (x > 0) *entropy -= x * std::log(x);
  return w;
}

// ---- helpers ---------------------------------------------------------------------------

using ap_test::random_values;
using ap_test::Unaligned;

const char* path_name(KernelPath p) { return p == KernelPath::Simd ? "simd" : "scalar"; }
const KernelPath kPaths[] = {KernelPath::Simd, KernelPath::Scalar};
const int kCounts[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 100, 257};

// Runs finish_scores_row and softmax_entropy_row on one row and checks both against the reference.
void check_row(const std::vector<float>& raw, const RowSpec& spec, KernelPath path, bool in_place,
               const std::string& what) {
  const int count = static_cast<int>(raw.size());
  ap::ScoreRow row;
  row.scale = spec.scale;
  row.slope = spec.slope;
  row.query = spec.query;
  row.visible = spec.visible;
  row.allowed = spec.allowed;
  row.padding = spec.padding;
  Unaligned s(raw);
  ap::finish_scores_row(s.data(), count, row, path);
  const std::vector<double> want_s = reference_scores(raw, spec);
  double want_h = 0.0;
  const std::vector<double> want_w = reference_softmax(want_s, &want_h);

  Unaligned w(raw.size(), std::nanf(""));  // the kernel must write every entry
  std::vector<float> scores(s.data(), s.data() + count);
  const float h = ap::softmax_entropy_row(s.data(), in_place ? s.data() : w.data(), count, path);
  const float* got_w = in_place ? s.data() : w.data();

  INFO(path_name(path) << " " << what << " count=" << count << (in_place ? " in place" : ""));
  int bad = 0;
  std::string report;
  char line[200];
  for (int j = 0; j < count; ++j) {
    const bool s_ok = std::isinf(want_s[j])
                          ? scores[j] == -std::numeric_limits<float>::infinity()
                          : std::abs(scores[j] - want_s[j]) <= 1e-6 + 1e-6 * std::abs(want_s[j]);
    // masked weights exactly 0; no denormal; the rest within 1e-6 + 2e-5 relative
    const bool w_ok = std::isinf(want_s[j]) ? got_w[j] == 0.0f
                                            : (got_w[j] == 0.0f || got_w[j] >= FLT_MIN) &&
                                                  std::abs(got_w[j] - want_w[j]) <= 1e-6 + 2e-5 * want_w[j];
    if (!s_ok || !w_ok) {
      if (bad++ < 5) {
        std::snprintf(line, sizeof line, "  [%d] score %.8g want %.8g, weight %.8g want %.8g\n", j, scores[j],
                      want_s[j], got_w[j], want_w[j]);
        report += line;
      }
    }
  }
  INFO(report << "entropy " << h << " want " << want_h);
  CHECK(bad == 0);
  CHECK(std::abs(h - want_h) <= 2e-6 + 2e-5 * want_h);
  CHECK(s.guards_intact());
  CHECK(w.guards_intact());
}

}  // namespace

TEST_CASE("trace kernels: scores and softmax of unmasked rows", "[trace_kernels]") {
  uint32_t seed = 1;
  for (KernelPath path : kPaths)
    for (int count : kCounts)
      for (float stddev : {1.0f, 8.0f}) {
        const auto raw = random_values(count, seed++, stddev);
        RowSpec spec;
        spec.scale = 0.125f;
        spec.visible = count;
        check_row(raw, spec, path, false, "plain stddev=" + std::to_string(stddev));
        check_row(raw, spec, path, true, "plain stddev=" + std::to_string(stddev));
      }
}

TEST_CASE("trace kernels: ALiBi bias, causal limits, custom masks, key padding", "[trace_kernels]") {
  uint32_t seed = 100;
  for (KernelPath path : kPaths)
    for (int count : kCounts) {
      const auto raw = random_values(count, seed++);
      std::vector<uint8_t> allowed(count), padding(count);
      for (int j = 0; j < count; ++j) {
        allowed[j] = (j * 7 + count) % 3 != 0;
        padding[j] = j % 5 == 4;
      }
      for (int query : {0, count / 2, count - 1}) {
        RowSpec spec;
        spec.scale = 0.7f;
        spec.slope = 0.25f;
        spec.query = query;
        spec.visible = count;
        check_row(raw, spec, path, false, "alibi query=" + std::to_string(query));
        spec.visible = query + 1;  // causal
        check_row(raw, spec, path, false, "alibi causal query=" + std::to_string(query));
        spec.slope = 0.0f;
        spec.allowed = allowed.data();
        check_row(raw, spec, path, true, "causal + mask query=" + std::to_string(query));
        spec.visible = count;
        spec.padding = padding.data();
        check_row(raw, spec, path, false, "mask + padding query=" + std::to_string(query));
      }
    }
}

TEST_CASE("trace kernels: fully masked rows give zeros and entropy 0, never NaN", "[trace_kernels]") {
  for (KernelPath path : kPaths)
    for (int count : kCounts) {
      const auto raw = random_values(count, 7);
      std::vector<uint8_t> none(count, 0), all_padding(count, 1);
      RowSpec spec;
      spec.visible = count;
      spec.allowed = none.data();
      check_row(raw, spec, path, false, "nothing allowed");
      spec.allowed = nullptr;
      spec.padding = all_padding.data();
      check_row(raw, spec, path, true, "all padding");
      spec.padding = nullptr;
      spec.visible = 0;
      check_row(raw, spec, path, false, "visible 0");
    }
}

TEST_CASE("trace kernels: peaked rows flush tiny weights to exact zeros (no denormals)", "[trace_kernels]") {
  for (KernelPath path : kPaths)
    for (int count : {5, 16, 33}) {
      std::vector<float> raw = random_values(count, 11, 1.0f);
      raw[count / 2] = 200.0f;                      // one dominant key
      if (count > 3) raw[1] = 200.0f - 60.0f;       // e^-60: small but normal, kept
      if (count > 4) raw[3] = 200.0f - 90.0f;       // e^-90 ≈ 8e-40: below 2^-115, flushed
      raw[0] = -std::numeric_limits<float>::max();  // huge negative score: 0, no overflow
      RowSpec spec;
      spec.visible = count;
      check_row(raw, spec, path, false, "peaked");
      ap::ScoreRow row;
      row.visible = count;
      std::vector<float> s = raw, w(count);
      ap::finish_scores_row(s.data(), count, row, path);
      ap::softmax_entropy_row(s.data(), w.data(), count, path);
      CHECK(w[count / 2] == Approx(1.0));
      if (count > 4) CHECK(w[3] == 0.0f);
      if (count > 3) CHECK(w[1] == Approx(std::exp(-60.0)).epsilon(1e-4));
      CHECK(w[0] == 0.0f);
    }
}

TEST_CASE("trace kernels: uniform rows have entropy ln k, one-hot rows 0", "[trace_kernels]") {
  for (KernelPath path : kPaths)
    for (int count : kCounts) {
      std::vector<float> s(count, 0.5f), w(count);
      CHECK(ap::softmax_entropy_row(s.data(), w.data(), count, path) == Approx(std::log(double(count))));
      for (float x : w) CHECK(x == Approx(1.0 / count));
      std::vector<float> one_hot(count, -std::numeric_limits<float>::infinity());
      one_hot[count - 1] = 3.0f;
      CHECK(ap::softmax_entropy_row(one_hot.data(), w.data(), count, path) == 0.0f);
      CHECK(w[count - 1] == 1.0f);
    }
}

TEST_CASE("trace kernels: both paths agree bit for bit on the scores", "[trace_kernels]") {
  for (int count : kCounts) {
    const auto raw = random_values(count, 33);
    ap::ScoreRow row;
    row.scale = 0.3f;
    row.slope = 0.125f;
    row.query = count / 3;
    row.visible = count;
    std::vector<float> a = raw, b = raw;
    ap::finish_scores_row(a.data(), count, row, KernelPath::Simd);
    ap::finish_scores_row(b.data(), count, row, KernelPath::Scalar);
    CHECK(a == b);
  }
}

TEST_CASE("exp2: within 2e-7 of 2^x, exactly 0 below 2^-115; SIMD gives the scalar's bits", "[exp2]") {
  std::vector<float> xs = {0.0f,     -0.0f,    -0.5f,
                           -1.0f,    -114.99f, -115.0f,
                           -115.01f, -200.0f,  -std::numeric_limits<float>::infinity()};
  for (float x = 0.5f; x > -120.0f; x -= 0.0078125f * 3.1f) xs.push_back(x);
  for (float x : random_values(4096, 7)) xs.push_back(-std::fabs(x) * 40.0f);
  int bad = 0;
  for (float x : xs) {
    const float got = ap::exp2_nonpositive_scalar(x);
    const double want = x < ap::kExp2Flush ? 0.0 : std::exp2(double(x));
    if (std::fabs(got - want) > 2e-7 * want) bad++;
  }
  CHECK(bad == 0);
#if AP_HAVE_F32X4
  xs.resize(xs.size() / 4 * 4);
  int differ = 0;
  for (size_t i = 0; i < xs.size(); i += 4) {
    float lanes[4];
    ap::simd::store(lanes, ap::simd::exp2_nonpositive(ap::simd::load(&xs[i])));
    for (int l = 0; l < 4; ++l) {
      const float scalar = ap::exp2_nonpositive_scalar(xs[i + l]);
      differ += std::memcmp(&lanes[l], &scalar, sizeof scalar) != 0;
    }
  }
  CHECK(differ == 0);
#endif
}

TEST_CASE("trace kernels: transpose", "[trace_kernels]") {
  for (int rows : {1, 3, 16, 17, 40})
    for (int cols : {1, 5, 16, 33}) {
      const int ld = cols + 3;
      const auto src = random_values(size_t(rows) * ld, rows * 100 + cols);
      Unaligned dst(size_t(rows) * cols, std::nanf(""));
      ap::transpose(src.data(), rows, cols, ld, dst.data());
      int bad = 0;
      for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j) bad += dst.data()[size_t(j) * rows + i] != src[size_t(i) * ld + j];
      INFO("rows=" << rows << " cols=" << cols);
      CHECK(bad == 0);
      CHECK(dst.guards_intact());
    }
}
