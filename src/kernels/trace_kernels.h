// Row kernels of the full trace (multi_head_attention in attention.cpp): what happens to one query
// row between S = Q·Kᵀ and weights·V, vectorised with simd.h, each with a scalar path.
//
// The products themselves run through ap::matmul (kernels.h). These kernels do the rest:
// scale, ALiBi bias and masks on a row of raw scores; softmax over keys with the row's entropy.
// A plain reference of each (numbered passes, in double) lives in
// tests/core/trace_kernels_test.cpp, and both paths are tested against it.
#pragma once

#include <cstdint>

#include "kernels/kernels.h"  // KernelPath

namespace ap {

// How one row of raw scores q_i·k_j (j = 0 … count−1) becomes a row of the trace's scores.
struct ScoreRow {
  float scale = 1.0f;                // multiplies q·k: 1/(√d_head·T), or 1/T without scaling
  float slope = 0.0f;                // ALiBi: subtracts slope·|query − j| (0 = no bias)
  int query = 0;                     // i, the query's position (for the ALiBi distance)
  int visible = 0;                   // keys j >= visible are masked (causal: i + 1; else count)
  const uint8_t* allowed = nullptr;  // optional (count): 0 = masked (a row of a custom mask)
  const uint8_t* padding = nullptr;  // optional (count): 1 = masked (key padding)
};

// s (count): raw q·k in; out: s·scale − slope·|i − j|, and −∞ wherever the row says masked.
void finish_scores_row(float* s, int count, const ScoreRow& row, KernelPath path = KernelPath::Auto);

// w (count) = softmax of s over the row, max subtracted: −∞ entries give exactly 0, a row with no
// finite entry gives all 0 (never NaN), and weights below 2^−115 of the largest are flushed to 0
// (no denormal reaches a later product). w may be s. Returns the row's entropy −Σ w·ln w in nats
// (0 for a fully masked row), as ln Z + Σ w·(max − s) with Z = Σ e^(s − max): no log per entry.
float softmax_entropy_row(const float* s, float* w, int count, KernelPath path = KernelPath::Auto);

// dst (cols, rows) = srcᵀ, for src (rows, cols) with row stride ld. dst must not alias src.
void transpose(const float* src, int rows, int cols, int ld, float* dst);

}  // namespace ap
