// Head scores for attention computed by any forward, not only the model runtime's: the training
// network's (src/bindings/train_bindings.cpp scores the heads of the model being trained). The
// same score as heads.h's detect_heads — template_score() of each map against a 0/1 template,
// Σ(A ⊙ P) / ΣA over the rows the template marks, averaged over the probes that score it — over a
// list of named patterns, each with its own probes and threshold. Besides heads.h's templates
// (kind_pattern) a toy task's answer defines its own: reverse's mirror (mirror_template).
#pragma once

#include <string>
#include <vector>

#include "analysis/heads.h"

namespace ap::analysis {

// The anti-diagonal of an n-position probe from row `first` on: P[i, n−1−i] = 1 for first ≤ i < n
// where n−1−i ≤ i (causal). On reverse's inputs x_1 … x_k SEP x_k … x_2 (n = 2k, first = k, the
// SEP) each answer query's key is the symbol it must write next. (n, n) row-major.
std::vector<float> mirror_template(int n, int first);

// A pattern to name heads by: its name, the score that names a head, and its template on each probe
// it is scored on (templates[p] (n_p, n_p), or empty where the pattern does not score probe p).
struct Pattern {
  std::string name;
  double threshold = 0.5;
  std::vector<std::vector<float>> templates;  // (probes) each (n_p, n_p) or empty
};

// heads.h's template of `kind` on every probe (head_template), named by head_kind_name.
Pattern kind_pattern(HeadKind kind, const std::vector<Probe>& probes, double threshold);

// One head's scores, indexed like the patterns.
struct PatternReport {
  int layer = 0, head = 0;
  std::vector<double> score;  // (patterns) mean over the probes that score it; NaN when none does
  std::vector<int> probes;    // (patterns) how many probes each score is the mean of
  std::vector<int> names;     // indices of the patterns whose score ≥ threshold, in order
};

// Every head's score on every pattern. maps[p]: (n_layer, n_head, n_p, n_p) probe p's attention,
// rows queries, each row a softmax over the keys; n_p from the probes' ids. out: n_layer · n_head
// reports, layer-major. "" or what does not fit (nothing is written to *out then).
std::string score_patterns(int n_layer, int n_head, const std::vector<Probe>& probes,
                           const std::vector<std::vector<float>>& maps, const std::vector<Pattern>& patterns,
                           std::vector<PatternReport>* out, const ScoreOptions& opt = {});

}  // namespace ap::analysis
