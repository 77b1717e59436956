// Row kernels of the full trace. See trace_kernels.h for the contracts and
// tests/core/trace_kernels_test.cpp for the plain reference both paths are tested against.
//
// Softmax works in log2 units, like the fused kernel in kernels.cpp: t = (s − max)·log2(e) and
// p = 2^t by exp2.h (scalar and SIMD give the same bits), which returns exactly 0 below 2^−115
// (so −∞ gives 0 and no denormal is ever written). With w = p / Z and Z = Σ p,
// ln w = t·ln 2 − ln Z, so the entropy is
//   H = −Σ w·ln w = ln Z − ln 2·Σ p·t / Z,
// two non-negative terms (Z >= 1 because the max contributes 2^0, and t <= 0): no cancellation,
// and no logarithm per entry (one per entry would cost more than the softmax itself).
#include "kernels/trace_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "kernels/exp2.h"
#include "kernels/simd.h"

namespace ap {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
constexpr double kLn2 = 0.69314718055994530942;
// Entropy terms p·t: t is clamped here so a masked entry (p = 0, t = −∞) adds 0, not NaN.
// Anything below −115 has p = 0 anyway.
constexpr float kTFloor = -128.0f;

// The masks, shared by both paths: −∞ past `visible` and wherever allowed/padding say so.
void mask_row(float* s, int count, const ScoreRow& r) {
  for (int j = std::max(0, r.visible); j < count; ++j) s[j] = kNegInf;
  if (r.allowed)
    for (int j = 0; j < count; ++j)
      if (r.allowed[j] == 0) s[j] = kNegInf;
  if (r.padding)
    for (int j = 0; j < count; ++j)
      if (r.padding[j] != 0) s[j] = kNegInf;
}

// ============================================================================
// Scalar path
// ============================================================================

void finish_scalar(float* s, int count, const ScoreRow& r) {
  if (r.slope != 0.0f) {
    for (int j = 0; j < count; ++j) s[j] = s[j] * r.scale - r.slope * std::fabs(float(r.query - j));
  } else {
    for (int j = 0; j < count; ++j) s[j] = s[j] * r.scale;
  }
  mask_row(s, count, r);
}

float softmax_scalar(const float* s, float* w, int count) {
  // 1. the row's max
  float mx = kNegInf;
  for (int j = 0; j < count; ++j) mx = std::max(mx, s[j]);
  if (mx == kNegInf) {  // nothing unmasked: weights 0, entropy 0, never NaN
    std::fill(w, w + count, 0.0f);
    return 0.0f;
  }
  // 2. p = 2^t, t = (s − max)·log2(e); Z = Σ p; Σ p·t for the entropy
  float z = 0.0f, pt = 0.0f;
  for (int j = 0; j < count; ++j) {
    const float t = (s[j] - mx) * kLog2e;
    const float p = exp2_nonpositive_scalar(t);
    w[j] = p;
    z += p;
    pt += p * std::max(t, kTFloor);
  }
  // 3. normalise
  const float inv = 1.0f / z;
  for (int j = 0; j < count; ++j) w[j] *= inv;
  return static_cast<float>(std::log(double(z)) - kLn2 * pt / z);
}

// ============================================================================
// SIMD path
// ============================================================================

#if AP_HAVE_F32X4
using namespace simd;

void finish_simd(float* s, int count, const ScoreRow& r) {
  const f32x4 scale = splat(r.scale);
  int j = 0;
  if (r.slope != 0.0f) {
    alignas(16) const float iota[4] = {0, 1, 2, 3};
    const f32x4 slope = splat(r.slope), i = splat(float(r.query)), four = splat(4.0f);
    f32x4 jv = load(iota);
    for (; j + 4 <= count; j += 4) {
      const f32x4 dist = max(sub(i, jv), sub(jv, i));  // |i − j|, exact for j < 2^24
      store(s + j, sub(mul(load(s + j), scale), mul(slope, dist)));
      jv = add(jv, four);
    }
    for (; j < count; ++j) s[j] = s[j] * r.scale - r.slope * std::fabs(float(r.query - j));
  } else {
    for (; j + 4 <= count; j += 4) store(s + j, mul(load(s + j), scale));
    for (; j < count; ++j) s[j] = s[j] * r.scale;
  }
  mask_row(s, count, r);
}

float softmax_simd(const float* s, float* w, int count) {
  // 1. the row's max: four independent maxima (one would be a chain of dependent ops)
  int j = 0;
  f32x4 m0 = splat(kNegInf), m1 = m0, m2 = m0, m3 = m0;
  for (; j + 16 <= count; j += 16) {
    m0 = max(m0, load(s + j));
    m1 = max(m1, load(s + j + 4));
    m2 = max(m2, load(s + j + 8));
    m3 = max(m3, load(s + j + 12));
  }
  m0 = max(max(m0, m1), max(m2, m3));
  for (; j + 4 <= count; j += 4) m0 = max(m0, load(s + j));
  float mx = reduce_max(m0);
  for (; j < count; ++j) mx = std::max(mx, s[j]);
  if (mx == kNegInf) {  // nothing unmasked: weights 0, entropy 0, never NaN
    std::fill(w, w + count, 0.0f);
    return 0.0f;
  }
  // 2. p = 2^t, t = (s − max)·log2(e); Z = Σ p; Σ p·t for the entropy. Two rows of four in
  //    flight, so the exp polynomials overlap.
  const f32x4 vmax = splat(mx), log2e = splat(kLog2e), floor = splat(kTFloor);
  f32x4 z0 = zero(), z1 = zero(), pt0 = zero(), pt1 = zero();
  j = 0;
  for (; j + 8 <= count; j += 8) {
    const f32x4 t0 = mul(sub(load(s + j), vmax), log2e);
    const f32x4 t1 = mul(sub(load(s + j + 4), vmax), log2e);
    const f32x4 p0 = exp2_nonpositive(t0);
    const f32x4 p1 = exp2_nonpositive(t1);
    store(w + j, p0);
    store(w + j + 4, p1);
    z0 = add(z0, p0);
    z1 = add(z1, p1);
    pt0 = add(pt0, mul(p0, max(t0, floor)));
    pt1 = add(pt1, mul(p1, max(t1, floor)));
  }
  for (; j + 4 <= count; j += 4) {
    const f32x4 t0 = mul(sub(load(s + j), vmax), log2e);
    const f32x4 p0 = exp2_nonpositive(t0);
    store(w + j, p0);
    z0 = add(z0, p0);
    pt0 = add(pt0, mul(p0, max(t0, floor)));
  }
  float z = reduce_add(add(z0, z1)), pt = reduce_add(add(pt0, pt1));
  for (; j < count; ++j) {
    const float t = (s[j] - mx) * kLog2e;
    const float p = exp2_nonpositive_scalar(t);
    w[j] = p;
    z += p;
    pt += p * std::max(t, kTFloor);
  }
  // 3. normalise
  const float inv = 1.0f / z;
  const f32x4 vinv = splat(inv);
  j = 0;
  for (; j + 4 <= count; j += 4) store(w + j, mul(load(w + j), vinv));
  for (; j < count; ++j) w[j] *= inv;
  return static_cast<float>(std::log(double(z)) - kLn2 * pt / z);
}
#endif  // AP_HAVE_F32X4

bool use_simd(KernelPath path) { return AP_HAVE_F32X4 && path != KernelPath::Scalar; }

}  // namespace

// ============================================================================
// Public entry points
// ============================================================================

void finish_scores_row(float* s, int count, const ScoreRow& row, KernelPath path) {
  if (count <= 0) return;
#if AP_HAVE_F32X4
  if (use_simd(path)) return finish_simd(s, count, row);
#else
  (void)use_simd(path);
#endif
  finish_scalar(s, count, row);
}

float softmax_entropy_row(const float* s, float* w, int count, KernelPath path) {
  if (count <= 0) return 0.0f;
#if AP_HAVE_F32X4
  if (use_simd(path)) return softmax_simd(s, w, count);
#else
  (void)use_simd(path);
#endif
  return softmax_scalar(s, w, count);
}

void transpose(const float* src, int rows, int cols, int ld, float* dst) {
  constexpr int kTile = 16;  // a 16×16 tile of each side stays in L1
  for (int i0 = 0; i0 < rows; i0 += kTile) {
    const int i1 = std::min(rows, i0 + kTile);
    for (int j0 = 0; j0 < cols; j0 += kTile) {
      const int j1 = std::min(cols, j0 + kTile);
      for (int i = i0; i < i1; ++i)
        for (int j = j0; j < j1; ++j) dst[size_t(j) * rows + i] = src[size_t(i) * ld + j];
    }
  }
}

}  // namespace ap
