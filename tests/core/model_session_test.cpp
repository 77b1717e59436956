// The page's generation session (src/bindings/model_session.h, plain C++): its logits equal
// ap::model::Session's, its newest attention row of every layer and head equals the last row of
// Model::attention over the whole sequence, its greedy ids equal Model::generate's, and errors
// leave it unchanged.
#include "bindings/model_session.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "model/model.h"
#include "model_files.h"
#include "model_test_util.h"

namespace {

using ap::bindings::KvSession;
using ap::model::Model;

Model load(const ap_test::ModelSpec& s) {
  Model m;
  const std::string err = Model::from_gguf(ap_test::write_gguf(s), &m);
  REQUIRE(err == "");
  return m;
}

}  // namespace

TEST_CASE("model session: newest attention rows and logits equal a full forward", "[model][session]") {
  for (const char* arch : {"llama", "qwen2", "gpt2"}) {
    ap_test::ModelSpec s;
    s.arch = arch;
    if (s.arch == "gpt2") s.kv_heads = s.heads;
    const Model m = load(s);
    const auto ids0 = ap_test::ids_of(12, s.vocab, 5);
    const std::vector<int32_t> ids(ids0.begin(), ids0.end());
    KvSession session(m, 0);
    ap::model::Session plain(m);
    std::vector<float> plain_logits;
    INFO("arch " << arch);
    for (int upto : {4, 5, 6, 9, 12}) {  // a prompt of 4, then 1, 1, 3, 3 at a time
      const int from = session.positions();
      REQUIRE(session.append(&ids[size_t(from)], upto - from) == "");
      REQUIRE(plain.append(&ids[size_t(from)], upto - from, &plain_logits) == "");
      REQUIRE(session.positions() == upto);
      CHECK(session.logits() == plain_logits);  // the same Model::run, bit for bit
      ap::model::Forward f;
      REQUIRE(m.forward(ids.data(), upto, &f) == "");
      REQUIRE(session.rows().size() == size_t(s.layers) * s.heads * upto);
      double worst = 0;
      for (int l = 0; l < s.layers; ++l)
        for (int h = 0; h < s.heads; ++h) {
          std::vector<float> a;  // (upto, upto)
          REQUIRE(m.attention(f, l, h, &a) == "");
          for (int j = 0; j < upto; ++j) {
            const float got = session.rows()[(size_t(l) * s.heads + h) * upto + j];
            worst = std::max(worst, double(std::fabs(got - a[size_t(upto - 1) * upto + j])));
          }
        }
      INFO("positions " << upto << " worst row difference " << worst);
      CHECK(worst <= 1e-5);
    }
  }
}

TEST_CASE("model session: greedy ids equal Model::generate's; errors change nothing", "[model][session]") {
  ap_test::ModelSpec s;
  const Model m = load(s);
  const auto p = ap_test::ids_of(5, s.vocab, 2);
  const std::vector<int32_t> prompt(p.begin(), p.end());
  std::vector<int32_t> want;
  ap::model::SampleOptions greedy;
  REQUIRE(m.generate(prompt.data(), 5, 10, greedy, &want) == "");
  KvSession session(m, 0);
  REQUIRE(session.append(prompt.data(), 5) == "");
  std::vector<int32_t> got;
  for (int t = 0; t < 10; ++t) {
    const int32_t next = session.sample(greedy);
    got.push_back(next);
    if (t + 1 < 10) REQUIRE(session.append(&next, 1) == "");
  }
  CHECK(got == want);
  // A bad id and a full context are refused without changing what is held.
  const int held = session.positions();
  const std::vector<float> rows = session.rows();
  const int32_t bad = s.vocab;
  CHECK(session.append(&bad, 1).find("outside the vocabulary") != std::string::npos);
  std::vector<int32_t> many(size_t(s.ctx), 0);
  CHECK(session.append(many.data(), int(many.size())).find("context is full") != std::string::npos);
  CHECK(session.append(many.data(), 0) == "nothing to append");
  CHECK(session.positions() == held);
  CHECK(session.rows() == rows);
}
