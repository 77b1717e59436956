// The training engine's own random numbers: splitmix64 seeding a xoshiro256** generator, and
// uniform floats built from its bits. No std::*_distribution (their outputs differ between
// libstdc++ and libc++), so a seed gives the same numbers natively and in wasm.
#pragma once

#include <cstdint>

namespace ap::train {

// splitmix64: one step of Steele, Lea and Flood's mixer; also seeds xoshiro's four words.
inline uint64_t splitmix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// xoshiro256** (Blackman and Vigna). Rng(seed, stream): streams of one seed are independent
// generators (the stream is mixed into the seeding), e.g. training batches and held-out examples.
class Rng {
 public:
  explicit Rng(uint64_t seed, uint64_t stream = 0) {
    uint64_t sm = seed ^ (stream * 0xD1B54A32D192ED03ull);
    for (uint64_t& w : s_) w = splitmix64(&sm);
  }
  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, n) for n >= 1 (Lemire's multiply-shift; the tiny bias of skipping the
  // rejection step is irrelevant for task sampling and keeps one draw per call).
  int below(int n) { return int(((next() >> 32) * uint64_t(n)) >> 32); }
  // Uniform float in [0, 1): the top 24 bits, exactly representable.
  float uniform() { return float(next() >> 40) * 0x1.0p-24f; }
  // Uniform float in [−a, a).
  float symmetric(float a) { return (2.0f * uniform() - 1.0f) * a; }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace ap::train
