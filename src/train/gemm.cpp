// gemm: cache blocks (kKc × kNc panels of B), register blocks of up to 4 rows × 8 columns (8 f32x4
// accumulators), then 4-column and single-column tails; each element's sum runs over p in order in every path
// (see gemm.h).
#include "train/gemm.h"

#include <algorithm>

#include "kernels/simd.h"

namespace ap::train {

namespace {

// One element: the order every path follows. a: a row (stride 1), b: a column (stride ldb).
inline float dot_column(const float* a, const float* b, int k, int ldb, float start) {
  float acc = start;
  for (int p = 0; p < k; ++p) acc = acc + a[p] * b[size_t(p) * ldb];
  return acc;
}

#if AP_HAVE_F32X4
using namespace simd;

// Cache blocks: the depth in slices of kKc and the columns in panels of kNc, so the panel of B a
// row block reads (kKc × kNc floats = 32 KB) stays in L1/L2 while every row block of A passes over
// it. Blocking the depth keeps each element's order: a slice continues from the value C holds
// (stored and reloaded exactly), p still runs 0, 1, …, k−1.
constexpr int kKc = 128, kNc = 64;

// C(R, 4·C4) (+)= A(R, kc)·B(kc, 4·C4); rows of a, b, c have strides lda, ldb, ldc.
template <int R, int C4>
inline void block(const float* a, int lda, const float* b, int ldb, float* c, int ldc, int kc,
                  bool accumulate) {
  f32x4 acc[R][C4];
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < C4; ++j) acc[r][j] = accumulate ? load(c + size_t(r) * ldc + 4 * j) : zero();
  for (int p = 0; p < kc; ++p) {
    f32x4 bv[C4];
    for (int j = 0; j < C4; ++j) bv[j] = load(b + size_t(p) * ldb + 4 * j);
    for (int r = 0; r < R; ++r) {
      const f32x4 s = splat(a[size_t(r) * lda + p]);
      for (int j = 0; j < C4; ++j) acc[r][j] = add(acc[r][j], mul(s, bv[j]));
    }
  }
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < C4; ++j) store(c + size_t(r) * ldc + 4 * j, acc[r][j]);
}

// R rows of C, columns 0 … nc−1 of the panel.
template <int R>
void rows(const float* a, int lda, const float* b, int ldb, float* c, int ldc, int kc, int nc,
          bool accumulate) {
  int j = 0;
  for (; j + 8 <= nc; j += 8) block<R, 2>(a, lda, b + j, ldb, c + j, ldc, kc, accumulate);
  for (; j + 4 <= nc; j += 4) block<R, 1>(a, lda, b + j, ldb, c + j, ldc, kc, accumulate);
  for (; j < nc; ++j)
    for (int r = 0; r < R; ++r) {
      float* cj = c + size_t(r) * ldc + j;
      *cj = dot_column(a + size_t(r) * lda, b + j, kc, ldb, accumulate ? *cj : 0.0f);
    }
}
#endif

}  // namespace

void gemm(const float* a, const float* b, float* c, int m, int k, int n, bool accumulate) {
  if (m <= 0 || n <= 0) return;
#if AP_HAVE_F32X4
  if (k <= 0) {
    if (!accumulate)
      for (size_t i = 0; i < size_t(m) * n; ++i) c[i] = 0.0f;
    return;
  }
  for (int k0 = 0; k0 < k; k0 += kKc) {
    const int kc = std::min(kKc, k - k0);
    const bool acc = accumulate || k0 > 0;
    for (int j0 = 0; j0 < n; j0 += kNc) {
      const int nc = std::min(kNc, n - j0);
      const float* bp = b + size_t(k0) * n + j0;
      int i = 0;
      for (; i + 4 <= m; i += 4)
        rows<4>(a + size_t(i) * k + k0, k, bp, n, c + size_t(i) * n + j0, n, kc, nc, acc);
      for (; i < m; ++i) rows<1>(a + size_t(i) * k + k0, k, bp, n, c + size_t(i) * n + j0, n, kc, nc, acc);
    }
  }
#else
  // Row by row, the columns innermost: each element still sums over p in order.
  for (int i = 0; i < m; ++i) {
    float* ci = c + size_t(i) * n;
    if (!accumulate)
      for (int j = 0; j < n; ++j) ci[j] = 0.0f;
    for (int p = 0; p < k; ++p) {
      const float aip = a[size_t(i) * k + p];
      const float* bp = b + size_t(p) * n;
      for (int j = 0; j < n; ++j) ci[j] = ci[j] + aip * bp[j];
    }
  }
#endif
}

void gemm(const double* a, const double* b, double* c, int m, int k, int n, bool accumulate) {
  for (int i = 0; i < m; ++i) {
    double* ci = c + size_t(i) * n;
    if (!accumulate)
      for (int j = 0; j < n; ++j) ci[j] = 0.0;
    for (int p = 0; p < k; ++p) {
      const double aip = a[size_t(i) * k + p];
      const double* bp = b + size_t(p) * n;
      for (int j = 0; j < n; ++j) ci[j] = ci[j] + aip * bp[j];
    }
  }
}

float contraction_probe(float a, float b, float c) { return a * b + c; }

}  // namespace ap::train
