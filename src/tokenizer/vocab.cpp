// Vocabulary validation, the pre-tokenizer names and llama.cpp's defaults (see vocab.h).
#include "tokenizer/vocab.h"

#include <cmath>
#include <cstdio>
#include <deque>
#include <unordered_map>

#include "tokenizer/unicode.h"

namespace ap {
namespace {

std::string quoted(std::string_view s) {
  // Short and printable, for messages: control bytes as \xNN, at most 40 bytes.
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < 40; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > 40) out += "...";
  return out + "'";
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); }

struct PreName {
  const char* name;
  PreTokenizer pre;
};

// llama-vocab.cpp's names for the splitting rules implemented here, with the flags it sets for each
// (its defaults for BPE: clean_spaces on, ignore_merges and add_bos off).
constexpr PreTokenizer kDefault{PreSplit::Default, false, false, true};
constexpr PreTokenizer kGpt2{PreSplit::Gpt2, false, false, true};
constexpr PreTokenizer kGpt2NoClean{PreSplit::Gpt2, false, false, false};
constexpr PreTokenizer kLlama3{PreSplit::Llama3, true, true, true};
constexpr PreTokenizer kLlama3Regex{PreSplit::Llama3, false, false, true};
constexpr PreTokenizer kQwen2{PreSplit::Qwen2, false, false, false};
constexpr PreTokenizer kQwen2Clean{PreSplit::Qwen2, false, false, true};
constexpr PreTokenizer kDigits{PreSplit::Digits, false, false, true};
constexpr PreTokenizer kDigitsNoClean{PreSplit::Digits, false, false, false};

const PreName kPreNames[] = {
    {"default", kDefault},
    {"llama3", kLlama3},
    {"llama-v3", kLlama3},
    {"llama-bpe", kLlama3},
    {"falcon3", kLlama3},
    {"falcon-h1", kLlama3},
    {"pixtral", kLlama3},
    {"midm-2.0", kLlama3},
    {"lfm2", kLlama3},
    {"dbrx", kLlama3Regex},
    {"smaug-bpe", kLlama3Regex},
    {"gpt-2", kGpt2},
    {"phi-2", kGpt2},
    {"jina-es", kGpt2},
    {"jina-de", kGpt2},
    {"gigachat", kGpt2},
    {"jina-v2-es", kGpt2},
    {"jina-v2-de", kGpt2},
    {"a.x-4.0", kGpt2},
    {"mellum", kGpt2},
    {"modern-bert", kGpt2},
    {"exaone4", kGpt2},
    {"mpt", kGpt2},
    {"olmo", kGpt2},
    {"jais", kGpt2},
    {"trillion", kGpt2NoClean},
    {"granite-docling", kGpt2NoClean},
    {"qwen2", kQwen2},
    {"deepseek-r1-qwen", kQwen2},
    {"kormo", kQwen2},
    {"f2llmv2", kQwen2},
    {"hunyuan", kQwen2},
    {"solar-open", kQwen2},
    {"megrez", kQwen2Clean},
    {"stablelm2", kQwen2Clean},
    {"smollm", kDigitsNoClean},
    {"command-r", kDigitsNoClean},
    {"starcoder", kDigits},
    {"refact", kDigits},
    {"codeshell", kDigits},
    {"exaone", kDigits},
    {"minerva-7b", kDigits},
    {"mellum2", kDigits},
};

}  // namespace

const char* vocab_kind_name(VocabKind kind) {
  switch (kind) {
    case VocabKind::Spm:
      return "llama (SentencePiece BPE)";
    case VocabKind::Bpe:
      return "gpt2 (byte-level BPE)";
    case VocabKind::Llama2c:
      return "llama2.c tokenizer.bin";
    case VocabKind::Labels:
      return "labels (tokenizer \"none\": the file's token labels, separated by white space)";
  }
  return "unknown";
}

bool find_pre_tokenizer(std::string_view name, PreTokenizer* out) {
  if (name.empty()) {
    *out = kDefault;
    return true;
  }
  for (const PreName& p : kPreNames) {
    if (name == p.name) {
      *out = p.pre;
      return true;
    }
  }
  return false;
}

std::string pre_tokenizer_names() {
  std::string out;
  for (const PreName& p : kPreNames) {
    if (!out.empty()) out += ", ";
    out += p.name;
  }
  return out;
}

std::string validate_vocab(const Vocab& v) {
  const size_t n = v.tokens.size();
  if (n == 0) return "the vocabulary has no tokens";
  if (n > static_cast<size_t>(kMaxVocabTokens)) {
    return "the vocabulary has " + std::to_string(n) + " tokens; at most " + std::to_string(kMaxVocabTokens) +
           " are supported";
  }
  if (!v.scores.empty() && v.scores.size() != n) {
    return "the vocabulary has " + std::to_string(n) + " tokens but " + std::to_string(v.scores.size()) +
           " scores";
  }
  if (!v.types.empty() && v.types.size() != n) {
    return "the vocabulary has " + std::to_string(n) + " tokens but " + std::to_string(v.types.size()) +
           " token types";
  }
  if (v.merges.size() > static_cast<size_t>(kMaxMerges)) {
    return "the vocabulary has " + std::to_string(v.merges.size()) + " merges; at most " +
           std::to_string(kMaxMerges) + " are supported";
  }
  if (v.kind != VocabKind::Bpe && !v.merges.empty()) return "only a gpt2 vocabulary has merges";
  if (v.kind == VocabKind::Bpe) {
    PreTokenizer pre;
    if (!find_pre_tokenizer(v.pre, &pre)) {
      return "unknown pre-tokenizer '" + v.pre + "' (tokenizer.ggml.pre); known: " + pre_tokenizer_names();
    }
  }
  size_t bytes = 0;
  std::unordered_map<std::string_view, size_t> seen;
  if (v.kind != VocabKind::Llama2c) seen.reserve(n);
  std::deque<std::string> renamed;  // "[EMPTY_i]" for empty tokens; a deque keeps them in place for `seen`
  for (size_t i = 0; i < n; ++i) {
    const std::string& t = v.tokens[i];
    const std::string id = std::to_string(i);
    if (t.size() > kMaxTokenBytes) {
      return "token " + id + " is " + std::to_string(t.size()) + " bytes long; at most " +
             std::to_string(kMaxTokenBytes) + " are supported";
    }
    bytes += t.size();
    if (const long long bad = unicode::first_invalid_utf8(t); bad >= 0) {
      return "token " + id + " " + quoted(t) + " is not valid UTF-8 (at byte " + std::to_string(bad) + ")";
    }
    if (v.kind == VocabKind::Labels) {
      if (t.empty()) return "label " + id + " is empty, so no text can name it";
      if (t.find_first_of(kLabelSpaces) != std::string::npos)
        return "label " + id + " " + quoted(t) + " holds white space, so no text can name it";
    }
    if (!v.scores.empty() && std::isnan(v.scores[i]))
      return "token " + id + " has a score that is not a number";
    if (!v.types.empty()) {
      const int32_t type = v.types[i];
      if (type < 0 || type > 6) {
        return "token " + id + " has token type " + std::to_string(type) + "; the types are 0 to 6";
      }
      if (type == static_cast<int32_t>(TokenType::Byte) && v.kind != VocabKind::Llama2c &&
          !(t.size() == 6 && t.compare(0, 3, "<0x") == 0 && is_hex(t[3]) && is_hex(t[4]) && t[5] == '>')) {
        return "token " + id + " " + quoted(t) + " has the byte type but is not spelled <0xXX>";
      }
    }
    if (v.kind != VocabKind::Llama2c) {
      std::string_view key = t;
      if (t.empty()) {
        renamed.push_back("[EMPTY_" + id + "]");
        key = renamed.back();
      }
      const auto [it, fresh] = seen.emplace(key, i);
      if (!fresh) {
        return "token " + quoted(key) + " appears twice in the vocabulary (ids " +
               std::to_string(it->second) + " and " + id + ")";
      }
    }
  }
  for (size_t i = 0; i < v.merges.size(); ++i) {
    const std::string& m = v.merges[i];
    if (m.size() > 2 * kMaxTokenBytes + 1) return "merge " + std::to_string(i) + " is too long";
    bytes += m.size();
    if (const long long bad = unicode::first_invalid_utf8(m); bad >= 0) {
      return "merge " + std::to_string(i) + " " + quoted(m) + " is not valid UTF-8 (at byte " +
             std::to_string(bad) + ")";
    }
  }
  if (bytes > kMaxVocabBytes)
    return "the vocabulary's strings take " + std::to_string(bytes) + " bytes; too many";
  const struct {
    const char* name;
    int32_t id;
  } specials[] = {{"BOS", v.bos_id}, {"EOS", v.eos_id}, {"UNK", v.unk_id}, {"PAD", v.pad_id}};
  for (const auto& s : specials) {
    if (s.id < -1 || s.id >= static_cast<int64_t>(n)) {
      return std::string("the ") + s.name + " token id " + std::to_string(s.id) +
             " is not in the vocabulary of " + std::to_string(n) + " tokens";
    }
  }
  if (v.add_bos && v.bos_id < 0) return "add_bos is set but the vocabulary has no BOS token";
  if (v.add_eos && v.eos_id < 0) return "add_eos is set but the vocabulary has no EOS token";
  return "";
}

std::string set_llama_cpp_defaults(Vocab* v) {
  switch (v->kind) {
    case VocabKind::Spm:
      v->bos_id = 1, v->eos_id = 2, v->unk_id = 0, v->pad_id = -1;
      v->add_bos = true, v->add_eos = false, v->add_space_prefix = true;
      return "";
    case VocabKind::Bpe: {
      PreTokenizer pre;
      if (!find_pre_tokenizer(v->pre, &pre)) {
        return "unknown pre-tokenizer '" + v->pre + "' (tokenizer.ggml.pre); known: " + pre_tokenizer_names();
      }
      v->bos_id = 11, v->eos_id = 11, v->unk_id = -1, v->pad_id = -1;
      v->add_bos = pre.add_bos, v->add_eos = false, v->add_space_prefix = false;
      return "";
    }
    case VocabKind::Llama2c:
      v->bos_id = 1, v->eos_id = 2, v->unk_id = 0, v->pad_id = -1;
      v->add_bos = true, v->add_eos = false, v->add_space_prefix = true;
      return "";
    case VocabKind::Labels:  // llama.cpp's LLAMA_VOCAB_TYPE_NONE: no special tokens, nothing added
      v->bos_id = v->eos_id = v->unk_id = v->pad_id = -1;
      v->add_bos = v->add_eos = v->add_space_prefix = false;
      return "";
  }
  return "unknown vocabulary kind";
}

void drop_out_of_range_defaults(Vocab* v) {
  const int64_t n = static_cast<int64_t>(v->tokens.size());
  for (int32_t* id : {&v->bos_id, &v->eos_id, &v->unk_id, &v->pad_id}) {
    if (*id >= n) *id = -1;
  }
}

}  // namespace ap
