// Embind registrations for the model runtime (src/model, src/tokenizer): class ModelRuntime, used only
// by web/lib/model.js. Linked into the same module as emscripten.cpp.
//
// Loading without a second copy of the file: begin(part, size) allocates the part's bytes once (part 0
// the model file, 1 an optional llama2.c tokenizer.bin), window(part, offset, length) returns a
// Uint8Array view of that memory which JS fills with one set() at once (a view detaches when memory
// grows, so JS asks for a new one per slice), finish() parses. Every other result is a copy. Failures
// come back as { error: "message" } or a non-empty string; the module has no exceptions, so every
// size is checked before anything is allocated.
#include <emscripten/bind.h>
#include <emscripten/heap.h>
#include <emscripten/val.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "analysis/heads.h"
#include "analysis/probes.h"
#include "bindings/js_values.h"
#include "bindings/model_session.h"
#include "formats/gguf.h"
#include "model/model.h"
#include "tokenizer/gguf_vocab.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_bin.h"

using emscripten::val;

namespace {

// wasm32 memory as linked (MAXIMUM_MEMORY=2GB), less what the module, a forward and the page's other
// work need beside the file: the largest model file that can be opened.
constexpr double kMaxMemory = 2147483648.0;
constexpr double kHeadroom = 256.0 * 1048576.0;
constexpr double kMaxFileBytes = kMaxMemory - kHeadroom;

using ap::bindings::error;
using ap::bindings::heap_can_hold;

std::string megabytes(double bytes) {
  return std::to_string(static_cast<long long>(bytes / 1048576.0)) + " MB";
}

using ap::bindings::copy_out;

// ids from a JS Int32Array or array of numbers; false (and *message) when not integers.
bool read_ids(const val& array, std::vector<int32_t>* out, std::string* message) {
  const val length = array["length"];
  if (!length.isNumber()) {
    *message = "token ids must be an Int32Array or an array of integers";
    return false;
  }
  const double n = length.as<double>();
  if (n > 16777216.0) {
    *message = "too many token ids (" + std::to_string(static_cast<long long>(n)) + ")";
    return false;
  }
  out->resize(static_cast<size_t>(n));
  for (size_t i = 0; i < out->size(); ++i) {
    const val e = array[i];
    const double x = e.isNumber() ? e.as<double>() : -1.5;
    if (!(x == static_cast<double>(static_cast<int32_t>(x)))) {
      *message = "token id at index " + std::to_string(i) + " is not an integer";
      return false;
    }
    (*out)[i] = static_cast<int32_t>(x);
  }
  return true;
}

// A head mask (model.h's HeadMask) from a JS array of [layer, head] pairs; undefined or null: none.
// false (and *message) for anything else, a pair outside the model, or a pair given twice.
bool read_ablation(const val& pairs, const ap::model::Config& c, ap::model::HeadMask* out,
                   std::string* message) {
  out->clear();
  if (pairs.isUndefined() || pairs.isNull()) return true;
  const val length = pairs["length"];
  if (!length.isNumber() || length.as<double>() > 65536.0) {
    *message = "ablate must be an array of [layer, head] pairs";
    return false;
  }
  out->assign(size_t(c.n_layer) * size_t(c.n_head), 0);
  const size_t n = static_cast<size_t>(length.as<double>());
  for (size_t i = 0; i < n; ++i) {
    const val pair = pairs[i];
    const val l = pair.isUndefined() || pair.isNull() ? val::undefined() : pair[0];
    const val h = pair.isUndefined() || pair.isNull() ? val::undefined() : pair[1];
    const double layer = l.isNumber() ? l.as<double>() : -1.5, head = h.isNumber() ? h.as<double>() : -1.5;
    if (!(layer >= 0 && layer < c.n_layer && layer == static_cast<int>(layer)) ||
        !(head >= 0 && head < c.n_head && head == static_cast<int>(head))) {
      *message = "ablate[" + std::to_string(i) + "] must be [layer, head] with layer in 0 … " +
                 std::to_string(c.n_layer - 1) + " and head in 0 … " + std::to_string(c.n_head - 1);
      out->clear();
      return false;
    }
    (*out)[static_cast<size_t>(layer) * c.n_head + static_cast<size_t>(head)] = 1;
  }
  return true;
}

class ModelRuntime {
 public:
  // "" or why the part cannot be held (too large for wasm32, out of memory, bad part).
  std::string begin(int part, double size) {
    if (part != 0 && part != 1) return "part must be 0 (model) or 1 (tokenizer)";
    if (!(size >= 0) || size != static_cast<double>(static_cast<long long>(size))) return "bad file size";
    if (size > kMaxFileBytes) {
      return "the file is " + megabytes(size) + "; the largest model this page can open is " +
             megabytes(kMaxFileBytes) +
             " (wasm32 memory is at most 2 GB, and the model needs working room beside it)";
    }
    std::vector<uint8_t>& bytes = part == 0 ? model_bytes_ : tokenizer_bytes_;
    std::vector<uint8_t>().swap(bytes);
    if (!heap_can_hold(size + 16.0 * 1048576.0)) {
      return "out of memory: the file needs " + megabytes(size) +
             " of wasm memory and the module could not grow past " +
             megabytes(static_cast<double>(emscripten_get_heap_size()));
    }
    bytes.resize(static_cast<size_t>(size));
    return "";
  }

  // A view of bytes [offset, offset + length) of the part, to fill at once; an empty view when out of range.
  val window(int part, double offset, double length) {
    std::vector<uint8_t>& bytes = part == 1 ? tokenizer_bytes_ : model_bytes_;
    if (!(offset >= 0) || !(length >= 0) || offset + length > static_cast<double>(bytes.size())) {
      return val(emscripten::typed_memory_view(0, bytes.data()));
    }
    return val(emscripten::typed_memory_view(static_cast<size_t>(length),
                                             bytes.data() + static_cast<size_t>(offset)));
  }

  // Parses the model (and the tokenizer): "" or a message saying what is wrong and where.
  std::string finish() {
    session_.reset();  // it read the model being replaced
    forward_ = ap::model::Forward();
    ready_ = false;
    tokenizer_ = ap::Tokenizer();
    has_tokenizer_ = false;
    tokenizer_note_.clear();
    if (std::string e = ap::model::Model::load(std::move(model_bytes_), &model_); !e.empty()) {
      std::vector<uint8_t>().swap(model_bytes_);
      std::vector<uint8_t>().swap(tokenizer_bytes_);
      model_ = ap::model::Model();
      return e;
    }
    std::vector<uint8_t>().swap(model_bytes_);
    const ap::model::Config& c = model_.config();
    ap::Vocab vocab;
    std::string e;
    if (c.source == "llama2.c") {
      if (tokenizer_bytes_.empty()) {
        tokenizer_note_ = "no tokenizer.bin: token ids only";
      } else {
        e = ap::parse_tokenizer_bin(tokenizer_bytes_.data(), tokenizer_bytes_.size(), c.vocab, &vocab);
        if (!e.empty()) e = "tokenizer.bin: " + e;
      }
    } else if (!model_.gguf().find("tokenizer.ggml.model")) {
      tokenizer_note_ = "the file has no tokenizer: token ids only";
    } else if (const ap::gguf::Value* m = model_.gguf().find("tokenizer.ggml.model");
               m->type == ap::gguf::ValueType::String && m->str == "none" &&
               !model_.gguf().find("tokenizer.ggml.tokens")) {
      // llama.cpp's LLAMA_VOCAB_TYPE_NONE without names for the tokens.
      tokenizer_note_ = "the file's tokenizer is \"none\" and it names no tokens: token ids only";
    } else {
      // "none" with tokenizer.ggml.tokens (src/train/export_gguf's toy tasks) reads as labels.
      e = ap::vocab_from_gguf(model_.gguf(), &vocab);
    }
    std::vector<uint8_t>().swap(tokenizer_bytes_);
    if (e.empty() && tokenizer_note_.empty()) {
      const bool labels = vocab.kind == ap::VocabKind::Labels;
      if (static_cast<int>(vocab.tokens.size()) != c.vocab) {
        e = "the tokenizer has " + std::to_string(vocab.tokens.size()) +
            " tokens but the model's vocabulary is " + std::to_string(c.vocab);
      } else {
        e = tokenizer_.init(std::move(vocab));
      }
      // Labels that cannot name the tokens (too few, empty, with spaces, twice) leave the model
      // usable on ids, as a "none" file without labels is.
      if (labels && !e.empty()) {
        tokenizer_note_ = "the file's token labels cannot tokenize a text (" + e + "): token ids only";
        tokenizer_ = ap::Tokenizer();
        e.clear();
      }
    }
    if (!e.empty()) {
      model_ = ap::model::Model();
      return e;
    }
    has_tokenizer_ = tokenizer_note_.empty();
    ready_ = true;
    return "";
  }

  val info() const {
    if (!ready_) return error("no model is loaded");
    const ap::model::Config& c = model_.config();
    val r = val::object();
    r.set("architecture", std::string(ap::model::arch_name(c.arch)));
    std::string name;
    if (const ap::gguf::Value* v = model_.gguf().find("general.name");
        v && v->type == ap::gguf::ValueType::String) {
      name = v->str.substr(0, 200);
    }
    r.set("name", name);
    r.set("source", c.source);
    r.set("layers", c.n_layer);
    r.set("heads", c.n_head);
    r.set("kvHeads", c.n_kv_head);
    r.set("dModel", c.d_model);
    r.set("headDim", c.head_dim);
    r.set("ffn", c.n_ff);
    r.set("vocab", c.vocab);
    r.set("context", c.n_ctx);
    r.set("rope", std::string(c.rope == ap::model::RopeStyle::None   ? "none"
                              : c.rope == ap::model::RopeStyle::Norm ? "norm"
                                                                     : "neox"));
    r.set("ropeBase", c.rope_base);
    r.set("nRot", c.n_rot);  // RoPE's dimensions per head (the first n_rot of head_dim); 0 without RoPE
    // Whether q, k, v get biases (qwen2's, gpt2's fused qkv, or any file that has them).
    const auto& layers = model_.layers();
    r.set("qkvBias", !layers.empty() && (!layers[0].bq.empty() || !layers[0].bqkv.empty()));
    r.set("parameters", static_cast<double>(model_.parameter_count()));
    r.set("tensorTypes", model_.tensor_types());
    r.set("memoryBytes", static_cast<double>(model_.memory_bytes()));
    r.set("tokenizer",
          has_tokenizer_ ? std::string(ap::vocab_kind_name(tokenizer_.vocab().kind)) : std::string(""));
    r.set("tokenizerNote", tokenizer_note_);
    r.set("bos", has_tokenizer_ ? tokenizer_.vocab().bos_id : -1);
    r.set("eos", has_tokenizer_ ? tokenizer_.vocab().eos_id : -1);
    return r;
  }

  val tokenize(const std::string& text, bool add_special) const {
    if (!ready_) return error("no model is loaded");
    if (!has_tokenizer_) return error(tokenizer_note_);
    std::vector<int32_t> ids;
    ap::TokenizeOptions o;
    o.add_special = add_special;
    if (std::string e = tokenizer_.tokenize(text, &ids, o); !e.empty()) return error(e);
    val r = val::object();
    r.set("ids", copy_out("Int32Array", ids.data(), ids.size()));
    return r;
  }

  val detokenize(const val& array) const {
    if (!ready_) return error("no model is loaded");
    if (!has_tokenizer_) return error(tokenizer_note_);
    std::vector<int32_t> ids;
    std::string message;
    if (!read_ids(array, &ids, &message)) return error(message);
    std::string text;
    if (std::string e = tokenizer_.detokenize(ids.data(), ids.size(), &text); !e.empty()) return error(e);
    val r = val::object();
    r.set("text", text);
    return r;
  }

  // Each id's token text as stored (▁, Ġ, <0x0A>) and what it writes.
  val token_pieces(const val& array) const {
    if (!ready_) return error("no model is loaded");
    if (!has_tokenizer_) return error(tokenizer_note_);
    std::vector<int32_t> ids;
    std::string message;
    if (!read_ids(array, &ids, &message)) return error(message);
    val texts = val::array(), pieces = val::array();
    for (size_t i = 0; i < ids.size(); ++i) {
      if (ids[i] < 0 || ids[i] >= tokenizer_.size()) {
        return error("token id " + std::to_string(ids[i]) + " at index " + std::to_string(i) +
                     " is outside the vocabulary 0 … " + std::to_string(tokenizer_.size() - 1));
      }
      texts.call<void>("push", tokenizer_.token_text(ids[i]));
      // The piece's bytes as a Uint8Array: a byte token alone is not valid UTF-8.
      const std::string p = tokenizer_.piece(ids[i], true);
      pieces.call<void>("push", copy_out("Uint8Array", reinterpret_cast<const uint8_t*>(p.data()), p.size()));
    }
    val r = val::object();
    r.set("texts", texts);
    r.set("pieces", pieces);
    return r;
  }

  // Runs ids through the model, keeping every layer's state for attention() and trace(); `ablate`:
  // [layer, head] pairs switched off (undefined or null: none).
  val forward(const val& array, const val& ablate) {
    if (!ready_) return error("no model is loaded");
    std::vector<int32_t> ids;
    std::string message;
    if (!read_ids(array, &ids, &message)) return error(message);
    const ap::model::Config& c = model_.config();
    ap::model::HeadMask off;
    if (!read_ablation(ablate, c, &off, &message)) return error(message);
    forward_ = ap::model::Forward();
    const double n = static_cast<double>(ids.size());
    const double per_position =
        c.vocab + c.n_layer * (c.d_model + c.n_head * c.head_dim + 2.0 * c.n_kv_head * c.head_dim) +
        4.0 * (c.d_model + c.n_ff + c.n_head * c.head_dim);
    const double bytes = 4.0 * n * (per_position + n * c.n_head) + 8.0 * 1048576.0;
    if (n >= 1 && n <= c.n_ctx && !heap_can_hold(bytes)) {
      return error("out of memory: a forward of " + std::to_string(ids.size()) + " tokens needs about " +
                   megabytes(bytes) + "; use fewer tokens");
    }
    if (std::string e = model_.forward(ids.data(), static_cast<int>(ids.size()), &forward_, true, &off);
        !e.empty()) {
      forward_ = ap::model::Forward();
      return error(e);
    }
    val r = val::object();
    r.set("n", forward_.n);
    r.set("memoryBytes", static_cast<double>(forward_.memory_bytes()));
    return r;
  }

  val logits(int pos) const {
    if (forward_.n == 0) return error("no forward has run");
    if (pos < 0 || pos >= forward_.n) {
      return error("position " + std::to_string(pos) + " is outside 0 … " + std::to_string(forward_.n - 1));
    }
    const size_t v = static_cast<size_t>(forward_.vocab);
    val r = val::object();
    r.set("logits", copy_out("Float32Array", forward_.logits.data() + static_cast<size_t>(pos) * v, v));
    return r;
  }

  val attention(int layer, int head) const {
    if (forward_.n == 0) return error("no forward has run");
    std::vector<float> w;
    if (std::string e = model_.attention(forward_, layer, head, &w); !e.empty()) return error(e);
    val r = val::object();
    r.set("weights", copy_out("Float32Array", w.data(), w.size()));
    return r;
  }

  val trace(int layer, int head) const {
    if (forward_.n == 0) return error("no forward has run");
    ap::model::HeadTrace t;
    if (std::string e = model_.trace(forward_, layer, head, &t); !e.empty()) return error(e);
    val r = val::object();
    r.set("n", t.n);
    r.set("dModel", t.d_model);
    r.set("headDim", t.head_dim);
    r.set("kvHead", t.kv_head);
    r.set("x", copy_out("Float32Array", t.x.data(), t.x.size()));
    r.set("q", copy_out("Float32Array", t.q.data(), t.q.size()));
    r.set("k", copy_out("Float32Array", t.k.data(), t.k.size()));
    r.set("v", copy_out("Float32Array", t.v.data(), t.v.size()));
    r.set("scores", copy_out("Float32Array", t.scores.data(), t.scores.size()));
    r.set("weights", copy_out("Float32Array", t.weights.data(), t.weights.size()));
    r.set("headOutput", copy_out("Float32Array", t.head_output.data(), t.head_output.size()));
    return r;
  }

  val generate(const val& array, int steps, double temperature, int top_k, double top_p, double seed,
               const val& ablate) const {
    if (!ready_) return error("no model is loaded");
    std::vector<int32_t> ids;
    std::string message;
    if (!read_ids(array, &ids, &message)) return error(message);
    ap::model::HeadMask off;
    if (!read_ablation(ablate, model_.config(), &off, &message)) return error(message);
    if (!(temperature >= 0) || !(temperature <= 100)) return error("temperature must be in 0 … 100");
    if (!(top_p > 0) || !(top_p <= 1)) return error("topP must be in (0, 1]");
    if (top_k < 0) return error("topK must be 0 (all) or more");
    if (!(seed >= 0) || seed > 9007199254740991.0) return error("seed must be an integer in 0 … 2^53");
    if (steps < 0) return error("steps must be 0 or more");
    ap::model::SampleOptions o;
    o.temperature = static_cast<float>(temperature);
    o.top_k = top_k;
    o.top_p = static_cast<float>(top_p);
    o.seed = static_cast<uint64_t>(seed);
    std::vector<int32_t> out;
    if (std::string e = model_.generate(ids.data(), static_cast<int>(ids.size()), steps, o, &out, &off);
        !e.empty()) {
      return error(e);
    }
    val r = val::object();
    r.set("ids", copy_out("Int32Array", out.data(), out.size()));
    return r;
  }

  // Every head's template scores (analysis/heads.h) over `count` probes: [BOS] then a random run of
  // `half` ids repeated (analysis/probes.h), drawn from the tokenizer's ordinary ids (every id without
  // a tokenizer) with `seed`; half is cut to fit the context. When the model's tokenizer writes the
  // built-in language's words one token each (analysis/probes.h language_probe_set), agreement and
  // antecedent are scored too, on `count` annotated sentences of each from `seed`, and `sentences`
  // says how many (0: the kinds stop at first-token). { kinds: [name], thresholds: [t], half, count,
  // sentences, heads: [{ layer, head, scores: Float64Array (kinds; NaN unscored), probes: Int32Array,
  // names: [name] }] } or { error }.
  val head_scores(double seed, int count, int half) const {
    if (!ready_) return error("no model is loaded");
    if (!(seed >= 0) || seed > 9007199254740991.0) return error("seed must be an integer in 0 … 2^53");
    if (count < 1 || count > 256) return error("probes must be 1 … 256");
    const ap::model::Config& c = model_.config();
    const int32_t bos = has_tokenizer_ ? tokenizer_.vocab().bos_id : -1;
    const int room = (c.n_ctx - (bos >= 0 ? 1 : 0)) / 2;  // the longest run that fits twice
    half = std::min(half, room);
    if (half < 1)
      return error("the context (" + std::to_string(c.n_ctx) + ") is too short for a repeated probe");
    std::vector<int32_t> candidates;
    if (has_tokenizer_) candidates = ap::analysis::ordinary_ids(tokenizer_.vocab());
    if (candidates.empty())
      for (int32_t id = 0; id < c.vocab; ++id)
        if (id != bos) candidates.push_back(id);
    std::vector<ap::analysis::Probe> probes;
    if (std::string e =
            ap::analysis::repeated_probes(candidates, half, count, bos, static_cast<uint64_t>(seed), &probes);
        !e.empty())
      return error(e);
    const double n = 2.0 * half + 1;
    const double bytes =
        4.0 * n *
            (c.vocab + c.n_layer * (c.d_model + c.n_head * c.head_dim + 2.0 * c.n_kv_head * c.head_dim) +
             4.0 * (c.d_model + c.n_ff + c.n_head * c.head_dim) + 4.0 * n) +
        8.0 * 1048576.0;
    if (!heap_can_hold(bytes))
      return error("out of memory: a probe of " + std::to_string(int(n)) + " tokens needs about " +
                   megabytes(bytes));
    std::vector<ap::analysis::HeadReport> reports;
    const ap::analysis::Thresholds thresholds;
    if (std::string e = ap::analysis::detect_heads(model_, probes, &reports, thresholds); !e.empty())
      return error(e);
    // The language templates on their own probes (sentences no longer than the repeated probes, so
    // the memory check above covers them); their two kinds replace what the random runs gave them.
    const std::vector<ap::analysis::Probe> sentences =
        has_tokenizer_ ? ap::analysis::language_probe_set(tokenizer_, bos, int(n), count, uint64_t(seed))
                       : std::vector<ap::analysis::Probe>{};
    int kinds = 4;  // PreviousToken … FirstToken: the id-only templates
    if (!sentences.empty()) {
      std::vector<ap::analysis::HeadReport> language;
      if (std::string e = ap::analysis::detect_heads(model_, sentences, &language, thresholds); !e.empty())
        return error(e);
      kinds = ap::analysis::kHeadKinds;
      for (size_t r = 0; r < reports.size(); ++r) {
        ap::analysis::HeadReport& h = reports[r];
        h.names.erase(std::remove_if(h.names.begin(), h.names.end(),
                                     [](ap::analysis::HeadKind k) { return int(k) >= 4; }),
                      h.names.end());
        for (int k = 4; k < kinds; ++k) {
          h.score[size_t(k)] = language[r].score[size_t(k)];
          h.probes[size_t(k)] = language[r].probes[size_t(k)];
          const auto kind = ap::analysis::HeadKind(k);
          if (std::find(language[r].names.begin(), language[r].names.end(), kind) != language[r].names.end())
            h.names.push_back(kind);
        }
      }
    }
    val names = val::array(), at = val::array();
    for (int k = 0; k < kinds; ++k) {
      names.call<void>("push", std::string(ap::analysis::head_kind_name(ap::analysis::HeadKind(k))));
      at.call<void>("push", thresholds.at[size_t(k)]);
    }
    val heads = val::array();
    for (const auto& h : reports) {
      std::vector<std::string> named;
      for (ap::analysis::HeadKind k : h.names) named.emplace_back(ap::analysis::head_kind_name(k));
      heads.call<void>(
          "push", ap::bindings::head_report(h.layer, h.head, h.score.data(), h.probes.data(), kinds, named));
    }
    val r = val::object();
    r.set("kinds", names);
    r.set("thresholds", at);
    r.set("half", half);
    r.set("count", count);
    r.set("sentences", int(sentences.size()));
    r.set("bos", bos);
    r.set("heads", heads);
    return r;
  }

  // ---- The KV-cache session (model_session.h): one at a time, named by an id so that a replaced
  // session's JS object is refused instead of reading the new one.

  // Starts a session (replacing and freeing any earlier one) with heads `ablate` off; its id (0: no
  // model, −1: a bad ablate, which web/lib/model.js checks first).
  double session_start(double seed, const val& ablate) {
    session_.reset();
    if (!ready_) return 0;
    ap::model::HeadMask off;
    std::string message;
    if (!read_ablation(ablate, model_.config(), &off, &message)) return -1;
    const double s = seed >= 0 && seed <= 9007199254740991.0 ? seed : 0;
    session_ = std::make_unique<ap::bindings::KvSession>(model_, static_cast<uint64_t>(s), std::move(off));
    return ++session_id_;
  }

  // Appends ids: { logits (vocab) of the newest position, positions } or { error }.
  val session_append(double id, const val& array) {
    if (std::string e = session_check(id); !e.empty()) return error(e);
    std::vector<int32_t> ids;
    std::string message;
    if (!read_ids(array, &ids, &message)) return error(message);
    const ap::model::Config& c = model_.config();
    const double n = static_cast<double>(session_->positions()) + static_cast<double>(ids.size());
    const double bytes =
        4.0 * (ids.size() * (c.vocab + 2.0 * c.n_layer * (c.d_model + c.n_head * c.head_dim) +
                             4.0 * (c.d_model + c.n_ff + c.n_head * c.head_dim)) +
               n * (2.0 * c.n_layer * c.n_kv_head * c.head_dim + c.n_layer * c.n_head)) +
        8.0 * 1048576.0;
    if (n <= c.n_ctx && !heap_can_hold(bytes)) {
      return error("out of memory: appending " + std::to_string(ids.size()) + " tokens needs about " +
                   megabytes(bytes));
    }
    if (std::string e = session_->append(ids.data(), static_cast<int>(ids.size())); !e.empty())
      return error(e);
    val r = val::object();
    r.set("logits", copy_out("Float32Array", session_->logits().data(), session_->logits().size()));
    r.set("positions", session_->positions());
    return r;
  }

  // { rows: (n_layer·n_head, positions) } the newest position's attention weights, every layer and head.
  val session_attention(double id) const {
    if (std::string e = session_check(id); !e.empty()) return error(e);
    if (session_->positions() == 0) return error("nothing was appended to this session");
    val r = val::object();
    r.set("rows", copy_out("Float32Array", session_->rows().data(), session_->rows().size()));
    r.set("positions", session_->positions());
    return r;
  }

  // { id } the next token from the newest logits (greedy at temperature 0).
  val session_sample(double id, double temperature, int top_k, double top_p) {
    if (std::string e = session_check(id); !e.empty()) return error(e);
    if (session_->positions() == 0) return error("nothing was appended to this session");
    if (!(temperature >= 0) || !(temperature <= 100)) return error("temperature must be in 0 … 100");
    if (!(top_p > 0) || !(top_p <= 1)) return error("topP must be in (0, 1]");
    if (top_k < 0) return error("topK must be 0 (all) or more");
    ap::model::SampleOptions o;
    o.temperature = static_cast<float>(temperature);
    o.top_k = top_k;
    o.top_p = static_cast<float>(top_p);
    val r = val::object();
    r.set("id", session_->sample(o));
    return r;
  }

  double session_memory(double id) const {
    return session_check(id).empty() ? static_cast<double>(session_->memory_bytes()) : 0;
  }

  // Frees the session's cache (a later or unknown id does nothing).
  void session_dispose(double id) {
    if (session_ && id == session_id_) session_.reset();
  }

  // Gives every byte back to the heap.
  void dispose() {
    session_.reset();
    forward_ = ap::model::Forward();
    model_ = ap::model::Model();
    tokenizer_ = ap::Tokenizer();
    std::vector<uint8_t>().swap(model_bytes_);
    std::vector<uint8_t>().swap(tokenizer_bytes_);
    ready_ = has_tokenizer_ = false;
  }

  static double max_file_bytes() { return kMaxFileBytes; }

 private:
  std::vector<uint8_t> model_bytes_, tokenizer_bytes_;  // (file size) the parts while loading
  ap::model::Model model_;
  ap::Tokenizer tokenizer_;
  ap::model::Forward forward_;  // the last forward, with every layer's state
  bool ready_ = false, has_tokenizer_ = false;
  std::string tokenizer_note_;
  std::unique_ptr<ap::bindings::KvSession> session_;  // the live session, or none
  double session_id_ = 0;                             // its id (ids only grow)

  std::string session_check(double id) const {
    if (!ready_) return "no model is loaded";
    if (!session_ || id != session_id_) return "this session was disposed or replaced by a later one";
    return "";
  }
};

}  // namespace

EMSCRIPTEN_BINDINGS(model_runtime) {
  emscripten::class_<ModelRuntime>("ModelRuntime")
      .constructor<>()
      .function("begin", &ModelRuntime::begin)
      .function("window", &ModelRuntime::window)
      .function("finish", &ModelRuntime::finish)
      .function("info", &ModelRuntime::info)
      .function("tokenize", &ModelRuntime::tokenize)
      .function("detokenize", &ModelRuntime::detokenize)
      .function("tokenPieces", &ModelRuntime::token_pieces)
      .function("forward", &ModelRuntime::forward)
      .function("logits", &ModelRuntime::logits)
      .function("attention", &ModelRuntime::attention)
      .function("trace", &ModelRuntime::trace)
      .function("generate", &ModelRuntime::generate)
      .function("headScores", &ModelRuntime::head_scores)
      .function("sessionStart", &ModelRuntime::session_start)
      .function("sessionAppend", &ModelRuntime::session_append)
      .function("sessionAttention", &ModelRuntime::session_attention)
      .function("sessionSample", &ModelRuntime::session_sample)
      .function("sessionMemory", &ModelRuntime::session_memory)
      .function("sessionDispose", &ModelRuntime::session_dispose)
      .function("dispose", &ModelRuntime::dispose)
      .class_function("maxFileBytes", &ModelRuntime::max_file_bytes);
}
