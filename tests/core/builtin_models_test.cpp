// The built-in models committed under web/models/ (scripts/train writes them; train/builtin.h has
// their recipes): each file loads in the model runtime (src/model/), does its task on held-out
// examples with the accuracy and loss its JSON log claims, and has the heads one expects; the
// language model's GGUF vocabulary tokenizes as the language does and its predictions agree.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "analysis/heads.h"
#include "analysis/probes.h"
#include "model/model.h"
#include "tokenizer/gguf_vocab.h"
#include "tokenizer/tokenizer.h"
#include "train/builtin.h"

using namespace ap::train;
using namespace ap::train::builtin;

namespace {

std::string models_dir() { return std::string(AP_TEST_SOURCE_DIR) + "/web/models/"; }

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

ap::model::Model load(const std::string& name) {
  std::vector<uint8_t> bytes = read_bytes(models_dir() + name + ".gguf");
  INFO(name);
  REQUIRE(!bytes.empty());
  ap::model::Model m;
  REQUIRE(ap::model::Model::from_gguf(std::move(bytes), &m) == "");
  return m;
}

// The number after "key": in the log (NaN when absent).
double log_number(const std::string& name, const std::string& key) {
  const std::vector<uint8_t> b = read_bytes(models_dir() + name + ".json");
  const std::string s(b.begin(), b.end()), k = "\"" + key + "\": ";
  const size_t at = s.find(k);
  return at == std::string::npos ? NAN : std::strtod(s.c_str() + at + k.size(), nullptr);
}

int argmax(const float* v, int n) { return int(std::max_element(v, v + n) - v); }

// Masked-target accuracy and mean cross-entropy of the runtime's forward over a batch.
struct Score {
  double loss = 0, accuracy = 0;
  int counted = 0;
};
Score score(const ap::model::Model& m, const Batch& b) {
  const int vocab = m.config().vocab, T = b.n_ctx;
  double loss = 0;
  int correct = 0, counted = 0;
  ap::model::Forward f;
  for (int s = 0; s < b.batch; ++s) {
    const std::vector<int32_t> ids(b.ids.begin() + size_t(s) * T, b.ids.begin() + size_t(s + 1) * T);
    REQUIRE(m.forward(ids.data(), T, &f, false) == "");
    for (int i = 0; i < T; ++i) {
      if (b.mask[size_t(s) * T + i] == 0) continue;
      const float* row = f.logits.data() + size_t(i) * vocab;
      const int target = b.targets[size_t(s) * T + i];
      const float mx = *std::max_element(row, row + vocab);
      double z = 0;
      for (int v = 0; v < vocab; ++v) z += std::exp(double(row[v] - mx));
      loss += std::log(z) - double(row[target] - mx);
      correct += argmax(row, vocab) == target;
      ++counted;
    }
  }
  return {loss / counted, double(correct) / counted, counted};
}

const ToyRecipe& recipe(const std::string& name) {
  for (const ToyRecipe& r : toy_recipes())
    if (name == r.name) return r;
  FAIL("no recipe " << name);
  return toy_recipes()[0];
}

// The held-out sequences Trainer::evaluate(256) scored (the same stream, in batches of 64).
Batch heldout(const ToyRecipe& r, int sequences) {
  TaskStream held(r.task, r.seed, Split::HeldOut);
  Batch all, part;
  for (int done = 0; done < sequences; done += 64) {
    held.next(std::min(64, sequences - done), &part);
    all.batch += part.batch;
    all.n_ctx = part.n_ctx;
    all.ids.insert(all.ids.end(), part.ids.begin(), part.ids.end());
    all.targets.insert(all.targets.end(), part.targets.begin(), part.targets.end());
    all.mask.insert(all.mask.end(), part.mask.begin(), part.mask.end());
  }
  return all;
}

std::vector<ap::analysis::HeadReport> heads_of(const ap::model::Model& m, const ToyRecipe& r) {
  const Batch b = heldout(r, 16);
  std::vector<ap::analysis::Probe> probes;
  for (int s = 0; s < b.batch; ++s) {
    // An induction sequence is its run twice then filler: the probe is the run twice (the mask
    // starts at the repeat, position m), as the detector's induction template expects.
    int len = b.n_ctx;
    if (r.task.kind == TaskKind::Induction) {
      const float* mask = b.mask.data() + size_t(s) * b.n_ctx;
      int m = 0;
      while (m < b.n_ctx && mask[m] == 0) ++m;
      len = std::min(2 * m, b.n_ctx);
    }
    const auto first = b.ids.begin() + size_t(s) * b.n_ctx;
    probes.push_back({std::vector<int32_t>(first, first + len), {}, {}});
  }
  std::vector<ap::analysis::HeadReport> out;
  REQUIRE(ap::analysis::detect_heads(m, probes, &out) == "");
  for (const auto& h : out) {
    std::printf("%s L%d H%d:", r.name, h.layer, h.head);
    for (int k = 0; k < ap::analysis::kHeadKinds; ++k)
      std::printf(" %s %.3f", ap::analysis::head_kind_name(ap::analysis::HeadKind(k)), h.score[size_t(k)]);
    std::printf("\n");
  }
  return out;
}

bool named(const ap::analysis::HeadReport& h, ap::analysis::HeadKind k) {
  return std::find(h.names.begin(), h.names.end(), k) != h.names.end();
}

}  // namespace

TEST_CASE("builtin models: each toy file does its task with the accuracy and loss its log claims",
          "[builtin]") {
  for (const ToyRecipe& r : toy_recipes()) {
    INFO(r.name);
    const ap::model::Model m = load(r.name);
    CHECK(m.config().n_layer == r.layers);
    CHECK(m.config().vocab == task_vocab(r.task));
    const Score s = score(m, heldout(r, 256));
    const double acc = log_number(r.name, "heldout_accuracy"), loss = log_number(r.name, "heldout_loss");
    CHECK(s.accuracy >= 0.99);
    // The runtime's forward is not the trainer's (other kernels, other rounding): a few flips at most.
    CHECK(std::abs(s.accuracy - acc) <= 3.0 / s.counted);
    CHECK(std::abs(s.loss - loss) <= 1e-3 + 0.02 * loss);
  }
}

TEST_CASE("builtin models: the reverse file reverses a held-out sequence, greedily", "[builtin]") {
  const ToyRecipe& r = recipe("reverse");
  const ap::model::Model m = load("reverse");
  Rng rng(r.seed, 99);  // a stream neither training nor evaluation used
  int exact = 0;
  for (int k = 0; k < 20; ++k) {
    std::vector<int> seq;
    std::vector<float> mask;
    generate_sequence(r.task, &rng, &seq, &mask);
    const int n = r.task.length;
    std::vector<int32_t> ids(seq.begin(), seq.begin() + n + 1);  // x_1 … x_n SEP
    ap::model::Forward f;
    for (int i = 0; i < n; ++i) {
      REQUIRE(m.forward(ids.data(), int(ids.size()), &f, false) == "");
      ids.push_back(argmax(f.logits.data() + (ids.size() - 1) * size_t(m.config().vocab), m.config().vocab));
    }
    exact += std::equal(ids.begin() + n + 1, ids.end(), seq.begin() + n + 1);
  }
  CHECK(exact >= 19);
}

TEST_CASE("builtin models: detect_heads names the heads reverse and induction learned", "[builtin]") {
  using ap::analysis::HeadKind;
  {
    const ap::model::Model m = load("induction");
    const auto heads = heads_of(m, recipe("induction"));
    int induction_late = 0, induction_early = 0;
    double best_late = 0;
    for (const auto& h : heads) {
      induction_late += h.layer == 1 && named(h, HeadKind::Induction);
      induction_early += h.layer == 0 && named(h, HeadKind::Induction);
      if (h.layer == 1) best_late = std::max(best_late, h.score[size_t(HeadKind::Induction)]);
    }
    CHECK(induction_late >= 1);  // an induction head needs a layer before it
    CHECK(induction_early == 0);
    CHECK(best_late >= 0.8);  // the bar for a layer-2 head on the induction template
  }
  {
    const ap::model::Model m = load("reverse");
    const ToyRecipe& r = recipe("reverse");
    const auto heads = heads_of(m, r);
    for (const auto& h : heads) CHECK(h.names.empty());  // mirroring is none of the detector's templates
    // The mirrored position instead: query n + k (it predicts x_{n−1−k}) on key n − 1 − k.
    const Batch b = heldout(r, 16);
    const int n = r.task.length, T = b.n_ctx;
    double best = 0;
    for (int layer = 0; layer < m.config().n_layer; ++layer)
      for (int head = 0; head < m.config().n_head; ++head) {
        double sum = 0;
        for (int s = 0; s < b.batch; ++s) {
          const std::vector<int32_t> ids(b.ids.begin() + size_t(s) * T, b.ids.begin() + size_t(s + 1) * T);
          ap::model::Forward f;
          REQUIRE(m.forward(ids.data(), T, &f) == "");
          std::vector<float> a;  // (T, T)
          REQUIRE(m.attention(f, layer, head, &a) == "");
          for (int k = 0; k < n; ++k) sum += a[size_t(n + k) * T + size_t(n - 1 - k)];
        }
        std::printf("reverse L%d H%d mirrored %.3f\n", layer, head, sum / (b.batch * n));
        best = std::max(best, sum / (b.batch * n));
      }
    // The bar: one head puts 0.9 of its weight on the mirrored position (uniform attention
    // over these rows would give about 0.1).
    CHECK(best >= 0.9);
  }
}

TEST_CASE("builtin models: the language file's vocabulary tokenizes as the language does", "[builtin]") {
  const ap::model::Model m = load("language");
  ap::Vocab v;
  REQUIRE(ap::vocab_from_gguf(m.gguf(), &v) == "");
  ap::Tokenizer tok;
  REQUIRE(tok.init(v) == "");
  const Language lang;
  const LanguageRecipe r;
  // The layout README describes: the language's ids first ("▁" + text), then prefix pieces, then bytes.
  REQUIRE(tok.size() == lang.size() + 430 + 256);
  for (int32_t id = 3; id < lang.size(); ++id)
    CHECK(tok.token_text(id) == "\xE2\x96\x81" + lang.tokens()[size_t(id)]);
  CHECK(tok.token_text(tok.size() - 256) == "<0x00>");
  CHECK(tok.token_text(tok.size() - 1) == "<0xFF>");
  int checked = 0;
  for (const Sentence& s : lang.generate(r.seed + 2, 200)) {
    std::vector<int32_t> ids;
    REQUIRE(tok.tokenize(s.text, &ids) == "");
    std::vector<int32_t> want{lang.bos()};
    want.insert(want.end(), s.ids.begin(), s.ids.end());
    INFO(s.text);
    CHECK(ids == want);
    std::string back;  // without the BOS (after it the runtime keeps the space prefix's space)
    REQUIRE(tok.detokenize(ids.data() + 1, ids.size() - 1, &back) == "");
    CHECK(back == s.text);
    ++checked;
  }
  CHECK(checked == 200);
  // The documented limit: a mark glued to its word is not the language's token.
  std::vector<int32_t> glued;
  REQUIRE(tok.tokenize("the cabinet.", &glued) == "");
  CHECK(glued.back() != lang.id("."));
}

TEST_CASE("builtin models: the language model's held-out loss is its log's, and it agrees verbs",
          "[builtin]") {
  const ap::model::Model m = load("language");
  const Language lang;
  const LanguageRecipe r;
  Batch b;
  language_batch(lang.generate(r.seed + 1, 256), r.n_ctx, &b);
  const Score s = score(m, b);
  const double loss = log_number("language", "heldout_loss"),
               acc = log_number("language", "heldout_accuracy");
  CHECK(std::abs(s.loss - loss) <= 1e-3 + 0.01 * loss);
  // The runtime's kernels round otherwise than the trainer's, and where the language leaves several
  // next words equally likely the trained model gives them near-equal logits, so the argmax there
  // follows the rounding: a few positions in a thousand may flip (6 of 3395 in the wasm build).
  std::printf("language: runtime accuracy %.6f, the log's %.6f: %.1f positions of %d apart\n", s.accuracy,
              acc, std::abs(s.accuracy - acc) * s.counted, s.counted);
  CHECK(std::abs(s.accuracy - acc) <= 15.0 / s.counted);

  ap::Vocab v;
  REQUIRE(ap::vocab_from_gguf(m.gguf(), &v) == "");
  ap::Tokenizer tok;
  REQUIRE(tok.init(v) == "");
  auto next_logits = [&](const std::string& text) {
    std::vector<int32_t> ids;
    REQUIRE(tok.tokenize(text, &ids) == "");
    ap::model::Forward f;
    REQUIRE(m.forward(ids.data(), int(ids.size()), &f, false) == "");
    const int vocab = m.config().vocab;
    return std::vector<float>(f.logits.end() - vocab, f.logits.end());
  };
  const int32_t are = lang.id("are"), is = lang.id("is");
  REQUIRE(are >= 0);
  REQUIRE(is >= 0);
  const std::vector<float> plural = next_logits("the keys to the old cabinet");
  CHECK(plural[size_t(are)] > plural[size_t(is)]);
  const std::vector<float> singular = next_logits("the key to the old cabinets");
  CHECK(singular[size_t(is)] > singular[size_t(are)]);
}

TEST_CASE("builtin models: the language model has an agreement head, found from its own vocabulary",
          "[builtin]") {
  using ap::analysis::HeadKind;
  const ap::model::Model m = load("language");
  ap::Vocab v;
  REQUIRE(ap::vocab_from_gguf(m.gguf(), &v) == "");
  ap::Tokenizer tok;
  REQUIRE(tok.init(v) == "");
  const Language lang;
  // The probes the page scores (model_bindings headScores): the language's annotated sentences in
  // the file's vocabulary. That vocabulary keeps the language's ids, so they are language_probes'.
  const uint64_t seed = 77;
  const int count = 64;
  const auto probes = ap::analysis::language_probe_set(tok, v.bos_id, m.config().n_ctx, count, seed);
  const auto own = ap::analysis::language_probes(lang.generate(seed, 16 * count), lang.bos());
  int agreement = 0, antecedent = 0;
  for (const auto& p : probes) {
    agreement += !p.agreement.empty();
    antecedent += !p.antecedents.empty();
    bool found = false;
    for (const auto& o : own) found = found || o.ids == p.ids;
    CHECK(found);
  }
  CHECK(agreement == count);
  CHECK(antecedent == count);
  std::vector<ap::analysis::HeadReport> heads;
  REQUIRE(ap::analysis::detect_heads(m, probes, &heads) == "");
  double best = 0;
  int best_layer = -1;
  for (const auto& h : heads) {
    std::printf("language L%d H%d: agreement %.3f antecedent %.3f previous-token %.3f first-token %.3f\n",
                h.layer, h.head, h.score[size_t(HeadKind::Agreement)], h.score[size_t(HeadKind::Antecedent)],
                h.score[size_t(HeadKind::PreviousToken)], h.score[size_t(HeadKind::FirstToken)]);
    CHECK(h.probes[size_t(HeadKind::Agreement)] == count);
    if (h.score[size_t(HeadKind::Agreement)] > best) {
      best = h.score[size_t(HeadKind::Agreement)];
      best_layer = h.layer;
    }
    if (h.layer == 0) CHECK(!named(h, HeadKind::Agreement));  // across a distractor: not from layer 0
  }
  // The committed file's best head, layer 1 head 2, scores 0.94 (uniform attention over these rows:
  // about 0.1; after 1500 steps the best was 0.49). The antecedent scores are printed, not asserted:
  // the best is 0.54 (layer 1 head 0), but where the pronoun means the second noun that noun is the
  // token just before the query ("… the street because"), so the template half overlaps
  // previous-token there and the score is no clear sign of a learned antecedent.
  CHECK(best >= 0.8);
  CHECK(best_layer == 1);
}
