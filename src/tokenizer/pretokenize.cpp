// The pre-tokenizer splitters (see pretokenize.h). Each matcher follows llama.cpp: GPT-2's and
// Llama 3's patterns as its hand-written unicode_regex_split_custom_gpt2 / _llama3 scan them, and the
// others as std::regex (ECMAScript, leftmost match, first alternative that succeeds) matches them on
// its "collapsed" text, where unmatched stretches between two matches become one piece.
#include "tokenizer/pretokenize.h"

#include <array>
#include <cstdint>

#include "tokenizer/unicode.h"

namespace ap {
namespace {

using unicode::Category;

// What the matchers need of each code point: its category and whether it is white space. Positions
// outside the piece being split read as `none` (no flag set), like llama.cpp's OUT_OF_RANGE.
struct Flags {
  uint8_t category = 0;
  bool space = false;
  bool letter() const { return category == unicode::kLetter; }
  bool number() const { return category == unicode::kNumber; }
  bool any() const { return category != 0; }
  // [^\s\p{L}\p{N}]: anything else (punctuation, symbols, marks, controls, unassigned)
  bool other() const { return any() && !space && !letter() && !number(); }
};

struct Text {
  std::vector<uint32_t> cpts;  // (n) code points
  std::vector<Flags> flags;    // (n)
};

// A piece [begin, end) of the text being split; reads outside it give 0 / no flags.
struct Piece {
  const Text& t;
  size_t begin, end;
  static constexpr uint32_t kOut = 0xFFFFFFFF;
  uint32_t cpt(size_t i) const { return i >= begin && i < end ? t.cpts[i] : kOut; }
  Flags flags(size_t i) const { return i >= begin && i < end ? t.flags[i] : Flags{}; }
};

bool is_rn(uint32_t c) { return c == '\r' || c == '\n'; }
uint32_t ascii_lower(uint32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

// Length of a contraction 's 't 're 've 'm 'll 'd at i (0 if none); case-insensitive for Llama 3.
size_t contraction(const Piece& p, size_t i, bool any_case) {
  if (p.cpt(i) != '\'' || i + 1 >= p.end) return 0;
  auto low = [&](size_t k) { return any_case ? ascii_lower(p.cpt(k)) : p.cpt(k); };
  const uint32_t a = low(i + 1);
  if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
  if (i + 2 < p.end) {
    const uint32_t b = low(i + 2);
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
  }
  return 0;
}

// White space run starting at i: its end, and one past its last \r or \n (0 if none).
void space_run(const Piece& p, size_t i, size_t* end, size_t* last_rn) {
  size_t k = i;
  *last_rn = 0;
  while (p.flags(k).space) {
    if (is_rn(p.cpt(k))) *last_rn = k + 1;
    ++k;
  }
  *end = k;
}

// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ — every position matches,
// so the piece is cut into consecutive words.
void split_gpt2(const Piece& p, std::vector<size_t>* lengths) {
  size_t prev = p.begin;
  auto cut = [&](size_t end) {
    if (end > prev) lengths->push_back(end - prev);
    prev = end;
  };
  for (size_t i = p.begin; i < p.end;) {
    if (size_t c = contraction(p, i, false)) {
      i += c;
      cut(i);
      continue;
    }
    const uint32_t c0 = p.cpt(i);
    const Flags f = c0 == ' ' ? p.flags(i + 1) : p.flags(i);  // the class after an optional space
    if (f.letter() || f.number() || f.other()) {
      const bool letter = f.letter(), number = f.number();
      i += c0 == ' ';
      while (letter ? p.flags(i).letter() : number ? p.flags(i).number() : p.flags(i).other()) ++i;
      cut(i);
      continue;
    }
    size_t end, last_rn;
    space_run(p, i, &end, &last_rn);
    if (end - i > 1 && p.cpt(end) != Piece::kOut) {  // \s+(?!\S): all but the last space before a word
      i = end - 1;
      cut(i);
    } else if (end > i) {  // \s+
      i = end;
      cut(i);
    } else {
      cut(++i);  // nothing matched (cannot happen: every code point has a category)
    }
  }
}

// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,max_digits}| ?[^\s\p{L}\p{N}]+[\r\n]*|
// \s*[\r\n]+|\s+(?!\S)|\s+ — Llama 3's (max_digits 3) and Qwen2's (1); every position matches.
void split_llama3(const Piece& p, size_t max_digits, std::vector<size_t>* lengths) {
  size_t prev = p.begin;
  auto cut = [&](size_t end) {
    if (end > prev) lengths->push_back(end - prev);
    prev = end;
  };
  for (size_t i = p.begin; i < p.end;) {
    const uint32_t c0 = p.cpt(i);
    const Flags f0 = p.flags(i);
    if (size_t c = contraction(p, i, true)) {
      i += c;
      cut(i);
      continue;
    }
    // [^\r\n\p{L}\p{N}]?\p{L}+
    if (!is_rn(c0) && !f0.number() && (f0.letter() || p.flags(i + 1).letter())) {
      ++i;
      while (p.flags(i).letter()) ++i;
      cut(i);
      continue;
    }
    // \p{N}{1,max_digits}
    if (f0.number()) {
      size_t start = i;
      while (p.flags(i).number()) {
        if (++i - start >= max_digits) {
          cut(i);
          start = i;
        }
      }
      cut(i);
      continue;
    }
    // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
    if ((c0 == ' ' ? p.flags(i + 1) : f0).other()) {
      i += c0 == ' ';
      while (p.flags(i).other()) ++i;
      while (is_rn(p.cpt(i))) ++i;
      cut(i);
      continue;
    }
    size_t end, last_rn;
    space_run(p, i, &end, &last_rn);
    if (last_rn > 0) {  // \s*[\r\n]+: up to the last line break of the run
      i = last_rn;
      cut(i);
    } else if (end - i > 1 && p.cpt(end) != Piece::kOut) {  // \s+(?!\S)
      i = end - 1;
      cut(i);
    } else if (end > i) {  // \s+
      i = end;
      cut(i);
    } else {
      cut(++i);
    }
  }
}

// std::regex-style splitting by a pattern whose match at i is given by match(p, i) (its end, or i when
// the pattern does not match there): matches and the unmatched stretches between them become pieces.
template <typename Match>
void split_regex(const Piece& p, Match match, std::vector<size_t>* lengths) {
  size_t gap = p.begin;
  for (size_t i = p.begin; i < p.end;) {
    const size_t end = match(p, i);
    if (end == i) {
      ++i;
      continue;
    }
    if (i > gap) lengths->push_back(i - gap);
    lengths->push_back(end - i);
    i = gap = end;
  }
  if (p.end > gap) lengths->push_back(p.end - gap);
}

// [\p{P}\$\+<=>\^~\|]+
size_t match_punctuation(const Piece& p, size_t i) {
  auto in = [&](size_t k) {
    const uint32_t c = p.cpt(k);
    if (c == Piece::kOut) return false;
    return p.flags(k).category == unicode::kPunctuation || c == '$' || c == '+' || c == '<' || c == '=' ||
           c == '>' || c == '^' || c == '~' || c == '|';
  };
  while (in(i)) ++i;
  return i;
}
// \p{N}+
size_t match_numbers(const Piece& p, size_t i) {
  while (p.flags(i).number()) ++i;
  return i;
}
// \p{N}
size_t match_number(const Piece& p, size_t i) { return p.flags(i).number() ? i + 1 : i; }
// [0-9][0-9][0-9]
size_t match_three_digits(const Piece& p, size_t i) {
  for (size_t k = i; k < i + 3; ++k) {
    const uint32_t c = p.cpt(k);
    if (c < '0' || c > '9') return i;
  }
  return i + 3;
}

enum class Rule { Gpt2, Llama3, Qwen2, Punctuation, Numbers, Number, ThreeDigits };

void apply(Rule rule, const Text& t, std::vector<size_t>* lengths) {
  std::vector<size_t> out;
  out.reserve(lengths->size());
  size_t start = 0;
  for (size_t len : *lengths) {
    const Piece p{t, start, start + len};
    switch (rule) {
      case Rule::Gpt2:
        split_gpt2(p, &out);
        break;
      case Rule::Llama3:
        split_llama3(p, 3, &out);
        break;
      case Rule::Qwen2:
        split_llama3(p, 1, &out);
        break;
      case Rule::Punctuation:
        split_regex(p, match_punctuation, &out);
        break;
      case Rule::Numbers:
        split_regex(p, match_numbers, &out);
        break;
      case Rule::Number:
        split_regex(p, match_number, &out);
        break;
      case Rule::ThreeDigits:
        split_regex(p, match_three_digits, &out);
        break;
    }
    start += len;
  }
  lengths->swap(out);
}

std::array<std::string, 256> make_byte_map() {
  std::array<std::string, 256> map;
  int next = 256;
  for (int b = 0; b < 256; ++b) {
    const bool self = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    unicode::append_utf8(self ? static_cast<uint32_t>(b) : static_cast<uint32_t>(next++), &map[b]);
  }
  return map;
}

}  // namespace

std::vector<std::string> pre_tokenize(PreSplit split, std::string_view text) {
  Text t;
  t.cpts = unicode::decode_utf8(text);
  t.flags.resize(t.cpts.size());
  for (size_t i = 0; i < t.cpts.size(); ++i) {
    t.flags[i].category = unicode::category(t.cpts[i]);
    t.flags[i].space = unicode::is_whitespace(t.cpts[i]);
  }
  std::vector<size_t> lengths;
  if (!t.cpts.empty()) lengths.push_back(t.cpts.size());
  switch (split) {
    case PreSplit::Default:
      for (Rule r : {Rule::Punctuation, Rule::Gpt2, Rule::Numbers, Rule::ThreeDigits}) apply(r, t, &lengths);
      break;
    case PreSplit::Gpt2:
      apply(Rule::Gpt2, t, &lengths);
      break;
    case PreSplit::Llama3:
      apply(Rule::Llama3, t, &lengths);
      break;
    case PreSplit::Qwen2:
      apply(Rule::Qwen2, t, &lengths);
      break;
    case PreSplit::Digits:
      apply(Rule::Number, t, &lengths);
      apply(Rule::Gpt2, t, &lengths);
      break;
  }
  std::vector<std::string> words;
  words.reserve(lengths.size());
  size_t start = 0;
  for (size_t len : lengths) {
    std::string w;
    for (size_t i = start; i < start + len; ++i) unicode::append_utf8(t.cpts[i], &w);
    words.push_back(std::move(w));
    start += len;
  }
  return words;
}

const std::string& byte_to_unicode(unsigned char b) {
  static const std::array<std::string, 256> map = make_byte_map();
  return map[b];
}

int unicode_to_byte(uint32_t cpt) {
  if ((cpt >= 0x21 && cpt <= 0x7E) || (cpt >= 0xA1 && cpt <= 0xAC) || (cpt >= 0xAE && cpt <= 0xFF)) {
    return static_cast<int>(cpt);
  }
  if (cpt < 256 || cpt >= 256 + 68) return -1;
  // The 68 bytes outside the ranges above, in increasing order, took U+0100 … U+0143.
  int n = static_cast<int>(cpt) - 256;
  for (int b = 0; b < 256; ++b) {
    const bool self = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    if (!self && n-- == 0) return b;
  }
  return -1;
}

std::string byte_encode(std::string_view word) {
  std::string out;
  out.reserve(word.size() * 2);
  for (char c : word) out += byte_to_unicode(static_cast<unsigned char>(c));
  return out;
}

}  // namespace ap
