// UTF-8 decoding and category lookup (see unicode.h).
#include "tokenizer/unicode.h"

#include <algorithm>

namespace ap::unicode {

uint8_t category(uint32_t cpt) {
  if (cpt > kMaxCodePoint) return kUndefined;
  // Last range whose start is ≤ cpt (the first range starts at 0).
  const CategoryRange* end = kCategoryRanges + kCategoryRangeCount;
  const CategoryRange* it = std::upper_bound(kCategoryRanges, end, cpt,
                                             [](uint32_t c, const CategoryRange& r) { return c < r.start; });
  return (it - 1)->category;
}

bool is_whitespace(uint32_t cpt) {
  if (cpt <= 0x20) return cpt == 0x20 || (cpt >= 0x09 && cpt <= 0x0D);
  if (cpt < 0x85) return false;
  return cpt == 0x85 || cpt == 0xA0 || cpt == 0x1680 || (cpt >= 0x2000 && cpt <= 0x200A) || cpt == 0x2028 ||
         cpt == 0x2029 || cpt == 0x202F || cpt == 0x205F || cpt == 0x3000;
}

size_t utf8_len(char lead) {
  static const uint8_t kLengths[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return kLengths[static_cast<uint8_t>(lead) >> 4];
}

std::vector<uint32_t> decode_utf8(std::string_view text) {
  std::vector<uint32_t> out;
  out.reserve(text.size());
  const size_t n = text.size();
  auto cont = [&](size_t i) { return i < n && (static_cast<uint8_t>(text[i]) & 0xC0) == 0x80; };
  size_t i = 0;
  while (i < n) {
    const uint8_t b = static_cast<uint8_t>(text[i]);
    if (b < 0x80) {
      out.push_back(b);
      i += 1;
    } else if ((b & 0xE0) == 0xC0 && cont(i + 1)) {  // 110xxxxx 10xxxxxx
      out.push_back(((b & 0x1Fu) << 6) | (static_cast<uint8_t>(text[i + 1]) & 0x3Fu));
      i += 2;
    } else if ((b & 0xF0) == 0xE0 && cont(i + 1) && cont(i + 2)) {
      out.push_back(((b & 0x0Fu) << 12) | ((static_cast<uint8_t>(text[i + 1]) & 0x3Fu) << 6) |
                    (static_cast<uint8_t>(text[i + 2]) & 0x3Fu));
      i += 3;
    } else if ((b & 0xF8) == 0xF0 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
      const uint32_t c = ((b & 0x07u) << 18) | ((static_cast<uint8_t>(text[i + 1]) & 0x3Fu) << 12) |
                         ((static_cast<uint8_t>(text[i + 2]) & 0x3Fu) << 6) |
                         (static_cast<uint8_t>(text[i + 3]) & 0x3Fu);
      out.push_back(c <= kMaxCodePoint ? c : kReplacement);
      i += 4;
    } else {
      out.push_back(kReplacement);  // a continuation byte alone, a cut sequence, or 0xF8–0xFF
      i += 1;
    }
  }
  return out;
}

void append_utf8(uint32_t cpt, std::string* out) {
  if (cpt <= 0x7F) {
    out->push_back(static_cast<char>(cpt));
  } else if (cpt <= 0x7FF) {
    out->push_back(static_cast<char>(0xC0 | (cpt >> 6)));
    out->push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  } else if (cpt <= 0xFFFF) {
    out->push_back(static_cast<char>(0xE0 | (cpt >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cpt >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | ((cpt >> 18) & 0x07)));
    out->push_back(static_cast<char>(0x80 | ((cpt >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cpt >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  }
}

long long first_invalid_utf8(std::string_view s) {
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const uint8_t b = static_cast<uint8_t>(s[i]);
    size_t len;
    uint32_t c, min;
    if (b < 0x80) {
      i += 1;
      continue;
    } else if ((b & 0xE0) == 0xC0) {
      len = 2, c = b & 0x1Fu, min = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3, c = b & 0x0Fu, min = 0x800;
    } else if ((b & 0xF8) == 0xF0) {
      len = 4, c = b & 0x07u, min = 0x10000;
    } else {
      return static_cast<long long>(i);
    }
    if (i + len > n) return static_cast<long long>(i);
    for (size_t k = 1; k < len; ++k) {
      const uint8_t t = static_cast<uint8_t>(s[i + k]);
      if ((t & 0xC0) != 0x80) return static_cast<long long>(i);
      c = (c << 6) | (t & 0x3Fu);
    }
    if (c < min || c > kMaxCodePoint || (c >= 0xD800 && c <= 0xDFFF)) return static_cast<long long>(i);
    i += len;
  }
  return -1;
}

}  // namespace ap::unicode
