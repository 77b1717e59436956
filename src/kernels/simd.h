// A tiny 4-lane float vector (f32x4) for the hand-written kernels in kernels.cpp.
//
// One set of inline functions, three backends chosen at compile time:
//   - WebAssembly SIMD128 (wasm_simd128.h) when __wasm_simd128__ is defined (em++ -msimd128);
//   - SSE2 intrinsics on x86, so the very same kernel code is tested and benchmarked natively;
//   - nothing when AP_SIMD == 0 (AP_HAVE_F32X4 is then 0 and only the scalar kernels exist).
//
// Only operations that map to one cheap instruction on both targets are offered. SIMD128 has no
// fused multiply-add, so there is none here either: kernels write mul then add (ggml does the same).
// max/min are the "pseudo" variants (wasm pmax/pmin = SSE maxps/minps): cheap, but with no NaN
// semantics, so they must only see ordinary numbers and ±inf.
// Loads and stores are unaligned.
#pragma once

#ifndef AP_SIMD
#define AP_SIMD 1
#endif

#if AP_SIMD && defined(__wasm_simd128__)
#include <wasm_simd128.h>
#define AP_HAVE_F32X4 1
#define AP_SIMD_KIND "wasm-simd128"
#elif AP_SIMD && (defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2))
#include <emmintrin.h>
#define AP_HAVE_F32X4 1
#define AP_SIMD_KIND "sse2"
#else
#define AP_HAVE_F32X4 0
#define AP_SIMD_KIND "scalar"
#endif

#if AP_HAVE_F32X4

#include <cstdint>

namespace ap::simd {

#if defined(__wasm_simd128__)

using f32x4 = v128_t;  // also used for 4 x int32 (bit patterns)

inline f32x4 load(const float* p) { return wasm_v128_load(p); }
inline void store(float* p, f32x4 v) { wasm_v128_store(p, v); }
inline f32x4 load_splat(const float* p) { return wasm_v128_load32_splat(p); }
inline f32x4 splat(float x) { return wasm_f32x4_splat(x); }
inline f32x4 zero() { return wasm_f32x4_const_splat(0.0f); }
inline f32x4 add(f32x4 a, f32x4 b) { return wasm_f32x4_add(a, b); }
inline f32x4 sub(f32x4 a, f32x4 b) { return wasm_f32x4_sub(a, b); }
inline f32x4 mul(f32x4 a, f32x4 b) { return wasm_f32x4_mul(a, b); }
inline f32x4 max(f32x4 a, f32x4 b) { return wasm_f32x4_pmax(a, b); }
inline f32x4 min(f32x4 a, f32x4 b) { return wasm_f32x4_pmin(a, b); }
// Lane-wise a < b as an all-ones / all-zeros mask.
inline f32x4 less(f32x4 a, f32x4 b) { return wasm_f32x4_lt(a, b); }
inline f32x4 bit_and(f32x4 a, f32x4 b) { return wasm_v128_and(a, b); }
inline f32x4 bit_andnot(f32x4 mask, f32x4 a) { return wasm_v128_andnot(a, mask); }  // ~mask & a
// Integer lane ops on the bit patterns (used by exp).
inline f32x4 i32_add(f32x4 a, f32x4 b) { return wasm_i32x4_add(a, b); }
inline f32x4 i32_shl23(f32x4 a) { return wasm_i32x4_shl(a, 23); }
inline f32x4 i32_splat(int32_t x) { return wasm_i32x4_splat(x); }
// Horizontal reductions (rare: once per row and tile).
inline float reduce_max(f32x4 v) {
  f32x4 m = wasm_f32x4_pmax(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  m = wasm_f32x4_pmax(m, wasm_i32x4_shuffle(m, m, 1, 0, 3, 2));
  return wasm_f32x4_extract_lane(m, 0);
}
inline float reduce_add(f32x4 v) {
  f32x4 s = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  s = wasm_f32x4_add(s, wasm_i32x4_shuffle(s, s, 1, 0, 3, 2));
  return wasm_f32x4_extract_lane(s, 0);
}

#else  // SSE2

using f32x4 = __m128;

inline f32x4 load(const float* p) { return _mm_loadu_ps(p); }
inline void store(float* p, f32x4 v) { _mm_storeu_ps(p, v); }
inline f32x4 load_splat(const float* p) { return _mm_load1_ps(p); }
inline f32x4 splat(float x) { return _mm_set1_ps(x); }
inline f32x4 zero() { return _mm_setzero_ps(); }
inline f32x4 add(f32x4 a, f32x4 b) { return _mm_add_ps(a, b); }
inline f32x4 sub(f32x4 a, f32x4 b) { return _mm_sub_ps(a, b); }
inline f32x4 mul(f32x4 a, f32x4 b) { return _mm_mul_ps(a, b); }
inline f32x4 max(f32x4 a, f32x4 b) { return _mm_max_ps(a, b); }
inline f32x4 min(f32x4 a, f32x4 b) { return _mm_min_ps(a, b); }
inline f32x4 less(f32x4 a, f32x4 b) { return _mm_cmplt_ps(a, b); }
inline f32x4 bit_and(f32x4 a, f32x4 b) { return _mm_and_ps(a, b); }
inline f32x4 bit_andnot(f32x4 mask, f32x4 a) { return _mm_andnot_ps(mask, a); }  // ~mask & a
inline f32x4 i32_add(f32x4 a, f32x4 b) {
  return _mm_castsi128_ps(_mm_add_epi32(_mm_castps_si128(a), _mm_castps_si128(b)));
}
inline f32x4 i32_shl23(f32x4 a) { return _mm_castsi128_ps(_mm_slli_epi32(_mm_castps_si128(a), 23)); }
inline f32x4 i32_splat(int32_t x) { return _mm_castsi128_ps(_mm_set1_epi32(x)); }
inline float reduce_max(f32x4 v) {
  f32x4 m = _mm_max_ps(v, _mm_shuffle_ps(v, v, _MM_SHUFFLE(1, 0, 3, 2)));
  m = _mm_max_ps(m, _mm_shuffle_ps(m, m, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtss_f32(m);
}
inline float reduce_add(f32x4 v) {
  f32x4 s = _mm_add_ps(v, _mm_shuffle_ps(v, v, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_ps(s, _mm_shuffle_ps(s, s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtss_f32(s);
}

#endif

// 2^x for x <= 0 (softmax arguments in log2 units after max subtraction), ~2e-7 relative error.
//
// x = n + f with n = round(x) and |f| <= 1/2; 2^f by a degree-5 polynomial (minimax for relative
// error on [-1/2, 1/2], fitted by Lawson-weighted least squares, max error 1.9e-7 in float
// arithmetic), 2^n built in the exponent bits. n = round(x) uses the 1.5·2^23 "magic add": the
// low mantissa bits of t then hold n. Working in log2 units (scores pre-multiplied by log2 e)
// saves the multiply and the Cody–Waite reduction of a natural exp, and needs few constants, which
// matters on V8/x64 where constants compete with accumulators for 16 vector registers.
// Results for x < kExp2Flush (including −∞ and NaN-free garbage past it) are exactly 0: masked
// weights are exact zeros and no denormal ever reaches a later product (denormals cost ~10x).
inline constexpr float kExp2Flush = -115.0f;  // 2^-115 ≈ 2.4e-35 ≈ e^-79.7
inline constexpr float kExp2C1 = 0.6931470036506653f;
inline constexpr float kExp2C2 = 0.24022242426872253f;
inline constexpr float kExp2C3 = 0.05550733581185341f;
inline constexpr float kExp2C4 = 0.009671512991189957f;
inline constexpr float kExp2C5 = 0.0013264723820611835f;

// 2^f·2^n from f in [−1/2, 1/2] and t, whose bits are 0x4B400000 + n; 0 where flush is set.
inline f32x4 exp2_from_parts(f32x4 f, f32x4 t, f32x4 flush) {
  // Estrin's scheme, 1 + f·((C1 + C2·f) + f²·(C3 + C4·f + C5·f²)): a dependency chain of 4
  // multiplies and 3 adds instead of Horner's 5 + 5, so more exponentials overlap in flight.
  const f32x4 f2 = mul(f, f);
  const f32x4 lo = add(splat(kExp2C1), mul(splat(kExp2C2), f));
  const f32x4 hi = add(add(splat(kExp2C3), mul(splat(kExp2C4), f)), mul(splat(kExp2C5), f2));
  const f32x4 one = splat(1.0f);
  const f32x4 p = add(one, mul(f, add(lo, mul(f2, hi))));
  // bits(t) = 0x4B400000 + n, whose low 9 bits are n's: shifting by 23 leaves n << 23, and adding
  // the bits of 1.0f (127 << 23) gives the float 2^n.
  const f32x4 pow2n = i32_add(i32_shl23(t), one);
  return bit_andnot(flush, mul(p, pow2n));
}

inline f32x4 exp2_nonpositive(f32x4 x) {
  const f32x4 flush = less(x, splat(kExp2Flush));  // below it, t and p may be garbage: masked
  const f32x4 magic = splat(12582912.0f);          // 1.5·2^23
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

}  // namespace ap::simd

#endif  // AP_HAVE_F32X4
