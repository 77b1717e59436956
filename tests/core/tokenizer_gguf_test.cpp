// GGUF tokenizer keys → Vocab (tokenizer/gguf_vocab.h): files the test writes with the GGUF writer,
// read back, and tokenized.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "formats/gguf.h"
#include "formats/gguf_writer.h"
#include "gguf_vocab_files.h"
#include "tokenizer/gguf_vocab.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer_fixtures.h"

namespace {

using namespace ap::gguf;

// Parses the writer's bytes and reads the vocabulary; the message, "" on success.
std::string read_back(const Writer& w, ap::Vocab* v) {
  const std::vector<uint8_t> bytes = w.finish();
  File f;
  const std::string e = parse(bytes.data(), bytes.size(), &f);
  REQUIRE(e.empty());
  return ap::vocab_from_gguf(f, v);
}

bool says(const std::string& message, const std::string& part) {
  return message.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("gguf vocab: an SPM vocabulary round-trips and tokenizes as the in-memory one",
          "[tokenizer][gguf]") {
  const ap::Vocab src = fixtures::spm_vocab({{"\xE2\x96\x81"
                                              "a",
                                              -1},
                                             {"b", -2},
                                             {"\xE2\x96\x81"
                                              "ab",
                                              -0.5f}});
  Writer w;
  fixtures::add_vocab_keys(&w, src);
  ap::Vocab v;
  REQUIRE(read_back(w, &v).empty());
  CHECK(v.kind == ap::VocabKind::Spm);
  CHECK(v.tokens == src.tokens);
  CHECK(v.scores == src.scores);
  CHECK(v.types == src.types);
  CHECK(v.bos_id == 1);
  CHECK(v.eos_id == 2);
  CHECK(v.unk_id == 0);
  CHECK(v.add_bos);
  CHECK(v.add_space_prefix);
  ap::Tokenizer from_file, in_memory;
  REQUIRE(from_file.init(v).empty());
  REQUIRE(in_memory.init(src).empty());
  std::vector<int32_t> a, b;
  REQUIRE(from_file.tokenize("ab a b\n", &a).empty());
  REQUIRE(in_memory.tokenize("ab a b\n", &b).empty());
  CHECK(a == b);
  CHECK(a.front() == 1);                        // BOS
  CHECK(a[1] == fixtures::kSpmFirstPiece + 2);  // ▁ab
}

TEST_CASE("gguf vocab: llama.cpp's defaults apply where the file has no key", "[tokenizer][gguf]") {
  SECTION("SPM without ids or flags: BOS 1, EOS 2, UNK 0, add_bos, add_space_prefix") {
    Writer w;
    fixtures::add_vocab_keys(&w, fixtures::spm_vocab({{"x", 0}}), false);
    ap::Vocab v;
    v.bos_id = 77;  // untouched fields of *out are not read
    REQUIRE(read_back(w, &v).empty());
    CHECK(v.bos_id == 1);
    CHECK(v.eos_id == 2);
    CHECK(v.unk_id == 0);
    CHECK(v.add_bos);
    CHECK(v.add_space_prefix);
  }
  SECTION("gpt2: BOS = EOS = 11 when the vocabulary has token 11, none when it has not") {
    ap::Vocab big = fixtures::bpe_vocab({}, {}, "gpt-2");
    Writer w;
    fixtures::add_vocab_keys(&w, big, false);
    ap::Vocab v;
    REQUIRE(read_back(w, &v).empty());
    CHECK(v.kind == ap::VocabKind::Bpe);
    CHECK(v.pre == "gpt-2");
    CHECK(v.bos_id == 11);
    CHECK(v.eos_id == 11);
    CHECK(v.unk_id == -1);
    CHECK_FALSE(v.add_bos);
    CHECK_FALSE(v.add_space_prefix);

    ap::Vocab tiny;
    tiny.kind = ap::VocabKind::Bpe;
    tiny.tokens = {"a", "b", "ab"};
    tiny.merges = {"a b"};
    Writer w2;
    fixtures::add_vocab_keys(&w2, tiny, false);
    REQUIRE(read_back(w2, &v).empty());
    CHECK(v.bos_id == -1);  // default 11 dropped: 3 tokens
    CHECK(v.eos_id == -1);
    ap::Tokenizer t;
    REQUIRE(t.init(v).empty());
    std::vector<int32_t> ids;
    REQUIRE(t.tokenize("ab", &ids).empty());
    CHECK(ids == std::vector<int32_t>{2});
  }
  SECTION("llama3's pre-tokenizer defaults add_bos; the file's key overrides it") {
    ap::Vocab src = fixtures::bpe_vocab({}, {}, "llama3");
    Writer w;
    fixtures::add_vocab_keys(&w, src, false);
    ap::Vocab v;
    REQUIRE(read_back(w, &v).empty());
    CHECK(v.add_bos);
    Writer w2;
    fixtures::add_vocab_keys(&w2, src, false);
    w2.add("tokenizer.ggml.add_bos_token", make_bool(false));
    w2.add("tokenizer.ggml.bos_token_id", make_u32(5));
    REQUIRE(read_back(w2, &v).empty());
    CHECK_FALSE(v.add_bos);
    CHECK(v.bos_id == 5);
  }
}

TEST_CASE("gguf vocab: bad keys get messages naming the key", "[tokenizer][gguf]") {
  const ap::Vocab src = fixtures::spm_vocab({{"x", 0}});
  ap::Vocab v;
  {
    Writer w;
    CHECK(says(read_back(w, &v), "missing key tokenizer.ggml.model"));
  }
  {
    Writer w;
    w.add("tokenizer.ggml.model", make_string("bert"));
    CHECK(says(read_back(w, &v), "tokenizer.ggml.model = 'bert'"));
  }
  {
    Writer w;
    w.add("tokenizer.ggml.model", make_string("llama"));
    CHECK(says(read_back(w, &v), "missing key tokenizer.ggml.tokens"));
  }
  {
    Writer w;
    w.add("tokenizer.ggml.model", make_string("llama"));
    w.add("tokenizer.ggml.tokens", make_u32(3));
    CHECK(says(read_back(w, &v), "tokenizer.ggml.tokens has type uint32, not an array of strings"));
  }
  {
    Writer w;
    w.add("tokenizer.ggml.model", make_string("llama"));
    w.add("tokenizer.ggml.tokens", make_string_array(src.tokens));
    w.add("tokenizer.ggml.scores", make_f32_array({1, 2}));
    CHECK(says(read_back(w, &v), "tokenizer.ggml.scores has 2 entries for 260 tokens"));
  }
  {
    Writer w;
    w.add("tokenizer.ggml.model", make_string("gpt2"));
    w.add("tokenizer.ggml.pre", make_string("nonesuch"));
    CHECK(says(read_back(w, &v), "unknown pre-tokenizer 'nonesuch'"));
  }
  {
    Writer w;
    w.add("tokenizer.ggml.model", make_string("gpt2"));
    w.add("tokenizer.ggml.tokens", make_string_array({"a"}));
    CHECK(says(read_back(w, &v), "missing key tokenizer.ggml.merges"));
  }
  {
    Writer w;
    fixtures::add_vocab_keys(&w, src, false);
    w.add("tokenizer.ggml.bos_token_id", make_f32(1.5f));
    CHECK(says(read_back(w, &v), "tokenizer.ggml.bos_token_id is not an integer"));
  }
  {
    Writer w;
    fixtures::add_vocab_keys(&w, src, false);
    w.add("tokenizer.ggml.add_bos_token", make_u32(1));
    CHECK(says(read_back(w, &v), "tokenizer.ggml.add_bos_token has type uint32, not bool"));
  }
  {
    // An id beyond the vocabulary passes here and is refused by validation, as llama.cpp does.
    Writer w;
    fixtures::add_vocab_keys(&w, src, false);
    w.add("tokenizer.ggml.eos_token_id", make_u32(999));
    REQUIRE(read_back(w, &v).empty());
    CHECK(says(ap::validate_vocab(v), "EOS token id 999"));
  }
}
