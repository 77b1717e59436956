// What both binding files return to JS on failure and how they ask for memory first. Only the
// bindings include this (it uses Emscripten's val).
#pragma once

#include <emscripten/val.h>

#include <cstdlib>
#include <string>
#include <vector>

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

// A new JS typed array (`type`, e.g. "Float32Array") holding a copy of data[0 … count): a copy,
// so it survives memory growth, which detaches every view into the heap.
template <typename T>
emscripten::val copy_out(const char* type, const T* data, size_t count) {
  return emscripten::val::global(type).new_(emscripten::typed_memory_view(count, data));
}

// One head's detector report as JS, the form model.headScores() and trainer.headScores() share:
// { layer, head, scores: Float64Array (kinds), probes: Int32Array (kinds), names: [pattern, …] }.
inline emscripten::val head_report(int layer, int head, const double* scores, const int* probes, size_t kinds,
                                   const std::vector<std::string>& names) {
  emscripten::val o = emscripten::val::object();
  o.set("layer", layer);
  o.set("head", head);
  o.set("scores", copy_out("Float64Array", scores, kinds));
  o.set("probes", copy_out("Int32Array", probes, kinds));
  emscripten::val named = emscripten::val::array();
  for (const std::string& n : names) named.call<void>("push", n);
  o.set("names", named);
  return o;
}

}  // namespace ap::bindings
