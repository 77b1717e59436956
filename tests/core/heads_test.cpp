// Recognising heads (analysis/heads.h, analysis/probes.h): each template's cells, the score on
// hand-made attention maps whose scores are known, the probes, and a model whose weights make one
// head previous-token and another first-token, which detect_heads must name (and the rest not).
#include "analysis/heads.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "analysis/probes.h"
#include "formats/gguf_writer.h"
#include "model/model.h"
#include "test_buffers.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer_fixtures.h"
#include "train/builtin.h"
#include "train/language.h"

namespace {

using ap::analysis::HeadKind;
using ap::analysis::Probe;

Probe probe_of(std::vector<int32_t> ids) {
  Probe p;
  p.ids = std::move(ids);
  return p;
}

// Cells (i, j) where the template is 1.
std::set<std::pair<int, int>> ones(const std::vector<float>& p, int n) {
  std::set<std::pair<int, int>> out;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      if (p[size_t(i) * n + j] == 1.0f)
        out.insert({i, j});
      else
        REQUIRE(p[size_t(i) * n + j] == 0.0f);
  return out;
}

// A causal map (n, n) whose row i puts all its weight on key target(i) (≤ i).
template <class F>
std::vector<float> one_hot_map(int n, F target) {
  std::vector<float> a(size_t(n) * n, 0.0f);
  for (int i = 0; i < n; ++i) a[size_t(i) * n + target(i)] = 1.0f;
  return a;
}

// Uniform causal attention: row i gives 1/(i+1) to each key 0 … i.
std::vector<float> uniform_map(int n) {
  std::vector<float> a(size_t(n) * n, 0.0f);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j <= i; ++j) a[size_t(i) * n + j] = 1.0f / float(i + 1);
  return a;
}

double score(HeadKind kind, const Probe& p, const std::vector<float>& a,
             ap::analysis::ScoreOptions opt = {}) {
  const auto t = ap::analysis::head_template(kind, p);
  return ap::analysis::template_score(a.data(), t.data(), int(p.ids.size()), opt);
}

}  // namespace

TEST_CASE("heads: each template marks the cells it is defined by", "[analysis][heads]") {
  Probe p = probe_of({9, 5, 7, 5, 7, 5});
  p.agreement = {{4, 1}};
  p.antecedents = {{5, 2}, {3, 0}};
  const int n = 6;
  using S = std::set<std::pair<int, int>>;
  CHECK(ones(head_template(HeadKind::PreviousToken, p), n) == S{{1, 0}, {2, 1}, {3, 2}, {4, 3}, {5, 4}});
  CHECK(ones(head_template(HeadKind::FirstToken, p), n) == S{{1, 0}, {2, 0}, {3, 0}, {4, 0}, {5, 0}});
  // ids[3] = ids[1] = 5, ids[4] = ids[2] = 7, ids[5] = ids[3] = ids[1] = 5
  CHECK(ones(head_template(HeadKind::DuplicateToken, p), n) == S{{3, 1}, {4, 2}, {5, 1}, {5, 3}});
  // shifted one key right: what followed each earlier occurrence
  CHECK(ones(head_template(HeadKind::Induction, p), n) == S{{3, 2}, {4, 3}, {5, 2}, {5, 4}});
  CHECK(ones(head_template(HeadKind::Agreement, p), n) == S{{4, 1}});
  CHECK(ones(head_template(HeadKind::Antecedent, p), n) == S{{5, 2}, {3, 0}});
  // A token repeated at once: the induction cell lands on the query itself (lower triangular still).
  CHECK(ones(head_template(HeadKind::Induction, probe_of({4, 4})), 2) == S{{1, 1}});
}

TEST_CASE("heads: a map that is exactly a template scores 1, the others what they should",
          "[analysis][heads]") {
  const int half = 7, n = 1 + 2 * half;
  std::vector<int32_t> ids = {0};
  for (int r = 0; r < 2; ++r)
    for (int k = 0; k < half; ++k) ids.push_back(10 + k);
  const Probe p = probe_of(ids);

  const auto previous = one_hot_map(n, [](int i) { return i > 0 ? i - 1 : 0; });
  CHECK(score(HeadKind::PreviousToken, p, previous) == 1.0);
  CHECK(score(HeadKind::FirstToken, p, previous) == Approx(1.0 / (n - 1)));  // only row 1's key is 0
  CHECK(score(HeadKind::DuplicateToken, p, previous) == 0.0);
  CHECK(score(HeadKind::Induction, p, previous) == 0.0);

  // Second-half query at i (= i − half earlier occurrence j) looks at j + 1: an induction head.
  const auto induction = one_hot_map(n, [&](int i) { return i > half ? i - half + 1 : i; });
  CHECK(score(HeadKind::Induction, p, induction) == 1.0);
  CHECK(score(HeadKind::DuplicateToken, p, induction) == 0.0);
  const auto duplicate = one_hot_map(n, [&](int i) { return i > half ? i - half : i; });
  CHECK(score(HeadKind::DuplicateToken, p, duplicate) == 1.0);
  CHECK(score(HeadKind::Induction, p, duplicate) == 0.0);
  const auto sink = one_hot_map(n, [](int) { return 0; });
  CHECK(score(HeadKind::FirstToken, p, sink) == 1.0);
  CHECK(score(HeadKind::PreviousToken, p, sink) == Approx(1.0 / (n - 1)));

  // Uniform attention: row i gives 1/(i+1) to each key, so every one-cell-per-row template scores
  // the mean of 1/(i+1) over its rows; duplicate and induction rows are i = half+1 … n−1.
  const auto uniform = uniform_map(n);
  double all = 0, second = 0;
  for (int i = 1; i < n; ++i) all += 1.0 / (i + 1);
  for (int i = half + 1; i < n; ++i) second += 1.0 / (i + 1);
  CHECK(score(HeadKind::PreviousToken, p, uniform) == Approx(all / (n - 1)));
  CHECK(score(HeadKind::FirstToken, p, uniform) == Approx(all / (n - 1)));
  CHECK(score(HeadKind::DuplicateToken, p, uniform) == Approx(second / (n - half - 1)));
  CHECK(score(HeadKind::Induction, p, uniform) == Approx(second / (n - half - 1)));
  CHECK(score(HeadKind::PreviousToken, p, uniform) < 0.25);
}

TEST_CASE("heads: half the weight on the template scores one half; the exclusions", "[analysis][heads]") {
  const int n = 5;
  const Probe p = probe_of({1, 2, 3, 4, 5});
  // Rows 1 … 4: half on the previous key, half on the current one.
  std::vector<float> a(size_t(n) * n, 0.0f);
  a[0] = 1.0f;
  for (int i = 1; i < n; ++i) a[size_t(i) * n + i - 1] = a[size_t(i) * n + i] = 0.5f;
  CHECK(score(HeadKind::PreviousToken, p, a) == Approx(0.5));
  ap::analysis::ScoreOptions no_current;
  no_current.exclude_current = true;  // the diagonal's weight is left out of ΣA: all that remains is previous
  CHECK(score(HeadKind::PreviousToken, p, a, no_current) == Approx(1.0));
  ap::analysis::ScoreOptions no_first;
  no_first.exclude_first = true;  // row 1's previous key is key 0: it no longer counts
  CHECK(score(HeadKind::PreviousToken, p, a, no_first) == Approx(1.5 / 3.5));
  // A template no row of this probe has: NaN, never 0.
  CHECK(std::isnan(score(HeadKind::DuplicateToken, p, a)));
  CHECK(std::isnan(score(HeadKind::Agreement, p, a)));
}

TEST_CASE("heads: agreement and antecedent score the annotated query's weight on its key",
          "[analysis][heads]") {
  Probe p = probe_of({1, 2, 3, 4, 5, 6});
  p.agreement = {{4, 1}};
  p.antecedents = {{5, 2}};
  auto a = uniform_map(6);
  for (int j = 0; j < 6; ++j) a[4 * 6 + j] = a[5 * 6 + j] = 0.0f;
  a[4 * 6 + 1] = 0.75f, a[4 * 6 + 3] = 0.25f;  // the verb: 3/4 on its subject
  a[5 * 6 + 2] = 0.2f, a[5 * 6 + 5] = 0.8f;    // the pronoun: 1/5 on its noun
  CHECK(score(HeadKind::Agreement, p, a) == Approx(0.75));
  CHECK(score(HeadKind::Antecedent, p, a) == Approx(0.2));
}

TEST_CASE("heads: probes from a seed repeat a run of distinct ordinary ids", "[analysis][probes]") {
  const ap::Vocab v = fixtures::spm_vocab({{"a", 0}, {"b", 0}, {"c", 0}, {"d", 0}, {"e", 0}, {"f", 0}});
  const auto ids = ap::analysis::ordinary_ids(v);
  // <unk>, <s>, </s> and the 256 byte tokens are left out: the six pieces remain.
  CHECK(ids == std::vector<int32_t>{259, 260, 261, 262, 263, 264});

  std::vector<Probe> a, b, c;
  REQUIRE(ap::analysis::repeated_probes(ids, 5, 8, v.bos_id, 42, &a) == "");
  REQUIRE(ap::analysis::repeated_probes(ids, 5, 8, v.bos_id, 42, &b) == "");
  REQUIRE(ap::analysis::repeated_probes(ids, 5, 8, v.bos_id, 43, &c) == "");
  REQUIRE(a.size() == 8);
  bool differs = false;
  for (size_t k = 0; k < a.size(); ++k) {
    CHECK(a[k].ids == b[k].ids);
    differs = differs || a[k].ids != c[k].ids;
    REQUIRE(a[k].ids.size() == 11);
    CHECK(a[k].ids[0] == v.bos_id);
    std::set<int32_t> run;
    for (int i = 1; i <= 5; ++i) {
      CHECK(a[k].ids[size_t(i)] == a[k].ids[size_t(i + 5)]);
      CHECK(a[k].ids[size_t(i)] >= 259);
      run.insert(a[k].ids[size_t(i)]);
    }
    CHECK(run.size() == 5);
  }
  CHECK(differs);
  // Fewer candidates than the run: repeats allowed, still only candidates; no BOS when bos < 0.
  REQUIRE(ap::analysis::repeated_probes({7, 8}, 6, 2, -1, 1, &a) == "");
  for (const Probe& p : a) {
    REQUIRE(p.ids.size() == 12);
    for (int32_t id : p.ids) CHECK((id == 7 || id == 8));
  }
  CHECK(ap::analysis::repeated_probes({}, 4, 1, -1, 1, &a) == "no token ids to draw probes from");
  CHECK(ap::analysis::repeated_probes({1}, 0, 1, -1, 1, &a).find("at least one token") != std::string::npos);
}

namespace {

// A one-layer llama (d_model 32, 4 heads of 8, RoPE on the first 4 dimensions of each head with
// base 100) whose weights decide two heads' attention:
//   head 0 attends to the previous position: W_Q = W_K = 0 and constant biases, so q_i = R(i)·q0 and
//     k_j = R(j)·k0 on RoPE pair 1 (angle 100^(−1/2) = 0.1 per position), and q_i·k_j = A²cos((j−i+1)·0.1),
//     largest at j = i − 1 (the period, 63 positions, is longer than the probes);
//   head 1 attends to the first token: token 0's embedding alone has dimension 0, W_K copies it into
//     an unrotated dimension of head 1's key and head 1's query bias reads it;
//   heads 2 and 3 have q = 0: uniform attention.
std::vector<uint8_t> positional_heads_model() {
  using namespace ap::gguf;
  const int d = 32, heads = 4, hd = 8, ff = 16, vocab = 24, ctx = 48;
  Writer w(3);
  w.add("general.architecture", make_string("llama"));
  w.add("llama.block_count", make_u32(1));
  w.add("llama.embedding_length", make_u32(d));
  w.add("llama.feed_forward_length", make_u32(ff));
  w.add("llama.attention.head_count", make_u32(heads));
  w.add("llama.attention.head_count_kv", make_u32(heads));
  w.add("llama.context_length", make_u32(ctx));
  w.add("llama.attention.layer_norm_rms_epsilon", make_f32(1e-5f));
  w.add("llama.rope.freq_base", make_f32(100.0f));
  w.add("llama.rope.dimension_count", make_u32(4));
  uint32_t seed = 7;
  auto tensor = [&](const std::string& name, int rows, int cols, const std::vector<float>& v) {
    REQUIRE(v.size() == size_t(rows) * cols);
    std::vector<uint64_t> dims = {uint64_t(cols)};  // innermost first; a vector (rows 1) has one
    if (rows > 1) dims.push_back(uint64_t(rows));
    w.add_tensor(name, dims, ap::TensorType::F32, v.data());
  };
  auto random = [&](int rows, int cols, float stddev) {
    return ap_test::random_values(size_t(rows) * cols, ++seed, stddev);
  };
  auto embd = random(vocab, d, 1.0f);
  for (int t = 0; t < vocab; ++t) embd[size_t(t) * d] = 0.0f;
  for (int c = 0; c < d; ++c) embd[size_t(c)] = c == 0 ? 10.0f : 0.0f;  // token 0 (BOS): dimension 0 only
  tensor("token_embd.weight", vocab, d, embd);
  tensor("blk.0.attn_norm.weight", 1, d, std::vector<float>(size_t(d), 1.0f));
  tensor("blk.0.attn_q.weight", d, d, std::vector<float>(size_t(d) * d, 0.0f));
  std::vector<float> wk(size_t(d) * d, 0.0f);
  wk[size_t(1 * hd + 4) * d + 0] = 1.0f;  // head 1, unrotated dimension 4 ← input dimension 0
  tensor("blk.0.attn_k.weight", d, d, wk);
  tensor("blk.0.attn_v.weight", d, d, random(d, d, 0.2f));
  const float amp = 100.0f, step = 0.1f;
  std::vector<float> bq(size_t(d), 0.0f), bk(size_t(d), 0.0f);
  bq[2] = amp;  // head 0, RoPE pair 1 = dimensions (2, 3): q0 = (A, 0)
  bk[2] = amp * std::cos(step), bk[3] = amp * std::sin(step);  // k0 = R(0.1)·(A, 0)
  bq[size_t(1 * hd + 4)] = 10.0f;                              // head 1 reads the first-token dimension
  tensor("blk.0.attn_q.bias", 1, d, bq);
  tensor("blk.0.attn_k.bias", 1, d, bk);
  tensor("blk.0.attn_v.bias", 1, d, std::vector<float>(size_t(d), 0.0f));
  tensor("blk.0.attn_output.weight", d, d, random(d, d, 0.2f));
  tensor("blk.0.ffn_norm.weight", 1, d, std::vector<float>(size_t(d), 1.0f));
  tensor("blk.0.ffn_gate.weight", ff, d, random(ff, d, 0.2f));
  tensor("blk.0.ffn_up.weight", ff, d, random(ff, d, 0.2f));
  tensor("blk.0.ffn_down.weight", d, ff, random(d, ff, 0.2f));
  tensor("output_norm.weight", 1, d, std::vector<float>(size_t(d), 1.0f));
  tensor("output.weight", vocab, d, random(vocab, d, 0.2f));
  return w.finish();
}

bool named(const ap::analysis::HeadReport& r, HeadKind kind) {
  for (HeadKind k : r.names)
    if (k == kind) return true;
  return false;
}

}  // namespace

TEST_CASE("heads: a model's previous-token and first-token heads are named from their weights",
          "[analysis][heads][model]") {
  ap::model::Model m;
  REQUIRE(ap::model::Model::from_gguf(positional_heads_model(), &m) == "");
  std::vector<int32_t> candidates;
  for (int32_t t = 1; t < m.config().vocab; ++t) candidates.push_back(t);
  std::vector<Probe> probes;
  REQUIRE(ap::analysis::repeated_probes(candidates, 16, 6, 0, 2026, &probes) == "");
  std::vector<ap::analysis::HeadReport> reports;
  REQUIRE(ap::analysis::detect_heads(m, probes, &reports) == "");
  REQUIRE(reports.size() == 4);
  for (size_t h = 0; h < 4; ++h) {
    CHECK(reports[h].layer == 0);
    CHECK(reports[h].head == int(h));
    INFO("head " << h << ": previous " << reports[h].score[0] << ", first " << reports[h].score[3]);
    CHECK(reports[h].probes[size_t(HeadKind::PreviousToken)] == 6);
    // No probe has annotations: the language templates are not scored, and never named.
    CHECK(reports[h].probes[size_t(HeadKind::Agreement)] == 0);
    CHECK(std::isnan(reports[h].score[size_t(HeadKind::Agreement)]));
  }
  const auto& prev = reports[0];
  CHECK(prev.score[size_t(HeadKind::PreviousToken)] > 0.95);
  CHECK(prev.names == std::vector<HeadKind>{HeadKind::PreviousToken});
  const auto& sink = reports[1];
  CHECK(sink.score[size_t(HeadKind::FirstToken)] > 0.95);
  CHECK(sink.names == std::vector<HeadKind>{HeadKind::FirstToken});
  for (size_t h : {size_t(2), size_t(3)}) {  // uniform: scores near the uniform map's, no name
    CHECK(reports[h].names.empty());
    CHECK(reports[h].score[size_t(HeadKind::PreviousToken)] < 0.2);
    CHECK(reports[h].score[size_t(HeadKind::Induction)] < 0.2);
  }
  // A threshold above every score names nothing; the scores stay.
  ap::analysis::Thresholds strict;
  strict.at.fill(1.01);
  REQUIRE(ap::analysis::detect_heads(m, probes, &reports, strict) == "");
  for (const auto& r : reports) CHECK(r.names.empty());
  CHECK(reports[0].score[size_t(HeadKind::PreviousToken)] > 0.95);
}

TEST_CASE("heads: bad probes get a message and leave the reports as they were", "[analysis][heads][model]") {
  ap::model::Model m;
  REQUIRE(ap::model::Model::from_gguf(positional_heads_model(), &m) == "");
  std::vector<ap::analysis::HeadReport> reports(1);
  reports[0].head = 77;
  auto says = [&](std::vector<Probe> probes, const std::string& part) {
    const std::string e = ap::analysis::detect_heads(m, probes, &reports);
    INFO(e);
    CHECK(e.find(part) != std::string::npos);
    CHECK(reports.size() == 1);
    CHECK(reports[0].head == 77);
  };
  says({}, "no probes");
  says({probe_of({1, 2}), probe_of({3})}, "probe 1 has 1 tokens");
  says({probe_of(std::vector<int32_t>(49, 1))}, "2 … 48");
  says({probe_of({1, 24})}, "probe 0:");
  Probe bad = probe_of({1, 2, 3});
  bad.agreement = {{1, 2}};
  says({bad}, "agreement pair (query 1, key 2)");
  bad.agreement = {};
  bad.antecedents = {{3, 0}};
  says({bad}, "antecedent pair (query 3, key 0)");
}

TEST_CASE("heads: the language's sentences become probes whose templates mark verb→subject and pronoun→noun",
          "[analysis][probes]") {
  const ap::train::Language lang;
  const auto sentences = lang.generate(3, 200);
  const auto probes = ap::analysis::language_probes(sentences, lang.bos());
  REQUIRE(probes.size() == sentences.size());
  int agreement = 0, antecedent = 0;
  for (size_t k = 0; k < probes.size(); ++k) {
    const Probe& p = probes[k];
    const auto& s = sentences[k];
    REQUIRE(p.ids.size() == s.ids.size() + 1);
    CHECK(p.ids[0] == lang.bos());
    const int n = int(p.ids.size());
    const auto agree = ones(head_template(HeadKind::Agreement, p), n);
    const auto ante = ones(head_template(HeadKind::Antecedent, p), n);
    CHECK(agree.size() == s.agreement.size());
    CHECK(ante.size() == s.antecedents.size());
    for (const auto& [q, key] : agree) {
      // The query that predicts the verb (the verb is the next token: q + 1 past the BOS is the
      // sentence's a.verb), its subject's key: the same words as in the sentence.
      bool found = false;
      for (const auto& a : s.agreement)
        found =
            found || (a.verb == q && a.subject + 1 == key && p.ids[size_t(q) + 1] == s.ids[size_t(a.verb)]);
      CHECK(found);
      CHECK(key <= q);
      ++agreement;
    }
    for (const auto& [q, key] : ante) {
      const std::string pronoun = lang.tokens()[size_t(p.ids[size_t(q) + 1])];
      CHECK((pronoun == "it" || pronoun == "they"));
      CHECK(lang.tokens()[size_t(p.ids[size_t(key) - 1])] == "the");
      ++antecedent;
    }
  }
  CHECK(agreement > 40);
  CHECK(antecedent > 10);
  // Without BOS the positions are the sentence's own.
  const auto bare = ap::analysis::language_probes(sentences, -1);
  CHECK(bare[0].ids == sentences[0].ids);
}

namespace {

// An SPM vocabulary (tokenizer_fixtures.h: bytes first, so every id differs from the language's)
// holding the pieces the built-in language's GGUF vocabulary has ("▁" + each word, the prefixes the
// merges pass through), but those `leave_out` names.
ap::Tokenizer language_like_tokenizer(const std::set<std::string>& leave_out) {
  const ap::train::Language lang;
  const auto gguf = ap::train::builtin::language_tokenizer(lang);
  std::vector<std::pair<std::string, float>> pieces;
  for (size_t i = 3; i < gguf.tokens.size(); ++i)
    if (gguf.types[i] == 1 && !leave_out.count(gguf.tokens[i])) pieces.push_back({gguf.tokens[i], 0.0f});
  ap::Tokenizer tok;
  REQUIRE(tok.init(fixtures::spm_vocab(pieces)) == "");
  return tok;
}

}  // namespace

TEST_CASE("heads: the language's sentences become probes in another vocabulary, word for token",
          "[analysis][probes]") {
  const ap::train::Language lang;
  const auto sentences = lang.generate(5, 300);
  const std::string space = "\xE2\x96\x81";
  {
    const ap::Tokenizer tok = language_like_tokenizer({});
    const int32_t bos = tok.vocab().bos_id;
    const auto probes = ap::analysis::language_probes_in(tok, sentences, bos, 64);
    const auto own = ap::analysis::language_probes(sentences, lang.bos());
    size_t k = 0, annotated = 0;
    for (size_t i = 0; i < sentences.size(); ++i) {
      if (sentences[i].agreement.empty() && sentences[i].antecedents.empty()) continue;
      ++annotated;
      REQUIRE(k < probes.size());
      const Probe& p = probes[k++];
      const Probe& o = own[i];
      // The same words at the same positions, in this vocabulary's ids; the same links.
      REQUIRE(p.ids.size() == o.ids.size());
      CHECK(p.ids[0] == bos);
      for (size_t j = 1; j < p.ids.size(); ++j) {
        CHECK(p.ids[j] != o.ids[j]);  // the fixture's ids are shifted by its byte tokens
        CHECK(tok.token_text(p.ids[j]) == space + lang.tokens()[size_t(o.ids[j])]);
      }
      CHECK(ones(head_template(HeadKind::Agreement, p), int(p.ids.size())) ==
            ones(head_template(HeadKind::Agreement, o), int(o.ids.size())));
      CHECK(ones(head_template(HeadKind::Antecedent, p), int(p.ids.size())) ==
            ones(head_template(HeadKind::Antecedent, o), int(o.ids.size())));
    }
    CHECK(k == probes.size());  // every annotated sentence kept, nothing else
    CHECK(annotated > 100);
    // Too long for the context: left out.
    CHECK(ap::analysis::language_probes_in(tok, sentences, bos, 4).empty());
    // The set: `count` of each kind, the agreement ones first as they come.
    const auto set = ap::analysis::language_probe_set(tok, bos, 64, 6, 5);
    int agreement = 0, antecedent = 0;
    for (const Probe& q : set) {
      agreement += !q.agreement.empty();
      antecedent += !q.antecedents.empty();
    }
    CHECK(agreement == 6);
    CHECK(antecedent == 6);
  }
  {
    // "▁keys" missing: the word becomes two pieces ("▁key" "s"), so its sentences are left out.
    const ap::Tokenizer tok = language_like_tokenizer({space + "keys"});
    const auto probes = ap::analysis::language_probes_in(tok, sentences, tok.vocab().bos_id, 64);
    size_t with_keys = 0, annotated = 0;
    for (const auto& s : sentences) {
      if (s.agreement.empty() && s.antecedents.empty()) continue;
      ++annotated;
      with_keys += std::find(s.ids.begin(), s.ids.end(), lang.id("keys")) != s.ids.end();
    }
    REQUIRE(with_keys > 0);
    CHECK(probes.size() == annotated - with_keys);
  }
  {
    // A vocabulary without the language's words has no such probes (and so no such scores).
    ap::Tokenizer tok;
    REQUIRE(tok.init(fixtures::spm_vocab({{space + "a", 0.0f}, {space + "the", 0.0f}})) == "");
    CHECK(ap::analysis::language_probes_in(tok, sentences, tok.vocab().bos_id, 64).empty());
    CHECK(ap::analysis::language_probe_set(tok, tok.vocab().bos_id, 64, 8, 1).empty());
  }
}
