// The labels tokenizer (VocabKind::Labels, see tokenizer.h): a file whose tokenizer.ggml.model is
// "none" but which names its tokens (tokenizer.ggml.tokens), as the project's toy tasks do ("a" …
// "h", "SEP", brackets). A text is those names with white space between them; nothing is merged,
// nothing is added, and a piece that is no label is an error naming it.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace ap {
namespace {

// A vocabulary of at most this many labels is listed whole in the message for a piece that is none
// of them (the toy tasks have 7 to 17); a larger one is listed up to this many.
constexpr size_t kListedLabels = 40;
// A piece is quoted up to this many bytes (cut at a character's start, so the message stays UTF-8).
constexpr size_t kQuotedBytes = 40;

std::string quote_piece(std::string_view piece) {
  if (piece.size() <= kQuotedBytes) return "'" + std::string(piece) + "'";
  size_t end = kQuotedBytes;
  while (end > 0 && (static_cast<unsigned char>(piece[end]) & 0xC0) == 0x80) --end;  // a continuation byte
  return "'" + std::string(piece.substr(0, end)) + "…'";
}

}  // namespace

std::string Tokenizer::tokenize_labels(std::string_view text, std::vector<int32_t>* out) const {
  size_t word = 0;
  for (size_t at = text.find_first_not_of(kLabelSpaces); at != std::string_view::npos;
       at = text.find_first_not_of(kLabelSpaces, at)) {
    const size_t end = std::min(text.find_first_of(kLabelSpaces, at), text.size());
    const std::string_view piece = text.substr(at, end - at);
    ++word;
    const int32_t id = find(piece);
    if (id < 0) {
      const size_t n = vocab_.tokens.size();
      std::string message = quote_piece(piece) + " (word " + std::to_string(word) +
                            " of the text) is not one of this model's " + std::to_string(n) +
                            " token labels; write labels separated by spaces: ";
      for (size_t i = 0; i < n && i < kListedLabels; ++i) message += (i ? " " : "") + vocab_.tokens[i];
      if (n > kListedLabels) message += " …";
      return message;
    }
    out->push_back(id);
    at = end;
  }
  return "";
}

std::string Tokenizer::detokenize_labels(const int32_t* ids, size_t n) const {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i) out += ' ';
    out += vocab_.tokens[static_cast<size_t>(ids[i])];  // ids were checked by detokenize()
  }
  return out;
}

}  // namespace ap
