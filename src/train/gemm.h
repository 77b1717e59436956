// The training engine's matrix product: C (=|+=) A·B, row-major, with every element summed in
// one fixed order (p = 0, 1, …, k−1, starting from 0 or from C). The SIMD path (simd.h's f32x4:
// SSE2 natively, SIMD128 in wasm) vectorises over columns of C only, so each lane does the scalar
// path's additions in the scalar path's order: scalar and SIMD builds, native and wasm, give the
// same bits. (kernels/matmul is faster but blocks the depth, so its order differs between paths.)
#pragma once

#include <cstddef>
#include <vector>

namespace ap::train {

// c (m, n) = a (m, k) · b (k, n), or c += … when accumulate. c must not alias a or b.
void gemm(const float* a, const float* b, float* c, int m, int k, int n, bool accumulate);
// The same in double, for the gradient checks (plain loops, the same order).
void gemm(const double* a, const double* b, double* c, int m, int k, int n, bool accumulate);

// out (cols, rows) = the transpose of in (rows, cols).
template <typename T>
void transpose(const T* in, int rows, int cols, T* out) {
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) out[size_t(j) * rows + i] = in[size_t(i) * cols + j];
}

// A multiply-add the compiler could contract into an FMA if -ffp-contract=off were missing from
// src/train/ (tests/core/train_determinism_test.cpp checks it is not): returns a·b + c.
float contraction_probe(float a, float b, float c);

}  // namespace ap::train
