#include "train/builtin.h"

#include <algorithm>
#include <unordered_set>

namespace ap::train::builtin {

const std::vector<ToyRecipe>& toy_recipes() {
  // RoPE throughout (llama has no learned positions), attention-only. Reverse is wider and longer:
  // under RoPE a query knows only its token, so layer 1 must find the mirrored key from what layer 0
  // wrote; at 2 × 2 × 32 and 800 steps the mirror stays shared between two heads (0.49 and 0.33),
  // at 2 × 4 × 64 and 1500 steps one head takes it (0.98 with this seed; other seeds give 0.5 … 0.99,
  // the mirror split between heads again: the seed is part of the recipe).
  static const std::vector<ToyRecipe> r = {
      {"copy", {TaskKind::Copy, 6, 8, 3}, 2, 2, 32, 400, 11},
      {"reverse", {TaskKind::Reverse, 6, 8, 3}, 2, 4, 64, 1500, 12},
      {"sort", {TaskKind::Sort, 6, 8, 3}, 2, 2, 32, 600, 13},
      {"induction", {TaskKind::Induction, 8, 16, 3}, 2, 2, 32, 400, 14},
      {"brackets", {TaskKind::Brackets, 6, 8, 3}, 2, 2, 32, 600, 15},
  };
  return r;
}

Config toy_config(const ToyRecipe& r) {
  Config c;
  c.vocab = task_vocab(r.task);
  c.n_ctx = task_context(r.task);
  c.n_layer = r.layers;
  c.n_head = r.heads;
  c.d_model = r.d_model;
  c.mlp = Mlp::None;
  c.positions = Positions::Rope;
  return c;
}

TrainOptions toy_options(const ToyRecipe& r) {
  TrainOptions opt;
  opt.batch = 32;
  opt.seed = r.seed;
  opt.schedule.lr = 0.01f;
  opt.schedule.min_lr = 0.001f;
  opt.schedule.warmup = r.steps / 10;
  opt.schedule.total_steps = r.steps;
  return opt;
}

Config language_config(const LanguageRecipe& r, int vocab) {
  Config c;
  c.vocab = vocab;
  c.n_ctx = r.n_ctx;
  c.n_layer = r.layers;
  c.n_head = r.heads;
  c.d_model = r.d_model;
  c.mlp = Mlp::SwiGlu;
  c.n_ff = r.n_ff;
  c.positions = Positions::Rope;
  return c;
}

GgufTokenizer language_tokenizer(const Language& lang) {
  constexpr int32_t kNormal = 1, kUnknown = 2, kControl = 3, kByte = 6;  // llama.cpp's token types
  const std::string space = "\xE2\x96\x81";                              // ▁ U+2581
  GgufTokenizer t;
  t.model = "llama";
  t.unk = lang.unk();
  t.bos = lang.bos();
  t.eos = lang.eos();
  t.add_bos = true;
  t.add_space_prefix = true;
  std::unordered_set<std::string> have;
  for (int32_t id = 0; id < lang.size(); ++id) {
    const std::string& text = lang.tokens()[size_t(id)];
    const bool special = id == lang.unk() || id == lang.bos() || id == lang.eos();
    t.tokens.push_back(special ? text : space + text);
    t.types.push_back(id == lang.unk() ? kUnknown : special ? kControl : kNormal);
    have.insert(t.tokens.back());
  }
  // Intermediate pieces, in the order of the words (deterministic): "▁" + the first k characters.
  for (int32_t id = 0; id < lang.size(); ++id) {
    if (id == lang.unk() || id == lang.bos() || id == lang.eos()) continue;
    const std::string& text = lang.tokens()[size_t(id)];
    for (size_t k = 1; k < text.size(); ++k) {
      if ((static_cast<unsigned char>(text[k]) & 0xC0) == 0x80) continue;  // inside a UTF-8 sequence
      std::string piece = space + text.substr(0, k);
      if (have.insert(piece).second) {
        t.tokens.push_back(piece);
        t.types.push_back(kNormal);
      }
    }
  }
  static const char hex[] = "0123456789ABCDEF";
  for (int b = 0; b < 256; ++b) {
    t.tokens.push_back(std::string("<0x") + hex[b >> 4] + hex[b & 15] + ">");
    t.types.push_back(kByte);
  }
  t.scores.assign(t.tokens.size(), 0.0f);
  return t;
}

void language_batch(const std::vector<Sentence>& sentences, int n_ctx, Batch* out) {
  const int batch = int(sentences.size());
  out->batch = batch;
  out->n_ctx = n_ctx;
  out->ids.assign(size_t(batch) * n_ctx, 2);
  out->targets.assign(size_t(batch) * n_ctx, 2);
  out->mask.assign(size_t(batch) * n_ctx, 0.0f);
  std::vector<int> seq;  // (n_ctx + 1) BOS, ids, EOS, padding
  for (int b = 0; b < batch; ++b) {
    const Sentence& s = sentences[size_t(b)];
    seq.assign(size_t(n_ctx) + 1, 2);
    seq[0] = 1;
    const int n = std::min(int(s.ids.size()), n_ctx);
    for (int i = 0; i < n; ++i) seq[size_t(i) + 1] = s.ids[size_t(i)];
    const int last = std::min(n + 1, n_ctx);  // the target EOS at position n (when it fits)
    for (int i = 0; i < n_ctx; ++i) {
      out->ids[size_t(b) * n_ctx + i] = seq[size_t(i)];
      out->targets[size_t(b) * n_ctx + i] = seq[size_t(i) + 1];
      out->mask[size_t(b) * n_ctx + i] = i < last ? 1.0f : 0.0f;
    }
  }
}

}  // namespace ap::train::builtin
