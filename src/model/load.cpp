// Building a Model from a GGUF file or a llama2.c checkpoint: hyper-parameters from the metadata
// (llama.cpp's key names), tensors by llama.cpp's names, every shape checked against them, every
// weight checked finite.
#include <cmath>
#include <cstring>
#include <map>

#include "formats/llama2c.h"
#include "model/model.h"

namespace ap::model {

const char* arch_name(Arch a) {
  switch (a) {
    case Arch::Llama:
      return "llama";
    case Arch::Qwen2:
      return "qwen2";
    case Arch::Gpt2:
      return "gpt2";
  }
  return "unknown";
}

namespace {

// Bounds on hyper-parameters, far above any model a browser can hold, so that products of them
// cannot overflow and nonsense is refused by name.
constexpr int64_t kMaxWidth = 1 << 16;
constexpr int64_t kMaxLayers = 1024;
constexpr int64_t kMaxVocab = 1 << 22;
constexpr int64_t kMaxContext = 1 << 20;

struct Reader {
  const gguf::File& f;
  std::string arch;
  std::string error;

  // An integer key arch.name within [lo, hi]; absent: `fallback` if given (≥ 0), else an error.
  bool get_int(const std::string& name, int64_t lo, int64_t hi, int* out, int64_t fallback = -1) {
    const std::string key = arch + "." + name;
    const gguf::Value* v = f.find(key);
    if (!v) {
      if (fallback >= 0) {
        *out = int(fallback);
        return true;
      }
      error = "GGUF: the metadata key '" + key + "' is missing";
      return false;
    }
    if (!v->is_integer() || v->type == gguf::ValueType::Bool) {
      error = "GGUF: metadata key '" + key + "' must be an integer, not " + gguf::value_type_name(v->type);
      return false;
    }
    const double x = v->number();
    if (!(x >= double(lo) && x <= double(hi))) {
      error = "GGUF: metadata key '" + key + "' is " + std::to_string(int64_t(x)) + "; it must be between " +
              std::to_string(lo) + " and " + std::to_string(hi);
      return false;
    }
    *out = int(x);
    return true;
  }
  bool get_float(const std::string& name, double lo, double hi, float* out, bool required, float fallback) {
    const std::string key = arch + "." + name;
    const gguf::Value* v = f.find(key);
    if (!v) {
      if (!required) {
        *out = fallback;
        return true;
      }
      error = "GGUF: the metadata key '" + key + "' is missing";
      return false;
    }
    if (!v->is_number() || v->type == gguf::ValueType::Bool) {
      error = "GGUF: metadata key '" + key + "' must be a number, not " + gguf::value_type_name(v->type);
      return false;
    }
    const double x = v->number();
    if (!(x >= lo && x <= hi)) {
      error = "GGUF: metadata key '" + key + "' is " + std::to_string(x) + "; it must be between " +
              std::to_string(lo) + " and " + std::to_string(hi);
      return false;
    }
    *out = float(x);
    return true;
  }
};

std::string shape_text(const std::vector<uint64_t>& dims) {
  std::string s = "[";
  for (size_t k = 0; k < dims.size(); ++k) s += (k ? ", " : "") + std::to_string(dims[k]);
  return s + "]";
}

// Finds tensor `name` with dims exactly {cols, rows} (or {cols} when rows == 0).
struct Tensors {
  const gguf::File& f;
  const std::vector<uint8_t>& bytes;
  std::string error;
  std::map<std::string, int> used;

  const gguf::TensorInfo* find(const std::string& name, int64_t cols, int64_t rows, bool required) {
    const gguf::TensorInfo* t = f.tensor(name);
    if (!t) {
      if (required && error.empty()) error = "GGUF: the tensor '" + name + "' is missing";
      return nullptr;
    }
    std::vector<uint64_t> want{uint64_t(cols)};
    if (rows > 0) want.push_back(uint64_t(rows));
    if (t->dims != want) {
      if (error.empty())
        error = "GGUF: tensor '" + name + "' has shape " + shape_text(t->dims) +
                ", the hyper-parameters say " + shape_text(want) + " (innermost first)";
      return nullptr;
    }
    used[name] = 1;
    return t;
  }
  bool matrix(const std::string& name, int64_t cols, int64_t rows, bool required, QuantMatrix* out) {
    const gguf::TensorInfo* t = find(name, cols, rows, required);
    if (!t) return !required && error.empty();
    *out = {t->type, int(rows), int(cols), bytes.data() + t->file_offset};
    return true;
  }
  bool vec(const std::string& name, int64_t n, bool required, Vec* out) {
    const gguf::TensorInfo* t = find(name, n, 0, required);
    if (!t) return !required && error.empty();
    out->resize(size_t(n));
    const QuantMatrix m{t->type, 1, int(n), bytes.data() + t->file_offset};
    dequantize_row(m, 0, out->data());
    return true;
  }
};

}  // namespace

std::string Model::load(std::vector<uint8_t> bytes, Model* out) {
  if (bytes.size() >= 4 && std::memcmp(bytes.data(), "GGUF", 4) == 0) return from_gguf(std::move(bytes), out);
  return from_llama2c(std::move(bytes), out);
}

std::string Model::from_gguf(std::vector<uint8_t> bytes, Model* out) {
  Model m;
  if (std::string e = gguf::parse(bytes.data(), bytes.size(), &m.gguf_); !e.empty()) return e;
  const gguf::File& f = m.gguf_;
  Config& c = m.config_;
  c.source = "gguf v" + std::to_string(f.version);
  const gguf::Value* a = f.find("general.architecture");
  if (!a) return "GGUF: the metadata key 'general.architecture' is missing";
  if (a->type != gguf::ValueType::String) return "GGUF: 'general.architecture' must be a string";
  if (a->str == "llama") {
    c.arch = Arch::Llama, c.rope = RopeStyle::Norm;
  } else if (a->str == "qwen2") {
    c.arch = Arch::Qwen2, c.rope = RopeStyle::Neox;
  } else if (a->str == "gpt2") {
    c.arch = Arch::Gpt2, c.rope = RopeStyle::None, c.norm = Norm::Layer, c.gelu_mlp = true;
  } else {
    return "GGUF: architecture '" + a->str + "' is not supported (llama, qwen2 and gpt2 are)";
  }
  Reader r{f, a->str, {}};
  if (!r.get_int("block_count", 1, kMaxLayers, &c.n_layer) ||
      !r.get_int("embedding_length", 1, kMaxWidth, &c.d_model) ||
      !r.get_int("feed_forward_length", 1, kMaxWidth * 4, &c.n_ff) ||
      !r.get_int("attention.head_count", 1, kMaxWidth, &c.n_head) ||
      !r.get_int("attention.head_count_kv", 1, kMaxWidth, &c.n_kv_head, c.n_head) ||
      !r.get_int("context_length", 1, kMaxContext, &c.n_ctx))
    return r.error;
  if (c.d_model % c.n_head != 0 && !f.find(a->str + ".attention.key_length"))
    return "GGUF: embedding_length " + std::to_string(c.d_model) + " is not a multiple of head_count " +
           std::to_string(c.n_head);
  if (!r.get_int("attention.key_length", 1, kMaxWidth, &c.head_dim, c.d_model / c.n_head)) return r.error;
  if (const gguf::Value* vl = f.find(a->str + ".attention.value_length");
      vl && (!vl->is_integer() || int64_t(vl->number()) != c.head_dim))
    return "GGUF: attention.value_length differs from key_length, which is not supported";
  if (c.n_kv_head > c.n_head || c.n_head % c.n_kv_head != 0)
    return "GGUF: attention.head_count_kv " + std::to_string(c.n_kv_head) +
           " must divide attention.head_count " + std::to_string(c.n_head);
  if (int64_t(c.n_head) * c.head_dim > kMaxWidth) return "GGUF: head_count × key_length is too large";
  if (c.rope != RopeStyle::None) {
    if (!r.get_int("rope.dimension_count", 2, c.head_dim, &c.n_rot, c.head_dim)) return r.error;
    if (c.n_rot % 2 != 0) return "GGUF: rope.dimension_count " + std::to_string(c.n_rot) + " must be even";
    if (!r.get_float("rope.freq_base", 1.0, 1e12, &c.rope_base, false, 10000.0f)) return r.error;
    if (!r.get_float("attention.layer_norm_rms_epsilon", 0.0, 1.0, &c.norm_eps, true, 0)) return r.error;
  } else {
    if (!r.get_float("attention.layer_norm_epsilon", 0.0, 1.0, &c.norm_eps, true, 0)) return r.error;
  }

  m.bytes_ = std::move(bytes);
  Tensors t{f, m.bytes_, {}, {}};
  const gguf::TensorInfo* emb = f.tensor("token_embd.weight");
  if (!emb) return "GGUF: the tensor 'token_embd.weight' is missing";
  if (emb->dims.size() != 2 || emb->dims[0] != uint64_t(c.d_model) || emb->dims[1] > uint64_t(kMaxVocab))
    return "GGUF: tensor 'token_embd.weight' has shape " + shape_text(emb->dims) + "; it must be [" +
           std::to_string(c.d_model) + ", vocabulary size]";
  c.vocab = int(emb->dims[1]);
  const int d = c.d_model, qd = c.n_head * c.head_dim, kvd = c.n_kv_head * c.head_dim;
  t.matrix("token_embd.weight", d, c.vocab, true, &m.token_embd_);
  if (c.arch == Arch::Gpt2) t.matrix("position_embd.weight", d, c.n_ctx, true, &m.position_embd_);
  t.vec("output_norm.weight", d, true, &m.output_norm_);
  t.vec("output_norm.bias", d, c.norm == Norm::Layer, &m.output_norm_b_);
  if (!t.matrix("output.weight", d, c.vocab, false, &m.output_)) return t.error;
  c.tied_output = f.tensor("output.weight") == nullptr;
  if (c.tied_output) m.output_ = m.token_embd_;
  m.layers_.resize(size_t(c.n_layer));
  for (int l = 0; l < c.n_layer && t.error.empty(); ++l) {
    LayerWeights& w = m.layers_[size_t(l)];
    const std::string p = "blk." + std::to_string(l) + ".";
    const bool ln = c.norm == Norm::Layer;
    t.vec(p + "attn_norm.weight", d, true, &w.attn_norm);
    t.vec(p + "attn_norm.bias", d, ln, &w.attn_norm_b);
    if (c.arch == Arch::Gpt2) {
      if (qd != d) return "GGUF: gpt2 needs head_count × key_length = embedding_length";
      // The fused qkv holds d rows each of q, k and v: one K/V head per query head.
      if (kvd != d)
        return "GGUF: gpt2's fused attn_qkv needs head_count_kv = head_count (" + std::to_string(c.n_head) +
               "), not " + std::to_string(c.n_kv_head);
      t.matrix(p + "attn_qkv.weight", d, 3 * d, true, &w.wqkv);
      t.vec(p + "attn_qkv.bias", 3 * d, false, &w.bqkv);
    } else {
      t.matrix(p + "attn_q.weight", d, qd, true, &w.wq);
      t.matrix(p + "attn_k.weight", d, kvd, true, &w.wk);
      t.matrix(p + "attn_v.weight", d, kvd, true, &w.wv);
      t.vec(p + "attn_q.bias", qd, false, &w.bq);
      t.vec(p + "attn_k.bias", kvd, false, &w.bk);
      t.vec(p + "attn_v.bias", kvd, false, &w.bv);
    }
    t.matrix(p + "attn_output.weight", qd, d, true, &w.wo);
    t.vec(p + "attn_output.bias", d, false, &w.bo);
    t.vec(p + "ffn_norm.weight", d, true, &w.ffn_norm);
    t.vec(p + "ffn_norm.bias", d, ln, &w.ffn_norm_b);
    if (!c.gelu_mlp) t.matrix(p + "ffn_gate.weight", d, c.n_ff, true, &w.ffn_gate);
    t.matrix(p + "ffn_up.weight", d, c.n_ff, true, &w.ffn_up);
    t.matrix(p + "ffn_down.weight", c.n_ff, d, true, &w.ffn_down);
    t.vec(p + "ffn_up.bias", c.n_ff, false, &w.b_up);
    t.vec(p + "ffn_down.bias", d, false, &w.b_down);
  }
  if (!t.error.empty()) return t.error;
  if (std::string e = m.finish_load(); !e.empty()) return e;
  *out = std::move(m);
  return "";
}

std::string Model::from_llama2c(std::vector<uint8_t> bytes, Model* out) {
  llama2c::Checkpoint ck;
  if (std::string e = llama2c::parse(bytes.data(), bytes.size(), &ck); !e.empty()) return e;
  Model m;
  Config& c = m.config_;
  c.source = "llama2.c";
  c.arch = Arch::Llama, c.rope = RopeStyle::Norm, c.norm = Norm::Rms;
  c.n_layer = ck.n_layers, c.d_model = ck.dim, c.n_ff = ck.hidden_dim, c.n_head = ck.n_heads;
  c.n_kv_head = ck.n_kv_heads, c.head_dim = ck.head_size, c.n_rot = ck.head_size, c.vocab = ck.vocab_size;
  c.n_ctx = ck.seq_len, c.rope_base = 10000.0f, c.norm_eps = 1e-5f, c.tied_output = ck.shared_classifier;
  m.bytes_ = std::move(bytes);
  const uint8_t* base = m.bytes_.data();
  const int d = c.d_model, kvd = ck.kv_dim, h = c.n_ff;
  auto mat = [base](size_t at, int rows, int cols) {
    return QuantMatrix{TensorType::F32, rows, cols, base + at};
  };
  auto vec = [base](size_t at, int n) {
    Vec v(static_cast<size_t>(n));
    std::memcpy(v.data(), base + at, size_t(n) * 4);
    return v;
  };
  m.token_embd_ = mat(ck.token_embedding, c.vocab, d);
  m.output_ = mat(ck.wcls, c.vocab, d);
  m.output_norm_ = vec(ck.rms_final, d);
  m.layers_.resize(size_t(c.n_layer));
  for (int l = 0; l < c.n_layer; ++l) {
    LayerWeights& w = m.layers_[size_t(l)];
    const size_t L = size_t(l);
    w.attn_norm = vec(ck.rms_att + L * d * 4, d);
    w.wq = mat(ck.wq + L * d * d * 4, d, d);
    w.wk = mat(ck.wk + L * kvd * d * 4, kvd, d);
    w.wv = mat(ck.wv + L * kvd * d * 4, kvd, d);
    w.wo = mat(ck.wo + L * d * d * 4, d, d);
    w.ffn_norm = vec(ck.rms_ffn + L * d * 4, d);
    w.ffn_gate = mat(ck.w1 + L * h * d * 4, h, d);
    w.ffn_down = mat(ck.w2 + L * d * h * 4, d, h);
    w.ffn_up = mat(ck.w3 + L * h * d * 4, h, d);
  }
  if (std::string e = m.finish_load(); !e.empty()) return e;
  *out = std::move(m);
  return "";
}

std::string Model::finish_load() {
  // Every matrix by name (llama.cpp's names, also for llama2.c), checked finite and counted.
  std::vector<std::pair<std::string, const QuantMatrix*>> mats{{"token_embd.weight", &token_embd_}};
  if (position_embd_.rows) mats.push_back({"position_embd.weight", &position_embd_});
  if (!config_.tied_output) mats.push_back({"output.weight", &output_});
  std::vector<std::pair<std::string, const Vec*>> vecs{{"output_norm.weight", &output_norm_},
                                                       {"output_norm.bias", &output_norm_b_}};
  for (size_t l = 0; l < layers_.size(); ++l) {
    const LayerWeights& w = layers_[l];
    const std::string p = "blk." + std::to_string(l) + ".";
    for (auto [name, q] : {std::pair{"attn_q", &w.wq},
                           {"attn_k", &w.wk},
                           {"attn_v", &w.wv},
                           {"attn_qkv", &w.wqkv},
                           {"attn_output", &w.wo},
                           {"ffn_gate", &w.ffn_gate},
                           {"ffn_up", &w.ffn_up},
                           {"ffn_down", &w.ffn_down}})
      if (q->rows) mats.push_back({p + name + ".weight", q});
    for (auto [name, v] : {std::pair{"attn_norm.weight", &w.attn_norm},
                           {"attn_norm.bias", &w.attn_norm_b},
                           {"attn_q.bias", &w.bq},
                           {"attn_k.bias", &w.bk},
                           {"attn_v.bias", &w.bv},
                           {"attn_qkv.bias", &w.bqkv},
                           {"attn_output.bias", &w.bo},
                           {"ffn_norm.weight", &w.ffn_norm},
                           {"ffn_norm.bias", &w.ffn_norm_b},
                           {"ffn_up.bias", &w.b_up},
                           {"ffn_down.bias", &w.b_down}})
      vecs.push_back({p + name, v});
  }
  std::map<std::string, int> types;
  parameters_ = 0;
  for (const auto& [name, q] : mats) {
    if (long long at = first_non_finite(*q); at >= 0)
      return "tensor '" + name + "' holds a non-finite value at row " + std::to_string(at / q->cols) +
             ", column " + std::to_string(at % q->cols);
    parameters_ += size_t(q->rows) * q->cols;
    ++types[ggml_type_name(uint32_t(q->type))];
  }
  float_bytes_ = 0;
  for (const auto& [name, v] : vecs) {
    for (size_t k = 0; k < v->size(); ++k)
      if (!std::isfinite((*v)[k]))
        return "tensor '" + name + "' holds a non-finite value at index " + std::to_string(k);
    parameters_ += v->size();
    float_bytes_ += v->size() * sizeof(float);
  }
  tensor_types_.clear();
  for (const auto& [name, count] : types)
    tensor_types_ += (tensor_types_.empty() ? "" : ", ") + name + " ×" + std::to_string(count);
  return "";
}

size_t Model::memory_bytes() const { return bytes_.size() + float_bytes_; }

}  // namespace ap::model
