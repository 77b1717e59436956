// libFuzzer harness: a GGUF file through the reader, the model loader, the tokenizer keys and one
// forward (with the trace of one head) on tiny inputs. Input: the file's bytes.
#include <algorithm>
#include <cmath>

#include "formats/gguf.h"
#include "fuzz_support.h"
#include "gguf_vocab_files.h"
#include "model/model.h"
#include "model_files.h"
#include "tokenizer/gguf_vocab.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer_fixtures.h"

namespace {

void write_seeds(fuzz::Seeds& seeds) {
  for (const char* arch : {"llama", "qwen2", "gpt2"}) {
    for (ap::TensorType type : {ap::TensorType::F32, ap::TensorType::Q8_0, ap::TensorType::F16}) {
      ap_test::ModelSpec s;
      s.arch = arch, s.d = 32, s.ff = 16, s.layers = 1, s.heads = 2, s.kv_heads = s.arch == "gpt2" ? 2 : 1;
      s.vocab = 8, s.ctx = 4, s.type = type, s.tied = type == ap::TensorType::F16;
      seeds.add(ap_test::write_gguf(s));
    }
  }
  // Tokenizer keys alone (the model loader refuses it; the tokenizer glue reads it).
  ap::gguf::Writer w;
  fixtures::add_vocab_keys(&w, fixtures::bpe_vocab({"ab"}, {"a b"}, "gpt-2"));
  seeds.add(w.finish());
  ap::gguf::Writer w2;
  fixtures::add_vocab_keys(&w2,
                           fixtures::spm_vocab({{"\xE2\x96\x81"
                                                 "a",
                                                 -1}}),
                           false);
  seeds.add(w2.finish());
}

}  // namespace

AP_FUZZ_SEEDS(write_seeds)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ap::gguf::File file;
  if (!ap::gguf::parse(data, size, &file).empty()) return 0;
  for (const ap::gguf::TensorInfo& t : file.tensors) AP_FUZZ_CHECK(t.file_offset + t.bytes <= size);

  ap::Vocab vocab;
  if (ap::vocab_from_gguf(file, &vocab).empty()) {
    ap::Tokenizer tok;
    if (tok.init(vocab).empty()) {
      std::vector<int32_t> ids;
      if (tok.tokenize("ab a\n", &ids).empty()) {
        for (int32_t id : ids) AP_FUZZ_CHECK(id >= 0 && id < tok.size());
      }
    }
  }

  ap::model::Model model;
  if (!ap::model::Model::from_gguf(std::vector<uint8_t>(data, data + size), &model).empty()) return 0;
  const ap::model::Config& c = model.config();
  // Tiny inputs only: a model whose layers would take long is left to the tests.
  if (double(c.n_layer) * c.d_model * (c.d_model + c.n_ff) > 4e6 || c.vocab > 4096) return 0;
  const int n = std::min(3, c.n_ctx);
  std::vector<int32_t> ids(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) ids[size_t(i)] = i % c.vocab;
  ap::model::Forward f;
  AP_FUZZ_CHECK(model.forward(ids.data(), n, &f).empty());
  AP_FUZZ_CHECK(f.logits.size() == size_t(n) * size_t(c.vocab));
  ap::model::HeadTrace t;
  AP_FUZZ_CHECK(model.trace(f, c.n_layer - 1, c.n_head - 1, &t).empty());
  for (int i = 0; i < n; ++i) {
    // A row is a distribution unless the weights overflowed float (finite but huge weights are allowed).
    double sum = 0;
    bool finite = true;
    for (int j = 0; j < n; ++j) {
      const float w = t.weights[size_t(i) * n + j];
      finite = finite && std::isfinite(w);
      sum += w;
    }
    if (finite) AP_FUZZ_CHECK(sum > 0.999 && sum < 1.001);
  }
  return 0;
}
