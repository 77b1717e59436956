// The built-in English-like language: a few hundred words (every word of the page's English example
// sentences among them) in sentences whose next words need attention to be predicted:
//   agreement  — the verb agrees with a subject a distractor phrase away
//                ("the keys to the old cabinet are on the table .");
//   pronoun    — "it" / "they" refers to the noun the closing adjective fits
//                ("the animal didn't cross the street because it was too tired / too wide .");
//   names      — a name repeated from earlier in the sentence
//                ("when alice and bob went to the park , bob gave a ball to alice .");
//   quote      — a quoted clause whose closing quote must follow its opening one;
//   bracket    — a bracketed distractor, closed before the verb that agrees across it;
//   counting   — numbers (one token per digit) with singular or plural nouns
//                ("i saw 3 cats , 2 dogs & 1 parrot on 12 may 2024 !");
//   saying     — short fixed-frame sentences ("attention is all you need").
// Each sentence comes with annotations: for every agreeing verb its subject's position, for every
// pronoun its antecedent's, so the head detector's agreement and antecedent templates can be built.
//
// Text is word-level: lower-cased ASCII words (an apostrophe inside a word keeps it whole:
// "didn't"), one token per digit and per punctuation character. Generated text is its tokens joined
// by single spaces, and tokenizing it gives back exactly its ids.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ap::train {

enum class SentenceKind { Agreement, Pronoun, Names, Quote, Bracket, Counting, Saying };
inline constexpr int kSentenceKinds = 7;
const char* sentence_kind_name(SentenceKind kind);

// Positions are token indices within the sentence (0 = its first word; no BOS).
struct Agreement {
  int verb = 0, subject = 0;  // subject < verb
};
struct Antecedent {
  int pronoun = 0, noun = 0;  // noun < pronoun
};

struct Sentence {
  SentenceKind kind = SentenceKind::Saying;
  std::vector<int32_t> ids;  // (n) the tokens, no BOS
  std::string text;          // the tokens' texts joined by single spaces
  std::vector<Agreement> agreement;
  std::vector<Antecedent> antecedents;
};

// A token of a tokenized text: its id (the UNK id when the word is not in the vocabulary, so
// nothing is dropped) and where it is in the text.
struct Token {
  int32_t id = 0;
  bool known = true;          // false: out of the vocabulary (id is unk())
  size_t begin = 0, end = 0;  // byte offsets in the text, [begin, end)
};

class Language {
 public:
  Language();  // builds the vocabulary (the same on every platform)

  // ---- vocabulary: id → text; 0 <unk>, 1 <s> (BOS), 2 </s> (EOS), then punctuation, digits, words
  int32_t size() const { return static_cast<int32_t>(tokens_.size()); }
  const std::vector<std::string>& tokens() const { return tokens_; }
  int32_t unk() const { return 0; }
  int32_t bos() const { return 1; }
  int32_t eos() const { return 2; }
  // The id of a token's text (already lower case), or −1.
  int32_t id(std::string_view text) const;

  // Splits text into tokens: runs of ASCII letters (lower-cased; an apostrophe between letters
  // stays inside), each digit, each other ASCII non-space character, each non-ASCII character (a
  // UTF-8 sequence; a byte that starts none is one token). Tokens not in the vocabulary are kept,
  // with the UNK id and known = false.
  std::vector<Token> tokenize(std::string_view text) const;

  // `count` sentences from `seed`, kinds in turn at random; the same seed gives the same sentences
  // on every platform (integer arithmetic only).
  std::vector<Sentence> generate(uint64_t seed, int count) const;

 private:
  std::vector<std::string> tokens_;
  std::unordered_map<std::string, int32_t> index_;
  void add(std::string_view token);
  friend class Builder;
};

}  // namespace ap::train
