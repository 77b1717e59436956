#include "kernels/quant.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/simd.h"

namespace ap {

// ============================================================================
// Types and conversions
// ============================================================================

bool tensor_type_from_ggml(uint32_t ggml_type, TensorType* out) {
  switch (ggml_type) {
    case 0:
    case 1:
    case 2:
    case 8:
    case 30:
      *out = static_cast<TensorType>(ggml_type);
      return true;
    default:
      return false;
  }
}

const char* ggml_type_name(uint32_t t) {
  static const char* const kNames[] = {
      "F32",   "F16",    "Q4_0", "Q4_1", "Q4_2", "Q4_3",    "Q5_0",   "Q5_1",    "Q8_0",  "Q8_1",   "Q2_K",
      "Q3_K",  "Q4_K",   "Q5_K", "Q6_K", "Q8_K", "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S",
      "IQ2_S", "IQ4_XS", "I8",   "I16",  "I32",  "I64",     "F64",    "IQ1_M",   "BF16"};
  if (t < sizeof kNames / sizeof kNames[0]) return kNames[t];
  return "an unknown type";
}

int type_block_values(TensorType t) {
  return (t == TensorType::Q8_0 || t == TensorType::Q4_0) ? kQuantBlock : 1;
}

size_t type_block_bytes(TensorType t) {
  switch (t) {
    case TensorType::F32:
      return 4;
    case TensorType::F16:
    case TensorType::BF16:
      return 2;
    case TensorType::Q8_0:
      return kQ8_0BlockBytes;
    case TensorType::Q4_0:
      return kQ4_0BlockBytes;
  }
  return 4;
}

uint16_t f32_to_f16(float f) {
  const uint32_t x = bits_from_f32(f);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t abs = x & 0x7fffffffu;
  if (abs >= 0x7f800000u) return uint16_t(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u));  // inf, NaN
  if (abs >= 0x477ff000u) return uint16_t(sign | 0x7c00u);  // rounds to ≥ 65520: overflow
  if (abs < 0x38800000u) {                                  // below 2^−14: a half subnormal (or 0)
    // The value in units of 2^−24, rounded to nearest even.
    const float scaled = f32_from_bits(abs) * 0x1.0p24f;
    return uint16_t(sign | uint32_t(std::nearbyint(scaled)));
  }
  // Normal: rebias the exponent, round the 13 dropped mantissa bits to nearest even.
  const uint32_t rounded = abs + 0xfffu + ((abs >> 13) & 1u);
  return uint16_t(sign | ((rounded - 0x38000000u) >> 13));
}

uint16_t f32_to_bf16(float f) {
  const uint32_t x = bits_from_f32(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return uint16_t((x >> 16) | 0x40u);  // quiet NaN
  return uint16_t((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

namespace {

inline uint16_t load_u16(const uint8_t* p) { return uint16_t(p[0] | (p[1] << 8)); }

inline void store_u16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v & 0xff);
  p[1] = uint8_t(v >> 8);
}

}  // namespace

void dequantize_row(const QuantMatrix& w, int r, float* out) {
  const uint8_t* p = w.row(r);
  const int n = w.cols;
  switch (w.type) {
    case TensorType::F32:
      std::memcpy(out, p, size_t(n) * 4);
      return;
    case TensorType::F16:
      for (int j = 0; j < n; ++j) out[j] = f16_to_f32(load_u16(p + 2 * j));
      return;
    case TensorType::BF16:
      for (int j = 0; j < n; ++j) out[j] = bf16_to_f32(load_u16(p + 2 * j));
      return;
    case TensorType::Q8_0:
      for (int b = 0; b < n / kQuantBlock; ++b, p += kQ8_0BlockBytes) {
        const float d = f16_to_f32(load_u16(p));
        const int8_t* q = reinterpret_cast<const int8_t*>(p + 2);
        for (int j = 0; j < kQuantBlock; ++j) out[b * kQuantBlock + j] = float(q[j]) * d;
      }
      return;
    case TensorType::Q4_0:
      for (int b = 0; b < n / kQuantBlock; ++b, p += kQ4_0BlockBytes) {
        const float d = f16_to_f32(load_u16(p));
        const uint8_t* q = p + 2;
        for (int j = 0; j < 16; ++j) {
          out[b * kQuantBlock + j] = float(int(q[j] & 0x0F) - 8) * d;
          out[b * kQuantBlock + j + 16] = float(int(q[j] >> 4) - 8) * d;
        }
      }
      return;
  }
}

void quantize_row(TensorType t, const float* x, int cols, uint8_t* out) {
  switch (t) {
    case TensorType::F32:
      std::memcpy(out, x, size_t(cols) * 4);
      return;
    case TensorType::F16:
      for (int j = 0; j < cols; ++j) store_u16(out + 2 * j, f32_to_f16(x[j]));
      return;
    case TensorType::BF16:
      for (int j = 0; j < cols; ++j) store_u16(out + 2 * j, f32_to_bf16(x[j]));
      return;
    case TensorType::Q8_0:
      for (int b = 0; b < cols / kQuantBlock; ++b, out += kQ8_0BlockBytes) {
        const float* xb = x + b * kQuantBlock;
        float amax = 0;
        for (int j = 0; j < kQuantBlock; ++j) amax = std::max(amax, std::fabs(xb[j]));
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        store_u16(out, f32_to_f16(d));
        for (int j = 0; j < kQuantBlock; ++j) out[2 + j] = uint8_t(int8_t(std::lround(xb[j] * id)));
      }
      return;
    case TensorType::Q4_0:
      for (int b = 0; b < cols / kQuantBlock; ++b, out += kQ4_0BlockBytes) {
        const float* xb = x + b * kQuantBlock;
        float amax = 0, max = 0;  // the value of largest magnitude, with its sign
        for (int j = 0; j < kQuantBlock; ++j)
          if (std::fabs(xb[j]) > amax) amax = std::fabs(xb[j]), max = xb[j];
        const float d = max / -8.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        store_u16(out, f32_to_f16(d));
        for (int j = 0; j < 16; ++j) {
          const int lo = std::min(15, int(xb[j] * id + 8.5f));
          const int hi = std::min(15, int(xb[j + 16] * id + 8.5f));
          out[2 + j] = uint8_t(lo | (hi << 4));
        }
      }
      return;
  }
}

long long first_non_finite(const QuantMatrix& w) {
  const size_t rb = row_bytes(w.type, w.cols);
  for (int r = 0; r < w.rows; ++r) {
    const uint8_t* p = w.data + size_t(r) * rb;
    const long long base = (long long)r * w.cols;
    switch (w.type) {
      case TensorType::F32: {
        for (int j = 0; j < w.cols; ++j) {
          float v;
          std::memcpy(&v, p + 4 * j, 4);
          if (!std::isfinite(v)) return base + j;
        }
        break;
      }
      case TensorType::F16:
        for (int j = 0; j < w.cols; ++j)
          if ((load_u16(p + 2 * j) & 0x7c00u) == 0x7c00u) return base + j;
        break;
      case TensorType::BF16:
        for (int j = 0; j < w.cols; ++j)
          if ((load_u16(p + 2 * j) & 0x7f80u) == 0x7f80u) return base + j;
        break;
      case TensorType::Q8_0:
      case TensorType::Q4_0: {
        const size_t bb = type_block_bytes(w.type);
        for (int b = 0; b < w.cols / kQuantBlock; ++b)
          if ((load_u16(p + b * bb) & 0x7c00u) == 0x7c00u) return base + b * kQuantBlock;
        break;
      }
    }
  }
  return -1;
}

// ============================================================================
// Scalar path: a row dot product per output, accumulated in float, block by block
// ============================================================================

namespace {

float dot_row_scalar(const QuantMatrix& w, int r, const float* x) {
  const uint8_t* p = w.row(r);
  const int n = w.cols;
  float acc = 0;
  switch (w.type) {
    case TensorType::F32:
      for (int j = 0; j < n; ++j) {
        float v;
        std::memcpy(&v, p + 4 * j, 4);
        acc += v * x[j];
      }
      return acc;
    case TensorType::F16:
      for (int j = 0; j < n; ++j) acc += f16_to_f32(load_u16(p + 2 * j)) * x[j];
      return acc;
    case TensorType::BF16:
      for (int j = 0; j < n; ++j) acc += bf16_to_f32(load_u16(p + 2 * j)) * x[j];
      return acc;
    case TensorType::Q8_0:
      for (int b = 0; b < n / kQuantBlock; ++b, p += kQ8_0BlockBytes, x += kQuantBlock) {
        const int8_t* q = reinterpret_cast<const int8_t*>(p + 2);
        float s = 0;
        for (int j = 0; j < kQuantBlock; ++j) s += float(q[j]) * x[j];
        acc += s * f16_to_f32(load_u16(p));
      }
      return acc;
    case TensorType::Q4_0:
      for (int b = 0; b < n / kQuantBlock; ++b, p += kQ4_0BlockBytes, x += kQuantBlock) {
        const uint8_t* q = p + 2;
        float s = 0;
        for (int j = 0; j < 16; ++j)
          s += float(int(q[j] & 0x0F) - 8) * x[j] + float(int(q[j] >> 4) - 8) * x[j + 16];
        acc += s * f16_to_f32(load_u16(p));
      }
      return acc;
  }
  return acc;
}

void matvec_scalar(const QuantMatrix& w, const float* x, float* y) {
  for (int r = 0; r < w.rows; ++r) y[r] = dot_row_scalar(w, r, x);
}

// Y = X·Wᵀ one row of W at a time: dequantize it once, then a dot product per row of X.
void matmul_scalar(const float* x, int m, const QuantMatrix& w, float* y) {
  thread_local std::vector<float> row;
  row.resize(size_t(w.cols));
  for (int r = 0; r < w.rows; ++r) {
    dequantize_row(w, r, row.data());
    for (int i = 0; i < m; ++i) {
      const float* xi = x + size_t(i) * w.cols;
      float acc = 0;
      for (int j = 0; j < w.cols; ++j) acc += row[j] * xi[j];
      y[size_t(i) * w.rows + r] = acc;
    }
  }
}

}  // namespace

// ============================================================================
// SIMD path
// ============================================================================

#if AP_HAVE_F32X4

namespace {

using simd::f32x4;

// Σ_j W(r, j)·x_j for one row, in four-lane partial sums.
f32x4 dot_row_simd(const QuantMatrix& w, int r, const float* x) {
  const uint8_t* p = w.row(r);
  const int n = w.cols;
  f32x4 acc0 = simd::zero(), acc1 = simd::zero();
  switch (w.type) {
    case TensorType::F32: {
      const float* wf = reinterpret_cast<const float*>(p);
      int j = 0;
      for (; j + 8 <= n; j += 8) {
        acc0 = simd::add(acc0, simd::mul(simd::load(wf + j), simd::load(x + j)));
        acc1 = simd::add(acc1, simd::mul(simd::load(wf + j + 4), simd::load(x + j + 4)));
      }
      float tail = 0;
      for (; j < n; ++j) tail += wf[j] * x[j];
      float lanes[4];
      simd::store(lanes, simd::add(acc0, acc1));
      lanes[0] += tail;
      return simd::load(lanes);
    }
    case TensorType::F16:
    case TensorType::BF16: {
      const uint16_t* h = reinterpret_cast<const uint16_t*>(p);
      const bool bf = w.type == TensorType::BF16;
      int j = 0;
      for (; j + 8 <= n; j += 8) {
        f32x4 lo, hi;
        if (bf)
          simd::load_bf16x8(h + j, &lo, &hi);
        else
          simd::load_f16x8(h + j, &lo, &hi);
        acc0 = simd::add(acc0, simd::mul(lo, simd::load(x + j)));
        acc1 = simd::add(acc1, simd::mul(hi, simd::load(x + j + 4)));
      }
      float tail = 0;
      for (; j < n; ++j)
        tail += (bf ? bf16_to_f32(load_u16(p + 2 * j)) : f16_to_f32(load_u16(p + 2 * j))) * x[j];
      float lanes[4];
      simd::store(lanes, simd::add(acc0, acc1));
      lanes[0] += tail;
      return simd::load(lanes);
    }
    case TensorType::Q8_0:
      for (int b = 0; b < n / kQuantBlock; ++b, p += kQ8_0BlockBytes, x += kQuantBlock) {
        f32x4 q[8];
        simd::load_i8x16(reinterpret_cast<const int8_t*>(p + 2), q);
        simd::load_i8x16(reinterpret_cast<const int8_t*>(p + 18), q + 4);
        f32x4 s0 = simd::mul(q[0], simd::load(x)), s1 = simd::mul(q[1], simd::load(x + 4));
        for (int k = 2; k < 8; k += 2) {
          s0 = simd::add(s0, simd::mul(q[k], simd::load(x + 4 * k)));
          s1 = simd::add(s1, simd::mul(q[k + 1], simd::load(x + 4 * k + 4)));
        }
        const f32x4 d = simd::splat(f16_to_f32(load_u16(p)));
        acc0 = simd::add(acc0, simd::mul(simd::add(s0, s1), d));
      }
      return acc0;
    case TensorType::Q4_0:
      for (int b = 0; b < n / kQuantBlock; ++b, p += kQ4_0BlockBytes, x += kQuantBlock) {
        f32x4 q[8];
        simd::load_q4x32(p + 2, q);
        f32x4 s0 = simd::mul(q[0], simd::load(x)), s1 = simd::mul(q[1], simd::load(x + 4));
        for (int k = 2; k < 8; k += 2) {
          s0 = simd::add(s0, simd::mul(q[k], simd::load(x + 4 * k)));
          s1 = simd::add(s1, simd::mul(q[k + 1], simd::load(x + 4 * k + 4)));
        }
        const f32x4 d = simd::splat(f16_to_f32(load_u16(p)));
        acc0 = simd::add(acc0, simd::mul(simd::add(s0, s1), d));
      }
      return acc0;
  }
  return acc0;
}

void matvec_simd(const QuantMatrix& w, const float* x, float* y) {
  for (int r = 0; r < w.rows; ++r) y[r] = simd::reduce_add(dot_row_simd(w, r, x));
}

// Rows of W per panel: a panel is dequantized once (kPanelRows·cols floats) and multiplied by all
// of Xᵀ through the packed GEMM, which packs Xᵀ again per panel (1/kPanelRows of the work).
constexpr int kPanelRows = 128;

struct QuantScratch {
  std::vector<float> xt;     // (cols, m) Xᵀ
  std::vector<float> panel;  // (kPanelRows, cols) dequantized rows of W
  std::vector<float> out;    // (kPanelRows, m) W_panel·Xᵀ
};

void matmul_simd(const float* x, int m, const QuantMatrix& w, float* y) {
  thread_local QuantScratch sc;
  const int k = w.cols;
  sc.xt.resize(size_t(k) * m);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < k; ++j) sc.xt[size_t(j) * m + i] = x[size_t(i) * k + j];
  sc.out.resize(size_t(kPanelRows) * m);
  if (w.type != TensorType::F32) sc.panel.resize(size_t(kPanelRows) * k);
  for (int r0 = 0; r0 < w.rows; r0 += kPanelRows) {
    const int nr = std::min(kPanelRows, w.rows - r0);
    const float* a;
    if (w.type == TensorType::F32) {
      a = reinterpret_cast<const float*>(w.row(r0));
    } else {
      for (int r = 0; r < nr; ++r) dequantize_row(w, r0 + r, sc.panel.data() + size_t(r) * k);
      a = sc.panel.data();
    }
    matmul(a, sc.xt.data(), sc.out.data(), nr, k, m, KernelPath::Simd);
    for (int i = 0; i < m; ++i) {
      float* yi = y + size_t(i) * w.rows + r0;
      for (int r = 0; r < nr; ++r) yi[r] = sc.out[size_t(r) * m + i];
    }
  }
  constexpr size_t kKeep = size_t(16) << 20;  // floats kept between calls (64 MB)
  if (sc.xt.capacity() + sc.panel.capacity() + sc.out.capacity() > kKeep) sc = QuantScratch{};
}

}  // namespace

#endif  // AP_HAVE_F32X4

void quant_matvec(const QuantMatrix& w, const float* x, float* y, KernelPath path) {
#if AP_HAVE_F32X4
  if (path != KernelPath::Scalar) return matvec_simd(w, x, y);
#endif
  (void)path;
  matvec_scalar(w, x, y);
}

void quant_matmul(const float* x, int m, const QuantMatrix& w, float* y, KernelPath path) {
  if (m <= 0 || w.rows <= 0) return;
  if (m == 1) return quant_matvec(w, x, y, path);
#if AP_HAVE_F32X4
  if (path != KernelPath::Scalar) return matmul_simd(x, m, w, y);
#endif
  matmul_scalar(x, m, w, y);
}

}  // namespace ap
