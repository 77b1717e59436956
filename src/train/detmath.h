// Deterministic elementary functions for training: the same bits natively (glibc) and in wasm
// (emscripten's musl), whose std::exp / std::log / std::sin may round differently.
//
//   float, the hot loops (softmax, SiLU, GELU): exp from kernels/exp2.h's polynomial, shared by
//     every softmax in the core; tanh and the logistic function built on it.
//   double, tables and schedules (RoPE angles, the cosine schedule, loss reports): series in
//     basic IEEE operations only (+ − × ÷ and ldexp / frexp, which are exact), in a fixed order.
// Every function is also given for double in the std:: form, for the double-precision gradient
// checks (Math<double>), where determinism across libraries does not matter.
#pragma once

#include <cmath>

#include "kernels/exp2.h"

namespace ap::train {

// ---- double, series in basic operations ----

// e^x for |x| < 700: x = k·ln2 + r, |r| <= ln2/2 (Cody–Waite, ln2 in two parts), Taylor to r^17.
inline double det_exp(double x) {
  if (x > 700.0) x = 700.0;
  if (x < -700.0) return 0.0;
  const double ln2_hi = 0.693147180369123816490, ln2_lo = 1.90821492927058770002e-10;
  const double kd = x * 1.44269504088896338700;
  const double k = kd >= 0 ? std::floor(kd + 0.5) : -std::floor(-kd + 0.5);
  const double r = (x - k * ln2_hi) - k * ln2_lo;
  double term = 1.0, sum = 1.0;
  for (int i = 1; i <= 17; ++i) {
    term = term * r / double(i);
    sum += term;
  }
  return std::ldexp(sum, int(k));
}

// ln x for x > 0 (−∞ for 0): x = m·2^e with m in [√½, √2); ln m = 2·atanh(s), s = (m−1)/(m+1).
inline double det_log(double x) {
  if (!(x > 0)) return x == 0 ? -HUGE_VAL : NAN;
  int e = 0;
  double m = std::frexp(x, &e);  // m in [0.5, 1)
  if (m < 0.70710678118654752440) {
    m *= 2.0;
    e -= 1;
  }
  const double s = (m - 1.0) / (m + 1.0), s2 = s * s;
  double term = s, sum = 0.0;
  for (int i = 1; i <= 41; i += 2) {  // |s| <= 0.172: s^41 is far below double's epsilon
    sum += term / double(i);
    term *= s2;
  }
  return 2.0 * sum + double(e) * 0.69314718055994530942;
}

// sin and cos for |x| < 1e6: x reduced to [−π, π] by 2π in three parts, then Taylor to x^29.
inline void det_sincos(double x, double* s, double* c) {
  const double two_pi_1 = 6.28318530717958623200, two_pi_2 = 2.44929359829470635445e-16;
  const double kd = x / 6.28318530717958647692;
  const double k = kd >= 0 ? std::floor(kd + 0.5) : -std::floor(-kd + 0.5);
  const double r = (x - k * two_pi_1) - k * two_pi_2;
  double ts = r, tc = 1.0, ss = 0.0, cc = 0.0;
  const double r2 = r * r;
  for (int i = 1; i <= 29; i += 2) {
    ss += ts;
    cc += tc;
    ts = -ts * r2 / double((i + 1) * (i + 2));
    tc = -tc * r2 / double(i * (i + 1));
  }
  *s = ss;
  *c = cc;
}

// ---- per scalar type: what the ops call ----

template <typename T>
struct Math;

template <>
struct Math<float> {
  // e^x for x <= 0 (exactly 0 below about e^−79.7): exp2.h's polynomial at x·log2 e.
  static float exp_nonpositive(float x) { return exp2_nonpositive_scalar(x * kLog2e); }
  // 1/(1 + e^−x), from e^−|x| only, so the argument is never positive.
  // Written without data-dependent branches around the division (signs are random: a branch
  // would mispredict half the time).
  static float sigmoid(float x) {
    const float e = exp_nonpositive(-std::fabs(x));
    const float r = 1.0f / (1.0f + e);
    return x >= 0 ? r : e * r;
  }
  // tanh x = sign(x)·(1 − e^−2|x|)/(1 + e^−2|x|).
  static float tanh(float x) {
    const float e = exp_nonpositive(-2.0f * (x >= 0 ? x : -x));
    const float t = (1.0f - e) / (1.0f + e);
    return x >= 0 ? t : -t;
  }
  static float log(float x) { return float(det_log(double(x))); }
};

template <>
struct Math<double> {
  static double exp_nonpositive(double x) { return std::exp(x); }
  static double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
  static double tanh(double x) { return std::tanh(x); }
  static double log(double x) { return std::log(x); }
};

}  // namespace ap::train
