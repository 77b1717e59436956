#include "kernels/quant.h"

#include <algorithm>
#include <cmath>
#include <limits>
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

void quantize_activation(const float* x, int cols, int16_t* q, float* d) {
  for (int b = 0; b < cols / kQuantBlock; ++b, x += kQuantBlock, q += kQuantBlock) {
    float amax = 0;
    bool finite = true;
    for (int j = 0; j < kQuantBlock; ++j) {
      finite = finite && std::isfinite(x[j]);
      amax = std::max(amax, std::fabs(x[j]));
    }
    if (!finite) {  // no integer stands for inf or NaN: the block's products become NaN
      d[b] = std::numeric_limits<float>::quiet_NaN();
      std::fill(q, q + kQuantBlock, int16_t(0));
      continue;
    }
    const float db = amax / 127.0f;
    d[b] = db;
    // x/d rather than x·(1/d): 1/d overflows for a subnormal d, x/d stays within ±127.
    for (int j = 0; j < kQuantBlock; ++j)
      q[j] = db == 0.0f ? int16_t(0) : int16_t(std::clamp(std::nearbyint(x[j] / db), -127.0f, 127.0f));
  }
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

// Σ_b d_w(b)·d_x(b)·Σ_j q_w(b, j)·q_x(b, j) over row r of a Q8_0 / Q4_0 matrix and the
// quantized activation (xq, xd): the integer sum per block is exact, the blocks add up in float.
float dot_row_int_scalar(const QuantMatrix& w, int r, const int16_t* xq, const float* xd) {
  const uint8_t* p = w.row(r);
  const bool q8 = w.type == TensorType::Q8_0;
  const size_t bb = q8 ? kQ8_0BlockBytes : kQ4_0BlockBytes;
  float acc = 0;
  for (int b = 0; b < w.cols / kQuantBlock; ++b, p += bb, xq += kQuantBlock) {
    int32_t s = 0;
    if (q8) {
      const int8_t* q = reinterpret_cast<const int8_t*>(p + 2);
      for (int j = 0; j < kQuantBlock; ++j) s += int32_t(q[j]) * xq[j];
    } else {
      for (int j = 0; j < 16; ++j)
        s += (int32_t(p[2 + j] & 0x0F) - 8) * xq[j] + (int32_t(p[2 + j] >> 4) - 8) * xq[j + 16];
    }
    acc += float(s) * (f16_to_f32(load_u16(p)) * xd[b]);
  }
  return acc;
}

bool integer_dot(TensorType t) { return t == TensorType::Q8_0 || t == TensorType::Q4_0; }

// The quantized activation of one product (reused scratch).
struct ActivationScratch {
  std::vector<int16_t> q;  // (cols) int8 values held as int16
  std::vector<float> d;    // (cols / 32) block scales
  void quantize(const float* x, int cols) {
    q.resize(size_t(cols));
    d.resize(size_t(cols / kQuantBlock));
    quantize_activation(x, cols, q.data(), d.data());
  }
};

void matvec_scalar(const QuantMatrix& w, const float* x, float* y) {
  if (integer_dot(w.type)) {
    thread_local ActivationScratch act;
    act.quantize(x, w.cols);
    for (int r = 0; r < w.rows; ++r) y[r] = dot_row_int_scalar(w, r, act.q.data(), act.d.data());
    return;
  }
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

// Σ_j W(r, j)·x_j for one F16 or BF16 row, in four-lane partial sums.
f32x4 dot_row_half_simd(const QuantMatrix& w, int r, const float* x) {
  const uint8_t* p = w.row(r);
  const int n = w.cols;
  f32x4 acc0 = simd::zero(), acc1 = simd::zero();
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
  for (; j < n; ++j) tail += (bf ? bf16_to_f32(load_u16(p + 2 * j)) : f16_to_f32(load_u16(p + 2 * j))) * x[j];
  float lanes[4];
  simd::store(lanes, simd::add(acc0, acc1));
  lanes[0] += tail;
  return simd::load(lanes);
}

// Σ_j W(r, j)·x_j for one F32 row: the row streams once, through four independent four-lane sums
// (a single chain of adds would wait on its own latency, not on memory).
float f32_row(const QuantMatrix& w, int r, const float* x) {
  const float* wr = reinterpret_cast<const float*>(w.row(r));
  const int n = w.cols;
  f32x4 a0 = simd::zero(), a1 = simd::zero(), a2 = simd::zero(), a3 = simd::zero();
  int j = 0;
  for (; j + 16 <= n; j += 16) {
    a0 = simd::add(a0, simd::mul(simd::load(wr + j), simd::load(x + j)));
    a1 = simd::add(a1, simd::mul(simd::load(wr + j + 4), simd::load(x + j + 4)));
    a2 = simd::add(a2, simd::mul(simd::load(wr + j + 8), simd::load(x + j + 8)));
    a3 = simd::add(a3, simd::mul(simd::load(wr + j + 12), simd::load(x + j + 12)));
  }
  for (; j + 4 <= n; j += 4) a0 = simd::add(a0, simd::mul(simd::load(wr + j), simd::load(x + j)));
  float tail = 0;
  for (; j < n; ++j) tail += wr[j] * x[j];
  return simd::reduce_add(simd::add(simd::add(a0, a1), simd::add(a2, a3))) + tail;
}

// y(r0 … r0+R−1) for Q8_0 / Q4_0 against the quantized activation: per block, the 32 int8
// weights widened to int16, four dot_i16 with x's int16 values (loaded once for the R rows), the
// int32 lanes converted to float and scaled by d_w·d_x.
template <int R>
void int_rows(const QuantMatrix& w, int r0, const int16_t* xq, const float* xd, float* y) {
  const bool q8 = w.type == TensorType::Q8_0;
  const size_t bb = q8 ? kQ8_0BlockBytes : kQ4_0BlockBytes;
  const uint8_t* p[R];
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) p[r] = w.row(r0 + r);
  f32x4 acc[R];
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) acc[r] = simd::zero();
  const int blocks = w.cols / kQuantBlock;
  for (int b = 0; b < blocks; ++b, xq += kQuantBlock) {
    const simd::ivec x0 = simd::iload(xq), x1 = simd::iload(xq + 8), x2 = simd::iload(xq + 16),
                     x3 = simd::iload(xq + 24);
    const float dx = xd[b];
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) {
      const uint8_t* blk = p[r] + size_t(b) * bb;
      simd::ivec lo, hi;  // values 0–15 and 16–31 as int8
      if (q8) {
        lo = simd::iload(blk + 2), hi = simd::iload(blk + 18);
      } else {
        const simd::ivec nib = simd::iload(blk + 2);
        lo = simd::q4_low(nib), hi = simd::q4_high(nib);
      }
      const simd::ivec s = simd::i32_addv(simd::i32_addv(simd::dot_i16(simd::i16_from_i8_low(lo), x0),
                                                         simd::dot_i16(simd::i16_from_i8_high(lo), x1)),
                                          simd::i32_addv(simd::dot_i16(simd::i16_from_i8_low(hi), x2),
                                                         simd::dot_i16(simd::i16_from_i8_high(hi), x3)));
      acc[r] =
          simd::add(acc[r], simd::mul(simd::f32_from_i32(s), simd::splat(f16_to_f32(load_u16(blk)) * dx)));
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) y[r0 + r] = simd::reduce_add(acc[r]);
}

// Rows of W per pass over x in the integer matvec. Natively (SSE2, bench_model, old and new builds
// alternating) one row at a time generated fastest: 2 and 4 rows per pass, which share x's loads
// but read 2–4 weight streams at once, were 1.4–1.9× slower (bench/NOTES.md).
constexpr int kMatvecRows = 1;

void matvec_simd(const QuantMatrix& w, const float* x, float* y) {
  if (w.type == TensorType::F32) {
    for (int r = 0; r < w.rows; ++r) y[r] = f32_row(w, r, x);
  } else if (integer_dot(w.type)) {
    thread_local ActivationScratch act;
    act.quantize(x, w.cols);
    const int full = w.rows / kMatvecRows * kMatvecRows;
    for (int r = 0; r < full; r += kMatvecRows) int_rows<kMatvecRows>(w, r, act.q.data(), act.d.data(), y);
    for (int r = full; r < w.rows; ++r) int_rows<1>(w, r, act.q.data(), act.d.data(), y);
  } else {
    for (int r = 0; r < w.rows; ++r) y[r] = simd::reduce_add(dot_row_half_simd(w, r, x));
  }
}

// Rows of W per group: a group is dequantized once, straight into the GEMM's panels of 16
// (kGroupRows·cols floats, 128 KB at cols = 512), and multiplied by all m rows of X.
constexpr int kGroupRows = 64;

struct QuantScratch {
  std::vector<float> panels;  // (kGroupRows/16, cols, 16) rows of W as Bᵀ panels, rows past the end zero
  std::vector<float> row;     // (4, cols) four dequantized rows
};

void matmul_simd(const float* x, int m, const QuantMatrix& w, float* y) {
  static_assert(kGroupRows % kPanelWidth == 0, "a group is whole panels");
  thread_local QuantScratch sc;
  const int k = w.cols;
  sc.panels.resize(size_t(kGroupRows) * k);
  sc.row.resize(size_t(4) * k);
  for (int r0 = 0; r0 < w.rows; r0 += kGroupRows) {
    const int nr = std::min(kGroupRows, w.rows - r0);
    const int nr16 = (nr + kPanelWidth - 1) / kPanelWidth * kPanelWidth;
    // Four rows at a time: 4×4 blocks transposed in registers into the panel's columns.
    for (int r = 0; r < nr16; r += 4) {
      float* dst = sc.panels.data() + size_t(r / kPanelWidth) * k * kPanelWidth + r % kPanelWidth;
      const float* src[4];
      for (int i = 0; i < 4; ++i) {
        float* buf = sc.row.data() + size_t(i) * k;
        if (r + i >= nr) {
          std::fill(buf, buf + k, 0.0f);  // rows past the end: zero columns of the panel
          src[i] = buf;
        } else if (w.type == TensorType::F32) {
          src[i] = reinterpret_cast<const float*>(w.row(r0 + r + i));
        } else {
          dequantize_row(w, r0 + r + i, buf);
          src[i] = buf;
        }
      }
      int j = 0;
      for (; j + 4 <= k; j += 4) {
        f32x4 a = simd::load(src[0] + j), b = simd::load(src[1] + j), c = simd::load(src[2] + j),
              d = simd::load(src[3] + j);
        simd::transpose4(&a, &b, &c, &d);  // a = column j of the four rows, b = column j + 1, …
        simd::store(dst + size_t(j) * kPanelWidth, a);
        simd::store(dst + size_t(j + 1) * kPanelWidth, b);
        simd::store(dst + size_t(j + 2) * kPanelWidth, c);
        simd::store(dst + size_t(j + 3) * kPanelWidth, d);
      }
      for (; j < k; ++j)
        for (int i = 0; i < 4; ++i) dst[size_t(j) * kPanelWidth + i] = src[i][j];
    }
    matmul_packed(x, k, sc.panels.data(), y + r0, w.rows, m, k, nr, false, KernelPath::Simd);
  }
  constexpr size_t kKeep = size_t(4) << 20;  // floats kept between calls (16 MB)
  if (sc.panels.capacity() + sc.row.capacity() > kKeep) sc = QuantScratch{};
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
