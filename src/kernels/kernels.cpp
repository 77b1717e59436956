// Hand-written fast kernels. See kernels.h for the contracts and
// tests/core/kernels_reference.h for the plain reference each kernel is tested against.
//
// Design (tuned for wasm on V8/x64, which has ~15 usable vector registers; timings in
// bench/NOTES.md):
//   - attention works on tiles of kBr query rows × kBc keys, small enough for L1;
//   - online softmax: per query row a running max m, running sum l, and the output accumulator O
//     rescaled by 2^(m_old − m_new) when the max grows (scores are kept in log2 units);
//   - under causal, key tiles wholly above the diagonal are never visited and only the last
//     (diagonal) tile of each row is masked;
//   - both products run a 2×16 register-blocked micro-kernel (8 accumulators + 4 loads + 1 splat):
//     S = Q·Kᵀ over K packed once per head into panels of 16 keys, O += P·V over V packed once
//     per head with rows padded to a multiple of 16 floats;
//   - exp is vectorised (exp2.h, as 2^x) and returns exactly 0 for masked/tiny arguments, so no
//     denormal ever reaches the products;
//   - every buffer is thread_local scratch that only grows: O(n·d) memory, no per-call allocation.
#include "kernels/kernels.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "kernels/exp2.h"
#include "kernels/simd.h"

namespace ap {

namespace {

// ============================================================================
// Shared helpers
// ============================================================================

constexpr int kBr = 32;  // query rows per attention tile (a multiple of the micro-kernel rows, 2)
// Keys per attention tile (a multiple of the panel width, 16): 128 rather than 64 (a little
// faster in Chromium, the same in Node), though a tile's K and V (2 × 32 KB at d=64) then no
// longer fit L1 together; S does (16 KB).
constexpr int kBc = 128;
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

// Both paths work in log2 units (exp2.h): scores are q·k·scale·log2(e) and weights 2^(s − max),
// which equals e^(natural score − natural max).

// ============================================================================
// Attention, scalar path: one query row at a time, online softmax over key blocks.
// ============================================================================

struct ScalarScratch {
  Buffer kh, vh;  // (n, d) the head's keys / values, contiguous
  Buffer s;       // (kBc) scores then probabilities of one key block
  Buffer o;       // (d) output accumulator of one query row
};

void sdpa_scalar(const float* q, const float* k, const float* v, float* out, int n, int heads, int d,
                 const SdpaOptions& opt, float scale) {  // scale includes log2(e)
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
          // four partial sums: one would be a chain of dependent adds (latency-bound)
          float d0 = 0.0f, d1 = 0.0f, d2 = 0.0f, d3 = 0.0f;
          int x = 0;
          for (; x + 4 <= d; x += 4) {
            d0 += qi[x] * kj[x];
            d1 += qi[x + 1] * kj[x + 1];
            d2 += qi[x + 2] * kj[x + 2];
            d3 += qi[x + 3] * kj[x + 3];
          }
          for (; x < d; ++x) d0 += qi[x] * kj[x];
          float sc_ij = ((d0 + d1) + (d2 + d3)) * scale;
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
        // 3. weighted sum of the values, four keys per pass over o (fewer loads and stores of o)
        int c = 0;
        for (; c + 4 <= cols; c += 4) {
          const float p0 = s[c], p1 = s[c + 1], p2 = s[c + 2], p3 = s[c + 3];
          const float* v0 = vh + size_t(j0 + c) * d;
          const float* v1 = v0 + d;
          const float* v2 = v1 + d;
          const float* v3 = v2 + d;
          for (int x = 0; x < d; ++x) o[x] += (p0 * v0[x] + p1 * v1[x]) + (p2 * v2[x] + p3 * v3[x]);
        }
        for (; c < cols; ++c) {
          const float p = s[c];
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
    const float* ai = a + size_t(i) * k;
    int p = 0;
    for (; p + 4 <= k; p += 4) {  // four rows of B per pass over the C row
      const float a0 = ai[p], a1 = ai[p + 1], a2 = ai[p + 2], a3 = ai[p + 3];
      const float* b0 = b + size_t(p) * n;
      const float* b1 = b0 + n;
      const float* b2 = b1 + n;
      const float* b3 = b2 + n;
      for (int j = 0; j < n; ++j) ci[j] += (a0 * b0[j] + a1 * b1[j]) + (a2 * b2[j] + a3 * b3[j]);
    }
    for (; p < k; ++p) {
      const float aip = ai[p];
      const float* bp = b + size_t(p) * n;
      for (int j = 0; j < n; ++j) ci[j] += aip * bp[j];
    }
  }
}

// C(m, n) (+)= A(m, k)·B over B in panels, plain loops: C row i += Σ_x A(i, x)·B row x.
void matmul_packed_scalar(const float* a, int lda, const float* bp, float* c, int ldc, int m, int k, int n,
                          bool accumulate) {
  constexpr int kW = kPanelWidth;
  for (int i = 0; i < m; ++i) {
    float* ci = c + size_t(i) * ldc;
    if (!accumulate) std::fill(ci, ci + n, 0.0f);
    const float* ai = a + size_t(i) * lda;
    for (int j0 = 0; j0 < n; j0 += kW) {
      const float* panel = bp + size_t(j0 / kW) * k * kW;
      const int w = std::min(kW, n - j0);
      float acc[kW] = {};
      for (int x = 0; x < k; ++x)
        for (int jj = 0; jj < kW; ++jj) acc[jj] += ai[x] * panel[x * kW + jj];
      for (int jj = 0; jj < w; ++jj) ci[j0 + jj] += acc[jj];
    }
  }
}

#if AP_HAVE_F32X4
using namespace simd;

// ============================================================================
// Micro-kernel: C(R, 4·C4) (+)= A(R, len)·B(len, 4·C4), accumulators in registers.
// ============================================================================

// A(r, x) = a[r·a_rs + x], B(x, 0..4·C4) = b[x·b_xs + 0..4·C4], C(r, ·) = c[r·ldc + ·].
// R·C4 <= 8 accumulators, C4 loads of B and one splat of A per row and step: with V8 on x64
// (16 vector registers, no FMA in SIMD128) 2×16 is the fastest shape (ahead of 4×8 and 4×12).
// Callers inline it with constant strides.
// With kRowMax, also rmax(r, 0..3) = lane-wise max of row r of C (merged with rmax unless
// first), from the registers: the attention's row maxima without another pass over the scores.
template <int R, int C4, bool kRowMax = false>
inline void micro(const float* a, int a_rs, const float* b, int b_xs, int len, float* c, int ldc,
                  bool accumulate, float* rmax = nullptr, bool first = true) {
  // The r and j loops must unroll completely so that acc lives in registers: GCC -O2 does not
  // unroll them by itself, hence the pragmas. The x loop must not unroll, even when len is a
  // constant (a specialised head size): LLVM interleaves the unrolled steps and V8 then spills
  // registers.
  f32x4 acc[R][C4];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int j = 0; j < C4; ++j) acc[r][j] = accumulate ? load(c + r * ldc + 4 * j) : zero();
#if defined(__clang__)
#pragma clang loop unroll(disable)
#endif
  for (int x = 0; x < len; ++x) {
    f32x4 bv[C4];
#pragma GCC unroll 8
    for (int j = 0; j < C4; ++j) bv[j] = load(b + size_t(x) * b_xs + 4 * j);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const f32x4 s = load_splat(a + r * a_rs + x);
#pragma GCC unroll 8
      for (int j = 0; j < C4; ++j) acc[r][j] = add(acc[r][j], mul(s, bv[j]));
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int j = 0; j < C4; ++j) store(c + r * ldc + 4 * j, acc[r][j]);
  if (kRowMax) {
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      f32x4 m = acc[r][0];
#pragma GCC unroll 8
      for (int j = 1; j < C4; ++j) m = max(m, acc[r][j]);
      store(rmax + 4 * r, first ? m : max(m, load(rmax + 4 * r)));
    }
  }
}

constexpr int kMr = 2;            // rows of a micro-kernel block
constexpr int kNr = kPanelWidth;  // columns of a micro-kernel block = width of a packed panel

// Each use gets its own small, non-inlined function, so V8 allocates the 8 accumulators of a
// tight loop rather than of one huge function (V8 may switch huge functions to a simpler register
// allocator). One call per 2×16 block of d or kBc steps costs next to nothing. A precaution: in
// the wasm build it holds only until the link, since emcc's optimiser (Binaryen) does not see
// noinline and inlines these blocks into their single callers; natively it holds.
#if defined(__GNUC__)
#define AP_NOINLINE __attribute__((noinline))
#else
#define AP_NOINLINE
#endif

// S(2, 16) = Q(2 rows, d)·K(16 keys, d)ᵀ; q rows have stride d, panel is (d, 16); S stride kBc.
// rmax (2 × 4 floats): lane-wise row maxima of this tile's S so far (set when first).
// D > 0: a head size known at compile time (see sdpa_simd); D = 0: d as passed.
template <int D>
AP_NOINLINE void qk_block(const float* q, const float* panel, int d, float* s, float* rmax, bool first) {
  if (D > 0) d = D;
  micro<kMr, kNr / 4, true>(q, d, panel, kNr, d, s, kBc, false, rmax, first);
}
// O(2, 16) += P(2, len)·V(len, 16); P rows have stride kBc, V and O rows stride dp.
template <int D>
AP_NOINLINE void pv_block(const float* p, const float* v, int dp, int len, float* o) {
  if (D > 0) dp = (D + kNr - 1) / kNr * kNr;
  micro<kMr, kNr / 4>(p, kBc, v, dp, len, o, dp, true);
}
// C(R, 16) (+)= A(R, kc)·panel(kc, 16), R = 2 or 1; A rows stride lda, C rows stride ldc.
AP_NOINLINE void gemm_block2(const float* a, int lda, const float* panel, int kc, float* c, int ldc,
                             bool acc) {
  micro<2, kNr / 4>(a, lda, panel, kNr, kc, c, ldc, acc);
}
AP_NOINLINE void gemm_block1(const float* a, int lda, const float* panel, int kc, float* c, int ldc,
                             bool acc) {
  micro<1, kNr / 4>(a, lda, panel, kNr, kc, c, ldc, acc);
}

// ============================================================================
// Attention, SIMD path.
// ============================================================================

struct SimdScratch {
  Buffer qh;  // (n2, d)          the head's queries × scale·log2(e), rows past n zero
  Buffer kp;  // (n16/16, d, 16)  the head's keys in panels of 16, keys past n zero
  Buffer vh;  // (n16, dp)        the head's values, dp = d rounded up to 16, padding zero
  Buffer s;   // (kBr, kBc)       scores, then probabilities, of one tile; rows are queries
  Buffer o;   // (kBr, dp)        output accumulators of one query tile
  Buffer ml;  // (2·kBr)          running max m and running sum l of each row
  Buffer rm;  // (kBr, 4)         lane-wise maxima of each row of S, from qk_block
};

template <int D>
void sdpa_simd(const float* q, const float* k, const float* v, float* out, int n, int heads, int d,
               const SdpaOptions& opt, float scale) {  // scale includes log2(e)
  if (D > 0) d = D;
  static_assert(kBr % kMr == 0 && kBc % kNr == 0, "tiles are whole micro-kernel blocks");
  thread_local SimdScratch sc;
  const int ld = heads * d;
  const int n2 = round_up(n, kMr);
  const int n16 = round_up(n, kNr);
  const int dp = round_up(d, kNr);
  float* qh = sc.qh.get(size_t(n2) * d);
  float* kp = sc.kp.get(size_t(n16) * d);
  float* vh = sc.vh.get(size_t(n16) * dp);
  float* S = sc.s.get(size_t(kBr) * kBc);
  float* O = sc.o.get(size_t(kBr) * dp);
  float* M = sc.ml.get(2 * kBr);
  float* L = M + kBr;
  float* RM = sc.rm.get(size_t(kBr) * 4);
  const f32x4 iota = [] {
    alignas(16) const float v4[4] = {0, 1, 2, 3};
    return load(v4);
  }();

  for (int h = 0; h < heads; ++h) {
    // ---- pack this head's Q (scaled), K (panels) and V (padded rows) once ----
    for (int i = 0; i < n2; ++i) {
      float* dst = qh + size_t(i) * d;
      if (i < n) {
        const float* src = q + size_t(i) * ld + size_t(h) * d;
        for (int x = 0; x < d; ++x) dst[x] = src[x] * scale;
      } else {
        std::fill(dst, dst + d, 0.0f);
      }
    }
    for (int j = 0; j < n16; ++j) {
      float* panel = kp + size_t(j / kNr) * d * kNr + (j % kNr);
      float* vrow = vh + size_t(j) * dp;
      if (j < n) {
        const float* ks = k + size_t(j) * ld + size_t(h) * d;
        for (int x = 0; x < d; ++x) panel[x * kNr] = ks[x];
        std::memcpy(vrow, v + size_t(j) * ld + size_t(h) * d, sizeof(float) * d);
        std::fill(vrow + d, vrow + dp, 0.0f);
      } else {
        for (int x = 0; x < d; ++x) panel[x * kNr] = 0.0f;
        std::fill(vrow, vrow + dp, 0.0f);
      }
    }
    const float slope = opt.alibi_slopes ? opt.alibi_slopes[h] * kLog2e : 0.0f;

    for (int i0 = 0; i0 < n; i0 += kBr) {
      const int rows = std::min(kBr, n - i0);
      const int rows2 = round_up(rows, kMr);
      for (int r = 0; r < rows2; ++r) M[r] = kNegInf, L[r] = 0.0f;
      std::fill(O, O + size_t(rows2) * dp, 0.0f);
      // Under causal the last key any row of this tile sees is i0 + rows − 1: tiles wholly
      // above the diagonal are never visited.
      const int j_end = opt.causal ? i0 + rows : n;

      for (int j0 = 0; j0 < j_end; j0 += kBc) {
        const int cols = std::min(kBc, j_end - j0);
        const int cols16 = round_up(cols, kNr);

        // 1. S(rows2, cols16) = Qh(i0.., :)·K(j0.., :)ᵀ, 2 query rows × 16 keys at a time.
        for (int r = 0; r < rows2; r += kMr)
          for (int c = 0; c < cols16; c += kNr)
            qk_block<D>(qh + size_t(i0 + r) * d, kp + size_t(j0 + c) * d, d, S + r * kBc + c, RM + r * 4,
                        c == 0);

        // 2. Bias, mask, online softmax: P = 2^(S − m_new), m, l and O rescaled per row.
        for (int r = 0; r < rows2; ++r) {
          float* srow = S + r * kBc;
          const int i = i0 + r;
          // Keys c < limit are visible: inside the sequence and, under causal, j <= i
          // (only the diagonal tile of a row has limit < cols).
          int limit = r < rows ? cols : 0;
          if (opt.causal) limit = std::min(limit, i - j0 + 1);
          if (limit <= 0) {  // nothing visible in this tile: contributes exactly 0
            std::fill(srow, srow + cols16, 0.0f);
            continue;
          }
          if (slope != 0.0f) {
            const f32x4 vs = splat(slope);
            const f32x4 vi = splat(float(i - j0));
            for (int c = 0; c < cols16; c += 4) {
              const f32x4 jc = add(iota, splat(float(c)));
              const f32x4 dist = max(sub(vi, jc), sub(jc, vi));  // |i − j|
              store(srow + c, sub(load(srow + c), mul(vs, dist)));
            }
          }
          f32x4 vmax;
          const bool clean = limit == cols16 && slope == 0.0f;  // every key visible, no bias
          if (clean) {
            vmax = load(RM + r * 4);  // qk_block's maxima hold
          } else {
            for (int c = limit; c < cols16; ++c) srow[c] = kNegInf;
            // Four independent maxima per step (cols16 is a multiple of 16): one running max
            // would be a chain of 16 dependent 4-cycle ops per row.
            f32x4 mx0 = splat(kNegInf), mx1 = mx0, mx2 = mx0, mx3 = mx0;
            for (int c = 0; c < cols16; c += 16) {
              mx0 = max(mx0, load(srow + c));
              mx1 = max(mx1, load(srow + c + 4));
              mx2 = max(mx2, load(srow + c + 8));
              mx3 = max(mx3, load(srow + c + 12));
            }
            vmax = max(max(mx0, mx1), max(mx2, mx3));
          }
          // In a clean tile the reference max is the tile max rounded to an integer (softmax is
          // the same for any shift; every weight stays <= 2^(1/2)), so exp2_minus_int saves the
          // subtraction. Tiles with a mask or a bias keep the exact max: there a lone visible
          // key gets weight exactly 1 (the output is then exactly its value).
          const float tile_max = reduce_max(vmax);
          const float m_new = std::max(M[r], clean ? std::nearbyint(tile_max) : tile_max);  // finite
          f32x4 sum0 = zero(), sum1 = zero();
          if (clean && std::fabs(m_new) <= 2097152.0f && m_new == std::nearbyint(m_new)) {  // 2^21
            const f32x4 vc = splat(12582912.0f - m_new), vf = splat(m_new + kExp2Flush);
            for (int c = 0; c < cols16; c += 8) {
              const f32x4 p0 = exp2_minus_int(load(srow + c), vc, vf);
              const f32x4 p1 = exp2_minus_int(load(srow + c + 4), vc, vf);
              store(srow + c, p0);
              store(srow + c + 4, p1);
              sum0 = add(sum0, p0);
              sum1 = add(sum1, p1);
            }
          } else {  // a mask or bias, a score beyond ±2^21, or m from such a tile
            const f32x4 vm = splat(m_new);
            for (int c = 0; c < cols16; c += 8) {
              const f32x4 p0 = exp2_nonpositive(sub(load(srow + c), vm));
              const f32x4 p1 = exp2_nonpositive(sub(load(srow + c + 4), vm));
              store(srow + c, p0);
              store(srow + c + 4, p1);
              sum0 = add(sum0, p0);
              sum1 = add(sum1, p1);
            }
          }
          const f32x4 vsum = add(sum0, sum1);
          const float alpha = exp2_nonpositive_scalar(M[r] - m_new);  // 0 when M was −∞
          L[r] = L[r] * alpha + reduce_add(vsum);
          M[r] = m_new;
          if (alpha != 1.0f) {
            float* orow = O + size_t(r) * dp;
            const f32x4 va = splat(alpha);
            for (int x = 0; x < dp; x += 4) store(orow + x, mul(load(orow + x), va));
          }
        }

        // 3. O(rows2, dp) += P(rows2, cols16)·V(j0.., dp), 2 rows × 16 columns at a time.
        for (int r = 0; r < rows2; r += kMr)
          for (int x = 0; x < dp; x += kNr)
            pv_block<D>(S + r * kBc, vh + size_t(j0) * dp + x, dp, cols16, O + size_t(r) * dp + x);
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
// GEMM, SIMD path: B packed once into panels of 16 columns, blocked over k (kKc) and m (kMc).
// ============================================================================

constexpr int kKc = 256;  // depth of one block: a panel block is kKc·16 floats = 16 KB (L1)
constexpr int kMc = 64;   // rows of A per block: kMc·kKc floats = 64 KB (L2)

struct GemmScratch {
  Buffer bp;  // (n16/16, k, 16) B in panels of 16 columns, columns past n zero
};

// C(m, n) (+)= A(m, k)·B over B already in panels (see matmul_packed in kernels.h).
void matmul_packed_simd(const float* a, int lda, const float* bp, float* c, int ldc, int m, int k, int n,
                        bool accumulate) {
  const int panels = (n + kNr - 1) / kNr;
  alignas(16) float edge[kMr * kNr];  // a block whose columns run past n
  for (int k0 = 0; k0 < k; k0 += kKc) {
    const int kc = std::min(kKc, k - k0);
    const bool acc = accumulate || k0 > 0;
    for (int i0 = 0; i0 < m; i0 += kMc) {
      const int mc = std::min(kMc, m - i0);
      for (int p = 0; p < panels; ++p) {
        const int j0 = p * kNr;
        const int w = std::min(kNr, n - j0);
        const float* panel = bp + (size_t(p) * k + k0) * kNr;
        for (int i = i0; i < i0 + mc; i += kMr) {
          const int R = std::min(kMr, i0 + mc - i);
          const float* ai = a + size_t(i) * lda + k0;
          float* ci = c + size_t(i) * ldc + j0;
          float* dst = ci;
          int ldd = ldc;
          if (w < kNr) {  // compute into edge, then copy the w valid columns
            dst = edge, ldd = kNr;
            if (acc)
              for (int r = 0; r < R; ++r)
                for (int jj = 0; jj < w; ++jj) edge[r * kNr + jj] = ci[size_t(r) * ldc + jj];
          }
          if (R == kMr)
            gemm_block2(ai, lda, panel, kc, dst, ldd, acc);
          else
            gemm_block1(ai, lda, panel, kc, dst, ldd, acc);
          if (w < kNr)
            for (int r = 0; r < R; ++r)
              for (int jj = 0; jj < w; ++jj) ci[size_t(r) * ldc + jj] = edge[r * kNr + jj];
        }
      }
    }
  }
}

void matmul_simd(const float* a, const float* b, float* c, int m, int k, int n) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    std::fill(c, c + size_t(m) * n, 0.0f);
    return;
  }
  thread_local GemmScratch sc;
  const int panels = (n + kNr - 1) / kNr;
  float* bp = sc.bp.get(size_t(panels) * k * kNr);
  for (int p = 0; p < panels; ++p) {
    const int j0 = p * kNr;
    const int w = std::min(kNr, n - j0);
    float* dst = bp + size_t(p) * k * kNr;
    for (int x = 0; x < k; ++x) {
      const float* src = b + size_t(x) * n + j0;
      for (int jj = 0; jj < w; ++jj) dst[x * kNr + jj] = src[jj];
      for (int jj = w; jj < kNr; ++jj) dst[x * kNr + jj] = 0.0f;
    }
  }
  matmul_packed_simd(a, k, bp, c, n, m, k, n, false);
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

void scaled_dot_product_attention(const float* q, const float* k, const float* v, float* out, int n,
                                  int heads, int d_head, const SdpaOptions& opt, KernelPath path) {
  if (n <= 0 || heads <= 0 || d_head <= 0) return;
  const float scale = opt.scale != 0.0f ? opt.scale : 1.0f / std::sqrt(float(d_head));
#if AP_HAVE_F32X4
  if (use_simd(path)) {
    // The common head sizes (64: GPT-2, BERT, the benchmark; 128: Llama) are compiled with the
    // size as a constant, so every stride and trip count that depends on it folds (about 10 %
    // faster). The generic version serves every other size.
    if (d_head == 64) return sdpa_simd<64>(q, k, v, out, n, heads, d_head, opt, scale * kLog2e);
    if (d_head == 128) return sdpa_simd<128>(q, k, v, out, n, heads, d_head, opt, scale * kLog2e);
    return sdpa_simd<0>(q, k, v, out, n, heads, d_head, opt, scale * kLog2e);
  }
#else
  (void)use_simd(path);
#endif
  sdpa_scalar(q, k, v, out, n, heads, d_head, opt, scale * kLog2e);
}

void matmul_packed(const float* a, int lda, const float* bp, float* c, int ldc, int m, int k, int n,
                   bool accumulate, KernelPath path) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate)
      for (int i = 0; i < m; ++i) std::fill(c + size_t(i) * ldc, c + size_t(i) * ldc + n, 0.0f);
    return;
  }
#if AP_HAVE_F32X4
  if (use_simd(path)) return matmul_packed_simd(a, lda, bp, c, ldc, m, k, n, accumulate);
#else
  (void)path;
#endif
  matmul_packed_scalar(a, lda, bp, c, ldc, m, k, n, accumulate);
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
