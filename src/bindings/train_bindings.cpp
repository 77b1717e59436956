// Embind registrations for the training engine (src/train): class TrainRuntime, used only by
// web/lib/train.js. Linked into model_core beside model_bindings.cpp, so a trained model's GGUF
// bytes can be opened again by the same module's ModelRuntime.
//
// create(options) builds a Trainer from a plain JS object (task, sizes, learning rate, seed), step(n)
// runs n optimiser steps, attention() runs the fixed probe example (the first held-out sequence of
// the seed) and returns every layer's and head's weights, headScores() names the heads from what they
// attend to (analysis/pattern_scores.h: the same scores as Model mode's headScores), exportGguf() the
// llama GGUF file. Numbers
// arrive as doubles and are checked here (integers in range, finite), so a bad argument is a
// message, never an abort; failures come back as { error } or a non-empty string.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "analysis/heads.h"
#include "analysis/pattern_scores.h"
#include "analysis/probes.h"
#include "bindings/js_values.h"
#include "train/config.h"
#include "train/export_gguf.h"
#include "train/network.h"
#include "train/tasks.h"
#include "train/trainer.h"

using emscripten::val;

namespace {

using ap::bindings::error;
using ap::bindings::heap_can_hold;
namespace tr = ap::train;

// The page trains small batches; the engine takes up to 512, the heap of a tab would not.
constexpr int kMaxBatch = 64;
constexpr int kMaxStepsPerCall = 1000;
constexpr int kMaxEvalSequences = 4096;
constexpr int kMaxScoreProbes = 64;

using ap::bindings::copy_out;

// options[key] as an integer in lo … hi (fallback when absent); "" or what is wrong.
std::string read_int(const val& options, const char* key, int lo, int hi, int fallback, int* out) {
  const val v = options[key];
  if (v.isUndefined()) {
    *out = fallback;
    return "";
  }
  const double x = v.isNumber() ? v.as<double>() : NAN;
  if (!(x >= lo && x <= hi) || x != std::floor(x))
    return std::string(key) + " must be an integer in " + std::to_string(lo) + " … " + std::to_string(hi);
  *out = static_cast<int>(x);
  return "";
}

std::string read_number(const val& options, const char* key, double lo_open, double hi_open, double fallback,
                        double* out) {
  const val v = options[key];
  if (v.isUndefined()) {
    *out = fallback;
    return "";
  }
  const double x = v.isNumber() ? v.as<double>() : NAN;
  if (!(x > lo_open && x < hi_open))
    return std::string(key) + " must be a number in (" + std::to_string(lo_open) + ", " +
           std::to_string(hi_open) + ")";
  *out = x;
  return "";
}

// options[key] as one of `names` (fallback when absent): its index, or -1 and *message.
int read_choice(const val& options, const char* key, const std::vector<std::string>& names, int fallback,
                std::string* message) {
  const val v = options[key];
  if (v.isUndefined()) return fallback;
  const std::string s = v.isString() ? v.as<std::string>() : std::string();
  for (size_t i = 0; i < names.size(); ++i)
    if (s == names[i]) return static_cast<int>(i);
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  *message = std::string(key) + " must be one of " + list;
  return -1;
}

class TrainRuntime {
 public:
  // "" and a fresh trainer (any earlier one is dropped), or what is wrong with the options.
  std::string create(val options) {
    if (options.typeOf().as<std::string>() != "object" || options.isNull())
      return "the options must be an object";
    std::string e;
    tr::TaskSpec task;
    const int kind =
        read_choice(options, "task", {"copy", "reverse", "sort", "induction", "brackets"}, 0, &e);
    if (kind < 0) return e;
    task.kind = static_cast<tr::TaskKind>(kind);
    int length = 6, symbols = 8, layers = 1, heads = 2, d_model = 32, batch = 16, warmup = 20, total = 500;
    double lr = 3e-3, seed = 1;
    if (!(e = read_int(options, "length", 2, 16, 6, &length)).empty()) return e;
    if (!(e = read_int(options, "symbols", 2, 64, 8, &symbols)).empty()) return e;
    if (!(e = read_int(options, "layers", 1, tr::kMaxLayers, 1, &layers)).empty()) return e;
    if (!(e = read_int(options, "heads", 1, tr::kMaxHeads, 2, &heads)).empty()) return e;
    if (!(e = read_int(options, "dModel", 2, tr::kMaxDModel, 32, &d_model)).empty()) return e;
    if (!(e = read_int(options, "batch", 1, kMaxBatch, 16, &batch)).empty()) return e;
    if (!(e = read_int(options, "warmup", 0, 100000, 20, &warmup)).empty()) return e;
    if (!(e = read_int(options, "totalSteps", 1, 1000000, 500, &total)).empty()) return e;
    if (!(e = read_number(options, "learningRate", 0, 1, 3e-3, &lr)).empty()) return e;
    {
      int s = 1;
      if (!(e = read_int(options, "seed", 0, 999999, 1, &s)).empty()) return e;
      seed = s;
    }
    const int mlp = read_choice(options, "mlp", {"none", "swiglu", "gelu"}, 0, &e);
    if (mlp < 0) return e;
    const int positions = read_choice(options, "positions", {"rope", "learned"}, 0, &e);
    if (positions < 0) return e;
    task.length = length;
    task.symbols = symbols;
    task.max_depth = std::min(3, length);
    if (!(e = tr::validate(task)).empty()) return e;

    tr::Config c;
    c.vocab = tr::task_vocab(task);
    c.n_ctx = tr::task_context(task);
    c.n_layer = layers;
    c.n_head = heads;
    c.d_model = d_model;
    c.mlp = static_cast<tr::Mlp>(mlp);
    c.n_ff = c.mlp == tr::Mlp::None ? 0 : 4 * d_model;
    c.positions = static_cast<tr::Positions>(positions);
    if (!(e = tr::validate(c)).empty()) return e;

    tr::TrainOptions opt;
    opt.batch = batch;
    opt.seed = static_cast<uint64_t>(seed);
    opt.schedule.lr = static_cast<float>(lr);
    opt.schedule.min_lr = static_cast<float>(lr) * 0.1f;
    opt.schedule.warmup = warmup;
    opt.schedule.total_steps = total;
    if (!heap_can_hold(bytes_needed(c, batch))) return "this model is too large for the memory available";

    trainer_.reset();
    auto t = std::make_unique<tr::Trainer>();
    if (!(e = tr::Trainer::create(c, task, opt, t.get())).empty()) return e;
    trainer_ = std::move(t);
    // The probe: the first held-out sequence of the seed, the same for the whole run.
    tr::TaskStream held(task, opt.seed, tr::Split::HeldOut);
    held.next(1, &probe_);
    return "";
  }

  // { steps, loss: Float32Array (n), accuracy: Float32Array (n), lr, gradNorm } after n more steps.
  val step(double n) {
    if (!trainer_) return error("no trainer: create() it first");
    if (!(n >= 1 && n <= kMaxStepsPerCall) || n != std::floor(n))
      return error("steps must be an integer in 1 … " + std::to_string(kMaxStepsPerCall));
    const int count = static_cast<int>(n);
    std::vector<float> loss(count), accuracy(count);  // (count) one per step
    tr::StepResult r;
    for (int i = 0; i < count; ++i) {
      r = trainer_->step();
      loss[i] = r.loss;
      accuracy[i] = r.accuracy;
    }
    val out = val::object();
    out.set("steps", trainer_->steps_done());
    out.set("loss", copy_out("Float32Array", loss.data(), loss.size()));
    out.set("accuracy", copy_out("Float32Array", accuracy.data(), accuracy.size()));
    out.set("lr", r.lr);
    out.set("gradNorm", r.grad_norm);
    return out;
  }

  // { loss, accuracy, counted } on the first `sequences` held-out sequences.
  val evaluate(double sequences) {
    if (!trainer_) return error("no trainer: create() it first");
    if (!(sequences >= 1 && sequences <= kMaxEvalSequences) || sequences != std::floor(sequences))
      return error("sequences must be an integer in 1 … " + std::to_string(kMaxEvalSequences));
    const tr::Evaluation ev = trainer_->evaluate(static_cast<int>(sequences));
    val out = val::object();
    out.set("loss", ev.loss);
    out.set("accuracy", ev.accuracy);
    out.set("counted", ev.counted);
    return out;
  }

  // { layers, heads, n, ids: Int32Array (n), targets: Int32Array (n), mask: Float32Array (n),
  //   labels: [string] (vocab), weights: Float32Array (layers, heads, n, n) } of the probe example
  //   under the current weights; rows are queries, softmax ran over the last axis (keys).
  val attention() {
    if (!trainer_) return error("no trainer: create() it first");
    const tr::Config& c = trainer_->config();
    tr::Acts<float> acts;
    const std::string e =
        trainer_->network().forward(trainer_->params().data(), probe_.ids.data(), probe_.targets.data(),
                                    probe_.mask.data(), 1, &acts, false);
    if (!e.empty()) return error(e);
    const size_t n = static_cast<size_t>(c.n_ctx), per_layer = size_t(c.n_head) * n * n;
    std::vector<float> weights(size_t(c.n_layer) * per_layer);  // (n_layer, n_head, n, n)
    for (int l = 0; l < c.n_layer; ++l)
      std::copy(acts.layers[l].p.begin(), acts.layers[l].p.begin() + per_layer,
                weights.begin() + l * per_layer);
    val labels = val::array();
    for (int i = 0; i < c.vocab; ++i) labels.call<void>("push", tr::token_label(trainer_->task(), i));
    val out = val::object();
    out.set("layers", c.n_layer);
    out.set("heads", c.n_head);
    out.set("n", c.n_ctx);
    out.set("ids", copy_out("Int32Array", probe_.ids.data(), n));
    out.set("targets", copy_out("Int32Array", probe_.targets.data(), n));
    out.set("mask", copy_out("Float32Array", probe_.mask.data(), n));
    out.set("labels", labels);
    out.set("weights", copy_out("Float32Array", weights.data(), weights.size()));
    return out;
  }

  // Every head's scores on the head detector's templates, from the weights being trained:
  // previous-token, duplicate-token, induction and first-token (analysis/heads.h) on `count` probes,
  // each a random run of `half` ids repeated (analysis/probes.h: drawn with `seed` from every id of the
  // task's vocabulary, no BOS) — the probes ModelRuntime::headScores draws for a model without a
  // tokenizer, so the exported GGUF file opened as a model scores the same. Unlike there, half is cut
  // to ⌈n_ctx / 2⌉ and the probe to the context: on the induction task (odd n_ctx) a probe is its
  // longest training layout, r_1 … r_n r_1 … r_{n−1}. For reverse also
  // "mirror" (analysis/pattern_scores.h) on the probe example, from its SEP on.
  // { kinds: [name], thresholds: [t], half, length (of a probe), count, taskProbes, heads: [{ layer, head,
  // scores: Float64Array (kinds; NaN unscored), probes: Int32Array (kinds), names: [name] }] } or { error }.
  val head_scores(double seed, int count, int half) const {
    if (!trainer_) return error("no trainer: create() it first");
    if (!(seed >= 0) || seed > 9007199254740991.0 || seed != std::floor(seed))
      return error("seed must be an integer in 0 … 2^53");
    if (count < 1 || count > kMaxScoreProbes)
      return error("probes must be 1 … " + std::to_string(kMaxScoreProbes));
    const tr::Config& c = trainer_->config();
    half = std::min(half, (c.n_ctx + 1) / 2);  // the longest run that fits twice, the last id cut if need be
    if (half < 1)
      return error("the context (" + std::to_string(c.n_ctx) + ") is too short for a repeated probe");
    std::vector<int32_t> candidates(static_cast<size_t>(c.vocab));  // (vocab) every id
    for (int32_t id = 0; id < c.vocab; ++id) candidates[size_t(id)] = id;
    std::vector<ap::analysis::Probe> probes;
    if (std::string e =
            ap::analysis::repeated_probes(candidates, half, count, -1, static_cast<uint64_t>(seed), &probes);
        !e.empty())
      return error(e);
    for (ap::analysis::Probe& p : probes)
      if (p.ids.size() > size_t(c.n_ctx)) p.ids.resize(size_t(c.n_ctx));
    const int length = static_cast<int>(probes.front().ids.size());
    const ap::analysis::Thresholds thresholds;
    std::vector<ap::analysis::Pattern> patterns;
    constexpr int kIdKinds = 4;  // PreviousToken … FirstToken: the id-only templates
    for (int k = 0; k < kIdKinds; ++k)
      patterns.push_back(
          ap::analysis::kind_pattern(ap::analysis::HeadKind(k), probes, thresholds.at[size_t(k)]));
    const bool mirror = trainer_->task().kind == tr::TaskKind::Reverse;
    if (mirror) {
      ap::analysis::Probe example;
      example.ids.assign(probe_.ids.begin(), probe_.ids.end());              // (n_ctx)
      for (ap::analysis::Pattern& p : patterns) p.templates.emplace_back();  // not scored on the example
      ap::analysis::Pattern m;
      m.name = "mirror";
      m.threshold = kMirrorThreshold;
      m.templates.assign(probes.size(), {});
      m.templates.push_back(ap::analysis::mirror_template(c.n_ctx, trainer_->task().length));
      patterns.push_back(std::move(m));
      probes.push_back(std::move(example));
    }
    std::vector<std::vector<float>> maps;  // [probe] (n_layer, n_head, n_p, n_p)
    if (std::string e = attention_of(probes, &maps); !e.empty()) return error(e);
    std::vector<ap::analysis::PatternReport> reports;
    if (std::string e = ap::analysis::score_patterns(c.n_layer, c.n_head, probes, maps, patterns, &reports);
        !e.empty())
      return error(e);
    const size_t kinds = patterns.size();
    val names = val::array(), at = val::array();
    for (const ap::analysis::Pattern& p : patterns) {
      names.call<void>("push", p.name);
      at.call<void>("push", p.threshold);
    }
    val heads = val::array();
    for (const ap::analysis::PatternReport& h : reports) {
      std::vector<std::string> named;
      for (int k : h.names) named.push_back(patterns[size_t(k)].name);
      heads.call<void>(
          "push", ap::bindings::head_report(h.layer, h.head, h.score.data(), h.probes.data(), kinds, named));
    }
    val r = val::object();
    r.set("kinds", names);
    r.set("thresholds", at);
    r.set("half", half);
    r.set("length", length);
    r.set("count", count);
    r.set("taskProbes", mirror ? 1 : 0);
    r.set("heads", heads);
    return r;
  }

  // { bytes: Uint8Array } the trained model as a llama GGUF v3 file, or { error }.
  val export_gguf(std::string name) {
    if (!trainer_) return error("no trainer: create() it first");
    std::vector<std::string> labels;
    for (int i = 0; i < trainer_->config().vocab; ++i) labels.push_back(tr::token_label(trainer_->task(), i));
    std::vector<uint8_t> bytes;
    const std::string e = tr::export_gguf(trainer_->config(), trainer_->params(), labels, name, &bytes);
    if (!e.empty()) return error(e);
    val out = val::object();
    out.set("bytes", copy_out("Uint8Array", bytes.data(), bytes.size()));
    return out;
  }

  // { steps, vocab, context, layers, heads, dModel, parameters, digest } (digest: FNV-1a of the
  // weights as 16 hex digits, what the determinism checks compare).
  val info() {
    if (!trainer_) return error("no trainer: create() it first");
    const tr::Config& c = trainer_->config();
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(trainer_->digest()));
    val out = val::object();
    out.set("steps", trainer_->steps_done());
    out.set("vocab", c.vocab);
    out.set("context", c.n_ctx);
    out.set("layers", c.n_layer);
    out.set("heads", c.n_head);
    out.set("dModel", c.d_model);
    out.set("parameters", static_cast<double>(trainer_->params().size()));
    out.set("digest", std::string(hex));
    return out;
  }

  void dispose() {
    trainer_.reset();
    probe_ = tr::Batch();
  }

 private:
  std::unique_ptr<tr::Trainer> trainer_;
  tr::Batch probe_;  // ids, targets, mask: (1, n_ctx) the fixed probe example

  // A head named "mirror" puts at least this share of its answer rows' weight on the mirrored key.
  static constexpr double kMirrorThreshold = 0.5;

  // Every probe's attention under the current weights, one batched forward: each probe (2 … n_ctx
  // ids) padded to n_ctx with id 0 (causal attention: rows before the padding never see it).
  // maps[p]: (n_layer, n_head, n_p, n_p), the top-left corner of each head's (n_ctx, n_ctx) map.
  std::string attention_of(const std::vector<ap::analysis::Probe>& probes,
                           std::vector<std::vector<float>>* maps) const {
    const tr::Config& c = trainer_->config();
    const int b = static_cast<int>(probes.size()), t = c.n_ctx;
    if (!heap_can_hold(bytes_needed(c, b) / 2)) return "the heads cannot be scored in the memory available";
    std::vector<int> ids(size_t(b) * t, 0), targets(size_t(b) * t, 0);  // (b, n_ctx)
    std::vector<float> mask(size_t(b) * t, 0.0f);                       // (b, n_ctx) no loss counts
    for (int p = 0; p < b; ++p) {
      const std::vector<int32_t>& x = probes[size_t(p)].ids;
      if (x.size() < 2 || x.size() > size_t(t))
        return "probe " + std::to_string(p) + " has " + std::to_string(x.size()) + " ids; it needs 2 … " +
               std::to_string(t);
      std::copy(x.begin(), x.end(), ids.begin() + size_t(p) * t);
    }
    tr::Acts<float> acts;
    if (std::string e = trainer_->network().forward(trainer_->params().data(), ids.data(), targets.data(),
                                                    mask.data(), b, &acts, false);
        !e.empty())
      return e;
    const int heads = c.n_head;
    maps->assign(size_t(b), {});
    for (int p = 0; p < b; ++p) {
      const size_t n = probes[size_t(p)].ids.size();
      std::vector<float>& m = (*maps)[size_t(p)];
      m.resize(size_t(c.n_layer) * heads * n * n);
      for (int l = 0; l < c.n_layer; ++l)
        for (int h = 0; h < heads; ++h)
          for (size_t i = 0; i < n; ++i) {
            const float* row =
                acts.layers[size_t(l)].p.data() + ((size_t(p) * heads + h) * t + i) * t;  // (n_ctx)
            std::copy(row, row + n, m.begin() + ((size_t(l) * heads + h) * n + i) * n);
          }
    }
    return "";
  }

  // A generous estimate of what a Trainer of this size allocates: parameters, gradient and two
  // moments, and one batch's activations (network.h's Acts) held twice (step and probe/evaluate).
  static double bytes_needed(const tr::Config& c, int batch) {
    const double params = static_cast<double>(tr::layout_of(c).size);
    const double rows = double(batch) * c.n_ctx, d = c.d_model, ff = c.n_ff;
    const double per_layer = rows * (10 * d + 5 + 4 * ff) + double(batch) * c.n_head * c.n_ctx * c.n_ctx;
    const double acts = c.n_layer * per_layer + rows * (3 * d + 1 + 3 * double(c.vocab) + 3);
    return 4.0 * (6 * params + 2 * acts);
  }
};

}  // namespace

EMSCRIPTEN_BINDINGS(train_runtime) {
  emscripten::class_<TrainRuntime>("TrainRuntime")
      .constructor<>()
      .function("create", &TrainRuntime::create)
      .function("step", &TrainRuntime::step)
      .function("evaluate", &TrainRuntime::evaluate)
      .function("attention", &TrainRuntime::attention)
      .function("headScores", &TrainRuntime::head_scores)
      .function("exportGguf", &TrainRuntime::export_gguf)
      .function("info", &TrainRuntime::info)
      .function("dispose", &TrainRuntime::dispose);
}
