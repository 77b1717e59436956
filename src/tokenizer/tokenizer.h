// Text ↔ token ids for a vocabulary, exactly as the model's own tokenizer does it:
//   - VocabKind::Spm: llama.cpp's llm_tokenizer_spm (tokenizer.ggml.model "llama"): a space before the
//     text (add_space_prefix), spaces as ▁ (U+2581), the pair of adjacent symbols whose concatenation
//     is the highest-scoring token merged first (ties: leftmost), symbols that are no token as <0xXX>
//     byte tokens;
//   - VocabKind::Bpe: llama.cpp's llm_tokenizer_bpe (tokenizer.ggml.model "gpt2"): the pre-tokenizer's
//     words (pretokenize.h), their bytes spelled with GPT-2's byte-to-unicode map, merges by rank;
//   - VocabKind::Llama2c: llama2.c run.c's encode() and decode();
//   - VocabKind::Labels (tokenizer.ggml.model "none" with labels, labels.cpp): the text split on white
//     space, each piece exactly one label; detokenize() joins the labels with single spaces.
// User-defined tokens (and, with parse_special, control tokens) found in the text are taken whole
// first, as llama.cpp's tokenizer_st_partition does. detokenize() is llama.cpp's llama_detokenize
// (llama2.c's decode for Llama2c). Nothing here throws; failures come back as messages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/vocab.h"

namespace ap {

struct TokenizeOptions {
  bool add_special = true;     // BOS / EOS as the vocabulary's add_bos / add_eos say
  bool parse_special = false;  // control tokens written in the text (e.g. "<s>") become those tokens
};

struct DetokenizeOptions {
  bool remove_special = false;   // drop a leading BOS and a trailing EOS the vocabulary adds
  bool unparse_special = false;  // write control and unknown tokens as their text (else nothing)
};

class Tokenizer {
 public:
  // llama.cpp's token attributes (llama_token_attr), one set per token.
  enum Attr : uint8_t {
    kUnknown = 1 << 0,
    kUnused = 1 << 1,
    kNormal = 1 << 2,
    kControl = 1 << 3,
    kUserDefined = 1 << 4,
    kByte = 1 << 5,
  };

  // Validates the vocabulary (validate_vocab) and builds the lookup tables. "" or the message; a
  // tokenizer whose init failed tokenizes nothing (every call returns a message).
  std::string init(Vocab vocab);
  bool ready() const { return ready_; }
  const Vocab& vocab() const { return vocab_; }
  int32_t size() const { return static_cast<int32_t>(vocab_.tokens.size()); }

  // Appends the ids of `text` to *ids. "" or a message (text longer than kMaxTextBytes, a byte with
  // no byte token and no UNK token); *ids is left as it was on failure.
  std::string tokenize(std::string_view text, std::vector<int32_t>* ids,
                       const TokenizeOptions& options = {}) const;
  // The text of ids[0 … n−1] into *text. "" or a message naming an id outside the vocabulary.
  std::string detokenize(const int32_t* ids, size_t n, std::string* text,
                         const DetokenizeOptions& options = {}) const;

  // A token's text as the vocabulary stores it (▁, Ġ, <0x0A>): what the model sees. An empty token
  // reads "[EMPTY_<id>]", as llama.cpp names it. id must be in range.
  const std::string& token_text(int32_t id) const { return vocab_.tokens[static_cast<size_t>(id)]; }
  // What one token writes (llama.cpp's token_to_piece): ▁ → space, Ġ-spelled bytes and byte tokens →
  // bytes; control and unknown tokens write their text with `special`, else nothing.
  std::string piece(int32_t id, bool special) const;
  uint8_t attributes(int32_t id) const { return attr_[static_cast<size_t>(id)]; }
  // The id of the token whose text is exactly `text`, or -1.
  int32_t find(std::string_view text) const;

 private:
  struct Fragment {
    int32_t token;          // ≥ 0: a special token taken whole; −1: text
    size_t offset, length;  // the text's bytes, when token is −1
  };
  std::vector<Fragment> partition(std::string_view text, bool parse_special) const;
  std::string tokenize_spm(std::string_view text, std::vector<int32_t>* out) const;  // spm.cpp
  void tokenize_bpe(std::string_view text, std::vector<int32_t>* out) const;         // bpe.cpp
  std::string tokenize_llama2c(std::string_view text, bool bos, bool eos,
                               std::vector<int32_t>* out) const;  // llama2c.cpp
  std::string piece_llama2c(int32_t prev, int32_t id, bool special) const;
  std::string tokenize_labels(std::string_view text, std::vector<int32_t>* out) const;  // labels.cpp
  std::string detokenize_labels(const int32_t* ids, size_t n) const;                    // labels.cpp
  int rank(const std::string& left, const std::string& right) const;

  bool ready_ = false;
  Vocab vocab_;
  PreTokenizer pre_;
  std::vector<uint8_t> attr_;                       // (n_tokens) Attr bits
  std::unordered_map<std::string, int32_t> index_;  // token text → id (the lowest, for llama2.c)
  std::unordered_map<std::string, int32_t> ranks_;  // gpt2: "left right" → rank (first wins)
  std::vector<int32_t> special_;                    // control / user-defined / unknown, longest first
  int32_t byte_token_[256];                         // SPM: <0xXX> (or the one-byte token), else −1
};

}  // namespace ap
