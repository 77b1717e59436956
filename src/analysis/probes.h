// Probe sequences for the head detector (analysis/heads.h), generated from a seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/heads.h"

namespace ap {
struct Vocab;
}
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
// (pronoun, noun) positions moved past the BOS. A model with the language's vocabulary scores them.
std::vector<Probe> language_probes(const std::vector<ap::train::Sentence>& sentences, int32_t bos);

}  // namespace ap::analysis
