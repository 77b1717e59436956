// Small vocabularies the tokenizer tests (and the fuzzers' seed corpus) build themselves.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "tokenizer/pretokenize.h"
#include "tokenizer/vocab.h"

namespace fixtures {

// SentencePiece-style: <unk> 0, <s> 1, </s> 2, <0x00> … <0xFF> 3 … 258, then `pieces` (text, score)
// from id 259, as llama.cpp defaults it (add_bos, add_space_prefix).
inline ap::Vocab spm_vocab(const std::vector<std::pair<std::string, float>>& pieces) {
  ap::Vocab v;
  v.kind = ap::VocabKind::Spm;
  auto add = [&](std::string t, float score, ap::TokenType type) {
    v.tokens.push_back(std::move(t));
    v.scores.push_back(score);
    v.types.push_back(static_cast<int32_t>(type));
  };
  add("<unk>", 0, ap::TokenType::Unknown);
  add("<s>", 0, ap::TokenType::Control);
  add("</s>", 0, ap::TokenType::Control);
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    add(name, 0, ap::TokenType::Byte);
  }
  for (const auto& [t, s] : pieces) add(t, s, ap::TokenType::Normal);
  ap::set_llama_cpp_defaults(&v);
  return v;
}
inline constexpr int32_t kSpmFirstPiece = 259;
inline int32_t spm_byte(unsigned char b) { return 3 + b; }

// GPT-2 byte-level: the 256 byte characters as ids 0 … 255 (in byte order), then `extra` tokens, and
// the merges in rank order.
inline ap::Vocab bpe_vocab(const std::vector<std::string>& extra, const std::vector<std::string>& merges,
                           const std::string& pre) {
  ap::Vocab v;
  v.kind = ap::VocabKind::Bpe;
  v.pre = pre;
  for (int b = 0; b < 256; ++b) v.tokens.push_back(ap::byte_to_unicode(static_cast<unsigned char>(b)));
  for (const std::string& t : extra) v.tokens.push_back(t);
  v.types.assign(v.tokens.size(), static_cast<int32_t>(ap::TokenType::Normal));
  v.merges = merges;
  ap::set_llama_cpp_defaults(&v);
  ap::drop_out_of_range_defaults(&v);
  v.bos_id = v.eos_id = -1;
  v.add_bos = false;
  return v;
}

// llama2.c tokenizer.bin bytes: <unk>, "\n<s>\n", "\n</s>\n", <0x00> … <0xFF>, then `pieces`.
inline void put_i32(std::vector<uint8_t>* out, int32_t v) {
  uint32_t u;
  std::memcpy(&u, &v, 4);
  for (int k = 0; k < 4; ++k) out->push_back(static_cast<uint8_t>(u >> (8 * k)));
}
inline std::vector<uint8_t> tokenizer_bin(const std::vector<std::pair<std::string, float>>& pieces) {
  std::vector<std::pair<std::string, float>> all = {{"<unk>", 0.0f}, {"\n<s>\n", 0.0f}, {"\n</s>\n", 0.0f}};
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    all.emplace_back(name, 0.0f);
  }
  all.insert(all.end(), pieces.begin(), pieces.end());
  size_t longest = 0;
  for (const auto& p : all) longest = std::max(longest, p.first.size());
  std::vector<uint8_t> out;
  put_i32(&out, static_cast<int32_t>(longest));
  for (const auto& [t, s] : all) {
    int32_t bits;
    std::memcpy(&bits, &s, 4);
    put_i32(&out, bits);
    put_i32(&out, static_cast<int32_t>(t.size()));
    out.insert(out.end(), t.begin(), t.end());
  }
  return out;
}
inline constexpr int32_t kLlama2cFirstPiece = 259;

}  // namespace fixtures
