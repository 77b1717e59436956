// UTF-8 and Unicode categories as llama.cpp's unicode.cpp uses them for tokenizing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ap::unicode {

// General-category flags (llama.cpp's unicode_cpt_flags values): exactly one per code point.
enum Category : uint8_t {
  kUndefined = 0x01,    // Cn: not assigned
  kNumber = 0x02,       // \p{N}
  kLetter = 0x04,       // \p{L}
  kSeparator = 0x08,    // \p{Z}
  kMark = 0x10,         // \p{M}
  kPunctuation = 0x20,  // \p{P}
  kSymbol = 0x40,       // \p{S}
  kControl = 0x80,      // \p{C}: Cc, Cf, Co, Cs
};

struct CategoryRange {
  uint32_t start;  // first code point of the range; the range ends where the next one starts
  uint8_t category;
};
// The generated table (unicode_table.cpp, from UnicodeData.txt), sorted by start, first start 0.
extern const CategoryRange kCategoryRanges[];
extern const size_t kCategoryRangeCount;

inline constexpr uint32_t kReplacement = 0xFFFD;
inline constexpr uint32_t kMaxCodePoint = 0x10FFFF;

// Category of a code point; kUndefined past U+10FFFF.
uint8_t category(uint32_t cpt);
// Unicode White_Space (PropList.txt): U+0009–000D, 0020, 0085, 00A0, 1680, 2000–200A, 2028, 2029,
// 202F, 205F, 3000. (U+001C–001F are not: they are controls.)
bool is_whitespace(uint32_t cpt);

// Bytes of the UTF-8 sequence a lead byte starts (1 for ASCII and for continuation bytes, 4 for
// 0xF0–0xFF), as llama.cpp's unicode_len_utf8: the SPM tokenizer splits text into symbols with it.
size_t utf8_len(char lead);

// Code points of UTF-8 text, as llama.cpp decodes it: a byte that does not start a complete sequence
// becomes U+FFFD and decoding goes on at the next byte. (Like llama.cpp, overlong forms and surrogates
// are decoded as written; unlike it, a 4-byte form above U+10FFFF becomes U+FFFD, where llama.cpp's
// re-encoding would throw.)
std::vector<uint32_t> decode_utf8(std::string_view text);
// Appends the UTF-8 form of cpt (≤ U+10FFFF) to *out.
void append_utf8(uint32_t cpt, std::string* out);

// Index of the first byte of s that is not part of valid UTF-8 (no overlong forms, surrogates or code
// points above U+10FFFF), or -1 when s is valid.
long long first_invalid_utf8(std::string_view s);

}  // namespace ap::unicode
