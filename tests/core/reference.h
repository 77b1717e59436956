// A plain scalar, float64 reference of multi-head attention for the tests: loops written
// straight from the conventions in attention.h, sharing no code with the core.
#pragma once

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace ref {

struct Result {
  // [head][i * cols + j]
  std::vector<std::vector<double>> q, k, v, scores, weights, head_output;
  std::vector<double> output;  // (n, d_model)
};

inline Result attention(const std::vector<float>& x_in, const std::vector<float>& wq,
                        const std::vector<float>& wk, const std::vector<float>& wv,
                        const std::vector<float>& wo, int n, int dm, int heads, bool causal,
                        double temperature, const char* positional,
                        const std::vector<float>* x_kv_in = nullptr, int n_kv = 0) {
  const std::string pos(positional);
  const int nk = x_kv_in ? n_kv : n;
  const int dh = dm / heads;
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> x(x_in.begin(), x_in.end());
  if (pos == "sinusoidal") {
    for (int p = 0; p < n; ++p)
      for (int j = 0; j < dm; ++j) {
        const double a = p / std::pow(10000.0, 2.0 * (j / 2) / dm);
        x[p * dm + j] += (j % 2 == 0) ? std::sin(a) : std::cos(a);
      }
  }
  std::vector<double> xkv = x;
  if (x_kv_in) {
    xkv.assign(x_kv_in->begin(), x_kv_in->end());
    if (pos == "sinusoidal") {
      for (int p = 0; p < nk; ++p)
        for (int j = 0; j < dm; ++j) {
          const double a = p / std::pow(10000.0, 2.0 * (j / 2) / dm);
          xkv[p * dm + j] += (j % 2 == 0) ? std::sin(a) : std::cos(a);
        }
    }
  }
  auto project = [&](const std::vector<double>& in, int rows, const std::vector<float>& w) {
    std::vector<double> out(static_cast<size_t>(rows) * dm, 0.0);
    for (int i = 0; i < rows; ++i)
      for (int c = 0; c < dm; ++c) {
        double s = 0;
        for (int r = 0; r < dm; ++r) s += in[i * dm + r] * w[r * dm + c];
        out[i * dm + c] = s;
      }
    return out;
  };
  const auto Q = project(x, n, wq), K = project(xkv, nk, wk), V = project(xkv, nk, wv);
  Result res;
  std::vector<double> concat(static_cast<size_t>(n) * dm);
  for (int h = 0; h < heads; ++h) {
    std::vector<double> q(n * dh), k(nk * dh), v(nk * dh);
    for (int i = 0; i < n; ++i)
      for (int d = 0; d < dh; ++d) q[i * dh + d] = Q[i * dm + h * dh + d];
    for (int i = 0; i < nk; ++i)
      for (int d = 0; d < dh; ++d) {
        k[i * dh + d] = K[i * dm + h * dh + d];
        v[i * dh + d] = V[i * dm + h * dh + d];
      }
    if (pos == "rope") {
      for (auto* m : {&q, &k})
        for (int p = 0; p < static_cast<int>(m->size()) / dh; ++p)
          for (int d = 0; d < dh; d += 2) {
            const double a = p / std::pow(10000.0, static_cast<double>(d) / dh);
            const double u = (*m)[p * dh + d], w = (*m)[p * dh + d + 1];
            (*m)[p * dh + d] = u * std::cos(a) - w * std::sin(a);
            (*m)[p * dh + d + 1] = u * std::sin(a) + w * std::cos(a);
          }
    }
    std::vector<double> s(n * nk), wgt(n * nk, 0.0), o(n * dh, 0.0);
    const double slope = std::pow(2.0, -8.0 * (h + 1) / heads);
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < nk; ++j) {
        double dot = 0;
        for (int d = 0; d < dh; ++d) dot += q[i * dh + d] * k[j * dh + d];
        double sc = dot / (std::sqrt(static_cast<double>(dh)) * temperature);
        if (pos == "alibi") sc -= slope * (causal ? (i - j) : std::abs(i - j));
        if (causal && j > i) sc = -inf;
        s[i * nk + j] = sc;
      }
      double mx = -inf;
      for (int j = 0; j < nk; ++j) mx = std::max(mx, s[i * nk + j]);
      if (mx == -inf) continue;
      double sum = 0;
      for (int j = 0; j < nk; ++j) sum += (wgt[i * nk + j] = std::exp(s[i * nk + j] - mx));
      for (int j = 0; j < nk; ++j) wgt[i * nk + j] /= sum;
      for (int d = 0; d < dh; ++d) {
        double acc = 0;
        for (int j = 0; j < nk; ++j) acc += wgt[i * nk + j] * v[j * dh + d];
        o[i * dh + d] = acc;
        concat[i * dm + h * dh + d] = acc;
      }
    }
    res.q.push_back(q);
    res.k.push_back(k);
    res.v.push_back(v);
    res.scores.push_back(s);
    res.weights.push_back(wgt);
    res.head_output.push_back(o);
  }
  res.output.assign(static_cast<size_t>(n) * dm, 0.0);
  for (int i = 0; i < n; ++i)
    for (int c = 0; c < dm; ++c) {
      double acc = 0;
      for (int r = 0; r < dm; ++r) acc += concat[i * dm + r] * wo[r * dm + c];
      res.output[i * dm + c] = acc;
    }
  return res;
}

inline std::vector<float> random_vector(size_t count, unsigned seed, float stddev = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, stddev);
  std::vector<float> v(count);
  for (auto& e : v) e = dist(rng);
  return v;
}

}  // namespace ref
