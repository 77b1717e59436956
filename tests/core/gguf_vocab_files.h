// Writes a Vocab as GGUF tokenizer.ggml.* keys (as llama.cpp's converter writes them), for the tests
// and fuzz seeds that need a GGUF file with a tokenizer.
#pragma once

#include <string>
#include <vector>

#include "formats/gguf_writer.h"
#include "tokenizer/vocab.h"

namespace fixtures {

// Every key of the vocabulary, the special ids and flags included (so none is left to the defaults).
inline void add_vocab_keys(ap::gguf::Writer* w, const ap::Vocab& v, bool with_ids = true) {
  using namespace ap::gguf;
  w->add("tokenizer.ggml.model", make_string(v.kind == ap::VocabKind::Bpe ? "gpt2" : "llama"));
  if (!v.pre.empty()) w->add("tokenizer.ggml.pre", make_string(v.pre));
  w->add("tokenizer.ggml.tokens", make_string_array(v.tokens));
  if (!v.scores.empty()) w->add("tokenizer.ggml.scores", make_f32_array(v.scores));
  if (!v.types.empty()) w->add("tokenizer.ggml.token_type", make_i32_array(v.types));
  if (v.kind == ap::VocabKind::Bpe) w->add("tokenizer.ggml.merges", make_string_array(v.merges));
  if (!with_ids) return;
  const auto id = [&](const char* name, int32_t value) {
    if (value >= 0) w->add(std::string("tokenizer.ggml.") + name, make_u32(uint32_t(value)));
  };
  id("bos_token_id", v.bos_id);
  id("eos_token_id", v.eos_id);
  id("unknown_token_id", v.unk_id);
  id("padding_token_id", v.pad_id);
  w->add("tokenizer.ggml.add_bos_token", make_bool(v.add_bos));
  w->add("tokenizer.ggml.add_eos_token", make_bool(v.add_eos));
  w->add("tokenizer.ggml.add_space_prefix", make_bool(v.add_space_prefix));
}

}  // namespace fixtures
