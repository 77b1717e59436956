// llama2.c's tokenizer: run.c's encode() and decode(), with the same results.
#include <queue>
#include <string>

#include "tokenizer/tokenizer.h"

namespace ap {
namespace {

struct Pair {
  int left, right;            // positions in the token sequence
  int32_t left_id, right_id;  // their tokens when queued (a pair is stale once either changed)
  float score;                // of the merged token
  int32_t merged;             // its id
};

// Highest score first; equal scores: leftmost first (run.c keeps the first best pair it meets).
struct Lower {
  bool operator()(const Pair& l, const Pair& r) const {
    return l.score < r.score || (l.score == r.score && l.left > r.left);
  }
};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string Tokenizer::tokenize_llama2c(std::string_view text, bool bos, bool eos,
                                        std::vector<int32_t>* out) const {
  std::vector<int32_t> tokens;
  if (bos) tokens.push_back(vocab_.bos_id);
  // run.c: "add_dummy_prefix is true by default": a " " token before any non-empty text.
  if (!text.empty()) {
    const int32_t space = find(" ");
    if (space < 0) return "the vocabulary has no ' ' token, which llama2.c puts before the text";
    tokens.push_back(space);
  }
  // One token per UTF-8 sequence (a byte that is no continuation byte starts one; at most 4 bytes), or
  // its bytes as tokens 3 + byte when the sequence is no token. Unlike run.c, which stops at the first
  // NUL byte, a NUL is a byte like the others.
  std::string buf;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) != 0x80) buf.clear();
    buf.push_back(static_cast<char>(c));
    if (i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80 && buf.size() < 4)
      continue;
    if (const int32_t id = find(buf); id >= 0) {
      tokens.push_back(id);
    } else {
      for (char b : buf) {
        const int32_t id = 3 + static_cast<unsigned char>(b);
        if (id >= size()) {
          return "byte fallback needs token " + std::to_string(id) + " but the vocabulary has " +
                 std::to_string(size()) + " tokens";
        }
        tokens.push_back(id);
      }
    }
    buf.clear();
  }

  // Merge the best-scoring adjacent pair until none is left. run.c rescans the whole sequence after
  // each merge (quadratic); a queue of the current pairs gives the same merges in the same order.
  const int n = static_cast<int>(tokens.size());
  std::vector<int> next(static_cast<size_t>(n)), prev(static_cast<size_t>(n));
  std::vector<bool> alive(static_cast<size_t>(n), true);
  for (int i = 0; i < n; ++i)
    next[static_cast<size_t>(i)] = i + 1 < n ? i + 1 : -1, prev[static_cast<size_t>(i)] = i - 1;
  std::priority_queue<Pair, std::vector<Pair>, Lower> queue;
  auto try_add = [&](int left, int right) {
    if (left < 0 || right < 0) return;
    const int32_t a = tokens[static_cast<size_t>(left)], b = tokens[static_cast<size_t>(right)];
    const int32_t id = find(vocab_.tokens[static_cast<size_t>(a)] + vocab_.tokens[static_cast<size_t>(b)]);
    if (id < 0) return;
    const float score = vocab_.scores.empty() ? 0.0f : vocab_.scores[static_cast<size_t>(id)];
    if (!(score > -1e10f)) return;  // run.c's best_score starts at -1e10: lower scores never merge
    queue.push({left, right, a, b, score, id});
  };
  for (int i = 0; i + 1 < n; ++i) try_add(i, i + 1);
  while (!queue.empty()) {
    const Pair p = queue.top();
    queue.pop();
    const size_t l = static_cast<size_t>(p.left), r = static_cast<size_t>(p.right);
    if (!alive[l] || !alive[r] || next[l] != p.right || tokens[l] != p.left_id || tokens[r] != p.right_id)
      continue;
    tokens[l] = p.merged;
    alive[r] = false;
    next[l] = next[r];
    if (next[r] >= 0) prev[static_cast<size_t>(next[r])] = p.left;
    try_add(prev[l], p.left);
    try_add(p.left, next[l]);
  }
  for (int i = 0; i < n; ++i) {
    if (alive[static_cast<size_t>(i)]) out->push_back(tokens[static_cast<size_t>(i)]);
  }
  if (eos) out->push_back(vocab_.eos_id);
  return "";
}

std::string Tokenizer::piece_llama2c(int32_t prev, int32_t id, bool special) const {
  if (!special && (attr_[static_cast<size_t>(id)] & (kUnknown | kControl))) return "";
  const std::string& text = vocab_.tokens[static_cast<size_t>(id)];
  size_t start = 0;
  // run.c: "following BOS (1) token, sentencepiece decoder strips any leading whitespace"
  if (prev == vocab_.bos_id && !text.empty() && text[0] == ' ') start = 1;
  // Byte tokens look like <0x0A>: run.c's sscanf("<0x%02hhX>") takes one or two hex digits.
  if (text.compare(start, 3, "<0x") == 0 && text.size() > start + 3) {
    const int hi = hex_digit(text[start + 3]);
    if (hi >= 0) {
      const int lo = text.size() > start + 4 ? hex_digit(text[start + 4]) : -1;
      return std::string(1, static_cast<char>(lo >= 0 ? hi * 16 + lo : hi));
    }
  }
  return text.substr(start);
}

}  // namespace ap
