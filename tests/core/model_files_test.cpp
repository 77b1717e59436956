// Loading model files (src/formats/llama2c, src/model/load.cpp): llama2.c checkpoints with shared
// and separate classifiers against the reference, the real stories260K checkpoint from
// ../shared/models, and malformed files of both formats, each of which must give a message that
// says what and where, never a crash.
#include "model_files.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "formats/gguf.h"
#include "formats/gguf_writer.h"
#include "formats/llama2c.h"
#include "model/model.h"
#include "model_test_util.h"

#ifndef AP_TEST_SHARED_DIR
#error "AP_TEST_SHARED_DIR (the shared/ folder beside the repository) must be defined by CMakeLists.txt"
#endif

namespace {

using ap::model::Model;

void check_llama2c(const std::vector<uint8_t>& file, int n) {
  Model m;
  REQUIRE(Model::from_llama2c(file, &m) == "");
  const ref::Weights rw = ref::from_llama2c(file);
  const auto ids = ap_test::ids_of(n, rw.vocab, 5);
  const ref::Result want = ref::forward(rw, ids);
  std::vector<int32_t> ids32(ids.begin(), ids.end());
  ap::model::Forward f;
  REQUIRE(m.forward(ids32.data(), n, &f) == "");
  const double rel = ap_test::worst_relative(f.logits.data(), want.logits, size_t(rw.vocab));
  INFO("worst relative logit error " << rel);
  CHECK(rel <= 1e-4);
  for (int l = 0; l < m.config().n_layer; ++l)
    for (int h = 0; h < m.config().n_head; ++h) {
      std::vector<float> a;
      REQUIRE(m.attention(f, l, h, &a) == "");
      double worst = 0;
      for (size_t e = 0; e < a.size(); ++e)
        worst = std::max(worst, std::fabs(a[e] - want.attn[size_t(l)][size_t(h)][e]));
      CHECK(worst <= 1e-5);
    }
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::vector<uint8_t> out;
  FILE* fp = std::fopen(path.c_str(), "rb");
  if (!fp) return out;
  uint8_t buf[65536];
  size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, fp)) > 0) out.insert(out.end(), buf, buf + got);
  std::fclose(fp);
  return out;
}

}  // namespace

TEST_CASE("llama2c: shared and separate classifiers match the reference", "[model][llama2c]") {
  const auto shared = ap_test::write_llama2c(32, 48, 2, 4, 2, 40, 16, true, 1);
  const auto separate = ap_test::write_llama2c(32, 48, 2, 4, 4, 40, 16, false, 2);
  check_llama2c(shared, 11);
  check_llama2c(separate, 16);
  Model m;
  REQUIRE(Model::load(separate, &m) == "");
  CHECK(!m.config().tied_output);
  CHECK(m.config().source == "llama2.c");
  REQUIRE(Model::load(shared, &m) == "");
  CHECK(m.config().tied_output);
  CHECK(m.config().n_kv_head == 2);
  CHECK(m.memory_bytes() >= shared.size());
}

TEST_CASE("llama2c: stories260K.bin loads and runs against the reference", "[model][llama2c]") {
  const std::string path = std::string(AP_TEST_SHARED_DIR) + "/models/stories260K.bin";
  const auto file = read_file(path);
  INFO("reading " << path);
  REQUIRE(file.size() == 1056540);  // the file must be there (it is on CI too)
  Model m;
  REQUIRE(Model::from_llama2c(file, &m) == "");
  const auto& c = m.config();
  CHECK(c.d_model == 64);
  CHECK(c.n_ff == 172);
  CHECK(c.n_layer == 5);
  CHECK(c.n_head == 8);
  CHECK(c.n_kv_head == 4);
  CHECK(c.vocab == 512);
  CHECK(c.n_ctx == 512);
  CHECK(c.tied_output);
  check_llama2c(file, 24);
  // Greedy generation from BOS (id 1) equals argmax of the reference's full recomputation.
  const ref::Weights rw = ref::from_llama2c(file);
  std::vector<int32_t> got;
  const int32_t bos = 1;
  REQUIRE(m.generate(&bos, 1, 10, {}, &got) == "");
  std::vector<int> seq = {1};
  for (int t = 0; t < 10; ++t) {
    const ref::Result r = ref::forward(rw, seq);
    int best = 0;
    const double* row = r.logits.data() + (seq.size() - 1) * 512;
    for (int j = 1; j < 512; ++j)
      if (row[j] > row[best]) best = j;
    CHECK(got[size_t(t)] == best);
    seq.push_back(best);
  }
}

TEST_CASE("llama2c: every truncation and bad header field give a message", "[model][llama2c]") {
  const auto file = ap_test::write_llama2c(16, 24, 1, 2, 1, 20, 8, false, 3);
  for (size_t len = 0; len < file.size(); ++len) {
    std::vector<uint8_t> cut(file.begin(), file.begin() + len);
    Model m;
    const std::string e = Model::from_llama2c(std::move(cut), &m);
    INFO("length " << len);
    REQUIRE(!e.empty());
    CHECK(e.rfind("llama2.c: ", 0) == 0);
  }
  auto with = [&](int field, int32_t value) {
    auto b = file;
    std::memcpy(b.data() + 4 * field, &value, 4);
    Model m;
    return Model::from_llama2c(std::move(b), &m);
  };
  CHECK(with(0, 0).find("header field dim (byte 0) is 0") != std::string::npos);
  CHECK(with(2, -3).find("n_layers") != std::string::npos);
  CHECK(with(3, 3).find("not a multiple of n_heads 3") != std::string::npos);
  CHECK(with(4, 3).find("n_kv_heads 3 must divide n_heads 2") != std::string::npos);
  CHECK(with(5, 2000000000).find("vocab_size") != std::string::npos);
  CHECK(with(6, 1 << 19).find("describes a file of") != std::string::npos);
  CHECK(with(1, 0x7fffffff).find("hidden_dim") != std::string::npos);
  auto extra = file;
  extra.push_back(0);
  Model m;
  CHECK(Model::from_llama2c(extra, &m).find("but it has") != std::string::npos);
  // A non-finite weight is named by tensor, row and column.
  auto bad = file;
  const float inf = INFINITY;
  std::memcpy(bad.data() + 28 + 4 * (20 * 16 + 16 + 5), &inf, 4);  // wq of layer 0, row 0, column 5
  CHECK(Model::from_llama2c(bad, &m) ==
        "tensor 'blk.0.attn_q.weight' holds a non-finite value at row 0, column 5");
}

TEST_CASE("model: malformed GGUF model files give messages naming the key or tensor", "[model]") {
  ap_test::ModelSpec s;
  s.d = 32, s.ff = 32, s.layers = 1, s.heads = 2, s.kv_heads = 1, s.vocab = 16, s.ctx = 8;
  const auto good = ap_test::write_gguf(s);
  Model m;
  REQUIRE(Model::from_gguf(good, &m) == "");
  // Truncations: every length through the header, then every 37th byte through the data.
  ap::gguf::File f;
  REQUIRE(ap::gguf::parse(good.data(), good.size(), &f) == "");
  for (size_t len = 0; len < good.size(); len += len < f.data_offset ? 1 : 37) {
    INFO("length " << len);
    REQUIRE(!Model::from_gguf(std::vector<uint8_t>(good.begin(), good.begin() + len), &m).empty());
  }
  // Metadata: rewrite one key (or drop it) and load.
  auto variant = [&](const std::string& key, const ap::gguf::Value* value) {
    ap::gguf::Writer w(3);
    for (const auto& [k, v] : f.metadata)
      if (k != key) w.add(k, v);
    if (value) w.add(key, *value);
    for (const auto& t : f.tensors)
      w.add_tensor(t.name, t.dims, t.type,
                   std::vector<uint8_t>(good.begin() + long(t.file_offset),
                                        good.begin() + long(t.file_offset + t.bytes)));
    Model out;
    return Model::from_gguf(w.finish(), &out);
  };
  const auto unknown = ap::gguf::make_string("mamba");
  CHECK(variant("general.architecture", &unknown) ==
        "GGUF: architecture 'mamba' is not supported (llama, qwen2 and gpt2 are)");
  CHECK(variant("general.architecture", nullptr) ==
        "GGUF: the metadata key 'general.architecture' is missing");
  CHECK(variant("llama.block_count", nullptr) == "GGUF: the metadata key 'llama.block_count' is missing");
  const auto huge = ap::gguf::make_u64(uint64_t(1) << 40);
  CHECK(variant("llama.embedding_length", &huge).find("'llama.embedding_length' is 1099511627776") !=
        std::string::npos);
  const auto three = ap::gguf::make_u32(3);
  CHECK(variant("llama.attention.head_count_kv", &three).find("must divide") != std::string::npos);
  CHECK(variant("llama.rope.dimension_count", &three).find("must be even") != std::string::npos);
  const auto text = ap::gguf::make_string("x");
  CHECK(variant("llama.context_length", &text).find("must be an integer, not string") != std::string::npos);
  const auto two = ap::gguf::make_u32(2);
  CHECK(variant("llama.block_count", &two) == "GGUF: the tensor 'blk.1.attn_norm.weight' is missing");
  const auto ff = ap::gguf::make_u32(64);
  CHECK(variant("llama.feed_forward_length", &ff) ==
        "GGUF: tensor 'blk.0.ffn_gate.weight' has shape [32, 32], the hyper-parameters say [32, 64] "
        "(innermost first)");
  // A non-finite weight, and an unsupported tensor type.
  {
    auto b = good;
    const ap::gguf::TensorInfo* t = f.tensor("blk.0.ffn_down.weight");
    const float nan = NAN;
    std::memcpy(b.data() + t->file_offset + 4 * (32 * 3 + 7), &nan, 4);
    CHECK(Model::from_gguf(b, &m) ==
          "tensor 'blk.0.ffn_down.weight' holds a non-finite value at row 3, column 7");
  }
  CHECK(Model::load({'G', 'G', 'U', 'F'}, &m).rfind("GGUF: ", 0) == 0);
  CHECK(Model::load({}, &m).rfind("llama2.c: ", 0) == 0);
}
