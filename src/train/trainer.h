// Training a model on a task: parameters, gradients and AdamW's state, seeded initialisation,
// one step at a time (the page's worker drives it step by step), held-out evaluation and a
// digest of the weights (the determinism tests compare it between builds).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "train/config.h"
#include "train/network.h"
#include "train/optim.h"
#include "train/tasks.h"

namespace ap::train {

struct TrainOptions {
  int batch = 16;
  uint64_t seed = 1;  // initial weights and the task's streams
  Schedule schedule;
  AdamW adamw;
};

// Seeded initial weights: matrices uniform with std 1/√fan_in (wo and w_down also ÷√(2·n_layer),
// as GPT-2 scales residual projections), embeddings std 1, norm gains 1.
void init_params(const Config& c, uint64_t seed, std::vector<float>* params);

// FNV-1a (64-bit) of the bytes of n floats (little-endian on every target we build for).
uint64_t fnv1a(const float* p, size_t n);

struct StepResult {
  float loss = 0, lr = 0, grad_norm = 0;
  float accuracy = 0;  // on this batch's masked positions
};

struct Evaluation {
  float loss = 0;
  float accuracy = 0;  // masked positions whose argmax is the target
  int counted = 0;
};

// Movable, not copyable (it owns the network, the optimiser state and the task stream).
class Trainer {
 public:
  // "" and a ready trainer, or what is wrong with the config, task or options (out untouched).
  static std::string create(const Config& config, const TaskSpec& task, const TrainOptions& opt,
                            Trainer* out);

  StepResult step();
  int steps_done() const { return step_; }
  // Loss and accuracy on `sequences` held-out sequences (the held-out stream from its start,
  // so every call sees the same ones), under the current head mask.
  Evaluation evaluate(int sequences) const;

  Network<float>& network() { return *net_; }
  const Network<float>& network() const { return *net_; }
  const Config& config() const { return config_; }
  const TaskSpec& task() const { return task_; }
  const std::vector<float>& params() const { return params_; }
  std::vector<float>& mutable_params() { return params_; }
  uint64_t digest() const { return fnv1a(params_.data(), params_.size()); }

 private:
  Config config_;
  TaskSpec task_;
  TrainOptions opt_;
  std::vector<float> params_, grad_;  // (layout size)
  std::unique_ptr<Network<float>> net_;
  std::unique_ptr<Optimizer> optim_;
  std::unique_ptr<TaskStream> stream_;
  Acts<float> acts_;
  Batch batch_;
  int step_ = 0;
};

}  // namespace ap::train
