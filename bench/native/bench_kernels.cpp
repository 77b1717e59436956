// Benchmark of the hand-written kernels (src/kernels/kernels.h): fused attention and the packed GEMM.
//
// Built natively by CMake (bench/native/*.cpp); the same file also builds with em++ for timing
// the wasm kernels under Node (see the comment at the end). Checks each kernel against the plain
// reference first, then prints a table and one JSON line per measurement (median of reps).
//
//   bench_kernels [--path simd|scalar|both] [--max-n N] [--quick] [--min-ms T] [--clock wall|cpu]
//
// Attention flops: 4·N²·H·d (QKᵀ and PV, a multiply-add counted as 2); causal counts only the
// visible pairs, 4·H·d·N(N+1)/2. GEMM flops: 2·m·k·n.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "../../tests/core/kernels_reference.h"
#include "kernels/kernels.h"

// The clock used for timing, in ms: wall time, or with --clock cpu the process's CPU time
// (std::clock), which other jobs sharing the machine's two cores disturb less. A build may
// instead define AP_BENCH_CLOCK_MS() (the wasm build under Node: process.cpuUsage()).
bool g_cpu_clock = false;
double clock_ms() {
#ifdef AP_BENCH_CLOCK_MS
  return AP_BENCH_CLOCK_MS();
#else
  if (g_cpu_clock) return 1000.0 * double(std::clock()) / CLOCKS_PER_SEC;
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
#endif
}

namespace {

std::vector<float> random_values(size_t count, uint32_t seed) {
  uint64_t state = 0x9E3779B97F4A7C15ull * (seed + 1);
  std::vector<float> out(count);
  for (auto& x : out) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    x = float((state >> 40) & 0xFFFFFF) / 8388608.0f - 1.0f;  // [-1, 1)
  }
  return out;
}

struct Timing {
  double median, min;  // ms
};

// Runs fn until min_ms have passed (at least 3, at most 21 times, after one warm-up) and returns
// the median and the fastest time in ms (the fastest is the least disturbed by other processes).
template <class Fn>
Timing time_ms(Fn fn, double min_ms) {
  fn();
  std::vector<double> times;
  double total = 0;
  while ((times.size() < 3 || total < min_ms) && times.size() < 21) {
    const double t0 = clock_ms();
    fn();
    const double ms = clock_ms() - t0;
    times.push_back(ms);
    total += ms;
  }
  std::sort(times.begin(), times.end());
  return {times[times.size() / 2], times[0]};
}

const char* name(ap::KernelPath p) { return p == ap::KernelPath::Scalar ? "scalar" : "simd"; }

// llm.c style: every kernel must agree with the reference before it is timed.
bool validate(ap::KernelPath path) {
  bool ok = true;
  for (bool causal : {false, true}) {
    const int n = 97, heads = 2, d = 64;
    const size_t size = size_t(n) * heads * d;
    auto q = random_values(size, 1), k = random_values(size, 2), v = random_values(size, 3);
    std::vector<float> got(size), want(size);
    ap::SdpaOptions opt;
    opt.causal = causal;
    ap::scaled_dot_product_attention(q.data(), k.data(), v.data(), got.data(), n, heads, d, opt, path);
    ap::reference::attention(q.data(), k.data(), v.data(), want.data(), n, heads, d, causal,
                             1.0f / std::sqrt(float(d)), nullptr);
    for (size_t x = 0; x < size; ++x)
      if (!(std::fabs(got[x] - want[x]) <= 2e-5f + 1e-4f * std::fabs(want[x]))) {
        std::printf("MISMATCH attention %s causal=%d at %zu: %g vs %g\n", name(path), causal, x, got[x],
                    want[x]);
        ok = false;
        break;
      }
  }
  const int m = 37, k = 300, n = 45;
  auto a = random_values(size_t(m) * k, 4), b = random_values(size_t(k) * n, 5);
  std::vector<float> got(size_t(m) * n), want(size_t(m) * n);
  ap::matmul(a.data(), b.data(), got.data(), m, k, n, path);
  ap::reference::matmul(a.data(), b.data(), want.data(), m, k, n);
  for (size_t x = 0; x < got.size(); ++x)
    if (!(std::fabs(got[x] - want[x]) <= 1e-4f + 1e-5f * std::fabs(want[x]))) {
      std::printf("MISMATCH matmul %s at %zu: %g vs %g\n", name(path), x, got[x], want[x]);
      ok = false;
      break;
    }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  std::string which = "simd";
  int max_n = 8192;
  double min_ms = 300;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--path" && i + 1 < argc)
      which = argv[++i];
    else if (arg == "--max-n" && i + 1 < argc)
      max_n = std::atoi(argv[++i]);
    else if (arg == "--min-ms" && i + 1 < argc)
      min_ms = std::atof(argv[++i]);
    else if (arg == "--quick")
      quick = true;
    else if (arg == "--clock" && i + 1 < argc)
      g_cpu_clock = std::string(argv[++i]) == "cpu";
    else {
      std::printf(
          "usage: %s [--path simd|scalar|both] [--max-n N] [--min-ms T] [--quick] [--clock wall|cpu]\n",
          argv[0]);
      return 2;
    }
  }
  std::vector<ap::KernelPath> paths;
  if (which == "simd" || which == "both") paths.push_back(ap::KernelPath::Simd);
  if (which == "scalar" || which == "both") paths.push_back(ap::KernelPath::Scalar);

#ifdef AP_BENCH_CLOCK_MS
  const char* clock = "AP_BENCH_CLOCK_MS";
#else
  const char* clock = g_cpu_clock ? "cpu" : "wall";
#endif
  std::printf("kernels: simd_compiled=%d kind=%s clock=%s\n", int(ap::simd_compiled()), ap::simd_kind(),
              clock);
  for (auto path : paths)
    if (!validate(path)) return 1;
  std::printf("All kernels passed! Starting benchmarks.\n\n");

  std::printf("%-9s %-7s %6s %5s %6s %-6s %10s %9s %10s\n", "kernel", "path", "N", "heads", "d_head",
              "causal", "median ms", "GFLOP/s", "min ms");
  std::vector<std::string> json;
  char buf[256];
  const int d = 64;
  const std::vector<int> ns =
      quick ? std::vector<int>{256, 2048} : std::vector<int>{64, 256, 512, 2048, 8192};
  const std::vector<int> hs = quick ? std::vector<int>{4} : std::vector<int>{1, 4, 8};
  for (auto path : paths)
    for (int n : ns) {
      if (n > max_n) continue;
      for (int heads : hs)
        for (bool causal : {false, true}) {
          const size_t size = size_t(n) * heads * d;
          auto q = random_values(size, 11), k = random_values(size, 12), v = random_values(size, 13);
          std::vector<float> out(size);
          ap::SdpaOptions opt;
          opt.causal = causal;
          const Timing t = time_ms(
              [&] {
                ap::scaled_dot_product_attention(q.data(), k.data(), v.data(), out.data(), n, heads, d, opt,
                                                 path);
              },
              min_ms);
          const double ms = t.median;
          const double pairs = causal ? double(n) * (n + 1) / 2 : double(n) * n;
          const double gflops = 4.0 * pairs * heads * d / (ms * 1e6);
          std::printf("%-9s %-7s %6d %5d %6d %-6s %10.3f %9.2f %10.3f\n", "attention", name(path), n, heads,
                      d, causal ? "yes" : "no", ms, gflops, t.min);
          std::snprintf(buf, sizeof buf,
                        "{\"bench\":\"attention\",\"kind\":\"%s\",\"path\":\"%s\",\"n\":%d,"
                        "\"heads\":%d,\"d_head\":%d,\"causal\":%s,\"ms\":%.4f,\"min_ms\":%.4f,"
                        "\"gflops\":%.3f}",
                        ap::simd_kind(), name(path), n, heads, d, causal ? "true" : "false", ms, t.min,
                        gflops);
          json.push_back(buf);
          std::fflush(stdout);
        }
    }

  struct Shape {
    int m, k, n;
  };
  const std::vector<Shape> gemms =
      quick ? std::vector<Shape>{{2048, 256, 768}}
            : std::vector<Shape>{{2048, 256, 768}, {512, 512, 512}, {256, 64, 256}};
  for (auto path : paths)
    for (const Shape& s : gemms) {
      auto a = random_values(size_t(s.m) * s.k, 21), b = random_values(size_t(s.k) * s.n, 22);
      std::vector<float> c(size_t(s.m) * s.n);
      const Timing t =
          time_ms([&] { ap::matmul(a.data(), b.data(), c.data(), s.m, s.k, s.n, path); }, min_ms);
      const double ms = t.median;
      const double gflops = 2.0 * s.m * s.k * s.n / (ms * 1e6);
      std::printf("%-9s %-7s %6s %5s %6s %-6s %10.3f %9.2f %10.3f  (%dx%d·%dx%d)\n", "matmul", name(path), "",
                  "", "", "", ms, gflops, t.min, s.m, s.k, s.k, s.n);
      std::snprintf(buf, sizeof buf,
                    "{\"bench\":\"matmul\",\"kind\":\"%s\",\"path\":\"%s\",\"m\":%d,\"k\":%d,"
                    "\"n\":%d,\"ms\":%.4f,\"min_ms\":%.4f,\"gflops\":%.3f}",
                    ap::simd_kind(), name(path), s.m, s.k, s.n, ms, t.min, gflops);
      json.push_back(buf);
      std::fflush(stdout);
    }

  std::printf("\n");
  for (const auto& line : json) std::printf("%s\n", line.c_str());
  return 0;
}

// The same file under Node, single-threaded wasm (what the page runs):
//   export NODE_PATH=/usr/share/nodejs
//   em++ -std=c++17 -O3 -msimd128 -DAP_SIMD=1 -I src bench/native/bench_kernels.cpp src/kernels/kernels.cpp
//        -sSINGLE_FILE=1 -sALLOW_MEMORY_GROWTH=1 -sENVIRONMENT=node -o /tmp/bench_kernels.js
//   node /tmp/bench_kernels.js --quick
