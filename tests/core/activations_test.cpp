// The MLP's activations (src/kernels/activations.h) on both paths against double precision.
#include "kernels/activations.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "test_buffers.h"

TEST_CASE("activations: silu_mul matches g/(1+e^-g)·u on both paths, every lane and the tail", "[kernels]") {
  auto g = ap_test::random_values(1003, 4, 6.0f);  // an odd count: SIMD body and scalar tail
  const float edges[] = {0.0f,   -0.0f,   1e-30f, -1e-30f, 88.0f, -88.0f,
                         100.0f, -100.0f, 200.0f, -200.0f, 1e30f, -1e30f};
  for (size_t i = 0; i < sizeof edges / sizeof edges[0]; ++i) g[i * 7] = edges[i];
  const auto u = ap_test::random_values(g.size(), 9);
  for (ap::KernelPath path : {ap::KernelPath::Scalar, ap::KernelPath::Simd}) {
    ap_test::Unaligned gate(g), up(u);
    ap::silu_mul(gate.data(), up.data(), g.size(), path);
    REQUIRE(up.guards_intact());
    int bad = 0;
    for (size_t e = 0; e < g.size(); ++e) {
      const double gd = g[e], want = gd / (1.0 + std::exp(-gd)) * u[e];
      if (!(std::fabs(up.data()[e] - want) <= 2e-6 * std::fabs(want) + 1e-37)) {
        if (++bad <= 5) WARN("g " << g[e] << " u " << u[e] << ": " << up.data()[e] << " want " << want);
      }
    }
    INFO("path " << (path == ap::KernelPath::Scalar ? "scalar" : "simd"));
    CHECK(bad == 0);
    CHECK(gate.data()[0] == g[0]);  // the gate is read, not written
  }
}
