#include "formats/gguf_writer.h"

#include <cstring>

namespace ap::gguf {

Value make_scalar(ValueType t, uint64_t bits) {
  Value v;
  v.type = t;
  v.u = bits;
  return v;
}
Value make_u32(uint32_t x) { return make_scalar(ValueType::U32, x); }
Value make_i32(int32_t x) { return make_scalar(ValueType::I32, uint32_t(x)); }
Value make_u64(uint64_t x) { return make_scalar(ValueType::U64, x); }
Value make_bool(bool x) { return make_scalar(ValueType::Bool, x ? 1 : 0); }
Value make_f32(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, 4);
  return make_scalar(ValueType::F32, bits);
}
Value make_string(std::string s) {
  Value v;
  v.type = ValueType::String;
  v.str = std::move(s);
  return v;
}
Value make_string_array(std::vector<std::string> s) {
  Value v;
  v.type = ValueType::Array;
  v.elem = ValueType::String;
  v.count = s.size();
  v.strings = std::move(s);
  return v;
}
Value make_scalar_array(ValueType elem, std::vector<uint8_t> raw) {
  Value v;
  v.type = ValueType::Array;
  v.elem = elem;
  v.count = raw.size() / scalar_size(elem);
  v.raw = std::move(raw);
  return v;
}
Value make_f32_array(const std::vector<float>& x) {
  std::vector<uint8_t> raw(x.size() * 4);
  std::memcpy(raw.data(), x.data(), raw.size());  // little-endian hosts (x86, wasm)
  return make_scalar_array(ValueType::F32, std::move(raw));
}
Value make_i32_array(const std::vector<int32_t>& x) {
  std::vector<uint8_t> raw(x.size() * 4);
  std::memcpy(raw.data(), x.data(), raw.size());
  return make_scalar_array(ValueType::I32, std::move(raw));
}
Value make_array_of_arrays(std::vector<Value> arrays) {
  Value v;
  v.type = ValueType::Array;
  v.elem = ValueType::Array;
  v.count = arrays.size();
  v.arrays = std::move(arrays);
  return v;
}

Writer::Writer(uint32_t version, uint32_t alignment) : version_(version), alignment_(alignment) {
  if (alignment != kDefaultAlignment) add("general.alignment", make_u32(alignment));
}

void Writer::add(std::string key, Value value) { metadata_.emplace_back(std::move(key), std::move(value)); }

void Writer::add_tensor(std::string name, std::vector<uint64_t> dims, TensorType type,
                        std::vector<uint8_t> bytes) {
  tensors_.push_back({std::move(name), std::move(dims), type, std::move(bytes)});
}

void Writer::add_tensor(std::string name, std::vector<uint64_t> dims, TensorType type, const float* values) {
  uint64_t rows = 1;
  for (size_t d = 1; d < dims.size(); ++d) rows *= dims[d];
  const int cols = int(dims[0]);
  const size_t rb = row_bytes(type, cols);
  std::vector<uint8_t> bytes(size_t(rows) * rb);
  for (uint64_t r = 0; r < rows; ++r) quantize_row(type, values + r * cols, cols, bytes.data() + r * rb);
  add_tensor(std::move(name), std::move(dims), type, std::move(bytes));
}

namespace {

struct Out {
  std::vector<uint8_t> b;
  void u32(uint32_t v) {
    for (int k = 0; k < 4; ++k) b.push_back(uint8_t(v >> (8 * k)));
  }
  void u64(uint64_t v) {
    for (int k = 0; k < 8; ++k) b.push_back(uint8_t(v >> (8 * k)));
  }
  void str(const std::string& s) {
    u64(s.size());
    b.insert(b.end(), s.begin(), s.end());
  }
  void pad(uint32_t alignment) {
    while (b.size() % alignment) b.push_back(0);
  }
  void value(const Value& v) {
    if (v.type == ValueType::String) return str(v.str);
    if (v.type != ValueType::Array) {
      for (size_t k = 0; k < scalar_size(v.type); ++k) b.push_back(uint8_t(v.u >> (8 * k)));
      return;
    }
    u32(uint32_t(v.elem));
    u64(v.count);
    if (v.elem == ValueType::String)
      for (const auto& s : v.strings) str(s);
    else if (v.elem == ValueType::Array)
      for (const auto& a : v.arrays) value(a);
    else
      b.insert(b.end(), v.raw.begin(), v.raw.end());
  }
};

}  // namespace

std::vector<uint8_t> Writer::finish() const {
  Out o;
  o.u32(kMagic);
  o.u32(version_);
  o.u64(tensors_.size());
  o.u64(metadata_.size());
  for (const auto& kv : metadata_) {
    o.str(kv.first);
    o.u32(uint32_t(kv.second.type));
    o.value(kv.second);
  }
  uint64_t offset = 0;
  for (const auto& t : tensors_) {
    o.str(t.name);
    o.u32(uint32_t(t.dims.size()));
    for (uint64_t d : t.dims) o.u64(d);
    o.u32(uint32_t(t.type));
    o.u64(offset);
    offset += (t.bytes.size() + alignment_ - 1) / alignment_ * alignment_;
  }
  o.pad(alignment_);
  for (const auto& t : tensors_) {
    o.b.insert(o.b.end(), t.bytes.begin(), t.bytes.end());
    o.pad(alignment_);
  }
  return std::move(o.b);
}

}  // namespace ap::gguf
