// Tokenizer set-up, special-token partition, and detokenize (see tokenizer.h). The algorithms are in
// spm.cpp, bpe.cpp and llama2c.cpp.
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <cstdio>

#include "tokenizer/pretokenize.h"
#include "tokenizer/unicode.h"

namespace ap {
namespace {

uint8_t attr_of_type(int32_t type) {
  switch (static_cast<TokenType>(type)) {
    case TokenType::Normal:
      return Tokenizer::kNormal;
    case TokenType::Unknown:
      return Tokenizer::kUnknown;
    case TokenType::Control:
      return Tokenizer::kControl;
    case TokenType::UserDefined:
      return Tokenizer::kUserDefined;
    case TokenType::Unused:
      return Tokenizer::kUnused;
    case TokenType::Byte:
      return Tokenizer::kByte;
    case TokenType::Undefined:
      return 0;
  }
  return 0;
}

// Texts llama.cpp treats as end-of-generation tokens and marks as control tokens whatever type the
// file gives them (llama-vocab.cpp: "control-looking token ... its type will be overridden").
const char* const kEndOfGeneration[] = {
    "<|eot_id|>",
    "<|im_end|>",
    "<|end|>",
    "<|return|>",
    "<|call|>",
    "<|flush|>",
    "<|calls|>",
    "<end_of_turn>",
    "<|endoftext|>",
    "</s>",
    "<|eom_id|>",
    "<EOT>",
    "_<EOT>",
    "[EOT]",
    "[EOS]",
    "<|end_of_text|>",
    "<end_of_utterance>",
    "<eos>",
    "<turn|>",
    "<|tool_response>",
    "<\xEF\xBD\x9C"
    "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>",
    "[e~[",
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

void replace_all(std::string* s, std::string_view from, std::string_view to) {
  std::string out;
  out.reserve(s->size());
  size_t pos = 0;
  for (size_t hit; (hit = s->find(from, pos)) != std::string::npos; pos = hit + from.size()) {
    out.append(*s, pos, hit - pos);
    out.append(to);
  }
  out.append(*s, pos, std::string::npos);
  s->swap(out);
}

// llama.cpp's clean_up_tokenization_spaces, three passes over the text in place.
void clean_spaces(std::string* s) {
  std::string& text = *s;
  const size_t total1 = text.size();
  size_t total = total1 ? 1 : 0;
  for (size_t i = 1; i < total1; ++i) {  // " ?", " !", " .", " ," lose their space
    const char x = text[i];
    if (text[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) --total;
    text[total++] = x;
  }
  const size_t total2 = total;
  total = total ? 1 : 0;
  for (size_t i = 1; i < total2; ++i) {  // " ' " becomes "'"
    const char x = text[i];
    if (x == '\'' && i + 1 < total2 && text[i - 1] == ' ' && text[i + 1] == ' ') {
      --total;
      text[++i] = '\0';
    }
    text[total++] = x;
  }
  const size_t total3 = total;
  total = total ? 1 : 0;
  for (size_t i = 1; i < total3; ++i) {  // " 's", " 'm", " 're", " 've" lose their space
    const char x = text[i];
    if (text[i - 1] == ' ' && x == '\'' && i + 1 < total3) {
      const char x1 = text[i + 1];
      if (x1 == 's' || x1 == 'm') {
        --total;
      } else if (x1 != 't' && x1 != 'd' && i + 2 < total3) {
        const char x2 = text[i + 2];
        if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) --total;
      }
    }
    text[total++] = x;
  }
  text.resize(total);
}

}  // namespace

std::string Tokenizer::init(Vocab vocab) {
  ready_ = false;
  index_.clear();
  ranks_.clear();
  special_.clear();
  if (std::string err = validate_vocab(vocab); !err.empty()) return err;
  vocab_ = std::move(vocab);
  pre_ = PreTokenizer{};
  if (vocab_.kind == VocabKind::Bpe) find_pre_tokenizer(vocab_.pre, &pre_);
  const size_t n = vocab_.tokens.size();
  if (vocab_.kind != VocabKind::Llama2c) {
    for (size_t i = 0; i < n; ++i) {
      if (vocab_.tokens[i].empty()) vocab_.tokens[i] = "[EMPTY_" + std::to_string(i) + "]";
    }
  }
  attr_.assign(n, kNormal);
  for (size_t i = 0; i < vocab_.types.size(); ++i) attr_[i] = attr_of_type(vocab_.types[i]);
  if (vocab_.kind == VocabKind::Llama2c) {
    // tokenizer.bin has no types: llama2.c's <unk>, <s>, </s> are ids 0, 1, 2.
    if (vocab_.types.empty()) {
      if (n > 0) attr_[0] = kUnknown;
      for (int32_t id : {vocab_.bos_id, vocab_.eos_id}) {
        if (id >= 0) attr_[static_cast<size_t>(id)] = kControl;
      }
    }
  }
  index_.reserve(n);
  for (size_t i = 0; i < n; ++i) index_.emplace(vocab_.tokens[i], static_cast<int32_t>(i));
  if (vocab_.kind != VocabKind::Llama2c) {
    for (const char* t : kEndOfGeneration) {
      if (const int32_t id = find(t); id >= 0) attr_[static_cast<size_t>(id)] |= kControl;
    }
  }
  if (vocab_.kind == VocabKind::Bpe) {
    ranks_.reserve(vocab_.merges.size());
    for (size_t i = 0; i < vocab_.merges.size(); ++i) {
      // llama.cpp splits at the first space after the first byte; "left right" is then the key.
      const std::string& m = vocab_.merges[i];
      if (m.find(' ', 1) != std::string::npos) ranks_.emplace(m, static_cast<int32_t>(i));
    }
  }
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    int32_t id = find(name);
    if (id < 0) id = find(std::string(1, static_cast<char>(b)));  // llama.cpp's fallback: the byte itself
    byte_token_[b] = id;
  }
  for (size_t i = 0; i < n; ++i) {
    if (attr_[i] & (kControl | kUserDefined | kUnknown)) special_.push_back(static_cast<int32_t>(i));
  }
  std::stable_sort(special_.begin(), special_.end(), [&](int32_t a, int32_t b) {
    return vocab_.tokens[static_cast<size_t>(a)].size() > vocab_.tokens[static_cast<size_t>(b)].size();
  });
  ready_ = true;
  return "";
}

int32_t Tokenizer::find(std::string_view text) const {
  const auto it = index_.find(std::string(text));
  return it == index_.end() ? -1 : it->second;
}

int Tokenizer::rank(const std::string& left, const std::string& right) const {
  std::string key;
  key.reserve(left.size() + right.size() + 1);
  key.append(left).append(1, ' ').append(right);
  const auto it = ranks_.find(key);
  return it == ranks_.end() ? -1 : it->second;
}

std::vector<Tokenizer::Fragment> Tokenizer::partition(std::string_view text, bool parse_special) const {
  std::vector<Fragment> frags;
  if (!text.empty()) frags.push_back({-1, 0, text.size()});
  std::vector<Fragment> next;
  for (int32_t id : special_) {
    if (!parse_special && (attr_[static_cast<size_t>(id)] & (kControl | kUnknown))) continue;
    const std::string& t = vocab_.tokens[static_cast<size_t>(id)];
    next.clear();
    for (const Fragment& f : frags) {
      if (f.token >= 0) {
        next.push_back(f);
        continue;
      }
      size_t off = f.offset;
      const size_t end = f.offset + f.length;
      const std::string_view window = text.substr(0, end);
      for (size_t hit; off < end && (hit = window.find(t, off)) != std::string_view::npos;
           off = hit + t.size()) {
        if (hit > off) next.push_back({-1, off, hit - off});
        next.push_back({id, 0, 0});
      }
      if (off < end) next.push_back({-1, off, end - off});
    }
    frags.swap(next);
  }
  return frags;
}

std::string Tokenizer::tokenize(std::string_view text, std::vector<int32_t>* ids,
                                const TokenizeOptions& options) const {
  if (!ready_) return "the tokenizer has no vocabulary";
  if (text.size() > kMaxTextBytes) {
    return "the text is " + std::to_string(text.size()) + " bytes long; at most " +
           std::to_string(kMaxTextBytes) + " can be tokenized";
  }
  std::vector<int32_t> out;
  const bool bos = options.add_special && vocab_.add_bos;
  const bool eos = options.add_special && vocab_.add_eos;
  if (vocab_.kind == VocabKind::Llama2c) {
    if (std::string err = tokenize_llama2c(text, bos, eos, &out); !err.empty()) return err;
    ids->insert(ids->end(), out.begin(), out.end());
    return "";
  }
  if (vocab_.kind == VocabKind::Labels) {  // no special-token partition: every piece is a label
    if (bos) out.push_back(vocab_.bos_id);
    if (std::string err = tokenize_labels(text, &out); !err.empty()) return err;
    if (eos) out.push_back(vocab_.eos_id);
    ids->insert(ids->end(), out.begin(), out.end());
    return "";
  }
  if (bos) out.push_back(vocab_.bos_id);
  bool prev_special = true;  // SPM: a space before the text at the start and after a special token
  for (const Fragment& f : partition(text, options.parse_special)) {
    if (f.token >= 0) {
      out.push_back(f.token);
      prev_special = true;
      continue;
    }
    const std::string_view part = text.substr(f.offset, f.length);
    if (vocab_.kind == VocabKind::Spm) {
      std::string s;
      if (vocab_.add_space_prefix && prev_special) s = " ";
      s.append(part);
      replace_all(&s, " ", "\xE2\x96\x81");
      if (std::string err = tokenize_spm(s, &out); !err.empty()) return err;
    } else {
      tokenize_bpe(part, &out);
    }
    prev_special = false;
  }
  if (eos) out.push_back(vocab_.eos_id);
  ids->insert(ids->end(), out.begin(), out.end());
  return "";
}

std::string Tokenizer::piece(int32_t id, bool special) const {
  if (!ready_ || id < 0 || id >= size()) return "";
  if (vocab_.kind == VocabKind::Llama2c) return piece_llama2c(-1, id, special);
  if (vocab_.kind == VocabKind::Labels) return vocab_.tokens[static_cast<size_t>(id)];  // a label is its text
  const uint8_t attr = attr_[static_cast<size_t>(id)];
  const std::string& text = vocab_.tokens[static_cast<size_t>(id)];
  if (!special && (attr & (kUnknown | kControl))) return "";
  if (attr & (kUnknown | kControl | kUserDefined)) return text;
  if (attr & kNormal) {
    if (vocab_.kind == VocabKind::Spm) {
      std::string s = text;
      replace_all(&s, "\xE2\x96\x81", " ");
      return s;
    }
    // gpt2: every character of the token stands for one byte (llama.cpp's llama_decode_text).
    std::string out;
    for (uint32_t cpt : unicode::decode_utf8(text)) {
      const int b = unicode_to_byte(cpt);
      if (b >= 0) {
        out.push_back(static_cast<char>(b));
      } else {
        std::string utf8;
        unicode::append_utf8(cpt, &utf8);
        out += "[UNK_BYTE_0x";
        for (char c : utf8) {
          char buf[4];
          std::snprintf(buf, sizeof buf, "%02x", static_cast<unsigned char>(c));
          out += buf;
        }
        out += text + "]";
      }
    }
    return out;
  }
  if (attr & kByte) {  // validated: <0xXX>
    return std::string(1, static_cast<char>(hex_value(text[3]) * 16 + hex_value(text[4])));
  }
  return "";  // undefined or unused tokens write nothing
}

std::string Tokenizer::detokenize(const int32_t* ids, size_t n, std::string* text,
                                  const DetokenizeOptions& options) const {
  if (!ready_) return "the tokenizer has no vocabulary";
  for (size_t i = 0; i < n; ++i) {
    if (ids[i] < 0 || ids[i] >= size()) {
      return "token id " + std::to_string(ids[i]) + " (at " + std::to_string(i) +
             ") is not in the vocabulary of " + std::to_string(size()) + " tokens";
    }
  }
  std::string out;
  if (vocab_.kind == VocabKind::Llama2c) {
    for (size_t i = 0; i < n; ++i) out += piece_llama2c(i ? ids[i - 1] : -1, ids[i], options.unparse_special);
    text->swap(out);
    return "";
  }
  // llama.cpp: the space add_space_prefix put before the text is removed from the first piece; it
  // stays when the text starts with a BOS (and remove_special drops that BOS).
  bool remove_space = vocab_.add_space_prefix;
  if (options.remove_special && vocab_.add_bos && n > 0 && ids[0] == vocab_.bos_id) {
    remove_space = false;
    ++ids;
    --n;
  }
  if (options.remove_special && vocab_.add_eos && n > 0 && ids[n - 1] == vocab_.eos_id) --n;
  if (vocab_.kind == VocabKind::Labels) {
    *text = detokenize_labels(ids, n);
    return "";
  }
  for (size_t i = 0; i < n; ++i) {
    std::string p = piece(ids[i], options.unparse_special);
    if (remove_space && !p.empty() && p[0] == ' ') p.erase(0, 1);
    remove_space = false;
    out += p;
  }
  if (vocab_.kind == VocabKind::Bpe && pre_.clean_spaces) clean_spaces(&out);
  text->swap(out);
  return "";
}

}  // namespace ap
