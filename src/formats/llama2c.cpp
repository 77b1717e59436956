#include "formats/llama2c.h"

#include <cstring>

namespace ap::llama2c {

namespace {
// Bounds that keep every product below in range and refuse nonsense before any allocation.
constexpr int64_t kMaxDim = 1 << 16;
constexpr int64_t kMaxLayers = 1024;
constexpr int64_t kMaxVocab = 1 << 22;
constexpr int64_t kMaxSeq = 1 << 20;
}  // namespace

std::string parse(const uint8_t* data, size_t size, Checkpoint* out) {
  if (size < kHeaderBytes)
    return "llama2.c: the file has " + std::to_string(size) + " bytes, fewer than the 28-byte header";
  int32_t h[7];
  std::memcpy(h, data, sizeof h);  // little-endian hosts (x86, wasm)
  if (uint32_t(h[0]) == 0x616b3432u)
    return "llama2.c: this is a versioned llama2.c export (magic \"ak42\"); only the legacy format is "
           "supported";
  static const char* const kNames[] = {"dim",        "hidden_dim", "n_layers", "n_heads",
                                       "n_kv_heads", "vocab_size", "seq_len"};
  static const int64_t kMax[] = {kMaxDim, kMaxDim * 4, kMaxLayers, kMaxDim, kMaxDim, kMaxVocab, kMaxSeq};
  int64_t v[7];
  for (int k = 0; k < 7; ++k) {
    v[k] = k == 5 ? (h[k] < 0 ? -int64_t(h[k]) : int64_t(h[k])) : int64_t(h[k]);
    if (v[k] < 1 || v[k] > kMax[k])
      return std::string("llama2.c: header field ") + kNames[k] + " (byte " + std::to_string(4 * k) +
             ") is " + std::to_string(h[k]) + "; it must be between 1 and " + std::to_string(kMax[k]) +
             (k == 5 ? " in magnitude" : "");
  }
  Checkpoint c;
  c.dim = int(v[0]), c.hidden_dim = int(v[1]), c.n_layers = int(v[2]), c.n_heads = int(v[3]);
  c.n_kv_heads = int(v[4]), c.vocab_size = int(v[5]), c.seq_len = int(v[6]);
  c.shared_classifier = h[5] > 0;
  if (c.dim % c.n_heads != 0)
    return "llama2.c: dim " + std::to_string(c.dim) + " is not a multiple of n_heads " +
           std::to_string(c.n_heads);
  if (c.n_kv_heads > c.n_heads || c.n_heads % c.n_kv_heads != 0)
    return "llama2.c: n_kv_heads " + std::to_string(c.n_kv_heads) + " must divide n_heads " +
           std::to_string(c.n_heads);
  c.head_size = c.dim / c.n_heads;
  if (c.head_size % 2 != 0)
    return "llama2.c: the head size dim/n_heads = " + std::to_string(c.head_size) +
           " must be even (RoPE pairs)";
  c.kv_dim = c.dim / c.n_heads * c.n_kv_heads;

  const uint64_t d = c.dim, hd = c.hidden_dim, L = c.n_layers, kv = c.kv_dim, V = c.vocab_size;
  uint64_t at = kHeaderBytes;
  auto take = [&at](uint64_t floats) {
    const uint64_t here = at;
    at += floats * 4;
    return size_t(here);
  };
  c.token_embedding = take(V * d);
  c.rms_att = take(L * d);
  c.wq = take(L * d * d);
  c.wk = take(L * kv * d);
  c.wv = take(L * kv * d);
  c.wo = take(L * d * d);
  c.rms_ffn = take(L * d);
  c.w1 = take(L * hd * d);
  c.w2 = take(L * d * hd);
  c.w3 = take(L * hd * d);
  c.rms_final = take(d);
  take(uint64_t(c.seq_len) * c.head_size / 2);  // freq_cis_real
  take(uint64_t(c.seq_len) * c.head_size / 2);  // freq_cis_imag
  c.wcls = c.shared_classifier ? c.token_embedding : take(V * d);
  c.expected_size = size_t(at);
  if (at != size)
    return "llama2.c: the header (dim " + std::to_string(c.dim) + ", hidden_dim " +
           std::to_string(c.hidden_dim) + ", n_layers " + std::to_string(c.n_layers) + ", n_heads " +
           std::to_string(c.n_heads) + ", n_kv_heads " + std::to_string(c.n_kv_heads) + ", vocab_size " +
           std::to_string(h[5]) + ", seq_len " + std::to_string(c.seq_len) + ") describes a file of " +
           std::to_string(at) + " bytes, but it has " + std::to_string(size) +
           (at > size ? " (truncated?)" : "");
  *out = c;
  return "";
}

}  // namespace ap::llama2c
