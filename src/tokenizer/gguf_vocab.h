// A Vocab from a parsed GGUF file's tokenizer.ggml.* keys, read as llama.cpp's llama_vocab::load does:
// the model's kind ("llama" → SPM, "gpt2" → byte-level BPE, "none" with tokens → labels) and pre-tokenizer
// first, then llama.cpp's defaults for them (set_llama_cpp_defaults), the tokens, defaults that are not in
// the vocabulary dropped (drop_out_of_range_defaults), and last the file's own special ids and flags over
// them.
#pragma once

#include <string>

#include "formats/gguf.h"
#include "tokenizer/vocab.h"

namespace ap {

// Reads tokenizer.ggml.model, .pre, .tokens, .scores, .token_type, .merges, .bos_token_id,
// .eos_token_id, .unknown_token_id, .padding_token_id, .add_bos_token, .add_eos_token and
// .add_space_prefix. Returns "" or a message naming the key and what is wrong with it (missing, wrong
// type, wrong count, an id that is not an integer); *out is unchanged on failure. The vocabulary is
// not validated here: Tokenizer::init does it.
std::string vocab_from_gguf(const gguf::File& file, Vocab* out);

}  // namespace ap
