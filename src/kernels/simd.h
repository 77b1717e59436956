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
inline f32x4 div(f32x4 a, f32x4 b) { return wasm_f32x4_div(a, b); }
inline f32x4 max(f32x4 a, f32x4 b) { return wasm_f32x4_pmax(a, b); }
inline f32x4 min(f32x4 a, f32x4 b) { return wasm_f32x4_pmin(a, b); }
// Lane-wise a < b as an all-ones / all-zeros mask.
inline f32x4 less(f32x4 a, f32x4 b) { return wasm_f32x4_lt(a, b); }
inline f32x4 bit_and(f32x4 a, f32x4 b) { return wasm_v128_and(a, b); }
inline f32x4 bit_andnot(f32x4 mask, f32x4 a) { return wasm_v128_andnot(a, mask); }  // ~mask & a
// Rows a, b, c, d of a 4×4 block become its columns (a = lanes 0 of a, b, c, d, and so on).
inline void transpose4(f32x4* a, f32x4* b, f32x4* c, f32x4* d) {
  const v128_t t0 = wasm_i32x4_shuffle(*a, *b, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(*c, *d, 0, 4, 1, 5);
  const v128_t t2 = wasm_i32x4_shuffle(*a, *b, 2, 6, 3, 7), t3 = wasm_i32x4_shuffle(*c, *d, 2, 6, 3, 7);
  *a = wasm_i64x2_shuffle(t0, t1, 0, 2);
  *b = wasm_i64x2_shuffle(t0, t1, 1, 3);
  *c = wasm_i64x2_shuffle(t2, t3, 0, 2);
  *d = wasm_i64x2_shuffle(t2, t3, 1, 3);
}
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

// ---- widening loads for the stored weight types (kernels/quant.cpp) ----
// 8 IEEE halves → two f32x4. Finite values only (weights are checked when a model loads):
// the half's bits shifted into a float's place read it 2^112 too small, subnormals included.
inline void load_f16x8(const uint16_t* p, f32x4* lo, f32x4* hi) {
  const v128_t h = wasm_v128_load(p);
  const v128_t mag_mask = wasm_i32x4_splat(0x7fff), sign_mask = wasm_i32x4_splat(0x8000);
  const v128_t scale = wasm_f32x4_splat(0x1.0p112f);
  const v128_t a = wasm_u32x4_extend_low_u16x8(h), b = wasm_u32x4_extend_high_u16x8(h);
  *lo = wasm_v128_or(wasm_f32x4_mul(wasm_i32x4_shl(wasm_v128_and(a, mag_mask), 13), scale),
                     wasm_i32x4_shl(wasm_v128_and(a, sign_mask), 16));
  *hi = wasm_v128_or(wasm_f32x4_mul(wasm_i32x4_shl(wasm_v128_and(b, mag_mask), 13), scale),
                     wasm_i32x4_shl(wasm_v128_and(b, sign_mask), 16));
}
// 8 bfloat16 → two f32x4 (exact: a bf16 is the top half of a float).
inline void load_bf16x8(const uint16_t* p, f32x4* lo, f32x4* hi) {
  const v128_t h = wasm_v128_load(p);
  *lo = wasm_i32x4_shl(wasm_u32x4_extend_low_u16x8(h), 16);
  *hi = wasm_i32x4_shl(wasm_u32x4_extend_high_u16x8(h), 16);
}

// ---- integer lanes for the int8 dot products of kernels/quant.cpp (ggml's Q8_0 × Q8_0) ----
using ivec = v128_t;  // 16 × int8, 8 × int16 or 4 × int32, as the function says
inline ivec iload(const void* p) { return wasm_v128_load(p); }
// 16 int8 → 8 int16: values 0–7 (low), 8–15 (high), sign-extended.
inline ivec i16_from_i8_low(ivec b) { return wasm_i16x8_extend_low_i8x16(b); }
inline ivec i16_from_i8_high(ivec b) { return wasm_i16x8_extend_high_i8x16(b); }
// 4 int32: lane i = a[2i]·b[2i] + a[2i+1]·b[2i+1] (exact for int16 inputs that are not both −32768).
inline ivec dot_i16(ivec a, ivec b) { return wasm_i32x4_dot_i16x8(a, b); }
inline ivec i32_addv(ivec a, ivec b) { return wasm_i32x4_add(a, b); }
inline f32x4 f32_from_i32(ivec a) { return wasm_f32x4_convert_i32x4(a); }
// Q4_0's 16 bytes of nibbles → int8 q − 8: the low nibbles (values 0–15 of the block), the high (16–31).
inline ivec q4_low(ivec b) {
  return wasm_i8x16_sub(wasm_v128_and(b, wasm_i8x16_splat(0x0F)), wasm_i8x16_splat(8));
}
inline ivec q4_high(ivec b) { return wasm_i8x16_sub(wasm_u8x16_shr(b, 4), wasm_i8x16_splat(8)); }

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
inline f32x4 div(f32x4 a, f32x4 b) { return _mm_div_ps(a, b); }
inline f32x4 max(f32x4 a, f32x4 b) { return _mm_max_ps(a, b); }
inline f32x4 min(f32x4 a, f32x4 b) { return _mm_min_ps(a, b); }
inline f32x4 less(f32x4 a, f32x4 b) { return _mm_cmplt_ps(a, b); }
inline f32x4 bit_and(f32x4 a, f32x4 b) { return _mm_and_ps(a, b); }
inline f32x4 bit_andnot(f32x4 mask, f32x4 a) { return _mm_andnot_ps(mask, a); }  // ~mask & a
inline void transpose4(f32x4* a, f32x4* b, f32x4* c, f32x4* d) { _MM_TRANSPOSE4_PS(*a, *b, *c, *d); }
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

// ---- widening loads for the stored weight types (kernels/quant.cpp); see the wasm versions ----
inline void load_f16x8(const uint16_t* p, f32x4* lo, f32x4* hi) {
  const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i zero = _mm_setzero_si128();
  const __m128i mag_mask = _mm_set1_epi32(0x7fff), sign_mask = _mm_set1_epi32(0x8000);
  const __m128 scale = _mm_set1_ps(0x1.0p112f);
  const __m128i a = _mm_unpacklo_epi16(h, zero), b = _mm_unpackhi_epi16(h, zero);
  *lo = _mm_or_ps(_mm_mul_ps(_mm_castsi128_ps(_mm_slli_epi32(_mm_and_si128(a, mag_mask), 13)), scale),
                  _mm_castsi128_ps(_mm_slli_epi32(_mm_and_si128(a, sign_mask), 16)));
  *hi = _mm_or_ps(_mm_mul_ps(_mm_castsi128_ps(_mm_slli_epi32(_mm_and_si128(b, mag_mask), 13)), scale),
                  _mm_castsi128_ps(_mm_slli_epi32(_mm_and_si128(b, sign_mask), 16)));
}
inline void load_bf16x8(const uint16_t* p, f32x4* lo, f32x4* hi) {
  const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i zero = _mm_setzero_si128();
  *lo = _mm_castsi128_ps(_mm_unpacklo_epi16(zero, h));  // each half lands in the high 16 bits
  *hi = _mm_castsi128_ps(_mm_unpackhi_epi16(zero, h));
}

// ---- integer lanes (see the wasm versions) ----
using ivec = __m128i;
inline ivec iload(const void* p) { return _mm_loadu_si128(static_cast<const __m128i*>(p)); }
// Sign extension without SSE4.1: each byte into the high half of a 16-bit lane, shifted back.
inline ivec i16_from_i8_low(ivec b) { return _mm_srai_epi16(_mm_unpacklo_epi8(b, b), 8); }
inline ivec i16_from_i8_high(ivec b) { return _mm_srai_epi16(_mm_unpackhi_epi8(b, b), 8); }
inline ivec dot_i16(ivec a, ivec b) { return _mm_madd_epi16(a, b); }
inline ivec i32_addv(ivec a, ivec b) { return _mm_add_epi32(a, b); }
inline f32x4 f32_from_i32(ivec a) { return _mm_cvtepi32_ps(a); }
inline ivec q4_low(ivec b) { return _mm_sub_epi8(_mm_and_si128(b, _mm_set1_epi8(0x0F)), _mm_set1_epi8(8)); }
inline ivec q4_high(ivec b) {
  return _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(b, 4), _mm_set1_epi8(0x0F)), _mm_set1_epi8(8));
}

#endif

}  // namespace ap::simd

#endif  // AP_HAVE_F32X4
