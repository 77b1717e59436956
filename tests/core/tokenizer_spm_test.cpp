// SentencePiece-style BPE (llama.cpp's llm_tokenizer_spm) on vocabularies built here, hand-checked.
#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"
#include "tokenizer_fixtures.h"

namespace {

using Ids = std::vector<int32_t>;
const std::string kSp = "\xE2\x96\x81";  // ▁

// Pieces from id 259: ▁ a b c ab bc ▁a ▁▁ 猫 ▁猫
ap::Vocab base_vocab(float ab = -3.0f, float bc = -4.0f) {
  return fixtures::spm_vocab({{kSp, -1.0f},
                              {"a", -2.0f},
                              {"b", -2.0f},
                              {"c", -2.0f},
                              {"ab", ab},
                              {"bc", bc},
                              {kSp + "a", -5.0f},
                              {kSp + kSp, -1.5f},
                              {"\xE7\x8C\xAB", -2.0f},
                              {kSp + "\xE7\x8C\xAB", -6.0f}});
}
constexpr int32_t kSpace = 259, kA = 260, kB = 261, kC = 262, kAB = 263, kBC = 264, kSpA = 265, kSpSp = 266,
                  kCat = 267, kSpCat = 268;

Ids tokenize(const ap::Tokenizer& t, const std::string& s, bool special = true) {
  Ids ids;
  ap::TokenizeOptions o;
  o.add_special = special;
  const std::string err = t.tokenize(s, &ids, o);
  REQUIRE(err.empty());
  return ids;
}

std::string detokenize(const ap::Tokenizer& t, const Ids& ids, ap::DetokenizeOptions o = {}) {
  std::string s;
  REQUIRE(t.detokenize(ids.data(), ids.size(), &s, o).empty());
  return s;
}

// The algorithm as stated, independently of the queue: merge the adjacent pair whose concatenation is
// the best-scoring token, the leftmost of equals, until none is left; then unknown symbols as bytes.
Ids reference_spm(const ap::Vocab& v, std::string text) {
  std::string escaped = " " + text, t;
  for (char c : escaped) t += c == ' ' ? kSp : std::string(1, c);
  std::vector<std::string> sym;
  for (size_t i = 0; i < t.size();) {
    const size_t len = std::min<size_t>(ap::unicode::utf8_len(t[i]), t.size() - i);
    sym.push_back(t.substr(i, len));
    i += len;
  }
  auto id_of = [&](const std::string& s) -> int32_t {
    for (size_t i = 0; i < v.tokens.size(); ++i)
      if (v.tokens[i] == s) return static_cast<int32_t>(i);
    return -1;
  };
  for (;;) {
    int best = -1;
    float best_score = 0;
    for (size_t i = 0; i + 1 < sym.size(); ++i) {
      const int32_t id = id_of(sym[i] + sym[i + 1]);
      if (id >= 0 && (best < 0 || v.scores[static_cast<size_t>(id)] > best_score)) {
        best = static_cast<int>(i);
        best_score = v.scores[static_cast<size_t>(id)];
      }
    }
    if (best < 0) break;
    sym[static_cast<size_t>(best)] += sym[static_cast<size_t>(best) + 1];
    sym.erase(sym.begin() + best + 1);
  }
  Ids ids = {1};
  for (const std::string& s : sym) {
    const int32_t id = id_of(s);
    if (id >= 0) {
      ids.push_back(id);
    } else {
      for (char c : s) ids.push_back(fixtures::spm_byte(static_cast<unsigned char>(c)));
    }
  }
  return ids;
}

}  // namespace

TEST_CASE("spm: merges the highest-scoring pair first", "[tokenizer][spm]") {
  ap::Tokenizer t;
  REQUIRE(t.init(base_vocab(-3.0f, -4.0f)).empty());
  // "▁abc": ab (−3) beats bc (−4) and ▁a (−5); then ▁+ab and ab+c are no tokens.
  CHECK(tokenize(t, "abc") == Ids{1, kSpace, kAB, kC});
  ap::Tokenizer u;
  REQUIRE(u.init(base_vocab(-3.0f, -2.5f)).empty());
  // bc (−2.5) first, which leaves ▁a (−5) to merge.
  CHECK(tokenize(u, "abc") == Ids{1, kSpA, kBC});
}

TEST_CASE("spm: equal scores merge leftmost first; leading spaces", "[tokenizer][spm]") {
  ap::Tokenizer t;
  REQUIRE(t.init(base_vocab()).empty());
  // "  a" → "▁▁▁a": ▁▁ at 0 and at 1 tie; the left one merges, then ▁a.
  CHECK(tokenize(t, "  a") == Ids{1, kSpSp, kSpA});
  CHECK(detokenize(t, {kSpSp, kSpA}) == "  a");
}

TEST_CASE("spm: byte fallback for CJK and emoji missing from the vocabulary", "[tokenizer][spm]") {
  ap::Tokenizer t;
  REQUIRE(t.init(base_vocab()).empty());
  // 猫 is a piece (and ▁猫); 犬 (E7 8A AC) and 😀 (F0 9F 98 80) are not.
  CHECK(tokenize(t, "\xE7\x8C\xAB") == Ids{1, kSpCat});
  CHECK(tokenize(t, "\xE7\x8C\xAB\xE7\x8A\xAC") ==
        Ids{1, kSpCat, fixtures::spm_byte(0xE7), fixtures::spm_byte(0x8A), fixtures::spm_byte(0xAC)});
  CHECK(tokenize(t, "\xF0\x9F\x98\x80") == Ids{1, kSpace, fixtures::spm_byte(0xF0), fixtures::spm_byte(0x9F),
                                               fixtures::spm_byte(0x98), fixtures::spm_byte(0x80)});
  CHECK(tokenize(t, "a\xE7\x8C\xAB", false) == Ids{kSpA, kCat});
  CHECK(detokenize(t, tokenize(t, "\xE7\x8C\xAB\xE7\x8A\xAC\xF0\x9F\x98\x80", false)) ==
        "\xE7\x8C\xAB\xE7\x8A\xAC\xF0\x9F\x98\x80");
}

TEST_CASE("spm: empty text, BOS, EOS and the space llama.cpp keeps after BOS", "[tokenizer][spm]") {
  ap::Vocab v = base_vocab();
  ap::Tokenizer t;
  REQUIRE(t.init(v).empty());
  CHECK(tokenize(t, "") == Ids{1});  // SentencePiece: encode('') with BOS is [BOS]
  CHECK(tokenize(t, "", false).empty());
  // llama_detokenize: the prefix space is removed from the first piece, unless a BOS comes first.
  CHECK(detokenize(t, {kSpA, kBC}) == "abc");
  CHECK(detokenize(t, {1, kSpA, kBC}) == " abc");
  ap::DetokenizeOptions remove;
  remove.remove_special = true;
  CHECK(detokenize(t, {1, kSpA, kBC}, remove) == " abc");
  ap::DetokenizeOptions show;
  show.unparse_special = true;
  CHECK(detokenize(t, {1, kSpA, 2}, show) == "<s> a</s>");
  CHECK(detokenize(t, {1, kSpA, 2}) == " a");
  v.add_eos = true;
  ap::Tokenizer e;
  REQUIRE(e.init(v).empty());
  CHECK(tokenize(e, "a") == Ids{1, kSpA, 2});
}

TEST_CASE("spm: control tokens in the text stay text unless parse_special", "[tokenizer][spm]") {
  ap::Tokenizer t;
  REQUIRE(t.init(base_vocab()).empty());
  const Ids plain = tokenize(t, "a</s>", false);
  CHECK(std::find(plain.begin(), plain.end(), 2) == plain.end());
  Ids ids;
  ap::TokenizeOptions o;
  o.parse_special = true;
  o.add_special = false;
  REQUIRE(t.tokenize("a</s>a", &ids, o).empty());
  // "▁a", </s>, then "▁a" again: text after a special token gets the prefix space too.
  CHECK(ids == Ids{kSpA, 2, kSpA});
}

TEST_CASE("spm: invalid UTF-8 goes through byte tokens and comes back unchanged", "[tokenizer][spm]") {
  ap::Tokenizer t;
  REQUIRE(t.init(base_vocab()).empty());
  // 0xFF announces a 4-byte sequence: the symbol is cut at the end of the text.
  CHECK(tokenize(t, "\xFF", false) == Ids{kSpace, fixtures::spm_byte(0xFF)});
  CHECK(detokenize(t, tokenize(t, "\xFF", false)) == "\xFF");
  CHECK(detokenize(t, tokenize(t, "a\x80\xC3", false)) == "a\x80\xC3");
}

TEST_CASE("spm: a missing byte token falls back to UNK, or is a clear error", "[tokenizer][spm]") {
  ap::Vocab v = base_vocab();
  v.tokens[fixtures::spm_byte(0xE7)] = "<0xe7-gone>";
  v.types[fixtures::spm_byte(0xE7)] = static_cast<int32_t>(ap::TokenType::Normal);
  ap::Tokenizer t;
  REQUIRE(t.init(v).empty());
  CHECK(tokenize(t, "\xE7\x8A\xAC", false) ==
        Ids{kSpace, 0, fixtures::spm_byte(0x8A), fixtures::spm_byte(0xAC)});
  v.unk_id = -1;
  REQUIRE(t.init(v).empty());
  Ids ids = {42};
  const std::string err = t.tokenize("\xE7\x8A\xAC", &ids);
  CHECK(err.find("<0xE7>") != std::string::npos);
  CHECK(ids == Ids{42});  // unchanged on failure
}

TEST_CASE("spm: matches the plain statement of the algorithm on random text", "[tokenizer][spm]") {
  std::mt19937 rng(7);
  const std::vector<std::string> alphabet = {
      "a", "b", "c", " ", "\xE7\x8C\xAB", "\xC3\xA9", "\xF0\x9F\x98\x80", "\n"};
  for (int round = 0; round < 20; ++round) {
    // Random scores, with many ties.
    std::uniform_int_distribution<int> score(-4, 0);
    std::vector<std::pair<std::string, float>> pieces;
    for (const char* p : {"\xE2\x96\x81", "a", "b", "ab", "ba", "bc", "abc",
                          "\xE2\x96\x81"
                          "a",
                          "aa", "cc", "\xE2\x96\x81\xE2\x96\x81", "a\xE2\x96\x81"})
      pieces.emplace_back(p, static_cast<float>(score(rng)));
    const ap::Vocab v = fixtures::spm_vocab(pieces);
    ap::Tokenizer t;
    REQUIRE(t.init(v).empty());
    for (int k = 0; k < 25; ++k) {
      std::string s;
      const int len = std::uniform_int_distribution<int>(0, 24)(rng);
      for (int i = 0; i < len; ++i)
        s += alphabet[std::uniform_int_distribution<size_t>(0, alphabet.size() - 1)(rng)];
      INFO("text: " << s);
      const Ids ids = tokenize(t, s);
      if (!s.empty()) CHECK(ids == reference_spm(v, s));
      // Round trip: without BOS the prefix space is removed again.
      CHECK(detokenize(t, tokenize(t, s, false)) == s);
    }
  }
}
