#include "analysis/pattern_scores.h"

#include <cmath>
#include <limits>

namespace ap::analysis {

std::vector<float> mirror_template(int n, int first) {
  std::vector<float> p(size_t(n > 0 ? n : 0) * size_t(n > 0 ? n : 0), 0.0f);  // (n_query, n_key)
  for (int i = first < 0 ? 0 : first; i < n; ++i)
    if (n - 1 - i <= i) p[size_t(i) * n + size_t(n - 1 - i)] = 1.0f;
  return p;
}

Pattern kind_pattern(HeadKind kind, const std::vector<Probe>& probes, double threshold) {
  Pattern out;
  out.name = head_kind_name(kind);
  out.threshold = threshold;
  for (const Probe& p : probes) out.templates.push_back(head_template(kind, p));
  return out;
}

std::string score_patterns(int n_layer, int n_head, const std::vector<Probe>& probes,
                           const std::vector<std::vector<float>>& maps, const std::vector<Pattern>& patterns,
                           std::vector<PatternReport>* out, const ScoreOptions& opt) {
  if (n_layer < 1 || n_head < 1) return "a model has at least one layer and one head";
  if (maps.size() != probes.size())
    return std::to_string(maps.size()) + " attention maps for " + std::to_string(probes.size()) + " probes";
  const size_t heads = size_t(n_layer) * size_t(n_head);
  for (size_t p = 0; p < probes.size(); ++p) {
    const size_t n = probes[p].ids.size();
    if (maps[p].size() != heads * n * n)
      return "probe " + std::to_string(p) + ": its maps hold " + std::to_string(maps[p].size()) +
             " weights, not layers · heads · n · n = " + std::to_string(heads * n * n);
  }
  for (const Pattern& pattern : patterns) {
    if (pattern.templates.size() != probes.size())
      return "pattern " + pattern.name + " has " + std::to_string(pattern.templates.size()) +
             " templates for " + std::to_string(probes.size()) + " probes";
    for (size_t p = 0; p < probes.size(); ++p) {
      const size_t n = probes[p].ids.size();
      if (!pattern.templates[p].empty() && pattern.templates[p].size() != n * n)
        return "pattern " + pattern.name + ": its template of probe " + std::to_string(p) + " is not " +
               std::to_string(n) + " × " + std::to_string(n);
    }
  }

  const size_t kinds = patterns.size();
  std::vector<PatternReport> reports(heads);
  std::vector<double> sum(heads * kinds, 0.0);  // (heads, patterns) Σ over the scoring probes
  for (size_t r = 0; r < heads; ++r) {
    reports[r].layer = int(r) / n_head;
    reports[r].head = int(r) % n_head;
    reports[r].probes.assign(kinds, 0);
  }
  for (size_t p = 0; p < probes.size(); ++p) {
    const int n = static_cast<int>(probes[p].ids.size());
    for (size_t r = 0; r < heads; ++r) {
      const float* a = maps[p].data() + r * size_t(n) * size_t(n);  // (n, n) this head on probe p
      for (size_t k = 0; k < kinds; ++k) {
        const std::vector<float>& t = patterns[k].templates[p];
        if (t.empty()) continue;
        // As detect_heads: a probe with no scored row (or no weight on them) is left out of the mean.
        const double s = template_score(a, t.data(), n, opt);
        if (std::isnan(s)) continue;
        sum[r * kinds + k] += s;
        reports[r].probes[k] += 1;
      }
    }
  }
  for (size_t r = 0; r < heads; ++r) {
    PatternReport& h = reports[r];
    h.score.resize(kinds);
    for (size_t k = 0; k < kinds; ++k) {
      h.score[k] = h.probes[k] ? sum[r * kinds + k] / h.probes[k] : std::numeric_limits<double>::quiet_NaN();
      if (h.score[k] >= patterns[k].threshold) h.names.push_back(int(k));  // false for NaN
    }
  }
  *out = std::move(reports);
  return "";
}

}  // namespace ap::analysis
