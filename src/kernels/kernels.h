// Hand-written fast kernels: fused attention and a packed GEMM.
//
// Plain C++ (no Emscripten header). The SIMD path uses simd.h: WebAssembly SIMD128 in the wasm
// build, SSE2 natively, so the same code is tested and benchmarked on both. The scalar path is
// ordinary loops, compiled in every build (AP_SIMD=0 builds have only it).
// A plain reference of each kernel, written as numbered passes, lives in
// tests/core/kernels_reference.h and the tests compare both paths against it.
#pragma once

#include <cstddef>

namespace ap {

// The most floats one array of the kernel exports (the bindings' scaledDotProductAttention and
// matmul) may hold: 64 MB each, so a call's inputs and output stay far below the wasm heap's 2 GB.
inline constexpr size_t kMaxKernelFloats = size_t(1) << 24;

// Auto = Simd when compiled in (AP_SIMD=1 and a SIMD target), else Scalar.
// Asking for Simd in a build without it falls back to Scalar.
enum class KernelPath { Auto, Scalar, Simd };

// True when the SIMD path is compiled in.
bool simd_compiled();
// "wasm-simd128", "sse2" or "scalar": what KernelPath::Auto runs.
const char* simd_kind();

// Options of scaled_dot_product_attention.
struct SdpaOptions {
  bool causal = false;                  // key j is hidden from query i when j > i
  float scale = 0;                      // 0 => 1/sqrt(d_head)
  const float* alibi_slopes = nullptr;  // (heads) or nullptr: adds -slope[h]·|i-j| to scores
};

// FlashAttention-style fused multi-head attention, one call for all heads.
//
//   q, k, v, out: (n, heads·d_head) row-major ([1, N, H·d] layout); head h is columns
//                 h·d_head … (h+1)·d_head−1 of each row.
//   scores(h, i, j) = (q_i·k_j)·scale − alibi_slopes[h]·|i−j|      (n_query, n_key) per head
//   causal: scores(h, i, j) = −∞ for j > i
//   weights = softmax over keys (the last axis); masked weights are exactly 0
//   out_i = Σ_j weights(h, i, j)·v_j; a fully masked row gives 0, never NaN.
//
// Never materialises an n×n matrix: memory is O(n·d) (reused thread_local scratch).
// out must not alias q, k or v. n >= 0, heads >= 1, d_head >= 1.
void scaled_dot_product_attention(const float* q, const float* k, const float* v, float* out, int n,
                                  int heads, int d_head, const SdpaOptions& opt,
                                  KernelPath path = KernelPath::Auto);

// Row-major GEMM: C(m, n) = A(m, k)·B(k, n); C is overwritten (k == 0 gives zeros).
// Register-blocked 2×16 micro-kernel over B packed into panels of 16 columns.
// c must not alias a or b.
void matmul(const float* a, const float* b, float* c, int m, int k, int n,
            KernelPath path = KernelPath::Auto);

// Width of the panels matmul packs B into, and matmul_packed reads.
inline constexpr int kPanelWidth = 16;

// The same GEMM over a B its caller packed: C(m, n) = A(m, k)·B, or C += A·B when accumulate.
//   a: rows of k floats, stride lda;  c: rows of n floats, stride ldc (c must not alias a or bp);
//   bp: (ceil(n/16), k, 16) B in panels of 16 columns: bp[(p·k + x)·16 + j] = B(x, 16p + j),
//       columns past n zero.
// quant_matmul builds the panels straight from weight rows (Bᵀ), dequantizing each row once.
void matmul_packed(const float* a, int lda, const float* bp, float* c, int ldc, int m, int k, int n,
                   bool accumulate = false, KernelPath path = KernelPath::Auto);

}  // namespace ap
