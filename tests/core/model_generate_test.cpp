// Generation (src/model/): the KV-cache path against full recomputation, greedy and sampled
// generation, the sampler's top-k / top-p / temperature and its seed, and the errors.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "model/model.h"
#include "model_files.h"
#include "model_test_util.h"

namespace {

using ap::model::Model;
using ap::model::SampleOptions;
using ap::model::Session;

Model load(const ap_test::ModelSpec& s) {
  Model m;
  const std::string err = Model::from_gguf(ap_test::write_gguf(s), &m);
  REQUIRE(err == "");
  return m;
}

std::vector<float> last_row(const Model& m, const std::vector<int32_t>& ids) {
  ap::model::Forward f;
  REQUIRE(m.forward(ids.data(), int(ids.size()), &f, false) == "");
  return std::vector<float>(f.logits.end() - m.config().vocab, f.logits.end());
}

double rel(const std::vector<float>& a, const std::vector<float>& b) {
  std::vector<double> want(b.begin(), b.end());
  return ap_test::worst_relative(a.data(), want, want.size());
}

}  // namespace

TEST_CASE("generate: KV-cache logits equal full recomputation at every step", "[model][generate]") {
  for (const char* arch : {"llama", "qwen2", "gpt2"}) {
    ap_test::ModelSpec s;
    s.arch = arch;
    if (s.arch == "gpt2") s.kv_heads = s.heads;
    const Model m = load(s);
    const auto ids0 = ap_test::ids_of(20, s.vocab, 11);
    std::vector<int32_t> ids(ids0.begin(), ids0.end());
    Session session(m);
    std::vector<float> logits;
    REQUIRE(session.append(ids.data(), 5, &logits) == "");  // a prompt of 5
    INFO("arch " << arch);
    CHECK(rel(logits, last_row(m, {ids.begin(), ids.begin() + 5})) <= 1e-4);
    for (int t = 5; t < 12; ++t) {  // then one at a time
      REQUIRE(session.append(&ids[size_t(t)], 1, &logits) == "");
      CHECK(rel(logits, last_row(m, {ids.begin(), ids.begin() + t + 1})) <= 1e-4);
    }
    REQUIRE(session.append(&ids[12], 8, &logits) == "");  // several at once after a prefix
    CHECK(session.positions() == 20);
    CHECK(rel(logits, last_row(m, ids)) <= 1e-4);
    CHECK(session.memory_bytes() >= size_t(2) * s.layers * 20 * (s.d / s.heads) * s.kv_heads * sizeof(float));
  }
}

// A single position runs the matvec, which for Q8_0 and Q4_0 quantizes the activation to 8 bits
// per block (ggml's way, kernels/quant.h); a forward of several positions runs float products over
// the dequantized weights. So the two agree to the activation's quantization, not to float
// rounding: each product moves by at most d/2 per value (d = max|x| of its block of 32 / 127).
// On this model (two layers, random weights) the worst step moved the logits by 1.5e-2 (Q8_0) and
// 1.0e-2 (Q4_0) of their row's largest value (printed below); the tolerance is 5e-2. A prompt's
// last logits move too: its output product is a matvec (only the last row is computed).
TEST_CASE("generate: Q8_0 and Q4_0 KV-cache steps follow full recomputation to the 8-bit activations",
          "[model][generate]") {
  for (ap::TensorType t : {ap::TensorType::Q8_0, ap::TensorType::Q4_0}) {
    ap_test::ModelSpec s;
    s.type = t;
    const Model m = load(s);
    const auto ids0 = ap_test::ids_of(12, s.vocab, 5);
    std::vector<int32_t> ids(ids0.begin(), ids0.end());
    Session session(m);
    std::vector<float> logits;
    REQUIRE(session.append(ids.data(), 4, &logits) == "");
    double worst = rel(logits, last_row(m, {ids.begin(), ids.begin() + 4}));
    for (int p = 4; p < 12; ++p) {
      REQUIRE(session.append(&ids[size_t(p)], 1, &logits) == "");
      worst = std::max(worst, rel(logits, last_row(m, {ids.begin(), ids.begin() + p + 1})));
    }
    INFO("type " << ap::ggml_type_name(uint32_t(t)) << ": worst relative logit change " << worst);
    CHECK(worst <= 5e-2);
    CHECK(worst > 1e-5);  // more than float rounding: the steps do take the integer path
  }
}

TEST_CASE("generate: greedy generation equals argmax of full recomputation", "[model][generate]") {
  ap_test::ModelSpec s;
  s.type = ap::TensorType::Q8_0;
  const Model m = load(s);
  std::vector<int32_t> seq = {3, 14, 15, 9};
  std::vector<int32_t> got;
  REQUIRE(m.generate(seq.data(), int(seq.size()), 12, SampleOptions{}, &got) == "");
  REQUIRE(got.size() == 12);
  for (int t = 0; t < 12; ++t) {
    const auto row = last_row(m, seq);
    int best = 0;
    for (int j = 1; j < s.vocab; ++j)
      if (row[size_t(j)] > row[size_t(best)]) best = j;
    CHECK(got[size_t(t)] == best);
    seq.push_back(best);
  }
}

TEST_CASE("generate: sampling follows temperature, top-k, top-p and the seed", "[model][generate]") {
  const Model m = load(ap_test::ModelSpec{});
  const std::vector<int32_t> prompt = {1, 2, 3};
  SampleOptions hot;
  hot.temperature = 1.5f, hot.seed = 42;
  std::vector<int32_t> a, b, c, greedy;
  REQUIRE(m.generate(prompt.data(), 3, 16, hot, &a) == "");
  REQUIRE(m.generate(prompt.data(), 3, 16, hot, &b) == "");
  CHECK(a == b);  // the same seed, the same tokens
  hot.seed = 43;
  REQUIRE(m.generate(prompt.data(), 3, 16, hot, &c) == "");
  CHECK(a != c);
  REQUIRE(m.generate(prompt.data(), 3, 16, SampleOptions{}, &greedy) == "");
  SampleOptions k1 = hot;
  k1.top_k = 1;
  REQUIRE(m.generate(prompt.data(), 3, 16, k1, &c) == "");
  CHECK(c == greedy);
  SampleOptions p0 = hot;
  p0.top_p = 1e-6f;
  REQUIRE(m.generate(prompt.data(), 3, 16, p0, &c) == "");
  CHECK(c == greedy);

  // The sampler alone on fixed logits: probabilities 0.5, 0.25, 0.125, 0.125 at T = 1.
  const float logits[4] = {std::log(4.0f), std::log(2.0f), 0.0f, 0.0f};
  SampleOptions o;
  o.temperature = 1.0f;
  uint64_t state = 7;
  std::map<int, int> counts;
  const int draws = 20000;
  for (int k = 0; k < draws; ++k) ++counts[ap::model::sample(logits, 4, o, &state)];
  CHECK(std::fabs(counts[0] / double(draws) - 0.5) < 0.02);
  CHECK(std::fabs(counts[1] / double(draws) - 0.25) < 0.02);
  CHECK(std::fabs(counts[2] / double(draws) - 0.125) < 0.015);
  o.top_k = 2;  // only ids 0 and 1, renormalised: 2/3, 1/3
  counts.clear();
  for (int k = 0; k < draws; ++k) ++counts[ap::model::sample(logits, 4, o, &state)];
  CHECK(counts.count(2) == 0);
  CHECK(counts.count(3) == 0);
  CHECK(std::fabs(counts[0] / double(draws) - 2.0 / 3) < 0.02);
  o.top_k = 0, o.top_p = 0.7f;  // 0.5 < 0.7 ≤ 0.75: ids 0 and 1
  counts.clear();
  for (int k = 0; k < draws; ++k) ++counts[ap::model::sample(logits, 4, o, &state)];
  CHECK(counts.size() == 2);
  o.top_p = 1.0f, o.temperature = 1e-3f;  // nearly greedy
  for (int k = 0; k < 100; ++k) CHECK(ap::model::sample(logits, 4, o, &state) == 0);
}

TEST_CASE("generate: bad ids, options and lengths give messages", "[model][generate]") {
  ap_test::ModelSpec s;
  const Model m = load(s);  // vocab 48, context 32
  std::vector<int32_t> ids = {1, 48, 2};
  std::vector<int32_t> out;
  ap::model::Forward f;
  CHECK(m.forward(ids.data(), 3, &f).find("token id 48 at position 1 is outside the vocabulary (0 … 47)") !=
        std::string::npos);
  ids[1] = -1;
  CHECK(m.generate(ids.data(), 3, 2, SampleOptions{}, &out).find("token id -1") != std::string::npos);
  ids[1] = 5;
  std::vector<int32_t> long_ids(33, 1);
  CHECK(m.forward(long_ids.data(), 33, &f).find("1 to 32 tokens") != std::string::npos);
  CHECK(m.forward(ids.data(), 0, &f).find("1 to 32 tokens") != std::string::npos);
  CHECK(m.generate(ids.data(), 3, 31, SampleOptions{}, &out).find("pass the context length 32") !=
        std::string::npos);
  REQUIRE(m.generate(ids.data(), 3, 30, SampleOptions{}, &out) == "");  // exactly fills it
  CHECK(out.size() == 30);
  SampleOptions bad;
  bad.temperature = -1;
  CHECK(m.generate(ids.data(), 3, 2, bad, &out).find("temperature") != std::string::npos);
  bad = SampleOptions{};
  bad.temperature = NAN;
  CHECK(m.generate(ids.data(), 3, 2, bad, &out).find("temperature") != std::string::npos);
  bad = SampleOptions{};
  bad.top_p = 0;
  CHECK(m.generate(ids.data(), 3, 2, bad, &out).find("top_p") != std::string::npos);
  bad = SampleOptions{};
  bad.top_k = -2;
  CHECK(m.generate(ids.data(), 3, 2, bad, &out).find("top_k") != std::string::npos);
  Session session(m);
  std::vector<float> logits;
  REQUIRE(session.append(long_ids.data(), 32, &logits) == "");
  CHECK(session.append(ids.data(), 1, &logits).find("the context is full") != std::string::npos);
  CHECK(session.positions() == 32);
}
