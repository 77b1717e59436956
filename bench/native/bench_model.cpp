// Speed probe of the model runtime (src/model/): prompt processing and generation on the issue's
// 29.9M-parameter random llama (d_model 512, hidden 1408, 8 layers, 8 heads, 8 kv heads, vocab
// 4096, context 1024, separate output matrix), written in memory as GGUF in F32 and Q8_0.
//
//   bench_model [--reps N] [--quick] [--clock wall|cpu]
//
// Prints, per type: the file size and the model's memory, prompt 128 and 512 tokens (ms, median of
// reps; a forward that keeps every layer's state, so every head's attention can be drawn), and
// generation of 32 tokens after a 16-token prompt (tokens/s, greedy, KV cache).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "formats/gguf_writer.h"
#include "model/model.h"

namespace {

// Wall time, or with --clock cpu the process's CPU time (other jobs on the shared cores disturb it less).
bool g_cpu_clock = false;
double now_ms() {
  if (g_cpu_clock) return 1000.0 * double(std::clock()) / CLOCKS_PER_SEC;
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::vector<float> random_floats(size_t n, uint64_t seed, float stddev) {
  std::vector<float> v(n);
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  for (float& x : v) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    x = (float((s >> 40) & 0xFFFFFF) / 16777216.0f - 0.5f) * 3.4641f * stddev;  // uniform, variance stddev²
  }
  return v;
}

std::vector<uint8_t> make_model(ap::TensorType type) {
  using namespace ap::gguf;
  const int d = 512, ff = 1408, layers = 8, heads = 8, vocab = 4096, ctx = 1024;
  Writer w(3);
  w.add("general.architecture", make_string("llama"));
  w.add("llama.block_count", make_u32(layers));
  w.add("llama.embedding_length", make_u32(d));
  w.add("llama.feed_forward_length", make_u32(ff));
  w.add("llama.attention.head_count", make_u32(heads));
  w.add("llama.attention.head_count_kv", make_u32(heads));
  w.add("llama.context_length", make_u32(ctx));
  w.add("llama.attention.layer_norm_rms_epsilon", make_f32(1e-5f));
  uint64_t seed = 1;
  auto mat = [&](const std::string& name, int rows, int cols, float sd) {
    const auto v = random_floats(size_t(rows) * cols, ++seed, sd);
    w.add_tensor(name, {uint64_t(cols), uint64_t(rows)}, type, v.data());
  };
  auto ones = [&](const std::string& name) {
    const std::vector<float> v(d, 1.0f);
    w.add_tensor(name, {uint64_t(d)}, ap::TensorType::F32, v.data());
  };
  const float sd = 1.0f / std::sqrt(float(d)), sdf = 1.0f / std::sqrt(float(ff));
  mat("token_embd.weight", vocab, d, 1.0f);
  for (int l = 0; l < layers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    ones(p + "attn_norm.weight");
    mat(p + "attn_q.weight", d, d, sd);
    mat(p + "attn_k.weight", d, d, sd);
    mat(p + "attn_v.weight", d, d, sd);
    mat(p + "attn_output.weight", d, d, sd);
    ones(p + "ffn_norm.weight");
    mat(p + "ffn_gate.weight", ff, d, sd);
    mat(p + "ffn_up.weight", ff, d, sd);
    mat(p + "ffn_down.weight", d, ff, sdf);
  }
  ones("output_norm.weight");
  mat("output.weight", vocab, d, sd);
  return w.finish();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 3;
  bool quick = false;
  for (int a = 1; a < argc; ++a) {
    if (!std::strcmp(argv[a], "--reps") && a + 1 < argc) reps = std::max(1, std::atoi(argv[++a]));
    if (!std::strcmp(argv[a], "--quick")) quick = true;
    if (!std::strcmp(argv[a], "--clock") && a + 1 < argc) g_cpu_clock = !std::strcmp(argv[++a], "cpu");
  }
  std::printf("model runtime, SIMD: %s\n", ap::simd_kind());
  std::printf("%-5s %10s %10s %8s %14s %14s %16s\n", "type", "file MiB", "mem MiB", "params", "prompt 128 ms",
              "prompt 512 ms", "generate tok/s");
  for (ap::TensorType type : {ap::TensorType::F32, ap::TensorType::Q8_0}) {
    auto file = make_model(type);
    const double file_mib = double(file.size()) / (1 << 20);
    ap::model::Model m;
    if (std::string e = ap::model::Model::from_gguf(std::move(file), &m); !e.empty()) {
      std::printf("load failed: %s\n", e.c_str());
      return 1;
    }
    std::vector<int32_t> ids(512);
    for (size_t i = 0; i < ids.size(); ++i) ids[i] = int32_t((i * 7919 + 13) % 4096);
    double t_prompt[2] = {0, 0};
    const int lens[2] = {128, quick ? 128 : 512};
    for (int k = 0; k < 2; ++k) {
      std::vector<double> times;
      for (int r = 0; r < reps; ++r) {
        ap::model::Forward f;
        const double t0 = now_ms();
        m.forward(ids.data(), lens[k], &f);
        times.push_back(now_ms() - t0);
      }
      t_prompt[k] = median(times);
    }
    std::vector<double> rates;
    for (int r = 0; r < reps; ++r) {
      ap::model::Session s(m);
      std::vector<float> logits;
      s.append(ids.data(), 16, &logits);
      const double t0 = now_ms();
      for (int t = 0; t < 32; ++t) {
        const int32_t next = ap::model::sample(logits.data(), 4096, {}, nullptr);
        s.append(&next, 1, &logits);
      }
      rates.push_back(32.0 / ((now_ms() - t0) / 1000.0));
    }
    std::printf("%-5s %10.1f %10.1f %7.1fM %14.1f %14.1f %16.1f\n", ap::ggml_type_name(uint32_t(type)),
                file_mib, double(m.memory_bytes()) / (1 << 20), double(m.parameter_count()) / 1e6,
                t_prompt[0], t_prompt[1], median(rates));
    std::printf(
        "{\"type\":\"%s\",\"file_bytes\":%zu,\"memory_bytes\":%zu,\"prompt128_ms\":%.2f,\"prompt%d_ms\":%.2f,"
        "\"generate_tok_s\":%.2f}\n",
        ap::ggml_type_name(uint32_t(type)), size_t(file_mib * (1 << 20)), m.memory_bytes(), t_prompt[0],
        lens[1], t_prompt[1], median(rates));
  }
  return 0;
}
