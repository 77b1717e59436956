#include "train/language.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>

namespace ap::train {

const char* sentence_kind_name(SentenceKind kind) {
  switch (kind) {
    case SentenceKind::Agreement:
      return "agreement";
    case SentenceKind::Pronoun:
      return "pronoun";
    case SentenceKind::Names:
      return "names";
    case SentenceKind::Quote:
      return "quote";
    case SentenceKind::Bracket:
      return "bracket";
    case SentenceKind::Counting:
      return "counting";
    case SentenceKind::Saying:
      return "saying";
  }
  return "?";
}

// ============================================================================
// The lexicon
// ============================================================================

namespace {

// What a noun names: which events it can take part in, and so which adjectives fit it.
enum Class { Animal, Person, Thing, Container, Crossing, Surface, Place, kClasses };

struct Noun {
  const char* sg;
  const char* pl;
  Class cls;
};

const Noun kNouns[] = {
    {"animal", "animals", Animal},    {"cat", "cats", Animal},          {"dog", "dogs", Animal},
    {"parrot", "parrots", Animal},    {"bird", "birds", Animal},        {"horse", "horses", Animal},
    {"mouse", "mice", Animal},        {"fox", "foxes", Animal},         {"rabbit", "rabbits", Animal},
    {"cow", "cows", Animal},          {"goat", "goats", Animal},        {"duck", "ducks", Animal},
    {"teacher", "teachers", Person},  {"child", "children", Person},    {"doctor", "doctors", Person},
    {"farmer", "farmers", Person},    {"girl", "girls", Person},        {"boy", "boys", Person},
    {"friend", "friends", Person},    {"man", "men", Person},           {"woman", "women", Person},
    {"trophy", "trophies", Thing},    {"key", "keys", Thing},           {"book", "books", Thing},
    {"ball", "balls", Thing},         {"lamp", "lamps", Thing},         {"bottle", "bottles", Thing},
    {"chair", "chairs", Thing},       {"table", "tables", Thing},       {"piano", "pianos", Thing},
    {"cake", "cakes", Thing},         {"letter", "letters", Thing},     {"pen", "pens", Thing},
    {"coin", "coins", Thing},         {"cup", "cups", Thing},           {"suitcase", "suitcases", Container},
    {"box", "boxes", Container},      {"bag", "bags", Container},       {"cabinet", "cabinets", Container},
    {"drawer", "drawers", Container}, {"basket", "baskets", Container}, {"car", "cars", Container},
    {"street", "streets", Crossing},  {"river", "rivers", Crossing},    {"road", "roads", Crossing},
    {"bridge", "bridges", Crossing},  {"field", "fields", Crossing},    {"valley", "valleys", Crossing},
    {"mat", "mats", Surface},         {"rug", "rugs", Surface},         {"sofa", "sofas", Surface},
    {"bench", "benches", Surface},    {"blanket", "blankets", Surface}, {"pillow", "pillows", Surface},
    {"bank", "banks", Place},         {"park", "parks", Place},         {"garden", "gardens", Place},
    {"house", "houses", Place},       {"store", "stores", Place},       {"school", "schools", Place},
    {"kitchen", "kitchens", Place},   {"window", "windows", Place},     {"door", "doors", Place},
    {"hill", "hills", Place},         {"tree", "trees", Place},         {"wall", "walls", Place},
};

// Words that name no countable thing: subjects of the "… is all you need" saying.
const char* const kAbstract[] = {"attention", "money",    "time", "sleep", "love", "music",
                                 "patience",  "practice", "food", "water", "luck", "help"};

const char* const kAdjectives[] = {"old",  "new",    "big",   "small", "red",    "green", "blue",
                                   "dark", "little", "heavy", "quiet", "warm",   "cold",  "tall",
                                   "long", "wide",   "happy", "clean", "broken", "empty"};

const char* const kPrepositions[] = {"to",    "of", "on",   "in",   "near",  "behind",
                                     "under", "by", "with", "from", "beside"};

// A verb's singular (3rd person, ends in s) and plural forms, and what follows it.
enum Complement { Adjective, Location, Object };
struct Verb {
  const char* sg;
  const char* pl;
  Complement complement;
};
const Verb kVerbs[] = {
    {"is", "are", Adjective},      {"was", "were", Adjective},   {"is", "are", Location},
    {"was", "were", Location},     {"has", "have", Object},      {"sits", "sit", Location},
    {"stands", "stand", Location}, {"looks", "look", Adjective}, {"seems", "seem", Adjective},
    {"needs", "need", Object},     {"holds", "hold", Object},
};
// Relative clauses: "the bank that holds my money".
const Verb kRelative[] = {{"holds", "hold", Object}, {"keeps", "keep", Object}, {"has", "have", Object}};

// The pronoun sentences: "the AGENT <verb> the PATIENT because it was [too] ADJ": the adjective
// decides which noun "it" is.
struct Event {
  const char* words[3];  // the verb phrase, up to three words (null-terminated early)
  Class agents[2];
  Class patient;
  bool too;
  const char* agent_adjectives[5];
  const char* patient_adjectives[5];
};
const Event kEvents[] = {
    {{"didn't", "cross", nullptr},
     {Animal, Person},
     Crossing,
     true,
     {"tired", "slow", "scared", "sleepy", "weak"},
     {"wide", "busy", "long", "dangerous", "wet"}},
    {{"didn't", "fit", "in"},
     {Thing, Thing},
     Container,
     true,
     {"big", "large", "tall", "long", "wide"},
     {"small", "full", "narrow", "tiny", "short"}},
    {{"sat", "on", nullptr},
     {Animal, Person},
     Surface,
     false,
     {"tired", "sleepy", "lazy", "bored", "cold"},
     {"warm", "soft", "dry", "clean", "comfortable"}},
    {{"couldn't", "carry", nullptr},
     {Person, Animal},
     Thing,
     true,
     {"weak", "tired", "young", "busy", "slow"},
     {"heavy", "big", "hot", "large", "wet"}},
};

const char* const kNames[] = {"alice", "bob",  "mary", "tom", "anna", "sam", "lily", "max",
                              "emma",  "jack", "lucy", "ben", "kate", "leo", "nina", "paul"};
const char* const kMonths[] = {"january", "february", "march",     "april",   "may",      "june",
                               "july",    "august",   "september", "october", "november", "december"};

const char* const kDeterminersSg[] = {"the", "a", "this", "my", "his", "her", "our", "their"};
const char* const kDeterminersPl[] = {"the", "these", "my", "his", "her", "our", "their", "some"};

// Every other word a sentence frame uses (the frames below spell them out).
const char* const kFrameWords[] = {"because", "it",   "they",  "too",  "when",    "and",  "went",
                                   "gave",    "said", "then",  "saw",  "met",     "at",   "hello",
                                   "i",       "we",   "found", "is",   "all",     "you",  "need",
                                   "not",     "that", "was",   "were", "laughed", "asked"};

const char* const kPunctuation[] = {".", ",", "!", "?", "\"", "(", ")", "&", "'", ":", ";", "-"};

// splitmix64 (Vigna): the same output everywhere.
struct Rng {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in 0 … bound−1 (bound ≥ 1), without modulo bias.
  int below(int bound) {
    const uint64_t b = uint64_t(bound), limit = UINT64_MAX - UINT64_MAX % b;
    uint64_t x;
    do x = next();
    while (x >= limit);
    return int(x % b);
  }
  bool chance(int percent) { return below(100) < percent; }
  template <class T, size_t N>
  const T& pick(const T (&items)[N]) {
    return items[below(int(N))];
  }
};

// A noun of one of the classes.
const Noun& noun_of(Rng& r, std::initializer_list<Class> classes) {
  std::vector<const Noun*> fit;
  for (const Noun& n : kNouns)
    if (std::find(classes.begin(), classes.end(), n.cls) != classes.end()) fit.push_back(&n);
  return *fit[size_t(r.below(int(fit.size())))];
}

}  // namespace

// ============================================================================
// Writing one sentence: words in, ids and positions out
// ============================================================================

class Builder {
 public:
  Builder(const Language& lang, SentenceKind kind) : lang_(lang) { s_.kind = kind; }
  // Appends a word (every word of the lexicon is in the vocabulary); returns its position.
  int put(std::string_view word) {
    const int32_t id = lang_.id(word);
    s_.ids.push_back(id >= 0 ? id : lang_.unk());
    if (!s_.text.empty()) s_.text += ' ';
    s_.text += word;
    return int(s_.ids.size()) - 1;
  }
  // A digit at a time: "2024" → 2 0 2 4.
  void number(int value) {
    for (char c : std::to_string(value)) put(std::string(1, c));
  }
  // DET [ADJ] NOUN in a number; returns the noun's position.
  int noun_phrase(Rng& r, const Noun& n, bool plural, int adjective_percent = 40) {
    put(plural ? r.pick(kDeterminersPl) : r.pick(kDeterminersSg));
    if (r.chance(adjective_percent)) put(r.pick(kAdjectives));
    return put(plural ? n.pl : n.sg);
  }
  Sentence& sentence() { return s_; }

 private:
  const Language& lang_;
  Sentence s_;
};

namespace {

const Noun& concrete(Rng& r) { return kNouns[r.below(int(sizeof kNouns / sizeof kNouns[0]))]; }

// VERB COMPLEMENT, the verb in the subject's number; the verb's position into *verb.
void predicate(Builder& b, Rng& r, bool plural, int* verb, std::vector<Agreement>* extra) {
  const Verb& v = r.pick(kVerbs);
  *verb = b.put(plural ? v.pl : v.sg);
  switch (v.complement) {
    case Adjective:
      if (r.chance(20)) b.put("not");
      b.put(r.pick(kAdjectives));
      break;
    case Location:
      if (r.chance(25) && v.sg[0] == 'i') {  // "is not the bank that holds my money"
        b.put("not");
        b.put("the");
        const int head = b.put(plural ? concrete(r).pl : concrete(r).sg);
        b.put("that");
        const Verb& rel = r.pick(kRelative);
        const int rv = b.put(plural ? rel.pl : rel.sg);
        extra->push_back({rv, head});
        b.noun_phrase(r, concrete(r), r.chance(50), 20);
      } else {
        b.put(r.pick(kPrepositions));
        b.noun_phrase(r, noun_of(r, {Place, Surface, Thing, Container}), r.chance(40));
      }
      break;
    case Object:
      b.noun_phrase(r, concrete(r), r.chance(50));
      break;
  }
}

// The subject phrase with a distractor: the subject's number, the distractor's usually the other.
void agreement_clause(Builder& b, Rng& r, bool bracket) {
  const bool plural = r.chance(50);
  const int subject = b.noun_phrase(r, concrete(r), plural);
  if (bracket) b.put("(");
  b.put(r.pick(kPrepositions));
  b.noun_phrase(r, concrete(r), r.chance(75) ? !plural : plural);
  if (bracket) b.put(")");
  int verb = 0;
  std::vector<Agreement> extra;
  predicate(b, r, plural, &verb, &extra);
  b.sentence().agreement.push_back({verb, subject});
  for (const Agreement& a : extra) b.sentence().agreement.push_back(a);
}

void pronoun_sentence(Builder& b, Rng& r) {
  const Event& e = r.pick(kEvents);
  const Noun& agent = noun_of(r, {e.agents[0], e.agents[1]});
  // "it" for a person reads wrong: a person agent is plural ("they").
  const bool agent_pl = agent.cls == Person || r.chance(40), patient_pl = r.chance(30);
  const Noun& patient = noun_of(r, {e.patient});
  b.put("the");
  const int a = b.put(agent_pl ? agent.pl : agent.sg);
  for (const char* w : e.words)
    if (w) b.put(w);
  b.put("the");
  const int p = b.put(patient_pl ? patient.pl : patient.sg);
  b.put("because");
  const bool about_agent = r.chance(50);
  const bool pl = about_agent ? agent_pl : patient_pl;
  const int pronoun = b.put(pl ? "they" : "it");
  b.put(pl ? "were" : "was");
  if (e.too) b.put("too");
  b.put(about_agent ? r.pick(e.agent_adjectives) : r.pick(e.patient_adjectives));
  if (r.chance(70)) b.put(".");
  b.sentence().antecedents.push_back({pronoun, about_agent ? a : p});
}

void names_sentence(Builder& b, Rng& r) {
  const int i = r.below(16), j = (i + 1 + r.below(15)) % 16;  // two different names
  const char *x = kNames[i], *y = kNames[j];
  if (r.chance(50)) {  // "when x and y went to the park , y gave a ball to x ."
    b.put("when");
    b.put(x);
    b.put("and");
    b.put(y);
    b.put("went");
    b.put("to");
    b.put("the");
    b.put(noun_of(r, {Place}).sg);
    b.put(",");
    b.put(y);
    b.put("gave");
    b.noun_phrase(r, noun_of(r, {Thing}), false);
    b.put("to");
    b.put(x);
  } else {  // "x met y at the store , and then y saw x ."
    b.put(x);
    b.put("met");
    b.put(y);
    b.put("at");
    b.put("the");
    b.put(noun_of(r, {Place}).sg);
    b.put(",");
    b.put("and");
    b.put("then");
    b.put(y);
    b.put(r.chance(50) ? "saw" : "asked");
    b.put(x);
  }
  b.put(".");
}

void quote_sentence(Builder& b, Rng& r) {
  const char* name = r.pick(kNames);
  if (r.chance(50)) {  // x said " the dogs are hungry . "
    b.put(name);
    b.put("said");
    b.put("\"");
    agreement_clause(b, r, false);
    b.put(".");
    b.put("\"");
  } else {  // " the dogs are hungry , " said x .
    b.put("\"");
    agreement_clause(b, r, false);
    b.put(",");
    b.put("\"");
    b.put(r.chance(50) ? "said" : "laughed");
    b.put(name);
    b.put(".");
  }
}

void counting_sentence(Builder& b, Rng& r) {
  b.put(r.chance(50) ? "i" : "we");
  b.put(r.chance(50) ? "saw" : "found");
  const int items = 2 + r.below(2);
  for (int k = 0; k < items; ++k) {
    if (k == items - 1)
      b.put("&");
    else if (k > 0)
      b.put(",");
    const int count = r.chance(30) ? 1 : 2 + r.below(19);
    b.number(count);
    const Noun& n = noun_of(r, {Animal, Thing});
    b.put(count == 1 ? n.sg : n.pl);
  }
  if (r.chance(60)) {
    b.put("on");
    b.number(1 + r.below(28));
    b.put(r.pick(kMonths));
    b.number(1990 + r.below(41));
  } else {
    b.put("in");
    b.put("the");
    b.put(noun_of(r, {Place, Container}).sg);
  }
  b.put(r.chance(50) ? "!" : ".");
}

void saying_sentence(Builder& b, Rng& r) {  // "attention is all you need"
  b.put(r.pick(kAbstract));
  b.put("is");
  b.put("all");
  b.put(r.chance(70) ? "you" : "we");
  b.put("need");
  if (r.chance(50)) b.put(".");
}

}  // namespace

// ============================================================================
// The vocabulary and the tokenizer
// ============================================================================

void Language::add(std::string_view token) {
  std::string t(token);
  if (index_.count(t)) return;
  index_.emplace(t, size());
  tokens_.push_back(std::move(t));
}

Language::Language() {
  add("<unk>");
  add("<s>");
  add("</s>");
  for (const char* p : kPunctuation) add(p);
  for (char c = '0'; c <= '9'; ++c) add(std::string(1, c));
  for (const char* w : kFrameWords) add(w);
  for (const char* w : kDeterminersSg) add(w);
  for (const char* w : kDeterminersPl) add(w);
  for (const char* w : kPrepositions) add(w);
  for (const char* w : kAdjectives) add(w);
  for (const Noun& n : kNouns) add(n.sg), add(n.pl);
  for (const char* w : kAbstract) add(w);
  for (const Verb& v : kVerbs) add(v.sg), add(v.pl);
  for (const Verb& v : kRelative) add(v.sg), add(v.pl);
  for (const Event& e : kEvents) {
    for (const char* w : e.words)
      if (w) add(w);
    for (const char* w : e.agent_adjectives) add(w);
    for (const char* w : e.patient_adjectives) add(w);
  }
  for (const char* w : kNames) add(w);
  for (const char* w : kMonths) add(w);
}

int32_t Language::id(std::string_view text) const {
  const auto it = index_.find(std::string(text));
  return it == index_.end() ? -1 : it->second;
}

namespace {

bool letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Bytes in the UTF-8 sequence that starts with c (1 for ASCII and for a byte that starts none).
size_t sequence_length(unsigned char c) {
  if (c >= 0xF0 && c <= 0xF4) return 4;
  if (c >= 0xE0) return c <= 0xEF ? 3 : 1;
  if (c >= 0xC2) return 2;
  return 1;
}

}  // namespace

std::vector<Token> Language::tokenize(std::string_view text) const {
  std::vector<Token> out;
  size_t i = 0;
  std::string word;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
      continue;
    }
    size_t end = i + 1;
    if (letter(char(c))) {
      while (end < text.size() &&
             (letter(text[end]) || (text[end] == '\'' && end + 1 < text.size() && letter(text[end + 1]))))
        ++end;
    } else if (c >= 0x80) {
      const size_t len = sequence_length(c);
      bool whole = i + len <= text.size();
      for (size_t k = 1; whole && k < len; ++k)
        whole = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
      end = whole ? i + len : i + 1;
    }
    word.assign(text.substr(i, end - i));
    for (char& ch : word)
      if (ch >= 'A' && ch <= 'Z') ch = char(ch - 'A' + 'a');
    const int32_t found = id(word);
    Token t;
    t.known = found >= 0;
    t.id = t.known ? found : unk();
    t.begin = i, t.end = end;
    out.push_back(t);
    i = end;
  }
  return out;
}

// ============================================================================
// Generating
// ============================================================================

std::vector<Sentence> Language::generate(uint64_t seed, int count) const {
  Rng r{seed};
  std::vector<Sentence> out;
  for (int k = 0; k < count; ++k) {
    const auto kind = static_cast<SentenceKind>(r.below(kSentenceKinds));
    Builder b(*this, kind);
    switch (kind) {
      case SentenceKind::Agreement:
        agreement_clause(b, r, false);
        b.put(".");
        break;
      case SentenceKind::Bracket:
        agreement_clause(b, r, true);
        b.put(".");
        break;
      case SentenceKind::Pronoun:
        pronoun_sentence(b, r);
        break;
      case SentenceKind::Names:
        names_sentence(b, r);
        break;
      case SentenceKind::Quote:
        quote_sentence(b, r);
        break;
      case SentenceKind::Counting:
        counting_sentence(b, r);
        break;
      case SentenceKind::Saying:
        saying_sentence(b, r);
        break;
    }
    out.push_back(std::move(b.sentence()));
  }
  return out;
}

}  // namespace ap::train
