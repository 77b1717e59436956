// Gradient checks of the training engine, in double precision: every op's hand-written backward
// (src/train/ops.h) and the whole model's (network.h) against central finite differences.
//
// The ops are templates on the scalar type, so what is checked here is the very code that trains
// in float (instantiated for double). For an op y = f(x, θ) the check takes L = Σ c_i·y_i with
// fixed random c, so backward gets dy = c, and compares ∂L/∂x and ∂L/∂θ with
// (L(x + h) − L(x − h)) / 2h, h = 1e-6: central differences are exact to O(h²) ≈ 1e-12 and
// rounding adds about 1e-16/h ≈ 1e-10, so 1e-6 (relative to the gradient's scale) is loose.
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <vector>

#include "train/network.h"
#include "train/ops.h"
#include "train/rng.h"

namespace {

using namespace ap::train;
using Vec = std::vector<double>;

Vec random_vec(size_t n, uint64_t seed, double scale = 1.0) {
  Rng r(seed, 99);
  Vec v(n);
  for (double& x : v) x = double(r.symmetric(1.0f)) * scale;
  return v;
}

// Worst |analytic − numeric| / max(1, max |numeric|) over every entry of `x`, where loss() reads x.
double worst_error(Vec* x, const Vec& analytic, const std::function<double()>& loss) {
  const double h = 1e-6;
  double worst = 0, scale = 1;
  Vec numeric(x->size());
  for (size_t i = 0; i < x->size(); ++i) {
    const double keep = (*x)[i];
    (*x)[i] = keep + h;
    const double up = loss();
    (*x)[i] = keep - h;
    const double down = loss();
    (*x)[i] = keep;
    numeric[i] = (up - down) / (2 * h);
    scale = std::max(scale, std::fabs(numeric[i]));
  }
  for (size_t i = 0; i < x->size(); ++i) worst = std::max(worst, std::fabs(analytic[i] - numeric[i]));
  return worst / scale;
}

double weighted(const Vec& y, const Vec& c) {
  double s = 0;
  for (size_t i = 0; i < y.size(); ++i) s += y[i] * c[i];
  return s;
}

constexpr double kTol = 1e-6;

}  // namespace

TEST_CASE("train ops: RMSNorm backward matches finite differences", "[train][grad]") {
  const int rows = 3, d = 5;
  Vec x = random_vec(rows * d, 1), g = random_vec(d, 2), c = random_vec(rows * d, 3);
  auto loss = [&] {
    Vec y(rows * d), rs(rows);
    ops::rmsnorm_forward(x.data(), g.data(), rows, d, 1e-5, y.data(), rs.data());
    return weighted(y, c);
  };
  Vec y(rows * d), rs(rows), dx(rows * d, 0.0), dg(d, 0.0);
  ops::rmsnorm_forward(x.data(), g.data(), rows, d, 1e-5, y.data(), rs.data());
  ops::rmsnorm_backward(x.data(), g.data(), rs.data(), c.data(), rows, d, dx.data(), dg.data());
  CHECK(worst_error(&x, dx, loss) < kTol);
  CHECK(worst_error(&g, dg, loss) < kTol);
}

TEST_CASE("train ops: linear backward matches finite differences", "[train][grad]") {
  const int rows = 5, in = 6, out = 7;  // sizes around the SIMD block widths are covered by gemm's test
  Vec x = random_vec(rows * in, 4), w = random_vec(in * out, 5), c = random_vec(rows * out, 6);
  auto loss = [&] {
    Vec y(rows * out);
    ops::linear_forward(x.data(), w.data(), rows, in, out, y.data());
    return weighted(y, c);
  };
  Vec dx(rows * in, 0.0), dw(in * out, 0.0), scratch;
  ops::linear_backward(x.data(), w.data(), c.data(), rows, in, out, dx.data(), dw.data(), &scratch);
  CHECK(worst_error(&x, dx, loss) < kTol);
  CHECK(worst_error(&w, dw, loss) < kTol);
}

TEST_CASE("train ops: embedding and learned positions backward match finite differences", "[train][grad]") {
  const int batch = 2, t = 3, d = 4, vocab = 5;
  const std::vector<int> ids = {0, 3, 3, 1, 4, 0};  // repeated ids: their gradients add
  Vec table = random_vec(vocab * d, 7), pos = random_vec(t * d, 8), c = random_vec(batch * t * d, 9);
  auto loss = [&] {
    Vec x(batch * t * d);
    ops::embed_forward(ids.data(), batch * t, table.data(), d, x.data());
    ops::add_positions_forward(pos.data(), batch, t, d, x.data());
    return weighted(x, c);
  };
  Vec dtable(vocab * d, 0.0), dpos(t * d, 0.0);
  ops::embed_backward(ids.data(), batch * t, c.data(), d, dtable.data());
  ops::add_positions_backward(c.data(), batch, t, d, dpos.data());
  CHECK(worst_error(&table, dtable, loss) < kTol);
  CHECK(worst_error(&pos, dpos, loss) < kTol);
}

TEST_CASE("train ops: RoPE backward (the inverse rotation) matches finite differences", "[train][grad]") {
  const int batch = 2, t = 4, heads = 2, hd = 6;
  Vec cs, sn;
  ops::rope_tables(t, hd, 10000.0, &cs, &sn);
  Vec x = random_vec(batch * t * heads * hd, 10), c = random_vec(x.size(), 11);
  auto loss = [&] {
    Vec y = x;
    ops::rope_apply(y.data(), batch, t, heads, hd, cs.data(), sn.data(), false);
    return weighted(y, c);
  };
  Vec dx = c;
  ops::rope_apply(dx.data(), batch, t, heads, hd, cs.data(), sn.data(), true);
  CHECK(worst_error(&x, dx, loss) < kTol);
  // The tables are cos/sin of pos·base^(−2p/hd), from detmath's series.
  for (int i = 0; i < t; ++i)
    for (int p = 0; p < hd / 2; ++p) {
      const double angle = i * std::pow(10000.0, -2.0 * p / hd);
      CHECK(cs[size_t(i) * (hd / 2) + p] == Approx(std::cos(angle)).margin(1e-14));
      CHECK(sn[size_t(i) * (hd / 2) + p] == Approx(std::sin(angle)).margin(1e-14));
    }
}

TEST_CASE("train ops: causal attention backward matches finite differences", "[train][grad]") {
  const int batch = 2, t = 5, heads = 2, hd = 3, ld = heads * hd;
  Vec q = random_vec(batch * t * ld, 12), k = random_vec(batch * t * ld, 13),
      v = random_vec(batch * t * ld, 14);
  Vec c = random_vec(batch * t * ld, 15);
  for (const std::vector<float>& mask : {std::vector<float>{1, 1}, std::vector<float>{0, 1}}) {
    auto loss = [&] {
      Vec p(batch * heads * t * t), o(batch * t * ld);
      ops::attention_forward(q.data(), k.data(), v.data(), batch, t, heads, hd, mask.data(), p.data(),
                             o.data());
      return weighted(o, c);
    };
    Vec p(batch * heads * t * t), o(batch * t * ld);
    ops::attention_forward(q.data(), k.data(), v.data(), batch, t, heads, hd, mask.data(), p.data(),
                           o.data());
    Vec dq(q.size(), 0.0), dk(k.size(), 0.0), dv(v.size(), 0.0);
    ops::attention_backward(q.data(), k.data(), v.data(), p.data(), c.data(), batch, t, heads, hd,
                            mask.data(), dq.data(), dk.data(), dv.data());
    INFO("head mask " << mask[0] << mask[1]);
    CHECK(worst_error(&q, dq, loss) < kTol);
    CHECK(worst_error(&k, dk, loss) < kTol);
    CHECK(worst_error(&v, dv, loss) < kTol);
    // Rows of P sum to 1 and are exactly 0 above the diagonal.
    for (int r = 0; r < batch * heads * t; ++r) {
      const int i = r % t;
      double s = 0;
      for (int j = 0; j < t; ++j) {
        s += p[size_t(r) * t + j];
        if (j > i) CHECK(p[size_t(r) * t + j] == 0.0);
      }
      CHECK(s == Approx(1.0).margin(1e-12));
    }
  }
}

TEST_CASE("train ops: SwiGLU and GELU backward match finite differences", "[train][grad]") {
  const size_t n = 9;
  Vec g = random_vec(n, 16, 3.0), u = random_vec(n, 17, 3.0), c = random_vec(n, 18);
  auto swiglu = [&] {
    Vec h(n);
    ops::swiglu_forward(g.data(), u.data(), n, h.data());
    return weighted(h, c);
  };
  Vec dg(n, 0.0), du(n, 0.0);
  ops::swiglu_backward(g.data(), u.data(), c.data(), n, dg.data(), du.data());
  CHECK(worst_error(&g, dg, swiglu) < kTol);
  CHECK(worst_error(&u, du, swiglu) < kTol);
  auto gelu = [&] {
    Vec h(n);
    ops::gelu_forward(g.data(), n, h.data());
    return weighted(h, c);
  };
  Vec dx(n, 0.0);
  ops::gelu_backward(g.data(), c.data(), n, dx.data());
  CHECK(worst_error(&g, dx, gelu) < kTol);
}

TEST_CASE("train ops: cross-entropy backward matches finite differences", "[train][grad]") {
  const int rows = 4, vocab = 6;
  Vec logits = random_vec(rows * vocab, 19, 4.0);
  const std::vector<int> targets = {1, 5, 0, 2};
  const std::vector<float> mask = {1, 0, 1, 1};  // row 1 does not count
  auto loss = [&] {
    Vec p(rows * vocab);
    return ops::cross_entropy(logits.data(), targets.data(), mask.data(), rows, vocab, p.data(),
                              (double*)nullptr, nullptr, nullptr);
  };
  Vec p(rows * vocab), dl(rows * vocab);
  int correct = -1, counted = -1;
  const double l = ops::cross_entropy(logits.data(), targets.data(), mask.data(), rows, vocab, p.data(),
                                      dl.data(), &correct, &counted);
  CHECK(worst_error(&logits, dl, loss) < kTol);
  CHECK(counted == 3);
  // The loss is the mean of −log softmax at the target over the counted rows.
  double want = 0;
  for (int r : {0, 2, 3}) {
    double z = 0;
    for (int c = 0; c < vocab; ++c) z += std::exp(logits[size_t(r) * vocab + c]);
    want -= std::log(std::exp(logits[size_t(r) * vocab + targets[size_t(r)]]) / z) / 3;
  }
  CHECK(l == Approx(want).epsilon(1e-12));
  for (int c = 0; c < vocab; ++c) CHECK(dl[size_t(vocab) + c] == 0.0);  // the masked row
}

TEST_CASE("train model: the whole model's gradient matches finite differences", "[train][grad]") {
  struct Variant {
    Mlp mlp;
    Positions pos;
    int layers;
  };
  for (const Variant var : {Variant{Mlp::None, Positions::Rope, 2}, Variant{Mlp::SwiGlu, Positions::Rope, 1},
                            Variant{Mlp::Gelu, Positions::Learned, 2}}) {
    Config c;
    c.vocab = 7;
    c.n_ctx = 5;
    c.n_layer = var.layers;
    c.n_head = 2;
    c.d_model = 8;
    c.mlp = var.mlp;
    c.n_ff = 6;
    c.positions = var.pos;
    REQUIRE(validate(c) == "");
    Network<double> net(c);
    const Layout l = net.layout();
    Vec w = random_vec(l.size, 20, 0.7);
    for (const TensorView& t : tensors_of(c))
      if (t.rows == 1)
        for (int i = 0; i < t.cols; ++i) w[t.offset + size_t(i)] += 1.0;  // gains near 1
    const int batch = 2, R = batch * c.n_ctx;
    std::vector<int> ids(R), targets(R);
    std::vector<float> mask(R, 1.0f);
    Rng r(21);
    for (int i = 0; i < R; ++i) ids[size_t(i)] = r.below(c.vocab), targets[size_t(i)] = r.below(c.vocab);
    mask[3] = 0.0f;
    Acts<double> acts;
    auto loss = [&] {
      Acts<double> a;
      REQUIRE(net.forward(w.data(), ids.data(), targets.data(), mask.data(), batch, &a, false) == "");
      return a.loss;
    };
    REQUIRE(net.forward(w.data(), ids.data(), targets.data(), mask.data(), batch, &acts, true) == "");
    Vec grad(l.size, 0.0);
    net.backward(w.data(), acts, grad.data());
    INFO("mlp " << int(var.mlp) << " positions " << int(var.pos) << " layers " << var.layers);
    CHECK(worst_error(&w, grad, loss) < kTol);
    // With a head ablated the gradient is still exact (and its q, k, v get none).
    REQUIRE(net.set_head(0, 1, false) == "");
    REQUIRE(net.forward(w.data(), ids.data(), targets.data(), mask.data(), batch, &acts, true) == "");
    std::fill(grad.begin(), grad.end(), 0.0);
    net.backward(w.data(), acts, grad.data());
    CHECK(worst_error(&w, grad, loss) < kTol);
    const size_t hd = size_t(c.head_dim());
    for (size_t row = 0; row < size_t(c.d_model); ++row)
      for (size_t col = hd; col < 2 * hd; ++col) {
        CHECK(grad[l.layers[0].wq + row * c.d_model + col] == 0.0);
        CHECK(grad[l.layers[0].wv + row * c.d_model + col] == 0.0);
      }
  }
}
