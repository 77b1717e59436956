// Shared by the libFuzzer harnesses of tests/fuzz/ (one *_fuzz.cpp per harness; scripts/fuzz builds and
// runs every one it finds).
//
// A harness writes its own seed corpus: AP_FUZZ_SEEDS(fn) defines LLVMFuzzerInitialize so that, run
// with AP_FUZZ_WRITE_SEEDS=<dir> in the environment, the binary calls fn(Seeds{dir}), writes the seed
// files and exits before fuzzing. AP_FUZZ_CHECK aborts (a crash libFuzzer reports and keeps) when a
// property that must hold for every input fails.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace fuzz {

struct Seeds {
  std::string dir;
  int count = 0;
  void add(const std::vector<uint8_t>& bytes) {
    std::ofstream out(dir + "/seed-" + std::to_string(count++), std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  void add(const std::string& bytes) { add(std::vector<uint8_t>(bytes.begin(), bytes.end())); }
};

}  // namespace fuzz

#define AP_FUZZ_CHECK(cond)                                                                 \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      std::fprintf(stderr, "%s:%d: AP_FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                         \
    }                                                                                       \
  } while (0)

#define AP_FUZZ_SEEDS(write_seeds)                              \
  extern "C" int LLVMFuzzerInitialize(int*, char***) {          \
    if (const char* dir = std::getenv("AP_FUZZ_WRITE_SEEDS")) { \
      fuzz::Seeds seeds{dir};                                   \
      write_seeds(seeds);                                       \
      std::printf("wrote %d seeds to %s\n", seeds.count, dir);  \
      std::exit(0);                                             \
    }                                                           \
    return 0;                                                   \
  }
