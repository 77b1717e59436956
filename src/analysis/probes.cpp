#include "analysis/probes.h"

#include <algorithm>
#include <cstdint>

#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"
#include "train/language.h"

namespace ap::analysis {

namespace {

// splitmix64 (Vigna): a small generator with the same output everywhere.
uint64_t next(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Uniform in 0 … bound−1 (bound ≥ 1), without modulo bias (rejection of the short last range).
uint64_t below(uint64_t* state, uint64_t bound) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t x;
  do x = next(state);
  while (x >= limit);
  return x % bound;
}

// The sentence's annotations as links, positions moved `shift` right (past a BOS), each query the
// position that predicts the annotated word (one before it; see language_probes).
void add_links(const ap::train::Sentence& s, int shift, Probe* p) {
  for (const auto& a : s.agreement) p->agreement.push_back({a.verb + shift - 1, a.subject + shift});
  for (const auto& a : s.antecedents) p->antecedents.push_back({a.pronoun + shift - 1, a.noun + shift});
}

}  // namespace

std::vector<int32_t> ordinary_ids(const Vocab& vocab) {
  std::vector<int32_t> out;
  const int32_t n = static_cast<int32_t>(vocab.tokens.size());
  for (int32_t id = 0; id < n; ++id) {
    const auto type =
        vocab.types.empty() ? TokenType::Normal : static_cast<TokenType>(vocab.types[size_t(id)]);
    const bool ordinary =
        type == TokenType::Normal || type == TokenType::Undefined || type == TokenType::UserDefined;
    const bool special = id == vocab.bos_id || id == vocab.eos_id || id == vocab.unk_id || id == vocab.pad_id;
    if (ordinary && !special) out.push_back(id);
  }
  return out;
}

std::string repeated_probes(const std::vector<int32_t>& candidates, int half, int count, int32_t bos,
                            uint64_t seed, std::vector<Probe>* out) {
  if (candidates.empty()) return "no token ids to draw probes from";
  if (half < 1) return "a probe's random run needs at least one token (got " + std::to_string(half) + ")";
  if (count < 0) return "a negative number of probes (" + std::to_string(count) + ")";
  uint64_t state = seed;
  std::vector<Probe> probes(static_cast<size_t>(count));
  std::vector<int32_t> pool;  // (candidates) shuffled in part for each run
  for (Probe& p : probes) {
    std::vector<int32_t> run(static_cast<size_t>(half));  // (half)
    if (candidates.size() >= size_t(half)) {
      // Distinct ids: the first `half` steps of a Fisher–Yates shuffle.
      pool = candidates;
      for (size_t i = 0; i < run.size(); ++i) {
        const size_t j = i + size_t(below(&state, pool.size() - i));
        std::swap(pool[i], pool[j]);
        run[i] = pool[i];
      }
    } else {
      for (int32_t& id : run) id = candidates[size_t(below(&state, candidates.size()))];
    }
    if (bos >= 0) p.ids.push_back(bos);
    p.ids.insert(p.ids.end(), run.begin(), run.end());
    p.ids.insert(p.ids.end(), run.begin(), run.end());
  }
  *out = std::move(probes);
  return "";
}

std::vector<Probe> language_probes(const std::vector<ap::train::Sentence>& sentences, int32_t bos) {
  const int shift = bos >= 0 ? 1 : 0;
  std::vector<Probe> out(sentences.size());
  for (size_t k = 0; k < sentences.size(); ++k) {
    const ap::train::Sentence& s = sentences[k];
    Probe& p = out[k];
    if (bos >= 0) p.ids.push_back(bos);
    p.ids.insert(p.ids.end(), s.ids.begin(), s.ids.end());
    add_links(s, shift, &p);
  }
  return out;
}

std::vector<Probe> language_probes_in(const ap::Tokenizer& tok,
                                      const std::vector<ap::train::Sentence>& sentences, int32_t bos,
                                      int max_len) {
  const int shift = bos >= 0 ? 1 : 0;
  ap::TokenizeOptions plain;
  plain.add_special = false;
  std::vector<Probe> out;
  for (const ap::train::Sentence& s : sentences) {
    if (s.agreement.empty() && s.antecedents.empty()) continue;
    const int n = static_cast<int>(s.ids.size());
    if (n + shift > max_len) continue;
    // The words are the text's space-separated tokens (Language::generate writes them so).
    Probe p;
    if (bos >= 0) p.ids.push_back(bos);
    bool ok = true;
    std::vector<int32_t> ids;  // (k) the first k words' ids
    size_t end = 0;
    for (int k = 0; k < n && ok; ++k) {
      end = s.text.find(' ', end + (k > 0 ? 1 : 0));
      if (end == std::string::npos) end = s.text.size();
      ids.clear();
      ok = tok.tokenize(std::string_view(s.text).substr(0, end), &ids, plain).empty() &&
           static_cast<int>(ids.size()) == k + 1 &&
           std::equal(ids.begin(), ids.begin() + k, p.ids.begin() + shift) &&
           ids[size_t(k)] != tok.vocab().unk_id;
      if (ok) p.ids.push_back(ids[size_t(k)]);
    }
    if (!ok || end != s.text.size()) continue;
    add_links(s, shift, &p);
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<Probe> language_probe_set(const ap::Tokenizer& tok, int32_t bos, int max_len, int count,
                                      uint64_t seed) {
  std::vector<Probe> out;
  if (count < 1 || !tok.ready()) return out;
  const ap::train::Language lang;
  int agreement = 0, antecedent = 0;
  for (Probe& p : language_probes_in(tok, lang.generate(seed, 16 * count), bos, max_len)) {
    const bool a = !p.agreement.empty() && agreement < count,
               b = !p.antecedents.empty() && antecedent < count;
    if (!a && !b) continue;
    agreement += a;
    antecedent += b;
    out.push_back(std::move(p));
    if (agreement == count && antecedent == count) break;
  }
  return out;
}

}  // namespace ap::analysis
