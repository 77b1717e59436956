// The training benchmark's engine side (issue 14, "Speed"): one Trainer of src/train on the copy
// task, driven step by step, with what the TF.js twin (bench/train/tf-model.mjs) needs to train the
// same model: the initial weights, their layout and the very batches the trainer consumes.
//
// The same file builds two ways:
//  - natively by CMake (bench/native/*.cpp → build/native/bench_train_speed): main() below runs
//    one trainer, stepping when told on stdin (bench/train/run.mjs drives it);
//  - for wasm by scripts/bench (em++ against build/wasm/libap_core.a, see bench/train/build.sh):
//    the tb_* functions are exported and main() is left out; bench/train/engine.mjs drives them
//    from Node and from Chromium.
// Plain C++ with a C interface, so no Emscripten header is needed (the exports are named on the
// link line). Nothing here changes the engine: the timed call is Trainer::step().
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "train/network.h"
#include "train/ops.h"
#include "train/optim.h"
#include "train/trainer.h"

using namespace ap::train;

namespace {

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The benchmark's task: copy over 32 symbols, length ctx/2 (context = 2·length), constant
// learning rate (no warm-up, min_lr = lr), AdamW's defaults (β 0.9/0.99, ε 1e-8, decay 0.01,
// clip 1).
constexpr int kSymbols = 32;

struct State {
  Config config;
  TaskSpec task;
  TrainOptions opt;
  std::unique_ptr<Trainer> trainer;
  std::unique_ptr<TaskStream> twin;  // the trainer's training stream, replayed for the TF.js side
  Batch batch;                       // ids, targets, mask: (batch·n_ctx) the twin's latest batch
  StepResult last;
  std::string text;  // the latest string handed out (error, layout or profile JSON)
};

State& state() {
  static State s;
  return s;
}

// ---- the op profile: every op of one step, timed alone on that step's shapes ----
// Times `reps` runs of f and returns the fastest, in ms (the ops are deterministic; the minimum
// is the least disturbed by other jobs on the machine).
template <typename F>
double fastest_ms(int reps, F&& f) {
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    const double t0 = now_ms();
    f();
    best = std::min(best, now_ms() - t0);
  }
  return best;
}

// One step's work, grouped: the products of forward and backward (with backward's transposes),
// attention forward (scores, causal softmax, weighted sum) and backward, the output softmax with
// cross-entropy, the element-wise rest (norms, RoPE, SwiGLU, embedding, residual adds) and AdamW.
std::string profile(State& s, int reps) {
  const Config& c = s.config;
  const int B = s.opt.batch, T = c.n_ctx, R = B * T, d = c.d_model, H = c.n_head, hd = c.head_dim(),
            ff = c.n_ff, V = c.vocab, L = c.n_layer;
  const bool mlp = c.mlp != Mlp::None, glu = c.mlp == Mlp::SwiGlu;
  const std::vector<float>& w = s.trainer->params();
  // Inputs with the step's shapes; values from a real forward of the first batch.
  Acts<float> acts;
  TaskStream stream(s.task, s.opt.seed, Split::Train);
  Batch b;
  stream.next(B, &b);
  s.trainer->network().forward(w.data(), b.ids.data(), b.targets.data(), b.mask.data(), B, &acts, true);
  const LayerActs<float>& la = acts.layers[0];
  const size_t Rd = size_t(R) * d, Rf = size_t(R) * ff;
  std::vector<float> y(std::max({Rd, Rf, size_t(R) * V}));  // (R, max(d, ff, V)) outputs
  std::vector<float> dx(std::max(Rd, Rf)), dy(std::max({Rd, Rf, size_t(R) * V}), 1e-3f);  // gradients
  std::vector<float> dw(std::max({size_t(d) * d, size_t(d) * ff, size_t(d) * V}));        // (in, out)
  std::vector<float> dq(Rd), dk(Rd), dv(Rd), rstd(R), dg(std::max(d, ff)), scratch_p(la.p.size());
  std::vector<float> scratch;
  std::vector<float> cs, sn;
  if (c.positions == Positions::Rope) ops::rope_tables(T, hd, c.rope_base, &cs, &sn);
  const float* W = w.data();  // any weights of the right size: the products do not look at values

  // (in, out) of every projection in one layer, then the output head once.
  std::vector<std::pair<int, int>> layer_linears = {{d, d}, {d, d}, {d, d}, {d, d}};
  if (mlp) {
    layer_linears.push_back({d, ff});
    if (glu) layer_linears.push_back({d, ff});
    layer_linears.push_back({ff, d});
  }
  std::vector<float> xwide(std::max(Rd, Rf), 0.5f);  // (R, max(d, ff)) an input of every width
  const double gemm_fwd = fastest_ms(reps, [&] {
    for (int l = 0; l < L; ++l)
      for (auto [in, out] : layer_linears) ops::linear_forward(xwide.data(), W, R, in, out, y.data());
    ops::linear_forward(xwide.data(), W, R, d, V, y.data());
  });
  const double gemm_bwd = fastest_ms(reps, [&] {
    for (int l = 0; l < L; ++l)
      for (auto [in, out] : layer_linears)
        ops::linear_backward(xwide.data(), W, dy.data(), R, in, out, dx.data(), dw.data(), &scratch);
    ops::linear_backward(xwide.data(), W, dy.data(), R, d, V, dx.data(), dw.data(), &scratch);
  });
  // The part of gemmBackward that is linear_backward's two transposes (wᵀ for dx, xᵀ for dw).
  const double transposes = fastest_ms(reps, [&] {
    for (int l = 0; l < L; ++l)
      for (auto [in, out] : layer_linears) {
        transpose(W, in, out, dw.data());
        transpose(xwide.data(), R, in, dx.data());
      }
    transpose(W, d, V, dw.data());
    transpose(xwide.data(), R, d, dx.data());
  });
  const double attn_fwd = fastest_ms(reps, [&] {
    for (int l = 0; l < L; ++l)
      ops::attention_forward(la.q.data(), la.k.data(), la.v.data(), B, T, H, hd, nullptr, scratch_p.data(),
                             y.data());
  });
  const double attn_bwd = fastest_ms(reps, [&] {
    for (int l = 0; l < L; ++l)
      ops::attention_backward(la.q.data(), la.k.data(), la.v.data(), la.p.data(), dy.data(), B, T, H, hd,
                              nullptr, dq.data(), dk.data(), dv.data());
  });
  std::vector<float> probs(size_t(R) * V), dlogits(size_t(R) * V);
  const double xent = fastest_ms(reps, [&] {
    int ok = 0, n = 0;
    ops::cross_entropy(acts.logits.data(), b.targets.data(), b.mask.data(), R, V, probs.data(),
                       dlogits.data(), &ok, &n);
  });
  // Element-wise ops, forward and backward: RMSNorm (2 per layer with an MLP, + the final one),
  // RoPE on q and k (and back on dq, dk), SwiGLU, the embedding, the residual adds.
  const int norms = L * (mlp ? 2 : 1) + 1;
  std::vector<float> xr = la.x, dgate(Rf), dup(Rf);  // (R, d), (R, ff) × 2
  const double elementwise = fastest_ms(reps, [&] {
    for (int i = 0; i < norms; ++i) {
      ops::rmsnorm_forward(la.x.data(), W, R, d, 1e-5f, y.data(), rstd.data());
      ops::rmsnorm_backward(la.x.data(), W, rstd.data(), dy.data(), R, d, dx.data(), dg.data());
    }
    for (int l = 0; l < L; ++l) {
      if (c.positions == Positions::Rope)
        for (int pass = 0; pass < 4; ++pass)
          ops::rope_apply(dq.data(), B, T, H, hd, cs.data(), sn.data(), pass > 1);
      if (glu) {
        ops::swiglu_forward(la.g.data(), la.u.data(), Rf, y.data());
        ops::swiglu_backward(la.g.data(), la.u.data(), dy.data(), Rf, dgate.data(), dup.data());
      }
      for (int add = 0; add < (mlp ? 2 : 1); ++add)
        for (size_t i = 0; i < Rd; ++i) xr[i] += y[i];
    }
    ops::embed_forward(b.ids.data(), R, W, d, y.data());
    ops::embed_backward(b.ids.data(), R, dy.data(), d, dw.data());
  });
  // AdamW on a copy of the weights (global norm, clipping, the update).
  Optimizer optim(c, s.opt.adamw);
  std::vector<float> p = w, g(w.size(), 1e-4f);
  const double adamw = fastest_ms(reps, [&] { optim.step(p.data(), g.data(), 1e-3f); });
  // The whole step, for comparison (a throwaway trainer of the same configuration).
  Trainer t;
  Trainer::create(c, s.task, s.opt, &t);
  t.step();
  const double step = fastest_ms(reps, [&] { t.step(); });
  char out[640];
  std::snprintf(
      out, sizeof out,
      "{\"stepMs\":%.4f,\"ops\":{\"gemmForward\":%.4f,\"gemmBackward\":%.4f,\"attentionForward\":%.4f,"
      "\"attentionBackward\":%.4f,\"outputSoftmaxCrossEntropy\":%.4f,\"elementwise\":%.4f,"
      "\"adamw\":%.4f},\"gemmBackwardTransposes\":%.4f}",
      step, gemm_fwd, gemm_bwd, attn_fwd, attn_bwd, xent, elementwise, adamw, transposes);
  return out;
}

}  // namespace

extern "C" {

// A fresh trainer (seeded weights, the train stream) and its twin stream; "" or what is wrong.
// mlp: 0 none, 1 SwiGLU (n_ff = 4·d_model).
const char* tb_create(int layers, int heads, int d_model, int ctx, int batch, int mlp, int seed, float lr) {
  State& s = state();
  s.trainer.reset();
  s.twin.reset();
  s.task = TaskSpec();
  s.task.kind = TaskKind::Copy;
  s.task.length = ctx / 2;
  s.task.symbols = kSymbols;
  s.config = Config();
  s.config.vocab = task_vocab(s.task);
  s.config.n_ctx = task_context(s.task);
  s.config.n_layer = layers;
  s.config.n_head = heads;
  s.config.d_model = d_model;
  s.config.mlp = mlp ? Mlp::SwiGlu : Mlp::None;
  s.config.n_ff = mlp ? 4 * d_model : 0;
  s.config.positions = Positions::Rope;
  s.opt = TrainOptions();
  s.opt.batch = batch;
  s.opt.seed = uint64_t(seed);
  s.opt.schedule.lr = lr;
  s.opt.schedule.min_lr = lr;
  s.opt.schedule.warmup = 0;
  s.opt.schedule.total_steps = 1000000;
  if (ctx % 2 != 0) return (s.text = "the context must be even (copy task: 2·length)").c_str();
  auto t = std::make_unique<Trainer>();
  s.text = Trainer::create(s.config, s.task, s.opt, t.get());
  if (!s.text.empty()) return s.text.c_str();
  s.trainer = std::move(t);
  s.twin = std::make_unique<TaskStream>(s.task, s.opt.seed, Split::Train);
  return "";
}

// n optimiser steps (n ≥ 1); the last one's loss.
float tb_step(int n) {
  State& s = state();
  for (int i = 0; i < n; ++i) s.last = s.trainer->step();
  return s.last.loss;
}
float tb_grad_norm() { return state().last.grad_norm; }  // the last step's, before clipping

int tb_param_count() { return int(state().trainer->params().size()); }
const float* tb_params() { return state().trainer->params().data(); }  // (layout size) current weights

// The layout as JSON: {"vocab","context","layers","heads","dModel","ff","batch","lr","beta1",…,
// "tensors":[{"name","offset","rows","cols","decay"}]}.
const char* tb_layout_json() {
  State& s = state();
  const Config& c = s.config;
  const AdamW& a = s.opt.adamw;
  char head[512];
  std::snprintf(
      head, sizeof head,
      "{\"vocab\":%d,\"context\":%d,\"layers\":%d,\"heads\":%d,\"dModel\":%d,\"ff\":%d,\"batch\":%d,"
      "\"normEps\":%.9g,\"ropeBase\":%.9g,\"lr\":%.9g,\"beta1\":%.9g,\"beta2\":%.9g,\"eps\":%.9g,"
      "\"weightDecay\":%.9g,\"clip\":%.9g,\"tensors\":[",
      c.vocab, c.n_ctx, c.n_layer, c.n_head, c.d_model, c.n_ff, s.opt.batch, double(c.norm_eps),
      double(c.rope_base), double(s.opt.schedule.lr), double(a.beta1), double(a.beta2), double(a.eps),
      double(a.weight_decay), double(a.clip));
  s.text = head;
  bool first = true;
  for (const TensorView& t : tensors_of(c)) {
    char row[256];
    std::snprintf(row, sizeof row, "%s{\"name\":\"%s\",\"offset\":%zu,\"rows\":%d,\"cols\":%d,\"decay\":%s}",
                  first ? "" : ",", t.name.c_str(), t.offset, t.rows, t.cols, t.decay ? "true" : "false");
    s.text += row;
    first = false;
  }
  s.text += "]}";
  return s.text.c_str();
}

// The next batch of the trainer's training stream (the k-th call gives the batch of step k).
void tb_next_batch() {
  State& s = state();
  s.twin->next(s.opt.batch, &s.batch);
}
const int* tb_batch_ids() { return state().batch.ids.data(); }          // (batch·n_ctx)
const int* tb_batch_targets() { return state().batch.targets.data(); }  // (batch·n_ctx)
const float* tb_batch_mask() { return state().batch.mask.data(); }      // (batch·n_ctx)

// The op profile of one step (see profile()), as JSON; the fastest of `reps` runs of each.
const char* tb_profile(int reps) {
  State& s = state();
  s.text = profile(s, reps);
  return s.text.c_str();
}

}  // extern "C"

#ifndef __EMSCRIPTEN__  // the wasm build exports the tb_* functions only
// ---- native: a trainer driven over stdin, so that bench/train/run.mjs can time it in turns
// with the wasm and TF.js runs (a change of the machine's load then hits them all alike) ----
//   bench_train_speed LAYERS HEADS D_MODEL CONTEXT BATCH
// prints "ready <parameters> <first loss>" after two steps (the first allocates), then answers
// each line of stdin: "N" → N steps, prints "<ms> <last loss>"; "profile R" → tb_profile(R)'s
// JSON; "quit" (or the end of stdin) exits.
int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: bench_train_speed LAYERS HEADS D_MODEL CONTEXT BATCH\n");
    return 2;
  }
  const char* e = tb_create(std::atoi(argv[1]), std::atoi(argv[2]), std::atoi(argv[3]), std::atoi(argv[4]),
                            std::atoi(argv[5]), 1, 1, 1e-3f);
  if (*e) {
    std::fprintf(stderr, "error: %s\n", e);
    return 1;
  }
  const float first = tb_step(1);
  tb_step(1);
  std::printf("ready %d %.7f\n", tb_param_count(), double(first));
  std::fflush(stdout);
  char line[256];
  while (std::fgets(line, sizeof line, stdin)) {
    if (std::strncmp(line, "quit", 4) == 0) break;
    if (std::strncmp(line, "profile", 7) == 0) {
      std::printf("%s\n", tb_profile(std::max(1, std::atoi(line + 7))));
    } else {
      const int n = std::max(1, std::atoi(line));
      const double t0 = now_ms();
      const float loss = tb_step(n);
      std::printf("%.4f %.7f\n", now_ms() - t0, double(loss));
    }
    std::fflush(stdout);
  }
  return 0;
}
#endif
