// Every op of the training forward with its hand-written backward, templated on the scalar type:
// float for training, double for the gradient checks (tests/core/train_gradcheck_test.cpp), the
// same code in both. Rows are positions: a batch of B sequences of T positions is R = B·T rows.
// Backward functions ADD into the gradients of their inputs and parameters (the caller zeroes
// them once per step), so a tensor read by two ops gets both contributions.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "train/detmath.h"
#include "train/gemm.h"

namespace ap::train::ops {

// ---- embedding: x (R, d) = table[ids[r]] (+ pos[r mod T] with learned positions) ----

template <typename T>
void embed_forward(const int* ids, int rows, const T* table, int d, T* x) {
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < d; ++c) x[size_t(r) * d + c] = table[size_t(ids[r]) * d + c];
}
template <typename T>
void embed_backward(const int* ids, int rows, const T* dx, int d, T* dtable) {
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < d; ++c) dtable[size_t(ids[r]) * d + c] += dx[size_t(r) * d + c];
}
// x (B·T, d) += pos (T, d) on every sequence.
template <typename T>
void add_positions_forward(const T* pos, int batch, int t, int d, T* x) {
  for (int b = 0; b < batch; ++b)
    for (int i = 0; i < t; ++i)
      for (int c = 0; c < d; ++c) x[(size_t(b) * t + i) * d + c] += pos[size_t(i) * d + c];
}
template <typename T>
void add_positions_backward(const T* dx, int batch, int t, int d, T* dpos) {
  for (int b = 0; b < batch; ++b)
    for (int i = 0; i < t; ++i)
      for (int c = 0; c < d; ++c) dpos[size_t(i) * d + c] += dx[(size_t(b) * t + i) * d + c];
}

// ---- RMSNorm: y (R, d) = x·rstd·g, rstd (R) = 1/√(mean x² + eps) ----

template <typename T>
void rmsnorm_forward(const T* x, const T* g, int rows, int d, T eps, T* y, T* rstd) {
  for (int r = 0; r < rows; ++r) {
    const T* xr = x + size_t(r) * d;
    T ss = 0;
    for (int c = 0; c < d; ++c) ss += xr[c] * xr[c];
    const T s = T(1) / std::sqrt(ss / T(d) + eps);
    rstd[r] = s;
    for (int c = 0; c < d; ++c) y[size_t(r) * d + c] = xr[c] * s * g[c];
  }
}
// dx_j += rstd·g_j·dy_j − x_j·rstd³/d·Σ_i g_i·dy_i·x_i;  dg_j += Σ_r dy_j·x_j·rstd.
template <typename T>
void rmsnorm_backward(const T* x, const T* g, const T* rstd, const T* dy, int rows, int d, T* dx, T* dg) {
  for (int r = 0; r < rows; ++r) {
    const T* xr = x + size_t(r) * d;
    const T* dyr = dy + size_t(r) * d;
    const T s = rstd[r];
    T dot = 0;
    for (int c = 0; c < d; ++c) dot += g[c] * dyr[c] * xr[c];
    const T k = dot * s * s * s / T(d);
    for (int c = 0; c < d; ++c) {
      dx[size_t(r) * d + c] += s * g[c] * dyr[c] - xr[c] * k;
      dg[c] += dyr[c] * xr[c] * s;
    }
  }
}

// ---- linear: y (R, out) = x (R, in)·w (in, out) ----

template <typename T>
void linear_forward(const T* x, const T* w, int rows, int in, int out, T* y) {
  gemm(x, w, y, rows, in, out, false);
}
// dx (R, in) += dy·wᵀ; dw (in, out) += xᵀ·dy. scratch holds the transposes.
template <typename T>
void linear_backward(const T* x, const T* w, const T* dy, int rows, int in, int out, T* dx, T* dw,
                     std::vector<T>* scratch) {
  scratch->resize(std::max(size_t(in) * out, size_t(in) * rows));
  T* tr = scratch->data();
  if (dx) {
    transpose(w, in, out, tr);  // (out, in)
    gemm(dy, tr, dx, rows, out, in, true);
  }
  transpose(x, rows, in, tr);  // (in, R)
  gemm(tr, dy, dw, in, rows, out, true);
}

// ---- RoPE, NORM style: pairs (2p, 2p+1) of each head rotated by pos·base^(−2p/head_dim) ----

// cos, sin (n_ctx, head_dim/2) in double with detmath's series, then rounded to T.
template <typename T>
void rope_tables(int n_ctx, int head_dim, double base, std::vector<T>* cs, std::vector<T>* sn) {
  const int half = head_dim / 2;
  cs->assign(size_t(n_ctx) * half, T(0));
  sn->assign(size_t(n_ctx) * half, T(0));
  const double lb = det_log(base);
  for (int p = 0; p < half; ++p) {
    const double theta = det_exp(-2.0 * p / head_dim * lb);
    for (int i = 0; i < n_ctx; ++i) {
      double s, c;
      det_sincos(i * theta, &s, &c);
      (*cs)[size_t(i) * half + p] = T(c);
      (*sn)[size_t(i) * half + p] = T(s);
    }
  }
}
// In place on m (B·T, heads·head_dim); row b·T + i is at position i. inverse: rotate by −angle
// (that is the backward: the rotation's transpose).
template <typename T>
void rope_apply(T* m, int batch, int t, int heads, int head_dim, const T* cs, const T* sn, bool inverse) {
  const int half = head_dim / 2, ld = heads * head_dim;
  for (int b = 0; b < batch; ++b)
    for (int i = 0; i < t; ++i) {
      T* row = m + (size_t(b) * t + i) * ld;
      const T* c = cs + size_t(i) * half;
      const T* s = sn + size_t(i) * half;
      for (int h = 0; h < heads; ++h)
        for (int p = 0; p < half; ++p) {
          T* x = row + h * head_dim + 2 * p;
          const T x0 = x[0], x1 = x[1], sp = inverse ? -s[p] : s[p];
          x[0] = x0 * c[p] - x1 * sp;
          x[1] = x0 * sp + x1 * c[p];
        }
    }
}

// ---- causal softmax attention, per sequence and head ----
// q, k, v, o: (B·T, H·hd), head h = columns h·hd …; p: (B, H, T, T) the weights, softmax over
// keys (the last axis), exactly 0 above the diagonal. head_mask (H) or null: 0 zeroes a head's
// output (ablation); its weights are still computed.

template <typename T>
void attention_forward(const T* q, const T* k, const T* v, int batch, int t, int heads, int hd,
                       const float* head_mask, T* p, T* o) {
  const int ld = heads * hd;
  const T scale = T(1) / std::sqrt(T(hd));
  for (int b = 0; b < batch; ++b)
    for (int h = 0; h < heads; ++h) {
      T* ph = p + (size_t(b) * heads + h) * t * t;
      const T keep = head_mask ? T(head_mask[h]) : T(1);
      for (int i = 0; i < t; ++i) {
        const T* qi = q + (size_t(b) * t + i) * ld + h * hd;
        T* pi = ph + size_t(i) * t;
        T mx = 0;
        for (int j = 0; j <= i; ++j) {
          const T* kj = k + (size_t(b) * t + j) * ld + h * hd;
          T s = 0;
          for (int c = 0; c < hd; ++c) s += qi[c] * kj[c];
          pi[j] = s * scale;
          if (j == 0 || pi[j] > mx) mx = pi[j];
        }
        T sum = 0;
        for (int j = 0; j <= i; ++j) {
          pi[j] = Math<T>::exp_nonpositive(pi[j] - mx);
          sum += pi[j];
        }
        const T inv = T(1) / sum;
        for (int j = 0; j <= i; ++j) pi[j] *= inv;
        for (int j = i + 1; j < t; ++j) pi[j] = 0;
        T* oi = o + (size_t(b) * t + i) * ld + h * hd;
        for (int c = 0; c < hd; ++c) oi[c] = 0;
        for (int j = 0; j <= i; ++j) {
          const T* vj = v + (size_t(b) * t + j) * ld + h * hd;
          const T w = pi[j];
          for (int c = 0; c < hd; ++c) oi[c] += w * vj[c];
        }
        for (int c = 0; c < hd; ++c) oi[c] *= keep;
      }
    }
}
// dP_ij = dO_i·v_j; dS_ij = P_ij·(dP_ij − Σ_k P_ik·dP_ik); dq_i += scale·Σ_j dS_ij·k_j;
// dk_j += scale·dS_ij·q_i; dv_j += P_ij·dO_i. dp_row: scratch (T).
template <typename T>
void attention_backward(const T* q, const T* k, const T* v, const T* p, const T* d_o, int batch, int t,
                        int heads, int hd, const float* head_mask, T* dq, T* dk, T* dv) {
  const int ld = heads * hd;
  const T scale = T(1) / std::sqrt(T(hd));
  std::vector<T> dp(static_cast<size_t>(t));
  for (int b = 0; b < batch; ++b)
    for (int h = 0; h < heads; ++h) {
      const T* ph = p + (size_t(b) * heads + h) * t * t;
      const T keep = head_mask ? T(head_mask[h]) : T(1);
      if (keep == T(0)) continue;  // a zeroed head passes no gradient back
      for (int i = 0; i < t; ++i) {
        const size_t ri = (size_t(b) * t + i) * ld + h * hd;
        const T* pi = ph + size_t(i) * t;
        const T* doi = d_o + ri;
        T dot = 0;
        for (int j = 0; j <= i; ++j) {
          const size_t rj = (size_t(b) * t + j) * ld + h * hd;
          T s = 0;
          for (int c = 0; c < hd; ++c) s += doi[c] * v[rj + c];
          dp[size_t(j)] = s * keep;
          dot += pi[j] * dp[size_t(j)];
          for (int c = 0; c < hd; ++c) dv[rj + c] += pi[j] * doi[c] * keep;
        }
        for (int j = 0; j <= i; ++j) {
          const size_t rj = (size_t(b) * t + j) * ld + h * hd;
          const T ds = pi[j] * (dp[size_t(j)] - dot) * scale;
          for (int c = 0; c < hd; ++c) {
            dq[ri + c] += ds * k[rj + c];
            dk[rj + c] += ds * q[ri + c];
          }
        }
      }
    }
}

// ---- MLP activations ----

// SwiGLU: h = silu(g) ⊙ u, silu(g) = g·σ(g).
template <typename T>
void swiglu_forward(const T* g, const T* u, size_t n, T* h) {
  for (size_t i = 0; i < n; ++i) h[i] = g[i] * Math<T>::sigmoid(g[i]) * u[i];
}
// dg += dh·u·σ(g)·(1 + g·(1 − σ(g))); du += dh·silu(g).
template <typename T>
void swiglu_backward(const T* g, const T* u, const T* dh, size_t n, T* dg, T* du) {
  for (size_t i = 0; i < n; ++i) {
    const T s = Math<T>::sigmoid(g[i]);
    dg[i] += dh[i] * u[i] * s * (T(1) + g[i] * (T(1) - s));
    du[i] += dh[i] * g[i] * s;
  }
}

// GELU, tanh approximation (GPT-2's): ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
template <typename T>
void gelu_forward(const T* x, size_t n, T* y) {
  const T c = T(0.7978845608028654), a = T(0.044715);
  for (size_t i = 0; i < n; ++i) {
    const T xi = x[i];
    y[i] = T(0.5) * xi * (T(1) + Math<T>::tanh(c * (xi + a * xi * xi * xi)));
  }
}
template <typename T>
void gelu_backward(const T* x, const T* dy, size_t n, T* dx) {
  const T c = T(0.7978845608028654), a = T(0.044715);
  for (size_t i = 0; i < n; ++i) {
    const T xi = x[i];
    const T th = Math<T>::tanh(c * (xi + a * xi * xi * xi));
    const T d = T(0.5) * (T(1) + th) + T(0.5) * xi * (T(1) - th * th) * c * (T(1) + T(3) * a * xi * xi);
    dx[i] += dy[i] * d;
  }
}

// ---- cross-entropy on next tokens ----
// logits (R, V) → probs (R, V) (softmax over the vocabulary). Loss = Σ_r mask_r·(−log p_r[target_r]) / Σ
// mask; dlogits = mask_r·(p_r − onehot(target_r)) / Σ mask (written, not added). Returns the loss (0 when no
// position counts). Accuracy counts masked rows whose argmax (lowest id on a tie) is the target.
template <typename T>
T cross_entropy(const T* logits, const int* targets, const float* mask, int rows, int vocab, T* probs,
                T* dlogits, int* correct, int* counted) {
  T msum = 0;
  for (int r = 0; r < rows; ++r) msum += T(mask[r]);
  T loss = 0;
  int ok = 0, n = 0;
  for (int r = 0; r < rows; ++r) {
    const T* lr = logits + size_t(r) * vocab;
    T* pr = probs + size_t(r) * vocab;
    T mx = lr[0];
    int arg = 0;
    for (int c = 1; c < vocab; ++c)
      if (lr[c] > mx) mx = lr[c], arg = c;
    T sum = 0;
    for (int c = 0; c < vocab; ++c) sum += (pr[c] = Math<T>::exp_nonpositive(lr[c] - mx));
    const T inv = T(1) / sum;
    for (int c = 0; c < vocab; ++c) pr[c] *= inv;
    const T w = msum > 0 ? T(mask[r]) / msum : T(0);
    if (mask[r] != 0.0f) {
      // −log p = log(sum) − (l_target − max), without the log of a flushed-to-zero probability.
      loss += w * (Math<T>::log(sum) - (lr[targets[r]] - mx));
      ok += arg == targets[r];
      ++n;
    }
    if (dlogits) {
      T* dr = dlogits + size_t(r) * vocab;
      for (int c = 0; c < vocab; ++c) dr[c] = w * (pr[c] - (c == targets[r] ? T(1) : T(0)));
    }
  }
  if (correct) *correct = ok;
  if (counted) *counted = n;
  return loss;
}

}  // namespace ap::train::ops
