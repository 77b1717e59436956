// GPT-2 byte-level BPE's first two steps, as llama.cpp does them (unicode.cpp unicode_regex_split):
// split text into words by the pre-tokenizer's rules, then spell each word's bytes with the
// byte-to-unicode map. The regular expressions are not run through a regex engine (std::regex has no
// \p{L}): each is a hand-written matcher over code points and their Unicode categories.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/vocab.h"

namespace ap {

// Splits text into words (UTF-8) by the rules of `split`, applied in order, each splitting the pieces
// the previous one left (llama.cpp's offsets). Invalid UTF-8 bytes become U+FFFD first.
std::vector<std::string> pre_tokenize(PreSplit split, std::string_view text);

// GPT-2's byte-to-unicode map: bytes 0x21–0x7E, 0xA1–0xAC, 0xAE–0xFF stand for themselves, the other
// 68 for U+0100… in order (space = U+0120 Ġ, newline = U+010A Ċ). Returns the UTF-8 of byte b's char.
const std::string& byte_to_unicode(unsigned char b);
// The byte a code point of the map stands for, or -1 when it is not in the map.
int unicode_to_byte(uint32_t cpt);
// A word's bytes spelled with the map (the form of GPT-2 vocabulary tokens).
std::string byte_encode(std::string_view word);

}  // namespace ap
