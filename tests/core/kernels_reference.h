// Plain reference kernels for tests/core/kernels_test.cpp (and bench/native/bench_kernels.cpp).
//
// Written for reading, not speed (after llm.c's attention_forward_cpu): numbered passes, one
// thing each, sums in double so the reference is more accurate than the kernels it checks.
// Layout as in src/kernels/kernels.h: q, k, v, out are (n, heads·d_head) row-major; head h is columns
// h·d_head … (h+1)·d_head−1.
#pragma once

#include <cmath>
#include <limits>
#include <vector>

namespace ap::reference {

inline void attention(const float* q, const float* k, const float* v, float* out, int n, int heads,
                      int d_head, bool causal, float scale, const float* alibi_slopes) {
  const int ld = heads * d_head;
  const double neg_inf = -std::numeric_limits<double>::infinity();
  std::vector<double> scores(n);   // (n_key) one query row of one head
  std::vector<double> weights(n);  // (n_key) softmax of scores over keys
  for (int h = 0; h < heads; ++h) {
    for (int i = 0; i < n; ++i) {
      const float* qi = q + i * ld + h * d_head;
      // pass 1: scores(i, j) = q_i·k_j·scale − slope·|i−j|; −∞ where causal hides j > i
      double max_score = neg_inf;
      for (int j = 0; j < n; ++j) {
        if (causal && j > i) {
          scores[j] = neg_inf;
          continue;
        }
        const float* kj = k + j * ld + h * d_head;
        double dot = 0.0;
        for (int x = 0; x < d_head; ++x) dot += double(qi[x]) * kj[x];
        double s = dot * scale;
        if (alibi_slopes) s -= double(alibi_slopes[h]) * std::abs(i - j);
        scores[j] = s;
        if (s > max_score) max_score = s;
      }
      // pass 2: softmax over keys, with max subtraction; masked weights exactly 0
      double sum = 0.0;
      for (int j = 0; j < n; ++j) {
        weights[j] = scores[j] == neg_inf ? 0.0 : std::exp(scores[j] - max_score);
        sum += weights[j];
      }
      for (int j = 0; j < n; ++j) weights[j] = sum > 0.0 ? weights[j] / sum : 0.0;
      // pass 3: weighted sum of the values, out_i = Σ_j weights(j)·v_j
      std::vector<double> acc(d_head, 0.0);
      for (int j = 0; j < n; ++j)
        for (int x = 0; x < d_head; ++x) acc[x] += weights[j] * v[j * ld + h * d_head + x];
      float* oi = out + i * ld + h * d_head;
      for (int x = 0; x < d_head; ++x) oi[x] = float(acc[x]);
    }
  }
}

// C(m, n) = A(m, k)·B(k, n), row-major.
inline void matmul(const float* a, const float* b, float* c, int m, int k, int n) {
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      double acc = 0.0;
      for (int p = 0; p < k; ++p) acc += double(a[i * k + p]) * b[p * n + j];
      c[i * n + j] = float(acc);
    }
}

}  // namespace ap::reference
