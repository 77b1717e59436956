// Training steps per second natively, and held-out accuracy at the end (no test asserts times;
// bench/NOTES.md records what this printed).
//   bench_train TASK LAYERS HEADS D_MODEL MLP(none|swiglu|gelu) POS(rope|learned) STEPS LR BATCH [LENGTH]
//   [SEED] bench_train  (no arguments): the two sizes of bench/NOTES.md on random tokens
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "train/trainer.h"

using namespace ap::train;

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int run(TaskKind kind, int layers, int heads, int d, Mlp mlp, Positions pos, int steps, float lr, int batch,
        int length, uint64_t seed, bool quiet) {
  TaskSpec task;
  task.kind = kind;
  task.length = length;
  task.symbols = kind == TaskKind::Induction ? std::max(length, 16) : 8;
  Config c;
  c.vocab = task_vocab(task);
  c.n_ctx = task_context(task);
  c.n_layer = layers;
  c.n_head = heads;
  c.d_model = d;
  c.mlp = mlp;
  c.n_ff = 4 * d;
  c.positions = pos;
  TrainOptions opt;
  opt.batch = batch;
  opt.seed = seed;
  opt.schedule.lr = lr;
  opt.schedule.min_lr = lr / 10;
  opt.schedule.warmup = steps / 10;
  opt.schedule.total_steps = steps;
  Trainer t;
  const std::string e = Trainer::create(c, task, opt, &t);
  if (!e.empty()) {
    std::fprintf(stderr, "error: %s\n", e.c_str());
    return 1;
  }
  const double t0 = now_s();
  for (int s = 0; s < steps; ++s) {
    const StepResult r = t.step();
    if (!quiet && (s % 50 == 0 || s == steps - 1))
      std::printf("step %4d loss %.4f acc %.3f lr %.5f |g| %.3f\n", s, r.loss, r.accuracy, r.lr, r.grad_norm);
  }
  const double dt = now_s() - t0;
  const Evaluation ev = t.evaluate(256);
  std::printf(
      "%s L%d H%d d%d ctx %d batch %d: %d steps in %.2f s = %.1f steps/s; held-out acc %.4f loss %.4f\n",
      task_name(kind), layers, heads, d, c.n_ctx, batch, steps, dt, steps / dt, ev.accuracy, ev.loss);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 10) {
    TaskKind k = TaskKind::Copy;
    for (TaskKind c :
         {TaskKind::Copy, TaskKind::Reverse, TaskKind::Sort, TaskKind::Induction, TaskKind::Brackets})
      if (std::strcmp(argv[1], task_name(c)) == 0) k = c;
    const Mlp mlp = std::strcmp(argv[5], "swiglu") == 0 ? Mlp::SwiGlu
                    : std::strcmp(argv[5], "gelu") == 0 ? Mlp::Gelu
                                                        : Mlp::None;
    const Positions pos = std::strcmp(argv[6], "learned") == 0 ? Positions::Learned : Positions::Rope;
    return run(k, std::atoi(argv[2]), std::atoi(argv[3]), std::atoi(argv[4]), mlp, pos, std::atoi(argv[7]),
               float(std::atof(argv[8])), std::atoi(argv[9]), argc > 10 ? std::atoi(argv[10]) : 6,
               argc > 11 ? std::strtoull(argv[11], nullptr, 10) : 1, false);
  }
  // The two sizes of issue 14's benchmark: 2 × 4 × 64, context 32, batch 32; 4 × 8 × 256, context 64.
  run(TaskKind::Copy, 2, 4, 64, Mlp::SwiGlu, Positions::Rope, 20, 1e-3f, 32, 16, 1, true);
  run(TaskKind::Copy, 4, 8, 256, Mlp::SwiGlu, Positions::Rope, 3, 1e-3f, 32, 32, 1, true);
  return 0;
}
