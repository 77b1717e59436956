// Ablation: a head switched off has its output zeroed in the forward (and in evaluation); every
// shape stays as it was, the other heads are untouched, and the model computes exactly what it
// computes with that head's rows of W_O set to zero (its contribution, and nothing else, is gone).
#include <catch2/catch.hpp>
#include <vector>

#include "train/network.h"
#include "train/trainer.h"

using namespace ap::train;

TEST_CASE("train ablation: a zeroed head contributes nothing and changes no shape", "[train][ablation]") {
  Config c;
  c.vocab = 9;
  c.n_ctx = 6;
  c.n_layer = 2;
  c.n_head = 2;
  c.d_model = 8;
  c.mlp = Mlp::SwiGlu;
  c.n_ff = 12;
  std::vector<float> w;
  init_params(c, 5, &w);
  const int batch = 3, R = batch * c.n_ctx;
  std::vector<int> ids(R), targets(R);
  for (int i = 0; i < R; ++i) ids[size_t(i)] = (i * 5) % c.vocab, targets[size_t(i)] = (i * 7 + 1) % c.vocab;
  const std::vector<float> mask(R, 1.0f);

  Network<float> net(c);
  Acts<float> on, off, zeroed;
  REQUIRE(net.forward(w.data(), ids.data(), targets.data(), mask.data(), batch, &on, false) == "");
  REQUIRE(net.set_head(0, 1, false) == "");
  REQUIRE(net.forward(w.data(), ids.data(), targets.data(), mask.data(), batch, &off, false) == "");

  // Shapes are unchanged, and the ablated head's weights are still computed (the page draws them).
  REQUIRE(off.layers.size() == on.layers.size());
  for (size_t l = 0; l < on.layers.size(); ++l) {
    CHECK(off.layers[l].p.size() == on.layers[l].p.size());
    CHECK(off.layers[l].att.size() == on.layers[l].att.size());
  }
  CHECK(off.logits.size() == on.logits.size());
  CHECK(off.layers[0].p == on.layers[0].p);
  // Head 1's output columns in layer 0 are zero; head 0's are exactly as before.
  const int hd = c.head_dim();
  for (int r = 0; r < R; ++r)
    for (int col = 0; col < c.d_model; ++col) {
      const float v = off.layers[0].att[size_t(r) * c.d_model + col];
      if (col >= hd)
        CHECK(v == 0.0f);
      else
        CHECK(v == on.layers[0].att[size_t(r) * c.d_model + col]);
    }
  CHECK(off.logits != on.logits);  // the head mattered

  // The same as removing its contribution by hand: its rows of W_O zeroed, every head on.
  std::vector<float> w0 = w;
  const Layout l = layout_of(c);
  for (int row = hd; row < 2 * hd; ++row)
    for (int col = 0; col < c.d_model; ++col) w0[l.layers[0].wo + size_t(row) * c.d_model + col] = 0.0f;
  REQUIRE(net.set_head(0, 1, true) == "");
  REQUIRE(net.forward(w0.data(), ids.data(), targets.data(), mask.data(), batch, &zeroed, false) == "");
  CHECK(zeroed.logits == off.logits);
}

TEST_CASE("train ablation: bad head masks are refused with a message", "[train][ablation]") {
  Config c;
  c.vocab = 5;
  c.n_ctx = 4;
  c.n_layer = 2;
  c.n_head = 2;
  c.d_model = 4;
  Network<float> net(c);
  CHECK(net.set_head(2, 0, false) == "no head 0 in layer 2 (the model has 2 layers of 2 heads)");
  CHECK(net.set_head(0, -1, false) != "");
  CHECK(net.set_head_mask({1, 1, 1}) == "the head mask needs 4 values (n_layer·n_head), not 3");
  CHECK(net.set_head_mask({1, 0.5f, 1, 1}) == "head mask values must be 0 (ablated) or 1 (on)");
  CHECK(net.head_mask() == std::vector<float>{1, 1, 1, 1});  // unchanged by the refusals
  CHECK(net.set_head_mask({1, 0, 1, 1}) == "");
  CHECK(net.head_mask() == std::vector<float>{1, 0, 1, 1});
}

TEST_CASE("train network: bad inputs are refused with a message", "[train][ablation]") {
  Config c;
  c.vocab = 5;
  c.n_ctx = 2;
  std::vector<float> w;
  init_params(c, 1, &w);
  Network<float> net(c);
  Acts<float> a;
  const std::vector<int> ok = {1, 2}, bad = {1, 5};
  const std::vector<float> mask = {1, 1}, bad_mask = {1, NAN};
  CHECK(net.forward(w.data(), bad.data(), ok.data(), mask.data(), 1, &a, false) ==
        "token 5 at row 1 is outside the vocabulary (0 … 4)");
  CHECK(net.forward(w.data(), ok.data(), ok.data(), bad_mask.data(), 1, &a, false) ==
        "loss mask values must be in [0, 1]");
  CHECK(net.forward(w.data(), ok.data(), ok.data(), mask.data(), 0, &a, false) ==
        "the batch needs at least one sequence");
  CHECK(net.forward(w.data(), ok.data(), ok.data(), mask.data(), 1, &a, false) == "");
  Config wrong = c;
  wrong.d_model = 6;
  wrong.n_head = 4;
  CHECK(validate(wrong) == "d_model (6) must be divisible by n_head (4)");
  wrong.n_head = 3;  // head_dim 2: fine; 6/6 = 1 is odd under RoPE
  CHECK(validate(wrong) == "");
  wrong.n_head = 6;
  CHECK(validate(wrong) == "RoPE needs an even head_dim, not 1");
  wrong = c;
  wrong.n_layer = 5;
  CHECK(validate(wrong) == "n_layer must be in 1 … 4, not 5");
}
