// Head ablation in the model runtime (model.h's HeadMask): a head switched off gives exactly the
// logits of the same file with that head's columns of W_O zeroed, in forward, in the KV-cache
// session and in generation; no mask (or an all-zero one) gives the same bits as before; a mask of
// the wrong size is refused.
#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "formats/gguf.h"
#include "model/model.h"
#include "model_files.h"
#include "model_test_util.h"

namespace {

using ap::model::HeadMask;
using ap::model::Model;

// The GGUF bytes with head `head` of layer `layer`'s columns h·head_dim … (h+1)·head_dim−1 of
// attn_output.weight (d_model, n_head·head_dim), an F32 tensor, set to zero.
std::vector<uint8_t> zero_wo_columns(std::vector<uint8_t> bytes, int layer, int head, int head_dim) {
  ap::gguf::File f;
  REQUIRE(ap::gguf::parse(bytes.data(), bytes.size(), &f) == "");
  const auto* t = f.tensor("blk." + std::to_string(layer) + ".attn_output.weight");
  REQUIRE(t != nullptr);
  REQUIRE(t->type == ap::TensorType::F32);
  const size_t cols = size_t(t->dims[0]), rows = size_t(t->dims[1]);
  for (size_t r = 0; r < rows; ++r)
    for (int e = 0; e < head_dim; ++e) {
      const float zero = 0.0f;
      std::memcpy(&bytes[t->file_offset + (r * cols + size_t(head) * head_dim + e) * sizeof(float)], &zero,
                  sizeof(float));
    }
  return bytes;
}

Model load(std::vector<uint8_t> bytes) {
  Model m;
  REQUIRE(Model::from_gguf(std::move(bytes), &m) == "");
  return m;
}

std::vector<float> logits(const Model& m, const std::vector<int32_t>& ids, const HeadMask* off) {
  ap::model::Forward f;
  REQUIRE(m.forward(ids.data(), int(ids.size()), &f, true, off) == "");
  return f.logits;
}

}  // namespace

TEST_CASE("ablation: a head switched off equals its W_O columns zeroed; no mask changes nothing",
          "[model][ablation]") {
  for (const char* arch : {"llama", "gpt2"}) {
    INFO(arch);
    ap_test::ModelSpec s;
    s.arch = arch;
    s.kv_heads = s.arch == "gpt2" ? s.heads : 2;
    const auto file = ap_test::write_gguf(s);
    const Model m = load(file);
    const auto& c = m.config();
    std::vector<int32_t> ids;
    for (int t : ap_test::ids_of(12, c.vocab, 5)) ids.push_back(t);

    const auto plain = logits(m, ids, nullptr);
    const HeadMask none;                                             // empty: every head on
    const HeadMask zeros(size_t(c.n_layer) * c.n_head, uint8_t(0));  // all on, spelled out
    CHECK(logits(m, ids, &none) == plain);
    CHECK(logits(m, ids, &zeros) == plain);

    for (const auto& [layer, head] : {std::pair<int, int>{0, 1}, {1, 3}}) {
      INFO("layer " << layer << " head " << head);
      HeadMask off = zeros;
      off[size_t(layer) * c.n_head + head] = 1;
      const auto ablated = logits(m, ids, &off);
      const Model cut = load(zero_wo_columns(file, layer, head, c.head_dim));
      const auto want = logits(cut, ids, nullptr);
      CHECK(ablated != plain);  // the head did contribute
      std::vector<double> w(want.begin(), want.end());
      CHECK(ap_test::worst_relative(ablated.data(), w, size_t(c.vocab)) < 1e-6);

      // The ablated head's own attention is kept as it was (it does not depend on itself).
      ap::model::Forward a, b;
      REQUIRE(m.forward(ids.data(), int(ids.size()), &a, true, &off) == "");
      REQUIRE(m.forward(ids.data(), int(ids.size()), &b, true, nullptr) == "");
      std::vector<float> wa, wb;
      REQUIRE(m.attention(a, layer, head, &wa) == "");
      REQUIRE(m.attention(b, layer, head, &wb) == "");
      CHECK(wa == wb);

      // The KV-cache session and greedy generation follow the same mask.
      ap::model::Session session(m, off);
      std::vector<float> last;
      REQUIRE(session.append(ids.data(), 8, &last) == "");
      for (size_t i = 8; i < ids.size(); ++i) REQUIRE(session.append(&ids[i], 1, &last) == "");
      std::vector<double> want_last(want.end() - c.vocab, want.end());
      CHECK(ap_test::worst_relative(last.data(), want_last, size_t(c.vocab)) < 1e-4);
      std::vector<int32_t> got, expected;
      ap::model::SampleOptions greedy;
      REQUIRE(m.generate(ids.data(), 6, 5, greedy, &got, &off) == "");
      REQUIRE(cut.generate(ids.data(), 6, 5, greedy, &expected) == "");
      CHECK(got == expected);
    }
  }
}

TEST_CASE("ablation: a head mask of the wrong size is refused and nothing is written", "[model][ablation]") {
  const Model m = load(ap_test::write_gguf(ap_test::ModelSpec{}));
  const std::vector<int32_t> ids = {1, 2, 3};
  const HeadMask short_mask(3, uint8_t(1));
  ap::model::Forward f;
  f.n = 77;
  const std::string e = m.forward(ids.data(), 3, &f, true, &short_mask);
  CHECK(e == "the head mask has 3 entries; this model has 8 heads (2 layers × 4)");
  CHECK(f.n == 77);
  std::vector<int32_t> out = {9};
  CHECK(m.generate(ids.data(), 3, 2, {}, &out, &short_mask) == e);
  CHECK(out == std::vector<int32_t>{9});
  ap::model::Session s(m, short_mask);
  std::vector<float> last;
  CHECK(s.append(ids.data(), 3, &last) == e);
  CHECK(s.positions() == 0);
}
