// Vocabulary validation (tokenizer/vocab.h): every bad vocabulary gets a message that says where.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"
#include "tokenizer_fixtures.h"

namespace {

std::string problem(const ap::Vocab& v) { return ap::validate_vocab(v); }
bool says(const std::string& message, const std::string& part) {
  return message.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("vocab: a valid vocabulary passes", "[tokenizer][vocab]") {
  CHECK(problem(fixtures::spm_vocab({{"a", 0}})).empty());
  CHECK(problem(fixtures::bpe_vocab({"ab"}, {"a b"}, "")).empty());
}

TEST_CASE("vocab: sizes, ids, strings and types are checked", "[tokenizer][vocab]") {
  const ap::Vocab good = fixtures::spm_vocab({{"a", 0}, {"b", 0}});
  ap::Vocab v;
  CHECK(says(problem(v), "no tokens"));
  v = good;
  v.scores.pop_back();
  CHECK(says(problem(v), "but 260 scores"));
  v = good;
  v.types.push_back(1);
  CHECK(says(problem(v), "but 262 token types"));
  v = good;
  v.types[259] = 9;
  CHECK(says(problem(v), "token 259 has token type 9"));
  v = good;
  v.types[259] = static_cast<int32_t>(ap::TokenType::Byte);
  CHECK(says(problem(v), "token 259 'a' has the byte type"));
  v = good;
  v.tokens[260] = "a";
  CHECK(says(problem(v), "'a' appears twice in the vocabulary (ids 259 and 260)"));
  v = good;
  v.tokens[260] = "\xC3";
  CHECK(says(problem(v), "token 260"));
  CHECK(says(problem(v), "not valid UTF-8"));
  v = good;
  v.tokens[260] = "\xED\xA0\x80";  // a surrogate
  CHECK(says(problem(v), "not valid UTF-8"));
  v = good;
  v.scores[259] = std::nanf("");
  CHECK(says(problem(v), "token 259 has a score that is not a number"));
  v = good;
  v.bos_id = 261;
  CHECK(says(problem(v), "BOS token id 261 is not in the vocabulary of 261 tokens"));
  v = good;
  v.bos_id = -1;
  CHECK(says(problem(v), "add_bos is set but the vocabulary has no BOS token"));
  v = good;
  v.tokens[260] = std::string(ap::kMaxTokenBytes + 1, 'x');
  CHECK(says(problem(v), "token 260 is 65537 bytes long"));
  v = good;
  v.merges = {"a b"};
  CHECK(says(problem(v), "only a gpt2 vocabulary has merges"));
  v = fixtures::bpe_vocab({}, {"a \xFF"}, "");
  CHECK(says(problem(v), "merge 0"));
  v.merges.clear();
  v.pre = "gpt2";
  CHECK(says(problem(v), "unknown pre-tokenizer 'gpt2'"));
}

TEST_CASE("vocab: empty tokens are named as llama.cpp names them", "[tokenizer][vocab]") {
  ap::Vocab v = fixtures::spm_vocab({{"", 0}, {"a", 0}});
  ap::Tokenizer t;
  REQUIRE(t.init(v).empty());
  CHECK(t.token_text(259) == "[EMPTY_259]");
  v.tokens[260] = "[EMPTY_259]";
  CHECK(says(problem(v), "'[EMPTY_259]' appears twice"));
}

TEST_CASE("vocab: llama.cpp's defaults for GGUF", "[tokenizer][vocab]") {
  ap::Vocab v;
  v.kind = ap::VocabKind::Bpe;
  v.pre = "llama-bpe";
  CHECK(ap::set_llama_cpp_defaults(&v).empty());
  CHECK(v.add_bos);
  CHECK(v.bos_id == 11);
  v.tokens = {"a", "b"};
  ap::drop_out_of_range_defaults(&v);
  CHECK(v.bos_id == -1);
  v.pre = "qwen2";
  CHECK(ap::set_llama_cpp_defaults(&v).empty());
  CHECK_FALSE(v.add_bos);
  v.pre = "no-such-pre";
  CHECK(says(ap::set_llama_cpp_defaults(&v), "'no-such-pre'"));
  ap::Vocab s;
  s.kind = ap::VocabKind::Spm;
  CHECK(ap::set_llama_cpp_defaults(&s).empty());
  CHECK((s.add_bos && s.add_space_prefix && s.bos_id == 1 && s.eos_id == 2 && s.unk_id == 0));
}

TEST_CASE("unicode: categories and UTF-8 as llama.cpp reads them", "[tokenizer][vocab]") {
  using namespace ap::unicode;
  CHECK(category('a') == kLetter);
  CHECK(category('7') == kNumber);
  CHECK(category('~') == kSymbol);
  CHECK(category('_') == kPunctuation);
  CHECK(category(0x732B) == kLetter);     // 猫
  CHECK(category(0x1F600) == kSymbol);    // 😀
  CHECK(category(0x0301) == kMark);       // combining acute
  CHECK(category(0x0663) == kNumber);     // Arabic-Indic three
  CHECK(category(0x0378) == kUndefined);  // unassigned
  CHECK(category(0x10FFFF) == kUndefined);
  CHECK(is_whitespace(0x3000));
  CHECK_FALSE(is_whitespace(0x1C));
  CHECK(decode_utf8("a\xE7\x8C\xAB") == std::vector<uint32_t>{'a', 0x732B});
  CHECK(decode_utf8("\xE7\x8C") == std::vector<uint32_t>{kReplacement, kReplacement});
  CHECK(decode_utf8("\xF7\xBF\xBF\xBF") == std::vector<uint32_t>{kReplacement});
  CHECK(first_invalid_utf8("ok\xC0\x80") == 2);  // overlong
  CHECK(first_invalid_utf8("ok") == -1);
}
