// A trainable decoder-only transformer of the llama family: its hyper-parameters, and where each
// parameter lives in one flat buffer (the gradients and AdamW's moments use the same layout).
//
//   token embedding (vocab, d_model); learned positions (n_ctx, d_model) or RoPE (NORM style:
//   interleaved pairs (2i, 2i+1), as the runtime, src/model/forward.cpp);
//   n_layer pre-norm blocks: x += Attn(RMSNorm(x)); x += MLP(RMSNorm(x)) when an MLP is on;
//   final RMSNorm; logits = x·output.
// Matrices are stored (in, out) row-major, so a projection is X·W (llama.cpp's are (out, in);
// the GGUF writer transposes).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ap::train {

enum class Mlp { None, SwiGlu, Gelu };  // None: attention-only
enum class Positions { Rope, Learned };

// The largest model the engine takes (the page's "Train" view offers up to these).
inline constexpr int kMaxLayers = 4, kMaxHeads = 8, kMaxDModel = 256, kMaxContext = 256, kMaxVocab = 4096;

struct Config {
  int vocab = 0;
  int n_ctx = 0;  // context: every training sequence has exactly n_ctx positions
  int n_layer = 1;
  int n_head = 1;
  int d_model = 16;  // divisible by n_head; head_dim = d_model / n_head (even under RoPE)
  Mlp mlp = Mlp::None;
  int n_ff = 0;  // MLP hidden width (ignored without an MLP)
  Positions positions = Positions::Rope;
  float rope_base = 10000.0f;
  float norm_eps = 1e-5f;
  int head_dim() const { return n_head > 0 ? d_model / n_head : 0; }
};

// "" when the config is usable, else what is wrong.
std::string validate(const Config& c);

// Offsets (in floats) of one layer's parameters in the flat buffer.
struct LayerOffsets {
  size_t attn_norm;  // (d_model)
  size_t wq, wk, wv,
      wo;           // (d_model, d_model) each, (in, out); head h is columns h·hd … of wq/wk/wv, rows of wo
  size_t ffn_norm;  // (d_model)           only with an MLP
  size_t w_gate;    // (d_model, n_ff)     SwiGLU only
  size_t w_up;      // (d_model, n_ff)
  size_t w_down;    // (n_ff, d_model)
};

// Where every parameter lives; `size` floats in all.
struct Layout {
  size_t tok_embd = 0;  // (vocab, d_model)
  size_t pos_embd = 0;  // (n_ctx, d_model) learned positions only
  std::vector<LayerOffsets> layers;
  size_t output_norm = 0;  // (d_model)
  size_t output = 0;       // (d_model, vocab)
  size_t size = 0;
};

Layout layout_of(const Config& c);

// One named tensor of the layout (for digests, the GGUF writer and tests): offset, rows, cols,
// and whether AdamW decays it (matrices yes; norms and embeddings no).
struct TensorView {
  std::string name;  // "tok_embd", "blk.0.wq", …, "output"
  size_t offset;
  int rows, cols;
  bool decay;
};
std::vector<TensorView> tensors_of(const Config& c);

}  // namespace ap::train
