// A KV-cache generation session for the page: ap::model::Session's append (the same Model::run on
// positions pos0 … pos0+n−1 against the cached k, v), plus what the page draws as each token is
// produced: the attention row of the newest position, for every layer and head. Session keeps its
// cache private and gives only logits, so this runs Model::run itself with `keep` (the new
// positions' q after RoPE) and its own cache. Plain C++ (no Emscripten): model_bindings.cpp binds
// it and tests/core/model_session_test.cpp checks it against a full forward.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "model/model.h"

namespace ap::bindings {

class KvSession {
 public:
  // `off`: heads ablated in every append (model.h's HeadMask; empty = none).
  explicit KvSession(const ap::model::Model& model, uint64_t seed, ap::model::HeadMask off = {})
      : model_(&model),
        k_(size_t(model.config().n_layer)),
        v_(size_t(model.config().n_layer)),
        state_(seed),
        off_(std::move(off)) {}

  int positions() const { return n_; }
  const std::vector<float>& logits() const { return logits_; }  // (vocab) of the newest position
  const std::vector<float>& rows() const { return rows_; }      // (n_layer·n_head, positions)

  // Runs ids[0 … n) after the positions held; "" or a message (nothing changes on error).
  std::string append(const int32_t* ids, int n) {
    const ap::model::Config& c = model_->config();
    if (n < 1) return "nothing to append";
    if (int64_t(n_) + n > c.n_ctx)
      return "the context is full: " + std::to_string(n_) + " positions held, " + std::to_string(n) +
             " more would pass the context length " + std::to_string(c.n_ctx);
    if (std::string e = model_->check_ids(ids, n); !e.empty()) return e;
    if (std::string e = model_->check_head_mask(&off_); !e.empty()) return e;
    std::vector<ap::model::LayerState> keep(size_t(c.n_layer));
    logits_.resize(size_t(c.vocab));
    model_->run(ids, n, n_, &k_, &v_, &keep, 1, logits_.data(), &off_);
    n_ += n;
    newest_rows(keep, n - 1);
    return "";
  }

  // The next id from the newest logits: greedy at temperature 0, else sampled (model.h's sample),
  // the generator advancing by one draw.
  int sample(const ap::model::SampleOptions& opt) {
    return ap::model::sample(logits_.data(), int(logits_.size()), opt, &state_);
  }

  size_t memory_bytes() const {
    size_t b = (logits_.capacity() + rows_.capacity()) * sizeof(float);
    for (size_t l = 0; l < k_.size(); ++l) b += (k_[l].capacity() + v_[l].capacity()) * sizeof(float);
    return b;
  }

 private:
  // rows_ (n_layer·n_head, n_): softmax over keys j ≤ p of q_p·k_j/√head_dim for the newest
  // position p = n_ − 1 (row `last` of the appended block), each head on its K/V head
  // h / (n_head / n_kv_head); the same arithmetic as Model::trace's row p.
  void newest_rows(const std::vector<ap::model::LayerState>& keep, int last) {
    const ap::model::Config& c = model_->config();
    const int hd = c.head_dim, qd = c.n_head * hd, kvd = c.n_kv_head * hd, group = c.n_head / c.n_kv_head;
    const float scale = 1.0f / std::sqrt(float(hd));
    const size_t P = size_t(n_);
    rows_.assign(size_t(c.n_layer) * c.n_head * P, 0.0f);
    std::vector<float> s(P);  // (positions) one head's scores
    for (int l = 0; l < c.n_layer; ++l) {
      const float* q = keep[size_t(l)].q.data() + size_t(last) * qd;  // (n_head·head_dim)
      const std::vector<float>& kc = k_[size_t(l)];                   // (positions, n_kv·head_dim)
      for (int h = 0; h < c.n_head; ++h) {
        const float* qh = q + size_t(h) * hd;
        const size_t g = size_t(h / group) * hd;
        float mx = -std::numeric_limits<float>::infinity();
        for (size_t j = 0; j < P; ++j) {
          float dot = 0.0f;
          for (int e = 0; e < hd; ++e) dot += qh[e] * kc[j * kvd + g + size_t(e)];
          s[j] = dot * scale;
          mx = std::max(mx, s[j]);
        }
        double sum = 0;
        float* w = &rows_[(size_t(l) * c.n_head + size_t(h)) * P];
        for (size_t j = 0; j < P; ++j) sum += (w[j] = std::exp(s[j] - mx));
        const float inv = float(1.0 / sum);
        for (size_t j = 0; j < P; ++j) w[j] *= inv;
      }
    }
  }

  const ap::model::Model* model_;
  int n_ = 0;
  std::vector<std::vector<float>> k_, v_;  // [layer] (positions, n_kv·head_dim) after RoPE
  std::vector<float> logits_;              // (vocab)
  std::vector<float> rows_;                // (n_layer·n_head, positions)
  uint64_t state_;                         // the sampler's generator
  ap::model::HeadMask off_;                // (n_layer·n_head) or empty
};

}  // namespace ap::bindings
