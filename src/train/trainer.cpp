#include "train/trainer.h"

#include <cmath>
#include <cstring>

#include "train/rng.h"

namespace ap::train {

void init_params(const Config& c, uint64_t seed, std::vector<float>* params) {
  const Layout l = layout_of(c);
  params->assign(l.size, 0.0f);
  Rng rng(seed, 7);                     // stream 7: the weights (tasks use 0 and 1)
  const float sqrt3 = std::sqrt(3.0f);  // uniform on [−a, a] has std a/√3
  const float resid = 1.0f / std::sqrt(2.0f * float(c.n_layer));
  for (const TensorView& t : tensors_of(c)) {
    float* p = params->data() + t.offset;
    const size_t n = size_t(t.rows) * t.cols;
    const bool is_norm = t.rows == 1;
    if (is_norm) {
      for (size_t i = 0; i < n; ++i) p[i] = 1.0f;
      continue;
    }
    float stdev = t.decay ? 1.0f / std::sqrt(float(t.rows)) : 1.0f;  // matrices: fan_in = rows
    const bool residual_out = t.name.size() > 3 && (t.name.compare(t.name.size() - 2, 2, "wo") == 0 ||
                                                    t.name.compare(t.name.size() - 6, 6, "w_down") == 0);
    if (residual_out) stdev *= resid;
    for (size_t i = 0; i < n; ++i) p[i] = rng.symmetric(stdev * sqrt3);
  }
}

uint64_t fnv1a(const float* p, size_t n) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (size_t i = 0; i < n; ++i) {
    uint32_t bits;
    std::memcpy(&bits, p + i, sizeof bits);
    for (int b = 0; b < 4; ++b) {
      h ^= (bits >> (8 * b)) & 0xFFu;
      h *= 0x100000001B3ull;
    }
  }
  return h;
}

std::string Trainer::create(const Config& config, const TaskSpec& task, const TrainOptions& opt,
                            Trainer* out) {
  std::string e = validate(task);
  if (!e.empty()) return "task: " + e;
  if (config.vocab != task_vocab(task))
    return "the model's vocab (" + std::to_string(config.vocab) + ") must be the task's (" +
           std::to_string(task_vocab(task)) + ")";
  if (config.n_ctx != task_context(task))
    return "the model's n_ctx (" + std::to_string(config.n_ctx) + ") must be the task's context (" +
           std::to_string(task_context(task)) + ")";
  if (!(e = validate(config)).empty()) return "model: " + e;
  if (opt.batch < 1 || opt.batch > 512) return "batch must be in 1 … 512, not " + std::to_string(opt.batch);
  const Schedule& s = opt.schedule;
  if (!(s.lr > 0 && s.lr < 1) || !(s.min_lr >= 0 && s.min_lr <= s.lr))
    return "the learning rate must be in (0, 1) and min_lr in [0, lr]";
  if (s.warmup < 0 || s.total_steps < 1) return "warmup must be >= 0 and total_steps >= 1";
  const AdamW& a = opt.adamw;
  if (!(a.beta1 >= 0 && a.beta1 < 1) || !(a.beta2 >= 0 && a.beta2 < 1) || !(a.eps > 0) ||
      !(a.weight_decay >= 0 && a.weight_decay < 1) || !(a.clip >= 0) || !std::isfinite(a.clip))
    return "AdamW needs beta1, beta2 in [0, 1), eps > 0, weight_decay in [0, 1), clip >= 0";
  Trainer t;
  t.config_ = config;
  t.task_ = task;
  t.opt_ = opt;
  init_params(config, opt.seed, &t.params_);
  t.grad_.assign(t.params_.size(), 0.0f);
  t.net_ = std::make_unique<Network<float>>(config);
  t.optim_ = std::make_unique<Optimizer>(config, opt.adamw);
  t.stream_ = std::make_unique<TaskStream>(task, opt.seed, Split::Train);
  *out = std::move(t);
  return "";
}

StepResult Trainer::step() {
  stream_->next(opt_.batch, &batch_);
  net_->forward(params_.data(), batch_.ids.data(), batch_.targets.data(), batch_.mask.data(), opt_.batch,
                &acts_,
                true);  // the task's ids are in range by construction
  std::fill(grad_.begin(), grad_.end(), 0.0f);
  net_->backward(params_.data(), acts_, grad_.data());
  StepResult r;
  r.loss = acts_.loss;
  r.accuracy = acts_.counted ? float(acts_.correct) / float(acts_.counted) : 0.0f;
  r.lr = learning_rate(opt_.schedule, step_);
  r.grad_norm = optim_->step(params_.data(), grad_.data(), r.lr);
  ++step_;
  return r;
}

Evaluation Trainer::evaluate(int sequences) const {
  TaskStream held(task_, opt_.seed, Split::HeldOut);
  Evaluation ev;
  Batch b;
  Acts<float> acts;
  double loss = 0;
  int correct = 0;
  for (int done = 0; done < sequences;) {
    const int n = std::min(64, sequences - done);
    held.next(n, &b);
    net_->forward(params_.data(), b.ids.data(), b.targets.data(), b.mask.data(), n, &acts, false);
    loss += double(acts.loss) * acts.counted;
    correct += acts.correct;
    ev.counted += acts.counted;
    done += n;
  }
  if (ev.counted > 0) {
    ev.loss = float(loss / ev.counted);
    ev.accuracy = float(correct) / float(ev.counted);
  }
  return ev;
}

}  // namespace ap::train
