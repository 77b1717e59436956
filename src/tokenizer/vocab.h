// A vocabulary as the tokenizers use it, independent of the file it came from (GGUF's tokenizer.ggml.*
// keys, llama2.c's tokenizer.bin). The parsers fill a Vocab; Tokenizer::init (tokenizer.h) validates it
// with validate_vocab() and builds its lookup tables.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ap {

// Which algorithm tokenizes: tokenizer.ggml.model "llama" (SentencePiece-style BPE over scores with
// byte fallback), "gpt2" (byte-level BPE over merge ranks), llama2.c's tokenizer.bin, or labels:
// tokenizer.ggml.model "none" with tokenizer.ggml.tokens (the project's toy tasks), where a text is
// its labels written with white space between them (labels.cpp).
enum class VocabKind { Spm, Bpe, Llama2c, Labels };
const char* vocab_kind_name(VocabKind kind);

// tokenizer.ggml.token_type values (llama.cpp's llama_token_type).
enum class TokenType : int32_t {
  Undefined = 0,
  Normal = 1,
  Unknown = 2,
  Control = 3,
  UserDefined = 4,
  Unused = 5,
  Byte = 6,
};

// Bounds on what a vocabulary may hold, so that no file makes the tokenizer allocate without limit.
// Real vocabularies: ≤ 262 144 tokens, ≤ 300 000 merges, tokens of at most a few hundred bytes.
inline constexpr int32_t kMaxVocabTokens = 1 << 21;
inline constexpr int32_t kMaxMerges = 1 << 22;
inline constexpr size_t kMaxTokenBytes = 1 << 16;
inline constexpr size_t kMaxVocabBytes = size_t{1} << 28;  // all token and merge strings together
// Longest text tokenize() accepts, in bytes: far more than any model's context (the page's texts are
// sentences), and small enough that tokenizing it takes well under 100 MB.
inline constexpr size_t kMaxTextBytes = 1 << 20;
// The white space a labels text is split on (VocabKind::Labels), and which no label may hold.
inline constexpr char kLabelSpaces[] = " \t\n\r\f\v";

struct Vocab {
  VocabKind kind = VocabKind::Spm;
  std::vector<std::string> tokens;  // (n_tokens) token texts as stored: ▁ for spaces (SPM), Ġ (gpt2)
  std::vector<float> scores;        // (n_tokens) merge priorities (SPM, llama2.c); empty = all 0
  std::vector<int32_t> types;       // (n_tokens) TokenType values; empty = all Normal
  std::vector<std::string> merges;  // (n_merges) gpt2: "left right", rank = index; empty otherwise
  // tokenizer.ggml.pre: the pre-tokenizer of a gpt2 vocabulary ("" = llama.cpp's "default").
  std::string pre;
  int32_t bos_id = -1, eos_id = -1, unk_id = -1, pad_id = -1;  // -1 = none
  bool add_bos = false;                                        // tokenize() with add_special puts BOS first
  bool add_eos = false;                                        // ... and EOS last
  bool add_space_prefix = false;  // SPM: a space before the text (and removed again by detokenize)
};

// "" when the vocabulary is usable, else a message naming what is wrong and where (token id, merge
// index): counts within the limits above, scores and types either empty or one per token, every score
// a number (not NaN), every type a TokenType, every token and merge valid UTF-8 and at most
// kMaxTokenBytes, no token twice (SPM, gpt2; llama.cpp refuses those files too; an empty token counts as
// "[EMPTY_<id>]", as llama.cpp renames it), byte-type tokens spelled <0xXX>, special ids in range, BOS
// present when add_bos and EOS when add_eos, a known pre-tokenizer (gpt2); labels: none empty and none
// holding white space (no text could name it).
std::string validate_vocab(const Vocab& vocab);

// ---- the pre-tokenizers of tokenizer.ggml.pre --------------------------------------------------------

// The splitting rules (the regular expressions llama.cpp's llama-vocab.cpp maps each name to).
enum class PreSplit {
  Default,  // [\p{P}\$\+<=>\^~\|]+, then GPT-2's, then \p{N}+, then [0-9][0-9][0-9]
  Gpt2,     // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
  Llama3,   // (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
            // ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
  Qwen2,    // Llama3's with \p{N} (single digits) for \p{N}{1,3}
  Digits,   // \p{N} (every digit alone), then GPT-2's: starcoder, smollm, command-r, ...
};

// What llama.cpp sets for a pre-tokenizer name, beside its splitting.
struct PreTokenizer {
  PreSplit split = PreSplit::Default;
  bool ignore_merges = false;  // a word that is a token is taken whole, before any merge (llama3)
  bool add_bos = false;        // llama.cpp's default add_bos for this name (the file's key overrides it)
  bool clean_spaces = true;    // detokenize removes the space before ? ! . , and some contractions
};

// Looks up a tokenizer.ggml.pre name ("" and "default" are the default). Returns false for a name
// llama.cpp does not know or whose rules are not implemented here.
bool find_pre_tokenizer(std::string_view name, PreTokenizer* out);
// The names find_pre_tokenizer accepts, comma-separated (for messages and the page's model card).
std::string pre_tokenizer_names();

// ---- llama.cpp's defaults, for the GGUF loader --------------------------------------------------------

// Sets what llama.cpp assumes before it reads a GGUF file's own tokenizer keys, from vocab->kind and
// vocab->pre: SPM: BOS 1, EOS 2, UNK 0, add_bos, add_space_prefix; gpt2: BOS = EOS = 11, no UNK,
// add_bos as the pre-tokenizer says. The loader then overrides each with the file's keys
// (tokenizer.ggml.bos_token_id, .add_bos_token, .add_space_prefix, ...) where present, and calls
// drop_out_of_range_defaults() before validating. Returns "" or the message for an unknown pre name.
std::string set_llama_cpp_defaults(Vocab* vocab);
// llama.cpp disables a default special id that is not in the vocabulary (a tiny vocabulary has no
// token 11): call after the tokens are known and before the file's own ids are applied.
void drop_out_of_range_defaults(Vocab* vocab);

}  // namespace ap
