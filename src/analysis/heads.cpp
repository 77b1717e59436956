#include "analysis/heads.h"

#include <cmath>
#include <limits>

#include "analysis/pattern_scores.h"
#include "model/model.h"

namespace ap::analysis {

const char* head_kind_name(HeadKind kind) {
  switch (kind) {
    case HeadKind::PreviousToken:
      return "previous-token";
    case HeadKind::DuplicateToken:
      return "duplicate-token";
    case HeadKind::Induction:
      return "induction";
    case HeadKind::FirstToken:
      return "first-token";
    case HeadKind::Agreement:
      return "agreement";
    case HeadKind::Antecedent:
      return "antecedent";
  }
  return "?";
}

std::vector<float> head_template(HeadKind kind, const Probe& probe) {
  const int n = static_cast<int>(probe.ids.size());
  std::vector<float> p(size_t(n) * size_t(n), 0.0f);  // (n_query, n_key)
  auto set = [&](int i, int j) {
    if (i >= 0 && i < n && j >= 0 && j <= i) p[size_t(i) * n + j] = 1.0f;
  };
  switch (kind) {
    case HeadKind::PreviousToken:
      for (int i = 1; i < n; ++i) set(i, i - 1);
      break;
    case HeadKind::DuplicateToken:
    case HeadKind::Induction: {
      const int shift = kind == HeadKind::Induction ? 1 : 0;
      for (int i = 1; i < n; ++i)
        for (int j = 0; j < i; ++j)
          if (probe.ids[size_t(j)] == probe.ids[size_t(i)]) set(i, j + shift);
      break;
    }
    case HeadKind::FirstToken:
      for (int i = 1; i < n; ++i) set(i, 0);
      break;
    case HeadKind::Agreement:
      for (const Link& l : probe.agreement) set(l.query, l.key);
      break;
    case HeadKind::Antecedent:
      for (const Link& l : probe.antecedents) set(l.query, l.key);
      break;
  }
  return p;
}

namespace {

// Σ(A ⊙ P) and ΣA over the scored rows; false when no row is scored.
bool sums(const float* a, const float* p, int n, const ScoreOptions& opt, double* hit, double* total) {
  bool scored = false;
  *hit = 0, *total = 0;
  for (int i = 0; i < n; ++i) {
    const float* pr = p + size_t(i) * n;
    bool row = false;
    for (int j = 0; j < n; ++j) row = row || pr[j] != 0.0f;
    if (!row) continue;
    scored = true;
    const float* ar = a + size_t(i) * n;
    for (int j = 0; j < n; ++j) {
      if ((opt.exclude_first && j == 0) || (opt.exclude_current && j == i)) continue;
      *hit += double(ar[j]) * pr[j];
      *total += ar[j];
    }
  }
  return scored;
}

}  // namespace

double template_score(const float* attention, const float* pattern, int n, const ScoreOptions& opt) {
  double hit, total;
  if (!sums(attention, pattern, n, opt, &hit, &total) || total == 0.0)
    return std::numeric_limits<double>::quiet_NaN();
  return hit / total;
}

namespace {

std::string check_links(const std::vector<Link>& links, int n, const char* what, size_t probe) {
  for (const Link& l : links)
    if (l.query < 0 || l.query >= n || l.key < 0 || l.key > l.query)
      return "probe " + std::to_string(probe) + ": the " + what + " pair (query " + std::to_string(l.query) +
             ", key " + std::to_string(l.key) + ") is not a key at or before its query within the " +
             std::to_string(n) + " positions";
  return "";
}

}  // namespace

std::string detect_heads(const ap::model::Model& model, const std::vector<Probe>& probes,
                         std::vector<HeadReport>* out, const Thresholds& thresholds,
                         const ScoreOptions& opt) {
  const auto& c = model.config();
  if (probes.empty()) return "no probes to score the heads on";
  for (size_t k = 0; k < probes.size(); ++k) {
    const Probe& p = probes[k];
    const int n = static_cast<int>(p.ids.size());
    if (n < 2 || n > c.n_ctx)
      return "probe " + std::to_string(k) + " has " + std::to_string(n) + " tokens; it needs 2 … " +
             std::to_string(c.n_ctx) + " (the context length)";
    if (std::string e = model.check_ids(p.ids.data(), n); !e.empty())
      return "probe " + std::to_string(k) + ": " + e;
    if (std::string e = check_links(p.agreement, n, "agreement", k); !e.empty()) return e;
    if (std::string e = check_links(p.antecedents, n, "antecedent", k); !e.empty()) return e;
  }

  // Every probe's maps, then pattern_scores' mean over the probes with the detector's templates.
  std::vector<std::vector<float>> maps(probes.size());  // [probe] (n_layer · n_head, n, n)
  std::vector<float> attention;                         // (n, n) one head's weights
  for (size_t k = 0; k < probes.size(); ++k) {
    const Probe& p = probes[k];
    const int n = static_cast<int>(p.ids.size());
    ap::model::Forward f;
    if (std::string e = model.forward(p.ids.data(), n, &f, true); !e.empty()) return e;
    maps[k].reserve(size_t(c.n_layer) * c.n_head * n * n);
    for (int layer = 0; layer < c.n_layer; ++layer)
      for (int head = 0; head < c.n_head; ++head) {
        if (std::string e = model.attention(f, layer, head, &attention); !e.empty()) return e;
        maps[k].insert(maps[k].end(), attention.begin(), attention.end());
      }
  }
  std::vector<Pattern> patterns;  // [HeadKind]
  for (int k = 0; k < kHeadKinds; ++k)
    patterns.push_back(kind_pattern(HeadKind(k), probes, thresholds.at[size_t(k)]));
  std::vector<PatternReport> scored;
  if (std::string e = score_patterns(c.n_layer, c.n_head, probes, maps, patterns, &scored, opt); !e.empty())
    return e;
  std::vector<HeadReport> reports(scored.size());
  for (size_t r = 0; r < scored.size(); ++r) {
    HeadReport& h = reports[r];
    h.layer = scored[r].layer, h.head = scored[r].head;
    for (int k = 0; k < kHeadKinds; ++k) {
      h.score[size_t(k)] = scored[r].score[size_t(k)];
      h.probes[size_t(k)] = scored[r].probes[size_t(k)];
    }
    for (int k : scored[r].names) h.names.push_back(HeadKind(k));  // in HeadKind order
  }
  *out = std::move(reports);
  return "";
}

}  // namespace ap::analysis
