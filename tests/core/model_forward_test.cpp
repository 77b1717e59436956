// The model runtime's forward (src/model/) against the double-precision reference
// (model_reference.h) on model files the tests write: every architecture, every tensor type,
// GGUF v2 and v3, tied and separate outputs, partial RoPE; logits, attention rows and head traces.
//
// Tolerances: the reference decodes the same stored bytes, so the stored type changes nothing but
// the values; what is left is float32 arithmetic against double. Logits are within 1e-4 of each
// row's scale for every type (F32, F16, BF16, Q8_0, Q4_0); attention weights within 1e-5.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "model/model.h"
#include "model_files.h"
#include "model_test_util.h"

namespace {

using ap::TensorType;
using ap::model::Model;
using ap_test::ModelSpec;

void check_against_reference(const ModelSpec& s, int n) {
  const auto file = ap_test::write_gguf(s);
  Model m;
  const std::string err = Model::from_gguf(file, &m);
  INFO("arch " << s.arch << " type " << ap::ggml_type_name(uint32_t(s.type)) << " v" << s.version << " tied "
               << s.tied);
  REQUIRE(err == "");
  const ref::Weights rw = ap_test::reference_of_gguf(file, s);
  const auto ids = ap_test::ids_of(n, s.vocab, s.seed);
  const ref::Result want = ref::forward(rw, ids);
  std::vector<int32_t> ids32(ids.begin(), ids.end());
  ap::model::Forward f;
  REQUIRE(m.forward(ids32.data(), n, &f) == "");
  REQUIRE(f.logits.size() == size_t(n) * s.vocab);
  const double rel = ap_test::worst_relative(f.logits.data(), want.logits, size_t(s.vocab));
  INFO("worst relative logit error " << rel);
  CHECK(rel <= 1e-4);
  for (int l = 0; l < s.layers; ++l)
    for (int h = 0; h < s.heads; ++h) {
      std::vector<float> a;
      REQUIRE(m.attention(f, l, h, &a) == "");
      REQUIRE(a.size() == size_t(n) * n);
      double worst = 0;
      for (size_t e = 0; e < a.size(); ++e)
        worst = std::max(worst, std::fabs(a[e] - want.attn[size_t(l)][size_t(h)][e]));
      INFO("layer " << l << " head " << h);
      CHECK(worst <= 1e-5);
    }
}

}  // namespace

TEST_CASE("model: llama, qwen2 and gpt2 in every tensor type match the reference", "[model]") {
  for (const char* arch : {"llama", "qwen2", "gpt2"}) {
    for (TensorType t :
         {TensorType::F32, TensorType::F16, TensorType::BF16, TensorType::Q8_0, TensorType::Q4_0}) {
      ModelSpec s;
      s.arch = arch;
      s.type = t;
      s.seed = uint32_t(t) + 7;
      if (std::string(arch) == "gpt2") s.kv_heads = s.heads;
      check_against_reference(s, 13);
    }
  }
}

TEST_CASE("model: GGUF v2, tied output, partial RoPE, multi-query, biases on llama", "[model]") {
  ModelSpec s;
  s.version = 2;
  check_against_reference(s, 9);
  s = ModelSpec{};
  s.tied = true;
  check_against_reference(s, 9);
  s = ModelSpec{};
  s.arch = "qwen2", s.n_rot = 8, s.base = 500.0f, s.kv_heads = 1;
  check_against_reference(s, 17);
  s = ModelSpec{};
  s.n_rot = 6, s.biases = true, s.heads = 2, s.kv_heads = 2, s.eps = 1e-6f;
  check_against_reference(s, 17);
  s = ModelSpec{};
  s.arch = "gpt2", s.kv_heads = 4, s.tied = true, s.type = TensorType::Q8_0;
  check_against_reference(s, 32);  // the whole context
}

TEST_CASE("model: trace of a head gives X, Q, K, V, scores, weights, head output consistently", "[model]") {
  ModelSpec s;
  const auto file = ap_test::write_gguf(s);
  Model m;
  REQUIRE(Model::from_gguf(file, &m) == "");
  const int n = 7;
  const auto ids = ap_test::ids_of(n, s.vocab, 3);
  std::vector<int32_t> ids32(ids.begin(), ids.end());
  ap::model::Forward f;
  REQUIRE(m.forward(ids32.data(), n, &f) == "");
  const ref::Result want = ref::forward(ap_test::reference_of_gguf(file, s), ids);
  ap::model::HeadTrace t;
  REQUIRE(m.trace(f, 1, 3, &t) == "");
  const int hd = s.d / s.heads;
  CHECK(t.kv_head == 1);  // 4 query heads on 2 K/V heads: head 3 reads K/V head 1
  REQUIRE(t.x.size() == size_t(n) * s.d);
  REQUIRE(t.q.size() == size_t(n) * hd);
  REQUIRE(t.scores.size() == size_t(n) * n);
  for (int i = 0; i < n; ++i) {
    double sum = 0;
    for (int j = 0; j < n; ++j) {
      const float sc = t.scores[size_t(i) * n + j];
      if (j > i) {
        CHECK(std::isinf(sc));
        CHECK(t.weights[size_t(i) * n + j] == 0.0f);
      } else {
        double dot = 0;
        for (int e = 0; e < hd; ++e) dot += double(t.q[size_t(i) * hd + e]) * t.k[size_t(j) * hd + e];
        CHECK(std::fabs(sc - dot / std::sqrt(double(hd))) <= 1e-5 * (1 + std::fabs(sc)));
      }
      sum += t.weights[size_t(i) * n + j];
      CHECK(std::fabs(t.weights[size_t(i) * n + j] - want.attn[1][3][size_t(i) * n + j]) <= 1e-5);
    }
    CHECK(std::fabs(sum - 1.0) <= 1e-5);
    for (int e = 0; e < hd; ++e) {
      double o = 0;
      for (int j = 0; j <= i; ++j) o += double(t.weights[size_t(i) * n + j]) * t.v[size_t(j) * hd + e];
      CHECK(std::fabs(t.head_output[size_t(i) * hd + e] - o) <= 1e-5);
    }
  }
  // Bad layer or head, and a forward that kept no layers.
  CHECK(m.trace(f, 2, 0, &t).find("layer 2 is outside 0 … 1") != std::string::npos);
  CHECK(m.trace(f, 0, -1, &t).find("head -1") != std::string::npos);
  ap::model::Forward lean;
  REQUIRE(m.forward(ids32.data(), n, &lean, false) == "");
  CHECK(lean.logits == f.logits);
  CHECK(m.trace(lean, 0, 0, &t).find("did not keep") != std::string::npos);
  CHECK(lean.memory_bytes() < f.memory_bytes());
}

TEST_CASE("model: hyper-parameters, parameter count, types and memory are reported from the file",
          "[model]") {
  ModelSpec s;
  s.type = TensorType::Q8_0;
  const auto file = ap_test::write_gguf(s);
  Model m;
  REQUIRE(Model::from_gguf(file, &m) == "");
  const auto& c = m.config();
  CHECK(c.arch == ap::model::Arch::Llama);
  CHECK(c.n_layer == 2);
  CHECK(c.d_model == 64);
  CHECK(c.n_head == 4);
  CHECK(c.n_kv_head == 2);
  CHECK(c.head_dim == 16);
  CHECK(c.n_rot == 16);
  CHECK(c.vocab == 48);
  CHECK(c.n_ctx == 32);
  CHECK(!c.tied_output);
  CHECK(c.source == "gguf v3");
  const size_t d = 64, ff = 96, kv = 32, V = 48;
  const size_t per_layer = d * d + 2 * kv * d + d * d + 3 * ff * d + 2 * d;
  CHECK(m.parameter_count() == 2 * V * d + 2 * per_layer + d);
  CHECK(m.tensor_types() == "Q8_0 ×16");
  // Weights stay in their stored type: the model holds about its file size.
  CHECK(m.memory_bytes() >= file.size());
  CHECK(m.memory_bytes() <= file.size() + 4 * (2 * d * 2 + d) + 64);
}
