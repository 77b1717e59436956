// GGUF v2 / v3 reader (ggml's docs/gguf.md) over a byte buffer.
//
// Layout (little-endian): "GGUF", uint32 version, uint64 tensor_count, uint64 kv_count; kv_count
// (key: string, uint32 value type, value); tensor_count tensor infos (name: string, uint32 n_dims,
// n_dims × uint64 dims innermost first, uint32 ggml type, uint64 offset into the data section);
// padding to general.alignment (32 by default); the data section. A string is uint64 length +
// bytes (no terminator); an array is uint32 element type + uint64 count + elements, arrays of
// arrays included.
//
// Every size, count and offset is checked against what remains of the buffer before it is used,
// so an absurd count fails at once instead of allocating. Errors are returned as messages (the
// product wasm has no exceptions): "" means success.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kernels/quant.h"

namespace ap::gguf {

inline constexpr uint32_t kMagic = 0x46554747;  // "GGUF" read as a little-endian uint32
inline constexpr uint32_t kDefaultAlignment = 32;
inline constexpr int kMaxDims = 4;        // GGML_MAX_DIMS
inline constexpr int kMaxArrayDepth = 8;  // arrays of arrays deeper than this are refused

enum class ValueType : uint32_t {
  U8 = 0,
  I8 = 1,
  U16 = 2,
  I16 = 3,
  U32 = 4,
  I32 = 5,
  F32 = 6,
  Bool = 7,
  String = 8,
  Array = 9,
  U64 = 10,
  I64 = 11,
  F64 = 12,
};
const char* value_type_name(ValueType t);
// Bytes of one scalar of type t (0 for String and Array).
size_t scalar_size(ValueType t);

// One metadata value. Scalars keep their bits (u64 for unsigned and bool, i64 for signed, f64 for
// floats); arrays of scalars keep their raw little-endian elements, arrays of strings the strings,
// arrays of arrays the nested values.
struct Value {
  ValueType type = ValueType::U8;
  uint64_t u = 0;
  int64_t i = 0;
  double f = 0;
  std::string str;
  // Arrays only:
  ValueType elem = ValueType::U8;
  uint64_t count = 0;
  std::vector<uint8_t> raw;          // count × scalar_size(elem) bytes, for scalar elements
  std::vector<std::string> strings;  // for String elements
  std::vector<Value> arrays;         // for Array elements

  bool is_integer() const;  // any of the eight integer types or Bool
  bool is_number() const;   // an integer or F32 / F64
  // The value as a number (integers exactly up to 2^53); 0 for non-numbers.
  double number() const;
  // Element k of a numeric array as a number (k < count, elem numeric).
  double number_at(uint64_t k) const;
};

struct TensorInfo {
  std::string name;
  std::vector<uint64_t> dims;  // innermost first: dims[0] = ne0 (a row's length)
  uint32_t ggml_type = 0;
  TensorType type = TensorType::F32;
  uint64_t offset = 0;       // relative to the data section, as stored
  uint64_t file_offset = 0;  // absolute: data section + offset
  uint64_t bytes = 0;        // size of its data
  uint64_t elements = 0;
  uint64_t info_at = 0;  // byte offset of its info in the file (for messages)
};

struct File {
  uint32_t version = 0;
  uint32_t alignment = kDefaultAlignment;
  uint64_t data_offset = 0;                             // start of the data section
  std::vector<std::pair<std::string, Value>> metadata;  // in file order
  std::vector<TensorInfo> tensors;                      // in file order

  const Value* find(std::string_view key) const;
  const TensorInfo* tensor(std::string_view name) const;
};

// Parses data[0 … size) into *out. Returns "" or a message naming what is wrong and where (byte
// offset, key or tensor name). Every tensor's data must lie inside the buffer, at an offset that
// is a multiple of the alignment, and be of type F32, F16, BF16, Q8_0 or Q4_0.
std::string parse(const uint8_t* data, size_t size, File* out);

}  // namespace ap::gguf
