// Probe sequences for the head detector (analysis/heads.h), generated from a seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/heads.h"

namespace ap {
struct Vocab;
class Tokenizer;
}  // namespace ap
namespace ap::train {
struct Sentence;
}

namespace ap::analysis {

// The ids a random probe may use: every token of an ordinary type (Normal, Undefined, UserDefined)
// that is none of BOS, EOS, UNK and padding. Control, unknown, unused and byte tokens are left out.
std::vector<int32_t> ordinary_ids(const Vocab& vocab);

// `count` probes, each [bos] r_0 … r_{half−1} r_0 … r_{half−1}: a random run of `half` ids drawn from
// `candidates`, then the same run again (the induction template's sequence; it scores the
// previous-token, duplicate-token and first-token templates too). The ids of a run are distinct when
// there are at least `half` candidates. bos < 0: no BOS. The same seed gives the same probes on every
// platform (integer arithmetic only). "" or a message (no candidates, half < 1, count < 0).
std::string repeated_probes(const std::vector<int32_t>& candidates, int half, int count, int32_t bos,
                            uint64_t seed, std::vector<Probe>* out);

// The built-in language's annotated sentences (train/language.h) as probes in its own vocabulary:
// each sentence's ids after BOS (bos < 0: none), its agreement (verb, subject) and antecedent
// (pronoun, noun) pairs as links moved past the BOS, each link's query the position that predicts
// the verb or pronoun: one before it. In a next-token model that is where a head must find the
// subject (the verb's own position has already read the verb), so "the verb's query" is read at the
// position whose output is the verb; the key may then be the query itself ("the keys are": the
// query at "keys"). A model with the language's vocabulary scores them.
std::vector<Probe> language_probes(const std::vector<ap::train::Sentence>& sentences, int32_t bos);

// The same sentences as probes in a loaded model's own vocabulary, so the agreement and antecedent
// templates can score any model whose vocabulary holds the words: a sentence is kept when it has an
// annotation and `tok` writes each of its words as exactly one token in place (tokenizing its first
// k words, without special tokens, gives k ids, each list a prefix of the next; never the UNK id),
// and [bos] plus its words fits in max_len. The probe is [bos] (bos < 0: none) then those ids, the
// annotations moved past the BOS. Sentences that fail are left out (none may be left).
std::vector<Probe> language_probes_in(const ap::Tokenizer& tok,
                                      const std::vector<ap::train::Sentence>& sentences, int32_t bos,
                                      int max_len);

// The probes the agreement and antecedent scores are the mean over: the built-in language's
// sentences from `seed` (train/language.h; 16·count of them drawn), as language_probes_in keeps
// them, the first `count` with an agreement pair and the first `count` with an antecedent pair
// (a sentence with both counts for both). Empty when the vocabulary lacks the words.
std::vector<Probe> language_probe_set(const ap::Tokenizer& tok, int32_t bos, int max_len, int count,
                                      uint64_t seed);

}  // namespace ap::analysis
