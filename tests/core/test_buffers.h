// What the kernel tests share (kernels_test.cpp, trace_kernels_test.cpp): seeded values and
// deliberately unaligned buffers with guard values after them (Eigen's and ggml's habits).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ap_test {

// Deterministic N(0, stddev²)-ish values (sum of 4 uniforms, rescaled): no dependency on the
// core's own generator, so these tests stand alone.
inline std::vector<float> random_values(size_t count, uint32_t seed, float stddev = 1.0f) {
  uint64_t state = 0x9E3779B97F4A7C15ull * (seed + 1);
  auto uniform = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return float((state >> 40) & 0xFFFFFF) / 16777216.0f;  // [0, 1)
  };
  std::vector<float> out(count);
  for (auto& x : out) {
    const float s = uniform() + uniform() + uniform() + uniform() - 2.0f;  // var 1/3
    x = s * 1.7320508f * stddev;
  }
  return out;
}

// A buffer that starts one float past a 16-byte boundary (deliberately unaligned) and is followed
// by guard values that the kernels must not touch.
constexpr int kGuard = 16;
constexpr float kGuardValue = -12345.5f;

struct Unaligned {
  std::vector<float> storage;
  size_t size;
  explicit Unaligned(size_t n, float fill = 0.0f) : storage(n + 4 + kGuard, kGuardValue), size(n) {
    std::fill(data(), data() + n, fill);
  }
  explicit Unaligned(const std::vector<float>& values) : Unaligned(values.size()) {
    std::copy(values.begin(), values.end(), data());
  }
  float* data() {
    auto addr = reinterpret_cast<uintptr_t>(storage.data());
    size_t offset = ((16 - addr % 16) % 16) / sizeof(float) + 1;  // aligned + 1 float
    return storage.data() + offset;
  }
  bool guards_intact() {
    for (int g = 0; g < kGuard; ++g)
      if (data()[size + g] != kGuardValue) return false;
    return true;
  }
};

}  // namespace ap_test
