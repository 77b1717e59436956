// Head scores over named patterns (analysis/pattern_scores.h): the mirror template's cells, scores
// of hand-made maps whose values are known (one probe, two probes, a pattern that skips a probe),
// agreement with template_score, and sizes that do not fit get a message.
#include "analysis/pattern_scores.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

namespace {

using ap::analysis::HeadKind;
using ap::analysis::Pattern;
using ap::analysis::PatternReport;
using ap::analysis::Probe;

Probe probe_of(std::vector<int32_t> ids) {
  Probe p;
  p.ids = std::move(ids);
  return p;
}

// Causal uniform attention (n, n): row i spreads 1/(i+1) over keys 0 … i.
std::vector<float> uniform(int n) {
  std::vector<float> a(size_t(n) * n, 0.0f);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j <= i; ++j) a[size_t(i) * n + j] = 1.0f / float(i + 1);
  return a;
}

}  // namespace

TEST_CASE("pattern scores: the mirror template is the anti-diagonal of the answer rows",
          "[analysis][patterns]") {
  const int n = 6;
  const std::vector<float> p = ap::analysis::mirror_template(n, 3);  // (6, 6)
  REQUIRE(p.size() == 36);
  int ones = 0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      const bool want = i >= 3 && j == n - 1 - i;
      CHECK(p[size_t(i) * n + j] == (want ? 1.0f : 0.0f));
      ones += p[size_t(i) * n + j] == 1.0f;
    }
  CHECK(ones == 3);
  // From row 0: only the causal half (keys at or before the query) is marked.
  const std::vector<float> all = ap::analysis::mirror_template(4, 0);
  CHECK(all[size_t(0) * 4 + 3] == 0.0f);
  CHECK(all[size_t(2) * 4 + 1] == 1.0f);
  CHECK(all[size_t(3) * 4 + 0] == 1.0f);
}

TEST_CASE("pattern scores: known maps score what they should and name by threshold", "[analysis][patterns]") {
  // Two heads on two probes of 6 positions: head 0 attends exactly on the mirror in the answer rows
  // (uniform elsewhere), head 1 is uniform everywhere.
  const int n = 6;
  const std::vector<Probe> probes = {probe_of({0, 1, 2, 3, 2, 1}), probe_of({4, 5, 0, 3, 0, 5})};
  std::vector<std::vector<float>> maps;
  for (size_t p = 0; p < probes.size(); ++p) {
    std::vector<float> m = uniform(n), mirror = uniform(n);  // (n, n) each
    for (int i = 3; i < n; ++i) {
      for (int j = 0; j < n; ++j) mirror[size_t(i) * n + j] = 0.0f;
      mirror[size_t(i) * n + (n - 1 - i)] = 1.0f;
    }
    mirror.insert(mirror.end(), m.begin(), m.end());  // (2 heads, n, n)
    maps.push_back(mirror);
  }
  Pattern mirror{"mirror", 0.5, {ap::analysis::mirror_template(n, 3), ap::analysis::mirror_template(n, 3)}};
  Pattern previous = ap::analysis::kind_pattern(HeadKind::PreviousToken, probes, 0.5);
  Pattern first_only{"first probe only", 0.1, {ap::analysis::mirror_template(n, 3), {}}};
  std::vector<PatternReport> out;
  REQUIRE(ap::analysis::score_patterns(1, 2, probes, maps, {mirror, previous, first_only}, &out).empty());
  REQUIRE(out.size() == 2);
  CHECK(out[1].layer == 0);
  CHECK(out[1].head == 1);
  CHECK(out[0].score[0] == Approx(1.0));
  CHECK(out[0].probes[0] == 2);
  // Uniform rows 3, 4, 5 give the mirrored key 1/4, 1/5, 1/6: the mean of the three.
  const double uniform_mirror = (1.0 / 4 + 1.0 / 5 + 1.0 / 6) / 3;
  CHECK(out[1].score[0] == Approx(uniform_mirror));
  CHECK(out[0].names == std::vector<int>{0, 2});
  CHECK(out[1].names == std::vector<int>{2});  // uniform scores ≈ 0.2 ≥ 0.1 on the last pattern
  CHECK(out[1].probes[2] == 1);
  // The previous-token score is heads.h's template_score, averaged over the two probes.
  for (int h = 0; h < 2; ++h) {
    double want = 0;
    for (size_t p = 0; p < 2; ++p)
      want +=
          ap::analysis::template_score(maps[p].data() + size_t(h) * n * n, previous.templates[p].data(), n);
    CHECK(out[size_t(h)].score[1] == Approx(want / 2));
  }
}

TEST_CASE("pattern scores: a pattern no probe scores is NaN and names no head", "[analysis][patterns]") {
  const std::vector<Probe> probes = {probe_of({0, 1, 2})};
  const std::vector<std::vector<float>> maps = {uniform(3)};
  std::vector<PatternReport> out;
  REQUIRE(ap::analysis::score_patterns(1, 1, probes, maps, {Pattern{"none", 0.0, {{}}}}, &out).empty());
  CHECK(std::isnan(out[0].score[0]));
  CHECK(out[0].probes[0] == 0);
  CHECK(out[0].names.empty());
}

TEST_CASE("pattern scores: sizes that do not fit get a message and leave out as it was",
          "[analysis][patterns]") {
  const std::vector<Probe> probes = {probe_of({0, 1, 2})};
  std::vector<PatternReport> out(7);
  const Pattern ok{"mirror", 0.5, {ap::analysis::mirror_template(3, 1)}};
  CHECK(ap::analysis::score_patterns(1, 2, probes, {uniform(3)}, {ok}, &out).find("not layers · heads") !=
        std::string::npos);
  CHECK(ap::analysis::score_patterns(1, 1, probes, {}, {ok}, &out).find("0 attention maps for 1") !=
        std::string::npos);
  CHECK(ap::analysis::score_patterns(1, 1, probes, {uniform(3)}, {Pattern{"x", 0.5, {}}}, &out)
            .find("0 templates for 1 probes") != std::string::npos);
  CHECK(ap::analysis::score_patterns(1, 1, probes, {uniform(3)}, {Pattern{"x", 0.5, {uniform(2)}}}, &out)
            .find("is not 3 × 3") != std::string::npos);
  CHECK(ap::analysis::score_patterns(0, 1, probes, {uniform(3)}, {ok}, &out).find("at least one layer") !=
        std::string::npos);
  CHECK(out.size() == 7);
}
