// llama2.c's tokenizer.bin: int32 max_token_length, then for each of vocab_size tokens a float32 score,
// an int32 byte length and the bytes (little-endian). The file does not say how many tokens it holds:
// the model's vocab_size does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "tokenizer/vocab.h"

namespace ap {

// Parses data[0 … size−1] into *vocab (kind Llama2c, BOS 1, EOS 2, UNK 0, add_bos, as run.c uses
// them), checking every length against what is left of the file. Returns "" or a message saying what
// is wrong and at which byte offset (and token); *vocab is unchanged on failure.
std::string parse_tokenizer_bin(const uint8_t* data, size_t size, int32_t vocab_size, Vocab* vocab);

}  // namespace ap
