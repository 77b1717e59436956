// gpt2's fused attn_qkv has one K/V head per query head: a file that says fewer is refused at load
// (it made the forward read past the K/V rows).
#include <catch2/catch.hpp>

#include "model/model.h"
#include "model_files.h"

TEST_CASE("model: gpt2 with head_count_kv below head_count is refused", "[model]") {
  ap_test::ModelSpec s;
  s.arch = "gpt2", s.heads = 4, s.kv_heads = 2;
  ap::model::Model m;
  const std::string e = ap::model::Model::from_gguf(ap_test::write_gguf(s), &m);
  CHECK(e.find("gpt2's fused attn_qkv needs head_count_kv = head_count (4), not 2") != std::string::npos);
  s.kv_heads = 4;
  CHECK(ap::model::Model::from_gguf(ap_test::write_gguf(s), &m).empty());
}
