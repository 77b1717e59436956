// The built-in models (web/models/): one small model per toy task and the built-in language's
// model, their recipes (sizes, seeds, steps) and, for the language, its vocabulary as a llama
// SentencePiece vocabulary. tools/train_builtin.cpp trains and writes them (scripts/train); the
// tests (tests/core/builtin_models_test.cpp) read the committed files back with the same recipes.
//
// The language's GGUF vocabulary (tokenizer.ggml.model "llama", the SPM tokenizer of llama.cpp and
// of src/tokenizer/): ids 0 … V−1 are the language's own (train/language.h), each token written
// as "▁" + its text (<unk>, <s>, </s> as they are), then the intermediate pieces the SPM merges
// need to build a word from its characters (every proper prefix "▁w", "▁wo", … of every word not
// already a token: SPM merges a pair only when the pair is a token), then the 256 byte tokens
// <0x00> … <0xFF> (llama.cpp's fallback for a character no token holds). All scores are 0, so
// merges go leftmost first, and a word grows from its "▁" one character at a time.
//
// What agrees: lower-case text whose tokens are separated by single spaces (the form
// Language::generate writes, "the keys to the old cabinet are ."), tokenized with the space prefix
// and BOS, gives BOS followed by exactly the language's ids. What does not: capitals (the language
// lower-cases; SPM does not), a punctuation mark or digit glued to the previous token ("cabinet."
// or "12": the second piece is a bare "." or "2", which only the byte tokens hold), and words out
// of the vocabulary (the language gives one <unk>; SPM gives the longest prefix piece and bytes).
// The extra pieces and bytes never occur in training: the model gives them low probability.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "train/config.h"
#include "train/export_gguf.h"
#include "train/language.h"
#include "train/tasks.h"
#include "train/trainer.h"

namespace ap::train::builtin {

// A toy task's model: its file is web/models/<name>.gguf, its log <name>.json.
struct ToyRecipe {
  const char* name;
  TaskSpec task;
  int layers, heads, d_model;
  int steps;
  uint64_t seed;
};
const std::vector<ToyRecipe>& toy_recipes();
Config toy_config(const ToyRecipe& r);
TrainOptions toy_options(const ToyRecipe& r);

// The language model. 3000 steps: the held-out loss is nearly that of 1500 (1.761 against 1.764:
// most of what is left is the language's own randomness), but the agreement head sharpens (layer
// 1's best head on the agreement template: 0.49 after 1500 steps, split with another head at 0.39;
// 0.93 after 3000). About 4 minutes of one core.
struct LanguageRecipe {
  const char* name = "language";
  int n_ctx = 32, layers = 2, heads = 4, d_model = 64, n_ff = 128;
  int steps = 3000, batch = 32;
  uint64_t seed = 2024;  // weights; train sentences from seed, held-out from seed + 1
  float lr = 3e-3f, min_lr = 3e-4f;
  int warmup = 200;
};
Config language_config(const LanguageRecipe& r, int vocab);

// The language's vocabulary as llama SPM keys (see above). tokenizer->tokens.size() is the model's vocab.
GgufTokenizer language_tokenizer(const Language& lang);

// Sentences as a batch of `batch` sequences of n_ctx positions: BOS, the sentence's ids, EOS, then
// EOS padding; a sentence longer than n_ctx tokens is cut. The mask covers every target up to and
// including the EOS that ends the sentence.
void language_batch(const std::vector<Sentence>& sentences, int n_ctx, Batch* out);

}  // namespace ap::train::builtin
