// What both binding files return to JS on failure and how they ask for memory first. Only the
// bindings include this (it uses Emscripten's val).
#pragma once

#include <emscripten/val.h>

#include <cstdlib>
#include <string>

namespace ap::bindings {

// { error: message }: what the JS layer turns into a thrown Error.
inline emscripten::val error(const std::string& message) {
  emscripten::val result = emscripten::val::object();
  result.set("error", message);
  return result;
}

// Whether the heap can hold `bytes` more: the modules are linked with ABORTING_MALLOC=0, so malloc
// returns null when memory cannot grow, where a failed vector allocation would abort the module.
// Asked before a call allocates anything; what was probed stays in the heap for the call to use.
inline bool heap_can_hold(double bytes) {
  if (bytes > 2147483647.0) return false;
  void* probe = std::malloc(static_cast<size_t>(bytes));
  if (!probe) return false;
  std::free(probe);
  return true;
}

}  // namespace ap::bindings
