// Comparisons shared by the model tests.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace ap_test {

// Largest |got − want| over a row of `width`, relative to the row's largest |want| (so "1e-4
// relative" means within 1e-4 of the row's scale). Returns the worst over all rows.
inline double worst_relative(const float* got, const std::vector<double>& want, size_t width) {
  double worst = 0;
  for (size_t r = 0; r * width < want.size(); ++r) {
    double scale = 1e-30, err = 0;
    for (size_t c = 0; c < width; ++c) {
      scale = std::max(scale, std::fabs(want[r * width + c]));
      const double e = std::fabs(double(got[r * width + c]) - want[r * width + c]);
      err = std::isnan(e) ? INFINITY : std::max(err, e);
    }
    worst = std::max(worst, err / scale);
  }
  return worst;
}

inline std::vector<int> ids_of(int n, int vocab, uint32_t seed) {
  std::vector<int> ids(static_cast<size_t>(n));
  uint32_t s = seed * 2654435761u + 1;
  for (int& t : ids) {
    s = s * 1664525u + 1013904223u;
    t = int((s >> 8) % uint32_t(vocab));
  }
  return ids;
}

}  // namespace ap_test
