// The MLP's element-wise activations, over whole (n, n_ff) buffers: a vectorised SwiGLU gate.
// Plain C++ (simd.h); the scalar path is the textbook formula, and tests/core/activations_test.cpp
// checks both against double precision.
#pragma once

#include <cstddef>

#include "kernels/kernels.h"

namespace ap {

// up[e] *= silu(gate[e]) for e in 0 … count−1, silu(g) = g / (1 + e^−g). The SIMD path takes e^−|g|
// from exp2.h (relative error ≤ 2e-7; e^−|g| is 0 below 2^−115, where silu is g or 0 to float
// precision); both paths agree with exact arithmetic to ≈ 1e-6 relative. gate may not alias up.
void silu_mul(const float* gate, float* up, size_t count, KernelPath path = KernelPath::Auto);

}  // namespace ap
