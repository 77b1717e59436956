// GGUF tokenizer keys → Vocab (see gguf_vocab.h).
#include "tokenizer/gguf_vocab.h"

#include <cmath>
#include <cstring>

namespace ap {
namespace {

const char kPrefix[] = "tokenizer.ggml.";

std::string key(const char* name) { return std::string(kPrefix) + name; }

// A string array's strings, or a message. A missing key leaves *out empty when it is optional.
std::string read_strings(const gguf::File& f, const char* name, bool required,
                         std::vector<std::string>* out) {
  const gguf::Value* v = f.find(key(name));
  if (!v) return required ? "missing key " + key(name) : "";
  if (v->type != gguf::ValueType::Array || v->elem != gguf::ValueType::String) {
    return key(name) + " has type " + gguf::value_type_name(v->type) + ", not an array of strings";
  }
  *out = v->strings;
  return "";
}

// A numeric array of exactly n elements as doubles, or a message; missing = empty.
std::string read_numbers(const gguf::File& f, const char* name, size_t n, std::vector<double>* out) {
  const gguf::Value* v = f.find(key(name));
  if (!v) return "";
  if (v->type != gguf::ValueType::Array || v->elem == gguf::ValueType::String ||
      v->elem == gguf::ValueType::Array || v->elem == gguf::ValueType::Bool) {
    return key(name) + " is not an array of numbers";
  }
  if (v->count != n) {
    return key(name) + " has " + std::to_string(v->count) + " entries for " + std::to_string(n) + " tokens";
  }
  out->resize(n);
  for (size_t k = 0; k < n; ++k) (*out)[k] = v->number_at(k);
  return "";
}

// A token id key: absent leaves *id; present must be an integer in int32 (llama.cpp reads uint32 and
// treats values beyond the vocabulary as errors, which validate_vocab reports).
std::string read_id(const gguf::File& f, const char* name, int32_t* id) {
  const gguf::Value* v = f.find(key(name));
  if (!v) return "";
  if (!v->is_integer() || v->type == gguf::ValueType::Bool) return key(name) + " is not an integer";
  const double x = v->number();
  if (x < -1 || x > 2147483647.0)
    return key(name) + " = " + std::to_string(int64_t(x)) + " is not a token id";
  *id = static_cast<int32_t>(x);
  return "";
}

std::string read_flag(const gguf::File& f, const char* name, bool* flag) {
  const gguf::Value* v = f.find(key(name));
  if (!v) return "";
  if (v->type != gguf::ValueType::Bool)
    return key(name) + " has type " + gguf::value_type_name(v->type) + ", not bool";
  *flag = v->u != 0;
  return "";
}

}  // namespace

std::string vocab_from_gguf(const gguf::File& f, Vocab* out) {
  Vocab v;
  const gguf::Value* model = f.find(key("model"));
  if (!model) return "missing key " + key("model") + " (the file has no tokenizer)";
  if (model->type != gguf::ValueType::String) return key("model") + " is not a string";
  if (model->str == "llama") {
    v.kind = VocabKind::Spm;
  } else if (model->str == "gpt2") {
    v.kind = VocabKind::Bpe;
  } else if (model->str == "none") {
    // llama.cpp's vocabulary-less type: the tokens, when the file has them, are labels.
    if (!f.find(key("tokens"))) return key("model") + " = 'none' and the file has no " + key("tokens");
    v.kind = VocabKind::Labels;
  } else {
    return key("model") + " = '" + model->str.substr(0, 40) +
           "': only 'llama' (SentencePiece), 'gpt2' (BPE) and 'none' with token labels are supported";
  }
  if (const gguf::Value* pre = f.find(key("pre"))) {
    if (pre->type != gguf::ValueType::String) return key("pre") + " is not a string";
    if (v.kind == VocabKind::Bpe) v.pre = pre->str;  // llama.cpp ignores it for SPM
  }
  if (std::string e = set_llama_cpp_defaults(&v); !e.empty()) return e;

  if (std::string e = read_strings(f, "tokens", true, &v.tokens); !e.empty()) return e;
  const size_t n = v.tokens.size();
  std::vector<double> numbers;
  if (std::string e = read_numbers(f, "scores", n, &numbers); !e.empty()) return e;
  v.scores.assign(numbers.begin(), numbers.end());
  numbers.clear();
  if (std::string e = read_numbers(f, "token_type", n, &numbers); !e.empty()) return e;
  for (double t : numbers) {
    // Out-of-range types become −1 (validate_vocab names the token); no cast of a huge double.
    v.types.push_back(t >= -1e9 && t <= 1e9 ? static_cast<int32_t>(t) : -1);
  }
  if (v.kind == VocabKind::Bpe) {
    if (std::string e = read_strings(f, "merges", true, &v.merges); !e.empty()) return e;
  }

  drop_out_of_range_defaults(&v);
  for (auto [name, id] :
       {std::pair{"bos_token_id", &v.bos_id}, std::pair{"eos_token_id", &v.eos_id},
        std::pair{"unknown_token_id", &v.unk_id}, std::pair{"padding_token_id", &v.pad_id}}) {
    if (std::string e = read_id(f, name, id); !e.empty()) return e;
  }
  for (auto [name, flag] : {std::pair{"add_bos_token", &v.add_bos}, std::pair{"add_eos_token", &v.add_eos},
                            std::pair{"add_space_prefix", &v.add_space_prefix}}) {
    if (std::string e = read_flag(f, name, flag); !e.empty()) return e;
  }
  *out = std::move(v);
  return "";
}

}  // namespace ap
