// Toy tasks generated in the core, each a generator of (input ids, target ids, loss mask) from a
// seed. A sequence s of n_ctx + 1 tokens gives inputs s[0 … n_ctx) and next-token targets
// s[1 … n_ctx]; the mask is 1 only where the target is determined by what came before.
//
//   copy       x_1 … x_n SEP x_1 … x_n          n symbols drawn with repeats
//   reverse    x_1 … x_n SEP x_n … x_1
//   sort       x_1 … x_n SEP sorted(x)          ascending, repeats kept
//   induction  r_1 … r_m r_1 … r_m y …          r: m distinct symbols, m drawn in ⌈n/2⌉ … n for each
//                                               sequence, then random symbols y to the end; the mask
//                                               covers r_2 … r_m of the repeat (r_1's return cannot be
//                                               foreseen). m varies so that the repeat is found by
//                                               its content: at a fixed m a head could look m back.
//   brackets   a balanced string of n pairs over three kinds ( [ {, depth at most max_depth, each
//              closing bracket preceded by the query token "?": the target after "?" is the
//              bracket that closes the innermost open one (the mask covers exactly those)
// Vocabulary: symbols 0 … symbols−1 and SEP = symbols; brackets: ( [ { ) ] } ? = 0 … 6.
// Held-out sequences come from another stream of the same seed (Split::HeldOut).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "train/rng.h"

namespace ap::train {

enum class TaskKind { Copy, Reverse, Sort, Induction, Brackets };
enum class Split { Train, HeldOut };

struct TaskSpec {
  TaskKind kind = TaskKind::Copy;
  int length = 6;     // n: items (or bracket pairs)
  int symbols = 8;    // alphabet size (not brackets)
  int max_depth = 3;  // brackets only
};

const char* task_name(TaskKind k);
// "" when the spec can generate sequences, else what is wrong.
std::string validate(const TaskSpec& s);
int task_vocab(const TaskSpec& s);
int task_context(const TaskSpec& s);  // n_ctx of a model trained on it
// A label for token id ("a" … for symbols, "SEP", brackets as themselves).
std::string token_label(const TaskSpec& s, int id);

// B sequences of n_ctx positions: ids, targets (B·n_ctx), mask (B·n_ctx).
struct Batch {
  int batch = 0, n_ctx = 0;
  std::vector<int> ids, targets;
  std::vector<float> mask;
};

// The whole sequence s (n_ctx + 1 tokens) and its mask (n_ctx), from rng.
void generate_sequence(const TaskSpec& s, Rng* rng, std::vector<int>* seq, std::vector<float>* mask);

// A stream of batches: Split::Train and Split::HeldOut of one seed never share a generator.
class TaskStream {
 public:
  TaskStream(const TaskSpec& spec, uint64_t seed, Split split)
      : spec_(spec), rng_(seed, split == Split::Train ? 0 : 1) {}
  void next(int batch, Batch* out);

 private:
  TaskSpec spec_;
  Rng rng_;
};

}  // namespace ap::train
