// A decoder-only transformer read from a GGUF file (general.architecture llama, qwen2 or gpt2) or
// a llama2.c checkpoint, with its weights kept in their stored type (the file's bytes are the
// model's memory: a Q8_0 model takes about its file size).
//
//   llama (and llama2.c): RMSNorm, RoPE on interleaved pairs (ggml's NORM style; llama.cpp's
//     converter permutes Q/K rows so that this applies, llama2.c uses it as is), grouped-query
//     attention, SwiGLU MLP (down(silu(gate·x) ⊙ up·x)), tied or separate output matrix;
//   qwen2: llama plus q/k/v biases, RoPE on halves (NEOX style: pairs (i, i + n_rot/2));
//   gpt2: LayerNorm with biases, learned positions, fused qkv with bias, GELU (tanh approximation),
//     no RoPE.
// Biases present in a file are used for any architecture. Scores are q·k/√head_dim, causal.
//
// Conventions: every matrix row-major float32; a position's vectors are rows. Head h of Q is
// columns h·head_dim … (h+1)·head_dim−1; it reads K/V head h / (n_head / n_kv_head).
// Errors are returned as messages ("" = success), never thrown (the product wasm has no exceptions).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "formats/gguf.h"
#include "kernels/quant.h"

namespace ap::model {

enum class Arch { Llama, Qwen2, Gpt2 };
enum class RopeStyle { None, Norm, Neox };
enum class Norm { Rms, Layer };

const char* arch_name(Arch a);

// Every hyper-parameter, from the file.
struct Config {
  Arch arch = Arch::Llama;
  RopeStyle rope = RopeStyle::Norm;
  Norm norm = Norm::Rms;
  bool gelu_mlp = false;  // gpt2: up → GELU → down; else SwiGLU
  int n_layer = 0;
  int d_model = 0;
  int n_ff = 0;  // hidden width of the MLP
  int n_head = 0;
  int n_kv_head = 0;  // ≤ n_head, divides it
  int head_dim = 0;   // key length
  int n_rot = 0;      // RoPE dimensions per head (even, ≤ head_dim); 0 without RoPE
  int vocab = 0;
  int n_ctx = 0;  // context length: the most positions a forward or a generation may hold
  float rope_base = 10000.0f;
  float norm_eps = 1e-5f;
  bool tied_output = false;  // the output matrix is the token embedding
  std::string source;        // "gguf v3" or "llama2.c"
};

// A vector (norm weight, bias) as floats.
using Vec = std::vector<float>;

struct LayerWeights {
  Vec attn_norm, attn_norm_b;  // (d_model); _b empty for RMSNorm
  QuantMatrix wq, wk, wv;  // (n_head·head_dim, d_model), (n_kv·head_dim, d_model) ×2; rows 0 when fused
  QuantMatrix wqkv;        // gpt2: (3·d_model, d_model), rows q, then k, then v
  Vec bq, bk, bv, bqkv;    // biases or empty
  QuantMatrix wo;          // (d_model, n_head·head_dim)
  Vec bo;
  Vec ffn_norm, ffn_norm_b;
  QuantMatrix ffn_gate, ffn_up, ffn_down;  // (n_ff, d), (n_ff, d), (d, n_ff); gate rows 0 for gpt2
  Vec b_up, b_down;
};

// What a forward keeps per layer, to give any head's attention on demand (never all n×n maps).
struct LayerState {
  std::vector<float> x;  // (n, d_model) the layer's normalised input (attn_norm output)
  std::vector<float> q;  // (n, n_head·head_dim) after RoPE
  std::vector<float> k;  // (n, n_kv·head_dim) after RoPE
  std::vector<float> v;  // (n, n_kv·head_dim)
};

struct Forward {
  int n = 0, vocab = 0;
  std::vector<float> logits;       // (n, vocab)
  std::vector<LayerState> layers;  // [layer]
  size_t memory_bytes() const;
};

// One head of one layer, the attention core's trace shapes (see core/attention.h).
struct HeadTrace {
  int n = 0, d_model = 0, head_dim = 0, kv_head = 0;
  std::vector<float> x;        // (n, d_model) normalised input of the layer
  std::vector<float> q, k, v;  // (n, head_dim) this head's q (after RoPE), its K/V head's k (after RoPE), v
  std::vector<float> scores;   // (n, n) q_i·k_j/√head_dim, −∞ for j > i (causal)
  std::vector<float> weights;  // (n, n) softmax over keys (the last axis); masked = 0
  std::vector<float> head_output;  // (n, head_dim) weights·v
};

// Sampling: temperature 0 = greedy (argmax; the lowest id on a tie). Otherwise softmax(logits/T),
// keep the top_k most likely (0 = all), then the smallest most-likely set whose probability
// reaches top_p (1 = all), renormalise and draw with a generator seeded by `seed`.
struct SampleOptions {
  float temperature = 0.0f;
  int top_k = 0;
  float top_p = 1.0f;
  uint64_t seed = 0;
};

class Model;

// Head ablation: (n_layer·n_head) layer-major, nonzero = that head is off (its output, weights·v,
// zeroed before W_O, the same as zeroing its head_dim columns of W_O). Empty = every head on.
using HeadMask = std::vector<uint8_t>;

// A KV cache for generation: every position's k and v of every layer.
class Session {
 public:
  // `off`: heads ablated in every append (see HeadMask; checked by Model::check_head_mask first).
  explicit Session(const Model& model, HeadMask off = {});
  int positions() const { return n_; }
  // Runs ids[0 … n) at positions positions() … positions()+n−1; logits of the last one into
  // last_logits (vocab). Returns "" or a message (bad id, context full); nothing changes on error.
  std::string append(const int32_t* ids, int n, std::vector<float>* last_logits);
  size_t memory_bytes() const;

 private:
  friend class Model;
  const Model* model_;
  int n_ = 0;
  std::vector<std::vector<float>> k_, v_;  // [layer] (positions, n_kv·head_dim)
  HeadMask off_;                           // (n_layer·n_head) or empty
};

class Model {
 public:
  // Takes the file's bytes (moved in: the weights stay there, in their stored type).
  static std::string from_gguf(std::vector<uint8_t> bytes, Model* out);
  static std::string from_llama2c(std::vector<uint8_t> bytes, Model* out);
  // Either, by the first bytes ("GGUF" or not).
  static std::string load(std::vector<uint8_t> bytes, Model* out);

  const Config& config() const { return config_; }
  // The parsed GGUF metadata (tokenizer keys for the tokenizers); empty for llama2.c.
  const gguf::File& gguf() const { return gguf_; }
  const std::vector<LayerWeights>& layers() const { return layers_; }
  size_t parameter_count() const { return parameters_; }
  // Bytes this model holds: the file's bytes plus the norms and biases as floats.
  size_t memory_bytes() const;
  // Each tensor type used, with how many tensors have it: "F32 ×12, Q8_0 ×36".
  const std::string& tensor_types() const { return tensor_types_; }

  // Logits at every position of ids[0 … n), and each layer's state (keep_layers false: logits
  // only). n in 1 … n_ctx, every id in 0 … vocab−1. `off`: heads ablated (null or empty: none).
  // An ablated head's own q, k, v and attention weights are still kept (they do not depend on it);
  // only what it adds to the residual stream is gone, so later layers and the logits change.
  std::string forward(const int32_t* ids, int n, Forward* out, bool keep_layers = true,
                      const HeadMask* off = nullptr) const;
  // Layer `layer`, head `head`'s attention weights (n, n) from a forward that kept its layers.
  std::string attention(const Forward& f, int layer, int head, std::vector<float>* weights) const;
  std::string trace(const Forward& f, int layer, int head, HeadTrace* out) const;

  // Runs the prompt, then `steps` new tokens sampled with the KV cache; out gets the new ids.
  std::string generate(const int32_t* prompt, int n, int steps, const SampleOptions& opt,
                       std::vector<int32_t>* out, const HeadMask* off = nullptr) const;

  // The pieces a forward is made of (also what Session runs): positions pos0 … pos0+n−1 of ids,
  // appending k, v to cache (per layer), logits of the last `logit_rows` positions into logits.
  void run(const int32_t* ids, int n, int pos0, std::vector<std::vector<float>>* k_cache,
           std::vector<std::vector<float>>* v_cache, std::vector<LayerState>* keep, int logit_rows,
           float* logits, const HeadMask* off = nullptr) const;
  // "" when every id is in the vocabulary, else which is not.
  std::string check_ids(const int32_t* ids, int n) const;
  // "" when `off` is null, empty or n_layer·n_head long, else a message.
  std::string check_head_mask(const HeadMask* off) const;

 private:
  std::string finish_load();  // checks shapes and values, counts parameters

  Config config_;
  std::vector<uint8_t> bytes_;
  gguf::File gguf_;
  QuantMatrix token_embd_, position_embd_, output_;
  Vec output_norm_, output_norm_b_;
  std::vector<LayerWeights> layers_;
  size_t parameters_ = 0;
  size_t float_bytes_ = 0;  // norms and biases held as floats
  std::string tensor_types_;
};

// Index sampled from logits (count) by opt; `state` is the generator's state (Model::generate starts
// it at opt.seed) and advances by one draw; greedy (temperature 0) reads no state (it may be null).
int sample(const float* logits, int count, const SampleOptions& opt, uint64_t* state);

}  // namespace ap::model
