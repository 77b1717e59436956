// An independent double-precision reference of the decoder forward, written plainly from the
// math (no code shared with src/model/): embeddings, pre-norm blocks with RMSNorm or LayerNorm,
// RoPE (interleaved pairs or halves) on the first n_rot dimensions of each head, grouped-query
// causal attention, SwiGLU or GELU MLP, final norm and output matrix. It also keeps every layer's
// and head's attention weights (small test models only).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace ref {

enum class Rope { None, Interleaved, Halves };

struct Layer {
  // Matrices (out, in) row-major; vectors (out). Empty vectors: no such bias.
  std::vector<double> attn_norm, attn_norm_b;  // (d)
  std::vector<double> wq, wk, wv;              // (n_head·hd, d), (n_kv·hd, d), (n_kv·hd, d)
  std::vector<double> bq, bk, bv;
  std::vector<double> wo, bo;                // (d, n_head·hd), (d)
  std::vector<double> ffn_norm, ffn_norm_b;  // (d)
  std::vector<double> gate, up, down;        // (ff, d), (ff, d), (d, ff); gate empty for GELU
  std::vector<double> b_up, b_down;
};

struct Weights {
  int d = 0, ff = 0, n_head = 0, n_kv = 0, hd = 0, n_rot = 0, vocab = 0, n_ctx = 0;
  Rope rope = Rope::Interleaved;
  bool layer_norm = false;  // else RMSNorm
  bool gelu = false;        // else SwiGLU
  double base = 10000, eps = 1e-5;
  std::vector<double> tok;  // (vocab, d)
  std::vector<double> pos;  // (n_ctx, d) learned positions, or empty
  std::vector<double> out_norm, out_norm_b;
  std::vector<double> out;  // (vocab, d)
  std::vector<Layer> layers;
};

struct Result {
  std::vector<double> logits;                          // (n, vocab)
  std::vector<std::vector<std::vector<double>>> attn;  // [layer][head] (n, n)
};

// y (rows) = W (rows, cols) · x (cols)
inline std::vector<double> matvec(const std::vector<double>& w, const std::vector<double>& x, size_t rows) {
  const size_t cols = x.size();
  std::vector<double> y(rows, 0.0);
  for (size_t r = 0; r < rows; ++r) {
    double s = 0;
    for (size_t c = 0; c < cols; ++c) s += w[r * cols + c] * x[c];
    y[r] = s;
  }
  return y;
}

inline void add(std::vector<double>& y, const std::vector<double>& b) {
  for (size_t k = 0; k < b.size(); ++k) y[k] += b[k];
}

inline std::vector<double> norm(const Weights& m, const std::vector<double>& x, const std::vector<double>& w,
                                const std::vector<double>& b) {
  const size_t d = x.size();
  std::vector<double> y(d);
  if (m.layer_norm) {
    double mean = 0, var = 0;
    for (double v : x) mean += v;
    mean /= double(d);
    for (double v : x) var += (v - mean) * (v - mean);
    var /= double(d);
    for (size_t k = 0; k < d; ++k)
      y[k] = (x[k] - mean) / std::sqrt(var + m.eps) * w[k] + (b.empty() ? 0 : b[k]);
  } else {
    double ms = 0;
    for (double v : x) ms += v * v;
    ms /= double(d);
    for (size_t k = 0; k < d; ++k) y[k] = x[k] / std::sqrt(ms + m.eps) * w[k];
  }
  return y;
}

// Rotates each head of v (heads·hd) for position pos.
inline void rotate(const Weights& m, std::vector<double>& v, int heads, int pos) {
  if (m.rope == Rope::None) return;
  for (int h = 0; h < heads; ++h) {
    double* x = v.data() + size_t(h) * m.hd;
    for (int p = 0; p < m.n_rot / 2; ++p) {
      const double theta = pos * std::pow(m.base, -2.0 * p / m.n_rot);
      const int a = m.rope == Rope::Interleaved ? 2 * p : p;
      const int b = m.rope == Rope::Interleaved ? 2 * p + 1 : p + m.n_rot / 2;
      const double x0 = x[a], x1 = x[b];
      x[a] = x0 * std::cos(theta) - x1 * std::sin(theta);
      x[b] = x0 * std::sin(theta) + x1 * std::cos(theta);
    }
  }
}

inline Result forward(const Weights& m, const std::vector<int>& ids) {
  const int n = int(ids.size()), d = m.d, hd = m.hd;
  const int group = m.n_head / m.n_kv;
  std::vector<std::vector<double>> x(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    x[size_t(i)].assign(m.tok.begin() + size_t(ids[size_t(i)]) * d,
                        m.tok.begin() + size_t(ids[size_t(i)] + 1) * d);
    if (!m.pos.empty())
      for (int k = 0; k < d; ++k) x[size_t(i)][size_t(k)] += m.pos[size_t(i) * d + k];
  }
  Result res;
  for (const Layer& L : m.layers) {
    std::vector<std::vector<double>> q(static_cast<size_t>(n)), k(static_cast<size_t>(n)),
        v(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      const auto xn = norm(m, x[size_t(i)], L.attn_norm, L.attn_norm_b);
      q[size_t(i)] = matvec(L.wq, xn, size_t(m.n_head) * hd);
      k[size_t(i)] = matvec(L.wk, xn, size_t(m.n_kv) * hd);
      v[size_t(i)] = matvec(L.wv, xn, size_t(m.n_kv) * hd);
      add(q[size_t(i)], L.bq), add(k[size_t(i)], L.bk), add(v[size_t(i)], L.bv);
      rotate(m, q[size_t(i)], m.n_head, i);
      rotate(m, k[size_t(i)], m.n_kv, i);
    }
    std::vector<std::vector<double>> heads_attn;
    std::vector<std::vector<double>> concat(size_t(n), std::vector<double>(size_t(m.n_head) * hd, 0.0));
    for (int h = 0; h < m.n_head; ++h) {
      const int g = h / group;
      std::vector<double> a(size_t(n) * n, 0.0);  // (n, n) weights
      for (int i = 0; i < n; ++i) {
        std::vector<double> s(size_t(i) + 1);
        double mx = -1e300;
        for (int j = 0; j <= i; ++j) {
          double dot = 0;
          for (int e = 0; e < hd; ++e)
            dot += q[size_t(i)][size_t(h * hd + e)] * k[size_t(j)][size_t(g * hd + e)];
          s[size_t(j)] = dot / std::sqrt(double(hd));
          mx = std::max(mx, s[size_t(j)]);
        }
        double z = 0;
        for (double& e : s) z += (e = std::exp(e - mx));
        for (int j = 0; j <= i; ++j) {
          a[size_t(i) * n + j] = s[size_t(j)] / z;
          for (int e = 0; e < hd; ++e)
            concat[size_t(i)][size_t(h * hd + e)] += a[size_t(i) * n + j] * v[size_t(j)][size_t(g * hd + e)];
        }
      }
      heads_attn.push_back(std::move(a));
    }
    res.attn.push_back(std::move(heads_attn));
    for (int i = 0; i < n; ++i) {
      auto o = matvec(L.wo, concat[size_t(i)], size_t(d));
      add(o, L.bo);
      add(x[size_t(i)], o);
      const auto xn = norm(m, x[size_t(i)], L.ffn_norm, L.ffn_norm_b);
      auto u = matvec(L.up, xn, size_t(m.ff));
      add(u, L.b_up);
      if (m.gelu) {
        for (double& e : u) e = 0.5 * e * (1 + std::tanh(std::sqrt(2 / M_PI) * (e + 0.044715 * e * e * e)));
      } else {
        const auto gt = matvec(L.gate, xn, size_t(m.ff));
        for (size_t e = 0; e < u.size(); ++e) u[e] *= gt[e] / (1 + std::exp(-gt[e]));
      }
      auto dn = matvec(L.down, u, size_t(d));
      add(dn, L.b_down);
      add(x[size_t(i)], dn);
    }
  }
  for (int i = 0; i < n; ++i) {
    const auto xn = norm(m, x[size_t(i)], m.out_norm, m.out_norm_b);
    const auto lg = matvec(m.out, xn, size_t(m.vocab));
    res.logits.insert(res.logits.end(), lg.begin(), lg.end());
  }
  return res;
}

// ---- stored weights, decoded by hand from ggml's layouts -------------------------------------

inline double half_to_double(uint16_t h) {
  const int sign = h >> 15, exp = (h >> 10) & 31, man = h & 1023;
  const double v = exp == 0 ? std::ldexp(double(man), -24) : std::ldexp(double(1024 + man), exp - 25);
  return sign ? -v : v;
}

// Decodes `rows` rows of `cols` values stored as ggml type t (0 F32, 1 F16, 2 Q4_0, 8 Q8_0, 30 BF16).
inline std::vector<double> decode(uint32_t t, const uint8_t* p, size_t rows, size_t cols) {
  std::vector<double> out(rows * cols);
  auto u16 = [](const uint8_t* q) { return uint16_t(q[0] | q[1] << 8); };
  for (size_t e = 0; e < rows * cols; ++e) {
    switch (t) {
      case 0: {
        float f;
        std::memcpy(&f, p + 4 * e, 4);
        out[e] = f;
        break;
      }
      case 1:
        out[e] = half_to_double(u16(p + 2 * e));
        break;
      case 30: {
        const uint32_t bits = uint32_t(u16(p + 2 * e)) << 16;
        float f;
        std::memcpy(&f, &bits, 4);
        out[e] = f;
        break;
      }
      case 8: {
        const uint8_t* b = p + (e / 32) * 34;
        out[e] = half_to_double(u16(b)) * double(int8_t(b[2 + e % 32]));
        break;
      }
      case 2: {
        const uint8_t* b = p + (e / 32) * 18;
        const size_t k = e % 32;
        const int nib = k < 16 ? (b[2 + k] & 15) : (b[2 + k - 16] >> 4);
        out[e] = half_to_double(u16(b)) * double(nib - 8);
        break;
      }
    }
  }
  return out;
}

// A llama2.c checkpoint's weights, read in run.c's order by hand.
inline Weights from_llama2c(const std::vector<uint8_t>& file) {
  int32_t h[7];
  std::memcpy(h, file.data(), 28);
  Weights m;
  m.d = h[0], m.ff = h[1], m.n_head = h[3], m.n_kv = h[4], m.vocab = std::abs(h[5]), m.n_ctx = h[6];
  m.hd = m.d / m.n_head, m.n_rot = m.hd, m.rope = Rope::Interleaved, m.eps = 1e-5;
  const int layers = h[2], kv = m.hd * m.n_kv;
  size_t at = 28;
  auto take = [&](size_t count) {
    std::vector<double> v = decode(0, file.data() + at, 1, count);
    at += count * 4;
    return v;
  };
  auto per_layer = [&](size_t count) {
    std::vector<std::vector<double>> v;
    for (int l = 0; l < layers; ++l) v.push_back(take(count));
    return v;
  };
  m.tok = take(size_t(m.vocab) * m.d);
  auto att = per_layer(size_t(m.d)), wq = per_layer(size_t(m.d) * m.d), wk = per_layer(size_t(kv) * m.d),
       wv = per_layer(size_t(kv) * m.d), wo = per_layer(size_t(m.d) * m.d), ffn = per_layer(size_t(m.d)),
       w1 = per_layer(size_t(m.ff) * m.d), w2 = per_layer(size_t(m.d) * m.ff),
       w3 = per_layer(size_t(m.ff) * m.d);
  m.out_norm = take(size_t(m.d));
  at += size_t(m.n_ctx) * m.hd * 4;  // freq_cis_real and freq_cis_imag: seq_len·hd/2 floats each
  m.out = h[5] > 0 ? m.tok : take(size_t(m.vocab) * m.d);
  for (int l = 0; l < layers; ++l) {
    Layer L;
    L.attn_norm = att[size_t(l)], L.wq = wq[size_t(l)], L.wk = wk[size_t(l)], L.wv = wv[size_t(l)];
    L.wo = wo[size_t(l)], L.ffn_norm = ffn[size_t(l)];
    L.gate = w1[size_t(l)], L.down = w2[size_t(l)], L.up = w3[size_t(l)];
    m.layers.push_back(std::move(L));
  }
  return m;
}

}  // namespace ref
