#include "train/tasks.h"

#include <algorithm>

namespace ap::train {

namespace {
constexpr int kOpen0 = 0, kClose0 = 3, kQuery = 6;  // brackets: ( [ { = 0 1 2, ) ] } = 3 4 5, ? = 6
}

const char* task_name(TaskKind k) {
  switch (k) {
    case TaskKind::Copy:
      return "copy";
    case TaskKind::Reverse:
      return "reverse";
    case TaskKind::Sort:
      return "sort";
    case TaskKind::Induction:
      return "induction";
    case TaskKind::Brackets:
      return "brackets";
  }
  return "?";
}

std::string validate(const TaskSpec& s) {
  if (s.length < 2 || s.length > 64) return "length must be in 2 … 64, not " + std::to_string(s.length);
  if (s.kind == TaskKind::Brackets) {
    if (s.max_depth < 1 || s.max_depth > s.length)
      return "max_depth must be in 1 … length, not " + std::to_string(s.max_depth);
    return "";
  }
  if (s.symbols < 2 || s.symbols > 256) return "symbols must be in 2 … 256, not " + std::to_string(s.symbols);
  if (s.kind == TaskKind::Induction && s.symbols < s.length)
    return "induction needs at least as many symbols as its length (distinct symbols)";
  return "";
}

int task_vocab(const TaskSpec& s) { return s.kind == TaskKind::Brackets ? 7 : s.symbols + 1; }

int task_context(const TaskSpec& s) {
  switch (s.kind) {
    case TaskKind::Induction:
      return 2 * s.length - 1;
    case TaskKind::Brackets:
      return 3 * s.length - 1;
    default:
      return 2 * s.length;
  }
}

std::string token_label(const TaskSpec& s, int id) {
  if (s.kind == TaskKind::Brackets) {
    static const char* const names[] = {"(", "[", "{", ")", "]", "}", "?"};
    return id >= 0 && id < 7 ? names[id] : "<bad>";
  }
  if (id == s.symbols) return "SEP";
  if (id < 0 || id > s.symbols) return "<bad>";
  if (id < 26) return std::string(1, char('a' + id));
  return "s" + std::to_string(id);
}

void generate_sequence(const TaskSpec& s, Rng* rng, std::vector<int>* seq, std::vector<float>* mask) {
  const int n = s.length, t = task_context(s);
  seq->assign(size_t(t) + 1, 0);
  mask->assign(size_t(t), 0.0f);
  std::vector<int>& q = *seq;
  switch (s.kind) {
    case TaskKind::Copy:
    case TaskKind::Reverse:
    case TaskKind::Sort: {
      for (int i = 0; i < n; ++i) q[size_t(i)] = rng->below(s.symbols);
      q[size_t(n)] = s.symbols;  // SEP
      std::vector<int> ans(q.begin(), q.begin() + n);
      if (s.kind == TaskKind::Reverse) std::reverse(ans.begin(), ans.end());
      if (s.kind == TaskKind::Sort) std::sort(ans.begin(), ans.end());
      for (int i = 0; i < n; ++i) q[size_t(n + 1 + i)] = ans[size_t(i)];
      for (int i = n; i < t; ++i) (*mask)[size_t(i)] = 1.0f;  // inputs SEP … predict the answer
      break;
    }
    case TaskKind::Induction: {
      // m distinct symbols (a partial Fisher–Yates shuffle of 0 … symbols−1), m in ⌈n/2⌉ … n.
      const int m = n - rng->below(n / 2 + 1);
      std::vector<int> pool(size_t(s.symbols));
      for (int i = 0; i < s.symbols; ++i) pool[size_t(i)] = i;
      for (int i = 0; i < m; ++i) std::swap(pool[size_t(i)], pool[size_t(i + rng->below(s.symbols - i))]);
      for (int i = 0; i < m; ++i) q[size_t(i)] = q[size_t(m + i)] = pool[size_t(i)];
      for (int i = 2 * m; i <= t; ++i) q[size_t(i)] = rng->below(s.symbols);  // filler, not predicted
      for (int i = m; i < 2 * m - 1; ++i)
        (*mask)[size_t(i)] = 1.0f;  // input r_k of the repeat predicts r_{k+1}
      break;
    }
    case TaskKind::Brackets: {
      std::vector<int> stack;
      int opened = 0, at = 0;
      while (at < 3 * n) {
        const int depth = int(stack.size());
        const bool must_open = depth == 0, must_close = depth == s.max_depth || opened == n;
        const bool open = must_open || (!must_close && rng->below(2) == 0);
        if (open) {
          const int kind = rng->below(3);
          stack.push_back(kind);
          q[size_t(at++)] = kOpen0 + kind;
          ++opened;
        } else {
          (*mask)[size_t(at)] = 1.0f;  // the input "?" predicts the closing bracket
          q[size_t(at++)] = kQuery;
          q[size_t(at++)] = kClose0 + stack.back();
          stack.pop_back();
        }
      }
      break;
    }
  }
}

void TaskStream::next(int batch, Batch* out) {
  const int t = task_context(spec_);
  out->batch = batch;
  out->n_ctx = t;
  out->ids.resize(size_t(batch) * t);
  out->targets.resize(size_t(batch) * t);
  out->mask.resize(size_t(batch) * t);
  std::vector<int> seq;
  std::vector<float> mask;
  for (int b = 0; b < batch; ++b) {
    generate_sequence(spec_, &rng_, &seq, &mask);
    for (int i = 0; i < t; ++i) {
      out->ids[size_t(b) * t + i] = seq[size_t(i)];
      out->targets[size_t(b) * t + i] = seq[size_t(i) + 1];
      out->mask[size_t(b) * t + i] = mask[size_t(i)];
    }
  }
}

}  // namespace ap::train
