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

// e^x for x <= 0 (softmax arguments after max subtraction), ~1e-7 relative error.
//
// Range reduction x = n·ln2 + r with |r| <= ln2/2 (Cody–Waite split of ln2), a degree-5
// polynomial for e^r (Cephes expf coefficients), then 2^n built in the exponent bits.
// n = round(x·log2e) uses the 1.5·2^23 "magic add": the low mantissa bits of t hold n.
// Results for x < kExpFlush are exactly 0 (so -inf and masked scores give 0): this also keeps
// denormals out of every later product, which would otherwise slow the kernel ~10x.
inline constexpr float kExpFlush = -80.0f;  // e^-80 ≈ 1.8e-35, far above FLT_MIN·(any |v| ≥ 1e-3)

inline f32x4 exp_nonpositive(f32x4 x) {
  const f32x4 flush = less(x, splat(kExpFlush));
  x = max(x, splat(kExpFlush));
  const f32x4 magic = splat(12582912.0f);  // 1.5·2^23
  const f32x4 t = add(mul(x, splat(1.44269504088896341f)), magic);
  const f32x4 n = sub(t, magic);  // round(x·log2e), as a float
  f32x4 r = sub(x, mul(n, splat(0.693359375f)));
  r = sub(r, mul(n, splat(-2.12194440e-4f)));
  f32x4 p = splat(1.9875691500e-4f);
  p = add(mul(p, r), splat(1.3981999507e-3f));
  p = add(mul(p, r), splat(8.3334519073e-3f));
  p = add(mul(p, r), splat(4.1665795894e-2f));
  p = add(mul(p, r), splat(1.6666665459e-1f));
  p = add(mul(p, r), splat(5.0000001201e-1f));
  p = add(add(mul(p, mul(r, r)), r), splat(1.0f));
  // bits(t) = 0x4B400000 + n, whose low 9 bits are n's: shifting by 23 leaves n << 23.
  const f32x4 pow2n = i32_add(i32_shl23(t), i32_splat(0x3F800000));
  return bit_andnot(flush, mul(p, pow2n));
}

}  // namespace ap::simd

#endif  // AP_HAVE_F32X4
