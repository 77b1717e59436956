// AdamW, the learning-rate schedule and gradient clipping against steps computed by hand.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "train/optim.h"

using namespace ap::train;

namespace {
constexpr double kPi = 3.14159265358979323846;
// A config whose layout is tiny: vocab 2, d_model 1 → tok_embd (2), attn_norm (1), wq wk wv wo (1 each),
// output_norm (1), output (2): 10 floats, the matrices decayed.
Config tiny() {
  Config c;
  c.vocab = 2;
  c.n_ctx = 1;
  c.d_model = 1;
  c.n_head = 1;
  c.positions = Positions::Learned;  // adds pos_embd (1): 11 floats
  return c;
}
}  // namespace

TEST_CASE("train optim: the schedule warms up linearly, then decays by cosine or linearly",
          "[train][optim]") {
  Schedule s;
  s.lr = 0.01f;
  s.min_lr = 0.001f;
  s.warmup = 4;
  s.total_steps = 14;
  CHECK(learning_rate(s, 0) == Approx(0.0025));
  CHECK(learning_rate(s, 3) == Approx(0.01));
  CHECK(learning_rate(s, 4) == Approx(0.01));  // decay starts at the peak
  CHECK(learning_rate(s, 9) == Approx(0.001 + 0.009 * 0.5 * (1 + std::cos(kPi * 0.5))));  // half way
  CHECK(learning_rate(s, 13) == Approx(0.001 + 0.009 * 0.5 * (1 + std::cos(kPi * 0.9))));
  CHECK(learning_rate(s, 14) == 0.001f);
  CHECK(learning_rate(s, 1000) == 0.001f);
  s.decay = Decay::Linear;
  CHECK(learning_rate(s, 9) == Approx(0.0055));
  CHECK(learning_rate(s, 11) == Approx(0.001 + 0.009 * 0.3));
}

TEST_CASE("train optim: AdamW's first two steps match hand computation", "[train][optim]") {
  const Config c = tiny();
  const Layout l = layout_of(c);
  REQUIRE(l.size == 11);
  AdamW hp;
  hp.beta1 = 0.9f;
  hp.beta2 = 0.99f;
  hp.eps = 1e-8f;
  hp.weight_decay = 0.1f;
  hp.clip = 0;  // off
  Optimizer opt(c, hp);
  std::vector<float> p(11, 0.5f), g(11, 0.0f);
  const size_t wq = l.layers[0].wq, emb = l.tok_embd;
  g[wq] = 0.2f;
  g[emb] = 0.2f;
  const float lr = 0.01f;
  opt.step(p.data(), g.data(), lr);
  // Step 1: m = 0.1·g, v = 0.01·g², m̂ = g, v̂ = g²: the update is lr·g/|g| = lr (Adam's first step).
  // wq is decayed first: 0.5·(1 − lr·0.1) − 0.01; the embedding is not: 0.5 − 0.01.
  CHECK(p[wq] == Approx(0.5 * (1 - 0.001) - 0.01).epsilon(1e-6));
  CHECK(p[emb] == Approx(0.5 - 0.01).epsilon(1e-6));
  CHECK(p[l.output_norm] == 0.5f);                                // no gradient, not decayed: unchanged
  CHECK(p[l.output] == Approx(0.5 * (1 - 0.001)).epsilon(1e-7));  // no gradient, decayed
  // Step 2 with g = −0.1: m = 0.9·0.02 − 0.01 = 0.008, v = 0.99·0.0004 + 0.01·0.01 = 0.000496;
  // m̂ = 0.008/0.19, v̂ = 0.000496/0.0199.
  const double before = p[emb];
  g.assign(11, 0.0f);
  g[emb] = -0.1f;
  opt.step(p.data(), g.data(), lr);
  const double mh = 0.008 / (1 - 0.81), vh = 0.000496 / (1 - 0.9801);
  CHECK(p[emb] == Approx(before - 0.01 * mh / (std::sqrt(vh) + 1e-8)).epsilon(1e-5));
  CHECK(opt.steps() == 2);
}

TEST_CASE("train optim: gradients are clipped to the global norm", "[train][optim]") {
  const Config c = tiny();
  AdamW hp;
  hp.clip = 1.0f;
  Optimizer opt(c, hp);
  std::vector<float> p(11, 0.0f), g(11, 0.0f);
  g[0] = 3.0f;
  g[1] = 4.0f;  // norm 5
  const float norm = opt.step(p.data(), g.data(), 0.01f);
  CHECK(norm == Approx(5.0));
  CHECK(g[0] == Approx(0.6));  // scaled by 1/5
  CHECK(g[1] == Approx(0.8));
  CHECK(opt.m()[0] == Approx(0.1 * 0.6));
  CHECK(global_norm(g.data(), g.size()) == Approx(1.0));
  // Under the cap nothing changes.
  g.assign(11, 0.0f);
  g[2] = 0.5f;
  opt.step(p.data(), g.data(), 0.01f);
  CHECK(g[2] == 0.5f);
}
