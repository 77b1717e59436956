// Determinism of the training engine: the same seed gives the same weights bit for bit, in every
// build. The pinned digests below were printed by the native SIMD (SSE2) build; the same test runs
// in the native scalar build and in both wasm builds under Node (scripts/test), so a difference
// between native and wasm, or SIMD and scalar, fails there. This works because everything the
// weights depend on is computed in one fixed order on every target: train/gemm.h's product (SIMD
// lanes do the scalar additions in the scalar order), kernels/exp2.h's polynomial for exp,
// detmath.h's series for the RoPE tables and the schedule, sqrt (correctly rounded everywhere),
// our own PRNG, and no FMA contraction (checked below).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <vector>

#include "train/detmath.h"
#include "train/gemm.h"
#include "train/rng.h"
#include "train/trainer.h"

using namespace ap::train;

namespace {

struct Run {
  TaskKind task;
  Mlp mlp;
  Positions pos;
  uint64_t want;  // FNV-1a of the weights after 12 steps
};

Trainer make(const Run& r) {
  TaskSpec task;
  task.kind = r.task;
  task.length = 5;
  task.symbols = 8;
  Config c;
  c.vocab = task_vocab(task);
  c.n_ctx = task_context(task);
  c.n_layer = 2;
  c.n_head = 2;
  c.d_model = 12;  // head_dim 6: gemm's 8-, 4- and 1-column paths all run
  c.mlp = r.mlp;
  c.n_ff = 20;
  c.positions = r.pos;
  TrainOptions opt;
  opt.batch = 5;
  opt.seed = 42;
  opt.schedule.lr = 0.01f;
  opt.schedule.warmup = 3;
  opt.schedule.total_steps = 12;
  opt.adamw.clip = 0.5f;  // clipping takes part
  Trainer t;
  REQUIRE(Trainer::create(c, task, opt, &t) == "");
  return t;
}

}  // namespace

TEST_CASE("train determinism: the weights' digest after a fixed run is pinned", "[train][determinism]") {
  const Run runs[] = {
      {TaskKind::Induction, Mlp::SwiGlu, Positions::Rope, 0x70ad4bef9697efb1ull},
      {TaskKind::Reverse, Mlp::Gelu, Positions::Learned, 0x2b8979eb159d9c80ull},
      {TaskKind::Brackets, Mlp::None, Positions::Rope, 0x511379d8f4b4a6e2ull},
  };
  for (const Run& r : runs) {
    Trainer a = make(r), b = make(r);
    const uint64_t start = a.digest();
    for (int s = 0; s < 12; ++s) {
      a.step();
      b.step();
    }
    std::printf("train digest %s: %016llx (SIMD %s)\n", task_name(r.task), (unsigned long long)a.digest(),
                AP_SIMD_KIND);
    INFO(task_name(r.task));
    CHECK(a.digest() != start);       // the weights moved
    CHECK(a.digest() == b.digest());  // the same run twice
    CHECK(a.digest() == r.want);      // and the same as every other build
  }
}

TEST_CASE("train determinism: different seeds give different weights", "[train][determinism]") {
  Config c;
  c.vocab = 9;
  c.n_ctx = 4;
  std::vector<float> p1, p2, p1b;
  init_params(c, 1, &p1);
  init_params(c, 2, &p2);
  init_params(c, 1, &p1b);
  CHECK(fnv1a(p1.data(), p1.size()) == fnv1a(p1b.data(), p1b.size()));
  CHECK(fnv1a(p1.data(), p1.size()) != fnv1a(p2.data(), p2.size()));
}

TEST_CASE("train determinism: no multiply-add is contracted into an FMA", "[train][determinism]") {
  // a·b = 1 + 2^−11 + 2^−24 exactly; rounded to float it is 1 + 2^−11 (a tie, to even), so
  // a·b + c is 0 when the product is rounded and 2^−24 when fused. (On targets without an FMA
  // instruction, SSE2 and wasm, this holds anyway; it bites where one exists.)
  const float a = 1.0f + 0x1.0p-12f, c = -(1.0f + 0x1.0p-11f);
  CHECK(contraction_probe(a, a, c) == 0.0f);
}

TEST_CASE("train determinism: gemm sums every element in index order, in every path",
          "[train][determinism]") {
  // The reference is the order gemm.h promises; == on floats, not a tolerance.
  for (int m : {1, 3, 4, 5, 9})
    for (int n : {1, 3, 4, 7, 8, 9, 17})
      for (int k : {1, 2, 5, 33})
        for (bool acc : {false, true}) {
          Rng r(uint64_t(m * 1000 + n * 10 + k));
          std::vector<float> a(size_t(m) * k), b(size_t(k) * n), c(size_t(m) * n), want(size_t(m) * n);
          for (float& x : a) x = r.symmetric(1.0f);
          for (float& x : b) x = r.symmetric(1.0f);
          for (size_t i = 0; i < c.size(); ++i) c[i] = want[i] = r.symmetric(1.0f);
          for (int i = 0; i < m; ++i)
            for (int j = 0; j < n; ++j) {
              float s = acc ? want[size_t(i) * n + j] : 0.0f;
              for (int p = 0; p < k; ++p) s = s + a[size_t(i) * k + p] * b[size_t(p) * n + j];
              want[size_t(i) * n + j] = s;
            }
          gemm(a.data(), b.data(), c.data(), m, k, n, acc);
          INFO("m " << m << " n " << n << " k " << k << " acc " << acc);
          CHECK(c == want);
        }
}

TEST_CASE("train determinism: detmath's series agree with the C library to double precision",
          "[train][determinism]") {
  for (double x : {-30.0, -1.5, -0.1, 0.0, 0.3, 1.0, 7.25, 40.0})
    CHECK(det_exp(x) == Approx(std::exp(x)).epsilon(1e-15));
  for (double x : {1e-30, 0.01, 0.5, 0.70710678, 1.0, 1.5, 10000.0, 3e20})
    CHECK(det_log(x) == Approx(std::log(x)).epsilon(1e-15).margin(1e-15));
  for (double x : {-100.0, -3.0, 0.0, 0.5, 3.14159, 6.3, 63.0, 255.0}) {
    double s, c;
    det_sincos(x, &s, &c);
    CHECK(s == Approx(std::sin(x)).margin(1e-13));
    CHECK(c == Approx(std::cos(x)).margin(1e-13));
  }
  // The float paths of the ops: exp via exp2.h (relative error ~2e-7), tanh and σ built on it.
  for (float x : {-20.0f, -2.0f, -0.5f, 0.0f, 0.5f, 2.0f, 20.0f}) {
    CHECK(Math<float>::sigmoid(x) == Approx(1.0 / (1.0 + std::exp(-double(x)))).epsilon(1e-6).margin(1e-9));
    CHECK(Math<float>::tanh(x) == Approx(std::tanh(double(x))).epsilon(1e-6).margin(1e-7));
  }
}
