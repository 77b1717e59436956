// A tiny 4-lane float vector (f32x4) for the hand-written kernels (kernels/).
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
// Integer lane ops on the bit patterns (used by exp2.h).
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

}  // namespace ap::simd

#endif  // AP_HAVE_F32X4
