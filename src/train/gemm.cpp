// gemm: register blocks of up to 4 rows × 8 columns (8 f32x4 accumulators), then 4-column and
// single-column tails; each element's sum runs over p in order in every path (see gemm.h).
#include "train/gemm.h"

#include "kernels/simd.h"

namespace ap::train {

namespace {

// One element: the order every path follows.
inline float dot_column(const float* a, const float* b, int k, int n, float start) {
  float acc = start;
  for (int p = 0; p < k; ++p) acc = acc + a[p] * b[size_t(p) * n];
  return acc;
}

#if AP_HAVE_F32X4
using namespace simd;

// C(R, 4·C4) (+)= A(R, k)·B(k, 4·C4); a rows stride k, b and c rows stride n.
template <int R, int C4>
inline void block(const float* a, const float* b, float* c, int k, int n, bool accumulate) {
  f32x4 acc[R][C4];
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < C4; ++j) acc[r][j] = accumulate ? load(c + size_t(r) * n + 4 * j) : zero();
  for (int p = 0; p < k; ++p) {
    f32x4 bv[C4];
    for (int j = 0; j < C4; ++j) bv[j] = load(b + size_t(p) * n + 4 * j);
    for (int r = 0; r < R; ++r) {
      const f32x4 s = splat(a[size_t(r) * k + p]);
      for (int j = 0; j < C4; ++j) acc[r][j] = add(acc[r][j], mul(s, bv[j]));
    }
  }
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < C4; ++j) store(c + size_t(r) * n + 4 * j, acc[r][j]);
}

template <int R>
void rows(const float* a, const float* b, float* c, int k, int n, bool accumulate) {
  int j = 0;
  for (; j + 8 <= n; j += 8) block<R, 2>(a, b + j, c + j, k, n, accumulate);
  for (; j + 4 <= n; j += 4) block<R, 1>(a, b + j, c + j, k, n, accumulate);
  for (; j < n; ++j)
    for (int r = 0; r < R; ++r) {
      float* cj = c + size_t(r) * n + j;
      *cj = dot_column(a + size_t(r) * k, b + j, k, n, accumulate ? *cj : 0.0f);
    }
}
#endif

}  // namespace

void gemm(const float* a, const float* b, float* c, int m, int k, int n, bool accumulate) {
  if (m <= 0 || n <= 0) return;
#if AP_HAVE_F32X4
  int i = 0;
  for (; i + 4 <= m; i += 4) rows<4>(a + size_t(i) * k, b, c + size_t(i) * n, k, n, accumulate);
  for (; i < m; ++i) rows<1>(a + size_t(i) * k, b, c + size_t(i) * n, k, n, accumulate);
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
