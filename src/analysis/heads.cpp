#include "analysis/heads.h"

#include <cmath>
#include <limits>

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

  const int heads = c.n_layer * c.n_head;
  std::vector<std::array<double, kHeadKinds>> sum(static_cast<size_t>(heads),
                                                  std::array<double, kHeadKinds>{});
  std::vector<HeadReport> reports(static_cast<size_t>(heads));
  std::vector<float> attention;  // (n, n) one head's weights
  for (const Probe& p : probes) {
    const int n = static_cast<int>(p.ids.size());
    std::vector<std::vector<float>> patterns(kHeadKinds);  // [kind] (n, n)
    for (int k = 0; k < kHeadKinds; ++k) patterns[size_t(k)] = head_template(HeadKind(k), p);
    ap::model::Forward f;
    if (std::string e = model.forward(p.ids.data(), n, &f, true); !e.empty()) return e;
    for (int layer = 0; layer < c.n_layer; ++layer) {
      for (int head = 0; head < c.n_head; ++head) {
        if (std::string e = model.attention(f, layer, head, &attention); !e.empty()) return e;
        const size_t r = size_t(layer) * c.n_head + head;
        for (int k = 0; k < kHeadKinds; ++k) {
          double hit, total;
          if (!sums(attention.data(), patterns[size_t(k)].data(), n, opt, &hit, &total) || total == 0.0)
            continue;
          sum[r][size_t(k)] += hit / total;
          reports[r].probes[size_t(k)] += 1;
        }
      }
    }
  }
  for (int layer = 0; layer < c.n_layer; ++layer) {
    for (int head = 0; head < c.n_head; ++head) {
      HeadReport& h = reports[size_t(layer) * c.n_head + head];
      h.layer = layer, h.head = head;
      for (int k = 0; k < kHeadKinds; ++k) {
        const int count = h.probes[size_t(k)];
        const double s = count ? sum[size_t(layer) * c.n_head + head][size_t(k)] / count
                               : std::numeric_limits<double>::quiet_NaN();
        h.score[size_t(k)] = s;
        if (s >= thresholds.at[size_t(k)]) h.names.push_back(HeadKind(k));  // false for NaN
      }
    }
  }
  *out = std::move(reports);
  return "";
}

}  // namespace ap::analysis
