// GGUF v2 / v3 writer: metadata of every value type (nested arrays included) and tensors in any
// of the reader's types, laid out as llama.cpp lays them out (infos in order, each tensor's data
// at the next multiple of the alignment). The training engine saves its models with it; the tests
// write their model files with it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "formats/gguf.h"

namespace ap::gguf {

// Values to hand to Writer::add.
Value make_u32(uint32_t v);
Value make_i32(int32_t v);
Value make_u64(uint64_t v);
Value make_f32(float v);
Value make_bool(bool v);
Value make_string(std::string v);
Value make_string_array(std::vector<std::string> v);
Value make_f32_array(const std::vector<float>& v);
Value make_i32_array(const std::vector<int32_t>& v);
// An array of scalars of type elem from raw little-endian bytes (count × scalar_size(elem)).
Value make_scalar_array(ValueType elem, std::vector<uint8_t> raw);
Value make_array_of_arrays(std::vector<Value> arrays);
// A scalar of any numeric type t holding `bits` (the low scalar_size(t) bytes are written).
Value make_scalar(ValueType t, uint64_t bits);

class Writer {
 public:
  // alignment: a power of two, multiple of 8; anything but 32 is also written as general.alignment.
  explicit Writer(uint32_t version = 3, uint32_t alignment = kDefaultAlignment);

  void add(std::string key, Value value);
  // A tensor from bytes already in `type`'s layout; dims innermost first (dims[0] = row length).
  void add_tensor(std::string name, std::vector<uint64_t> dims, TensorType type, std::vector<uint8_t> bytes);
  // A tensor from floats (rows of dims[0] values), converted to `type` by quantize_row.
  void add_tensor(std::string name, std::vector<uint64_t> dims, TensorType type, const float* values);

  std::vector<uint8_t> finish() const;

 private:
  struct Tensor {
    std::string name;
    std::vector<uint64_t> dims;
    TensorType type;
    std::vector<uint8_t> bytes;
  };
  uint32_t version_;
  uint32_t alignment_;
  std::vector<std::pair<std::string, Value>> metadata_;
  std::vector<Tensor> tensors_;
};

}  // namespace ap::gguf
