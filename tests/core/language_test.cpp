// The built-in language (train/language.h): its vocabulary holds every word of the page's example
// sentences (read from web/ itself), the tokenizer marks what is outside it and drops nothing,
// generation is deterministic from the seed, agreement is always right, and the annotations point at
// the words they name. The checks of the generated text use their own reading of English (plural
// nouns end in s or are irregular, singular verbs end in s), not the generator's tables.
#include "train/language.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#ifndef AP_TEST_SOURCE_DIR
#error "AP_TEST_SOURCE_DIR (the repository) must be defined by CMakeLists.txt"
#endif

namespace {

using ap::train::Language;
using ap::train::Sentence;
using ap::train::SentenceKind;

std::string read(const std::string& relative) {
  std::ifstream in(std::string(AP_TEST_SOURCE_DIR) + "/" + relative, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The JavaScript string literals ('…' or "…", with \ escapes) in text[begin, end).
std::vector<std::string> literals(const std::string& text, size_t begin, size_t end) {
  std::vector<std::string> out;
  for (size_t i = begin; i < end; ++i) {
    const char q = text[i];
    if (q != '\'' && q != '"') continue;
    std::string s;
    for (++i; i < end && text[i] != q; ++i) {
      if (text[i] == '\\' && i + 1 < end) ++i;
      s += text[i];
    }
    out.push_back(s);
  }
  return out;
}

// The sentences the page and the widget offer: the examples menu (i18n.js), the page's default
// sentence (state.js), the widget's default (attributes.js) and the examples page's.
std::vector<std::string> page_sentences() {
  std::vector<std::string> out;
  const std::string i18n = read("web/page/i18n/i18n.js");
  const size_t open = i18n.find("en['examples'] = [");
  REQUIRE(open != std::string::npos);
  const size_t close = i18n.find("];", open);
  for (auto& s : literals(i18n, open + 18, close)) out.push_back(s);
  REQUIRE(out.size() >= 4);
  auto one = [&](const std::string& file, const std::string& key) {
    const std::string text = read(file);
    const size_t at = text.find(key);
    REQUIRE(at != std::string::npos);
    const auto found = literals(text, at + key.size(), text.find('\n', at));
    REQUIRE(found.size() == 1);
    out.push_back(found[0]);
  };
  one("web/page/state.js", "const SENTENCE =");
  one("web/widget/attributes.js", "  sentence:");
  const std::string html = read("web/examples/index.html");
  for (size_t at = html.find("sentence=\""); at != std::string::npos; at = html.find("sentence=\"", at + 1))
    out.push_back(html.substr(at + 10, html.find('"', at + 10) - at - 10));
  return out;
}

bool ascii(const std::string& s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

const std::set<std::string> kIrregularPlurals = {"mice", "children", "men", "women"};
bool ends_in_s(const std::string& w) { return !w.empty() && w.back() == 's'; }
bool plural_noun(const std::string& w) { return ends_in_s(w) || kIrregularPlurals.count(w); }

std::vector<std::string> words_of(const Language& lang, const Sentence& s) {
  std::vector<std::string> w;
  for (int32_t id : s.ids) w.push_back(lang.tokens()[size_t(id)]);
  return w;
}

bool digit(const std::string& w) { return w.size() == 1 && w[0] >= '0' && w[0] <= '9'; }

}  // namespace

TEST_CASE("language: every word of the page's example sentences is in the vocabulary", "[train][language]") {
  const Language lang;
  CHECK(lang.size() >= 200);
  CHECK(lang.size() <= 600);
  const auto sentences = page_sentences();
  int english = 0;
  for (const std::string& s : sentences) {
    const auto tokens = lang.tokenize(s);
    REQUIRE(!tokens.empty());
    if (ascii(s)) ++english;
    for (const auto& t : tokens) {
      const std::string text = s.substr(t.begin, t.end - t.begin);
      INFO("sentence \"" << s << "\", token \"" << text << "\"");
      // ASCII words, digits and punctuation are the language's; CJK characters and emoji are not,
      // and are kept as unknown tokens.
      CHECK(t.known == ascii(text));
    }
  }
  CHECK(english >= 6);  // the English examples, the two defaults and the examples page's
  const auto animal = lang.tokenize("The animal didn't cross the street because it was too tired");
  REQUIRE(animal.size() == 11);
  CHECK(lang.tokens()[size_t(animal[2].id)] == "didn't");
}

TEST_CASE("language: the tokenizer marks unknown words and keeps every one", "[train][language]") {
  const Language lang;
  const std::string text = "The  zebra sat, on 12 mats \xE6\x88\x91 \xFF!";
  const auto t = lang.tokenize(text);
  std::vector<std::string> pieces;
  for (const auto& k : t) pieces.push_back(text.substr(k.begin, k.end - k.begin));
  CHECK(pieces == std::vector<std::string>{"The", "zebra", "sat", ",", "on", "1", "2", "mats", "\xE6\x88\x91",
                                           "\xFF", "!"});
  std::vector<bool> known;
  for (const auto& k : t) known.push_back(k.known);
  CHECK(known == std::vector<bool>{true, false, true, true, true, true, true, true, false, false, true});
  CHECK(t[1].id == lang.unk());
  CHECK(t[0].id == lang.id("the"));
  CHECK(lang.tokens()[size_t(lang.bos())] == "<s>");
  CHECK(lang.id("zebra") == -1);
  CHECK(lang.tokenize("").empty());
  CHECK(lang.tokenize("   \n").empty());
  // A quote at a word's edge is punctuation; inside a word it stays.
  const auto q = lang.tokenize("'didn't'");
  REQUIRE(q.size() == 3);
  CHECK(q[1].id == lang.id("didn't"));
  CHECK(q[0].id == lang.id("'"));
  // A truncated UTF-8 sequence at the end: one unknown token per byte, nothing read past the end.
  const auto cut = lang.tokenize("a \xE6\x88");
  REQUIRE(cut.size() == 3);
  CHECK(!cut[1].known);
  CHECK(cut[2].end == 4);
}

TEST_CASE("language: the same seed gives the same sentences; text tokenizes back to its ids",
          "[train][language]") {
  const Language lang;
  const auto a = lang.generate(7, 300), b = lang.generate(7, 300), c = lang.generate(8, 300);
  REQUIRE(a.size() == 300);
  int differ = 0;
  std::map<SentenceKind, int> kinds;
  for (size_t k = 0; k < a.size(); ++k) {
    CHECK(a[k].ids == b[k].ids);
    CHECK(a[k].text == b[k].text);
    differ += a[k].ids != c[k].ids;
    kinds[a[k].kind] += 1;
    INFO(a[k].text);
    const auto t = lang.tokenize(a[k].text);
    std::vector<int32_t> ids;
    for (const auto& x : t) {
      CHECK(x.known);
      ids.push_back(x.id);
    }
    CHECK(ids == a[k].ids);
  }
  CHECK(differ > 250);
  CHECK(kinds.size() == size_t(ap::train::kSentenceKinds));
  for (const auto& [kind, n] : kinds) CHECK(n >= 20);
}

TEST_CASE("language: agreement is always right, and its annotations point at subject and verb",
          "[train][language]") {
  const Language lang;
  const std::set<std::string> prepositions = {"to",    "of", "on",   "in",   "near",  "behind",
                                              "under", "by", "with", "from", "beside"};
  int checked = 0, across = 0, counted = 0;
  for (const Sentence& s : lang.generate(2026, 600)) {
    const auto w = words_of(lang, s);
    INFO(s.text);
    const bool agreeing =
        s.kind == SentenceKind::Agreement || s.kind == SentenceKind::Bracket || s.kind == SentenceKind::Quote;
    CHECK(agreeing == !s.agreement.empty());
    for (const auto& a : s.agreement) {
      REQUIRE(a.subject >= 0);
      REQUIRE(a.subject < a.verb);
      REQUIRE(a.verb < int(w.size()));
      const std::string& subject = w[size_t(a.subject)];
      const std::string& verb = w[size_t(a.verb)];
      // The subject is a noun: the word before it is a determiner or an adjective, never a verb.
      CHECK(subject != "is");
      // Singular verbs end in s (is, was, has, sits …), plural ones do not (are, were, have, sit …).
      CHECK(ends_in_s(verb) == !plural_noun(subject));
      ++checked;
    }
    if (s.kind == SentenceKind::Agreement || s.kind == SentenceKind::Bracket) {
      // The first link is the main clause: a distractor phrase (a preposition, in brackets for
      // Bracket) sits between the subject and its verb.
      const auto& a = s.agreement[0];
      const size_t after = size_t(a.subject) + (s.kind == SentenceKind::Bracket ? 2 : 1);
      CHECK(prepositions.count(w[after]) == 1);
      if (s.kind == SentenceKind::Bracket) CHECK(w[size_t(a.subject) + 1] == "(");
      // the distractor noun: the last word before the verb (or before ')')
      const std::string& distractor = w[size_t(a.verb) - (s.kind == SentenceKind::Bracket ? 2 : 1)];
      across += plural_noun(distractor) != plural_noun(w[size_t(a.subject)]);
    }
    if (s.kind == SentenceKind::Counting) {  // "1 parrot", "12 parrots": the word after a number
      const std::set<std::string> months = {"january",   "february", "march",    "april",
                                            "may",       "june",     "july",     "august",
                                            "september", "october",  "november", "december"};
      for (size_t i = 0; i < w.size();) {
        if (!digit(w[i])) {
          ++i;
          continue;
        }
        std::string run;
        for (; i < w.size() && digit(w[i]); ++i) run += w[i];
        if (i == w.size() || months.count(w[i]) || w[i] == "!" || w[i] == ".") continue;  // a day, a year
        CHECK(plural_noun(w[i]) == (run != "1"));
        ++counted;
      }
    }
  }
  CHECK(checked > 200);
  CHECK(across > 100);  // the distractor's number usually differs from the subject's
  CHECK(counted > 100);
}

TEST_CASE("language: a pronoun's annotation names the noun its adjective fits", "[train][language]") {
  const Language lang;
  // The adjectives this test knows the meaning of: whom "it was too …" is about.
  const std::set<std::string> of_agent = {"tired", "sleepy", "scared", "weak", "lazy", "young"};
  const std::set<std::string> of_patient = {"dangerous", "small", "narrow", "soft", "warm", "heavy"};
  int pronouns = 0, agent = 0, patient = 0, wide = 0;
  for (const Sentence& s : lang.generate(99, 700)) {
    const auto w = words_of(lang, s);
    INFO(s.text);
    CHECK((s.kind == SentenceKind::Pronoun) == !s.antecedents.empty());
    for (const auto& a : s.antecedents) {
      REQUIRE(a.noun >= 1);
      REQUIRE(a.noun < a.pronoun);
      REQUIRE(a.pronoun + 2 < int(w.size()));
      const std::string& pronoun = w[size_t(a.pronoun)];
      const std::string& noun = w[size_t(a.noun)];
      REQUIRE((pronoun == "it" || pronoun == "they"));
      CHECK(w[size_t(a.noun) - 1] == "the");
      CHECK(plural_noun(noun) == (pronoun == "they"));
      CHECK(w[size_t(a.pronoun) - 1] == "because");
      CHECK(w[size_t(a.pronoun) + 1] == (pronoun == "they" ? "were" : "was"));
      // The agent is the sentence's second word ("the animal …"), the patient the word before "because".
      const bool about_agent = a.noun == 1;
      CHECK((about_agent || a.noun == a.pronoun - 2));
      std::string adjective = w[size_t(a.pronoun) + 2];
      if (adjective == "too") adjective = w[size_t(a.pronoun) + 3];
      // "wide" is about the street one crosses but the thing that does not fit: the verb decides.
      if (adjective == "wide") {
        const bool fit = std::find(w.begin(), w.end(), "fit") != w.end();
        const bool cross = std::find(w.begin(), w.end(), "cross") != w.end();
        CHECK(fit != cross);
        CHECK(about_agent == fit);
        ++wide;
      }
      if (of_agent.count(adjective)) {
        CHECK(about_agent);
        ++agent;
      }
      if (of_patient.count(adjective)) {
        CHECK(!about_agent);
        ++patient;
      }
      ++pronouns;
    }
  }
  CHECK(pronouns > 50);
  CHECK(agent > 10);
  CHECK(patient > 10);
  CHECK(wide > 2);
}
