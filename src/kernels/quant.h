// Weights in their stored type: F32, F16, BF16, Q8_0 and Q4_0 as ggml lays them out, and the
// matrix products that read them directly (no float copy of a whole matrix is ever made).
//
// Block layouts (ggml's, 32 values a block, blocks run along a row):
//   Q8_0: fp16 scale d, then 32 int8 q;           value j = q[j]·d                        (34 bytes)
//   Q4_0: fp16 scale d, then 16 bytes of nibbles; value j = (lo(b[j]) − 8)·d for j < 16 and
//         (hi(b[j−16]) − 8)·d for j ≥ 16 (the low nibbles hold the first 16 values)     (18 bytes)
// A matrix W is (rows, cols) row-major with cols along the blocks: GGUF's dims (ne0 = cols, ne1 = rows).
// The products are y = W·x (one vector, generation) and Y = X·Wᵀ (all positions of a prompt).
// The SIMD path uses simd.h (WebAssembly SIMD128, SSE2 natively); the scalar path is plain loops.
// Both are tested against a plain double-precision reference in tests/core/quant_test.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/kernels.h"

namespace ap {

// ggml's type numbers (GGUF tensor infos store them).
enum class TensorType : uint32_t { F32 = 0, F16 = 1, Q4_0 = 2, Q8_0 = 8, BF16 = 30 };

inline constexpr int kQuantBlock = 32;  // values per Q8_0 / Q4_0 block
inline constexpr size_t kQ8_0BlockBytes = 34;
inline constexpr size_t kQ4_0BlockBytes = 18;

// True for the five types above; *out gets the type.
bool tensor_type_from_ggml(uint32_t ggml_type, TensorType* out);
// "F32", "F16", "BF16", "Q8_0", "Q4_0"; for any ggml number, ggml's own name ("Q4_K", …) or "type N".
const char* ggml_type_name(uint32_t ggml_type);
// Values per block: 1 for F32, F16, BF16; 32 for the quantized types.
int type_block_values(TensorType t);
size_t type_block_bytes(TensorType t);
// Bytes of one row of `cols` values (cols a multiple of type_block_values(t)).
inline size_t row_bytes(TensorType t, int64_t cols) {
  return size_t(cols / type_block_values(t)) * type_block_bytes(t);
}

// ---- scalar conversions (exact for every finite value) ---------------------------------------

inline float f32_from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
inline uint32_t bits_from_f32(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
// IEEE half → float: normals and subnormals exact, ±inf and NaN kept.
inline float f16_to_f32(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  const uint32_t mag = h & 0x7fffu;
  if (mag >= 0x7c00u) return f32_from_bits(sign | 0x7f800000u | (mag & 0x3ffu) << 13);  // inf, NaN
  // mag << 13 reads the half as a float 2^112 too small (subnormals included); one multiply fixes it.
  return f32_from_bits(sign | bits_from_f32(f32_from_bits(mag << 13) * 0x1.0p112f));
}
// float → half, rounding to nearest even; overflow gives ±inf.
uint16_t f32_to_f16(float f);
inline float bf16_to_f32(uint16_t h) { return f32_from_bits(uint32_t(h) << 16); }
// float → bf16, rounding to nearest even (NaN stays NaN).
uint16_t f32_to_bf16(float f);

// A borrowed weight matrix in its stored type: (rows, cols), each row row_bytes(type, cols) long.
struct QuantMatrix {
  TensorType type = TensorType::F32;
  int rows = 0;
  int cols = 0;  // a multiple of 32 for Q8_0 / Q4_0
  const uint8_t* data = nullptr;
  const uint8_t* row(int r) const { return data + size_t(r) * row_bytes(type, cols); }
};

// Row r of w as floats: out (cols).
void dequantize_row(const QuantMatrix& w, int r, float* out);
// Quantizes `cols` floats into one row of type t (the writer and the tests use it): Q8_0 / Q4_0
// as ggml's reference quantizers (d = max|x|/127, resp. d = the signed value of largest
// magnitude / −8), F16 and BF16 rounded to nearest.
void quantize_row(TensorType t, const float* x, int cols, uint8_t* out);

// Index of the first non-finite value of w (a block scale counts for its 32 values), or −1.
long long first_non_finite(const QuantMatrix& w);

// The activation side of the Q8_0 / Q4_0 matvec, as ggml's quantize_row_q8_0 but with a float
// scale: per block of 32 values d = max|x|/127 and q = round(x/d) in −127 … 127, so that
// |x − q·d| ≤ d/2. A block holding inf or NaN gets d = NaN and q = 0 (its products are NaN).
// q (cols) int8 values held as int16, d (cols/32).
void quantize_activation(const float* x, int cols, int16_t* q, float* d);

// y (rows) = W·x, x (cols). y must not alias x. F32, F16, BF16: float products. Q8_0 and Q4_0:
// x is quantized once (quantize_activation), then int8 × int8 → int32 per block times the two
// block scales, as ggml does; so y differs from the exact W·x by at most
// Σ_b d_x(b)/2 · Σ_{j in b} |W(r, j)| plus float rounding (tests/core/quant_test.cpp).
void quant_matvec(const QuantMatrix& w, const float* x, float* y, KernelPath path = KernelPath::Auto);
// Y (m, rows) = X·Wᵀ, X (m, cols) row-major. Y must not alias X. For m ≥ 2 the SIMD path runs
// the packed GEMM of kernels.h on W (F32) or on dequantized panels of rows of W (other types).
void quant_matmul(const float* x, int m, const QuantMatrix& w, float* y, KernelPath path = KernelPath::Auto);

}  // namespace ap
