// The tokenizer.bin parser (see tokenizer_bin.h).
#include "tokenizer/tokenizer_bin.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ap {
namespace {

int32_t read_i32(const uint8_t* p) {
  const uint32_t u = static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
                     (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
  int32_t v;
  std::memcpy(&v, &u, sizeof v);
  return v;
}

float read_f32(const uint8_t* p) {
  const int32_t i = read_i32(p);
  float f;
  std::memcpy(&f, &i, sizeof f);
  return f;
}

}  // namespace

std::string parse_tokenizer_bin(const uint8_t* data, size_t size, int32_t vocab_size, Vocab* out) {
  if (vocab_size <= 0 || vocab_size > kMaxVocabTokens) {
    return "tokenizer.bin: the model's vocabulary size " + std::to_string(vocab_size) +
           " is not between 1 and " + std::to_string(kMaxVocabTokens);
  }
  if (data == nullptr && size > 0) return "tokenizer.bin: no data";
  if (size < 4)
    return "tokenizer.bin: " + std::to_string(size) + " bytes is too short for its header (4 bytes)";
  const int32_t max_token_length = read_i32(data);
  if (max_token_length < 0) {
    return "tokenizer.bin: max_token_length is " + std::to_string(max_token_length) + " (at byte 0)";
  }
  Vocab v;
  v.kind = VocabKind::Llama2c;
  v.tokens.reserve(static_cast<size_t>(std::min<int64_t>(vocab_size, static_cast<int64_t>(size / 8))));
  v.scores.reserve(v.tokens.capacity());
  size_t off = 4;
  for (int32_t i = 0; i < vocab_size; ++i) {
    const std::string where = " (token " + std::to_string(i) + ", at byte " + std::to_string(off) + ")";
    if (size - off < 8) {
      return "tokenizer.bin ends after " + std::to_string(i) + " of the model's " +
             std::to_string(vocab_size) + " tokens" + where;
    }
    const float score = read_f32(data + off);
    const int32_t len = read_i32(data + off + 4);
    if (std::isnan(score)) return "tokenizer.bin: a score is not a number" + where;
    if (len < 0) return "tokenizer.bin: negative token length " + std::to_string(len) + where;
    if (static_cast<size_t>(len) > kMaxTokenBytes) {
      return "tokenizer.bin: token length " + std::to_string(len) + " is over the limit of " +
             std::to_string(kMaxTokenBytes) + where;
    }
    if (static_cast<size_t>(len) > size - off - 8) {
      return "tokenizer.bin: a token of " + std::to_string(len) + " bytes runs past the end of the file (" +
             std::to_string(size) + " bytes)" + where;
    }
    v.scores.push_back(score);
    v.tokens.emplace_back(reinterpret_cast<const char*>(data + off + 8), static_cast<size_t>(len));
    off += 8 + static_cast<size_t>(len);
  }
  v.bos_id = vocab_size > 1 ? 1 : -1;
  v.eos_id = vocab_size > 2 ? 2 : -1;
  v.unk_id = 0;
  v.add_bos = v.bos_id >= 0;
  v.add_space_prefix = true;
  if (std::string err = validate_vocab(v); !err.empty()) return "tokenizer.bin: " + err;
  *out = std::move(v);
  return "";
}

}  // namespace ap
