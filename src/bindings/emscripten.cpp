// Embind registrations for the attention core. The only file that includes Emscripten headers.
//
// Only flat typed arrays, numbers and strings cross the boundary. Inputs are copied into memory
// C++ owns (buffers reused between calls); every result is copied into a JS Float32Array before
// returning — a whole trace into one (new, or an earlier trace's passed back as params.into), its
// parts subarrays of it — so JS never holds a view into the wasm heap (views detach when memory
// grows). Failures come back as
// { error: "message" }; web/lib/attention.js turns them into thrown Errors. The module is built
// without C++ exceptions, so validate() is always called before any computation.
#include <emscripten/bind.h>
#include <emscripten/heap.h>
#include <emscripten/val.h>
#include <malloc.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "bindings/js_values.h"
#include "core/attention.h"
#include "core/scratch.h"
#include "kernels/kernels.h"

using emscripten::val;

namespace {

// Copies a JS typed array (or array of numbers) into *out, reusing its memory: after the first
// call of a size, no allocation. One typed-array set(), like convertJSArrayToNumberVector.
template <typename T>
void copy_in(const val& array, std::vector<T>* out) {
  out->resize(array["length"].as<size_t>());
  val(emscripten::typed_memory_view(out->size(), out->data())).call<void>("set", array);
}

// A new JS Float32Array holding a copy of [data, data + count).
val to_js(const float* data, size_t count) {
  return val::global("Float32Array").new_(emscripten::typed_memory_view(count, data));
}

using ap::bindings::error;
using ap::bindings::heap_can_hold;

val out_of_memory(double bytes) {
  return error("out of memory: this call needs about " +
               std::to_string(static_cast<long long>(bytes / 1048576) + 1) +
               " MB of wasm memory and the module has " + std::to_string(emscripten_get_heap_size() >> 20) +
               " MB it could not grow past; use fewer tokens, heads or a smaller dModel");
}

// Floats a call of these sizes holds at once, counted generously: its inputs, the trace (every
// per-head n × n_kv map, the unmasked copies included) and the block it is copied into, or the
// output-only path's projections and output.
// input_bytes: the inputs alone (asked before they are copied in); call_bytes: the whole call
// (asked once the sizes are validated).
double input_bytes(const val& params) {
  const double n = params["n"].as<double>(), d = params["dModel"].as<double>();
  const double n_kv = params["nKv"].isUndefined() ? n : params["nKv"].as<double>();
  return 4 * ((n + n_kv) * d + 4 * d * d + n * n_kv) + (1 << 20);
}
double call_bytes(const ap::AttentionConfig& c, bool trace) {
  const double n = c.n, d = c.d_model, heads = c.heads, n_kv = c.n_kv > 0 ? c.n_kv : c.n;
  const double body = trace ? 2 * ((n + 2 * n_kv) * d * 4 + heads * n * (n_kv * 4 + 1)) : 8 * n * d;
  return 4 * body + (1 << 20);
}

// "'none', 'sinusoidal', 'rope', 'alibi'": every positional encoding the core knows.
std::string positional_list() {
  std::string list;
  for (ap::Positional p : ap::kPositionals)
    list += (list.empty() ? "'" : ", '") + std::string(ap::positional_name(p)) + "'";
  return list;
}

// Reads params { x, n, dModel, heads, wq, wk, wv, wo, causal, temperature, positional } —
// already type-checked by the JS layer; sizes and values are checked again by ap::validate.
// Optional: xKv + nKv (cross-attention), mask (n·nKv, 1 = may attend), keyPadding (nKv, 1 = padding),
// scale (divide by √dHead, default true).
// The input buffers live as long as the module and are reused by every call (the page calls
// with the same shapes again and again), so a call allocates nothing once warm.
struct Call {
  ap::AttentionConfig config;
  struct Buffers {
    std::vector<float> x, wq, wk, wv, wo, x_kv;
    std::vector<uint8_t> mask, key_padding;
  };
  Buffers& b;
  bool has_x_kv = false, has_mask = false, has_key_padding = false;
  std::string error;

  explicit Call(const val& params) : b(buffers()) {
    config.n = params["n"].as<int>();
    config.d_model = params["dModel"].as<int>();
    config.heads = params["heads"].as<int>();
    config.causal = params["causal"].as<bool>();
    config.temperature = params["temperature"].as<float>();
    if (!ap::parse_positional(params["positional"].as<std::string>(), &config.positional)) {
      error = "positional must be one of " + positional_list();
      return;
    }
    copy_in(params["x"], &b.x);
    copy_in(params["wq"], &b.wq);
    copy_in(params["wk"], &b.wk);
    copy_in(params["wv"], &b.wv);
    copy_in(params["wo"], &b.wo);
    for (const auto* w : {&b.wk, &b.wv, &b.wo}) {
      if (w->size() != b.wq.size()) error = "wq, wk, wv and wo must all hold dModel² values";
    }
    if (!params["scale"].isUndefined()) config.scale = params["scale"].as<bool>();
    if (!params["unmaskedScores"].isUndefined()) config.unmasked_scores = params["unmaskedScores"].as<bool>();
    if ((has_x_kv = !params["xKv"].isUndefined())) {
      copy_in(params["xKv"], &b.x_kv);
      config.n_kv = params["nKv"].as<int>();
    }
    if ((has_mask = !params["mask"].isUndefined())) copy_in(params["mask"], &b.mask);
    if ((has_key_padding = !params["keyPadding"].isUndefined()))
      copy_in(params["keyPadding"], &b.key_padding);
  }
  ~Call() { ap::release_if_large(b, b.x, b.wq, b.wk, b.wv, b.wo, b.x_kv, b.mask, b.key_padding); }

  ap::AttentionInputs inputs() const {
    ap::AttentionInputs in{b.x.data(),  b.wq.data(), b.wk.data(), b.wv.data(),
                           b.wo.data(), b.x.size(),  b.wq.size()};
    if (has_x_kv) {
      in.x_kv = b.x_kv.data();
      in.x_kv_size = b.x_kv.size();
    }
    if (has_mask) {
      in.mask = b.mask.data();
      in.mask_size = b.mask.size();
    }
    if (has_key_padding) {
      in.key_padding = b.key_padding.data();
      in.key_padding_size = b.key_padding.size();
    }
    return in;
  }

 private:
  static Buffers& buffers() {
    static Buffers instance;
    return instance;
  }
};

// The trace of the last call: its block is reused, so a warm call allocates only the JS result.
std::unique_ptr<ap::AttentionTrace>& reused_trace() {
  static std::unique_ptr<ap::AttentionTrace> trace;
  if (!trace) trace = std::make_unique<ap::AttentionTrace>();
  return trace;
}

val run_attention(const val& params) {
  if (const double bytes = input_bytes(params); !heap_can_hold(bytes)) return out_of_memory(bytes);
  const Call call(params);
  if (!call.error.empty()) return error(call.error);
  if (std::string message = ap::validate(call.config, call.inputs(), ap::Mode::Trace); !message.empty()) {
    return error(message);
  }
  if (const double bytes = call_bytes(call.config, true); !heap_can_hold(bytes)) return out_of_memory(bytes);
  ap::AttentionTrace& t = *reused_trace();
  if (std::string message = ap::multi_head_attention(call.config, call.inputs(), &t); !message.empty()) {
    return error(message);
  }
  // One copy of the whole trace into one Float32Array, every part a subarray of it: params.into
  // (the block of an earlier trace, reused) when it is large enough, else a new one.
  const size_t size = t.block.size();
  const val into = params["into"];
  val block = val::undefined();
  if (into.instanceof (val::global("Float32Array")) && into["length"].as<size_t>() >= size) {
    block = into;
    block.call<void>("set", val(emscripten::typed_memory_view(size, t.block.data())));
  } else {
    block = to_js(t.block.data(), size);
  }
  auto part = [&](const float* first, size_t count) {
    const size_t offset = count ? static_cast<size_t>(first - t.block.data()) : 0;
    return block.call<val>("subarray", offset, offset + count);
  };
  auto stacked = [&](const std::vector<ap::MatrixMap>& per_head) {
    return part(per_head[0].data(), per_head.size() * static_cast<size_t>(per_head[0].size()));
  };
  val result = val::object();
  result.set("n", t.n);
  result.set("nKv", t.n_kv);
  result.set("dModel", t.d_model);
  result.set("heads", t.heads);
  result.set("dHead", t.d_head);
  result.set("x", part(t.x.data(), t.x.size()));
  result.set("xKv", part(t.x_kv.data(), t.x_kv.size()));
  result.set("entropy", part(t.entropy.data(), t.entropy.size()));
  result.set("q", stacked(t.q));
  result.set("k", stacked(t.k));
  result.set("v", stacked(t.v));
  result.set("scores", stacked(t.scores));
  if (!t.raw_scores.empty()) {
    result.set("rawScores", stacked(t.raw_scores));
    result.set("scaledScores", stacked(t.scaled_scores));
    result.set("unmaskedScores", stacked(t.unmasked_scores));
  }
  if (t.q_unrotated.size() > 0) {
    result.set("qUnrotated", part(t.q_unrotated.data(), t.q_unrotated.size()));
    result.set("kUnrotated", part(t.k_unrotated.data(), t.k_unrotated.size()));
  }
  result.set("block", block);
  result.set("weights", stacked(t.weights));
  result.set("headOutput", stacked(t.head_output));
  result.set("concat", part(t.concat.data(), t.concat.size()));
  result.set("output", part(t.output.data(), t.output.size()));
  ap::release_if_large(reused_trace(), t.block);
  return result;
}

// The output alone through the fused kernels: no n×n buffer.
val run_attention_output(const val& params) {
  if (const double bytes = input_bytes(params); !heap_can_hold(bytes)) return out_of_memory(bytes);
  const Call call(params);
  if (!call.error.empty()) return error(call.error);
  if (std::string message = ap::validate(call.config, call.inputs(), ap::Mode::OutputOnly);
      !message.empty()) {
    return error(message);
  }
  if (const double bytes = call_bytes(call.config, false); !heap_can_hold(bytes)) return out_of_memory(bytes);
  static std::vector<float> out;
  out.resize(call.b.x.size());
  ap::attention_output(call.config, call.inputs(), out.data());
  val result = val::object();
  result.set("output", to_js(out.data(), out.size()));
  ap::release_if_large(out, out);
  return result;
}

// tokens: array of strings. Returns (n, dModel) embeddings, one row per token.
val token_embeddings(const val& tokens, int d_model, double seed) {
  if (d_model < 1 || d_model > ap::kMaxModelDim) return error("dModel out of range");
  const size_t n = tokens["length"].as<size_t>();
  if (n * d_model > ap::kMaxKernelFloats) {
    return error("tokens·dModel must be at most " + std::to_string(ap::kMaxKernelFloats));
  }
  if (!heap_can_hold(8.0 * n * d_model)) return out_of_memory(8.0 * n * d_model);
  std::vector<float> out;
  out.reserve(n * d_model);
  for (size_t i = 0; i < n; ++i) {
    const std::vector<float> e =
        ap::token_embedding(tokens[i].as<std::string>(), d_model, static_cast<uint64_t>(seed));
    out.insert(out.end(), e.begin(), e.end());
  }
  return to_js(out.data(), out.size());
}

val random_matrix(int rows, int cols, double seed, float stddev) {
  if (rows < 0 || cols < 0 || size_t(rows) * size_t(cols) > ap::kMaxKernelFloats) {
    return error("rows·cols must be at most " + std::to_string(ap::kMaxKernelFloats));
  }
  // A normal value stays within about 6.7 standard deviations (the generator's 32-bit uniforms).
  if (!(stddev >= 0 && stddev <= ap::kMaxMagnitude / 8)) {
    return error("stddev must be between 0 and " + std::to_string(static_cast<int>(ap::kMaxMagnitude / 8)));
  }
  if (!heap_can_hold(8.0 * rows * cols)) return out_of_memory(8.0 * rows * cols);
  const ap::Matrix m = ap::random_matrix(rows, cols, static_cast<uint64_t>(seed), stddev);
  return to_js(m.data(), m.size());
}

// The tables a positional encoding uses, as the pass uses them: 'sinusoidal' → PE (rows, width =
// d_model); 'rope' → the rotation angles (rows, width/2), width = d_head (even).
val positional_table(const std::string& name, int rows, int width) {
  if (rows < 1 || width < 1 || size_t(rows) * size_t(width) > ap::kMaxKernelFloats) {
    return error("rows and width must be at least 1, rows·width at most " +
                 std::to_string(ap::kMaxKernelFloats));
  }
  if (name == "sinusoidal") {
    const ap::Matrix pe = ap::sinusoidal_table(rows, width);
    return to_js(pe.data(), pe.size());
  }
  if (name == "rope") {
    if (width % 2 != 0) return error("RoPE rotates pairs: width (d_head) must be even");
    const ap::Matrix angles = ap::rope_angles(rows, width);
    return to_js(angles.data(), angles.size());
  }
  return error("no table for positional '" + name + "': 'sinusoidal' or 'rope'");
}

// ALiBi's slope m_h of every head, (heads).
val alibi_slopes(int heads) {
  if (heads < 1 || heads > ap::kMaxHeads) return error("heads out of range");
  std::vector<float> slopes(heads);
  for (int h = 0; h < heads; ++h) slopes[h] = ap::alibi_slope(h, heads);
  return to_js(slopes.data(), slopes.size());
}

val build_info() {
  const ap::BuildInfo info = ap::build_info();
  val result = val::object();
  result.set("version", std::string(info.version));
  result.set("simd", info.simd);
  result.set("simdKind", std::string(info.simd_kind));
  result.set("buildType", std::string(info.build_type));
  val limits = val::object();
  limits.set("maxTokens", info.limits.max_tokens);
  limits.set("maxTokensOutputOnly", info.limits.max_tokens_output_only);
  limits.set("maxModelDim", info.limits.max_model_dim);
  limits.set("maxHeads", info.limits.max_heads);
  limits.set("maxKernelFloats", static_cast<double>(info.limits.max_kernel_floats));
  limits.set("maxWork", static_cast<double>(info.limits.max_work));
  limits.set("maxMagnitude", info.limits.max_magnitude);
  limits.set("minTemperature", info.limits.min_temperature);
  limits.set("maxTemperature", info.limits.max_temperature);
  result.set("limits", limits);
  val positional = val::array();
  for (ap::Positional p : ap::kPositionals)
    positional.call<void>("push", std::string(ap::positional_name(p)));
  result.set("positionalEncodings", positional);
  return result;
}

// Heap size (grows only) and bytes currently allocated by malloc: a leak shows in the second.
val memory_stats() {
  struct mallinfo mi = mallinfo();
  val result = val::object();
  result.set("heapBytes", static_cast<double>(emscripten_get_heap_size()));
  result.set("allocatedBytes", static_cast<double>(mi.uordblks));
  return result;
}

// ---- the kernels on their own ----
// The hand-written kernels of src/kernels/kernels.h on their own, for the benchmark and embedders.
// Arguments are checked by web/lib/attention.js; sizes are checked again here.

// Inputs and output of the kernel exports, reused between calls like Call's buffers: a warm call
// copies its inputs in and its output out, and allocates (or zero-fills) nothing in the wasm heap.
struct KernelBuffers {
  std::vector<float> in[3], out;
};
KernelBuffers& kernel_buffers() {
  static KernelBuffers buffers;
  return buffers;
}

// "" when every value is finite, else the message web/lib/attention.js gives for a plain Array:
// "q holds a non-finite value (NaN) at index 5". The check is vectorised here, about ten times
// faster than a JS loop over every typed-array input.
std::string non_finite_message(const char* name, const std::vector<float>& values) {
  const long long at = ap::first_out_of_range(values.data(), values.size());
  return at < 0 ? "" : ap::out_of_range_message(name, values.data(), at, 1);
}

// { q, k, v, n, heads, dHead, causal } -> { output }: q, k, v, output (n, heads·dHead) row-major,
// scale 1/√dHead, softmax over keys, no n×n buffer.
val kernel_attention(const val& params) {
  const int n = params["n"].as<int>();
  const int heads = params["heads"].as<int>();
  const int d_head = params["dHead"].as<int>();
  if (n < 1 || heads < 1 || d_head < 1) return error("n, heads and dHead must be at least 1");
  const size_t size = size_t(n) * size_t(heads) * size_t(d_head);
  if (size > ap::kMaxKernelFloats) {
    return error("n·heads·dHead must be at most " + std::to_string(ap::kMaxKernelFloats));
  }
  if (double(n) * n * heads * d_head > double(ap::kMaxWork)) {
    return error("n·n·heads·dHead must be at most " + std::to_string(ap::kMaxWork) +
                 " (a few seconds of work)");
  }
  if (!heap_can_hold(16.0 * size)) return out_of_memory(16.0 * size);
  KernelBuffers& b = kernel_buffers();
  std::vector<float>&q = b.in[0], &k = b.in[1], &v = b.in[2];
  copy_in(params["q"], &q);
  copy_in(params["k"], &k);
  copy_in(params["v"], &v);
  if (q.size() != size || k.size() != size || v.size() != size) {
    return error("q, k and v must each hold n·heads·dHead values");
  }
  for (const auto& [name, values] : {std::pair{"q", &q}, {"k", &k}, {"v", &v}}) {
    if (std::string message = non_finite_message(name, *values); !message.empty()) return error(message);
  }
  ap::SdpaOptions options;
  options.causal = params["causal"].as<bool>();
  b.out.resize(size);  // every element is written by the kernel
  ap::scaled_dot_product_attention(q.data(), k.data(), v.data(), b.out.data(), n, heads, d_head, options);
  val result = val::object();
  result.set("output", to_js(b.out.data(), size));
  ap::release_if_large(b, b.in[0], b.in[1], b.in[2], b.out);
  return result;
}

// { a, b, m, k, n } -> { output }: C(m, n) = A(m, k)·B(k, n), row-major.
val kernel_matmul(const val& params) {
  const int m = params["m"].as<int>();
  const int k = params["k"].as<int>();
  const int n = params["n"].as<int>();
  if (m < 1 || k < 1 || n < 1) return error("m, k and n must be at least 1");
  if (size_t(m) * k > ap::kMaxKernelFloats || size_t(k) * n > ap::kMaxKernelFloats ||
      size_t(m) * n > ap::kMaxKernelFloats) {
    return error("m·k, k·n and m·n must each be at most " + std::to_string(ap::kMaxKernelFloats));
  }
  if (double(m) * k * n > double(ap::kMaxWork)) {
    return error("m·k·n must be at most " + std::to_string(ap::kMaxWork) + " (a few seconds of work)");
  }
  if (const double bytes = 4.0 * (double(m) * k + double(k) * n + double(m) * n); !heap_can_hold(bytes)) {
    return out_of_memory(bytes);
  }
  KernelBuffers& buffers = kernel_buffers();
  std::vector<float>&a = buffers.in[0], &b = buffers.in[1], &c = buffers.out;
  copy_in(params["a"], &a);
  copy_in(params["b"], &b);
  if (a.size() != size_t(m) * k || b.size() != size_t(k) * n) {
    return error("a must hold m·k values and b k·n values");
  }
  for (const auto& [name, values] : {std::pair{"a", &a}, {"b", &b}}) {
    if (std::string message = non_finite_message(name, *values); !message.empty()) return error(message);
  }
  c.resize(size_t(m) * n);  // overwritten by matmul
  ap::matmul(a.data(), b.data(), c.data(), m, k, n);
  val result = val::object();
  result.set("output", to_js(c.data(), size_t(m) * n));
  ap::release_if_large(buffers, buffers.in[0], buffers.in[1], buffers.in[2], buffers.out);
  return result;
}

}  // namespace

EMSCRIPTEN_BINDINGS(attention_core) {
  emscripten::function("runAttention", &run_attention);
  emscripten::function("runAttentionOutput", &run_attention_output);
  emscripten::function("tokenEmbeddings", &token_embeddings);
  emscripten::function("randomMatrix", &random_matrix);
  emscripten::function("positionalTable", &positional_table);
  emscripten::function("alibiSlopes", &alibi_slopes);
  emscripten::function("buildInfo", &build_info);
  emscripten::function("memoryStats", &memory_stats);

  // The kernels on their own.
  emscripten::function("scaledDotProductAttention", &kernel_attention);
  emscripten::function("matmul", &kernel_matmul);
}
