// Recognising attention heads from what they attend to, in the form of TransformerLens's head
// detector (transformer_lens/head_detector.py, its "mul" error measure): a head's attention A (n, n)
// on a probe sequence against a 0/1 template P (n, n) scores Σ(A ⊙ P) / ΣA, and a head's score is
// the mean over the probes.
//
// One difference, on purpose: the sums run over the scored rows only — the query positions where
// the template has at least one 1. TransformerLens sums over every row, so a perfect previous-token
// head scores (n−1)/n and a perfect induction head on a sequence repeated twice about 1/2 (its first
// half has nothing to copy); here both score 1, and a score reads as "the share of its attention a
// head gives, where the template has something to say, to what the template names". A probe with no
// scored row does not count in the mean; a template no probe scores gets NaN (never a name).
//
// Conventions: A and P row-major (n_query = n, n_key = n), causal (rows of A sum to 1 over keys
// 0 … i). Templates are lower triangular (P[i, j] = 0 for j > i).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace ap::model {
class Model;
}

namespace ap::analysis {

// The kinds of head recognised. The first four are built from the ids alone; the last two from a
// probe's annotations (the built-in language's sentences, train/language.h).
enum class HeadKind {
  PreviousToken,   // P[i, i−1] = 1, rows 1 … n−1
  DuplicateToken,  // P[i, j] = 1 where ids[j] = ids[i], j < i
  Induction,       // the duplicate template shifted one key right: P[i, j+1] = 1 where ids[j] = ids[i], j < i
  FirstToken,      // P[i, 0] = 1, rows 1 … n−1 (row 0 has no other choice): attention sinks
  Agreement,       // P[q, subject] = 1: the verb's query (q predicts the verb) on its subject's key
  Antecedent,      // P[q, noun] = 1: the pronoun's query (q predicts the pronoun) on the noun it refers to
};
inline constexpr int kHeadKinds = 6;
// "previous-token", "duplicate-token", "induction", "first-token", "agreement", "antecedent".
const char* head_kind_name(HeadKind kind);

// A (query, key) pair an annotation names, positions in the probe's ids.
struct Link {
  int query = 0, key = 0;
};

// One probe sequence: ids for the model, and for the language templates the annotated pairs.
struct Probe {
  std::vector<int32_t> ids;       // (n)
  std::vector<Link> agreement;    // (query for the verb, subject) pairs, each key ≤ query
  std::vector<Link> antecedents;  // (query for the pronoun, antecedent noun) pairs, each key ≤ query
};

// The template of `kind` for a probe, (n, n) 0/1 row-major (n = probe.ids.size()).
std::vector<float> head_template(HeadKind kind, const Probe& probe);

// Which cells of A the score leaves out, as TransformerLens's options do (their weight counts
// neither in Σ(A ⊙ P) nor in ΣA).
struct ScoreOptions {
  bool exclude_first = false;    // key 0 (TransformerLens's exclude_bos)
  bool exclude_current = false;  // the diagonal (exclude_current_token)
};

// The score of one attention map (n, n) against one template (n, n): Σ(A ⊙ P) / ΣA over the scored
// rows. NaN when no row is scored (or every scored row's weight is excluded). Sizes must agree.
double template_score(const float* attention, const float* pattern, int n, const ScoreOptions& opt = {});

// The thresholds a score must reach for a head to be named. 0.5: more than half of the head's
// attention, where the template has something to say, goes where it says (uniform attention over
// 32 positions scores about 0.1 on the positional templates).
struct Thresholds {
  std::array<double, kHeadKinds> at = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5};  // indexed by HeadKind
};

// Every head's scores and the kinds whose score passes the threshold.
struct HeadReport {
  int layer = 0, head = 0;
  std::array<double, kHeadKinds> score{};  // indexed by HeadKind; NaN when no probe scores it
  std::array<int, kHeadKinds> probes{};    // how many probes each score is the mean of
  std::vector<HeadKind> names;             // the kinds whose score ≥ threshold, in HeadKind order
};

// Scores of every (layer, head) of `model` over `probes` (each run as its own forward; ids within the
// model's vocabulary, 2 … n_ctx long). out: n_layer · n_head reports, layer-major. "" or a message
// (a bad probe names its index; nothing is written to *out then).
std::string detect_heads(const ap::model::Model& model, const std::vector<Probe>& probes,
                         std::vector<HeadReport>* out, const Thresholds& thresholds = {},
                         const ScoreOptions& opt = {});

}  // namespace ap::analysis
