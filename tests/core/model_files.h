// Model files the tests write themselves: random small weights for each architecture, in any
// stored type, as GGUF (v2 or v3) or as a llama2.c checkpoint, and the reference weights decoded by
// hand (model_reference.h) from the very bytes written.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "formats/gguf.h"
#include "formats/gguf_writer.h"
#include "model_reference.h"
#include "test_buffers.h"

namespace ap_test {

struct ModelSpec {
  std::string arch = "llama";  // llama, qwen2, gpt2
  int d = 64, ff = 96, layers = 2, heads = 4, kv_heads = 2, vocab = 48, ctx = 32;
  int n_rot = 0;  // 0: the head size
  float base = 10000.0f, eps = 1e-5f;
  bool tied = false;
  bool biases = false;  // attention biases on a llama (qwen2 and gpt2 always have theirs)
  ap::TensorType type = ap::TensorType::F32;
  uint32_t version = 3;
  uint32_t seed = 1;
};

inline std::vector<float> weights(size_t count, uint32_t seed, float stddev) {
  return random_values(count, seed, stddev);
}

inline std::vector<float> around_one(size_t count, uint32_t seed) {
  auto v = random_values(count, seed, 0.1f);
  for (float& e : v) e += 1.0f;
  return v;
}

inline std::vector<uint8_t> write_gguf(const ModelSpec& s) {
  using namespace ap::gguf;
  Writer w(s.version);
  const std::string a = s.arch;
  const bool gpt2 = a == "gpt2";
  const int hd = s.d / s.heads, qd = s.d, kvd = hd * s.kv_heads;
  w.add("general.architecture", make_string(a));
  w.add("general.name", make_string("test " + a));
  w.add(a + ".block_count", make_u32(uint32_t(s.layers)));
  w.add(a + ".embedding_length", make_u32(uint32_t(s.d)));
  w.add(a + ".feed_forward_length", make_u32(uint32_t(s.ff)));
  w.add(a + ".attention.head_count", make_u32(uint32_t(s.heads)));
  w.add(a + ".attention.head_count_kv", make_u32(uint32_t(s.kv_heads)));
  w.add(a + ".context_length", make_u32(uint32_t(s.ctx)));
  if (gpt2) {
    w.add(a + ".attention.layer_norm_epsilon", make_f32(s.eps));
  } else {
    w.add(a + ".attention.layer_norm_rms_epsilon", make_f32(s.eps));
    w.add(a + ".rope.freq_base", make_f32(s.base));
    if (s.n_rot) w.add(a + ".rope.dimension_count", make_u32(uint32_t(s.n_rot)));
  }
  uint32_t seed = s.seed * 1000;
  auto mat = [&](const std::string& name, int rows, int cols, float stddev) {
    const auto v = weights(size_t(rows) * cols, ++seed, stddev);
    w.add_tensor(name, {uint64_t(cols), uint64_t(rows)}, s.type, v.data());
  };
  auto vec = [&](const std::string& name, int n, bool one) {
    const auto v = one ? around_one(size_t(n), ++seed) : weights(size_t(n), ++seed, 0.1f);
    w.add_tensor(name, {uint64_t(n)}, ap::TensorType::F32, v.data());
  };
  mat("token_embd.weight", s.vocab, s.d, 1.0f);
  if (gpt2) {
    const auto v = weights(size_t(s.ctx) * s.d, ++seed, 0.3f);
    w.add_tensor("position_embd.weight", {uint64_t(s.d), uint64_t(s.ctx)}, ap::TensorType::F32, v.data());
  }
  const float in_d = 1.0f / std::sqrt(float(s.d)), in_ff = 1.0f / std::sqrt(float(s.ff));
  for (int l = 0; l < s.layers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    vec(p + "attn_norm.weight", s.d, true);
    if (gpt2) vec(p + "attn_norm.bias", s.d, false);
    if (gpt2) {
      mat(p + "attn_qkv.weight", 3 * s.d, s.d, in_d);
      vec(p + "attn_qkv.bias", 3 * s.d, false);
    } else {
      mat(p + "attn_q.weight", qd, s.d, in_d);
      mat(p + "attn_k.weight", kvd, s.d, in_d);
      mat(p + "attn_v.weight", kvd, s.d, in_d);
      if (a == "qwen2" || s.biases) {
        vec(p + "attn_q.bias", qd, false);
        vec(p + "attn_k.bias", kvd, false);
        vec(p + "attn_v.bias", kvd, false);
      }
    }
    mat(p + "attn_output.weight", s.d, qd, in_d);
    if (gpt2) vec(p + "attn_output.bias", s.d, false);
    vec(p + "ffn_norm.weight", s.d, true);
    if (gpt2) vec(p + "ffn_norm.bias", s.d, false);
    if (!gpt2) mat(p + "ffn_gate.weight", s.ff, s.d, in_d);
    mat(p + "ffn_up.weight", s.ff, s.d, in_d);
    mat(p + "ffn_down.weight", s.d, s.ff, in_ff);
    if (gpt2) {
      vec(p + "ffn_up.bias", s.ff, false);
      vec(p + "ffn_down.bias", s.d, false);
    }
  }
  vec("output_norm.weight", s.d, true);
  if (gpt2) vec("output_norm.bias", s.d, false);
  if (!s.tied) mat("output.weight", s.vocab, s.d, in_d);
  return w.finish();
}

// The reference weights of a GGUF file written by write_gguf, decoded by hand from its bytes.
inline ref::Weights reference_of_gguf(const std::vector<uint8_t>& file, const ModelSpec& s) {
  ap::gguf::File f;
  const std::string err = ap::gguf::parse(file.data(), file.size(), &f);
  (void)err;
  auto get = [&](const std::string& name) -> std::vector<double> {
    const ap::gguf::TensorInfo* t = f.tensor(name);
    if (!t) return {};
    const size_t cols = t->dims[0], rows = t->dims.size() > 1 ? t->dims[1] : 1;
    return ref::decode(t->ggml_type, file.data() + t->file_offset, rows, cols);
  };
  ref::Weights m;
  const bool gpt2 = s.arch == "gpt2";
  m.d = s.d, m.ff = s.ff, m.n_head = s.heads, m.n_kv = s.kv_heads, m.hd = s.d / s.heads;
  m.n_rot = gpt2 ? 0 : (s.n_rot ? s.n_rot : m.hd), m.vocab = s.vocab, m.n_ctx = s.ctx;
  m.rope = gpt2 ? ref::Rope::None : s.arch == "qwen2" ? ref::Rope::Halves : ref::Rope::Interleaved;
  m.layer_norm = gpt2, m.gelu = gpt2, m.base = s.base, m.eps = s.eps;
  m.tok = get("token_embd.weight");
  m.pos = get("position_embd.weight");
  m.out_norm = get("output_norm.weight");
  m.out_norm_b = get("output_norm.bias");
  m.out = s.tied ? m.tok : get("output.weight");
  for (int l = 0; l < s.layers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    ref::Layer L;
    L.attn_norm = get(p + "attn_norm.weight"), L.attn_norm_b = get(p + "attn_norm.bias");
    if (gpt2) {
      const auto qkv = get(p + "attn_qkv.weight"), b = get(p + "attn_qkv.bias");
      const size_t dd = size_t(s.d) * s.d;
      L.wq.assign(qkv.begin(), qkv.begin() + dd);
      L.wk.assign(qkv.begin() + dd, qkv.begin() + 2 * dd);
      L.wv.assign(qkv.begin() + 2 * dd, qkv.end());
      L.bq.assign(b.begin(), b.begin() + s.d);
      L.bk.assign(b.begin() + s.d, b.begin() + 2 * s.d);
      L.bv.assign(b.begin() + 2 * s.d, b.end());
    } else {
      L.wq = get(p + "attn_q.weight"), L.wk = get(p + "attn_k.weight"), L.wv = get(p + "attn_v.weight");
      L.bq = get(p + "attn_q.bias"), L.bk = get(p + "attn_k.bias"), L.bv = get(p + "attn_v.bias");
    }
    L.wo = get(p + "attn_output.weight"), L.bo = get(p + "attn_output.bias");
    L.ffn_norm = get(p + "ffn_norm.weight"), L.ffn_norm_b = get(p + "ffn_norm.bias");
    L.gate = get(p + "ffn_gate.weight"), L.up = get(p + "ffn_up.weight"), L.down = get(p + "ffn_down.weight");
    L.b_up = get(p + "ffn_up.bias"), L.b_down = get(p + "ffn_down.bias");
    m.layers.push_back(std::move(L));
  }
  return m;
}

// A llama2.c checkpoint with random weights (float32), shared or separate classifier.
inline std::vector<uint8_t> write_llama2c(int d, int ff, int layers, int heads, int kv_heads, int vocab,
                                          int seq, bool shared, uint32_t seed) {
  const int hd = d / heads, kv = hd * kv_heads;
  std::vector<float> all;
  auto put = [&](size_t count, float stddev, bool one = false) {
    auto v = one ? around_one(count, ++seed) : weights(count, ++seed, stddev);
    all.insert(all.end(), v.begin(), v.end());
  };
  const float in_d = 1.0f / std::sqrt(float(d)), in_ff = 1.0f / std::sqrt(float(ff));
  put(size_t(vocab) * d, 1.0f);
  for (int l = 0; l < layers; ++l) put(size_t(d), 0, true);
  for (int l = 0; l < layers; ++l) put(size_t(d) * d, in_d);
  for (int l = 0; l < layers; ++l) put(size_t(kv) * d, in_d);
  for (int l = 0; l < layers; ++l) put(size_t(kv) * d, in_d);
  for (int l = 0; l < layers; ++l) put(size_t(d) * d, in_d);
  for (int l = 0; l < layers; ++l) put(size_t(d), 0, true);
  for (int l = 0; l < layers; ++l) put(size_t(ff) * d, in_d);
  for (int l = 0; l < layers; ++l) put(size_t(d) * ff, in_ff);
  for (int l = 0; l < layers; ++l) put(size_t(ff) * d, in_d);
  put(size_t(d), 0, true);
  put(size_t(seq) * hd, 5.0f);  // freq_cis_real and _imag: must be skipped (large values show it)
  if (!shared) put(size_t(vocab) * d, in_d);
  const int32_t header[7] = {d, ff, layers, heads, kv_heads, shared ? vocab : -vocab, seq};
  std::vector<uint8_t> out(28 + all.size() * 4);
  std::memcpy(out.data(), header, 28);
  std::memcpy(out.data() + 28, all.data(), all.size() * 4);
  return out;
}

}  // namespace ap_test
