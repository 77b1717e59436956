// GPT-2 byte-level BPE (llama.cpp's llm_tokenizer_bpe) and its pre-tokenizers, hand-checked.
#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "tokenizer/pretokenize.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"
#include "tokenizer_fixtures.h"

namespace {

using Ids = std::vector<int32_t>;
using Words = std::vector<std::string>;

Ids tokenize(const ap::Tokenizer& t, const std::string& s) {
  Ids ids;
  REQUIRE(t.tokenize(s, &ids).empty());
  return ids;
}
std::string detokenize(const ap::Tokenizer& t, const Ids& ids) {
  std::string s;
  REQUIRE(t.detokenize(ids.data(), ids.size(), &s).empty());
  return s;
}
int32_t byte_id(char c) { return static_cast<unsigned char>(c); }

}  // namespace

TEST_CASE("bpe: the byte-to-unicode map", "[tokenizer][bpe]") {
  CHECK(ap::byte_to_unicode(' ') == "\xC4\xA0");   // Ġ U+0120
  CHECK(ap::byte_to_unicode('\n') == "\xC4\x8A");  // Ċ U+010A
  CHECK(ap::byte_to_unicode(0) == "\xC4\x80");     // U+0100
  CHECK(ap::byte_to_unicode('A') == "A");
  CHECK(ap::byte_to_unicode(0xAD) == "\xC5\x83");  // soft hyphen, the last byte remapped: U+0143
  CHECK(ap::byte_to_unicode(0xFF) == "\xC3\xBF");
  for (int b = 0; b < 256; ++b) {
    const std::vector<uint32_t> c =
        ap::unicode::decode_utf8(ap::byte_to_unicode(static_cast<unsigned char>(b)));
    REQUIRE(c.size() == 1);
    CHECK(ap::unicode_to_byte(c[0]) == b);
  }
  CHECK(ap::unicode_to_byte(0x144) == -1);
  CHECK(ap::unicode_to_byte(0x20) == -1);
}

TEST_CASE("pre-tokenizers: the same text split by each rule set", "[tokenizer][bpe]") {
  const std::string s = "I'm 12345 ok";
  CHECK(ap::pre_tokenize(ap::PreSplit::Gpt2, s) == Words{"I", "'m", " 12345", " ok"});
  CHECK(ap::pre_tokenize(ap::PreSplit::Llama3, s) == Words{"I", "'m", " ", "123", "45", " ok"});
  CHECK(ap::pre_tokenize(ap::PreSplit::Qwen2, s) == Words{"I", "'m", " ", "1", "2", "3", "4", "5", " ok"});
  // default: punctuation runs first, then GPT-2's, then \p{N}+, then three digits.
  CHECK(ap::pre_tokenize(ap::PreSplit::Default, s) == Words{"I", "'", "m", " ", "123", "45", " ok"});
  // smollm: every digit alone first, then GPT-2's on what is between.
  CHECK(ap::pre_tokenize(ap::PreSplit::Digits, s) == Words{"I", "'m", " ", "1", "2", "3", "4", "5", " ok"});
}

TEST_CASE("pre-tokenizers: white space, contractions, CJK, emoji", "[tokenizer][bpe]") {
  using ap::PreSplit;
  // \s+(?!\S) leaves the last space to the next word.
  CHECK(ap::pre_tokenize(PreSplit::Gpt2, "a   b") == Words{"a", "  ", " b"});
  CHECK(ap::pre_tokenize(PreSplit::Gpt2, "a  ") == Words{"a", "  "});
  CHECK(ap::pre_tokenize(PreSplit::Gpt2, "  a") == Words{" ", " a"});
  // Llama 3: \s*[\r\n]+ takes white space up to the last line break; case-insensitive contractions.
  CHECK(ap::pre_tokenize(PreSplit::Llama3, "a \n b") == Words{"a", " \n", " b"});
  CHECK(ap::pre_tokenize(PreSplit::Llama3, "a\n\nb") == Words{"a", "\n\n", "b"});
  CHECK(ap::pre_tokenize(PreSplit::Llama3, "I'M") == Words{"I", "'M"});
  CHECK(ap::pre_tokenize(PreSplit::Gpt2, "I'M") == Words{"I", "'", "M"});
  // Punctuation with letters: [^\r\n\p{L}\p{N}]?\p{L}+ takes one leading non-letter.
  CHECK(ap::pre_tokenize(PreSplit::Llama3, "(hi) ...ok") == Words{"(hi", ")", " ...", "ok"});
  // CJK are letters (Lo); emoji are symbols (So); U+3000 is white space.
  CHECK(ap::pre_tokenize(PreSplit::Gpt2, "\xE4\xBD\xA0\xE5\xA5\xBD \xE4\xB8\x96") ==
        Words{"\xE4\xBD\xA0\xE5\xA5\xBD", " \xE4\xB8\x96"});
  CHECK(ap::pre_tokenize(PreSplit::Llama3, "hi\xF0\x9F\x98\x80\xF0\x9F\x98\x80!") ==
        Words{"hi", "\xF0\x9F\x98\x80\xF0\x9F\x98\x80!"});
  CHECK(ap::pre_tokenize(PreSplit::Gpt2,
                         "a\xE3\x80\x80"
                         "b") == Words{"a", "\xE3\x80\x80", "b"});
  // A combining mark (U+0301) is no letter: it splits a decomposed é.
  CHECK(ap::pre_tokenize(PreSplit::Gpt2, "cafe\xCC\x81s") == Words{"cafe", "\xCC\x81", "s"});
  // Invalid UTF-8 becomes U+FFFD (a symbol).
  CHECK(ap::pre_tokenize(PreSplit::Gpt2,
                         "a\xFF"
                         "b") == Words{"a", "\xEF\xBF\xBD", "b"});
  CHECK(ap::pre_tokenize(PreSplit::Gpt2, "").empty());
}

TEST_CASE("bpe: merges by rank, leftmost first among equals", "[tokenizer][bpe]") {
  // ids 256 "ab", 257 "bc"
  ap::Tokenizer t;
  REQUIRE(t.init(fixtures::bpe_vocab({"ab", "bc"}, {"b c", "a b"}, "gpt-2")).empty());
  CHECK(tokenize(t, "abc") == Ids{byte_id('a'), 257});
  REQUIRE(t.init(fixtures::bpe_vocab({"ab", "bc"}, {"a b", "b c"}, "gpt-2")).empty());
  CHECK(tokenize(t, "abc") == Ids{256, byte_id('c')});
  // "aaa": the pair (a, a) at 0 and at 1 has one rank: the left one merges.
  REQUIRE(t.init(fixtures::bpe_vocab({"aa"}, {"a a"}, "gpt-2")).empty());
  CHECK(tokenize(t, "aaa") == Ids{256, byte_id('a')});
  CHECK(tokenize(t, "aaaa") == Ids{256, 256});
}

TEST_CASE("bpe: words, Ġ spaces and detokenize", "[tokenizer][bpe]") {
  // 256 he, 257 the, 258 ca, 259 cat, 260 Ġcat
  const ap::Vocab v = fixtures::bpe_vocab({"he", "the", "ca", "cat",
                                           "\xC4\xA0"
                                           "cat"},
                                          {"h e", "t he", "c a", "ca t", "\xC4\xA0 cat"}, "gpt-2");
  ap::Tokenizer t;
  REQUIRE(t.init(v).empty());
  CHECK(tokenize(t, "the cat") == Ids{257, 260});
  CHECK(tokenize(t, "the  cat") == Ids{257, byte_id(' '), 260});
  CHECK(t.token_text(260) ==
        "\xC4\xA0"
        "cat");
  CHECK(t.piece(260, false) == " cat");
  CHECK(detokenize(t, {257, 260}) == "the cat");
  // CJK and emoji come out of their bytes' characters.
  const std::string cjk = "\xE7\x8C\xAB\xF0\x9F\x98\x80";
  CHECK(tokenize(t, cjk).size() == 7);
  CHECK(detokenize(t, tokenize(t, cjk)) == cjk);
  CHECK(tokenize(t, "").empty());
}

TEST_CASE("bpe: ignore_merges takes a word that is a token whole (llama3)", "[tokenizer][bpe]") {
  // "abc" is a token but no merge builds it.
  ap::Tokenizer l3, g2;
  REQUIRE(l3.init(fixtures::bpe_vocab({"abc", "ab"}, {"a b"}, "llama-bpe")).empty());
  REQUIRE(g2.init(fixtures::bpe_vocab({"abc", "ab"}, {"a b"}, "gpt-2")).empty());
  CHECK(tokenize(l3, "abc") == Ids{256});
  CHECK(tokenize(g2, "abc") == Ids{257, byte_id('c')});
}

TEST_CASE("bpe: clean_spaces in detokenize follows the pre-tokenizer", "[tokenizer][bpe]") {
  ap::Tokenizer clean, keep;
  REQUIRE(clean.init(fixtures::bpe_vocab({}, {}, "gpt-2")).empty());
  REQUIRE(keep.init(fixtures::bpe_vocab({}, {}, "qwen2")).empty());
  const std::string s = "a , b 's c ' d";
  CHECK(detokenize(clean, tokenize(clean, s)) == "a, b's c'd");
  CHECK(detokenize(keep, tokenize(keep, s)) == s);
}

TEST_CASE("bpe: a byte without a token is dropped, as llama.cpp does", "[tokenizer][bpe]") {
  ap::Vocab v = fixtures::bpe_vocab({}, {}, "gpt-2");
  v.tokens[byte_id('z')] = "zz";  // no "z" any more
  ap::Tokenizer t;
  REQUIRE(t.init(v).empty());
  CHECK(tokenize(t, "aza") == Ids{byte_id('a'), byte_id('a')});
}

TEST_CASE("bpe: an unknown pre-tokenizer is refused with its name", "[tokenizer][bpe]") {
  ap::Tokenizer t;
  const std::string err = t.init(fixtures::bpe_vocab({}, {}, "gpt2-but-not-quite"));
  CHECK(err.find("'gpt2-but-not-quite'") != std::string::npos);
  CHECK(err.find("qwen2") != std::string::npos);
  CHECK_FALSE(t.ready());
  Ids ids;
  CHECK_FALSE(t.tokenize("a", &ids).empty());
}

TEST_CASE("bpe: detokenize(tokenize(s)) == s over random text, every pre-tokenizer", "[tokenizer][bpe]") {
  std::mt19937 rng(11);
  const std::vector<std::string> alphabet = {"a",
                                             "b",
                                             "A",
                                             " ",
                                             "  ",
                                             "\n",
                                             "\r\n",
                                             "7",
                                             "42",
                                             "-",
                                             "\t",
                                             "\xE7\x8C\xAB",
                                             "\xC3\xA9",
                                             "\xF0\x9F\x98\x80",
                                             "\xE3\x80\x80",
                                             "\xCC\x81",
                                             "\xD9\x85",
                                             "'s"};  // "'s" last
  // Merges over Ġ, letters and digits, under four pre-tokenizers.
  const ap::Vocab base = fixtures::bpe_vocab({"ab",
                                              "\xC4\xA0"
                                              "a",
                                              "42", "\xC4\xA0\xC4\xA0"},
                                             {"a b", "\xC4\xA0 a", "4 2", "\xC4\xA0 \xC4\xA0"}, "qwen2");
  for (const char* pre : {"qwen2", "llama-bpe", "smollm", "command-r"}) {
    ap::Vocab v = base;
    v.pre = pre;
    ap::Tokenizer t;
    REQUIRE(t.init(v).empty());
    ap::PreTokenizer info;
    REQUIRE(ap::find_pre_tokenizer(pre, &info));
    // llama-bpe cleans spaces: " 's" comes back as "'s" (llama.cpp's detokenize), so no apostrophes.
    const size_t letters = info.clean_spaces ? alphabet.size() - 1 : alphabet.size();
    for (int k = 0; k < 200; ++k) {
      std::string s;
      const int len = std::uniform_int_distribution<int>(0, 16)(rng);
      for (int i = 0; i < len; ++i) s += alphabet[std::uniform_int_distribution<size_t>(0, letters - 1)(rng)];
      INFO(pre << ": " << s);
      CHECK(detokenize(t, tokenize(t, s)) == s);
    }
  }
}

TEST_CASE("bpe: end-of-generation texts become control tokens; over-long text is refused",
          "[tokenizer][bpe]") {
  // 256 "<|endoftext|>", given the normal type, as llama.cpp overrides it.
  ap::Tokenizer t;
  REQUIRE(t.init(fixtures::bpe_vocab({"<|endoftext|>"}, {}, "gpt-2")).empty());
  CHECK((t.attributes(256) & ap::Tokenizer::kControl) != 0);
  CHECK(t.piece(256, false).empty());
  CHECK(t.piece(256, true) == "<|endoftext|>");
  // Text is text: the control token is written out byte by byte unless parse_special.
  CHECK(tokenize(t, "<|endoftext|>").size() == 13);
  Ids ids;
  ap::TokenizeOptions o;
  o.parse_special = true;
  REQUIRE(t.tokenize("a<|endoftext|>", &ids, o).empty());
  CHECK(ids == Ids{byte_id('a'), 256});
  ids.clear();
  const std::string err = t.tokenize(std::string(ap::kMaxTextBytes + 1, 'a'), &ids);
  CHECK(err.find("at most 1048576") != std::string::npos);
  CHECK(ids.empty());
}
