// Hand-written fast kernels (issue 3). See kernels.h for the contracts and
// tests/core/kernels_reference.h for the plain reference each kernel is tested against.
//
// Design (measured in wasm on V8/x64, which has ~15 usable vector registers):
//   - attention works on tiles of kBr query rows × kBc keys, small enough for L1;
//   - online softmax: per query row a running max m, running sum l, and the output accumulator O
//     rescaled by 2^(m_old − m_new) when the max grows (scores are kept in log2 units);
//   - under causal, key tiles wholly above the diagonal are never visited and only the last
//     (diagonal) tile of each row is masked;
//   - both products run a 4×8 register-blocked micro-kernel (8 accumulators + 2 loads + 1 splat):
//     S = Q·Kᵀ over K packed once per head into panels of 8 keys, O += P·V over V packed once
//     per head with rows padded to a multiple of 8 floats;
//   - exp is vectorised (simd.h, as 2^x) and returns exactly 0 for masked/tiny arguments, so no
//     denormal ever reaches the products;
//   - every buffer is thread_local scratch that only grows: O(n·d) memory, no per-call allocation.
#include "kernels.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "simd.h"

namespace ap {

namespace {

// ============================================================================
// Shared helpers
// ============================================================================

constexpr int kBr = 32;  // query rows per attention tile (multiple of 4)
constexpr int kBc = 64;  // keys per attention tile (multiple of 8)
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

inline int round_up(int x, int m) { return (x + m - 1) / m * m; }

// A grow-only buffer; resize() never shrinks, so steady-state calls do not allocate.
struct Buffer {
  std::vector<float> data;
  float* get(size_t size) {
    if (data.size() < size) data.resize(size);
    return data.data();
  }
};

// Scalar 2^x for x <= 0: the same polynomial as simd::exp2_nonpositive (also 0 below −115).
inline float exp2_nonpositive_scalar(float x) {
  if (!(x >= -115.0f)) return 0.0f;  // also catches −∞
  const float t = x + 12582912.0f;
  const float f = x - (t - 12582912.0f);
  float p = 0.0013264723820611835f * f + 0.009671512991189957f;
  p = p * f + 0.05550733581185341f;
  p = p * f + 0.24022242426872253f;
  p = p * f + 0.6931470036506653f;
  p = p * f + 1.0f;
  uint32_t bits;
  std::memcpy(&bits, &t, sizeof bits);
  bits = (bits << 23) + 0x3F800000u;
  float pow2n;
  std::memcpy(&pow2n, &bits, sizeof pow2n);
  return p * pow2n;
}

// Both paths work in log2 units: scores are q·k·scale·log2(e) and weights 2^(s − max), which
// equals e^(natural score − natural max).
constexpr float kLog2e = 1.44269504088896341f;

// ============================================================================
// Attention, scalar path: one query row at a time, online softmax over key blocks.
// ============================================================================

struct ScalarScratch {
  Buffer kh, vh;  // (n, d) the head's keys / values, contiguous
  Buffer s;       // (kBc) scores then probabilities of one key block
  Buffer o;       // (d) output accumulator of one query row
};

void sdpa_scalar(const float* q, const float* k, const float* v, float* out, int n, int heads,
                 int d, const SdpaOptions& opt, float scale) {  // scale includes log2(e)
  thread_local ScalarScratch sc;
  const int ld = heads * d;
  float* kh = sc.kh.get(size_t(n) * d);
  float* vh = sc.vh.get(size_t(n) * d);
  float* s = sc.s.get(kBc);
  float* o = sc.o.get(d);
  for (int h = 0; h < heads; ++h) {
    for (int j = 0; j < n; ++j) {
      std::memcpy(kh + size_t(j) * d, k + size_t(j) * ld + size_t(h) * d, sizeof(float) * d);
      std::memcpy(vh + size_t(j) * d, v + size_t(j) * ld + size_t(h) * d, sizeof(float) * d);
    }
    const float slope = opt.alibi_slopes ? opt.alibi_slopes[h] * kLog2e : 0.0f;
    for (int i = 0; i < n; ++i) {
      const float* qi = q + size_t(i) * ld + size_t(h) * d;
      float m = kNegInf, l = 0.0f;
      std::fill(o, o + d, 0.0f);
      const int j_end = opt.causal ? i + 1 : n;
      for (int j0 = 0; j0 < j_end; j0 += kBc) {
        const int cols = std::min(kBc, j_end - j0);
        // 1. scores of this key block, and their max
        float tile_max = kNegInf;
        for (int c = 0; c < cols; ++c) {
          const float* kj = kh + size_t(j0 + c) * d;
          float dot = 0.0f;
          for (int x = 0; x < d; ++x) dot += qi[x] * kj[x];
          float sc_ij = dot * scale;
          if (slope != 0.0f) sc_ij -= slope * std::fabs(float(i - (j0 + c)));
          s[c] = sc_ij;
          tile_max = std::max(tile_max, sc_ij);
        }
        // 2. online softmax: new max, rescale what was accumulated, exponentiate
        const float m_new = std::max(m, tile_max);
        const float alpha = exp2_nonpositive_scalar(m - m_new);  // 0 when m was −∞
        float sum = 0.0f;
        for (int c = 0; c < cols; ++c) {
          s[c] = exp2_nonpositive_scalar(s[c] - m_new);
          sum += s[c];
        }
        l = l * alpha + sum;
        if (alpha != 1.0f)
          for (int x = 0; x < d; ++x) o[x] *= alpha;
        // 3. weighted sum of the values
        for (int c = 0; c < cols; ++c) {
          const float p = s[c];
          if (p == 0.0f) continue;
          const float* vj = vh + size_t(j0 + c) * d;
          for (int x = 0; x < d; ++x) o[x] += p * vj[x];
        }
        m = m_new;
      }
      float* oi = out + size_t(i) * ld + size_t(h) * d;
      const float inv = l > 0.0f ? 1.0f / l : 0.0f;
      for (int x = 0; x < d; ++x) oi[x] = o[x] * inv;
    }
  }
}

// ============================================================================
// GEMM, scalar path: C row i = Σ_p A(i, p)·B row p.
// ============================================================================

void matmul_scalar(const float* a, const float* b, float* c, int m, int k, int n) {
  for (int i = 0; i < m; ++i) {
    float* ci = c + size_t(i) * n;
    std::fill(ci, ci + n, 0.0f);
    for (int p = 0; p < k; ++p) {
      const float aip = a[size_t(i) * k + p];
      const float* bp = b + size_t(p) * n;
      for (int j = 0; j < n; ++j) ci[j] += aip * bp[j];
    }
  }
}

#if AP_HAVE_F32X4
using namespace simd;

// ============================================================================
// Micro-kernels: an R×8 block (R <= 4) of Σ_x A(r, x)·P(x, 0..7), P packed as (len, 8).
// ============================================================================

// acc(r, 0..7) += Σ_{x < len} a[r·lda + x] · panel[x·8 + 0..7], for r < R; acc kept in registers.
// The accumulators live in c (row stride ldc, 8 floats each): loaded (or zeroed), updated, stored.
template <int R>
inline void micro_4x8(const float* a, int lda, const float* panel, int len, float* c, int ldc,
                      bool accumulate) {
  f32x4 c00, c01, c10, c11, c20, c21, c30, c31;
  c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = zero();
  if (accumulate) {
    c00 = load(c), c01 = load(c + 4);
    if (R > 1) c10 = load(c + ldc), c11 = load(c + ldc + 4);
    if (R > 2) c20 = load(c + 2 * ldc), c21 = load(c + 2 * ldc + 4);
    if (R > 3) c30 = load(c + 3 * ldc), c31 = load(c + 3 * ldc + 4);
  }
  const float* a0 = a;
  const float* a1 = a + lda;
  const float* a2 = a + 2 * lda;
  const float* a3 = a + 3 * lda;
  for (int x = 0; x < len; ++x) {
    const f32x4 b0 = load(panel + 8 * x);
    const f32x4 b1 = load(panel + 8 * x + 4);
    f32x4 s = load_splat(a0 + x);
    c00 = add(c00, mul(s, b0));
    c01 = add(c01, mul(s, b1));
    if (R > 1) {
      s = load_splat(a1 + x);
      c10 = add(c10, mul(s, b0));
      c11 = add(c11, mul(s, b1));
    }
    if (R > 2) {
      s = load_splat(a2 + x);
      c20 = add(c20, mul(s, b0));
      c21 = add(c21, mul(s, b1));
    }
    if (R > 3) {
      s = load_splat(a3 + x);
      c30 = add(c30, mul(s, b0));
      c31 = add(c31, mul(s, b1));
    }
  }
  store(c, c00), store(c + 4, c01);
  if (R > 1) store(c + ldc, c10), store(c + ldc + 4, c11);
  if (R > 2) store(c + 2 * ldc, c20), store(c + 2 * ldc + 4, c21);
  if (R > 3) store(c + 3 * ldc, c30), store(c + 3 * ldc + 4, c31);
}

// The same product when the 8 columns are not packed but a row-major matrix with row stride ldb
// (V in attention: O(4, 8) += P(4, len)·V(len, 8)).
inline void micro_4x8_strided(const float* a, int lda, const float* b, int ldb, int len, float* c,
                              int ldc) {
  f32x4 c00 = load(c), c01 = load(c + 4);
  f32x4 c10 = load(c + ldc), c11 = load(c + ldc + 4);
  f32x4 c20 = load(c + 2 * ldc), c21 = load(c + 2 * ldc + 4);
  f32x4 c30 = load(c + 3 * ldc), c31 = load(c + 3 * ldc + 4);
  const float* a0 = a;
  const float* a1 = a + lda;
  const float* a2 = a + 2 * lda;
  const float* a3 = a + 3 * lda;
  for (int x = 0; x < len; ++x) {
    const f32x4 b0 = load(b + size_t(x) * ldb);
    const f32x4 b1 = load(b + size_t(x) * ldb + 4);
    f32x4 s = load_splat(a0 + x);
    c00 = add(c00, mul(s, b0));
    c01 = add(c01, mul(s, b1));
    s = load_splat(a1 + x);
    c10 = add(c10, mul(s, b0));
    c11 = add(c11, mul(s, b1));
    s = load_splat(a2 + x);
    c20 = add(c20, mul(s, b0));
    c21 = add(c21, mul(s, b1));
    s = load_splat(a3 + x);
    c30 = add(c30, mul(s, b0));
    c31 = add(c31, mul(s, b1));
  }
  store(c, c00), store(c + 4, c01);
  store(c + ldc, c10), store(c + ldc + 4, c11);
  store(c + 2 * ldc, c20), store(c + 2 * ldc + 4, c21);
  store(c + 3 * ldc, c30), store(c + 3 * ldc + 4, c31);
}

// ============================================================================
// Attention, SIMD path.
// ============================================================================

struct SimdScratch {
  Buffer qh;  // (n4, d)        the head's queries × scale·log2(e), rows past n zero
  Buffer kp;  // (n8/8, d, 8)   the head's keys in panels of 8, keys past n zero
  Buffer vh;  // (n8, dp)       the head's values, dp = d rounded up to 8, padding zero
  Buffer s;   // (kBr, kBc)     scores, then probabilities, of one tile
  Buffer o;   // (kBr, dp)      output accumulators of one query tile
  Buffer ml;  // (2·kBr)        running max m and running sum l of each row
};

void sdpa_simd(const float* q, const float* k, const float* v, float* out, int n, int heads, int d,
               const SdpaOptions& opt, float scale) {  // scale includes log2(e)
  thread_local SimdScratch sc;
  const int ld = heads * d;
  const int n4 = round_up(n, 4);
  const int n8 = round_up(n, 8);
  const int dp = round_up(d, 8);
  float* qh = sc.qh.get(size_t(n4) * d);
  float* kp = sc.kp.get(size_t(n8) * d);
  float* vh = sc.vh.get(size_t(n8) * dp);
  float* S = sc.s.get(size_t(kBr) * kBc);
  float* O = sc.o.get(size_t(kBr) * dp);
  float* M = sc.ml.get(2 * kBr);
  float* L = M + kBr;
  const f32x4 iota = [] {
    alignas(16) const float v4[4] = {0, 1, 2, 3};
    return load(v4);
  }();

  for (int h = 0; h < heads; ++h) {
    // ---- pack this head's Q (scaled), K (panels) and V (padded rows) once ----
    for (int i = 0; i < n4; ++i) {
      float* dst = qh + size_t(i) * d;
      if (i < n) {
        const float* src = q + size_t(i) * ld + size_t(h) * d;
        for (int x = 0; x < d; ++x) dst[x] = src[x] * scale;
      } else {
        std::fill(dst, dst + d, 0.0f);
      }
    }
    for (int j = 0; j < n8; ++j) {
      float* panel = kp + size_t(j / 8) * d * 8 + (j % 8);
      float* vrow = vh + size_t(j) * dp;
      if (j < n) {
        const float* ks = k + size_t(j) * ld + size_t(h) * d;
        for (int x = 0; x < d; ++x) panel[x * 8] = ks[x];
        std::memcpy(vrow, v + size_t(j) * ld + size_t(h) * d, sizeof(float) * d);
        std::fill(vrow + d, vrow + dp, 0.0f);
      } else {
        for (int x = 0; x < d; ++x) panel[x * 8] = 0.0f;
        std::fill(vrow, vrow + dp, 0.0f);
      }
    }
    const float slope = opt.alibi_slopes ? opt.alibi_slopes[h] * kLog2e : 0.0f;

    for (int i0 = 0; i0 < n; i0 += kBr) {
      const int rows = std::min(kBr, n - i0);
      const int rows4 = round_up(rows, 4);
      for (int r = 0; r < rows4; ++r) M[r] = kNegInf, L[r] = 0.0f;
      std::fill(O, O + size_t(rows4) * dp, 0.0f);
      // Under causal the last key any row of this tile sees is i0 + rows − 1.
      const int j_end = opt.causal ? i0 + rows : n;

      for (int j0 = 0; j0 < j_end; j0 += kBc) {
        const int cols = std::min(kBc, j_end - j0);
        const int cols8 = round_up(cols, 8);

        // 1. S(rows4, cols8) = Qh(i0.., :)·K(j0.., :)ᵀ, 4 query rows × 8 keys at a time.
        for (int r = 0; r < rows4; r += 4)
          for (int c = 0; c < cols8; c += 8)
            micro_4x8<4>(qh + size_t(i0 + r) * d, d, kp + size_t(j0 + c) * d, d, S + r * kBc + c,
                         kBc, false);

        // 2. Bias, mask, online softmax: P = 2^(S − m_new), m, l and O rescaled per row.
        for (int r = 0; r < rows4; ++r) {
          float* srow = S + r * kBc;
          const int i = i0 + r;
          // Keys c < limit are visible: inside the sequence and, under causal, j <= i.
          int limit = r < rows ? cols : 0;
          if (opt.causal) limit = std::min(limit, i - j0 + 1);
          if (limit <= 0) {  // nothing visible in this tile: contributes exactly 0
            std::fill(srow, srow + cols8, 0.0f);
            continue;
          }
          if (slope != 0.0f) {
            const f32x4 vs = splat(slope);
            const f32x4 vi = splat(float(i - j0));
            for (int c = 0; c < cols8; c += 4) {
              const f32x4 jc = add(iota, splat(float(c)));
              const f32x4 dist = max(sub(vi, jc), sub(jc, vi));  // |i − j|
              store(srow + c, sub(load(srow + c), mul(vs, dist)));
            }
          }
          for (int c = limit; c < cols8; ++c) srow[c] = kNegInf;
          f32x4 vmax = splat(kNegInf);
          for (int c = 0; c < cols8; c += 4) vmax = max(vmax, load(srow + c));
          const float m_new = std::max(M[r], reduce_max(vmax));  // finite: limit > 0
          const f32x4 vm = splat(m_new);
          f32x4 vsum = zero();
          for (int c = 0; c < cols8; c += 4) {
            const f32x4 p = exp2_nonpositive(sub(load(srow + c), vm));
            store(srow + c, p);
            vsum = add(vsum, p);
          }
          const float alpha = exp2_nonpositive_scalar(M[r] - m_new);  // 0 when M was −∞
          L[r] = L[r] * alpha + reduce_add(vsum);
          M[r] = m_new;
          if (alpha != 1.0f) {
            float* orow = O + size_t(r) * dp;
            const f32x4 va = splat(alpha);
            for (int x = 0; x < dp; x += 4) store(orow + x, mul(load(orow + x), va));
          }
        }

        // 3. O(rows4, dp) += P(rows4, cols8)·V(j0.., dp), 4 rows × 8 columns at a time.
        for (int r = 0; r < rows4; r += 4)
          for (int x = 0; x < dp; x += 8)
            micro_4x8_strided(S + r * kBc, kBc, vh + size_t(j0) * dp + x, dp, cols8,
                              O + size_t(r) * dp + x, dp);
      }

      // 4. out = O / l; a row that saw nothing (l == 0) gives 0.
      for (int r = 0; r < rows; ++r) {
        const float inv = L[r] > 0.0f ? 1.0f / L[r] : 0.0f;
        const float* orow = O + size_t(r) * dp;
        float* dst = out + size_t(i0 + r) * ld + size_t(h) * d;
        for (int x = 0; x < d; ++x) dst[x] = orow[x] * inv;
      }
    }
  }
}

// ============================================================================
// GEMM, SIMD path: B packed once into panels of 8 columns, blocked over k (kKc) and m (kMc).
// ============================================================================

constexpr int kKc = 256;  // depth of one block: a panel block is kKc·8 floats = 8 KB (L1)
constexpr int kMc = 64;   // rows of A per block: kMc·kKc floats = 64 KB (L2)

struct GemmScratch {
  Buffer bp;  // (n8/8, k, 8) B in panels of 8 columns, columns past n zero
};

void matmul_simd(const float* a, const float* b, float* c, int m, int k, int n) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    std::fill(c, c + size_t(m) * n, 0.0f);
    return;
  }
  thread_local GemmScratch sc;
  const int panels = (n + 7) / 8;
  float* bp = sc.bp.get(size_t(panels) * k * 8);
  for (int p = 0; p < panels; ++p) {
    const int j0 = p * 8;
    const int w = std::min(8, n - j0);
    float* dst = bp + size_t(p) * k * 8;
    for (int x = 0; x < k; ++x) {
      const float* src = b + size_t(x) * n + j0;
      for (int jj = 0; jj < w; ++jj) dst[x * 8 + jj] = src[jj];
      for (int jj = w; jj < 8; ++jj) dst[x * 8 + jj] = 0.0f;
    }
  }
  alignas(16) float edge[4 * 8];  // a 4×8 block whose columns run past n
  for (int k0 = 0; k0 < k; k0 += kKc) {
    const int kc = std::min(kKc, k - k0);
    const bool acc = k0 > 0;
    for (int i0 = 0; i0 < m; i0 += kMc) {
      const int mc = std::min(kMc, m - i0);
      for (int p = 0; p < panels; ++p) {
        const int j0 = p * 8;
        const int w = std::min(8, n - j0);
        const float* panel = bp + (size_t(p) * k + k0) * 8;
        for (int i = i0; i < i0 + mc; i += 4) {
          const int R = std::min(4, i0 + mc - i);
          const float* ai = a + size_t(i) * k + k0;
          float* ci = c + size_t(i) * n + j0;
          float* dst = ci;
          int ldd = n;
          if (w < 8) {  // compute into edge, then copy the w valid columns
            dst = edge, ldd = 8;
            if (acc)
              for (int r = 0; r < R; ++r)
                for (int jj = 0; jj < w; ++jj) edge[r * 8 + jj] = ci[size_t(r) * n + jj];
          }
          switch (R) {
            case 4: micro_4x8<4>(ai, k, panel, kc, dst, ldd, acc); break;
            case 3: micro_4x8<3>(ai, k, panel, kc, dst, ldd, acc); break;
            case 2: micro_4x8<2>(ai, k, panel, kc, dst, ldd, acc); break;
            default: micro_4x8<1>(ai, k, panel, kc, dst, ldd, acc); break;
          }
          if (w < 8)
            for (int r = 0; r < R; ++r)
              for (int jj = 0; jj < w; ++jj) ci[size_t(r) * n + jj] = edge[r * 8 + jj];
        }
      }
    }
  }
}

#endif  // AP_HAVE_F32X4

// Simd (or Auto) runs the SIMD path when it is compiled in; otherwise everything is scalar.
bool use_simd(KernelPath path) { return AP_HAVE_F32X4 && path != KernelPath::Scalar; }

}  // namespace

// ============================================================================
// Public entry points
// ============================================================================

bool simd_compiled() { return AP_HAVE_F32X4 != 0; }

const char* simd_kind() { return AP_SIMD_KIND; }

void scaled_dot_product_attention(const float* q, const float* k, const float* v, float* out,
                                  int n, int heads, int d_head, const SdpaOptions& opt,
                                  KernelPath path) {
  if (n <= 0 || heads <= 0 || d_head <= 0) return;
  const float scale = opt.scale != 0.0f ? opt.scale : 1.0f / std::sqrt(float(d_head));
#if AP_HAVE_F32X4
  if (use_simd(path)) return sdpa_simd(q, k, v, out, n, heads, d_head, opt, scale * kLog2e);
#else
  (void)use_simd(path);
#endif
  sdpa_scalar(q, k, v, out, n, heads, d_head, opt, scale * kLog2e);
}

void matmul(const float* a, const float* b, float* c, int m, int k, int n, KernelPath path) {
#if AP_HAVE_F32X4
  if (use_simd(path)) return matmul_simd(a, b, c, m, k, n);
#else
  (void)use_simd(path);
#endif
  if (m <= 0 || n <= 0) return;
  matmul_scalar(a, b, c, m, k, n);
}

}  // namespace ap
