// SentencePiece-style BPE with byte fallback: llama.cpp's llm_tokenizer_spm_session.
#include <algorithm>
#include <cstdio>
#include <queue>
#include <string>

#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"

namespace ap {
namespace {

struct Symbol {
  int prev, next;  // neighbours in the current segmentation, −1 at the ends
  size_t offset;   // first byte in the text
  size_t n;        // bytes; 0 once merged into its left neighbour
};

struct Bigram {
  int left, right;  // symbol indices
  float score;      // of the token the two make together
  size_t size;      // bytes of the two together, to notice a pair that changed since it was queued
};

// Highest score first; equal scores: leftmost first.
struct Lower {
  bool operator()(const Bigram& l, const Bigram& r) const {
    return l.score < r.score || (l.score == r.score && l.left > r.left);
  }
};

}  // namespace

std::string Tokenizer::tokenize_spm(std::string_view text, std::vector<int32_t>* out) const {
  // Symbols: one per UTF-8 sequence as its lead byte announces it (cut at the end of the text).
  std::vector<Symbol> symbols;
  symbols.reserve(text.size());
  for (size_t off = 0; off < text.size();) {
    const size_t len = std::min(unicode::utf8_len(text[off]), text.size() - off);
    const int index = static_cast<int>(symbols.size());
    symbols.push_back({index - 1, off + len == text.size() ? -1 : index + 1, off, len});
    off += len;
  }
  std::priority_queue<Bigram, std::vector<Bigram>, Lower> queue;
  std::string key;
  auto try_add = [&](int left, int right) {
    if (left < 0 || right < 0) return;
    const Symbol& l = symbols[static_cast<size_t>(left)];
    const Symbol& r = symbols[static_cast<size_t>(right)];
    key.assign(text.data() + l.offset, l.n + r.n);  // r follows l in the text
    const auto it = index_.find(key);
    if (it == index_.end()) return;
    const float score = vocab_.scores.empty() ? 0.0f : vocab_.scores[static_cast<size_t>(it->second)];
    queue.push({left, right, score, key.size()});
  };
  for (int i = 1; i < static_cast<int>(symbols.size()); ++i) try_add(i - 1, i);

  // Merge the best pair while there is one.
  while (!queue.empty()) {
    const Bigram b = queue.top();
    queue.pop();
    Symbol& l = symbols[static_cast<size_t>(b.left)];
    Symbol& r = symbols[static_cast<size_t>(b.right)];
    if (l.n == 0 || r.n == 0 || l.n + r.n != b.size) continue;  // one of them merged since
    l.n += r.n;
    r.n = 0;
    l.next = r.next;
    if (r.next >= 0) symbols[static_cast<size_t>(r.next)].prev = b.left;
    try_add(l.prev, b.left);
    try_add(b.left, l.next);
  }

  // Each final symbol is a token (every merge made one) or, for a symbol that was never merged and is
  // not a token itself, its bytes as byte tokens. (llama.cpp's resegment would also split a symbol it
  // had merged, but a merged symbol is always a token.)
  std::vector<int32_t> ids;
  for (int i = symbols.empty() ? -1 : 0; i != -1; i = symbols[static_cast<size_t>(i)].next) {
    const Symbol& s = symbols[static_cast<size_t>(i)];
    key.assign(text.data() + s.offset, s.n);
    const auto it = index_.find(key);
    if (it != index_.end()) {
      ids.push_back(it->second);
      continue;
    }
    for (size_t k = 0; k < s.n; ++k) {
      const unsigned char byte = static_cast<unsigned char>(text[s.offset + k]);
      int32_t id = byte_token_[byte];
      if (id < 0) id = vocab_.unk_id;  // llama.cpp would throw here; UNK is what SentencePiece writes
      if (id < 0) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "%02X", byte);
        return std::string("the vocabulary has no byte token <0x") + hex +
               "> and no unknown token for byte 0x" + hex + " of the text";
      }
      ids.push_back(id);
    }
  }
  out->insert(out->end(), ids.begin(), ids.end());
  return "";
}

}  // namespace ap
