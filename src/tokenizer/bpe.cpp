// GPT-2 byte-level BPE: llama.cpp's llm_tokenizer_bpe_session.
#include <algorithm>
#include <queue>
#include <string>

#include "tokenizer/pretokenize.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"

namespace ap {
namespace {

struct Symbol {
  int prev, next;
  size_t offset, n;  // bytes of the byte-encoded word; n = 0 once merged into its left neighbour
};

struct Bigram {
  int left, right;
  std::string text;  // the two symbols' text when queued
  int rank;
};

// Lowest rank first; equal ranks: leftmost first.
struct Later {
  bool operator()(const Bigram& l, const Bigram& r) const {
    return l.rank > r.rank || (l.rank == r.rank && l.left > r.left);
  }
};

}  // namespace

void Tokenizer::tokenize_bpe(std::string_view text, std::vector<int32_t>* out) const {
  for (const std::string& raw : pre_tokenize(pre_.split, text)) {
    const std::string word = byte_encode(raw);
    if (pre_.ignore_merges) {
      if (const int32_t id = find(word); id >= 0) {
        out->push_back(id);
        continue;
      }
    }
    std::vector<Symbol> symbols;
    for (size_t off = 0; off < word.size();) {
      const size_t len = std::min(unicode::utf8_len(word[off]), word.size() - off);
      const int index = static_cast<int>(symbols.size());
      symbols.push_back({index - 1, off + len == word.size() ? -1 : index + 1, off, len});
      off += len;
    }
    auto text_of = [&](const Symbol& s) { return word.substr(s.offset, s.n); };
    std::priority_queue<Bigram, std::vector<Bigram>, Later> queue;
    auto try_add = [&](int left, int right) {
      if (left < 0 || right < 0) return;
      std::string l = text_of(symbols[static_cast<size_t>(left)]);
      std::string r = text_of(symbols[static_cast<size_t>(right)]);
      const int found = rank(l, r);
      if (found < 0) return;
      queue.push({left, right, l + r, found});
    };
    for (int i = 1; i < static_cast<int>(symbols.size()); ++i) try_add(i - 1, i);
    while (!queue.empty()) {
      const Bigram b = queue.top();
      queue.pop();
      Symbol& l = symbols[static_cast<size_t>(b.left)];
      Symbol& r = symbols[static_cast<size_t>(b.right)];
      if (l.n == 0 || r.n == 0) continue;
      if (word.compare(l.offset, l.n + r.n, b.text) != 0 || l.offset + l.n != r.offset) continue;  // outdated
      l.n += r.n;
      r.n = 0;
      l.next = r.next;
      if (r.next >= 0) symbols[static_cast<size_t>(r.next)].prev = b.left;
      try_add(l.prev, b.left);
      try_add(b.left, l.next);
    }
    for (int i = symbols.empty() ? -1 : 0; i != -1; i = symbols[static_cast<size_t>(i)].next) {
      const Symbol& s = symbols[static_cast<size_t>(i)];
      const std::string str = text_of(s);
      if (const int32_t id = find(str); id >= 0) {
        out->push_back(id);
        continue;
      }
      // Not a token: each byte of its spelling as a one-byte token, if the vocabulary has it (llama.cpp
      // drops the bytes it has no token for).
      for (char c : str) {
        if (const int32_t id = find(std::string(1, c)); id >= 0) out->push_back(id);
      }
    }
  }
}

}  // namespace ap
