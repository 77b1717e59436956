// Trains the built-in models (train/builtin.h) and writes each as web/models/<name>.gguf with a
// JSON training log <name>.json (scripts/train runs it). Deterministic: the same recipes give the
// same files bit for bit, except each log's "seconds" line (wall time).
//
//   train_builtin <out_dir> [name …]     names: copy reverse sort induction brackets language
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "train/builtin.h"

using namespace ap::train;
using namespace ap::train::builtin;

namespace {

struct Point {
  int step;
  float loss, accuracy;
};

bool write_file(const std::string& path, const void* data, size_t n) {
  std::ofstream f(path, std::ios::binary);
  f.write(static_cast<const char*>(data), std::streamsize(n));
  return bool(f);
}

std::string fmt(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

// The log: recipe, curve (every 50th step's batch loss and accuracy), held-out figures; "seconds"
// on a line of its own (scripts/train --check leaves it out of the comparison).
std::string log_json(const std::string& name, const std::string& task, const Config& c, uint64_t seed,
                     int steps, int batch, float lr, const std::vector<Point>& curve, int heldout,
                     const Evaluation& ev, uint64_t digest, double seconds) {
  std::ostringstream o;
  o << "{\n  \"name\": \"" << name << "\",\n  \"task\": \"" << task << "\",\n  \"seed\": " << seed
    << ",\n  \"steps\": " << steps << ",\n  \"batch\": " << batch << ",\n  \"lr\": " << fmt(lr)
    << ",\n  \"model\": {\"vocab\": " << c.vocab << ", \"n_ctx\": " << c.n_ctx
    << ", \"layers\": " << c.n_layer << ", \"heads\": " << c.n_head << ", \"d_model\": " << c.d_model
    << ", \"mlp\": \"" << (c.mlp == Mlp::None ? "none" : "swiglu") << "\", \"n_ff\": " << c.n_ff
    << ", \"positions\": \"rope\"},\n  \"curve\": [";
  for (size_t i = 0; i < curve.size(); ++i)
    o << (i ? ", " : "") << "[" << curve[i].step << ", " << fmt(curve[i].loss) << ", "
      << fmt(curve[i].accuracy) << "]";
  char dig[24];
  std::snprintf(dig, sizeof dig, "%016llx", static_cast<unsigned long long>(digest));
  o << "],\n  \"heldout_sequences\": " << heldout << ",\n  \"heldout_loss\": " << fmt(ev.loss)
    << ",\n  \"heldout_accuracy\": " << fmt(ev.accuracy) << ",\n  \"weights_fnv1a\": \"" << dig
    << "\",\n  \"seconds\": " << fmt(seconds) << "\n}\n";
  return o.str();
}

bool emit(const std::string& dir, const std::string& name, const std::vector<uint8_t>& gguf,
          const std::string& log) {
  return write_file(dir + "/" + name + ".gguf", gguf.data(), gguf.size()) &&
         write_file(dir + "/" + name + ".json", log.data(), log.size());
}

bool wanted(const std::vector<std::string>& names, const std::string& n) {
  if (names.empty()) return true;
  for (const std::string& x : names)
    if (x == n) return true;
  return false;
}

int train_toy(const ToyRecipe& r, const std::string& dir) {
  const auto t0 = std::chrono::steady_clock::now();
  Trainer t;
  const std::string e = Trainer::create(toy_config(r), r.task, toy_options(r), &t);
  if (!e.empty()) {
    std::fprintf(stderr, "%s: %s\n", r.name, e.c_str());
    return 1;
  }
  std::vector<Point> curve;
  for (int s = 0; s < r.steps; ++s) {
    const StepResult sr = t.step();
    if (s % 50 == 0 || s == r.steps - 1) curve.push_back({s, sr.loss, sr.accuracy});
  }
  const int heldout = 256;
  const Evaluation ev = t.evaluate(heldout);
  std::vector<std::string> labels;
  for (int id = 0; id < t.config().vocab; ++id) labels.push_back(token_label(r.task, id));
  std::vector<uint8_t> gguf;
  if (std::string x = export_gguf(t.config(), t.params(), labels, std::string("ap-") + r.name, &gguf);
      !x.empty()) {
    std::fprintf(stderr, "%s: %s\n", r.name, x.c_str());
    return 1;
  }
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const TrainOptions opt = toy_options(r);
  const std::string log = log_json(r.name, task_name(r.task.kind), t.config(), r.seed, r.steps, opt.batch,
                                   opt.schedule.lr, curve, heldout, ev, t.digest(), sec);
  std::printf("%-10s held-out accuracy %.4f loss %.4f  %zu bytes  %.1f s\n", r.name, ev.accuracy, ev.loss,
              gguf.size(), sec);
  return emit(dir, r.name, gguf, log) ? 0 : 1;
}

int train_language(const std::string& dir) {
  const auto t0 = std::chrono::steady_clock::now();
  const LanguageRecipe r;
  const Language lang;
  const GgufTokenizer tok = language_tokenizer(lang);
  const Config c = language_config(r, int(tok.tokens.size()));
  if (std::string e = validate(c); !e.empty()) {
    std::fprintf(stderr, "language: %s\n", e.c_str());
    return 1;
  }
  std::vector<float> params, grad;  // (layout size)
  init_params(c, r.seed, &params);
  grad.assign(params.size(), 0.0f);
  Network<float> net(c);
  AdamW hp;
  Optimizer optim(c, hp);
  Schedule sched;
  sched.lr = r.lr;
  sched.min_lr = r.min_lr;
  sched.warmup = r.warmup;
  sched.total_steps = r.steps;
  Acts<float> acts;
  Batch b;
  std::vector<Point> curve;
  // Every step's sentences: generate(seed, steps·batch) once (integer arithmetic: the same everywhere).
  const std::vector<Sentence> all = lang.generate(r.seed, r.steps * r.batch);
  for (int s = 0; s < r.steps; ++s) {
    const std::vector<Sentence> part(all.begin() + size_t(s) * r.batch,
                                     all.begin() + size_t(s + 1) * r.batch);
    language_batch(part, r.n_ctx, &b);
    if (std::string e =
            net.forward(params.data(), b.ids.data(), b.targets.data(), b.mask.data(), r.batch, &acts, true);
        !e.empty()) {
      std::fprintf(stderr, "language: %s\n", e.c_str());
      return 1;
    }
    std::fill(grad.begin(), grad.end(), 0.0f);
    net.backward(params.data(), acts, grad.data());
    optim.step(params.data(), grad.data(), learning_rate(sched, s));
    if (s % 50 == 0 || s == r.steps - 1)
      curve.push_back({s, acts.loss, acts.counted ? float(acts.correct) / float(acts.counted) : 0.0f});
  }
  const int heldout = 256;
  language_batch(lang.generate(r.seed + 1, heldout), r.n_ctx, &b);
  net.forward(params.data(), b.ids.data(), b.targets.data(), b.mask.data(), heldout, &acts, false);
  Evaluation ev;
  ev.loss = acts.loss;
  ev.counted = acts.counted;
  ev.accuracy = acts.counted ? float(acts.correct) / float(acts.counted) : 0.0f;
  std::vector<uint8_t> gguf;
  if (std::string x = export_gguf_with(c, params, tok, "ap-language", &gguf); !x.empty()) {
    std::fprintf(stderr, "language: %s\n", x.c_str());
    return 1;
  }
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string log = log_json(r.name, "language", c, r.seed, r.steps, r.batch, r.lr, curve, heldout, ev,
                                   fnv1a(params.data(), params.size()), sec);
  std::printf("%-10s held-out accuracy %.4f loss %.4f  %zu bytes  %.1f s\n", r.name, ev.accuracy, ev.loss,
              gguf.size(), sec);
  return emit(dir, r.name, gguf, log) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <out_dir> [copy|reverse|sort|induction|brackets|language …]\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const std::vector<std::string> names(argv + 2, argv + argc);
  int rc = 0;
  for (const ToyRecipe& r : toy_recipes())
    if (wanted(names, r.name)) rc |= train_toy(r, dir);
  if (wanted(names, "language")) rc |= train_language(dir);
  return rc;
}
