// libFuzzer harness: llama2.c's tokenizer.bin loader, then encode and decode with what it loaded.
// Input: uint16 vocab_size, uint16 text length, the text, then the tokenizer.bin bytes.
#include <cstring>

#include "fuzz_support.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_bin.h"
#include "tokenizer_fixtures.h"

namespace {

std::vector<uint8_t> input(uint16_t vocab_size, const std::string& text, const std::vector<uint8_t>& bin) {
  std::vector<uint8_t> out = {static_cast<uint8_t>(vocab_size), static_cast<uint8_t>(vocab_size >> 8),
                              static_cast<uint8_t>(text.size()), static_cast<uint8_t>(text.size() >> 8)};
  out.insert(out.end(), text.begin(), text.end());
  out.insert(out.end(), bin.begin(), bin.end());
  return out;
}

void write_seeds(fuzz::Seeds& seeds) {
  const std::vector<std::pair<std::string, float>> pieces = {
      {" ", -1},    {"a", -2}, {"b", -2}, {" a", -3}, {"ab", -2.5f}, {"\xE7\x8C\xAB", -1},
      {" the", -4}, {"he", -3}};
  const std::vector<uint8_t> bin = fixtures::tokenizer_bin(pieces);
  const uint16_t n = static_cast<uint16_t>(259 + pieces.size());
  seeds.add(input(n, "ab a the \xE7\x8C\xAB\xF0\x9F\x98\x80", bin));
  seeds.add(input(n, "", bin));
  seeds.add(input(n + 5, "a", bin));  // the file is short of tokens
  seeds.add(input(n, "\x80\x80\x80\x80\x80\xFF", std::vector<uint8_t>(bin.begin(), bin.begin() + 100)));
  seeds.add(input(4, "b", fixtures::tokenizer_bin({})));
}

}  // namespace

AP_FUZZ_SEEDS(write_seeds)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  const int32_t vocab_size = data[0] | (data[1] << 8);
  size_t text_len = data[2] | (data[3] << 8);
  if (text_len > size - 4) text_len = size - 4;
  const std::string text(reinterpret_cast<const char*>(data + 4), text_len);
  const uint8_t* file = data + 4 + text_len;
  const size_t file_size = size - 4 - text_len;

  ap::Vocab vocab;
  const std::string err = ap::parse_tokenizer_bin(file, file_size, vocab_size, &vocab);
  if (!err.empty()) {
    AP_FUZZ_CHECK(vocab.tokens.empty());  // untouched on failure
    return 0;
  }
  AP_FUZZ_CHECK(vocab.tokens.size() == static_cast<size_t>(vocab_size));
  ap::Tokenizer t;
  if (!t.init(vocab).empty()) return 0;
  std::vector<int32_t> ids;
  if (t.tokenize(text, &ids).empty()) {
    for (int32_t id : ids) AP_FUZZ_CHECK(id >= 0 && id < t.size());
    std::string back;
    AP_FUZZ_CHECK(t.detokenize(ids.data(), ids.size(), &back).empty());
  }
  return 0;
}
