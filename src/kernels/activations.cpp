#include "kernels/activations.h"

#include <cmath>

#include "kernels/exp2.h"
#include "kernels/simd.h"

namespace ap {

namespace {

void silu_mul_scalar(const float* gate, float* up, size_t begin, size_t count) {
  for (size_t e = begin; e < count; ++e) up[e] *= gate[e] / (1.0f + std::exp(-gate[e]));
}

}  // namespace

void silu_mul(const float* gate, float* up, size_t count, KernelPath path) {
  size_t e = 0;
#if AP_HAVE_F32X4
  if (path != KernelPath::Scalar) {
    using namespace simd;
    // With t = e^−|g| ≤ 1 (never overflows): silu(g) = g/(1 + t) for g ≥ 0 and g·t/(1 + t) for g < 0.
    const f32x4 one = splat(1.0f), zero4 = zero(), nlog2e = splat(-kLog2e);
    for (; e + 4 <= count; e += 4) {
      const f32x4 g = load(gate + e);
      const f32x4 t = exp2_nonpositive(mul(max(g, sub(zero4, g)), nlog2e));
      const f32x4 negative = less(g, zero4);
      // t where g < 0, else 1 (the two terms have disjoint lanes, so their sum is either)
      const f32x4 factor = add(bit_and(negative, t), bit_andnot(negative, one));
      store(up + e, mul(load(up + e), div(mul(g, factor), add(one, t))));
    }
  }
#else
  (void)path;
#endif
  silu_mul_scalar(gate, up, e, count);
}

}  // namespace ap
