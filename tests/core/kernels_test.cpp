// Tests of the hand-written kernels (src/kernels/kernels.h) against the plain reference
// (kernels_reference.h): both paths (SIMD and scalar), causal or not, ALiBi on or off, sizes
// around the packet widths, unaligned buffers, guard values after every output.
// Runs natively and in wasm under Node (keep it to a few seconds there).
#include "kernels/kernels.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "kernels_reference.h"
#include "test_buffers.h"

namespace {

using ap::KernelPath;

using ap_test::random_values;
using ap_test::Unaligned;

// Compares got with want, tolerance tol + |want|·eps. Returns the number of mismatches and
// describes the first few in report (printed by Catch when the check fails).
int compare(const float* got, const float* want, size_t count, float tol, float eps, std::string* report,
            int width = 0) {
  int bad = 0;
  char line[160];
  for (size_t x = 0; x < count; ++x) {
    const float err = std::fabs(got[x] - want[x]);
    if (!(err <= tol + std::fabs(want[x]) * eps)) {  // NaN fails too
      if (bad < 5) {
        if (width > 0)
          std::snprintf(line, sizeof line, "  [%zu, %zu] got %.8g want %.8g (err %.3g)\n", x / width,
                        x % width, got[x], want[x], err);
        else
          std::snprintf(line, sizeof line, "  [%zu] got %.8g want %.8g (err %.3g)\n", x, got[x], want[x],
                        err);
        *report += line;
      }
      ++bad;
    }
  }
  return bad;
}

const char* path_name(KernelPath p) { return p == KernelPath::Simd ? "simd" : "scalar"; }

struct SdpaCase {
  int n, heads, d;
  bool causal, alibi;
  float stddev = 1.0f;  // of q and k: larger makes peaked softmax and exercises the rescaling
  float scale = 0.0f;
};

void check_sdpa(const SdpaCase& tc, KernelPath path, uint32_t seed) {
  const size_t size = size_t(tc.n) * tc.heads * tc.d;
  Unaligned q(random_values(size, seed, tc.stddev));
  Unaligned k(random_values(size, seed + 101, tc.stddev));
  Unaligned v(random_values(size, seed + 202));
  std::vector<float> slopes(tc.heads);
  for (int h = 0; h < tc.heads; ++h) slopes[h] = std::exp2(-8.0f * (h + 1) / tc.heads);

  ap::SdpaOptions opt;
  opt.causal = tc.causal;
  opt.scale = tc.scale;
  opt.alibi_slopes = tc.alibi ? slopes.data() : nullptr;
  Unaligned out(size, std::nanf(""));  // the kernel must write every element
  ap::scaled_dot_product_attention(q.data(), k.data(), v.data(), out.data(), tc.n, tc.heads, tc.d, opt, path);

  std::vector<float> want(size);
  const float scale = tc.scale != 0.0f ? tc.scale : 1.0f / std::sqrt(float(tc.d));
  ap::reference::attention(q.data(), k.data(), v.data(), want.data(), tc.n, tc.heads, tc.d, tc.causal, scale,
                           opt.alibi_slopes);

  std::string report;
  // 1e-5 relative to each entry or, for entries near 0 (an average of values of both signs), to
  // the output's rms: |got − want| <= 1e-5·(rms + |want|). The peaked cases (stddev > 1) get 1e-4:
  // their scores reach ~100, and a float32 score that large is itself off by ~1e-5 absolute
  // (the double reference is not), which moves its weight by ~1e-5 relative before any kernel.
  double squares = 0;
  for (float w : want) squares += double(w) * w;
  const float rms = float(std::sqrt(squares / double(std::max<size_t>(size, 1))));
  const float rel = tc.stddev > 1.0f ? 1e-4f : 1e-5f;
  const int bad = compare(out.data(), want.data(), size, rel * rms, rel, &report, tc.heads * tc.d);
  INFO(path_name(path) << " n=" << tc.n << " heads=" << tc.heads << " d_head=" << tc.d
                       << " causal=" << tc.causal << " alibi=" << tc.alibi << " stddev=" << tc.stddev
                       << " scale=" << tc.scale << "\n"
                       << report);
  CHECK(bad == 0);
  CHECK(out.guards_intact());
}

const KernelPath kPaths[] = {KernelPath::Simd, KernelPath::Scalar};

}  // namespace

TEST_CASE("kernels: build reports its SIMD path", "[kernels]") {
  std::printf("kernels: simd_compiled=%d kind=%s\n", int(ap::simd_compiled()), ap::simd_kind());
#if AP_SIMD && (defined(__wasm_simd128__) || defined(__SSE2__) || defined(_M_X64))
  CHECK(ap::simd_compiled());
#endif
  if (!ap::simd_compiled()) CHECK(std::string(ap::simd_kind()) == "scalar");
}

TEST_CASE("kernels: attention matches the reference on small shapes", "[kernels]") {
  uint32_t seed = 1;
  for (KernelPath path : kPaths)
    for (int n : {1, 3, 33})
      for (int d : {5, 8, 64, 128})
        for (int heads : {1, 3})
          for (bool causal : {false, true})
            for (bool alibi : {false, true}) check_sdpa({n, heads, d, causal, alibi}, path, seed++);
}

TEST_CASE("kernels: attention with many heads and ragged tiles", "[kernels]") {
  uint32_t seed = 500;
  for (KernelPath path : kPaths)
    for (int heads : {2, 5, 8})
      for (int n : {4, 31, 32, 63, 65, 97, 127, 129, 257})
        for (bool causal : {false, true})
          check_sdpa({n, heads, heads == 5 ? 12 : 8, causal, heads == 8}, path, seed++);
}

TEST_CASE("kernels: attention n=1000 (several key tiles, online rescaling)", "[kernels]") {
  uint32_t seed = 900;
  for (KernelPath path : kPaths) {
    for (int d : {8, 64, 128})
      for (bool causal : {false, true}) check_sdpa({1000, 1, d, causal, false}, path, seed++);
    check_sdpa({1000, 2, 32, true, true}, path, seed++);
    check_sdpa({1000, 1, 5, true, false}, path, seed++);
  }
}

TEST_CASE("kernels: attention with peaked softmax and explicit scale", "[kernels]") {
  uint32_t seed = 1200;
  for (KernelPath path : kPaths)
    for (bool causal : {false, true}) {
      // scores of magnitude ~100: the running max changes many times, most weights underflow
      check_sdpa({200, 2, 16, causal, false, 3.0f, 1.0f}, path, seed++);
      check_sdpa({70, 3, 7, causal, true, 2.0f, 0.5f}, path, seed++);
      // scores of magnitude ~2^21 and beyond (the SIMD path's integer-max exp holds up to 2^21
      // in log2 units, larger maxima take the subtracting exp): a near one-hot softmax
      check_sdpa({300, 1, 16, causal, false, 1.0f, 4e5f}, path, seed++);
    }
}

TEST_CASE("kernels: attention is finite and reuses scratch across shapes", "[kernels]") {
  for (KernelPath path : kPaths) {
    // Huge ALiBi slope: every weight but the diagonal underflows to exactly 0.
    const int n = 40, heads = 2, d = 8;
    const size_t size = size_t(n) * heads * d;
    auto q = random_values(size, 7), k = random_values(size, 8), v = random_values(size, 9);
    const float slopes[2] = {1e6f, 1e6f};
    ap::SdpaOptions opt;
    opt.alibi_slopes = slopes;
    std::vector<float> out(size);
    ap::scaled_dot_product_attention(q.data(), k.data(), v.data(), out.data(), n, heads, d, opt, path);
    for (size_t x = 0; x < size; ++x) REQUIRE(out[x] == v[x]);  // weight 1 on itself

    // A large call then a small one then the large again: same answers.
    std::vector<float> first(size_t(300) * 64), again(size_t(300) * 64), small(size_t(5) * 64);
    auto q2 = random_values(first.size(), 10), k2 = random_values(first.size(), 11),
         v2 = random_values(first.size(), 12);
    ap::SdpaOptions causal;
    causal.causal = true;
    ap::scaled_dot_product_attention(q2.data(), k2.data(), v2.data(), first.data(), 300, 1, 64, causal, path);
    ap::scaled_dot_product_attention(q2.data(), k2.data(), v2.data(), small.data(), 5, 4, 16, causal, path);
    ap::scaled_dot_product_attention(q2.data(), k2.data(), v2.data(), again.data(), 300, 1, 64, causal, path);
    CHECK(first == again);
  }
}

TEST_CASE("kernels: SIMD and scalar attention agree", "[kernels]") {
  const int n = 150, heads = 3, d = 24;
  const size_t size = size_t(n) * heads * d;
  auto q = random_values(size, 21), k = random_values(size, 22), v = random_values(size, 23);
  for (bool causal : {false, true}) {
    ap::SdpaOptions opt;
    opt.causal = causal;
    std::vector<float> a(size), b(size);
    ap::scaled_dot_product_attention(q.data(), k.data(), v.data(), a.data(), n, heads, d, opt,
                                     KernelPath::Simd);
    ap::scaled_dot_product_attention(q.data(), k.data(), v.data(), b.data(), n, heads, d, opt,
                                     KernelPath::Scalar);
    std::string report;
    INFO("causal=" << causal << "\n" << report);
    CHECK(compare(a.data(), b.data(), size, 2e-5f, 1e-4f, &report, heads * d) == 0);
  }
}

TEST_CASE("kernels: matmul matches the reference around the packet widths", "[kernels]") {
  const int sizes[] = {1, 2, 3, 4, 5, 7, 8, 9, 17};
  uint32_t seed = 3000;
  for (KernelPath path : kPaths) {
    auto run = [&](int m, int k, int n) {
      Unaligned a(random_values(size_t(m) * k, seed++));
      Unaligned b(random_values(size_t(k) * n, seed++));
      Unaligned c(size_t(m) * n, std::nanf(""));  // must be overwritten, never read
      ap::matmul(a.data(), b.data(), c.data(), m, k, n, path);
      std::vector<float> want(size_t(m) * n);
      ap::reference::matmul(a.data(), b.data(), want.data(), m, k, n);
      std::string report;
      const int bad = compare(c.data(), want.data(), want.size(), 2e-6f * (k + 1), 1e-5f, &report, n);
      INFO(path_name(path) << " m=" << m << " k=" << k << " n=" << n << "\n" << report);
      CHECK(bad == 0);
      CHECK(c.guards_intact());
    };
    for (int m : sizes)
      for (int k : sizes)
        for (int n : sizes) run(m, k, n);
    // Several row blocks, column panels and depth blocks (kKc = 256).
    run(65, 33, 31);
    run(70, 300, 41);
    run(129, 513, 24);
    run(3, 600, 5);
  }
}

TEST_CASE("kernels: matmul with k = 0 writes zeros", "[kernels]") {
  for (KernelPath path : kPaths) {
    std::vector<float> c(6, 7.0f);
    ap::matmul(nullptr, nullptr, c.data(), 2, 0, 3, path);
    for (float x : c) CHECK(x == 0.0f);
  }
}
