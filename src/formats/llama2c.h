// llama2.c legacy checkpoints (karpathy/llama2.c run.c, "version 0"): a 7 × int32 header
//   dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len
// (vocab_size negative: the classifier is stored separately, else it is the token embedding),
// then float32 tensors in run.c's order, each row-major (out, in):
//   token_embedding (vocab, dim), rms_att (layers, dim), wq (layers, dim, dim),
//   wk (layers, kv_dim, dim), wv (layers, kv_dim, dim), wo (layers, dim, dim), rms_ffn (layers, dim),
//   w1 (layers, hidden, dim), w2 (layers, dim, hidden), w3 (layers, hidden, dim), rms_final (dim),
//   freq_cis_real and freq_cis_imag (seq_len·head_size/2 each, skipped), wcls (vocab, dim) if not shared.
// kv_dim = dim·n_kv_heads/n_heads. The header is checked, then the file size against it exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ap::llama2c {

inline constexpr size_t kHeaderBytes = 28;

struct Checkpoint {
  int dim = 0, hidden_dim = 0, n_layers = 0, n_heads = 0, n_kv_heads = 0, vocab_size = 0, seq_len = 0;
  bool shared_classifier = true;  // vocab_size was positive
  int head_size = 0, kv_dim = 0;
  // Byte offsets in the file of each tensor (per-layer tensors: of layer 0, layers follow each other).
  size_t token_embedding = 0, rms_att = 0, wq = 0, wk = 0, wv = 0, wo = 0, rms_ffn = 0, w1 = 0, w2 = 0,
         w3 = 0, rms_final = 0, wcls = 0;
  size_t expected_size = 0;  // bytes the header implies
};

// Returns "" or a message (what is wrong, which header field, the sizes involved).
std::string parse(const uint8_t* data, size_t size, Checkpoint* out);

}  // namespace ap::llama2c
