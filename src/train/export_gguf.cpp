#include "train/export_gguf.h"

#include "formats/gguf_writer.h"
#include "train/gemm.h"

namespace ap::train {

namespace {
constexpr int kZeroMlpWidth = 4;  // the attention-only model's zero MLP
}

std::string export_gguf(const Config& c, const std::vector<float>& params,
                        const std::vector<std::string>& labels, const std::string& name,
                        std::vector<uint8_t>* out) {
  GgufTokenizer t;
  t.tokens = labels;
  return export_gguf_with(c, params, t, name, out);
}

std::string export_gguf_with(const Config& c, const std::vector<float>& params,
                             const GgufTokenizer& tokenizer, const std::string& name,
                             std::vector<uint8_t>* out) {
  const std::vector<std::string>& labels = tokenizer.tokens;
  if (std::string e = validate(c); !e.empty()) return e;
  const Layout l = layout_of(c);
  if (params.size() != l.size)
    return "the parameters hold " + std::to_string(params.size()) + " floats; the model needs " +
           std::to_string(l.size);
  if (labels.size() != size_t(c.vocab))
    return "the vocabulary has " + std::to_string(labels.size()) + " labels; the model has " +
           std::to_string(c.vocab) + " tokens";
  if ((!tokenizer.scores.empty() && tokenizer.scores.size() != labels.size()) ||
      (!tokenizer.types.empty() && tokenizer.types.size() != labels.size()))
    return "the tokenizer's scores and types must have one entry per token";
  if (c.positions == Positions::Learned)
    return "llama has no learned positions: train with RoPE to write a llama GGUF file";
  if (c.mlp == Mlp::Gelu) return "llama's MLP is SwiGLU: a GELU MLP cannot be written as a llama GGUF file";
  using namespace ap::gguf;
  Writer w(3);
  const std::string a = "llama";
  const int d = c.d_model, ff = c.mlp == Mlp::None ? kZeroMlpWidth : c.n_ff;
  w.add("general.architecture", make_string(a));
  w.add("general.name", make_string(name));
  w.add(a + ".block_count", make_u32(uint32_t(c.n_layer)));
  w.add(a + ".embedding_length", make_u32(uint32_t(d)));
  w.add(a + ".feed_forward_length", make_u32(uint32_t(ff)));
  w.add(a + ".attention.head_count", make_u32(uint32_t(c.n_head)));
  w.add(a + ".attention.head_count_kv", make_u32(uint32_t(c.n_head)));
  w.add(a + ".context_length", make_u32(uint32_t(c.n_ctx)));
  w.add(a + ".attention.layer_norm_rms_epsilon", make_f32(c.norm_eps));
  w.add(a + ".rope.freq_base", make_f32(c.rope_base));
  w.add(a + ".rope.dimension_count", make_u32(uint32_t(c.head_dim())));
  w.add(a + ".vocab_size", make_u32(uint32_t(c.vocab)));
  w.add("tokenizer.ggml.model", make_string(tokenizer.model));
  w.add("tokenizer.ggml.tokens", make_string_array(labels));
  if (!tokenizer.scores.empty()) w.add("tokenizer.ggml.scores", make_f32_array(tokenizer.scores));
  if (!tokenizer.types.empty()) w.add("tokenizer.ggml.token_type", make_i32_array(tokenizer.types));
  for (auto [key, id] : {std::pair{"bos_token_id", tokenizer.bos}, std::pair{"eos_token_id", tokenizer.eos},
                         std::pair{"unknown_token_id", tokenizer.unk}})
    if (id >= 0) w.add(std::string("tokenizer.ggml.") + key, make_u32(uint32_t(id)));
  if (tokenizer.model == "llama") {
    w.add("tokenizer.ggml.add_bos_token", make_bool(tokenizer.add_bos));
    w.add("tokenizer.ggml.add_space_prefix", make_bool(tokenizer.add_space_prefix));
  }

  std::vector<float> tr;
  // Ours (in, out) → llama's (out, in): dims {in, out}, rows of `in` values.
  auto matrix = [&](const std::string& tensor, size_t offset, int in, int outd) {
    tr.resize(size_t(in) * outd);
    transpose(params.data() + offset, in, outd, tr.data());
    w.add_tensor(tensor, {uint64_t(in), uint64_t(outd)}, TensorType::F32, tr.data());
  };
  auto vec = [&](const std::string& tensor, const float* v, int n) {
    w.add_tensor(tensor, {uint64_t(n)}, TensorType::F32, v);
  };
  // token_embd is (vocab, d) in both: a row per token.
  w.add_tensor("token_embd.weight", {uint64_t(d), uint64_t(c.vocab)}, TensorType::F32,
               params.data() + l.tok_embd);
  const std::vector<float> ones(size_t(d), 1.0f), zeros(size_t(d) * ff, 0.0f);
  for (int i = 0; i < c.n_layer; ++i) {
    const LayerOffsets& o = l.layers[size_t(i)];
    const std::string p = "blk." + std::to_string(i) + ".";
    vec(p + "attn_norm.weight", params.data() + o.attn_norm, d);
    matrix(p + "attn_q.weight", o.wq, d, d);
    matrix(p + "attn_k.weight", o.wk, d, d);
    matrix(p + "attn_v.weight", o.wv, d, d);
    matrix(p + "attn_output.weight", o.wo, d, d);
    if (c.mlp == Mlp::SwiGlu) {
      vec(p + "ffn_norm.weight", params.data() + o.ffn_norm, d);
      matrix(p + "ffn_gate.weight", o.w_gate, d, ff);
      matrix(p + "ffn_up.weight", o.w_up, d, ff);
      matrix(p + "ffn_down.weight", o.w_down, ff, d);
    } else {
      vec(p + "ffn_norm.weight", ones.data(), d);
      w.add_tensor(p + "ffn_gate.weight", {uint64_t(d), uint64_t(ff)}, TensorType::F32, zeros.data());
      w.add_tensor(p + "ffn_up.weight", {uint64_t(d), uint64_t(ff)}, TensorType::F32, zeros.data());
      w.add_tensor(p + "ffn_down.weight", {uint64_t(ff), uint64_t(d)}, TensorType::F32, zeros.data());
    }
  }
  vec("output_norm.weight", params.data() + l.output_norm, d);
  matrix("output.weight", l.output, d, c.vocab);
  *out = w.finish();
  return "";
}

}  // namespace ap::train
