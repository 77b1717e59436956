// Stored-type weights (src/kernels/quant.h): conversions, block layouts as ggml defines them, and
// y = W·x, Y = X·Wᵀ on both paths against a plain double-precision reference that dequantizes the
// same stored bytes, so the only difference is float rounding in the sums.
#include "kernels/quant.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "test_buffers.h"

namespace {

using ap::KernelPath;
using ap::QuantMatrix;
using ap::TensorType;

constexpr TensorType kTypes[] = {TensorType::F32, TensorType::F16, TensorType::BF16, TensorType::Q8_0,
                                 TensorType::Q4_0};

// Dequantizes by the layout written out by hand (not via dequantize_row), in double.
double value_at(const QuantMatrix& w, int r, int j) {
  const uint8_t* p = w.row(r);
  auto u16 = [](const uint8_t* q) { return uint16_t(q[0] | q[1] << 8); };
  switch (w.type) {
    case TensorType::F32: {
      float f;
      std::memcpy(&f, p + 4 * j, 4);
      return f;
    }
    case TensorType::F16:
      return ap::f16_to_f32(u16(p + 2 * j));
    case TensorType::BF16:
      return ap::bf16_to_f32(u16(p + 2 * j));
    case TensorType::Q8_0: {
      const uint8_t* b = p + (j / 32) * 34;
      return double(ap::f16_to_f32(u16(b))) * double(int8_t(b[2 + j % 32]));
    }
    case TensorType::Q4_0: {
      const uint8_t* b = p + (j / 32) * 18;
      const int k = j % 32;
      const int nib = k < 16 ? (b[2 + k] & 0x0F) : (b[2 + k - 16] >> 4);
      return double(ap::f16_to_f32(u16(b))) * double(nib - 8);
    }
  }
  return 0;
}

struct Stored {
  std::vector<uint8_t> bytes;
  QuantMatrix m;
};

Stored make(TensorType t, int rows, int cols, uint32_t seed) {
  Stored s;
  const auto values = ap_test::random_values(size_t(rows) * cols, seed);
  const size_t rb = ap::row_bytes(t, cols);
  s.bytes.assign(rb * rows + 3, 0);
  for (int r = 0; r < rows; ++r)
    ap::quantize_row(t, values.data() + size_t(r) * cols, cols, s.bytes.data() + r * rb);
  s.m = {t, rows, cols, s.bytes.data()};
  return s;
}

// What quantizing the activation may change in row r of W·x (quant.h): for Q8_0 and Q4_0 each x_j
// moves by at most d/2, d = max|x| of its block / 127, so the row by Σ_b d_b/2 · Σ_{j∈b} |W(r, j)|
// (with 1e-6 of it for the rounding of d itself); 0 for the float types.
double matvec_tolerance(const QuantMatrix& w, int r, const float* x) {
  if (w.type != TensorType::Q8_0 && w.type != TensorType::Q4_0) return 0;
  double tol = 0;
  for (int b = 0; b < w.cols / 32; ++b) {
    double amax = 0, wsum = 0;
    for (int j = 32 * b; j < 32 * b + 32; ++j) {
      amax = std::max(amax, std::fabs(double(x[j])));
      wsum += std::fabs(value_at(w, r, j));
    }
    tol += amax / 127 / 2 * wsum;
  }
  return tol * (1 + 1e-6);
}

}  // namespace

TEST_CASE("quant: f16 and bf16 conversions are exact and round to nearest even", "[quant]") {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = ap::f16_to_f32(uint16_t(h));
    if (std::isnan(f)) {
      CHECK(std::isnan(ap::f16_to_f32(ap::f32_to_f16(f))));
      continue;
    }
    REQUIRE(ap::f32_to_f16(f) == uint16_t(h));  // every half survives a round trip
    const float b = ap::bf16_to_f32(uint16_t(h));
    if (!std::isnan(b)) REQUIRE(ap::f32_to_bf16(b) == uint16_t(h));
  }
  CHECK(ap::f16_to_f32(0x3c00) == 1.0f);
  CHECK(ap::f16_to_f32(0x0001) == std::ldexp(1.0f, -24));         // smallest subnormal
  CHECK(ap::f32_to_f16(1.0f + std::ldexp(1.0f, -11)) == 0x3c00);  // a tie rounds to even
  CHECK(ap::f32_to_f16(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3c02);
  CHECK(ap::f32_to_f16(70000.0f) == 0x7c00);
  CHECK(ap::f32_to_bf16(1.00390625f) == 0x3f80);  // 1 + 2^-8: a tie, to even
}

TEST_CASE("quant: Q8_0 and Q4_0 blocks as ggml lays them out", "[quant]") {
  float x[32];
  for (int j = 0; j < 32; ++j) x[j] = float(j - 16) / 4.0f;  // −4 … 3.75
  uint8_t q8[34], q4[18];
  ap::quantize_row(TensorType::Q8_0, x, 32, q8);
  CHECK(ap::f16_to_f32(uint16_t(q8[0] | q8[1] << 8)) == ap::f16_to_f32(ap::f32_to_f16(4.0f / 127)));
  CHECK(int8_t(q8[2]) == -127);  // −4 / d
  CHECK(int8_t(q8[2 + 16]) == 0);
  ap::quantize_row(TensorType::Q4_0, x, 32, q4);
  // The largest magnitude is −4, so d = −4 / −8 = 0.5 and q = x/d + 8.
  CHECK(ap::f16_to_f32(uint16_t(q4[0] | q4[1] << 8)) == 0.5f);
  CHECK((q4[2] & 0x0F) == 0);      // x[0] = −4 → 0, the first value in the low nibble of byte 0
  CHECK((q4[2] >> 4) == 8);        // x[16] = 0 → 8, the 17th value in the high nibble of byte 0
  CHECK((q4[2 + 15] >> 4) == 15);  // x[31] = 3.75 → 15.5 → clamped to 15
  float back[32];
  QuantMatrix m{TensorType::Q4_0, 1, 32, q4};
  ap::dequantize_row(m, 0, back);
  CHECK(back[0] == -4.0f);
  CHECK(back[16] == 0.0f);
  CHECK(back[31] == 3.5f);
}

TEST_CASE("quant: matvec and matmul of every type, both paths, against the reference", "[quant]") {
  for (TensorType t : kTypes) {
    const bool blocked = ap::type_block_values(t) > 1;
    for (int cols : {32, 64, 96, 160}) {
      for (int extra : {0, 1, 3, 7}) {
        const int c = blocked ? cols : cols + extra;
        for (int rows : {1, 5, 130}) {
          const Stored w = make(t, rows, c, uint32_t(rows * 131 + c));
          for (int m : {1, 2, 3, 17}) {
            const auto xv = ap_test::random_values(size_t(m) * c, 7 + m);
            ap_test::Unaligned x(xv);
            std::vector<double> want(size_t(m) * rows);
            double scale = 0;
            for (int i = 0; i < m; ++i)
              for (int r = 0; r < rows; ++r) {
                double s = 0, a = 0;
                for (int j = 0; j < c; ++j) {
                  s += value_at(w.m, r, j) * x.data()[size_t(i) * c + j];
                  a += std::fabs(value_at(w.m, r, j) * x.data()[size_t(i) * c + j]);
                }
                want[size_t(i) * rows + r] = s;
                scale = std::max(scale, a);
              }
            for (KernelPath path : {KernelPath::Scalar, KernelPath::Simd}) {
              ap_test::Unaligned y(size_t(m) * rows);
              ap::quant_matmul(x.data(), m, w.m, y.data(), path);
              INFO("type " << ap::ggml_type_name(uint32_t(t)) << " rows " << rows << " cols " << c << " m "
                           << m << " path " << (path == KernelPath::Scalar ? "scalar" : "simd"));
              REQUIRE(y.guards_intact());
              int bad = 0;
              for (size_t k = 0; k < want.size(); ++k) {
                const double tol = m == 1 ? matvec_tolerance(w.m, int(k), x.data()) : 0.0;
                if (!(std::fabs(y.data()[k] - want[k]) <= tol + 1e-6 * scale)) ++bad;
              }
              CHECK(bad == 0);
              if (m == 1) {
                ap_test::Unaligned y1(rows);
                ap::quant_matvec(w.m, x.data(), y1.data(), path);
                REQUIRE(y1.guards_intact());
                for (int r = 0; r < rows; ++r)
                  CHECK(std::fabs(y1.data()[r] - want[r]) <=
                        matvec_tolerance(w.m, r, x.data()) + 1e-6 * scale);
              }
            }
          }
        }
      }
    }
  }
}

TEST_CASE("quant: first_non_finite finds a non-finite weight or block scale", "[quant]") {
  for (TensorType t : kTypes) {
    Stored w = make(t, 3, 64, 1);
    CHECK(ap::first_non_finite(w.m) == -1);
    // Make the value at (2, 40) (or its block's scale) infinite.
    uint8_t* row = w.bytes.data() + 2 * ap::row_bytes(t, 64);
    switch (t) {
      case TensorType::F32: {
        const float inf = INFINITY;
        std::memcpy(row + 4 * 40, &inf, 4);
        break;
      }
      case TensorType::F16:
        row[80] = 0x00, row[81] = 0x7c;
        break;
      case TensorType::BF16:
        row[80] = 0x80, row[81] = 0x7f;
        break;
      default: {
        uint8_t* block = row + ap::type_block_bytes(t);  // block 1 holds value 40
        block[0] = 0x00, block[1] = 0x7e;                // a NaN scale
        break;
      }
    }
    const long long want = ap::type_block_values(t) > 1 ? 2 * 64 + 32 : 2 * 64 + 40;
    CHECK(ap::first_non_finite(w.m) == want);
  }
}

TEST_CASE("quant: the activation's quantization keeps every value within d/2 and marks non-finite blocks",
          "[quant]") {
  auto xv = ap_test::random_values(32 * 6, 3);
  for (int j = 32; j < 64; ++j) xv[size_t(j)] = 0.0f;                      // block 1: all zeros
  for (int j = 64; j < 96; ++j) xv[size_t(j)] *= 1e-41f;                   // block 2: subnormal scale
  xv[100] = INFINITY;                                                      // block 3: an inf
  xv[140] = NAN;                                                           // block 4: a NaN
  for (int j = 160; j < 192; ++j) xv[size_t(j)] = j % 2 ? 3e38f : -3e38f;  // block 5: near the float limit
  std::vector<int16_t> q(xv.size(), 999);
  std::vector<float> d(6, -1.0f);
  ap::quantize_activation(xv.data(), int(xv.size()), q.data(), d.data());
  for (int b : {0, 2, 5}) {
    float amax = 0;
    for (int j = 32 * b; j < 32 * b + 32; ++j) amax = std::max(amax, std::fabs(xv[size_t(j)]));
    INFO("block " << b);
    CHECK(d[size_t(b)] == amax / 127.0f);
    for (int j = 32 * b; j < 32 * b + 32; ++j) {
      REQUIRE(std::abs(q[size_t(j)]) <= 127);
      const double err = std::fabs(double(xv[size_t(j)]) - double(q[size_t(j)]) * d[size_t(b)]);
      // d/2, and for the subnormal block the rounding of d itself (2^-149 per unit of q)
      CHECK(err <= d[size_t(b)] / 2 * (1 + 1e-6) + 127 * 0x1.0p-149);
    }
  }
  CHECK(d[1] == 0.0f);
  for (int j = 32; j < 64; ++j) CHECK(q[size_t(j)] == 0);
  CHECK(std::isnan(d[3]));
  CHECK(std::isnan(d[4]));
  // A non-finite input makes the product NaN on both paths, the other rows' values stay finite.
  for (TensorType t : {TensorType::Q8_0, TensorType::Q4_0}) {
    const Stored w = make(t, 3, 64, 5);
    std::vector<float> x(64, 0.5f);
    x[7] = INFINITY;
    for (KernelPath path : {KernelPath::Scalar, KernelPath::Simd}) {
      std::vector<float> y(3, 0.0f);
      ap::quant_matvec(w.m, x.data(), y.data(), path);
      for (float v : y) CHECK(std::isnan(v));
      x[7] = 0.5f;
      ap::quant_matvec(w.m, x.data(), y.data(), path);
      for (float v : y) CHECK(std::isfinite(v));
      x[7] = INFINITY;
    }
  }
}

TEST_CASE("quant: the integer matvec's SIMD and scalar paths agree to float rounding", "[quant]") {
  for (TensorType t : {TensorType::Q8_0, TensorType::Q4_0}) {
    for (int rows : {1, 3, 4, 5, 9, 64}) {
      const Stored w = make(t, rows, 512, uint32_t(rows));
      const auto xv = ap_test::random_values(512, 11);
      std::vector<float> ys(static_cast<size_t>(rows)), yv(static_cast<size_t>(rows));
      ap::quant_matvec(w.m, xv.data(), ys.data(), KernelPath::Scalar);
      ap::quant_matvec(w.m, xv.data(), yv.data(), KernelPath::Simd);
      for (int r = 0; r < rows; ++r) {
        double a = 0;  // Σ |W(r, j)·x_j|: the scale of the row's rounding
        for (int j = 0; j < 512; ++j) a += std::fabs(value_at(w.m, r, j) * xv[size_t(j)]);
        INFO("type " << ap::ggml_type_name(uint32_t(t)) << " rows " << rows << " row " << r);
        CHECK(std::fabs(ys[size_t(r)] - yv[size_t(r)]) <= 1e-6 * a);
      }
    }
  }
}
