// The one rule for buffers kept between calls (scratch in the core, inputs and outputs in the
// bindings): they are reused, so a warm call allocates nothing, but past kMaxKeptScratchBytes
// they are given back after the call, so one very large call (an 8k-token output-only run holds
// several 16 MB buffers) does not keep its memory for the rest of the page's life.
#pragma once

#include <cstddef>

namespace ap {

inline constexpr size_t kMaxKeptScratchBytes = size_t(64) << 20;  // 64 MB

// Resets owner to a fresh Owner{} (freeing what it holds) when the given vectors hold more than
// kMaxKeptScratchBytes together, counted by capacity. owner may be a struct of buffers, one of
// the vectors itself, or a smart pointer.
template <typename Owner, typename... Vectors>
void release_if_large(Owner& owner, const Vectors&... held) {
  const size_t bytes = (size_t(0) + ... + (held.capacity() * sizeof(typename Vectors::value_type)));
  if (bytes > kMaxKeptScratchBytes) owner = Owner{};
}

}  // namespace ap
