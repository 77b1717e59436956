// A trained model as a GGUF v3 file that llama.cpp and src/model/ read as the same model:
// general.architecture "llama", llama.cpp's tensor names (token_embd, blk.N.attn_norm, attn_q,
// attn_k, attn_v, attn_output, ffn_norm, ffn_gate, ffn_up, ffn_down, output_norm, output), each
// matrix transposed to llama's (out, in) rows, F32. An attention-only model is written with an MLP
// of zero weights (n_ff 4, unit ffn_norm): SwiGLU of zeros adds exactly 0 to the residual stream.
// The vocabulary goes in tokenizer.ggml.tokens (tokenizer.ggml.model "none": labels, no merges).
// RoPE is written as llama's NORM style over the whole head (rope.dimension_count = head_dim).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "train/config.h"

namespace ap::train {

// "" and the file's bytes, or why the model cannot be a llama file (learned positions and GELU
// MLPs have no llama form). labels: vocab strings (token names); name: general.name.
std::string export_gguf(const Config& c, const std::vector<float>& params,
                        const std::vector<std::string>& labels, const std::string& name,
                        std::vector<uint8_t>* out);

// The tokenizer.ggml.* keys written with the model. model "none" writes only the labels (tokens);
// "llama" (SentencePiece) writes scores, token_type, the special ids and the add_* flags too.
struct GgufTokenizer {
  std::string model = "none";
  std::vector<std::string> tokens;                 // (vocab)
  std::vector<float> scores;                       // (vocab) or empty
  std::vector<int32_t> types;                      // (vocab) llama.cpp's token types, or empty
  int32_t bos = -1, eos = -1, unk = -1;            // -1: not written
  bool add_bos = false, add_space_prefix = false;  // written for model "llama"
};
std::string export_gguf_with(const Config& c, const std::vector<float>& params,
                             const GgufTokenizer& tokenizer, const std::string& name,
                             std::vector<uint8_t>* out);

}  // namespace ap::train
