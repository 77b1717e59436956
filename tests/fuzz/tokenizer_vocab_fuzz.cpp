// libFuzzer harness: SentencePiece and GPT-2 BPE tokenizers on a fuzzed vocabulary and text. The
// input's bytes choose the kind, the tokens (with or without the 256 byte tokens), scores, types,
// special ids, flags, merges and the pre-tokenizer; what is left is the text.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>

#include "fuzz_support.h"
#include "tokenizer/pretokenize.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"
#include "tokenizer_fixtures.h"

namespace {

// Fuzzed bytes made mostly valid UTF-8 (invalid bytes become U+FFFD), so vocabularies get past
// validation often; raw bytes are kept one time in eight to exercise its messages.
std::string string_from(FuzzedDataProvider& p, size_t max_len) {
  std::string raw = p.ConsumeRandomLengthString(max_len);
  if (p.ConsumeIntegralInRange<int>(0, 7) == 0) return raw;
  std::string out;
  for (uint32_t c : ap::unicode::decode_utf8(raw)) ap::unicode::append_utf8(c, &out);
  return out;
}

const char* const kPres[] = {"",       "default",   "gpt-2",     "llama-bpe", "qwen2",
                             "smollm", "command-r", "stablelm2", "dbrx",      "no-such-pre"};

void write_seeds(fuzz::Seeds& seeds) {
  for (const char* text : {"Hello world", "I'm 12345 ok\n\n", " \xE7\x8C\xAB\xF0\x9F\x98\x80 a  b",
                           "\xFF\xFE", "<s>a</s>", "a , b 's c ' d"}) {
    seeds.add(std::string(48, '\x01') + text);
    seeds.add(std::string(48, '\xA5') + text);
  }
}

}  // namespace

AP_FUZZ_SEEDS(write_seeds)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider p(data, size);
  const bool bpe = p.ConsumeBool();
  const bool with_bytes = p.ConsumeBool();
  static const ap::Vocab kBpeBase = fixtures::bpe_vocab({}, {}, ""), kSpmBase = fixtures::spm_vocab({});
  ap::Vocab v = bpe ? kBpeBase : kSpmBase;
  if (!with_bytes) v = ap::Vocab{v.kind};
  v.pre = kPres[p.ConsumeIntegralInRange<size_t>(0, sizeof kPres / sizeof kPres[0] - 1)];
  const int extra = p.ConsumeIntegralInRange<int>(0, 64);
  for (int i = 0; i < extra; ++i) v.tokens.push_back(string_from(p, 12));
  if (!v.scores.empty() || p.ConsumeBool()) {
    v.scores.resize(v.tokens.size(), 0.0f);
    for (size_t i = v.scores.size() - static_cast<size_t>(extra); i < v.scores.size(); ++i)
      v.scores[i] = static_cast<float>(p.ConsumeIntegralInRange<int>(-8, 8));
  }
  if (!v.types.empty() || p.ConsumeBool()) {
    v.types.resize(v.tokens.size(), 1);
    for (size_t i = v.types.size() - static_cast<size_t>(extra); i < v.types.size(); ++i)
      v.types[i] = p.ConsumeIntegralInRange<int32_t>(-1, 7);
  }
  if (bpe) {
    const int merges = p.ConsumeIntegralInRange<int>(0, 64);
    for (int i = 0; i < merges; ++i) v.merges.push_back(string_from(p, 12));
  }
  const int32_t n = static_cast<int32_t>(v.tokens.size());
  v.bos_id = p.ConsumeIntegralInRange<int32_t>(-2, n);
  v.eos_id = p.ConsumeIntegralInRange<int32_t>(-2, n);
  v.unk_id = p.ConsumeIntegralInRange<int32_t>(-2, n);
  v.add_bos = p.ConsumeBool();
  v.add_eos = p.ConsumeBool();
  v.add_space_prefix = p.ConsumeBool();
  ap::TokenizeOptions to;
  to.add_special = p.ConsumeBool();
  to.parse_special = p.ConsumeBool();
  ap::DetokenizeOptions dop;
  dop.remove_special = p.ConsumeBool();
  dop.unparse_special = p.ConsumeBool();
  const std::string text = p.ConsumeRemainingBytesAsString();

  ap::Tokenizer t;
  const std::string err = t.init(v);
  AP_FUZZ_CHECK(err.empty() == t.ready());
  if (!err.empty()) return 0;
  std::vector<int32_t> ids;
  if (!t.tokenize(text, &ids, to).empty()) {
    AP_FUZZ_CHECK(ids.empty());
    return 0;
  }
  for (int32_t id : ids) AP_FUZZ_CHECK(id >= 0 && id < t.size());
  std::string back;
  AP_FUZZ_CHECK(t.detokenize(ids.data(), ids.size(), &back, dop).empty());
  // With the byte tokens and nothing else, valid UTF-8 (without special tokens' texts) comes back as it
  // was (gpt2, under a pre-tokenizer that keeps spaces); SPM has no ▁ token then, so its spaces (and
  // the prefix space) come back as the bytes of ▁.
  ap::PreTokenizer pre;
  const bool keeps_spaces = !bpe || (ap::find_pre_tokenizer(v.pre, &pre) && !pre.clean_spaces);
  if (with_bytes && extra == 0 && keeps_spaces && !to.add_special &&
      ap::unicode::first_invalid_utf8(text) < 0 && text.find('<') == std::string::npos &&
      text.find('[') == std::string::npos) {
    std::string expected = text;
    if (!bpe) {
      expected = (v.add_space_prefix && !text.empty() ? " " : "") + text;
      std::string escaped;
      for (char c : expected) escaped += c == ' ' ? std::string("\xE2\x96\x81") : std::string(1, c);
      expected = escaped;
    }
    if (back != expected) {
      std::fprintf(stderr, "pre '%s', kind %s: text '%s' came back as '%s'\n", v.pre.c_str(),
                   bpe ? "gpt2" : "spm", text.c_str(), back.c_str());
    }
    AP_FUZZ_CHECK(back == expected);
  }
  for (int32_t id = 0; id < t.size(); ++id) (void)t.piece(id, (id & 1) != 0);
  return 0;
}
