// One Catch2 main for the core tests, natively and in wasm under Node.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdio>

#include "core/attention.h"

int main(int argc, char* argv[]) {
  const ap::BuildInfo info = ap::build_info();
  std::printf("attention core %s, SIMD: %s (%s), build: %s\n", info.version, info.simd ? "on" : "off",
              info.simd_kind, info.build_type);
  return Catch::Session().run(argc, argv);
}
