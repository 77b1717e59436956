// 2^x for x <= 0, the one exponential of every softmax in the core: scalar and SIMD (simd.h)
// evaluate the same polynomial from the same constants in the same order, so they agree bit for
// bit, and the trace does not depend on which path computed a row.
//
// x = n + f with n = round(x) and |f| <= 1/2; 2^f by a degree-5 polynomial (minimax for relative
// error on [−1/2, 1/2], fitted by Lawson-weighted least squares; max error 1.9e-7 in float
// arithmetic), 2^n built in the exponent bits. n = round(x) uses the 1.5·2^23 "magic add": the
// low mantissa bits of t = x + 1.5·2^23 then hold n. Working in log2 units (scores pre-multiplied
// by log2 e) saves the multiply and the Cody–Waite reduction of a natural exp and needs few
// constants, which matters on V8/x64, where constants compete with accumulators for 16 vector
// registers. Results for x < kExp2Flush (including −∞) are exactly 0: masked weights are exact
// zeros and no denormal reaches a later product (denormal arithmetic is many times slower).
#pragma once

#include <cstdint>
#include <cstring>

#include "kernels/simd.h"

namespace ap {

inline constexpr float kLog2e = 1.44269504088896341f;  // scores × log2(e): e^s = 2^(s·log2 e)

inline constexpr float kExp2Flush = -115.0f;      // 2^-115 ≈ 2.4e-35 ≈ e^-79.7; below it, 0
inline constexpr float kExp2Magic = 12582912.0f;  // 1.5·2^23: x + magic rounds x to an integer
inline constexpr float kExp2C1 = 0.6931470036506653f;
inline constexpr float kExp2C2 = 0.24022242426872253f;
inline constexpr float kExp2C3 = 0.05550733581185341f;
inline constexpr float kExp2C4 = 0.009671512991189957f;
inline constexpr float kExp2C5 = 0.0013264723820611835f;

namespace exp2_detail {

// The operations the polynomial is written in, for float and (when compiled in) f32x4.
inline float add(float a, float b) { return a + b; }
inline float mul(float a, float b) { return a * b; }
inline float constant(float c, float) { return c; }
#if AP_HAVE_F32X4
using simd::add;
using simd::mul;
inline simd::f32x4 constant(float c, simd::f32x4) { return simd::splat(c); }
#endif

// 2^f for f in [−1/2, 1/2] by Estrin's scheme, 1 + f·((C1 + C2·f) + f²·((C3 + C4·f) + C5·f²)):
// a dependency chain of 4 multiplies and 3 adds instead of Horner's 5 + 5, so more exponentials
// overlap in flight. One template, so float and f32x4 cannot drift apart.
template <typename T>
inline T exp2_poly(T f) {
  const T f2 = mul(f, f);
  const T lo = add(constant(kExp2C1, f), mul(constant(kExp2C2, f), f));
  const T hi = add(add(constant(kExp2C3, f), mul(constant(kExp2C4, f), f)), mul(constant(kExp2C5, f), f2));
  return add(constant(1.0f, f), mul(f, add(lo, mul(f2, hi))));
}

}  // namespace exp2_detail

// Scalar 2^x for x <= 0; 0 below kExp2Flush (also for −∞).
inline float exp2_nonpositive_scalar(float x) {
  if (!(x >= kExp2Flush)) return 0.0f;
  const float t = x + kExp2Magic;
  const float f = x - (t - kExp2Magic);  // x − round(x), in [−1/2, 1/2]
  const float p = exp2_detail::exp2_poly(f);
  uint32_t bits;
  std::memcpy(&bits, &t, sizeof bits);
  bits = (bits << 23) + 0x3F800000u;  // 2^round(x): see exp2_from_parts
  float pow2n;
  std::memcpy(&pow2n, &bits, sizeof pow2n);
  return p * pow2n;
}

#if AP_HAVE_F32X4
namespace simd {

// 2^f·2^n from f in [−1/2, 1/2] and t, whose bits are 0x4B400000 + n; 0 where flush is set.
inline f32x4 exp2_from_parts(f32x4 f, f32x4 t, f32x4 flush) {
  const f32x4 p = exp2_detail::exp2_poly(f);
  // bits(t) = 0x4B400000 + n, whose low 9 bits are n's: shifting by 23 leaves n << 23, and adding
  // the bits of 1.0f (127 << 23) gives the float 2^n.
  const f32x4 pow2n = i32_add(i32_shl23(t), splat(1.0f));
  return bit_andnot(flush, mul(p, pow2n));
}

// 2^x for x <= 0, four lanes; the scalar function's results, lane by lane.
inline f32x4 exp2_nonpositive(f32x4 x) {
  const f32x4 flush = less(x, splat(kExp2Flush));  // below it, t and p may be garbage: masked
  const f32x4 magic = splat(kExp2Magic);
  const f32x4 t = add(x, magic);
  const f32x4 f = sub(x, sub(t, magic));  // x − round(x), in [−1/2, 1/2]
  return exp2_from_parts(f, t, flush);
}

// 2^(x − m) for an integer m with |m| <= 2^21 and x <= m + 1/2, without computing x − m, given
// c = 1.5·2^23 − m (exact) and flush_at = m − 115: t = x + c rounds x to an integer and its low
// bits hold round(x) − m; f = x − (t − c) = x − round(x) is exact. One operation fewer than
// exp2_nonpositive(x − m); likewise exactly 0 below 2^−115 and for x = −∞.
inline f32x4 exp2_minus_int(f32x4 x, f32x4 c, f32x4 flush_at) {
  const f32x4 flush = less(x, flush_at);
  const f32x4 t = add(x, c);
  const f32x4 f = sub(x, sub(t, c));
  return exp2_from_parts(f, t, flush);
}

}  // namespace simd
#endif  // AP_HAVE_F32X4

}  // namespace ap
