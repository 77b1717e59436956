// A trained model written as a llama GGUF v3 file (train/export_gguf.h) is read by the model
// runtime (src/model/) as the same model: its logits are the training forward's, within float
// rounding (the runtime sums its norms in double and its products in another order: 1e-4 of each
// row's scale, as model_forward_test.cpp allows against its double reference).
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "model/model.h"
#include "train/export_gguf.h"
#include "train/trainer.h"

using namespace ap::train;

namespace {

Trainer trained(Mlp mlp, Positions pos) {
  TaskSpec task;
  task.kind = TaskKind::Induction;
  task.length = 5;
  task.symbols = 8;
  Config c;
  c.vocab = task_vocab(task);
  c.n_ctx = task_context(task);
  c.n_layer = 2;
  c.n_head = 2;
  c.d_model = 16;
  c.mlp = mlp;
  c.n_ff = 24;
  c.positions = pos;
  TrainOptions opt;
  opt.batch = 8;
  opt.schedule.total_steps = 30;
  Trainer t;
  REQUIRE(Trainer::create(c, task, opt, &t) == "");
  for (int s = 0; s < 30; ++s) t.step();
  return t;
}

std::vector<std::string> labels_of(const Trainer& t) {
  std::vector<std::string> v;
  for (int i = 0; i < t.config().vocab; ++i) v.push_back(token_label(t.task(), i));
  return v;
}

}  // namespace

TEST_CASE("train export: the runtime loads a trained model's GGUF and gives its logits", "[train][export]") {
  for (Mlp mlp : {Mlp::None, Mlp::SwiGlu}) {
    Trainer t = trained(mlp, Positions::Rope);
    const Config& c = t.config();
    std::vector<uint8_t> file;
    REQUIRE(export_gguf(c, t.params(), labels_of(t), "induction", &file) == "");
    ap::model::Model m;
    REQUIRE(ap::model::Model::from_gguf(file, &m) == "");
    CHECK(m.config().n_layer == c.n_layer);
    CHECK(m.config().n_head == c.n_head);
    CHECK(m.config().vocab == c.vocab);
    CHECK(m.config().n_ctx == c.n_ctx);
    CHECK_FALSE(m.config().tied_output);
    const ap::gguf::Value* tokens = m.gguf().find("tokenizer.ggml.tokens");
    REQUIRE(tokens != nullptr);

    TaskStream held(t.task(), 5, Split::HeldOut);
    Batch b;
    held.next(1, &b);
    Acts<float> acts;
    REQUIRE(t.network().forward(t.params().data(), b.ids.data(), b.targets.data(), b.mask.data(), 1, &acts,
                                false) == "");
    std::vector<int32_t> ids(b.ids.begin(), b.ids.end());
    ap::model::Forward f;
    REQUIRE(m.forward(ids.data(), int(ids.size()), &f) == "");
    REQUIRE(f.logits.size() == acts.logits.size());
    double worst = 0;
    for (int r = 0; r < c.n_ctx; ++r) {
      double scale = 0;
      for (int v = 0; v < c.vocab; ++v)
        scale = std::max(scale, std::fabs(double(acts.logits[size_t(r) * c.vocab + v])));
      for (int v = 0; v < c.vocab; ++v) {
        const size_t i = size_t(r) * c.vocab + v;
        worst =
            std::max(worst, std::fabs(double(f.logits[i]) - double(acts.logits[i])) / std::max(scale, 1.0));
      }
    }
    INFO("mlp " << int(mlp) << ": worst relative logit difference " << worst);
    CHECK(worst <= 1e-4);
    // And the runtime's attention weights are the training forward's.
    std::vector<float> w;
    REQUIRE(m.attention(f, 1, 0, &w) == "");
    const float* p = acts.layers[1].p.data();  // (1, H, T, T): head 0 first
    for (size_t i = 0; i < w.size(); ++i) CHECK(w[i] == Approx(p[i]).margin(1e-5));
  }
}

TEST_CASE("train export: models with no llama form are refused with a message", "[train][export]") {
  Trainer t = trained(Mlp::None, Positions::Learned);
  std::vector<uint8_t> file;
  CHECK(export_gguf(t.config(), t.params(), labels_of(t), "x", &file) ==
        "llama has no learned positions: train with RoPE to write a llama GGUF file");
  CHECK(file.empty());
  Config c = t.config();
  c.positions = Positions::Rope;
  CHECK(export_gguf(c, t.params(), labels_of(t), "x", &file).find("the parameters hold") == 0);
  Trainer g = trained(Mlp::Gelu, Positions::Rope);
  CHECK(export_gguf(g.config(), g.params(), labels_of(g), "x", &file) ==
        "llama's MLP is SwiGLU: a GELU MLP cannot be written as a llama GGUF file");
  CHECK(export_gguf(g.config(), g.params(), {"a"}, "x", &file).find("the vocabulary has 1 labels") == 0);
}
