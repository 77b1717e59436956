// llama2.c's tokenizer.bin parser and run.c's encode/decode, on files the tests write.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_bin.h"
#include "tokenizer_fixtures.h"

namespace {

using Ids = std::vector<int32_t>;
constexpr int32_t kFirst = fixtures::kLlama2cFirstPiece;
// Pieces from id 259: " " a b c " a" ab bc 猫 " 猫"
const std::vector<std::pair<std::string, float>> kPieces = {{" ", -1.0f},
                                                            {"a", -2.0f},
                                                            {"b", -2.0f},
                                                            {"c", -2.0f},
                                                            {" a", -5.0f},
                                                            {"ab", -3.0f},
                                                            {"bc", -4.0f},
                                                            {"\xE7\x8C\xAB", -2.0f},
                                                            {" \xE7\x8C\xAB", -2.5f}};
constexpr int32_t kSpace = kFirst, kA = kFirst + 1, kC = kFirst + 3, kSpA = kFirst + 4, kAB = kFirst + 5,
                  kBC = kFirst + 6, kSpCat = kFirst + 8;

ap::Tokenizer load(const std::vector<uint8_t>& bin, int32_t vocab_size) {
  ap::Vocab v;
  const std::string err = ap::parse_tokenizer_bin(bin.data(), bin.size(), vocab_size, &v);
  REQUIRE(err.empty());
  ap::Tokenizer t;
  REQUIRE(t.init(v).empty());
  return t;
}

Ids encode(const ap::Tokenizer& t, const std::string& s) {
  Ids ids;
  REQUIRE(t.tokenize(s, &ids).empty());
  return ids;
}

// run.c's encode() as written: the quadratic rescan after every merge.
Ids run_c_encode(const ap::Vocab& v, const std::string& text) {
  auto lookup = [&](const std::string& s) -> int32_t {
    for (size_t i = 0; i < v.tokens.size(); ++i)
      if (v.tokens[i] == s) return static_cast<int32_t>(i);
    return -1;
  };
  Ids tokens = {1};
  if (!text.empty()) tokens.push_back(lookup(" "));
  std::string buf;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((text[i] & 0xC0) != 0x80) buf.clear();
    buf += text[i];
    if (i + 1 < text.size() && (text[i + 1] & 0xC0) == 0x80 && buf.size() < 4) continue;
    const int32_t id = lookup(buf);
    if (id >= 0) {
      tokens.push_back(id);
    } else {
      for (char c : buf) tokens.push_back(3 + static_cast<unsigned char>(c));
    }
    buf.clear();
  }
  for (;;) {
    float best_score = -1e10f;
    int best_id = -1, best_idx = -1;
    for (size_t i = 0; i + 1 < tokens.size(); ++i) {
      const int32_t id =
          lookup(v.tokens[static_cast<size_t>(tokens[i])] + v.tokens[static_cast<size_t>(tokens[i + 1])]);
      if (id != -1 && v.scores[static_cast<size_t>(id)] > best_score) {
        best_score = v.scores[static_cast<size_t>(id)];
        best_id = id;
        best_idx = static_cast<int>(i);
      }
    }
    if (best_idx == -1) break;
    tokens[static_cast<size_t>(best_idx)] = best_id;
    tokens.erase(tokens.begin() + best_idx + 1);
  }
  return tokens;
}

}  // namespace

TEST_CASE("llama2.c: encode merges by score, with BOS and the dummy prefix", "[tokenizer][llama2c]") {
  const std::vector<uint8_t> bin = fixtures::tokenizer_bin(kPieces);
  const ap::Tokenizer t = load(bin, 259 + static_cast<int32_t>(kPieces.size()));
  // " abc": ab (−3) first; " a" then cannot form.
  CHECK(encode(t, "abc") == Ids{1, kSpace, kAB, kC});
  CHECK(encode(t, "") == Ids{1});
  // Byte fallback: é is no token: its bytes are ids 3 + byte.
  CHECK(encode(t, "\xC3\xA9") == Ids{1, kSpace, 3 + 0xC3, 3 + 0xA9});
  CHECK(encode(t, "\xE7\x8C\xAB") == Ids{1, kSpCat});
  // Stray continuation bytes group in fours (run.c's buffer), then fall back to bytes.
  CHECK(encode(t, "\x80\x80\x80\x80\x80") ==
        Ids{1, kSpace, 3 + 0x80, 3 + 0x80, 3 + 0x80, 3 + 0x80, 3 + 0x80});
}

TEST_CASE("llama2.c: decode strips the space after BOS and turns <0xXX> into bytes", "[tokenizer][llama2c]") {
  const ap::Tokenizer t = load(fixtures::tokenizer_bin(kPieces), 259 + static_cast<int32_t>(kPieces.size()));
  std::string s;
  const Ids ids = {1, kSpA, kBC, 3 + 0xC3, 3 + 0xA9};
  REQUIRE(t.detokenize(ids.data(), ids.size(), &s).empty());
  CHECK(s == "abc\xC3\xA9");
  const Ids no_bos = {kSpA, kA};
  REQUIRE(t.detokenize(no_bos.data(), no_bos.size(), &s).empty());
  CHECK(s == " aa");
  const Ids bad = {kA, 100000};
  CHECK(t.detokenize(bad.data(), bad.size(), &s).find("100000") != std::string::npos);
}

TEST_CASE("llama2.c: the queue gives run.c's merges on random text and scores", "[tokenizer][llama2c]") {
  std::mt19937 rng(3);
  const std::vector<std::string> alphabet = {"a", "b", "c", " ", "\xE7\x8C\xAB", "\xC3\xA9", "\n", "\x80"};
  for (int round = 0; round < 20; ++round) {
    std::vector<std::pair<std::string, float>> pieces;
    std::uniform_int_distribution<int> score(-3, 0);
    for (const char* p : {" ", "a", "b", "c", " a", "ab", "ba", "bc", "aa", "  ", "abc", " b", "cc", "\n"})
      pieces.emplace_back(p, static_cast<float>(score(rng)));
    const std::vector<uint8_t> bin = fixtures::tokenizer_bin(pieces);
    ap::Vocab v;
    REQUIRE(ap::parse_tokenizer_bin(bin.data(), bin.size(), 259 + static_cast<int32_t>(pieces.size()), &v)
                .empty());
    ap::Tokenizer t;
    REQUIRE(t.init(v).empty());
    for (int k = 0; k < 25; ++k) {
      std::string s;
      const int len = std::uniform_int_distribution<int>(0, 20)(rng);
      for (int i = 0; i < len; ++i)
        s += alphabet[std::uniform_int_distribution<size_t>(0, alphabet.size() - 1)(rng)];
      INFO("text: " << s);
      const Ids ids = encode(t, s);
      CHECK(ids == run_c_encode(v, s));
      std::string back;
      REQUIRE(t.detokenize(ids.data(), ids.size(), &back).empty());
      CHECK(back == s);
    }
  }
}

TEST_CASE("llama2.c: tokenizer.bin sizes are checked against the file", "[tokenizer][llama2c]") {
  const std::vector<uint8_t> bin = fixtures::tokenizer_bin(kPieces);
  const int32_t n = 259 + static_cast<int32_t>(kPieces.size());
  ap::Vocab v;
  v.tokens = {"untouched"};
  auto parse = [&](const std::vector<uint8_t>& data, int32_t vocab_size) {
    return ap::parse_tokenizer_bin(data.data(), data.size(), vocab_size, &v);
  };
  CHECK(parse(bin, n).empty());
  CHECK(v.tokens.size() == static_cast<size_t>(n));
  CHECK(v.tokens[1] == "\n<s>\n");
  CHECK(v.scores[static_cast<size_t>(kAB)] == -3.0f);
  // Fewer tokens than the model says.
  std::string err = parse(bin, n + 1);
  CHECK(err.find("ends after " + std::to_string(n) + " of the model's " + std::to_string(n + 1)) !=
        std::string::npos);
  CHECK(err.find("at byte " + std::to_string(bin.size())) != std::string::npos);
  // Cut inside a token's bytes and inside its header.
  for (size_t cut : {size_t{0}, size_t{3}, size_t{4}, size_t{10}, size_t{14}, bin.size() - 1}) {
    std::vector<uint8_t> part(bin.begin(), bin.begin() + static_cast<long>(cut));
    v.tokens = {"untouched"};
    INFO("cut at " << cut);
    CHECK_FALSE(parse(part, n).empty());
    CHECK(v.tokens == std::vector<std::string>{"untouched"});
  }
  // A negative and an absurd length; a NaN score; a bad vocabulary size.
  std::vector<uint8_t> bad = bin;
  const int32_t minus = -5, huge = 0x7FFFFFF0;
  std::memcpy(&bad[8], &minus, 4);
  CHECK(parse(bad, n).find("negative token length -5 (token 0, at byte 4)") != std::string::npos);
  std::memcpy(&bad[8], &huge, 4);
  CHECK(parse(bad, n).find("over the limit") != std::string::npos);
  bad = bin;
  const uint32_t nan_bits = 0x7FC00000u;
  std::memcpy(&bad[4], &nan_bits, 4);
  CHECK(parse(bad, n).find("not a number") != std::string::npos);
  CHECK(parse(bin, 0).find("vocabulary size 0") != std::string::npos);
  CHECK(parse(bin, -7).find("vocabulary size -7") != std::string::npos);
  // Invalid UTF-8 in a token.
  bad = fixtures::tokenizer_bin({{"\xFF", 0.0f}});
  CHECK(parse(bad, 260).find("token 259") != std::string::npos);
}

TEST_CASE("llama2.c: missing ' ' token and byte tokens beyond a small vocabulary", "[tokenizer][llama2c]") {
  // Only 5 tokens: no " " and no room for byte fallback.
  ap::Vocab v;
  v.kind = ap::VocabKind::Llama2c;
  v.tokens = {"<unk>", "<s>", "</s>", "a", " "};
  v.scores = {0, 0, 0, -1, -1};
  v.bos_id = 1, v.eos_id = 2, v.unk_id = 0, v.add_bos = true;
  ap::Tokenizer t;
  REQUIRE(t.init(v).empty());
  Ids ids;
  CHECK(t.tokenize("a", &ids).empty());
  CHECK(ids == Ids{1, 4, 3});
  ids.clear();
  CHECK(t.tokenize("b", &ids).find("byte fallback needs token 101") != std::string::npos);
  v.tokens[4] = "x";
  REQUIRE(t.init(v).empty());
  CHECK(t.tokenize("a", &ids).find("no ' ' token") != std::string::npos);
}
