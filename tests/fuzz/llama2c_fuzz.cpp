// libFuzzer harness: a llama2.c checkpoint through the header check and the model loader, then one
// forward on tiny inputs and a two-token greedy generation. Input: the file's bytes.
#include <algorithm>

#include "formats/llama2c.h"
#include "fuzz_support.h"
#include "model/model.h"
#include "model_files.h"

namespace {

void write_seeds(fuzz::Seeds& seeds) {
  seeds.add(ap_test::write_llama2c(16, 24, 1, 2, 1, 8, 4, true, 1));
  seeds.add(ap_test::write_llama2c(16, 8, 2, 2, 2, 6, 3, false, 2));
  auto cut = ap_test::write_llama2c(8, 8, 1, 1, 1, 4, 2, true, 3);
  cut.resize(cut.size() - 4);
  seeds.add(cut);
}

}  // namespace

AP_FUZZ_SEEDS(write_seeds)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ap::llama2c::Checkpoint ck;
  const bool header_ok = ap::llama2c::parse(data, size, &ck).empty();
  if (header_ok) AP_FUZZ_CHECK(ck.expected_size == size);
  ap::model::Model model;
  const bool loaded = ap::model::Model::from_llama2c(std::vector<uint8_t>(data, data + size), &model).empty();
  if (!loaded) return 0;
  AP_FUZZ_CHECK(header_ok);
  const ap::model::Config& c = model.config();
  if (double(c.n_layer) * c.d_model * (c.d_model + c.n_ff) > 4e6 || c.vocab > 4096) return 0;
  const int n = std::min(3, c.n_ctx);
  std::vector<int32_t> ids(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) ids[size_t(i)] = (i * 7) % c.vocab;
  ap::model::Forward f;
  AP_FUZZ_CHECK(model.forward(ids.data(), n, &f).empty());
  std::vector<float> w;
  AP_FUZZ_CHECK(model.attention(f, 0, 0, &w).empty());
  AP_FUZZ_CHECK(w.size() == size_t(n) * size_t(n));
  if (c.n_ctx >= 3) {
    std::vector<int32_t> out;
    AP_FUZZ_CHECK(model.generate(ids.data(), 1, 2, {}, &out).empty());
    AP_FUZZ_CHECK(out.size() == 2);
    for (int32_t id : out) AP_FUZZ_CHECK(id >= 0 && id < c.vocab);
  }
  return 0;
}
